/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_devices.c: lib/devices on the simulated hypervisor: virtual
 * device numbers; a disk on a block device (no loop device, no real
 * blkback): its backend, frontend and xl nodes and who may touch them;
 * refusals; listing and lookup; removal forced, through the Closing/
 * Closed handshake, and timing out; teardown; the next vif index; the
 * table of kinds, and the shared add on a kind of the test's own.
 *
 * Nothing here attaches or detaches a loop device: the disks use an
 * existing block device node (only stat()ed) and are skipped without one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/devices/devices.h"
#include "lib/devices/hostdev.h"
#include "lib/xs.h"
#include "helpers.h"

#define BE "/local/domain/0/backend/vbd/1/51712"
#define FE "/local/domain/1/device/vbd/51712"
#define LX "/libxl/1/device/vbd/51712"

static int has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

/* A block device node to serve as a disk (stat()ed only), or skip. */
static const char *blockdev(unsigned int n)
{
	static const char *const nodes[] = { "/dev/loop0", "/dev/loop1" };
	struct stat st;

	if (stat(nodes[n], &st) || !S_ISBLK(st.st_mode)) {
		fprintf(stderr, "  no block device %s, skipped\n", nodes[n]);
		skip();
	}
	return nodes[n];
}

/* pv_vbd_add of the spec @spec (xl-disk-configuration syntax). */
static int vbd_add(struct fx *f, uint32_t domid, const char *spec,
		   uint32_t *devid, struct pv_err *err)
{
	struct pv_disk_spec d;
	struct pv_err perr;
	int rc;

	pv_disk_spec_init(&d);
	pv_err_init(&perr);
	if (pv_disk_spec_parse(spec, &d, &perr))
		fail_msg("disk spec '%s' does not parse: %s", spec, pv_err_msg(&perr));
	pv_err_dispose(&perr);
	rc = pv_vbd_add(&f->ctx, domid, &d, devid, err);
	pv_disk_spec_dispose(&d);
	return rc;
}

static uint32_t vbd_add_ok(struct fx *f, uint32_t domid, const char *spec)
{
	struct pv_err err;
	uint32_t devid = 0;

	pv_err_init(&err);
	if (vbd_add(f, domid, spec, &devid, &err))
		fail_msg("adding '%s' failed: %s", spec, pv_err_msg(&err));
	pv_err_dispose(&err);
	return devid;
}

static void assert_node(struct fx *f, const char *dir, const char *key,
			const char *want)
{
	char *p = pv_asprintf("%s/%s", dir, key);

	fx_assert_str(xs_get(f, p), want, p);
	free(p);
}

static void assert_perms(struct fx *f, const char *path, uint32_t owner,
			 unsigned int others, uint32_t granted, unsigned int perm)
{
	struct pv_xs_perm *p = NULL;
	size_t n = 0;

	assert_int_equal(f->hv.ops->xs_get_perms(f->hv.h, PV_XBT_NULL, path, &p,
						 &n), 0);
	if (n != 2 || p[0].domid != owner || p[0].perm != others ||
	    p[1].domid != granted || p[1].perm != perm)
		fail_msg("%s has the wrong permissions (%zu entries)", path, n);
	free(p);
}

/* --- device numbers --- */

static void assert_devid(const char *vdev, uint32_t want)
{
	uint32_t got = 0;
	int rc = pv_vdev_to_devid(vdev, &got);

	if (rc || got != want)
		fail_msg("'%s' gives rc %d, devid %u, want %u", vdev, rc, got, want);
}

static void test_vdev_to_devid(void **state)
{
	static const char *const junk[] = {
		"", "xvd", "xvda-1", "xvda1x", "vda", "hde", "hda64", "xvda256",
		"sd", "-1", "268435456", "XVDA", "xvd1", "nvme0n1",
	};
	uint32_t got = 12345;
	size_t i;

	(void)state;
	assert_devid("xvda", 51712);
	assert_devid("xvdb", 51728);
	assert_devid("xvda1", 51713);
	assert_devid("xvdp15", 202 << 8 | 15 << 4 | 15);
	assert_devid("xvdq", 1u << 28 | 16 << 8);
	assert_devid("xvdaa", 1u << 28 | 26 << 8);
	assert_devid("xvda16", 1u << 28 | 16);
	assert_devid("sda", 2048);
	assert_devid("sdb3", 8 << 8 | 1 << 4 | 3);
	assert_devid("hda", 768);
	assert_devid("hdb", 3 << 8 | 64);
	assert_devid("hdc", 5632);
	assert_devid("hdd2", 22 << 8 | 64 | 2);
	assert_devid("51712", 51712);
	assert_devid("0", 0);
	for (i = 0; i < sizeof(junk) / sizeof(*junk); i++)
		if (pv_vdev_to_devid(junk[i], &got) != -EINVAL)
			fail_msg("'%s' is accepted (devid %u)", junk[i], got);
	assert_int_equal(got, 12345);
	assert_string_equal(pv_xb_state_name(PV_XB_CLOSED), "Closed");
	assert_string_equal(pv_xb_state_name(99), "invalid");
}

/* --- adding a disk --- */

