/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices.h: split-driver devices (blkback/blkfront disks, netback/
 * netfront vifs) set up by pvctl itself, at create time and live.
 *
 * Each device is a backend node, /local/domain/0/backend/KIND/DOMID/DEVID,
 * owned by dom0 and readable by the guest (so the guest cannot change, for
 * example, which file its disk is), and a frontend node,
 * /local/domain/DOMID/device/KIND/DEVID, owned by the guest. The two
 * drivers then walk the XenbusState handshake through their "state" nodes
 * to Connected. A copy under /libxl/DOMID/device/KIND/DEVID lets Xen's xl
 * (block-list, network-list, destroy) see the device too.
 *
 * What differs between kinds is data, a struct pv_device_kind; the
 * rest is shared and dispatches through the table of kinds.
 */
#ifndef PV_DEVICES_H
#define PV_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "../ctx.h"
#include "../../config/xlcfg.h"

/* XenbusState, as in xen/io/xenbus.h. */
enum {
	PV_XB_UNKNOWN = 0,
	PV_XB_INITIALISING = 1,
	PV_XB_INITWAIT = 2,
	PV_XB_INITIALISED = 3,
	PV_XB_CONNECTED = 4,
	PV_XB_CLOSING = 5,
	PV_XB_CLOSED = 6,
	PV_XB_RECONFIGURING = 7,
	PV_XB_RECONFIGURED = 8,
};

const char *pv_xb_state_name(unsigned int state);

/*
 * Sets up a disk: a loop device for a file (none for a block device),
 * then both XenStore nodes in one transaction. Does not wait.
 */
int pv_vbd_add(struct pv_ctx *ctx, uint32_t domid,
	       const struct pv_disk_spec *d, uint32_t *devid,
	       struct pv_err *err);
/*
 * Sets up a vif: the nodes, then waits for netback's vifDOMID.DEVID, brings
 * it up and makes it a port of its bridge, and tells netback it may
 * connect (hotplug-status). The MAC, when not given, is derived from
 * the domain's UUID and the device index, so it is the same every boot.
 */
int pv_vif_add(struct pv_ctx *ctx, uint32_t domid,
	       const struct pv_vif_spec *v, uint32_t *devid,
	       struct pv_err *err);
/* The next free device index for vifs of @domid. */
uint32_t pv_vif_next_devid(struct pv_ctx *ctx, uint32_t domid);

/* The three XenStore directories of one device. */
struct pv_device_paths {
	char *be;	/* /local/domain/0/backend/BE_KIND/DOMID/DEVID */
	char *fe;	/* /local/domain/DOMID/device/FE_KIND/DEVID */
	char *lx;	/* /libxl/DOMID/device/NAME/DEVID (xl's copy) */
};

/* One column of block-list / network-list. */
struct pv_device_column {
	const char *heading;	/* in the table */
	const char *json;	/* its key in the JSON */
	const char *key;	/* the backend node it shows */
};

struct pv_xs_writer;

/*
 * A device kind, as data (libxl's libxl__device_type is the model): what
 * the shared code needs to add, list, remove and tear down a device of
 * any kind. vbd.c and vif.c each define one.
 */
