/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_dom.c: simulated Xen domains: ids, pause counts, shutdown, memory
 * accounting, event channels, the PV builder and vCPU affinity (hard
 * and soft).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"
#include "sim_int.h"

/* Xen hands out domids below DOMID_FIRST_RESERVED (0x7ff0). */
#define DOMID_FIRST_RESERVED 0x7ff0u
#define SIM_MAX_CPUS 256u
#define SIM_MAX_VCPUS 512u
#define AFF_BYTES (SIM_MAX_CPUS / 8)
#define DOM0_KB (512ull * 1024)

static struct sim_dom *dom_new(uint32_t domid, unsigned int max_vcpus)
{
	struct sim_dom *d = pv_calloc(1, sizeof(*d));
	unsigned int v;

	d->domid = domid;
	d->max_vcpus = max_vcpus;
	d->limits.max_grant_frames = -1;
	d->limits.max_maptrack_frames = -1;
	d->limits.max_evtchn_port = 1023;
	d->sched.weight = 256;		/* credit's and credit2's default */
	d->affinity = pv_calloc(max_vcpus, sizeof(*d->affinity));
	d->soft_affinity = pv_calloc(max_vcpus, sizeof(*d->soft_affinity));
	for (v = 0; v < max_vcpus; v++) {
		d->affinity[v] = pv_malloc(AFF_BYTES);
		memset(d->affinity[v], 0xff, AFF_BYTES);
		d->soft_affinity[v] = pv_malloc(AFF_BYTES);
		memset(d->soft_affinity[v], 0xff, AFF_BYTES);
	}
	return d;
}

static void dom_free(struct sim_dom *d)
{
	unsigned int v;

	for (v = 0; v < d->max_vcpus; v++) {
		free(d->affinity[v]);
		free(d->soft_affinity[v]);
	}
	free(d->affinity);
	free(d->soft_affinity);
	free(d->ports);
	free(d);
}

static void dom_insert(struct sim_host *h, struct sim_dom *d)
{
	size_t i;

	h->doms = pv_realloc(h->doms, (h->ndoms + 1) * sizeof(*h->doms));
	for (i = h->ndoms; i > 0 && h->doms[i - 1]->domid > d->domid; i--)
		h->doms[i] = h->doms[i - 1];
	h->doms[i] = d;
	h->ndoms++;
}

void pv_sim_dom_init(struct pv_sim *s)
{
	struct sim_host *h = &s->host;
	struct sim_dom *d0;

	h->nr_cpus = 4;
	h->sched_id = PV_SCHED_CREDIT;
	h->total_kb = 8ull * 1024 * 1024;
	h->free_kb = h->total_kb - DOM0_KB;
	d0 = dom_new(0, h->nr_cpus);
	d0->cur_kb = d0->max_kb = DOM0_KB;
	d0->built = true;
	dom_insert(h, d0);
}

void pv_sim_dom_dispose(struct pv_sim *s)
{
	size_t i;

	for (i = 0; i < s->host.ndoms; i++)
		dom_free(s->host.doms[i]);
	free(s->host.doms);
	memset(&s->host, 0, sizeof(s->host));
}

struct sim_dom *pv_sim_dom_find(const struct pv_sim *s, uint32_t domid)
{
	size_t i;

	for (i = 0; i < s->host.ndoms; i++)
		if (s->host.doms[i]->domid == domid)
			return s->host.doms[i];
	return NULL;
}

void pv_sim_set_host(struct pv_sim *s, unsigned int nr_cpus,
		     uint64_t total_kb, uint64_t free_kb)
{
	if (nr_cpus < 1 || nr_cpus > SIM_MAX_CPUS || free_kb > total_kb)
		abort();
	s->host.nr_cpus = nr_cpus;
	s->host.total_kb = total_kb;
	s->host.free_kb = free_kb;
}

unsigned int pv_sim_domain_count(const struct pv_sim *s)
{
	return (unsigned int)s->host.ndoms;
}

uint64_t pv_sim_domain_memmap_kb(const struct pv_sim *s, uint32_t domid)
{
	struct sim_dom *d = pv_sim_dom_find(s, domid);

	return d ? d->memmap_kb : 0;
}

