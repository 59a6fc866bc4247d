/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_debug.c: Xen's console ring (what `xl dmesg` reads), debug keys
 * and domain core dumps, simulated.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"
#include "sim_int.h"

void pv_sim_console_puts(struct pv_sim *s, const char *text)
{
	struct sim_conring *r = &s->conring;

	for (; *text; text++) {
		r->buf[r->prod++ % SIM_CONRING_SIZE] = *text;
		/* A full ring drops its oldest byte, as conring_puts does. */
		if (r->prod - r->cons > SIM_CONRING_SIZE)
			r->cons = r->prod - SIM_CONRING_SIZE;
	}
}

void pv_sim_debug_init(struct pv_sim *s)
{
	pv_sim_console_puts(s, "(XEN) Xen version 4.17.0-sim (sim@pvctl) "
			    "(gcc) debug=n\n"
			    "(XEN) Command line: console=com1 loglvl=all\n"
			    "(XEN) Brought up 4 CPUs\n");
}

/* Xen's read_console_ring, on the sim's ring. */
static int sim_console_read(void *h, char *buf, size_t *len, bool clear,
			    uint32_t *index)
{
	struct pv_sim *s = h;
	struct sim_conring *r = &s->conring;
	uint32_t c = r->cons, p = r->prod;
	size_t sofar = 0;
	int rc = pv_sim_enter(s, SIM_CONSOLE_READ);

	if (rc)
		return rc;
	/* An index within the ring's live part goes on from there. */
	if (c <= p ? c < *index && *index <= p : c < *index || *index <= p)
		c = *index;
	while (c != p && sofar < *len)
		buf[sofar++] = r->buf[c++ % SIM_CONRING_SIZE];
	if (clear)
		r->cons = p - c > SIM_CONRING_SIZE ? p - SIM_CONRING_SIZE : c;
	*len = sofar;
	*index = c;
	return 0;
}

static int sim_send_debug_keys(void *h, const char *keys)
{
	static const struct { char key; const char *what; } handlers[] = {
		{ 'h', "showing installed handlers" },
		{ 'q', "dump domain (and guest debug) info" },
		{ 'r', "dump run queues" },
	};
	struct pv_sim *s = h;
	size_t i, j;
	char line[128];
	int rc = pv_sim_enter(s, SIM_SEND_DEBUG_KEYS);

	if (rc)
		return rc;
	for (i = 0; keys[i]; i++) {
		for (j = 0; j < sizeof(handlers) / sizeof(handlers[0]); j++)
			if (handlers[j].key == keys[i])
				break;
		if (j == sizeof(handlers) / sizeof(handlers[0]))
			continue;
		snprintf(line, sizeof(line), "(XEN) '%c' pressed -> %s\n",
			 keys[i], handlers[j].what);
		pv_sim_console_puts(s, line);
		for (j = 0; keys[i] == 'h' && j < sizeof(handlers) / sizeof(handlers[0]); j++) {
			snprintf(line, sizeof(line), "(XEN)  key '%c' (ascii '%02x') => %s\n",
				 handlers[j].key, handlers[j].key, handlers[j].what);
			pv_sim_console_puts(s, line);
		}
	}
	return 0;
}

static int dump_fail(char **errmsg, int rc, const char *what, const char *path)
{
	if (errmsg)
		*errmsg = pv_asprintf("%s %s: %s", what, path, strerror(-rc));
	return rc;
}

static int sim_domain_dumpcore(void *h, uint32_t domid, const char *path,
			       char **errmsg)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	Elf64_Ehdr eh;
	char *text;
	int fd, rc = pv_sim_enter(s, SIM_DOMAIN_DUMPCORE);

	if (rc) {
		if (errmsg)
			*errmsg = pv_strdup("injected failure");
		return rc;
	}
	d = pv_sim_dom_find(s, domid);
	if (!d || d->dying)
		return dump_fail(errmsg, -ESRCH, "no domain to dump to", path);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0)
		return dump_fail(errmsg, -errno, "Could not open corefile", path);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	text = pv_asprintf("xen-core domid=%u memory_kb=%llu\n", domid,
			   (unsigned long long)d->cur_kb);
	if (write(fd, &eh, sizeof(eh)) != (ssize_t)sizeof(eh) ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		rc = dump_fail(errmsg, -EIO, "writing", path);
	free(text);
	close(fd);
	if (rc)
		return rc;
	s->last_dump.domid = domid;
	s->last_dump.paused = d->pause_count > 0 || d->shutdown;
	s->last_dump.count++;
	return 0;
}

void pv_sim_last_dump(const struct pv_sim *s, struct pv_sim_dump_seen *out)
{
	*out = s->last_dump;
}

void pv_sim_debug_ops(struct pv_hv_ops *ops)
{
	ops->console_read = sim_console_read;
	ops->send_debug_keys = sim_send_debug_keys;
	ops->domain_dumpcore = sim_domain_dumpcore;
}
