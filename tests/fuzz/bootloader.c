/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bootloader.c: fuzzes the reader of a bootloader's report (pygrub's
 * "kernel PATH", "ramdisk PATH", "args ARGS", each ended by a NUL:
 * pv_boot_parse_output), which comes from the guest's disk. Its folder
 * is BOOT_DIR, which the seeds name, with a kernel and a ramdisk, a
 * link out of it and a subfolder: a path taken must be a regular file
 * directly in the folder, never what a link points to.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "lib/domain/domain_i.h"

#define BOOT_DIR "/tmp/pvctl-fuzz-boot"

static void put_file(const char *path)
{
	FILE *o = fopen(path, "w");

	FUZZ_CHECK(o, "cannot write %s", path);
	fputs("\177ELF\n", o);
	fclose(o);
}

/* Idempotent, so that runs side by side share the folder. */
static void setup(void)
{
	struct stat st;

	mkdir(BOOT_DIR, 0700);
	FUZZ_CHECK(!lstat(BOOT_DIR, &st) && S_ISDIR(st.st_mode) &&
		   st.st_uid == getuid(), BOOT_DIR " is not our folder");
	mkdir(BOOT_DIR "/sub", 0700);
	put_file(BOOT_DIR "/vmlinuz");
	put_file(BOOT_DIR "/initrd.img");
	put_file(BOOT_DIR "/sub/vmlinuz");
	unlink(BOOT_DIR "/link");
	FUZZ_CHECK(!symlink("/etc/passwd", BOOT_DIR "/link"), "symlink");
}

static void check_own(const char *path)
{
	struct stat st;

	FUZZ_CHECK(!strncmp(path, BOOT_DIR "/", sizeof(BOOT_DIR)) &&
		   !strchr(path + sizeof(BOOT_DIR), '/') &&
		   !lstat(path, &st) && S_ISREG(st.st_mode),
		   "took '%s'", path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct pv_boot b = { .dir = pv_strdup(BOOT_DIR) };
	struct pv_err err;
	int rc;

	if (!ready) {
		setup();
		ready = true;
	}
	pv_err_init(&err);
	rc = pv_boot_parse_output(&b, (const char *)data, size, "pygrub", &err);
	if (rc) {
		fuzz_check_err(rc, &err);
	} else {
		FUZZ_CHECK(b.kernel, "no kernel");
		check_own(b.kernel);
	}
	if (b.ramdisk)
		check_own(b.ramdisk);
	/* Not pv_boot_cleanup(), which would empty the folder. */
	free(b.dir);
	free(b.kernel);
	free(b.ramdisk);
	free(b.cmdline);
	pv_err_dispose(&err);
	return 0;
}
