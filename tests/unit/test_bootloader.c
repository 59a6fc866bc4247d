/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_bootloader.c: lib/domain/bootloader.c against stand-in
 * bootloaders (shell scripts speaking pygrub's output protocol): the
 * arguments xl passes, the simple0 output, paths that leave the output
 * folder, failures, and the folder gone on every path.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/domain/domain_i.h"
#include "config/xlcfg.h"

static char dir[64];		/* the test's own folder */
static struct pv_ctx ctx;
static struct pv_domain_config cfg;

/* Writes an executable script NAME in the test folder; returns its path. */
static char *script(const char *name, const char *body)
{
	char *path = pv_asprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
	return path;
}

static int setup(void **state)
{
	char *disk;

	snprintf(dir, sizeof(dir), "/tmp/pvctl-bl-XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(&ctx, 0, sizeof(ctx));
	ctx.run_dir = pv_asprintf("%s/run", dir);
	pv_domain_config_init(&cfg);
	cfg.name = pv_strdup("g");
	cfg.ndisks = 1;
	cfg.disks = pv_calloc(1, sizeof(*cfg.disks));
	pv_disk_spec_init(&cfg.disks[0]);
	disk = pv_asprintf("%s/disk.img", dir);
	fclose(fopen(disk, "w"));
	cfg.disks[0].target = disk;
	return 0;
}

static int teardown(void **state)
{
	char *cmd = pv_asprintf("rm -rf %s", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(ctx.run_dir);
	pv_domain_config_dispose(&cfg);
	return 0;
}

/* No bootloader.* folder is left in the run folder. */
static void assert_no_leftovers(void)
{
	char *cmd = pv_asprintf("ls %s | grep -q bootloader", ctx.run_dir);

	assert_int_not_equal(system(cmd), 0);
	free(cmd);
}

/* Like pygrub: copies the "kernel" and "ramdisk" out and reports them. */
#define GOOD_BODY \
	"for a; do case $a in --output=*) out=${a#*=};; " \
	"--output-directory=*) d=${a#*=};; esac; done\n" \
	"printf '%s\\n' \"$@\" > " "\"$(dirname \"$0\")/args\"\n" \
	"echo K > $d/boot_kernel.1; echo R > $d/boot_ramdisk.1\n" \
	"printf 'kernel %s\\0ramdisk %s\\0args %s\\0' $d/boot_kernel.1 " \
	"$d/boot_ramdisk.1 'root=/dev/xvda1 quiet' > $out"

static void test_boots(void **state)
{
	struct pv_boot b;
	struct pv_err err;
	char *args_path, *args = NULL;
	size_t n = 0;
	FILE *f;

	cfg.bootloader = script("pygrub", GOOD_BODY);
	cfg.cmdline = pv_strdup("console=hvc0");
	cfg.bootloader_argv = pv_calloc(2, sizeof(char *));
	cfg.bootloader_argv[0] = pv_strdup("--entry=1");
	cfg.bootloader_argc = 1;
	pv_err_init(&err);
	assert_int_equal(pv_bootloader_run(&ctx, &cfg, &b, &err), 0);
	assert_non_null(strstr(b.kernel, "/boot_kernel.1"));
	assert_non_null(strstr(b.ramdisk, "/boot_ramdisk.1"));
	assert_string_equal(b.cmdline, "root=/dev/xvda1 quiet");
	assert_int_equal(access(b.kernel, R_OK), 0);

	/* xl's arguments, -q for pygrub, the user's, the disk last */
	args_path = pv_asprintf("%s/args", dir);
	f = fopen(args_path, "r");
	assert_non_null(f);
	assert_true(getdelim(&args, &n, '\0', f) > 0);
	fclose(f);
	assert_non_null(strstr(args, "-q\n--args=console=hvc0\n--output="));
	assert_non_null(strstr(args, "--output-format=simple0\n--output-directory="));
	assert_non_null(strstr(args, "--entry=1\n"));
	assert_non_null(strstr(args, "/disk.img\n"));
	assert_true(strstr(args, "/disk.img\n")[strlen("/disk.img\n")] == '\0');
	free(args);
	free(args_path);

	pv_boot_cleanup(&b);
	assert_no_leftovers();
	pv_err_dispose(&err);
}

static void test_path_outside_refused(void **state)
{
	struct pv_boot b;
	struct pv_err err;

	cfg.bootloader = script("evil",
		"for a; do case $a in --output=*) out=${a#*=};; esac; done\n"
		"printf 'kernel /etc/passwd\\0' > $out");
	pv_err_init(&err);
	assert_int_equal(pv_bootloader_run(&ctx, &cfg, &b, &err), -EINVAL);
	assert_non_null(strstr(pv_err_msg(&err), "/etc/passwd"));
	assert_non_null(strstr(pv_err_msg(&err), "not a regular file in"));
	assert_no_leftovers();
	assert_int_equal(access("/etc/passwd", F_OK), 0);
	pv_err_dispose(&err);
}

/* A link in the output folder to a file elsewhere in dom0 is refused too. */
static void test_link_refused(void **state)
{
	struct pv_boot b;
	struct pv_err err;

	cfg.bootloader = script("linker",
		"for a; do case $a in --output=*) out=${a#*=};; "
		"--output-directory=*) d=${a#*=};; esac; done\n"
		"ln -s /etc/passwd $d/vmlinuz\n"
		"printf 'kernel %s\\0' $d/vmlinuz > $out");
	pv_err_init(&err);
	assert_int_equal(pv_bootloader_run(&ctx, &cfg, &b, &err), -EINVAL);
	assert_non_null(strstr(pv_err_msg(&err), "not a regular file in"));
	assert_no_leftovers();
	assert_int_equal(access("/etc/passwd", F_OK), 0);
	pv_err_dispose(&err);
}

static void test_failure_says_why(void **state)
{
	struct pv_boot b;
	struct pv_err err;

	cfg.bootloader = script("broken",
		"echo 'some noise'; echo 'Unable to find partition containing kernel' >&2; exit 1");
	pv_err_init(&err);
	assert_int_equal(pv_bootloader_run(&ctx, &cfg, &b, &err), -EIO);
	assert_non_null(strstr(pv_err_msg(&err), "exit 1"));
	assert_non_null(strstr(pv_err_msg(&err),
			       "Unable to find partition containing kernel"));
	assert_no_leftovers();
	pv_err_dispose(&err);
}

static void test_no_kernel_reported(void **state)
{
	struct pv_boot b;
	struct pv_err err;

	cfg.bootloader = script("silent", "exit 0");
	pv_err_init(&err);
	assert_int_equal(pv_bootloader_run(&ctx, &cfg, &b, &err), -EINVAL);
	assert_non_null(strstr(pv_err_msg(&err), "reported no kernel"));
	assert_no_leftovers();
	pv_err_dispose(&err);
}

static void test_missing_bootloader_or_disk(void **state)
{
	struct pv_boot b;
	struct pv_err err;

	cfg.bootloader = pv_strdup("no-such-bootloader-anywhere");
	pv_err_init(&err);
	assert_int_equal(pv_bootloader_run(&ctx, &cfg, &b, &err), -ENOENT);
	assert_non_null(strstr(pv_err_msg(&err), "not found"));
	pv_err_dispose(&err);
	pv_err_init(&err);
	cfg.ndisks = 0;
	assert_int_equal(pv_bootloader_run(&ctx, &cfg, &b, &err), -EINVAL);
	assert_non_null(strstr(pv_err_msg(&err), "needs a disk"));
	cfg.ndisks = 1;
	pv_err_dispose(&err);
}

/*
 * The report's last item may lack its NUL, and be shorter than the names
 * the reader looks for: it must read none of the bytes after @len (here
 * a page it may not read, so that a stray read faults in any build).
 * Found by tests/fuzz/bootloader.
 */
static void test_report_read_within_len(void **state)
{
	static const char *const tails[] = { "kernel", "ramdisk", "arg", "k" };
	long page = sysconf(_SC_PAGESIZE);
	struct pv_boot b = { .dir = dir };
	struct pv_err err;
	char *map, *out;
	size_t i, len;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, page, PROT_NONE), 0);
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		len = strlen(tails[i]);
		out = map + page - len;
		memcpy(out, tails[i], len);
		pv_err_init(&err);
		assert_int_equal(pv_boot_parse_output(&b, out, len, "t", &err),
				 -EINVAL);
		assert_non_null(strstr(pv_err_msg(&err), "reported no kernel"));
		pv_err_dispose(&err);
	}
	munmap(map, 2 * page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_outside_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_says_why, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_kernel_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_bootloader_or_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_read_within_len, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