static void test_vbd_add_nodes(void **state)
{
	struct fx *f = *state;
	const char *dev = blockdev(0);
	uint32_t domid = fx_create(f, "guest", NULL), devid;
	struct stat st;
	char *want, *spec = pv_asprintf("phy:%s,xvda,w", dev);

	devid = vbd_add_ok(f, domid, spec);
	assert_int_equal(domid, 1);
	assert_int_equal(devid, 51712);
	/* What blkback reads. */
	assert_int_equal(stat(dev, &st), 0);
	want = pv_asprintf("%x:%x", major(st.st_rdev), minor(st.st_rdev));
	assert_node(f, BE, "physical-device", want);
	free(want);
	assert_node(f, BE, "physical-device-path", dev);
	assert_node(f, BE, "params", dev);
	assert_node(f, BE, "frontend", FE);
	assert_node(f, BE, "frontend-id", "1");
	assert_node(f, BE, "online", "1");
	assert_node(f, BE, "state", "1");
	assert_node(f, BE, "dev", "xvda");
	assert_node(f, BE, "type", "phy");
	assert_node(f, BE, "mode", "w");
	assert_node(f, BE, "device-type", "disk");
	assert_node(f, BE, "hotplug-status", "connected");
	/* "node" marks a loop device of ours; a block device is not one. */
	assert_false(pv_sim_xs_exists(f->s, BE "/node"));
	/* What blkfront reads. */
	assert_node(f, FE, "backend", BE);
	assert_node(f, FE, "backend-id", "0");
	assert_node(f, FE, "state", "1");
	assert_node(f, FE, "virtual-device", "51712");
	assert_node(f, FE, "device-type", "disk");
	/* xl's copy, so that xl block-list and destroy know the disk. */
	assert_node(f, LX, "params", dev);
	assert_node(f, LX, "backend", BE);
	assert_node(f, LX, "frontend", FE);
	assert_node(f, LX, "mode", "w");
	free(spec);
}

static void test_vbd_add_perms(void **state)
{
	struct fx *f = *state;
	const char *dev = blockdev(0);
	uint32_t domid = fx_create(f, "guest", NULL);
	char *spec = pv_asprintf("phy:%s,xvda,w", dev);
	static const char *const be_keys[] = {
		"params", "physical-device", "mode", "state", "type",
	};
	size_t i;

	vbd_add_ok(f, domid, spec);
	assert_perms(f, BE, 0, PV_XS_PERM_NONE, 1, PV_XS_PERM_READ);
	assert_perms(f, FE, 1, PV_XS_PERM_NONE, 0, PV_XS_PERM_READ);
	pv_sim_set_caller(f->s, domid);
	/* The guest reads its backend but cannot change which disk it is. */
	fx_assert_str(xs_get(f, BE "/params"), dev, "params as the guest");
	for (i = 0; i < sizeof(be_keys) / sizeof(*be_keys); i++) {
		char *p = pv_asprintf("%s/%s", BE, be_keys[i]);

		if (xs_put(f, p, "/dev/sda") != -EACCES)
			fail_msg("the guest may write %s", p);
		free(p);
	}
	assert_int_equal(xs_put(f, BE "/new-key", "x"), -EACCES);
	assert_int_equal(xs_read_rc(f, LX "/params"), -EACCES);
	/* Its frontend it owns: blkfront writes its state and rings there. */
	assert_int_equal(xs_put(f, "device/vbd/51712/state", "3"), 0);
	assert_int_equal(xs_put(f, "device/vbd/51712/ring-ref", "8"), 0);
	pv_sim_set_caller(f->s, 0);
	assert_node(f, BE, "params", dev);
	assert_node(f, FE, "state", "3");
	/* Another guest sees neither. */
	fx_create(f, "other", NULL);
	pv_sim_set_caller(f->s, 2);
	assert_int_equal(xs_read_rc(f, BE "/params"), -EACCES);
	assert_int_equal(xs_read_rc(f, FE "/state"), -EACCES);
	pv_sim_set_caller(f->s, 0);
	free(spec);
}

static void test_vbd_add_cdrom(void **state)
{
	struct fx *f = *state;
	const char *dev = blockdev(1);
	uint32_t domid = fx_create(f, "guest", NULL), devid;
	char *spec = pv_asprintf("phy:%s,hdc:cdrom,r", dev);

	devid = vbd_add_ok(f, domid, spec);
	assert_int_equal(devid, 5632);
	assert_node(f, "/local/domain/0/backend/vbd/1/5632", "device-type", "cdrom");
	assert_node(f, "/local/domain/0/backend/vbd/1/5632", "mode", "r");
	assert_node(f, "/local/domain/0/backend/vbd/1/5632", "dev", "hdc");
	assert_node(f, "/local/domain/1/device/vbd/5632", "device-type", "cdrom");
	free(spec);
}