struct pv_device_kind {
	const char *name;	/* "vbd": xl's /libxl copy and messages */
	const char *be_kind;	/* the backend's directory in dom0's tree */
	const char *fe_kind;	/* the frontend's directory in the guest's */
	const char *noun;	/* "disk": what a user looks one up as */
	/* What a list shows of a device besides its index and states. */
	struct {
		struct pv_device_column name, detail, target;
	} cols;
	/*
	 * Parses an xl spec and adds a device (the attach commands);
	 * *bad_spec tells a spec that does not parse from a failed add.
	 */
	int (*attach)(struct pv_ctx *ctx, uint32_t domid, const char *spec,
		      uint32_t *devid, bool *bad_spec, struct pv_err *err);
	/*
	 * The kind's own keys, written inside the transaction that creates
	 * the device, with @w's base at the directory: the backend's (written
	 * to the backend and to xl's copy; "state" among them, which tells
	 * that a device is there), then the frontend's.
	 */
	void (*backend_keys)(struct pv_xs_writer *w, const struct pv_device_paths *p,
			     const void *dev);
	void (*frontend_keys)(struct pv_xs_writer *w, const void *dev);
	/*
	 * The host side that needs the nodes first (netback makes a vif's
	 * interface when it sees its backend; a disk's script= reads them),
	 * or NULL. A disk's own loop device is set up before, as its nodes
	 * name it.
	 */
	int (*plug)(struct pv_ctx *ctx, const struct pv_device_paths *p,
		    void *dev, struct pv_err *err);
	/*
	 * Releases what dom0 holds for the device whose backend is @be,
	 * as its nodes say (a loop device, a bridge port). Best effort:
	 * a device being torn down has nobody to tell.
	 */
	void (*release)(struct pv_ctx *ctx, uint32_t domid, uint32_t devid,
			const char *be);
};

extern const struct pv_device_kind pv_vbd_kind, pv_vif_kind;

/* The kind called @name ("vbd", "vif"), or NULL. */
const struct pv_device_kind *pv_device_kind_find(const char *name);

/*
 * What a kind's add shares: writes a device's nodes in one transaction
 * (its directories with their permissions: the backend dom0's and
 * readable by the guest, the frontend the guest's and readable by dom0,
 * xl's copy dom0's alone), then plugs its host side. A device already
 * there is refused (-EEXIST), not overwritten. @what names the device
 * in messages ("disk xvda"). On failure nothing of it is left: a failed
 * plug is released and the nodes removed. What the caller set up before
 * is the caller's to undo.
 */
int pv_device_add(struct pv_ctx *ctx, const struct pv_device_kind *k,
		  uint32_t domid, uint32_t devid, const char *what, void *dev,
		  struct pv_err *err);

/*
 * Those below that take a kind's name refuse one that is not in the
 * table (-EINVAL).
 */

/* Waits until backend and frontend are both Connected. */
int pv_device_wait_connected(struct pv_ctx *ctx, const char *kind,
			     uint32_t domid, uint32_t devid, int timeout_ms,
			     struct pv_err *err);
/*
 * Waits until dom0's driver has taken up the backend (InitWait), as xl
 * does before it starts a guest: a frontend that looks only once at boot
 * (PVGRUB2's) would otherwise find no disk.
 */
int pv_device_wait_backend_ready(struct pv_ctx *ctx, const char *kind,
				 uint32_t domid, uint32_t devid, int timeout_ms,
				 struct pv_err *err);
/*
 * Detaches a device through the Closing/Closed handshake, so a guest that
 * still uses it is not yanked (it keeps its frontend open and the wait
 * times out with an error), then removes the nodes and the loop device or
 * bridge port. @force skips the handshake.
 */
int pv_device_remove(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		     uint32_t devid, bool force, int timeout_ms,
		     struct pv_err *err);
/*
 * Removes whatever is left of a device (its nodes, its loop device or
 * bridge port, as far as the nodes still say), without the handshake
 * and without error: what a detach killed half-way leaves.
 */
void pv_device_forget(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		      uint32_t devid);
/* Undoes every device of a dying or failed domain (no handshake). */
void pv_devices_teardown(struct pv_ctx *ctx, uint32_t domid);

/* One row of block-list / network-list: its kind's columns. */
struct pv_device_status {
	uint32_t devid;
	unsigned int be_state, fe_state;
	char *name;		/* vdev for disks, MAC for vifs */
	char *target;		/* params for disks, bridge for vifs */
	char *detail;		/* mode for disks, interface for vifs */
	char *backend;		/* backend path */
};

int pv_device_list(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		   struct pv_device_status **out, size_t *n,
		   struct pv_err *err);
void pv_device_status_free(struct pv_device_status *st, size_t n);
/* Finds a device by its name column (vdev, MAC) or devid. */
int pv_device_find(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		   const char *key, uint32_t *devid, struct pv_err *err);

#endif
