/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpulist.c: CPU lists as xl writes them, for cpus= and vcpu-pin.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_i.h"

/*
 * One item of a CPU list, "all", "N" or "N-M", as CPUs [*lo, *end):
 * -EINVAL if it is not one, -ERANGE if it names CPUs from @nr_cpus up.
 */
static int cpu_item(char *item, unsigned int nr_cpus, uint64_t *lo,
		    uint64_t *end)
{
	char *dash = strchr(item, '-');
	uint64_t hi;

	if (!strcmp(item, "all")) {
		*lo = 0;
		*end = nr_cpus;
		return 0;
	}
	if (dash)
		*dash = '\0';
	if (pv_parse_uint(item, PV_CPUMAP_MAX_CPUS - 1, lo) ||
	    (dash && pv_parse_uint(dash + 1, PV_CPUMAP_MAX_CPUS - 1, &hi)))
		return -EINVAL;
	if (!dash)
		hi = *lo;
	if (hi < *lo)
		return -EINVAL;
	*end = hi + 1;
	return hi < nr_cpus ? 0 : -ERANGE;
}

int pv_cpumap_parse(const char *s, unsigned int nr_cpus, uint8_t *map,
		    struct pv_err *err)
{
	const char *p = s, *comma;
	uint64_t cpu, end;
	char *item;
	int neg, rc;

	memset(map, 0, PV_CPUMAP_MAX_CPUS / 8);
	nr_cpus = (unsigned int)pv_min_u64(nr_cpus, PV_CPUMAP_MAX_CPUS);
	do {
		comma = strchrnul(p, ',');
		item = pv_strndup(p, (size_t)(comma - p));
		neg = item[0] == '^';
		rc = cpu_item(item + neg, nr_cpus, &cpu, &end);
		free(item);
		if (rc == -EINVAL)
			return pv_err_set(err, rc, "bad CPU list '%s'", s);
		if (rc)
			return pv_err_set(err, -EINVAL, "CPU list '%s' names CPUs "
					  "beyond the host's %u", s, nr_cpus);
		for (; cpu < end; cpu++) {
			if (neg)
				map[cpu / 8] &= (uint8_t)~(1u << (cpu % 8));
			else
				map[cpu / 8] |= (uint8_t)(1u << (cpu % 8));
		}
		p = comma + 1;
	} while (*comma);
	return 0;
}