int pv_sim_domain_set_mem(struct pv_sim *s, uint32_t domid, uint64_t cur_kb)
{
	struct sim_dom *d = pv_sim_dom_find(s, domid);

	if (!d)
		return -ESRCH;
	if (cur_kb > d->max_kb)
		return -EINVAL;
	if (cur_kb > d->cur_kb && cur_kb - d->cur_kb > s->host.free_kb)
		return -ENOMEM;
	s->host.free_kb = s->host.free_kb + d->cur_kb - cur_kb;
	d->cur_kb = cur_kb;
	return 0;
}

int pv_sim_domain_set_cpu_time(struct pv_sim *s, uint32_t domid, uint64_t ns)
{
	struct sim_dom *d = pv_sim_dom_find(s, domid);

	if (!d)
		return -ESRCH;
	d->cpu_time_ns = ns;
	return 0;
}

/* xenstored fires @releaseDomain once when a domain shuts down or dies. */
static void dom_release_once(struct pv_sim *s, struct sim_dom *d)
{
	if (d->release_fired)
		return;
	d->release_fired = true;
	pv_sim_fire_special(s, "@releaseDomain");
}

int pv_sim_domain_set_state(struct pv_sim *s, uint32_t domid,
			    enum pv_sim_dom_state state, unsigned int reason)
{
	struct sim_dom *d = pv_sim_dom_find(s, domid);

	if (!d)
		return -ESRCH;
	switch (state) {
	case PV_SIM_DOM_RUNNING:
		d->shutdown = false;
		d->release_fired = false;
		return 0;
	case PV_SIM_DOM_SHUTDOWN:
		if (reason > PV_SHUTDOWN_SOFT_RESET)
			return -EINVAL;
		d->shutdown = true;
		d->shutdown_reason = reason;
		break;
	case PV_SIM_DOM_DYING:
		d->dying = true;
		break;
	default:
		return -EINVAL;
	}
	dom_release_once(s, d);
	return 0;
}

bool pv_sim_vcpu_has_cpu(const struct pv_sim *s, uint32_t domid,
			 unsigned int vcpu, unsigned int cpu)
{
	const struct sim_dom *d = pv_sim_dom_find(s, domid);

	if (!d || vcpu >= d->max_vcpus || cpu >= s->host.nr_cpus)
		return false;
	return d->affinity[vcpu][cpu / 8] & (1u << (cpu % 8));
}

static int sim_physinfo(void *h, struct pv_physinfo *pi)
{
	struct pv_sim *s = h;
	int rc = pv_sim_enter(s, SIM_PHYSINFO);

	if (rc)
		return rc;
	memset(pi, 0, sizeof(*pi));
	pi->nr_cpus = s->host.nr_cpus;
	pi->nr_nodes = 1;
	pi->cpu_mhz = 2400;
	pi->total_kb = s->host.total_kb;
	pi->free_kb = s->host.free_kb;
	pi->xen_major = 4;
	pi->xen_minor = 17;
	strcpy(pi->xen_extra, ".0-sim");
	strcpy(pi->xen_caps, "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p "
	       "hvm-3.0-x86_64");
	return 0;
}

/* Xen's allocator: the next free id after the last one, wrapping to 1. */
static int alloc_domid(struct pv_sim *s, uint32_t *domid)
{
	uint32_t id = s->host.last_domid;

	for (;;) {
		if (++id >= DOMID_FIRST_RESERVED)
			id = 1;
		if (!pv_sim_dom_find(s, id))
			break;
		if (id == s->host.last_domid)
			return -ENOMEM;
	}
	s->host.last_domid = id;
	*domid = id;
	return 0;
}

static int sim_domain_create(void *h, const uint8_t uuid[16],
			     unsigned int max_vcpus,
			     const struct pv_create_limits *lim, uint32_t *domid)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	uint32_t id;
	int rc = pv_sim_enter(s, SIM_DOMAIN_CREATE);

	if (rc)
		return rc;
	if (max_vcpus < 1 || max_vcpus > SIM_MAX_VCPUS)
		return -EINVAL;
	/* Xen: -1 asks for its default; other negatives are bad. */
	if (lim && (lim->max_grant_frames < -1 || lim->max_maptrack_frames < -1))
		return -EINVAL;
	rc = alloc_domid(s, &id);
	if (rc)
		return rc;
	d = dom_new(id, max_vcpus);
	if (lim)
		d->limits = *lim;
	if (uuid)
		memcpy(d->uuid, uuid, sizeof(d->uuid));
	d->pause_count = 1;	/* Xen creates domains paused */
	dom_insert(&s->host, d);
	*domid = id;
	return 0;
}

