/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostdev.h: the dom0 side of guest devices that is not XenStore: loop
 * devices for file-backed disks, and network interfaces and bridges for
 * vifs. Done with the kernel's interfaces directly (loop-control and loop
 * ioctls, bridge ioctls), not by running losetup, brctl or Xen's hotplug
 * scripts.
 */
#ifndef PV_HOSTDEV_H
#define PV_HOSTDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "../../util/util.h"

/*
 * Attaches @file to a free loop device; *devpath (caller frees) is its
 * /dev path and *major, *minor its number. The device is set to clear
 * itself on its last close and *hold is left open on it: until the
 * caller has recorded the device (pv_loop_keep), a pvctl that dies, or
 * closes *hold, leaves no loop device behind.
 */
int pv_loop_attach(const char *file, bool readonly, char **devpath,
		   unsigned int *major, unsigned int *minor, int *hold,
		   struct pv_err *err);
/* The device is recorded: it stays attached when @hold is closed (here). */
int pv_loop_keep(int hold, struct pv_err *err);
/*
 * Detaches loop device @devpath if its backing file is @file (the same
 * inode): one a killed pvctl named but that cleared itself, and that
 * another user has taken since, is left alone.
 */
int pv_loop_detach_if(const char *devpath, const char *file,
		      struct pv_err *err);
/*
 * Detaches a loop device; if something (blkback) still holds it, marks it
 * to detach itself on last close instead.
 */
int pv_loop_detach(const char *devpath, struct pv_err *err);
/* The major:minor of a block device path (for phy: targets). */
int pv_blockdev_number(const char *path, unsigned int *major,
		       unsigned int *minor, struct pv_err *err);

/* Waits until network interface @ifname exists. */
int pv_netif_wait(const char *ifname, int timeout_ms, struct pv_err *err);
int pv_netif_set_up(const char *ifname, struct pv_err *err);
/* Renames a network interface that is down (SIOCSIFNAME). */
int pv_netif_rename(const char *ifname, const char *newname,
		    struct pv_err *err);
int pv_bridge_add_port(const char *bridge, const char *ifname,
		       struct pv_err *err);
/* Removing a port that is not (or no longer) there is not an error. */
int pv_bridge_del_port(const char *bridge, const char *ifname,
		       struct pv_err *err);

/*
 * Runs a device's hotplug script as libxl does: "SCRIPT ACTION" (plus
 * "type_if=vif" for a vif, named @vif) with script, XENBUS_TYPE (@kind),
 * XENBUS_PATH, XENBUS_BASE_PATH (and vif) in its environment; an error
 * naming @what unless it exits 0 within @timeout_ms.
 */
int pv_hotplug_run(const char *script, const char *action, const char *kind,
		   uint32_t domid, uint32_t devid, const char *vif,
		   const char *what, int timeout_ms, struct pv_err *err);

#endif
