/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vifspec.c: fuzzes one vif spec in xl-network-configuration(5) syntax
 * (pv_vif_spec_parse_ex: `vif = [...]` entries and network-attach's
 * argument). What an accepted spec holds must be what the rest of
 * pvctl takes: a valid unicast MAC, a rate netback can be given.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_str(data, size);
	struct pv_vif_spec v;
	struct pv_err err;
	uint64_t bytes;
	uint32_t us;
	int rc;

	pv_vif_spec_init(&v);
	pv_err_init(&err);
	rc = pv_vif_spec_parse_ex(spec, &v, fuzz_warn, NULL, "fuzz:1:1", &err);
	if (rc) {
		fuzz_check_err(rc, &err);
	} else {
		FUZZ_CHECK(!v.mac || (strlen(v.mac) == 17 &&
				      !(strtoul(v.mac, NULL, 16) & 1)),
			   "mac '%s' from '%s'", v.mac, spec);
		FUZZ_CHECK(!v.rate || !pv_vif_rate_parse(v.rate, &bytes, &us),
			   "rate '%s' from '%s'", v.rate, spec);
		FUZZ_CHECK(v.mtu <= 65535, "mtu %llu", (unsigned long long)v.mtu);
	}
	pv_vif_spec_dispose(&v);
	pv_err_dispose(&err);
	free(spec);
	return 0;
}
