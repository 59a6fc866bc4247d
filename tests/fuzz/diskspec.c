/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diskspec.c: fuzzes one disk spec in xl-disk-configuration(5) syntax
 * (pv_disk_spec_parse_ex: `disk = [...]` entries and block-attach's
 * argument). An accepted spec names a vdev and a format.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_str(data, size);
	struct pv_disk_spec d;
	struct pv_err err;
	int rc;

	pv_disk_spec_init(&d);
	pv_err_init(&err);
	rc = pv_disk_spec_parse_ex(spec, &d, fuzz_warn, NULL, "fuzz:1:1", &err);
	if (rc) {
		fuzz_check_err(rc, &err);
	} else {
		FUZZ_CHECK(d.vdev && *d.vdev, "no vdev for '%s'", spec);
		FUZZ_CHECK(d.format && *d.format, "no format for '%s'", spec);
		FUZZ_CHECK(d.target || d.cdrom, "a disk with no target: '%s'",
			   spec);
	}
	pv_disk_spec_dispose(&d);
	pv_err_dispose(&err);
	free(spec);
	return 0;
}
