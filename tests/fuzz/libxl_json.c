/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libxl_json.c: fuzzes the reader of libxl's JSON config, which xl's
 * own save files carry (pv_libxl_json_to_xlcfg). What it writes must be
 * xl.cfg syntax (its values may still be refused, as a file's would);
 * a config it yields must pass fuzz_check_config.
 */
#include "fuzz.h"
#include "config/xlcfg_i.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = fuzz_str(data, size);
	struct pv_buf out = PV_BUF_INIT;
	struct cfg_settings settings;
	struct pv_domain_config c;
	struct pv_err err;
	int rc;

	pv_domain_config_init(&c);
	pv_err_init(&err);
	xlcfg_settings_init(&settings);
	rc = pv_libxl_json_to_xlcfg(json, &out, &err);
	if (rc) {
		fuzz_check_err(rc, &err);
		goto out;
	}
	rc = xlcfg_parse_text(out.s ? out.s : "", "xl's config", 1, 0,
			      &settings, NULL, NULL, &err);
	FUZZ_CHECK(!rc, "libxl JSON gave text that is not xl.cfg: %s\n%s",
		   pv_err_msg(&err), out.s);
	if (!pv_xlcfg_parse_string(out.s ? out.s : "", "xl's config", NULL, 0,
				   &c, fuzz_warn, NULL, &err))
		fuzz_check_config(&c);
out:
	xlcfg_settings_dispose(&settings);
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
	pv_buf_dispose(&out);
	free(json);
	return 0;
}
