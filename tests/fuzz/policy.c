/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.c: fuzzes policy files (pv_policy_load_string), the text once
 * as a domain policy and once as host.policy. An accepted policy keeps
 * its documented ranges and orders (pvctl-policy(5)); a refused one
 * leaves the set as it was (all or nothing, so that a broken file
 * keeps the old policy in force).
 */
#include "fuzz.h"
#include "config/policy.h"

static void check_policy(const struct pv_policy *p)
{
	FUZZ_CHECK(p->nmatch && p->match, "a policy matching nothing");
	FUZZ_CHECK(p->priority <= 100, "priority %u", p->priority);
	FUZZ_CHECK(p->weight >= 1 && p->weight <= 1000, "weight %u", p->weight);
	FUZZ_CHECK(!p->mem_max_kb || p->mem_min_kb <= p->mem_max_kb,
		   "memory_min above memory_max");
	FUZZ_CHECK(p->step_min_kb <= p->step_max_kb, "step_min above step_max");
	FUZZ_CHECK(p->low_water_kb <= p->margin_kb, "low_water above margin");
	FUZZ_CHECK(p->pressure_low < p->pressure_high,
		   "pressure_low not below pressure_high");
	FUZZ_CHECK(!p->vcpu_max || p->vcpu_min <= p->vcpu_max,
		   "vcpu_min above vcpu_max");
	FUZZ_CHECK(p->vcpu_down_util < p->vcpu_up_util,
		   "vcpu_down_util not below vcpu_up_util");
}

/* The set as JSON (allocated): what `autoscale status` would show of it. */
static char *set_json(const struct pv_policy_set *s)
{
	struct pv_jw w;
	size_t i, len;
	char *text;

	pv_jw_init(&w, false);
	pv_jw_array_open(&w, NULL);
	FUZZ_CHECK(!pv_host_policy_to_json(&s->host, &w), "host to_json");
	for (i = 0; i < s->n; i++)
		FUZZ_CHECK(!pv_policy_to_json(&s->policies[i], &w), "to_json");
	pv_jw_array_close(&w);
	text = pv_strdup(pv_jw_text(&w, &len));
	pv_jw_dispose(&w);
	return text;
}

static void load(const char *text, const char *source)
{
	struct pv_policy_set s;
	struct pv_err err;
	char *before, *after;
	int rc;

	pv_policy_set_init(&s);
	pv_err_init(&err);
	/* One policy already in force, which a broken file must not touch. */
	FUZZ_CHECK(!pv_policy_load_string("match = 'web*'\n", "00-old.policy",
					  &s, &err), "%s", pv_err_msg(&err));
	before = set_json(&s);
	rc = pv_policy_load_string(text, source, &s, &err);
	after = set_json(&s);
	if (rc) {
		fuzz_check_err(rc, &err);
		FUZZ_CHECK(!strcmp(before, after), "a refused %s changed the "
			   "set:\n%s\n---\n%s", source, before, after);
	} else if (s.n == 2) {
		check_policy(&s.policies[1]);
		pv_policy_match(&s, "web1");
	}
	free(before);
	free(after);
	pv_policy_set_dispose(&s);
	pv_err_dispose(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);

	load(text, "/etc/pvctl/policy.d/50-fuzz.policy");
	load(text, "/etc/pvctl/policy.d/host.policy");
	free(text);
	return 0;
}
