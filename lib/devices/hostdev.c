/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostdev.c: loop devices, network interfaces and bridge ports.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostdev.h"
#include "../../util/run.h"

int pv_loop_attach(const char *file, bool readonly, char **devpath,
		   unsigned int *major, unsigned int *minor, int *hold,
		   struct pv_err *err)
{
	struct loop_config lc;
	struct stat st;
	int ctl, fd, lfd = -1, nr, rc = 0, tries;
	char *path = NULL;

	fd = open(file, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return pv_err_sys(err, -errno, "cannot open disk image %s", file);
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		rc = pv_err_sys(err, -errno, "cannot open /dev/loop-control "
				"(is the loop module loaded?)");
		goto out;
	}
	/* Another process may take the free device first: then ask again. */
	for (tries = 0; tries < 8; tries++) {
		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0) {
			rc = pv_err_sys(err, -errno, "no free loop device");
			goto out;
		}
		free(path);
		path = pv_asprintf("/dev/loop%d", nr);
		lfd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (lfd < 0) {
			rc = pv_err_sys(err, -errno, "cannot open %s", path);
			goto out;
		}
		memset(&lc, 0, sizeof(lc));
		lc.fd = (unsigned int)fd;
		lc.info.lo_flags = LO_FLAGS_AUTOCLEAR |
				   (readonly ? LO_FLAGS_READ_ONLY : 0);
		snprintf((char *)lc.info.lo_file_name, sizeof(lc.info.lo_file_name),
			 "%s", file);
		if (ioctl(lfd, LOOP_CONFIGURE, &lc) == 0)
			break;
		rc = -errno;
		close(lfd);
		lfd = -1;
		if (rc != -EBUSY) {
			pv_err_sys(err, rc, "cannot attach %s to %s", file, path);
			goto out;
		}
	}
	if (lfd < 0) {
		rc = pv_err_set(err, -EBUSY, "no free loop device for %s", file);
		goto out;
	}
	rc = 0;
	fstat(lfd, &st);
	*major = major(st.st_rdev);
	*minor = minor(st.st_rdev);
	*devpath = path;
	path = NULL;
	*hold = lfd;
	lfd = -1;
out:
	if (lfd >= 0)
		close(lfd);
	if (ctl >= 0)
		close(ctl);
	close(fd);
	free(path);
	return rc;
}

int pv_loop_keep(int hold, struct pv_err *err)
{
	struct loop_info64 info;
	int rc = 0;

	if (ioctl(hold, LOOP_GET_STATUS64, &info) == 0) {
		info.lo_flags &= ~(uint32_t)LO_FLAGS_AUTOCLEAR;
		if (ioctl(hold, LOOP_SET_STATUS64, &info))
			rc = -errno;
	} else {
		rc = -errno;
	}
	if (rc)
		pv_err_sys(err, rc, "cannot keep the loop device");
	close(hold);
	return rc;
}

int pv_loop_detach_if(const char *devpath, const char *file, struct pv_err *err)
{
	struct loop_info64 info;
	struct stat st;
	int fd = open(devpath, O_RDONLY | O_CLOEXEC);
	bool same;

	if (fd < 0)
		return pv_err_sys(err, -errno, "cannot open %s", devpath);
	/* lo_device is the kernel's dev_t encoding (new_encode_dev). */
	same = ioctl(fd, LOOP_GET_STATUS64, &info) == 0 && stat(file, &st) == 0 &&
	       info.lo_inode == st.st_ino &&
	       ((info.lo_device & 0xfff00) >> 8) == major(st.st_dev) &&
	       ((info.lo_device & 0xff) | ((info.lo_device >> 12) & 0xfff00)) ==
	       minor(st.st_dev);
	close(fd);
	return same ? pv_loop_detach(devpath, err) : 0;
}

