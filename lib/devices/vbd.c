/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vbd.c: disks, served by dom0's blkback to the guest's blkfront.
 *
 * blkback waits for "physical-device" (hex major:minor) in its backend
 * node before it opens the device; Xen's hotplug script would write it
 * after setting up a loop device for a file. pvctl does both here, and
 * writes everything in one transaction so the drivers never see half a
 * device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices.h"
#include "hostdev.h"
#include "../xs.h"

struct vbd {
	uint32_t domid, devid;
	const struct pv_disk_spec *d;
	const char *node;		/* the block device blkback opens */
	bool loop;
	unsigned int major, minor;
};

/* The backend's keys, written to the backend node and to xl's copy. */
static void backend_keys(struct pv_xs_writer *w, const struct pv_device_paths *p,
			 const void *dev)
{
	const struct vbd *v = dev;
	const char *devtype = v->d->cdrom ? "cdrom" : "disk";

	pv_xs_put(w, "frontend", "%s", p->fe);
	pv_xs_put(w, "frontend-id", "%u", v->domid);
	pv_xs_put(w, "online", "1");
	pv_xs_put(w, "removable", "0");
	pv_xs_put(w, "bootable", "1");
	pv_xs_put(w, "state", "%d", PV_XB_INITIALISING);
	pv_xs_put(w, "dev", "%s", v->d->vdev);
	pv_xs_put(w, "type", "phy");
	pv_xs_put(w, "mode", "%s", v->d->readwrite ? "w" : "r");
	pv_xs_put(w, "device-type", "%s", devtype);
	pv_xs_put(w, "params", "%s", v->d->target);
	pv_xs_put(w, "physical-device-path", "%s", v->node);
	if (v->loop)
		pv_xs_put(w, "node", "%s", v->node);	/* ours, to detach */
	pv_xs_put(w, "physical-device", "%x:%x", v->major, v->minor);
	pv_xs_put(w, "hotplug-status", "connected");
}

/* What blkfront reads besides backend and state. */
static void frontend_keys(struct pv_xs_writer *w, const void *dev)
{
	const struct vbd *v = dev;

	pv_xs_put(w, "virtual-device", "%u", v->devid);
	pv_xs_put(w, "device-type", "%s", v->d->cdrom ? "cdrom" : "disk");
}

/*
 * The loop device, if ours ("node"): a block device of the host is not.
 * Only while it still serves the disk's file ("params"): one that a
 * killed pvctl named but that cleared itself may be another's since.
 */
static void release(struct pv_ctx *ctx, uint32_t domid, uint32_t devid,
		    const char *be)
{
	char *p = pv_asprintf("%s/node", be);
	char *f = pv_asprintf("%s/params", be);
	char *v = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, p);
	char *file = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, f);
	struct pv_err err;

	pv_err_init(&err);
	if (v && file && !strncmp(v, "/dev/loop", 9))
		pv_loop_detach_if(v, file, &err);
	pv_err_dispose(&err);
	free(file);
	free(v);
	free(f);
	free(p);
}

static int check_spec(const struct pv_disk_spec *d, struct pv_err *err)
{
	if (!d->target || !*d->target)
		return pv_err_set(err, -EINVAL, "disk %s: an empty drive is not "
				  "supported", d->vdev);
	if (d->format && strcmp(d->format, "raw"))
		return pv_err_set(err, -EINVAL, "disk %s: format %s needs QEMU's "
				  "disk backend; pvctl serves raw images and block "
				  "devices", d->vdev, d->format);
	if (d->backendtype && strcmp(d->backendtype, "phy"))
		return pv_err_set(err, -EINVAL, "disk %s: backendtype %s is not "
				  "supported (only phy)", d->vdev, d->backendtype);
	return 0;
}

int pv_vbd_add(struct pv_ctx *ctx, uint32_t domid,
	       const struct pv_disk_spec *d, uint32_t *devid,
	       struct pv_err *err)
{
	struct vbd v = { .domid = domid, .d = d };
	char *loopdev = NULL, *what;
	struct stat st;
	int hold = -1, rc;

	rc = check_spec(d, err);
	if (rc)
		return rc;
	if (pv_vdev_to_devid(d->vdev, &v.devid))
		return pv_err_set(err, -EINVAL, "disk: bad virtual device '%s'", d->vdev);
	if (stat(d->target, &st))
		return pv_err_sys(err, -errno, "disk %s: cannot use %s", d->vdev,
				  d->target);
	if (S_ISBLK(st.st_mode)) {
		rc = pv_blockdev_number(d->target, &v.major, &v.minor, err);
		v.node = d->target;
	} else if (S_ISREG(st.st_mode)) {
		rc = pv_loop_attach(d->target, !d->readwrite, &loopdev, &v.major,
				    &v.minor, &hold, err);
		v.node = loopdev;
		v.loop = true;
	} else {
		rc = pv_err_set(err, -EINVAL, "disk %s: %s is neither a file nor a "
				"block device", d->vdev, d->target);
	}
	if (rc)
		return rc;
	what = pv_asprintf("disk %s", d->vdev);
	rc = pv_device_add(ctx, &pv_vbd_kind, domid, v.devid, what, &v, err);
	/*
	 * Named in its nodes now, the loop device is kept; otherwise closing
	 * @hold clears it (at once, or when blkback lets go of it).
	 */
	if (!rc && hold >= 0) {
		rc = pv_loop_keep(hold, err);
		if (rc)		/* it would clear itself under blkback */
			pv_device_forget(ctx, pv_vbd_kind.name, domid, v.devid);
	} else if (hold >= 0) {
		close(hold);
	}
	if (!rc)
		*devid = v.devid;
	free(what);
	free(loopdev);
	return rc;
}

static int attach(struct pv_ctx *ctx, uint32_t domid, const char *spec,
		  uint32_t *devid, bool *bad_spec, struct pv_err *err)
{
	struct pv_disk_spec d;
	int rc;

	pv_disk_spec_init(&d);
	rc = pv_disk_spec_parse(spec, &d, err);
	*bad_spec = rc != 0;
	if (!rc)
		rc = pv_vbd_add(ctx, domid, &d, devid, err);
	pv_disk_spec_dispose(&d);
	return rc;
}

const struct pv_device_kind pv_vbd_kind = {
	.name = "vbd",
	.be_kind = "vbd",
	.fe_kind = "vbd",
	.noun = "disk",
	.cols = {
		.name = { "Vdev", "vdev", "dev" },
		.detail = { "Mode", "mode", "mode" },
		.target = { "Target", "target", "params" },
	},
	.attach = attach,
	.backend_keys = backend_keys,
	.frontend_keys = frontend_keys,
	.release = release,
};
