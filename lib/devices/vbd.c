/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vbd.c: disks, served by dom0's blkback to the guest's blkfront.
 *
 * blkback waits for "physical-device" (hex major:minor) in its backend
 * node before it opens the device; Xen's hotplug script would write it
 * after setting up a loop device for a file. pvctl does both here, and
 * writes everything in one transaction so the drivers never see half a
 * device.
 *
 * A disk with script= (block-iscsi, block-drbd, one's own) is set up by
 * that script instead, run as libxl runs it (libxl_linux.c): "SCRIPT
 * add" once the nodes are written, with XENBUS_PATH and the rest in its
 * environment; it reads "params" and writes "physical-device" (and
 * hotplug-status) itself. "SCRIPT remove" undoes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices.h"
#include "hostdev.h"
#include "../../util/run.h"
#include "../xs.h"

#define XEN_SCRIPT_DIR "/etc/xen/scripts"
/* libxl's LIBXL_HOTPLUG_TIMEOUT: an iSCSI login may take a while. */
#define SCRIPT_TIMEOUT_MS 40000

struct vbd {
	uint32_t domid, devid;
	const struct pv_disk_spec *d;
	const char *node;		/* the block device blkback opens */
	bool loop;
	unsigned int major, minor;
	char *script;			/* its absolute path: it sets the disk up */
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
	if (v->script) {
		/* The rest is the script's to write. */
		pv_xs_put(w, "script", "%s", v->script);
		return;
	}
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

/* A disk's hotplug script: "SCRIPT add|remove", as libxl runs it. */
static int run_script(const char *script, const char *action, uint32_t domid,
		      uint32_t devid, struct pv_err *err)
{
	char *what = pv_asprintf("disk %u of domain %u", devid, domid);
	int rc = pv_hotplug_run(script, action, "vbd", domid, devid, NULL, what,
				SCRIPT_TIMEOUT_MS, err);

	free(what);
	return rc;
}

/* The script's work: blkback opens the disk once it names the device. */
static int plug(struct pv_ctx *ctx, const struct pv_device_paths *p, void *dev,
		struct pv_err *err)
{
	const struct vbd *v = dev;
	char *pd, *val;
	int rc;

	if (!v->script)
		return 0;
	rc = run_script(v->script, "add", v->domid, v->devid, err);
	if (rc)
		return rc;
	pd = pv_asprintf("%s/physical-device", p->be);
	val = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, pd);
	if (!val)
		rc = pv_err_set(err, -EIO, "%s add for disk %s did not write "
				"physical-device", v->script, v->d->vdev);
	free(val);
	free(pd);
	return rc;
}

/*
 * What dom0 holds for the disk: its script's setup ("SCRIPT remove"),
 * or the loop device, if ours ("node"): a block device of the host is
 * not. The loop device only while it still serves the disk's file
 * ("params"): one that a killed pvctl named but that cleared itself may
 * be another's since.
 */
static void release(struct pv_ctx *ctx, uint32_t domid, uint32_t devid,
		    const char *be)
{
	char *p = pv_asprintf("%s/node", be), *s = pv_asprintf("%s/script", be);
	char *f = pv_asprintf("%s/params", be);
	char *v = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, p);
	char *script = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, s);
	char *file = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, f);
	struct pv_err err;

	pv_err_init(&err);
	if (script && *script)
		run_script(script, "remove", domid, devid, &err);
	else if (v && file && !strncmp(v, "/dev/loop", 9))
		pv_loop_detach_if(v, file, &err);
	pv_err_dispose(&err);
	free(script);
	free(file);
	free(v);
	free(f);
	free(s);
	free(p);
}

/* The script of a disk: a name without a slash is Xen's, as in libxl. */
static int find_script(struct vbd *v, struct pv_err *err)
{
	const char *s = v->d->script;

	v->script = s[0] == '/' ? pv_strdup(s) :
		    pv_asprintf("%s/%s", XEN_SCRIPT_DIR, s);
	if (access(v->script, X_OK))
		return pv_err_sys(err, -errno, "disk %s: script %s", v->d->vdev,
				  v->script);
	return 0;
}

/* The device blkback opens: the block device, or a loop device on the file. */
static int open_target(struct vbd *v, char **loopdev, int *hold,
		       struct pv_err *err)
{
	const struct pv_disk_spec *d = v->d;
	struct stat st;
	int rc;

	if (stat(d->target, &st))
		return pv_err_sys(err, -errno, "disk %s: cannot use %s", d->vdev,
				  d->target);
	if (S_ISBLK(st.st_mode)) {
		v->node = d->target;
		return pv_blockdev_number(d->target, &v->major, &v->minor, err);
	}
	if (S_ISREG(st.st_mode)) {
		v->loop = true;
		rc = pv_loop_attach(d->target, !d->readwrite, loopdev, &v->major,
				    &v->minor, hold, err);
		v->node = *loopdev;
		return rc;
	}
	return pv_err_set(err, -EINVAL, "disk %s: %s is neither a file nor a "
			  "block device", d->vdev, d->target);
}

int pv_vbd_add(struct pv_ctx *ctx, uint32_t domid,
	       const struct pv_disk_spec *d, uint32_t *devid,
	       struct pv_err *err)
{
	struct vbd v = { .domid = domid, .d = d };
	char *loopdev = NULL, *what;
	int hold = -1, rc;

	rc = pv_disk_spec_supported(d, err);
	if (rc)
		return rc;
	if (pv_vdev_to_devid(d->vdev, &v.devid))
		return pv_err_set(err, -EINVAL, "disk: bad virtual device '%s'", d->vdev);
	/* With a script, the target is the script's to make sense of. */
	rc = d->script && *d->script ? find_script(&v, err) :
	     open_target(&v, &loopdev, &hold, err);
	if (rc) {
		free(v.script);
		return rc;
	}
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
	free(v.script);
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
	.plug = plug,
	.release = release,
};
