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
 */
#ifndef PV_DEVICES_H
#define PV_DEVICES_H

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

/* The Linux/Xen virtual device number of "xvda", "xvdb1", "sdc"... */
int pv_vdev_to_devid(const char *vdev, uint32_t *devid);

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
/*
 * Runs a vif's hotplug script as libxl does: "SCRIPT ACTION type_if=vif"
 * (ACTION online or offline) with XENBUS_PATH, vif and the rest in its
 * environment; an error unless it exits 0 within 10 s.
 */
int pv_vif_run_script(struct pv_ctx *ctx, const char *script,
		      const char *action, uint32_t domid, uint32_t devid,
		      const char *ifname, struct pv_err *err);
/* The next free device index for vifs of @domid. */
uint32_t pv_vif_next_devid(struct pv_ctx *ctx, uint32_t domid);

/* The three XenStore directories of one device (caller disposes). */
struct pv_device_paths {
	char *be;	/* /local/domain/0/backend/KIND/DOMID/DEVID */
	char *fe;	/* /local/domain/DOMID/device/KIND/DEVID */
	char *lx;	/* /libxl/DOMID/device/KIND/DEVID (xl's copy) */
};

void pv_device_paths_init(struct pv_device_paths *p, const char *kind,
			  uint32_t domid, uint32_t devid);
void pv_device_paths_dispose(struct pv_device_paths *p);

struct pv_xs_writer;
/*
 * Creates the three directories with their permissions: the backend is
 * dom0's and readable by the guest, the frontend the guest's and readable
 * by dom0, xl's copy dom0's alone.
 */
void pv_device_mkdirs(struct pv_xs_writer *w, const struct pv_device_paths *p,
		      uint32_t domid);
/* The frontend keys every device has: backend, backend-id, state. */
void pv_device_frontend_keys(struct pv_xs_writer *w,
			     const struct pv_device_paths *p);

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
/* Undoes every device of a dying or failed domain (no handshake). */
void pv_devices_teardown(struct pv_ctx *ctx, uint32_t domid);

/* One row of block-list / network-list. */
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
/* Finds a vbd by vdev or devid, or a vif by MAC or devid. */
int pv_device_find(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		   const char *key, uint32_t *devid, struct pv_err *err);

#endif