static int sim_domain_destroy(void *h, uint32_t domid)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	size_t i;
	int rc = pv_sim_enter(s, SIM_DOMAIN_DESTROY);

	if (rc)
		return rc;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return -ESRCH;
	if (domid == 0)
		return -EINVAL;		/* a domain cannot kill itself */
	for (i = 0; s->host.doms[i] != d; i++)
		;
	memmove(&s->host.doms[i], &s->host.doms[i + 1],
		(s->host.ndoms - i - 1) * sizeof(*s->host.doms));
	s->host.ndoms--;
	s->host.free_kb += d->cur_kb;
	dom_free(d);
	pv_sim_xs_domain_gone(s, domid);
	return 0;
}

/* Looks up a domain other than dom0 (which the toolstack runs in). */
static int other_dom(struct pv_sim *s, enum pv_sim_op op, uint32_t domid,
		     struct sim_dom **d)
{
	int rc = pv_sim_enter(s, op);

	if (rc)
		return rc;
	*d = pv_sim_dom_find(s, domid);
	if (!*d)
		return -ESRCH;
	return domid == 0 ? -EINVAL : 0;
}

static int sim_domain_pause(void *h, uint32_t domid)
{
	struct sim_dom *d;
	int rc = other_dom(h, SIM_DOMAIN_PAUSE, domid, &d);

	if (rc)
		return rc;
	if (d->pause_count == 255)
		return -EUSERS;		/* Xen caps the pause count */
	d->pause_count++;
	return 0;
}

static int sim_domain_unpause(void *h, uint32_t domid)
{
	struct sim_dom *d;
	int rc = other_dom(h, SIM_DOMAIN_UNPAUSE, domid, &d);

	if (rc)
		return rc;
	if (!d->pause_count)
		return -EINVAL;		/* not paused by the toolstack */
	d->pause_count--;
	if (!d->pause_count)
		d->creation_finished = true;
	return 0;
}

static int sim_domain_shutdown(void *h, uint32_t domid, unsigned int reason)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	int rc = other_dom(s, SIM_DOMAIN_SHUTDOWN, domid, &d);

	if (rc)
		return rc;
	if (reason > PV_SHUTDOWN_SOFT_RESET)
		return -EINVAL;
	/* Xen ignores a shutdown request for a domain shutting down. */
	if (d->shutdown || d->dying)
		return 0;
	d->shutdown = true;
	d->shutdown_reason = reason;
	dom_release_once(s, d);
	return 0;
}

static void fill_info(const struct sim_dom *d, struct pv_dominfo *info)
{
	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	memcpy(info->uuid, d->uuid, sizeof(info->uuid));
	info->cur_kb = d->cur_kb;
	info->max_kb = d->max_kb;
	info->cpu_time_ns = d->cpu_time_ns;
	info->online_vcpus = d->max_vcpus;
	info->max_vcpu_id = d->max_vcpus - 1;
	info->dying = d->dying;
	info->shutdown = d->shutdown;
	info->shutdown_reason = d->shutdown ? d->shutdown_reason : 0;
	info->crashed = d->shutdown && d->shutdown_reason == PV_SHUTDOWN_CRASH;
	info->paused = d->pause_count > 0;
	info->running = d->built && !info->paused && !d->shutdown && !d->dying;
}

static int sim_domain_getinfo(void *h, uint32_t domid,
			      struct pv_dominfo *info)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	int rc = pv_sim_enter(s, SIM_DOMAIN_GETINFO);

	if (rc)
		return rc;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return -ESRCH;
	fill_info(d, info);
	return 0;
}

static int sim_domain_list(void *h, struct pv_dominfo *infos, size_t max,
			   size_t *n)
{
	struct pv_sim *s = h;
	size_t i;
	int rc = pv_sim_enter(s, SIM_DOMAIN_LIST);

	if (rc)
		return rc;
	for (i = 0; i < s->host.ndoms && i < max; i++)
		fill_info(s->host.doms[i], &infos[i]);
	*n = i;
	return 0;
}

static int sim_domain_set_handle(void *h, uint32_t domid, const uint8_t uuid[16])
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	int rc = pv_sim_enter(s, SIM_DOMAIN_SET_HANDLE);

	if (rc)
		return rc;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return -ESRCH;
	memcpy(d->uuid, uuid, 16);
	return 0;
}

