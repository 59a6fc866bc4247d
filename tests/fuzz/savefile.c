/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * savefile.c: fuzzes the reader of a save file's head (xl's header,
 * the config, libxl's stream header: pv_savefile_read_head, what
 * restore and migrate-receive read first) from a memory file. A config
 * it reads must pass fuzz_check_config.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "lib/domain/domain_i.h"

static int fd = -1;

static void read_head(const uint8_t *data, size_t size, bool override)
{
	struct pv_domain_config c;
	struct pv_err err;
	int rc;

	FUZZ_CHECK(!ftruncate(fd, 0) && pwrite(fd, data, size, 0) == (ssize_t)size &&
		   lseek(fd, 0, SEEK_SET) == 0, "memfd");
	pv_domain_config_init(&c);
	pv_err_init(&err);
	rc = pv_savefile_read_head(fd, "fuzz.save", override, &c, &err);
	if (rc)
		fuzz_check_err(rc, &err);
	else if (!override)
		fuzz_check_config(&c);
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fd < 0)
		fd = memfd_create("pvctl-fuzz-save", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0, "memfd_create");
	read_head(data, size, false);
	read_head(data, size, true);
	return 0;
}
