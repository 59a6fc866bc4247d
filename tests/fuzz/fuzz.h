/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h: what the libFuzzer targets in tests/fuzz share: the input as a
 * C string, a check that aborts (libFuzzer reports it as a crash, with
 * the input), and the oracle every parsed domain config must pass.
 *
 * Everything is static inline, as in tests/unit/helpers.h, so that a
 * target using only part of it does not trip -Wunused-function.
 */
#ifndef PV_FUZZ_H
#define PV_FUZZ_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "config/xlcfg.h"
#include "util/jsonw.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise: the message, then abort() for libFuzzer to catch. */
#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: oracle failed: %s: ", __FILE__,	\
			__LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* The input, NUL-terminated (a NUL inside ends the string early). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = pv_malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Warnings are dropped, but each must say where, about what and why. */
static inline void fuzz_warn(void *ctx, const char *where, const char *key,
			     const char *msg)
{
	(void)ctx;
	FUZZ_CHECK(where && *where && key && msg && *msg, "empty warning");
}

/* A failure must say what failed. */
static inline void fuzz_check_err(int rc, const struct pv_err *err)
{
	FUZZ_CHECK(rc < 0, "rc %d", rc);
	FUZZ_CHECK(*pv_err_msg(err), "rc %d with no message", rc);
}

/* The config as `create -n` prints it (allocated). */
static inline char *fuzz_config_json(const struct pv_domain_config *c)
{
	struct pv_jw w;
	size_t len;
	char *text;
	int rc;

	pv_jw_init(&w, true);
	rc = pv_domain_config_to_json(c, &w);
	FUZZ_CHECK(!rc, "an accepted config cannot be written as JSON");
	text = pv_strdup(pv_jw_text(&w, &len));
	pv_jw_dispose(&w);
	return text;
}

/*
 * The oracle for every config a parser accepts: what `create -n` prints
 * (and the saved config, the same JSON) loads back to the same config,
 * and the xl.cfg text a save file carries parses back to it too (unless
 * a disk or vif value holds a comma, which a spec cannot express).
 */
static inline void fuzz_check_config(const struct pv_domain_config *c)
{
	struct pv_domain_config back;
	struct pv_buf text = PV_BUF_INIT;
	struct pv_err err;
	char errbuf[256] = "", *json, *again;
	yajl_val root;
	int rc;

	pv_domain_config_init(&back);
	pv_err_init(&err);
	json = fuzz_config_json(c);
	root = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	FUZZ_CHECK(root, "create -n printed JSON that does not parse: %s\n%s",
		   errbuf, json);
	rc = pv_domain_config_from_json(root, &back, &err);
	FUZZ_CHECK(!rc, "create -n's JSON does not load back: %s\n%s",
		   pv_err_msg(&err), json);
	again = fuzz_config_json(&back);
	FUZZ_CHECK(!strcmp(json, again), "the JSON round trip changed the "
		   "config:\n%s\n---\n%s", json, again);
	free(again);
	yajl_tree_free(root);

	rc = pv_domain_config_to_xlcfg(c, &text, &err);
	FUZZ_CHECK(!rc || rc == -EINVAL, "to_xlcfg: %d", rc);
	if (!rc) {
		rc = pv_xlcfg_parse_string(text.s, c->source, NULL, 0, &back,
					   fuzz_warn, NULL, &err);
		FUZZ_CHECK(!rc, "the config written as xl.cfg does not parse "
			   "back: %s\n%s", pv_err_msg(&err), text.s);
		again = fuzz_config_json(&back);
		FUZZ_CHECK(!strcmp(json, again), "the xl.cfg round trip changed "
			   "the config:\n%s\n---\n%s", json, again);
		free(again);
	}
	pv_buf_dispose(&text);
	pv_domain_config_dispose(&back);
	pv_err_dispose(&err);
	free(json);
}

#endif
