/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xlcfg.c: fuzzes the xl.cfg reader with command-line overrides
 * (pv_xlcfg_parse_string, what `create` runs on a CONFIG and KEY=VALUE
 * arguments). The input is the file, then each override after a NUL;
 * neither can hold a NUL of its own (files with one are refused before
 * parsing, and arguments are C strings). Every config accepted must pass
 * fuzz_check_config: `create -n`'s JSON loads back, and so does the
 * xl.cfg text a save file carries.
 */
#include "fuzz.h"

#define MAX_OVERRIDES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), *ov[MAX_OVERRIDES];
	struct pv_domain_config c;
	struct pv_err err;
	size_t off = strlen(text) + 1;
	int nov = 0, rc;

	for (; off <= size && nov < MAX_OVERRIDES; off += strlen(text + off) + 1)
		ov[nov++] = text + off;
	pv_domain_config_init(&c);
	pv_err_init(&err);
	rc = pv_xlcfg_parse_string(text, "fuzz.cfg", ov, nov, &c, fuzz_warn,
				   NULL, &err);
	if (rc)
		fuzz_check_err(rc, &err);
	else
		fuzz_check_config(&c);
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
	free(text);
	return 0;
}