static void test_vbd_add_refusals(void **state)
{
	struct fx *f = *state;
	const char *dev = blockdev(0);
	uint32_t domid = fx_create(f, "guest", NULL), devid = 777;
	unsigned int nodes;
	struct pv_err err;
	char *spec = pv_asprintf("phy:%s,xvda,w", dev), *again;

	vbd_add_ok(f, domid, spec);
	nodes = pv_sim_xs_node_count(f->s);
	pv_err_init(&err);
	/* The same vdev again, even read-only: refused, nothing changed. */
	again = pv_asprintf("phy:%s,xvda,r", dev);
	fx_assert_err(&err, vbd_add(f, domid, again, &devid, &err), -EEXIST,
		      "domain 1 already has a disk xvda");
	assert_node(f, BE, "mode", "w");
	assert_int_equal(pv_sim_xs_node_count(f->s), nodes);
	pv_err_clear(&err);
	fx_assert_err(&err, vbd_add(f, domid, "/x.qcow2,qcow2,xvdb,w", &devid, &err),
		      -EINVAL, "disk xvdb: format qcow2 needs QEMU");
	pv_err_clear(&err);
	fx_assert_err(&err, vbd_add(f, domid, ",hdc:cdrom,r", &devid, &err), -EINVAL,
		      "disk hdc: an empty drive is not supported");
	pv_err_clear(&err);
	fx_assert_err(&err, vbd_add(f, domid, "vdev=xvdc,backendtype=qdisk,"
				    "target=/dev/null", &devid, &err), -EINVAL,
		      "backendtype qdisk");
	pv_err_clear(&err);
	fx_assert_err(&err, vbd_add(f, domid, "vdev=xvdc,target=/dev/null", &devid,
				    &err), -EINVAL,
		      "/dev/null is neither a file nor a block device");
	pv_err_clear(&err);
	fx_assert_err(&err, vbd_add(f, domid, "vdev=xvdc,target=/nonexistent/d.img",
				    &devid, &err), -ENOENT,
		      "cannot use /nonexistent/d.img");
	pv_err_clear(&err);
	/* The config parser checks the vdev; the library does not rely on it. */
	{
		struct pv_disk_spec d;

		pv_disk_spec_init(&d);
		d.target = pv_strdup(dev);
		d.vdev = pv_strdup("vda");
		d.readwrite = 1;
		fx_assert_err(&err, pv_vbd_add(&f->ctx, domid, &d, &devid, &err),
			      -EINVAL, "bad virtual device 'vda'");
		pv_disk_spec_dispose(&d);
	}
	pv_err_clear(&err);
	/* A failed transaction: no node of the disk is left behind. */
	free(again);
	again = pv_asprintf("phy:%s,xvdb,w", dev);
	pv_sim_fail_next(f->s, "xs_transaction_end", -EIO);
	fx_assert_err(&err, vbd_add(f, domid, again, &devid, &err), -EIO,
		      "XenStore nodes of disk xvdb");
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/0/backend/vbd/1/51728"));
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/1/device/vbd/51728"));
	assert_int_equal(devid, 777);
	assert_int_equal(pv_sim_xs_node_count(f->s), nodes);
	pv_err_dispose(&err);
	free(again);
	free(spec);
}

/* --- listing, finding --- */

static void test_list_find(void **state)
{
	struct fx *f = *state;
	const char *d0 = blockdev(0), *d1 = blockdev(1);
	uint32_t domid = fx_create(f, "guest", NULL), devid = 0;
	struct pv_device_status *st;
	struct pv_err err;
	size_t n, i;
	char *spec;

	pv_err_init(&err);
	assert_int_equal(pv_device_list(&f->ctx, "vbd", domid, &st, &n, &err), 0);
	assert_int_equal(n, 0);
	pv_device_status_free(st, n);
	spec = pv_asprintf("phy:%s,xvda,w", d0);
	vbd_add_ok(f, domid, spec);
	free(spec);
	spec = pv_asprintf("phy:%s,xvdb,r", d1);
	vbd_add_ok(f, domid, spec);
	free(spec);
	pv_sim_set_caller(f->s, domid);
	assert_int_equal(xs_put(f, "device/vbd/51728/state", "4"), 0);
	pv_sim_set_caller(f->s, 0);
	/* Something that is not a device number is not listed. */
	assert_int_equal(xs_put(f, "/local/domain/0/backend/vbd/1/junk", "x"), 0);

	assert_int_equal(pv_device_list(&f->ctx, "vbd", domid, &st, &n, &err), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		bool a = st[i].devid == 51712;

		assert_true(a || st[i].devid == 51728);
		assert_string_equal(st[i].name, a ? "xvda" : "xvdb");
		assert_string_equal(st[i].target, a ? d0 : d1);
		assert_string_equal(st[i].detail, a ? "w" : "r");
		assert_int_equal(st[i].be_state, PV_XB_INITIALISING);
		assert_int_equal(st[i].fe_state, a ? PV_XB_INITIALISING :
				 PV_XB_CONNECTED);
		assert_string_equal(st[i].backend, a ? BE :
				    "/local/domain/0/backend/vbd/1/51728");
	}
	pv_device_status_free(st, n);

	assert_int_equal(pv_device_find(&f->ctx, "vbd", domid, "xvdb", &devid,
					&err), 0);
	assert_int_equal(devid, 51728);
	assert_int_equal(pv_device_find(&f->ctx, "vbd", domid, "51712", &devid,
					&err), 0);
	assert_int_equal(devid, 51712);
	assert_int_equal(pv_device_find(&f->ctx, "vbd", domid, "XVDB", &devid,
					&err), 0);
	assert_int_equal(devid, 51728);
	assert_int_equal(err.code, 0);
	devid = 1;
	fx_assert_err(&err, pv_device_find(&f->ctx, "vbd", domid, "xvdc", &devid,
					   &err), -ENOENT,
		      "domain 1 has no disk 'xvdc'");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_device_find(&f->ctx, "vif", domid, "00:16:3e:00:00:01",
					   &devid, &err), -ENOENT,
		      "no network interface '00:16:3e:00:00:01'");
	assert_int_equal(devid, 1);
	pv_err_clear(&err);
	pv_sim_fail_next(f->s, "xs_directory", -EIO);
	fx_assert_err(&err, pv_device_list(&f->ctx, "vbd", domid, &st, &n, &err), -EIO,
		      "listing /local/domain/0/backend/vbd/1");
	pv_err_dispose(&err);
}

/* --- removal --- */