static int sim_domain_setmaxmem(void *h, uint32_t domid, uint64_t kb)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	int rc = pv_sim_enter(s, SIM_DOMAIN_SETMAXMEM);

	if (rc)
		return rc;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return -ESRCH;
	/* Like Xen, no check against cur_kb: the guest ratchets down. */
	d->max_kb = kb;
	return 0;
}

static int sim_evtchn_alloc_unbound(void *h, uint32_t domid,
				    uint32_t remote_domid, uint32_t *port)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	int rc = pv_sim_enter(s, SIM_EVTCHN_ALLOC_UNBOUND);

	if (rc)
		return rc;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return -ESRCH;
	d->ports = pv_realloc(d->ports, (d->nports + 1) * sizeof(*d->ports));
	d->ports[d->nports].remote = remote_domid;
	d->ports[d->nports].bound = false;
	d->nports++;
	*port = (uint32_t)d->nports;	/* port 0 is never handed out */
	return 0;
}

static int build_fail(char **errmsg, int rc, const char *fmt, ...)
	PV_PRINTF(3, 4);

static int build_fail(char **errmsg, int rc, const char *fmt, ...)
{
	struct pv_buf b;
	va_list ap;

	if (!errmsg)
		return rc;
	pv_buf_init(&b);
	va_start(ap, fmt);
	pv_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(*errmsg);
	*errmsg = pv_buf_detach(&b);
	return rc;
}

static bool port_allocated(const struct sim_dom *d, uint32_t port)
{
	return port >= 1 && port <= d->nports;
}

static int check_files(const struct pv_build_req *req, char **errmsg)
{
	if (req->restore)
		return 0;		/* no kernel: the stream has the guest */
	if (req->kernel_mem) {
		if (!req->kernel_size)
			return build_fail(errmsg, -EINVAL, "empty kernel image");
	} else if (!req->kernel_path) {
		return build_fail(errmsg, -EINVAL, "no kernel given");
	} else if (access(req->kernel_path, R_OK)) {
		return build_fail(errmsg, -errno, "cannot read kernel '%s': %s",
				  req->kernel_path, strerror(errno));
	}
	if (req->ramdisk_path && access(req->ramdisk_path, R_OK))
		return build_fail(errmsg, -errno,
				  "cannot read ramdisk '%s': %s",
				  req->ramdisk_path, strerror(errno));
	return 0;
}

static int check_build(const struct pv_sim *s, const struct sim_dom *d,
		       const struct pv_build_req *req, char **errmsg)
{
	int rc = check_files(req, errmsg);

	if (rc)
		return rc;
	if (d->built)
		return build_fail(errmsg, -EINVAL, "domain %u already built",
				  d->domid);
	if (!req->memory_kb)
		return build_fail(errmsg, -EINVAL, "no memory size");
	if (req->maxmem_kb < req->memory_kb)
		return build_fail(errmsg, -EINVAL, "maxmem below memory");
	/* Xen would build it, but the guest could never balloon up. */
	if (req->static_max_kb < req->memory_kb)
		return build_fail(errmsg, -EINVAL, "memory map below memory");
	if (req->max_vcpus > d->max_vcpus)
		return build_fail(errmsg, -EINVAL, "%u vCPUs, domain has %u",
				  req->max_vcpus, d->max_vcpus);
	if (!port_allocated(d, req->store_port) ||
	    !port_allocated(d, req->console_port))
		return build_fail(errmsg, -EINVAL,
				  "store/console event channel not allocated");
	if (req->memory_kb > s->host.free_kb)
		return build_fail(errmsg, -ENOMEM,
				  "Out of memory: need %llu KiB, %llu KiB free",
				  (unsigned long long)req->memory_kb,
				  (unsigned long long)s->host.free_kb);
	return 0;
}

