/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent_proc.c: fuzzes pvctl-agent's parsers of the guest's /proc and
 * /sys files (agent/sample.h), each on the same text, as read_text
 * gives it (NUL-terminated). On failure the outputs stay untouched;
 * values taken stay within the bounds the parsers promise.
 */
#include "fuzz.h"
#include "agent/sample.h"

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	uint64_t a = UNTOUCHED, b = UNTOUCHED;
	unsigned int u = 0x5a5a5a5a;
	struct pv_agent_sample s = { 0 };
	bool have = true;
	static const char *const kinds[] = { "some", "full" };
	size_t i;

	if (pv_agent_parse_meminfo(text, &a, &b, &have))
		FUZZ_CHECK(a == UNTOUCHED && b == UNTOUCHED && have, "meminfo");
	else
		FUZZ_CHECK(have || !b, "MemAvailable without its line");

	if (pv_agent_parse_vmstat(text, &s))
		FUZZ_CHECK(!s.have && !s.pswpin && !s.pswpout && !s.oom_kill,
			   "vmstat");
	else
		FUZZ_CHECK(s.have && !(s.have & ~(PV_HAVE_SWAP | PV_HAVE_OOM)),
			   "vmstat have %#x", s.have);

	for (i = 0; i < 2; i++) {
		u = 0x5a5a5a5a;
		if (pv_agent_parse_pressure(text, kinds[i], &u))
			FUZZ_CHECK(u == 0x5a5a5a5a, "pressure");
		else
			FUZZ_CHECK(u <= 10000, "pressure %u", u);
	}

	a = b = UNTOUCHED;
	if (pv_agent_parse_stat(text, &a, &b))
		FUZZ_CHECK(a == UNTOUCHED && b == UNTOUCHED, "stat");

	u = 0x5a5a5a5a;
	if (pv_agent_parse_cpulist(text, &u))
		FUZZ_CHECK(u == 0x5a5a5a5a, "cpulist");
	else
		FUZZ_CHECK(u >= 1 && u <= 65536, "cpulist count %u", u);
	free(text);
	return 0;
}