static void test_remove_force(void **state)
{
	struct fx *f = *state;
	const char *d0 = blockdev(0);
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_err err;
	char *spec = pv_asprintf("phy:%s,xvda,w", d0);

	vbd_add_ok(f, domid, spec);
	free(spec);
	spec = pv_asprintf("phy:%s,xvdb,w", d0);
	vbd_add_ok(f, domid, spec);
	pv_err_init(&err);
	/* The guest has it connected; force does not ask. */
	pv_sim_set_caller(f->s, domid);
	assert_int_equal(xs_put(f, "device/vbd/51712/state", "4"), 0);
	pv_sim_set_caller(f->s, 0);
	assert_int_equal(pv_device_remove(&f->ctx, "vbd", domid, 51712, true, 100,
					  &err), 0);
	assert_false(pv_sim_xs_exists(f->s, BE));
	assert_false(pv_sim_xs_exists(f->s, FE));
	assert_false(pv_sim_xs_exists(f->s, LX));
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/0/backend/vbd/1/51728"));
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/1/device/vbd/51728"));
	fx_assert_err(&err, pv_device_remove(&f->ctx, "vbd", domid, 51712, true, 100,
					     &err), -ENOENT,
		      "domain 1 has no vbd 51712");
	pv_err_dispose(&err);
	free(spec);
}

static void test_remove_times_out(void **state)
{
	struct fx *f = *state;
	const char *d0 = blockdev(0);
	uint32_t domid = fx_create(f, "guest", NULL);
	char *spec = pv_asprintf("phy:%s,xvda,w", d0);
	struct pv_err err;
	uint64_t t0, ms;

	vbd_add_ok(f, domid, spec);
	pv_err_init(&err);
	t0 = pv_now_ms();
	fx_assert_err(&err, pv_device_remove(&f->ctx, "vbd", domid, 51712, false, 150,
					     &err), -ETIMEDOUT,
		      "vbd 51712 of domain 1");
	ms = pv_now_ms() - t0;
	assert_true(ms >= 150 && ms < 2000);
	assert_true(has(pv_err_msg(&err), "did not reach Closed within 150 ms"));
	/* Asked to close, but nothing was removed. */
	assert_node(f, BE, "state", "5");
	assert_node(f, BE, "online", "0");
	assert_node(f, BE, "params", d0);
	assert_true(pv_sim_xs_exists(f->s, FE));
	assert_true(pv_sim_xs_exists(f->s, LX));
	assert_int_equal(pv_sim_calls(f->s, "xs_watch"),
			 pv_sim_calls(f->s, "xs_unwatch"));
	pv_err_dispose(&err);
	free(spec);
}

static void test_remove_timeout_hints_force(void **state)
{
	struct fx *f = *state;
	struct pv_err err;
	uint32_t domid;
	char *spec;
	bool hint;

	spec = pv_asprintf("phy:%s,xvda,w", blockdev(0));
	domid = fx_create(f, "guest", NULL);
	vbd_add_ok(f, domid, spec);
	pv_err_init(&err);
	pv_device_remove(&f->ctx, "vbd", domid, 51712, false, 50, &err);
	hint = has(pv_err_msg(&err), "--force");
	pv_err_dispose(&err);
	free(spec);
	assert_true(hint);
}

/* Plays blkback and blkfront closing when asked to. */
static void close_on_idle(struct pv_sim *s, void *arg)
{
	struct fx *f = arg;
	char *v = xs_get(f, BE "/state");

	if (v && !strcmp(v, "5")) {
		pv_sim_set_caller(s, 1);
		assert_int_equal(xs_put(f, "device/vbd/51712/state", "6"), 0);
		pv_sim_set_caller(s, 0);
		assert_int_equal(xs_put(f, BE "/state", "6"), 0);
	}
	free(v);
}

static void test_remove_handshake(void **state)
{
	struct fx *f = *state;
	const char *d0 = blockdev(0);
	uint32_t domid = fx_create(f, "guest", NULL);
	char *spec = pv_asprintf("phy:%s,xvda,w", d0);
	struct pv_err err;

	vbd_add_ok(f, domid, spec);
	pv_sim_on_idle(f->s, close_on_idle, f);
	pv_err_init(&err);
	assert_int_equal(pv_device_remove(&f->ctx, "vbd", domid, 51712, false,
					  2000, &err), 0);
	assert_int_equal(err.code, 0);
	assert_false(pv_sim_xs_exists(f->s, BE));
	assert_false(pv_sim_xs_exists(f->s, FE));
	assert_false(pv_sim_xs_exists(f->s, LX));
	pv_err_dispose(&err);
	free(spec);
}

/* Plays both drivers connecting. */
static void connect_on_idle(struct pv_sim *s, void *arg)
{
	struct fx *f = arg;

	pv_sim_set_caller(s, 1);
	xs_put(f, "device/vbd/51712/state", "4");
	pv_sim_set_caller(s, 0);
	xs_put(f, BE "/state", "4");
}

static void test_wait_connected(void **state)
{
	struct fx *f = *state;
	const char *d0 = blockdev(0);
	uint32_t domid = fx_create(f, "guest", NULL);
	char *spec = pv_asprintf("phy:%s,xvda,w", d0);
	struct pv_err err;

	vbd_add_ok(f, domid, spec);
	pv_err_init(&err);
	fx_assert_err(&err, pv_device_wait_connected(&f->ctx, "vbd", domid, 51712, 60,
						     &err), -ETIMEDOUT,
		      "the backend (dom0's driver) did not reach Connected within "
		      "60 ms (backend Initialising, frontend Initialising)");
	pv_err_clear(&err);
	/* dom0's side waits for the guest's, which never comes up. */
	xs_put(f, BE "/state", "2");
	fx_assert_err(&err, pv_device_wait_connected(&f->ctx, "vbd", domid, 51712, 60,
						     &err), -ETIMEDOUT,
		      "the frontend (the guest's driver) did not reach Initialised "
		      "within 60 ms (backend InitWait, frontend Initialising)");
	pv_err_clear(&err);
	pv_sim_on_idle(f->s, connect_on_idle, f);
	assert_int_equal(pv_device_wait_connected(&f->ctx, "vbd", domid, 51712,
						  2000, &err), 0);
	pv_err_dispose(&err);
	free(spec);
}