/* The kernel's bytes, malloc'd, as out->unpacked; NULL if unreadable. */
static void *copy_kernel(const struct pv_build_req *req, size_t *size)
{
	void *buf;
	FILE *f;
	long n;

	if (req->kernel_mem) {
		buf = pv_malloc(req->kernel_size);
		memcpy(buf, req->kernel_mem, req->kernel_size);
		*size = req->kernel_size;
		return buf;
	}
	f = fopen(req->kernel_path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = pv_malloc((size_t)n);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/*
 * Like libxl's build step: sets maxmem, populates memory_kb and sets up
 * vCPU 0. The domain stays paused; the toolstack unpauses it.
 */
/*
 * The simulation's stream: "PVSIMSTR", the memory the domain held (KiB)
 * and its vCPU count (u64 each), then an 8-byte end record of zeros,
 * as libxc's ends. Enough to check that what was saved comes back and
 * that the reader stops just past the end.
 */
#define SIM_STREAM_MAGIC "PVSIMSTR"

static int read_stream(int fd, struct sim_dom *d, uint64_t free_kb,
		       char **errmsg)
{
	uint64_t rec[4];
	size_t got = 0;

	while (got < sizeof(rec)) {
		ssize_t n = read(fd, (char *)rec + got, sizeof(rec) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return build_fail(errmsg, -EIO, "restoring from the stream: "
					  "truncated");
		got += (size_t)n;
	}
	if (memcmp(&rec[0], SIM_STREAM_MAGIC, 8) || rec[3])
		return build_fail(errmsg, -EINVAL, "restoring from the stream: "
				  "not a stream");
	if (rec[1] > d->max_kb || rec[2] != d->max_vcpus)
		return build_fail(errmsg, -EINVAL, "restoring from the stream: "
				  "does not fit the domain");
	if (rec[1] > free_kb)
		return build_fail(errmsg, -ENOMEM, "restoring from the stream: "
				  "out of memory");
	d->cur_kb = rec[1];
	return 0;
}

static int sim_build_pv(void *h, uint32_t domid,
			const struct pv_build_req *req,
			struct pv_build_out *out, char **errmsg)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	int rc = pv_sim_enter(s, SIM_BUILD_PV);

	if (rc)
		return build_fail(errmsg, rc, "injected failure");
	s->last_build.from_mem = req->kernel_mem != NULL;
	s->last_build.want_unpacked = req->want_unpacked;
	s->last_build.kernel_size = req->kernel_mem ? req->kernel_size : 0;
	s->last_build.kernel_hash = req->kernel_mem ?
		pv_hash64(req->kernel_mem, req->kernel_size) : 0;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return build_fail(errmsg, -ESRCH, "no domain %u", domid);
	rc = check_build(s, d, req, errmsg);
	if (rc)
		return rc;
	d->max_kb = req->maxmem_kb;
	d->memmap_kb = req->static_max_kb;
	d->cur_kb = req->memory_kb;
	if (req->restore) {
		rc = read_stream(req->stream_fd, d, s->host.free_kb, errmsg);
		if (rc)
			return rc;
	}
	s->host.free_kb -= d->cur_kb;
	d->built = true;
	memset(out, 0, sizeof(*out));
	/* Made up, but stable per domain. */
	out->store_mfn = 0x100000ull + ((uint64_t)domid << 12) + 0xffe;
	out->console_mfn = out->store_mfn + 1;
	if (req->want_unpacked)
		out->unpacked = copy_kernel(req, &out->unpacked_size);
	return 0;
}

static int sim_domain_save(void *h, uint32_t domid, int fd, bool live,
			   int (*suspend)(void *arg),
			   void (*sent)(void *arg, uint64_t bytes), void *arg,
			   char **errmsg)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	uint64_t rec[4];
	size_t done = 0;
	int rc;

	d = pv_sim_dom_find(s, domid);
	if (!d || !d->built)
		return build_fail(errmsg, -ESRCH, "no domain %u", domid);
	/* libxenguest checks the domain's state itself after the callback. */
	if (suspend(arg) || !(d = pv_sim_dom_find(s, domid)) || !d->shutdown ||
	    d->shutdown_reason != PV_SHUTDOWN_SUSPEND)
		return build_fail(errmsg, -EINVAL, "Domain has not been suspended");
	/* An injected failure strikes mid-stream, with the guest suspended. */
	rc = pv_sim_enter(s, SIM_DOMAIN_SAVE);
	if (rc)
		return build_fail(errmsg, rc, "injected failure");
	memcpy(&rec[0], SIM_STREAM_MAGIC, 8);
	rec[1] = d->cur_kb;
	rec[2] = d->max_vcpus;
	rec[3] = 0;
	while (done < sizeof(rec)) {
		ssize_t n = write(fd, (char *)rec + done, sizeof(rec) - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return build_fail(errmsg, n < 0 ? -errno : -EIO,
					  "writing the stream: %s",
					  strerror(n < 0 ? errno : EIO));
		done += (size_t)n;
	}
	if (sent)
		sent(arg, d->cur_kb * 1024);
	return 0;
}

/* Xen's resumedomain for a cooperative resume: only a suspended domain. */
static int sim_domain_resume(void *h, uint32_t domid)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	int rc = pv_sim_enter(s, SIM_DOMAIN_RESUME);

	if (rc)
		return rc;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return -ESRCH;
	if (!d->shutdown || d->shutdown_reason != PV_SHUTDOWN_SUSPEND)
		return -EINVAL;
	d->shutdown = false;	/* xenstored fires again only after XS_RESUME */
	return 0;
}

void pv_sim_last_build(const struct pv_sim *s, struct pv_sim_build_seen *out)
{
	*out = s->last_build;
}

/* @cpumap's first @nbits bits, cut to the simulator's CPUs. */
static void copy_map(uint8_t out[AFF_BYTES], const uint8_t *cpumap,
		     size_t nbits)
{
	unsigned int cpu;

	memset(out, 0, AFF_BYTES);
	for (cpu = 0; cpu < nbits && cpu < SIM_MAX_CPUS; cpu++)
		if (cpumap[cpu / 8] & (1u << (cpu % 8)))
			out[cpu / 8] |= (uint8_t)(1u << (cpu % 8));
}

static int sim_vcpu_set_affinity(void *h, uint32_t domid, unsigned int vcpu,
				 const uint8_t *hard, const uint8_t *soft,
				 size_t nbits)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	uint8_t hmap[AFF_BYTES], smap[AFF_BYTES];
	unsigned int cpu;
	bool any = false;
	int rc = pv_sim_enter(s, SIM_VCPU_SET_AFFINITY);

	if (rc)
		return rc;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return -ESRCH;
	if (vcpu >= d->max_vcpus)
		return -EINVAL;
	if (hard) {
		copy_map(hmap, hard, nbits);
		for (cpu = 0; cpu < s->host.nr_cpus; cpu++)
			any = any || (hmap[cpu / 8] & (1u << (cpu % 8)));
		/* Xen refuses a hard affinity with no online CPU in it. */
		if (!any)
			return -EINVAL;
		memcpy(d->affinity[vcpu], hmap, AFF_BYTES);
	}
	/* A soft one is taken as given: outside the hard one, it is moot. */
	if (soft) {
		copy_map(smap, soft, nbits);
		memcpy(d->soft_affinity[vcpu], smap, AFF_BYTES);
	}
	return 0;
}