int pv_loop_detach(const char *devpath, struct pv_err *err)
{
	struct loop_info64 info;
	int fd = open(devpath, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return pv_err_sys(err, -errno, "cannot open %s", devpath);
	if (ioctl(fd, LOOP_CLR_FD) && errno != ENXIO) {
		rc = -errno;
		/* Still open elsewhere: let the kernel detach it on last close. */
		if (rc == -EBUSY && ioctl(fd, LOOP_GET_STATUS64, &info) == 0) {
			info.lo_flags |= LO_FLAGS_AUTOCLEAR;
			rc = ioctl(fd, LOOP_SET_STATUS64, &info) ? -errno : 0;
		}
		if (rc)
			pv_err_sys(err, rc, "cannot detach %s", devpath);
	}
	close(fd);
	return rc;
}

int pv_blockdev_number(const char *path, unsigned int *maj, unsigned int *min,
		       struct pv_err *err)
{
	struct stat st;

	if (stat(path, &st))
		return pv_err_sys(err, -errno, "cannot use %s", path);
	if (!S_ISBLK(st.st_mode))
		return pv_err_set(err, -ENOTBLK, "%s is not a block device", path);
	*maj = major(st.st_rdev);
	*min = minor(st.st_rdev);
	return 0;
}

int pv_netif_wait(const char *ifname, int timeout_ms, struct pv_err *err)
{
	uint64_t deadline = pv_now_ms() + (uint64_t)timeout_ms;

	while (!if_nametoindex(ifname)) {
		if (pv_now_ms() >= deadline)
			return pv_err_set(err, -ETIMEDOUT, "network interface %s did "
					  "not appear within %d ms (is xen-netback "
					  "loaded?)", ifname, timeout_ms);
		usleep(20000);
	}
	return 0;
}

/* Runs one interface ioctl on a throwaway socket. */
static int if_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_LOCAL, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (s < 0)
		return -errno;
	rc = ioctl(s, req, ifr) ? -errno : 0;
	close(s);
	return rc;
}

int pv_netif_set_up(const char *ifname, struct pv_err *err)
{
	struct ifreq ifr;
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = if_ioctl(SIOCGIFFLAGS, &ifr);
	if (!rc) {
		ifr.ifr_flags |= IFF_UP;
		rc = if_ioctl(SIOCSIFFLAGS, &ifr);
	}
	return rc ? pv_err_sys(err, rc, "cannot bring %s up", ifname) : 0;
}

int pv_netif_rename(const char *ifname, const char *newname,
		    struct pv_err *err)
{
	struct ifreq ifr;
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	snprintf(ifr.ifr_newname, sizeof(ifr.ifr_newname), "%s", newname);
	rc = if_ioctl(SIOCSIFNAME, &ifr);
	if (rc == -EEXIST)
		return pv_err_set(err, rc, "cannot rename %s to %s: dom0 has an "
				  "interface of that name already", ifname,
				  newname);
	return rc ? pv_err_sys(err, rc, "cannot rename %s to %s", ifname,
			       newname) : 0;
}

static int bridge_port(const char *bridge, const char *ifname, bool add,
		       struct pv_err *err)
{
	struct ifreq ifr;
	int idx = (int)if_nametoindex(ifname), rc;

	if (!idx)
		return add ? pv_err_sys(err, -errno, "no interface %s", ifname) : 0;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
	ifr.ifr_ifindex = idx;
	rc = if_ioctl(add ? SIOCBRADDIF : SIOCBRDELIF, &ifr);
	if (!add && rc == -EINVAL)
		rc = 0;		/* not a port of this bridge */
	if (rc == -ENODEV)
		return pv_err_set(err, rc, "no bridge %s", bridge);
	return rc ? pv_err_sys(err, rc, "cannot %s %s %s bridge %s",
			       add ? "add" : "remove", ifname,
			       add ? "to" : "from", bridge) : 0;
}

int pv_bridge_add_port(const char *bridge, const char *ifname,
		       struct pv_err *err)
{
	return bridge_port(bridge, ifname, true, err);
}

int pv_bridge_del_port(const char *bridge, const char *ifname,
		       struct pv_err *err)
{
	return bridge_port(bridge, ifname, false, err);
}

int pv_hotplug_run(const char *script, const char *action, const char *kind,
		   uint32_t domid, uint32_t devid, const char *vif,
		   const char *what, int timeout_ms, struct pv_err *err)
{
	char *argv[] = { (char *)script, (char *)action,
			 vif ? "type_if=vif" : NULL, NULL };
	char *env[] = {
		pv_asprintf("script=%s", script),
		pv_asprintf("XENBUS_TYPE=%s", kind),
		pv_asprintf("XENBUS_PATH=backend/%s/%u/%u", kind, domid, devid),
		pv_strdup("XENBUS_BASE_PATH=backend"),
		vif ? pv_asprintf("vif=%s", vif) : NULL,
		NULL,
	};
	struct pv_buf said = PV_BUF_INIT, why = PV_BUF_INIT;
	int rc, status = 0;
	size_t i;

	rc = pv_run(argv, env, timeout_ms, &said, &status);
	if (rc == -ETIMEDOUT)
		pv_err_set(err, rc, "%s %s for %s did not finish within %d s",
			   script, action, what, timeout_ms / 1000);
	else if (rc)
		pv_err_sys(err, rc, "running %s", script);
	else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		pv_run_describe(status, &said, &why);
		rc = pv_err_set(err, -EIO, "%s %s for %s failed (%s)", script,
				action, what, why.s);
	}
	for (i = 0; env[i]; i++)
		free(env[i]);
	pv_buf_dispose(&said);
	pv_buf_dispose(&why);
	return rc;
}