/* --- teardown --- */

static void test_teardown_and_destroy(void **state)
{
	struct fx *f = *state;
	const char *d0 = blockdev(0);
	uint32_t domid = fx_create(f, "guest", NULL);
	char *spec = pv_asprintf("phy:%s,xvda,w", d0);
	struct pv_err err;

	vbd_add_ok(f, domid, spec);
	/* Teardown releases the host side only; the nodes go with the domain. */
	pv_devices_teardown(&f->ctx, domid);
	assert_node(f, BE, "params", d0);
	pv_devices_teardown(&f->ctx, 42);	/* nothing there: harmless */
	pv_err_init(&err);
	assert_int_equal(pv_domain_destroy(&f->ctx, domid, &err), 0);
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/0/backend/vbd/1"));
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/1"));
	assert_false(pv_sim_xs_exists(f->s, "/libxl/1"));
	pv_err_dispose(&err);
	free(spec);
}

/* --- disks with script= --- */

/* A hotplug script in the fixture's directory that logs how it was run. */
static char *put_script(struct fx *f, const char *name, int status)
{
	char *log = fx_path(f, "script.log");
	char *text = pv_asprintf("#!/bin/sh\necho \"$0 $1 $XENBUS_TYPE $XENBUS_PATH "
				 "$XENBUS_BASE_PATH $script\" >>%s\n"
				 "echo 'no such target' >&2\nexit %d\n", log,
				 status);
	char *path = fx_path(f, name);

	fx_put_file(f, name, text);
	assert_int_equal(chmod(path, 0755), 0);
	free(text);
	free(log);
	return path;
}

static char *script_log(struct fx *f)
{
	char *path = fx_path(f, "script.log");
	struct pv_buf b = PV_BUF_INIT;
	struct pv_err err;

	pv_err_init(&err);
	if (pv_buf_read_file(&b, path, 0, &err))
		pv_buf_puts(&b, "");
	pv_err_dispose(&err);
	free(path);
	return pv_buf_detach(&b);
}

/*
 * script= runs "SCRIPT add" as libxl does, with the target left to it
 * (no stat, no loop device), and "SCRIPT remove" when the disk goes.
 */
static void test_vbd_script(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL), devid = 0;
	char *script = put_script(f, "block-test", 0), *spec, *log, *want;
	struct pv_err err;

	/*
	 * The script cannot reach the simulated XenStore: what it would
	 * write (physical-device) is put there first. A node that is not
	 * "state" does not make the device exist already.
	 */
	assert_int_equal(xs_put(f, BE "/physical-device", "8:10"), 0);
	spec = pv_asprintf("vdev=xvda,access=rw,script=%s,target=iqn.2001-05.com."
			   "example:disk1", script);
	pv_err_init(&err);
	if (vbd_add(f, domid, spec, &devid, &err))
		fail_msg("%s", pv_err_msg(&err));
	assert_int_equal(devid, 51712);
	assert_node(f, BE, "params", "iqn.2001-05.com.example:disk1");
	assert_node(f, BE, "script", script);
	assert_node(f, BE, "type", "phy");
	assert_false(pv_sim_xs_exists(f->s, BE "/node"));
	assert_false(pv_sim_xs_exists(f->s, BE "/hotplug-status"));
	log = script_log(f);
	want = pv_asprintf("%s add vbd backend/vbd/1/51712 backend %s\n", script,
			   script);
	assert_string_equal(log, want);
	free(log);
	assert_int_equal(pv_device_remove(&f->ctx, "vbd", domid, devid, true, 100,
					  &err), 0);
	log = script_log(f);
	assert_true(has(log, "block-test remove vbd backend/vbd/1/51712"));
	assert_false(pv_sim_xs_exists(f->s, BE));
	pv_err_dispose(&err);
	free(log);
	free(want);
	free(spec);
	free(script);
}

/* A script that fails, or writes no physical-device: nothing is left. */
static void test_vbd_script_fails(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL), devid = 0;
	char *bad = put_script(f, "block-bad", 3), *good = put_script(f, "block-ok", 0);
	char *spec = pv_asprintf("vdev=xvda,script=%s,target=x", bad), *log;
	struct pv_err err;

	pv_err_init(&err);
	fx_assert_err(&err, vbd_add(f, domid, spec, &devid, &err), -EIO,
		      "block-bad add for disk 51712 of domain 1 failed (exit 3: "
		      "no such target)");
	assert_false(pv_sim_xs_exists(f->s, BE));
	pv_err_clear(&err);
	free(spec);
	spec = pv_asprintf("vdev=xvda,script=%s,target=x", good);
	fx_assert_err(&err, vbd_add(f, domid, spec, &devid, &err), -EIO,
		      "block-ok add for disk xvda did not write physical-device");
	assert_false(pv_sim_xs_exists(f->s, BE));
	/* What add may have done is undone. */
	log = script_log(f);
	assert_true(has(log, "block-ok remove"));
	free(log);
	pv_err_clear(&err);
	fx_assert_err(&err, vbd_add(f, domid, "vdev=xvda,script=no-such-script,"
				    "target=x", &devid, &err), -ENOENT,
		      "script /etc/xen/scripts/no-such-script");
	pv_err_dispose(&err);
	free(spec);
	free(bad);
	free(good);
}

