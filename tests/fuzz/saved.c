/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * saved.c: fuzzes the saved-config loader (pv_domain_config_load on
 * STATE/domains/ID.json, which the monitor, `list -l` and `rename`
 * read) on the simulated hypervisor: the input is the file of a domain
 * whose uuid the seeds carry. A config it loads must pass
 * fuzz_check_config.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>	/* helpers.h's checks (unused here) are cmocka's */

#include "fuzz.h"
#include "lib/domain/domain.h"
#include "unit/helpers.h"

/* The simulated domain's uuid, as in the seeds. */
static const uint8_t uuid[16] = {
	0x5f, 0x3e, 0x9c, 0x2a, 0x71, 0x04, 0x4b, 0x8e,
	0x9d, 0x13, 0xa6, 0x2c, 0x55, 0xe0, 0x17, 0xb9,
};
static struct fx *f;
static uint32_t domid;
static char *path;

static void teardown(void)
{
	fx_free(f);
	free(path);
}

static void setup(void)
{
	struct pv_err err;
	char *dir;

	pv_err_init(&err);
	f = fx_new();
	FUZZ_CHECK(!f->hv.ops->domain_create(f->hv.h, uuid, 1, NULL, &domid),
		   "domain_create");
	dir = pv_asprintf("%s/domains", f->ctx.state_dir);
	FUZZ_CHECK(!pv_mkdirs(dir, &err), "%s", pv_err_msg(&err));
	pv_err_dispose(&err);
	path = pv_asprintf("%s/%u.json", dir, domid);
	free(dir);
	atexit(teardown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_domain_config c;
	struct pv_err err;
	int fd, rc;

	if (!f)
		setup();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_CHECK(fd >= 0 && write(fd, data, size) == (ssize_t)size,
		   "writing %s", path);
	close(fd);
	pv_domain_config_init(&c);
	pv_err_init(&err);
	rc = pv_domain_config_load(&f->ctx, domid, &c, &err);
	if (rc)
		fuzz_check_err(rc, &err);
	else
		fuzz_check_config(&c);
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
	return 0;
}
