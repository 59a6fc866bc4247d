/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decide_bench.c: the cost of one autoscale tick's decisions at scale.
 *
 * Builds N simulated domains (a mix of idle, busy and pressured guests
 * under a few policies, with a short host) and times
 * pv_autoscale_decide() over several runs; prints the median per N and
 * how it grows. No hypervisor: this measures the decision code alone,
 * which is what must stay cheap as a host grows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/balloon/loop.h"
#include "lib/xs.h"
#include "sim/sim.h"

#define RUNS 7

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void make_doms(struct pv_as_dom *d, size_t n, struct pv_policy *pol,
		      unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t mem = (128 + (seed % 8) * 64) * 1024ull;

		seed = seed * 1103515245u + 12345u;
		memset(&d[i], 0, sizeof(d[i]));
		d[i].domid = (uint32_t)i + 1;
		snprintf(d[i].name, sizeof(d[i].name), "g%zu", i);
		d[i].pol = &pol[i % 3];
		d[i].cur_kb = d[i].target_kb = mem;
		d[i].static_max_kb = mem * 4;
		d[i].vcpus = 1;
		d[i].maxvcpus = 4;
		d[i].sig.valid = (seed >> 8) % 10 != 0;	/* 10% without agent */
		d[i].sig.mem_total_kb = mem - 40 * 1024;
		d[i].sig.mem_avail_kb = d[i].sig.mem_total_kb * ((seed >> 12) % 90) / 100;
		d[i].sig.psi_mem_some = (seed >> 16) % 4 ? 0 : (seed >> 4) % 3000;
		d[i].sig.cpu_util = (seed >> 20) % 10000;
	}
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median_ns(size_t n, struct pv_policy *pol)
{
	struct pv_as_dom *d = calloc(n, sizeof(*d));
	struct pv_as_host host = { .free_kb = n * 16 * 1024, .reserve_kb = 1 << 20 };
	uint64_t t[RUNS];
	int r;

	for (r = 0; r < RUNS; r++) {
		uint64_t t0;

		make_doms(d, n, pol, (unsigned int)r + 1);
		t0 = now_ns();
		pv_autoscale_decide(d, n, &host, 1000000 + (uint64_t)r * 5000);
		t[r] = now_ns() - t0;
	}
	free(d);
	qsort(t, RUNS, sizeof(*t), cmp);
	return t[RUNS / 2];
}

/*
 * A whole tick on the simulated backend: listing domains and reading each
 * one's nodes and agent report from the in-memory XenStore, then
 * deciding. This is what grows with the host in `autoscale run`.
 */
static void put(struct pv_hv *hv, uint32_t domid, const char *key, uint64_t v)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	pv_xs_printf(hv, PV_XBT_NULL, path, "%llu", (unsigned long long)v);
}

static double tick_ms(size_t n, const char *policy_dir)
{
	struct pv_sim *sim = pv_sim_new();
	struct pv_autoscale as;
	struct pv_ctx ctx;
	struct pv_err err;
	struct pv_hv hv;
	uint64_t t0, best = UINT64_MAX;
	uint8_t uuid[16] = { 0 };
	size_t i;
	int r;

	pv_sim_set_host(sim, 64, (uint64_t)n << 20, (uint64_t)n << 19);
	pv_sim_hv(sim, &hv);
	for (i = 0; i < n; i++) {
		uint32_t domid;
		char path[64];

		hv.ops->domain_create(hv.h, uuid, 2, NULL, &domid);
		snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
		pv_xs_printf(&hv, PV_XBT_NULL, path, "g%zu", i);
		put(&hv, domid, "memory/target", 262144);
		put(&hv, domid, "memory/static-max", 1048576);
		snprintf(path, sizeof(path), "/local/domain/%u/cpu/0/availability", domid);
		pv_xs_write_str(&hv, PV_XBT_NULL, path, "online");
		put(&hv, domid, "data/pvctl/seq", 1);
		put(&hv, domid, "data/pvctl/mem_total_kb", 220000);
		put(&hv, domid, "data/pvctl/mem_available_kb", 20000 + i % 150000);
		put(&hv, domid, "data/pvctl/cpu_util", i % 10000);
	}
	pv_ctx_init(&ctx, &hv);
	pv_err_init(&err);
	if (pv_autoscale_init(&as, &ctx, policy_dir, &err)) {
		fprintf(stderr, "decide_bench: %s\n", pv_err_msg(&err));
		exit(1);
	}
	for (r = 0; r < 3; r++) {
		t0 = now_ns();
		pv_autoscale_tick(&as, false, &err);
		if (now_ns() - t0 < best)
			best = now_ns() - t0;
	}
	pv_autoscale_dispose(&as);
	pv_err_dispose(&err);
	ctx.hv.ops = NULL;	/* the sim is freed below */
	pv_ctx_dispose(&ctx);
	pv_sim_free(sim);
	return (double)best / 1e6;
}

static void bench_ticks(void)
{
	static const size_t sizes[] = { 100, 1000, 10000 };
	char dir[] = "/tmp/pvctl-bench-XXXXXX", *file;
	double prev = 0;
	FILE *f;
	size_t i;

	if (!mkdtemp(dir))
		return;
	file = pv_asprintf("%s/10-all.policy", dir);
	f = fopen(file, "w");
	fputs("match = \"*\"\n", f);
	fclose(f);
	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		double ms = tick_ms(sizes[i], dir);

		printf("BENCH tick (simulated XenStore) %5zu domains: %9.2f ms", sizes[i], ms);
		if (prev > 0)
			printf(", x%.1f for x10 domains", ms / prev);
		putchar('\n');
		prev = ms;
	}
	remove(file);
	rmdir(dir);
	free(file);
}

int main(void)
{
	static const size_t sizes[] = { 100, 1000, 10000, 100000 };
	struct pv_policy pol[3];
	uint64_t prev = 0;
	size_t i;

	for (i = 0; i < 3; i++) {
		pv_policy_init(&pol[i]);
		pol[i].priority = 30 + 20 * (unsigned int)i;
		pol[i].weight = 100 * ((unsigned int)i + 1);
	}
	printf("BENCH autoscale decide (simulated domains, median of %d runs)\n", RUNS);
	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		uint64_t ns = median_ns(sizes[i], pol);

		printf("BENCH decide %6zu domains: %9.3f ms (%6.1f us/domain)",
		       sizes[i], (double)ns / 1e6, (double)ns / 1e3 / (double)sizes[i]);
		if (prev)
			printf(", x%.1f for x10 domains", (double)ns / (double)prev);
		putchar('\n');
		prev = ns;
	}
	for (i = 0; i < 3; i++)
		pv_policy_dispose(&pol[i]);
	bench_ticks();
	return 0;
}