/* --- vifs: only the index (adding one needs netback) --- */

static void test_vif_next_devid(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);

	assert_int_equal(pv_vif_next_devid(&f->ctx, domid), 0);
	assert_int_equal(xs_put(f, "/local/domain/0/backend/vif/1/0/mac",
				"00:16:3e:00:00:01"), 0);
	assert_int_equal(pv_vif_next_devid(&f->ctx, domid), 1);
	/* Past the highest, not into a hole: indexes are not reused. */
	assert_int_equal(xs_put(f, "/local/domain/0/backend/vif/1/3/mac",
				"00:16:3e:00:00:02"), 0);
	assert_int_equal(xs_put(f, "/local/domain/0/backend/vif/1/bogus/mac",
				"x"), 0);
	assert_int_equal(pv_vif_next_devid(&f->ctx, domid), 4);
	/* Another domain's vifs do not count. */
	assert_int_equal(xs_put(f, "/local/domain/0/backend/vif/7/9/mac", "x"), 0);
	assert_int_equal(pv_vif_next_devid(&f->ctx, domid), 4);
	assert_int_equal(pv_vif_next_devid(&f->ctx, 7), 10);
}

/* --- kinds as data --- */

static void test_kind_table(void **state)
{
	static const char *const unknown[] = { "", "VBD", "vbd0", "console", "vkbd" };
	size_t i;

	(void)state;
	assert_ptr_equal(pv_device_kind_find("vbd"), &pv_vbd_kind);
	assert_ptr_equal(pv_device_kind_find("vif"), &pv_vif_kind);
	for (i = 0; i < sizeof(unknown) / sizeof(*unknown); i++)
		if (pv_device_kind_find(unknown[i]))
			fail_msg("'%s' is a device kind", unknown[i]);
	/* What the XenStore layout and the lists are made of. */
	assert_string_equal(pv_vbd_kind.be_kind, "vbd");
	assert_string_equal(pv_vbd_kind.fe_kind, "vbd");
	assert_string_equal(pv_vbd_kind.cols.name.key, "dev");
	assert_string_equal(pv_vbd_kind.cols.target.key, "params");
	assert_string_equal(pv_vif_kind.be_kind, "vif");
	assert_string_equal(pv_vif_kind.fe_kind, "vif");
	assert_string_equal(pv_vif_kind.cols.detail.key, "vifname");
	assert_non_null(pv_vbd_kind.plug);	/* a disk's script= */
	assert_non_null(pv_vif_kind.plug);
}

static void test_unknown_kind_refused(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL), devid = 5;
	unsigned int nodes = pv_sim_xs_node_count(f->s);
	struct pv_device_status *st = NULL;
	struct pv_err err;
	size_t n = 9;

	pv_err_init(&err);
	fx_assert_err(&err, pv_device_list(&f->ctx, "vkbd", domid, &st, &n, &err),
		      -EINVAL, "unknown device kind 'vkbd'");
	assert_null(st);
	assert_int_equal(n, 9);
	pv_err_clear(&err);
	fx_assert_err(&err, pv_device_find(&f->ctx, "tap", domid, "0", &devid, &err),
		      -EINVAL, "unknown device kind 'tap'");
	assert_int_equal(devid, 5);
	pv_err_clear(&err);
	fx_assert_err(&err, pv_device_remove(&f->ctx, "console", domid, 0, true, 10,
					     &err), -EINVAL,
		      "unknown device kind 'console'");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_device_wait_connected(&f->ctx, "VIF", domid, 0, 10,
						     &err), -EINVAL,
		      "unknown device kind 'VIF'");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_device_wait_backend_ready(&f->ctx, "", domid, 0, 10,
							 &err), -EINVAL,
		      "unknown device kind ''");
	assert_int_equal(pv_sim_xs_node_count(f->s), nodes);
	assert_int_equal(pv_sim_calls(f->s, "xs_watch"), 0);
	pv_err_dispose(&err);
}

/*
 * A kind of the test's own, to drive the shared add: one backend key,
 * one frontend key, a plug that fails on demand and a release that
 * says what it was asked to release.
 */
struct vtest {
	int plug_rc;
	char *plugged;		/* the backend plug saw */
	char *released;		/* the backend release was asked for */
	unsigned int releases;
};

static struct vtest vtest;

static void vtest_backend_keys(struct pv_xs_writer *w,
			       const struct pv_device_paths *p, const void *dev)
{
	pv_xs_put(w, "frontend", "%s", p->fe);
	pv_xs_put(w, "state", "%d", PV_XB_INITIALISING);
	pv_xs_put(w, "colour", "%s", (const char *)dev);
}

static void vtest_frontend_keys(struct pv_xs_writer *w, const void *dev)
{
	pv_xs_put(w, "colour", "%s", (const char *)dev);
}

static int vtest_plug(struct pv_ctx *ctx, const struct pv_device_paths *p,
		      void *dev, struct pv_err *err)
{
	free(vtest.plugged);
	vtest.plugged = pv_strdup(p->be);
	return vtest.plug_rc ? pv_err_set(err, vtest.plug_rc, "no %s host side",
					  (const char *)dev) : 0;
}

static void vtest_release(struct pv_ctx *ctx, uint32_t domid, uint32_t devid,
			  const char *be)
{
	free(vtest.released);
	vtest.released = pv_strdup(be);
	vtest.releases++;
}

static const struct pv_device_kind vtest_kind = {
	.name = "vtest",
	.be_kind = "vtest-be",
	.fe_kind = "vtest-fe",
	.noun = "test device",
	.backend_keys = vtest_backend_keys,
	.frontend_keys = vtest_frontend_keys,
	.plug = vtest_plug,
	.release = vtest_release,
};