/* Every vCPU of a running domain is online and runnable in the simulation. */
static int sim_vcpu_getinfo(void *h, uint32_t domid, unsigned int vcpu,
			    struct pv_vcpuinfo *vi)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	int rc = pv_sim_enter(s, SIM_VCPU_GETINFO);

	if (rc)
		return rc;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return -ESRCH;
	if (vcpu >= d->max_vcpus)
		return -ENOENT;
	memset(vi, 0, sizeof(*vi));
	vi->online = d->built && !d->dying;
	vi->running = vi->online && d->pause_count == 0;
	vi->cpu = vi->online ? (int)(vcpu % s->host.nr_cpus) : -1;
	memcpy(vi->affinity, d->affinity[vcpu],
	       AFF_BYTES < sizeof(vi->affinity) ? AFF_BYTES : sizeof(vi->affinity));
	memcpy(vi->soft_affinity, d->soft_affinity[vcpu],
	       AFF_BYTES < sizeof(vi->soft_affinity) ? AFF_BYTES :
	       sizeof(vi->soft_affinity));
	return 0;
}

void pv_sim_dom_ops(struct pv_hv_ops *ops)
{
	ops->physinfo = sim_physinfo;
	ops->domain_create = sim_domain_create;
	ops->domain_destroy = sim_domain_destroy;
	ops->domain_pause = sim_domain_pause;
	ops->domain_unpause = sim_domain_unpause;
	ops->domain_shutdown = sim_domain_shutdown;
	ops->domain_getinfo = sim_domain_getinfo;
	ops->domain_list = sim_domain_list;
	ops->domain_setmaxmem = sim_domain_setmaxmem;
	ops->domain_set_handle = sim_domain_set_handle;
	ops->evtchn_alloc_unbound = sim_evtchn_alloc_unbound;
	ops->build_pv = sim_build_pv;
	ops->domain_save = sim_domain_save;
	ops->domain_resume = sim_domain_resume;
	ops->vcpu_set_affinity = sim_vcpu_set_affinity;
	ops->vcpu_getinfo = sim_vcpu_getinfo;
}