#define VT_BE "/local/domain/0/backend/vtest-be/1/7"
#define VT_FE "/local/domain/1/device/vtest-fe/7"
#define VT_LX "/libxl/1/device/vtest/7"

static void vtest_reset(void)
{
	free(vtest.plugged);
	free(vtest.released);
	memset(&vtest, 0, sizeof(vtest));
}

static int vtest_add(struct fx *f, struct pv_err *err)
{
	vtest_reset();
	return pv_device_add(&f->ctx, &vtest_kind, 1, 7, "test device 7",
			     (void *)"blue", err);
}

static void test_add_shared(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_err err;

	assert_int_equal(domid, 1);
	pv_err_init(&err);
	assert_int_equal(vtest_add(f, &err), 0);
	/* The kind's keys at the places its data names, and the common ones. */
	assert_node(f, VT_BE, "frontend", VT_FE);
	assert_node(f, VT_BE, "colour", "blue");
	assert_node(f, VT_FE, "backend", VT_BE);
	assert_node(f, VT_FE, "backend-id", "0");
	assert_node(f, VT_FE, "state", "1");
	assert_node(f, VT_FE, "colour", "blue");
	assert_node(f, VT_LX, "colour", "blue");
	assert_node(f, VT_LX, "backend", VT_BE);
	assert_perms(f, VT_BE, 0, PV_XS_PERM_NONE, 1, PV_XS_PERM_READ);
	assert_perms(f, VT_FE, 1, PV_XS_PERM_NONE, 0, PV_XS_PERM_READ);
	assert_string_equal(vtest.plugged, VT_BE);
	assert_int_equal(vtest.releases, 0);
	/* There already: refused, and not plugged or released again. */
	vtest_reset();
	fx_assert_err(&err, pv_device_add(&f->ctx, &vtest_kind, 1, 7,
					  "test device 7", (void *)"red", &err),
		      -EEXIST, "domain 1 already has a test device 7");
	assert_node(f, VT_BE, "colour", "blue");
	assert_null(vtest.plugged);
	assert_int_equal(vtest.releases, 0);
	vtest_reset();
	pv_err_dispose(&err);
}

/* An error inside the shared transaction names the node it failed at. */
static void test_add_error_names_path(void **state)
{
	struct fx *f = *state;
	unsigned int nodes;
	struct pv_err err;

	fx_create(f, "guest", NULL);
	nodes = pv_sim_xs_node_count(f->s);
	pv_err_init(&err);
	/* The kind's frontend key: the seventh write (three backend, three common). */
	pv_sim_fail_nth(f->s, "xs_write", 7, -EIO);
	fx_assert_err(&err, vtest_add(f, &err), -EIO,
		      "writing XenStore node " VT_FE "/colour: ");
	assert_false(pv_sim_xs_exists(f->s, VT_BE));
	assert_false(pv_sim_xs_exists(f->s, VT_FE));
	assert_false(pv_sim_xs_exists(f->s, VT_LX));
	assert_int_equal(pv_sim_xs_node_count(f->s), nodes);
	assert_null(vtest.plugged);
	pv_err_clear(&err);
	pv_sim_fail_next(f->s, "xs_set_perms", -EACCES);
	fx_assert_err(&err, vtest_add(f, &err), -EACCES,
		      "writing XenStore node " VT_BE ": ");
	assert_int_equal(pv_sim_xs_node_count(f->s), nodes);
	vtest_reset();
	pv_err_dispose(&err);
}

/* A failed plug: released, and no node of the device is left. */
static void test_add_plug_failure_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct pv_err err;

	fx_create(f, "guest", NULL);
	pv_err_init(&err);
	vtest_reset();
	vtest.plug_rc = -ENODEV;
	fx_assert_err(&err, pv_device_add(&f->ctx, &vtest_kind, 1, 7,
					  "test device 7", (void *)"blue", &err),
		      -ENODEV, "no blue host side");
	assert_int_equal(vtest.releases, 1);
	assert_string_equal(vtest.released, VT_BE);
	assert_false(pv_sim_xs_exists(f->s, VT_BE));
	assert_false(pv_sim_xs_exists(f->s, VT_FE));
	assert_false(pv_sim_xs_exists(f->s, VT_LX));
	/* Nothing left means it can be added again. */
	pv_err_clear(&err);
	assert_int_equal(vtest_add(f, &err), 0);
	assert_node(f, VT_BE, "colour", "blue");
	vtest_reset();
	pv_err_dispose(&err);
}

/* Asking the backend to close: a failed write is named, with the hint. */
static void test_remove_closing_error_names_path(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	char *spec = pv_asprintf("phy:%s,xvda,w", blockdev(0));
	struct pv_err err;

	vbd_add_ok(f, domid, spec);
	pv_err_init(&err);
	pv_sim_fail_next(f->s, "xs_write", -EIO);
	fx_assert_err(&err, pv_device_remove(&f->ctx, "vbd", domid, 51712, false,
					     100, &err), -EIO,
		      "writing XenStore node " BE "/online: ");
	assert_true(has(pv_err_msg(&err), "--force"));
	assert_node(f, BE, "state", "1");
	assert_true(pv_sim_xs_exists(f->s, FE));
	pv_err_dispose(&err);
	free(spec);
}

/* A hostile guest: its frontend state flips through every value, and junk. */
static void flip_on_idle(struct pv_sim *s, void *arg)
{
	static const char *const states[] = {
		"1", "4", "6", "5", "0", "99", "abc", "", "4\n", "-1",
		"18446744073709551617", "3", "7",
	};
	unsigned int *n = arg;

	pv_sim_set_caller(s, 1);
	{
		struct pv_hv hv;
		const char *v = states[(*n)++ % (sizeof(states) / sizeof(*states))];

		pv_sim_hv(s, &hv);
		hv.ops->xs_write(hv.h, PV_XBT_NULL, FE "/state", v, strlen(v));
	}
	pv_sim_set_caller(s, 0);
}

/*
 * Attach's wait and detach end within their timeouts whatever the guest
 * writes; the device is left whole, and --force takes it back.
 */
static void test_flipping_frontend_bounded(void **state)
{
	struct fx *f = *state;
	const char *d0 = blockdev(0);
	uint32_t domid = fx_create(f, "guest", NULL);
	char *spec = pv_asprintf("phy:%s,xvda,w", d0);
	unsigned int flips = 0;
	struct pv_err err;
	uint64_t t0, ms;

	vbd_add_ok(f, domid, spec);
	pv_sim_on_idle(f->s, flip_on_idle, &flips);
	pv_err_init(&err);
	t0 = pv_now_ms();
	fx_assert_err(&err, pv_device_wait_connected(&f->ctx, "vbd", domid, 51712,
						     200, &err), -ETIMEDOUT,
		      "did not reach Connected within 200 ms");
	ms = pv_now_ms() - t0;
	assert_true(ms >= 200 && ms < 2000);
	pv_err_clear(&err);
	t0 = pv_now_ms();
	fx_assert_err(&err, pv_device_remove(&f->ctx, "vbd", domid, 51712, false,
					     200, &err), -ETIMEDOUT,
		      "did not reach Closed within 200 ms");
	ms = pv_now_ms() - t0;
	assert_true(ms >= 200 && ms < 2000);
	assert_true(flips > 10);
	assert_true(pv_sim_xs_exists(f->s, BE));
	pv_err_clear(&err);
	assert_int_equal(pv_device_remove(&f->ctx, "vbd", domid, 51712, true, 0,
					  &err), 0);
	assert_false(pv_sim_xs_exists(f->s, BE));
	pv_sim_on_idle(f->s, NULL, NULL);
	assert_false(pv_sim_xs_exists(f->s, FE));
	assert_int_equal(pv_sim_calls(f->s, "xs_watch"),
			 pv_sim_calls(f->s, "xs_unwatch"));
	pv_err_dispose(&err);
	free(spec);
}

/* --- loop devices (a real one: skipped where they cannot be made) --- */

/* Whether loop device @dev serves a file now (sysfs), within 2 s of @want. */
static bool loop_attached(const char *dev, bool want)
{
	char *p = pv_asprintf("/sys/block/%s/loop/backing_file", dev + 5);
	bool now = false;
	int i;

	for (i = 0; i < 200; i++) {
		now = access(p, F_OK) == 0;
		if (now == want)
			break;
		usleep(10000);
	}
	free(p);
	return now;
}

/*
 * Until it is kept, a loop device goes when its holder closes (a pvctl
 * killed between the attach and the nodes that name it leaves none);
 * kept, it stays; it is detached on release only while it still serves
 * the disk's file.
 */
static void test_loop_clears_itself_until_kept(void **state)
{
	struct fx *f = *state;
	char *img = fx_path(f, "disk.img"), *other = fx_path(f, "other.img");
	char *dev = NULL;
	unsigned int maj, min;
	struct pv_err err;
	int hold;

	fx_put_file(f, "disk.img", "");
	fx_put_file(f, "other.img", "");
	assert_int_equal(truncate(img, 1 << 20), 0);
	pv_err_init(&err);
	if (pv_loop_attach(img, false, &dev, &maj, &min, &hold, &err)) {
		fprintf(stderr, "  no loop device (%s): skipped\n", pv_err_msg(&err));
		pv_err_dispose(&err);
		free(other);
		free(img);
		skip();
	}
	assert_true(loop_attached(dev, true));
	close(hold);			/* as its process dying does */
	assert_false(loop_attached(dev, false));
	free(dev);
	dev = NULL;

	assert_int_equal(pv_loop_attach(img, false, &dev, &maj, &min, &hold, &err), 0);
	assert_int_equal(pv_loop_keep(hold, &err), 0);
	assert_true(loop_attached(dev, true));
	/* Another file's device is not this disk's to detach. */
	assert_int_equal(pv_loop_detach_if(dev, other, &err), 0);
	assert_true(loop_attached(dev, true));
	assert_int_equal(pv_loop_detach_if(dev, img, &err), 0);
	assert_false(loop_attached(dev, false));
	pv_err_dispose(&err);
	free(dev);
	free(other);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_vdev_to_devid),
		T(test_vbd_add_nodes),
		T(test_vbd_add_perms),
		T(test_vbd_add_cdrom),
		T(test_vbd_add_refusals),
		T(test_list_find),
		T(test_remove_force),
		T(test_remove_times_out),
		T(test_remove_timeout_hints_force),
		T(test_remove_handshake),
		T(test_wait_connected),
		T(test_teardown_and_destroy),
		T(test_vif_next_devid),
		T(test_vbd_script),
		T(test_vbd_script_fails),
		T(test_kind_table),
		T(test_unknown_kind_refused),
		T(test_add_shared),
		T(test_add_error_names_path),
		T(test_add_plug_failure_leaves_nothing),
		T(test_remove_closing_error_names_path),
		T(test_flipping_frontend_bounded),
		T(test_loop_clears_itself_until_kept),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
