/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_output.c: the exact bytes pvctl writes, pinned: commands' text
 * and JSON (the printer, `list -l`, `autoscale plan`), run through the
 * command table on the simulated hypervisor; the saved domain state;
 * the autoscale audit lines and status file. What varies from run to
 * run (clocks, the test's directory) is masked before comparing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/pvctl.h"
#include "lib/balloon/loop.h"
#include "util/jsonw.h"
#include "helpers.h"
#include "cli_run.h"

#define MiB	1024ull
#define UUID1	"1a2b3c4d-0000-4000-8000-000000000001"
#define UUID2	"1a2b3c4d-0000-4000-8000-000000000002"

/* @s (freed) with @f's directory as TMP and the clocks' values as 0. */
static char *mask(struct fx *f, char *s)
{
	static const char *const clocks[] = {
		"time", "time_ms", "write_ms", "decide_ms", "report_age_ms",
		"reach_ms", "reaction_ms", "uptime_s",
	};
	struct pv_buf b = PV_BUF_INIT;
	const char *p = s;
	size_t tl = strlen(f->tmp), i;

	pv_buf_puts(&b, "");
	while (*p) {
		if (!strncmp(p, f->tmp, tl)) {
			pv_buf_puts(&b, "TMP");
			p += tl;
			continue;
		}
		for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
			size_t kl = strlen(clocks[i]);

			if (p[0] == '"' && !strncmp(p + 1, clocks[i], kl) &&
			    p[kl + 1] == '"' && p[kl + 2] == ':')
				break;
		}
		if (i < sizeof(clocks) / sizeof(clocks[0])) {
			const char *v = p + strlen(clocks[i]) + 3;

			v += strspn(v, " ");
			pv_buf_add(&b, p, (size_t)(v - p));
			pv_buf_puts(&b, "0");
			p = v + strspn(v, "0123456789");
			continue;
		}
		pv_buf_add(&b, p++, 1);
	}
	free(s);
	return pv_buf_detach(&b);
}

static void expect(struct fx *f, char *got, const char *want, const char *what)
{
	got = mask(f, got);
	if (strcmp(got, want)) {
		print_error("%s: got\n%s\n---- want\n%s\n----\n", what, got, want);
		free(got);
		fail();
	}
	free(got);
}

/* The guest's agent: a report, as the guest, seq last. */
static void report(struct fx *f, uint32_t domid, uint64_t seq,
		   uint64_t total_kb, uint64_t avail_kb)
{
	char path[64], val[32];
	struct { const char *key; uint64_t v; } n[] = {
		{ "mem_total_kb", total_kb }, { "mem_available_kb", avail_kb },
		{ "oom_kills", 0 }, { "psi_mem_some", 1250 }, { "seq", seq },
	};
	size_t i;

	pv_sim_set_caller(f->s, domid);
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		snprintf(path, sizeof(path), "data/pvctl/%s", n[i].key);
		snprintf(val, sizeof(val), "%llu", (unsigned long long)n[i].v);
		assert_int_equal(f->hv.ops->xs_write(f->hv.h, PV_XBT_NULL, path,
						     val, strlen(val)), 0);
	}
	pv_sim_set_caller(f->s, 0);
}

/* Two guests; the policies of a host that grows g1 and leaves g2 be. */
static void two_guests(struct fx *f, uint32_t *d1, uint32_t *d2)
{
	char *h = pv_asprintf("host_reserve = 0\ninterval = 3600\n"
			      "audit_log = \"%s/audit\"\n", f->tmp);
	char *dir = fx_path(f, "policy.d");

	*d1 = fx_create(f, "g1", "uuid = '" UUID1 "'\nmemory = 512\n"
			"maxmem = 2048\nvcpus = 2\nmaxvcpus = 4\n");
	*d2 = fx_create(f, "guest-two", "uuid = '" UUID2 "'\nmemory = 256\n"
			"cmdline = 'console=hvc0'\n");
	assert_int_equal(mkdir(dir, 0700), 0);
	free(dir);
	fx_put_file(f, "policy.d/host.policy", h);
	free(h);
	fx_put_file(f, "policy.d/10-g.policy",
		 "match = 'g1'\nmemory_min = 64m\nheadroom = 20\nmargin = 16m\n"
		 "low_water = 8m\nsettle = 0\ncooldown_up = 600\n"
		 "cooldown_down = 600\nstep_max = 64m\n");
	report(f, *d1, 1, 400 * MiB, 4 * MiB);
}

/* What pvctl wrote before the JSON writers became one (util/jsonw). */

static const char list_text[] =
"Name                                        ID   Mem VCPUs\tState\tTime(s)\n"
"Domain-0                                     0   512     4     r-----       0.0\n"
"g1                                           1   512     4     r-----       0.0\n"
"guest-two                                    2   256     1     r-----       0.0\n";

static const char list_verbose[] =
"Name                                        ID   Mem VCPUs\tState\tTime(s)   UUID                            Reason-Code\n"
"Domain-0                                     0   512     4     r-----       0.0 00000000-0000-0000-0000-000000000000        -\n"
"g1                                           1   512     4     r-----       0.0 1a2b3c4d-0000-4000-8000-000000000001        -\n"
"guest-two                                    2   256     1     r-----       0.0 1a2b3c4d-0000-4000-8000-000000000002        -\n";

static const char list_json[] =
"[\n"
"    {\n"
"        \"name\": \"Domain-0\",\n"
"        \"domid\": 0,\n"
"        \"memory_kb\": 524288,\n"
"        \"vcpus\": 4,\n"
"        \"state\": \"r-----\",\n"
"        \"cpu_time_ns\": 0,\n"
"        \"uuid\": \"00000000-0000-0000-0000-000000000000\",\n"
"        \"max_memory_kb\": 524288,\n"
"        \"max_vcpu_id\": 3\n"
"    },\n"
"    {\n"
"        \"name\": \"g1\",\n"
"        \"domid\": 1,\n"
"        \"memory_kb\": 524288,\n"
"        \"vcpus\": 4,\n"
"        \"state\": \"r-----\",\n"
"        \"cpu_time_ns\": 0,\n"
"        \"uuid\": \"1a2b3c4d-0000-4000-8000-000000000001\",\n"
"        \"max_memory_kb\": 525312,\n"
"        \"max_vcpu_id\": 3\n"
"    },\n"
"    {\n"
"        \"name\": \"guest-two\",\n"
"        \"domid\": 2,\n"
"        \"memory_kb\": 262144,\n"
"        \"vcpus\": 1,\n"
"        \"state\": \"r-----\",\n"
"        \"cpu_time_ns\": 0,\n"
"        \"uuid\": \"1a2b3c4d-0000-4000-8000-000000000002\",\n"
"        \"max_memory_kb\": 263168,\n"
"        \"max_vcpu_id\": 0\n"
"    }\n"
"]\n";

static const char list_long[] =
"Name                                        ID   Mem VCPUs\tState\tTime(s)\n"
"Domain-0                                     0   512     4     r-----       0.0\n"
"g1                                           1   512     4     r-----       0.0\n"
"    kernel TMP/vmlinuz, memory 512 MiB (max 2048), vcpus 2 (max 4)\n"
"guest-two                                    2   256     1     r-----       0.0\n"
"    kernel TMP/vmlinuz, memory 256 MiB (max 256), vcpus 1 (max 1)\n";

static const char list_long_json[] =
"[\n"
"    {\n"
"        \"name\": \"guest-two\",\n"
"        \"domid\": 2,\n"
"        \"memory_kb\": 262144,\n"
"        \"vcpus\": 1,\n"
"        \"state\": \"r-----\",\n"
"        \"cpu_time_ns\": 0,\n"
"        \"uuid\": \"1a2b3c4d-0000-4000-8000-000000000002\",\n"
"        \"max_memory_kb\": 263168,\n"
"        \"max_vcpu_id\": 0,\n"
"        \"config\": {\n"
"            \"name\": \"guest-two\",\n"
"            \"type\": \"pv\",\n"
"            \"uuid\": \"1a2b3c4d-0000-4000-8000-000000000002\",\n"
"            \"kernel\": \"TMP/vmlinuz\",\n"
"            \"ramdisk\": null,\n"
"            \"cmdline\": \"console=hvc0\",\n"
"            \"bootloader\": null,\n"
"            \"bootloader_args\": null,\n"
"            \"memory\": 256,\n"
"            \"maxmem\": 256,\n"
"            \"vcpus\": 1,\n"
"            \"maxvcpus\": 1,\n"
"            \"cpus\": null,\n"
"            \"cpus_soft\": null,\n"
"            \"cpu_weight\": null,\n"
"            \"cap\": 0,\n"
"            \"max_grant_frames\": null,\n"
"            \"max_maptrack_frames\": null,\n"
"            \"max_event_channels\": 1023,\n"
"            \"nomigrate\": false,\n"
"            \"on_poweroff\": \"destroy\",\n"
"            \"on_reboot\": \"restart\",\n"
"            \"on_crash\": \"destroy\",\n"
"            \"disk\": [\n"
"\n"
"            ],\n"
"            \"vif\": [\n"
"\n"
"            ],\n"
"            \"source\": \"test.cfg\"\n"
"        }\n"
"    }\n"
"]\n";

static const char info_text[] =
"host                   : vm\n"
"release                : 6.18.44-fc-v1300\n"
"machine                : x86_64\n"
"nr_cpus                : 4\n"
"nr_nodes               : 1\n"
"cpu_mhz                : 2400\n"
"total_memory           : 8192\n"
"free_memory            : 6912\n"
"xen_major              : 4\n"
"xen_minor              : 17\n"
"xen_extra              : .0-sim\n"
"xen_version            : 4.17.0-sim\n"
"xen_caps               : xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64\n";

static const char info_json[] =
"{\n"
"    \"host\": \"vm\",\n"
"    \"release\": \"6.18.44-fc-v1300\",\n"
"    \"machine\": \"x86_64\",\n"
"    \"nr_cpus\": 4,\n"
"    \"nr_nodes\": 1,\n"
"    \"cpu_mhz\": 2400,\n"
"    \"total_memory_kb\": 8388608,\n"
"    \"free_memory_kb\": 7077888,\n"
"    \"xen_major\": 4,\n"
"    \"xen_minor\": 17,\n"
"    \"xen_extra\": \".0-sim\",\n"
"    \"xen_version\": \"4.17.0-sim\",\n"
"    \"xen_caps\": \"xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64\"\n"
"}\n";

static const char vcpu_text[] =
"Name                                ID  VCPU   CPU State   Time(s)  Affinity (Hard / Soft)\n"
"g1                                   1     0     0   r--       0.0  all / all\n"
"g1                                   1     1     1   r--       0.0  all / all\n"
"g1                                   1     2     2   r--       0.0  all / all\n"
"g1                                   1     3     3   r--       0.0  all / all\n";

static const char vcpu_json[] =
"[\n"
"    {\n"
"        \"name\": \"g1\",\n"
"        \"domid\": 1,\n"
"        \"vcpu\": 0,\n"
"        \"cpu\": 0,\n"
"        \"online\": true,\n"
"        \"running\": true,\n"
"        \"blocked\": false,\n"
"        \"state\": \"r--\",\n"
"        \"cpu_time_ns\": 0,\n"
"        \"affinity\": \"all\",\n"
"        \"soft_affinity\": \"all\"\n"
"    },\n"
"    {\n"
"        \"name\": \"g1\",\n"
"        \"domid\": 1,\n"
"        \"vcpu\": 1,\n"
"        \"cpu\": 1,\n"
"        \"online\": true,\n"
"        \"running\": true,\n"
"        \"blocked\": false,\n"
"        \"state\": \"r--\",\n"
"        \"cpu_time_ns\": 0,\n"
"        \"affinity\": \"all\",\n"
"        \"soft_affinity\": \"all\"\n"
"    },\n"
"    {\n"
"        \"name\": \"g1\",\n"
"        \"domid\": 1,\n"
"        \"vcpu\": 2,\n"
"        \"cpu\": 2,\n"
"        \"online\": true,\n"
"        \"running\": true,\n"
"        \"blocked\": false,\n"
"        \"state\": \"r--\",\n"
"        \"cpu_time_ns\": 0,\n"
"        \"affinity\": \"all\",\n"
"        \"soft_affinity\": \"all\"\n"
"    },\n"
"    {\n"
"        \"name\": \"g1\",\n"
"        \"domid\": 1,\n"
"        \"vcpu\": 3,\n"
"        \"cpu\": 3,\n"
"        \"online\": true,\n"
"        \"running\": true,\n"
"        \"blocked\": false,\n"
"        \"state\": \"r--\",\n"
"        \"cpu_time_ns\": 0,\n"
"        \"affinity\": \"all\",\n"
"        \"soft_affinity\": \"all\"\n"
"    }\n"
"]\n";

static const char block_json[] =
"[\n"
"\n"
"]\n";

static const char dry_run[] =
"{\n"
"    \"name\": \"dry\",\n"
"    \"type\": \"pv\",\n"
"    \"uuid\": \"1a2b3c4d-0000-4000-8000-000000000001\",\n"
"    \"kernel\": \"TMP/vmlinuz\",\n"
"    \"ramdisk\": null,\n"
"    \"cmdline\": \"quiet \\\"x\\\" caf\xc3\xa9\",\n"
"    \"bootloader\": null,\n"
"    \"bootloader_args\": [\n"
"        \"-q\",\n"
"        \"--x=1\"\n"
"    ],\n"
"    \"memory\": 300,\n"
"    \"maxmem\": 300,\n"
"    \"vcpus\": 1,\n"
"    \"maxvcpus\": 1,\n"
"    \"cpus\": null,\n"
"    \"cpus_soft\": null,\n"
"    \"cpu_weight\": null,\n"
"    \"cap\": 0,\n"
"    \"max_grant_frames\": null,\n"
"    \"max_maptrack_frames\": null,\n"
"    \"max_event_channels\": 1023,\n"
"    \"nomigrate\": false,\n"
"    \"on_poweroff\": \"destroy\",\n"
"    \"on_reboot\": \"restart\",\n"
"    \"on_crash\": \"destroy\",\n"
"    \"disk\": [\n"
"        {\n"
"            \"target\": \"/dev/vg/dry\",\n"
"            \"vdev\": \"xvda\",\n"
"            \"access\": \"rw\",\n"
"            \"devtype\": \"disk\",\n"
"            \"format\": \"raw\",\n"
"            \"backendtype\": null,\n"
"            \"script\": null,\n"
"            \"backend\": null,\n"
"            \"phy_prefix\": true\n"
"        }\n"
"    ],\n"
"    \"vif\": [\n"
"        {\n"
"            \"mac\": \"00:16:3e:00:00:01\",\n"
"            \"bridge\": \"br0\",\n"
"            \"ip\": null,\n"
"            \"rate\": null,\n"
"            \"type\": null,\n"
"            \"script\": null,\n"
"            \"vifname\": null,\n"
"            \"model\": null,\n"
"            \"backend\": null,\n"
"            \"mtu\": null\n"
"        }\n"
"    ],\n"
"    \"source\": \"TMP/dry.cfg\"\n"
"}\n";

static const char plan_text[] =
"Name                    ID  Mem(MiB)      Need    Target  VCPUs  Decision\n"
"g1                       1       512       623  512->623      2  uses 396 MiB, keeps 20% + 16 MiB available: needs 623 MiB; available 4 MiB < low water 8 MiB: grow at once; memory pressure 12.50% >= 10.00%: grow\n"
"guest-two                2       256         0       256      1  no policy matches: left alone\n";

static const char plan_json[] =
"{\n"
"    \"time\": 0,\n"
"    \"ticks\": 1,\n"
"    \"host_free_kb\": 7077888,\n"
"    \"host_reserve_kb\": 0,\n"
"    \"host_pending_kb\": 0,\n"
"    \"domains\": [\n"
"        {\n"
"            \"name\": \"g1\",\n"
"            \"domid\": 1,\n"
"            \"policy\": \"TMP/policy.d/10-g.policy\",\n"
"            \"memory_kb\": 524288,\n"
"            \"target_kb\": 524288,\n"
"            \"need_kb\": 637952,\n"
"            \"vcpus\": 2,\n"
"            \"signals\": {\n"
"                \"seq\": 1,\n"
"                \"mem_total_kb\": 409600,\n"
"                \"mem_available_kb\": 4096,\n"
"                \"psi_mem_some\": 1250,\n"
"                \"oom_kills\": 0,\n"
"                \"cpu_util\": 0,\n"
"                \"swap_in_pps\": 0\n"
"            },\n"
"            \"why\": \"uses 396 MiB, keeps 20% + 16 MiB available: needs 623 MiB; available 4 MiB < low water 8 MiB: grow at once; memory pressure 12.50% >= 10.00%: grow\",\n"
"            \"uncooperative\": false,\n"
"            \"runaway\": false,\n"
"            \"urgent\": true,\n"
"            \"oom_kills\": 0,\n"
"            \"rate_kb_s\": 0,\n"
"            \"horizon_ms\": 2000,\n"
"            \"margin_extra_kb\": 0,\n"
"            \"shrink_backoff\": 0,\n"
"            \"new_target_kb\": 637952,\n"
"            \"new_vcpus\": 0\n"
"        },\n"
"        {\n"
"            \"name\": \"guest-two\",\n"
"            \"domid\": 2,\n"
"            \"policy\": null,\n"
"            \"memory_kb\": 262144,\n"
"            \"target_kb\": 262144,\n"
"            \"need_kb\": 0,\n"
"            \"vcpus\": 1,\n"
"            \"signals\": null,\n"
"            \"why\": \"\",\n"
"            \"uncooperative\": false,\n"
"            \"runaway\": false,\n"
"            \"urgent\": false,\n"
"            \"oom_kills\": 0,\n"
"            \"rate_kb_s\": 0,\n"
"            \"horizon_ms\": 2000,\n"
"            \"margin_extra_kb\": 0,\n"
"            \"shrink_backoff\": 0,\n"
"            \"new_target_kb\": 0,\n"
"            \"new_vcpus\": 0\n"
"        }\n"
"    ]\n"
"}\n";

static const char saved_g1[] =
"{\n"
"    \"domid\": 1,\n"
"    \"uuid\": \"1a2b3c4d-0000-4000-8000-000000000001\",\n"
"    \"config\": {\n"
"        \"name\": \"g1\",\n"
"        \"type\": \"pv\",\n"
"        \"uuid\": \"1a2b3c4d-0000-4000-8000-000000000001\",\n"
"        \"kernel\": \"TMP/vmlinuz\",\n"
"        \"ramdisk\": null,\n"
"        \"cmdline\": null,\n"
"        \"bootloader\": null,\n"
"        \"bootloader_args\": null,\n"
"        \"memory\": 512,\n"
"        \"maxmem\": 2048,\n"
"        \"vcpus\": 2,\n"
"        \"maxvcpus\": 4,\n"
"        \"cpus\": null,\n"
"        \"cpus_soft\": null,\n"
"        \"cpu_weight\": null,\n"
"        \"cap\": 0,\n"
"        \"max_grant_frames\": null,\n"
"        \"max_maptrack_frames\": null,\n"
"        \"max_event_channels\": 1023,\n"
"        \"nomigrate\": false,\n"
"        \"on_poweroff\": \"destroy\",\n"
"        \"on_reboot\": \"restart\",\n"
"        \"on_crash\": \"destroy\",\n"
"        \"disk\": [\n"
"\n"
"        ],\n"
"        \"vif\": [\n"
"\n"
"        ],\n"
"        \"source\": \"test.cfg\"\n"
"    }\n"
"}\n";

static const char audit_log[] =
"{\"time\":0,\"time_ms\":0,\"action\":\"reloaded\",\"detail\":\"TMP/policy.d\"}\n"
"{\"time\":0,\"time_ms\":0,\"action\":\"grow-urgent\",\"from\":524288,\"to\":637952,\"host_free_kb\":7077888,\"write_ms\":0,\"name\":\"g1\",\"domid\":1,\"policy\":\"TMP/policy.d/10-g.policy\",\"memory_kb\":524288,\"target_kb\":524288,\"need_kb\":637952,\"vcpus\":2,\"signals\":{\"seq\":1,\"mem_total_kb\":409600,\"mem_available_kb\":4096,\"psi_mem_some\":1250,\"oom_kills\":0,\"cpu_util\":0,\"swap_in_pps\":0},\"why\":\"uses 396 MiB, keeps 20% + 16 MiB available: needs 623 MiB; available 4 MiB < low water 8 MiB: grow at once; memory pressure 12.50% >= 10.00%: grow\",\"uncooperative\":false,\"runaway\":false,\"urgent\":true,\"oom_kills\":0,\"rate_kb_s\":0,\"horizon_ms\":2000,\"margin_extra_kb\":0,\"shrink_backoff\":0}\n";

static const char audit_events[] =
"{\"time\":0,\"time_ms\":0,\"action\":\"reloaded\",\"detail\":\"TMP/policy.d\"}\n";

static const char status_json[] =
"{\n"
"    \"time\": 0,\n"
"    \"ticks\": 1,\n"
"    \"host_free_kb\": 7077888,\n"
"    \"host_reserve_kb\": 0,\n"
"    \"host_pending_kb\": 0,\n"
"    \"domains\": [\n"
"        {\n"
"            \"name\": \"g1\",\n"
"            \"domid\": 1,\n"
"            \"policy\": \"TMP/policy.d/10-g.policy\",\n"
"            \"memory_kb\": 524288,\n"
"            \"target_kb\": 637952,\n"
"            \"need_kb\": 637952,\n"
"            \"vcpus\": 2,\n"
"            \"signals\": {\n"
"                \"seq\": 1,\n"
"                \"mem_total_kb\": 409600,\n"
"                \"mem_available_kb\": 4096,\n"
"                \"psi_mem_some\": 1250,\n"
"                \"oom_kills\": 0,\n"
"                \"cpu_util\": 0,\n"
"                \"swap_in_pps\": 0\n"
"            },\n"
"            \"why\": \"uses 396 MiB, keeps 20% + 16 MiB available: needs 623 MiB; available 4 MiB < low water 8 MiB: grow at once; memory pressure 12.50% >= 10.00%: grow\",\n"
"            \"uncooperative\": false,\n"
"            \"runaway\": false,\n"
"            \"urgent\": true,\n"
"            \"oom_kills\": 0,\n"
"            \"rate_kb_s\": 0,\n"
"            \"horizon_ms\": 2000,\n"
"            \"margin_extra_kb\": 0,\n"
"            \"shrink_backoff\": 0,\n"
"            \"new_target_kb\": 637952,\n"
"            \"new_vcpus\": 0\n"
"        },\n"
"        {\n"
"            \"name\": \"guest-two\",\n"
"            \"domid\": 2,\n"
"            \"policy\": null,\n"
"            \"memory_kb\": 262144,\n"
"            \"target_kb\": 262144,\n"
"            \"need_kb\": 0,\n"
"            \"vcpus\": 1,\n"
"            \"signals\": null,\n"
"            \"why\": \"\",\n"
"            \"uncooperative\": false,\n"
"            \"runaway\": false,\n"
"            \"urgent\": false,\n"
"            \"oom_kills\": 0,\n"
"            \"rate_kb_s\": 0,\n"
"            \"horizon_ms\": 2000,\n"
"            \"margin_extra_kb\": 0,\n"
"            \"shrink_backoff\": 0,\n"
"            \"new_target_kb\": 0,\n"
"            \"new_vcpus\": 0\n"
"        }\n"
"    ]\n"
"}\n";

/* autoscale status: the file as a table (its first line, the time, is cut). */
static const char status_text[] =
"Name                    ID  Mem(MiB)      Need    Target  VCPUs  Decision\n"
"g1                       1       512       623       623      2  uses 396 MiB, keeps 20% + 16 MiB available: needs 623 MiB; available 4 MiB < low water 8 MiB: grow at once; memory pressure 12.50% >= 10.00%: grow\n"
"guest-two                2       256         0       256      1  no policy matches: left alone\n";

/* --- the printer: list, list -l, text and JSON --- */

static void test_list(void **state)
{
	struct fx *f = *state;
	uint32_t d1, d2;

	two_guests(f, &d1, &d2);
	expect(f, run(f, 0, "list"), list_text, "list");
	expect(f, run(f, 0, "list --json"), list_json, "list_json");
	expect(f, run(f, 0, "list --config"), list_long, "list --config");
	expect(f, run(f, 0, "list --config --json guest-two"), list_long_json,
	       "list --config --json");
	/* xl's -l is JSON with the config */
	expect(f, run(f, 0, "list -l guest-two"), list_long_json, "list -l");
	expect(f, run(f, 0, "list -v"), list_verbose, "list -v");
}

/* The other printer users: the host, vCPUs, a domain's devices. */
static void test_printer(void **state)
{
	struct fx *f = *state;
	uint32_t d1, d2;

	two_guests(f, &d1, &d2);
	expect(f, run(f, 0, "info"), info_text, "info");
	expect(f, run(f, 0, "info --json"), info_json, "info_json");
	expect(f, run(f, 0, "vcpu-list g1"), vcpu_text, "vcpu");
	expect(f, run(f, 0, "vcpu-list --json g1"), vcpu_json, "vcpu_json");
	expect(f, run(f, 0, "block-list --json g1"), block_json, "block_json");
}

/* create --dry-run: the config as JSON, nothing created. */
static void test_dry_run(void **state)
{
	struct fx *f = *state;
	char *cfg = pv_asprintf("name = 'dry'\nkernel = '%s/vmlinuz'\n"
				"uuid = '" UUID1 "'\nmemory = 300\n"
				"extra = 'quiet \\\"x\\\" caf\\xc3\\xa9'\n"
				"disk = [ 'phy:/dev/vg/dry,xvda,w' ]\n"
				"vif = [ 'mac=00:16:3e:00:00:01,bridge=br0' ]\n"
				"bootloader_args = [ '-q', '--x=1' ]\n", f->tmp);

	fx_put_file(f, "dry.cfg", cfg);
	free(cfg);
	expect(f, run(f, 0, "create --dry-run %s/dry.cfg", f->tmp), dry_run,
	       "dry_run");
	assert_int_equal(pv_sim_domain_count(f->s), 1);
}

/* --- autoscale plan --- */

static void test_plan(void **state)
{
	struct fx *f = *state;
	uint32_t d1, d2;

	two_guests(f, &d1, &d2);
	expect(f, run(f, 0, "autoscale -p %s/policy.d plan", f->tmp),
	       plan_text, "plan");
	expect(f, run(f, 0, "autoscale -p %s/policy.d plan --json", f->tmp),
	       plan_json, "plan_json");
}

/*
 * Arguments are checked from the table before anything runs: too few,
 * too many, an unknown option or action is a usage error (2); a DOMAIN
 * that does not exist is a failure (1), never a listing of all.
 */
static void test_usage_errors(void **state)
{
	struct fx *f = *state;
	static const char *const usage[] = {
		"destroy", "destroy a b", "list --bogus", "autoscale bogus",
		"autoscale", "autoscale plan extra", "info foo", "shell foo",
		"help list extra", "monitor x", "vcpu-pin g1 0", "uptime -x",
		"console --timeout", "rename g1",
	};
	uint32_t d1, d2;
	size_t i;

	two_guests(f, &d1, &d2);
	for (i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
		char *out = run(f, 2, "%s", usage[i]);

		assert_string_equal(out, "");
		if (!strstr(last_stderr, "usage: pvctl "))
			fail_msg("'%s': no usage in '%s'", usage[i], last_stderr);
		free(out);
	}
	free(run(f, 1, "uptime nosuch"));
	free(run(f, 1, "uptime g1 nosuch"));
	expect(f, run(f, 0, "uptime --json guest-two"),
	       "[\n    {\n        \"name\": \"guest-two\",\n        \"domid\": 2,\n"
	       "        \"uptime_s\": 0\n    }\n]\n", "uptime guest-two");
}

/* Runs @cmd with stdin from /dev/null: a console must not read the test's terminal. */
static char *run_no_stdin(struct fx *f, int want_rc, const char *cmd)
{
	int saved = dup(STDIN_FILENO), null = open("/dev/null", O_RDONLY);
	char *out;

	assert_true(saved >= 0 && null >= 0);
	dup2(null, STDIN_FILENO);
	close(null);
	out = run(f, want_rc, "%s", cmd);
	dup2(saved, STDIN_FILENO);
	close(saved);
	return out;
}

/* A pty standing in for xenconsoled's: its master, the slave named as @domid's console/tty. */
static int fake_console(struct fx *f, uint32_t domid)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), sl;
	struct termios t;
	char *path;

	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	/* raw now, so that what the guest writes waits for the console as it is */
	sl = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(sl >= 0);
	assert_int_equal(tcgetattr(sl, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(sl, TCSANOW, &t), 0);
	close(sl);
	path = pv_asprintf("/local/domain/%u/console/tty", domid);
	assert_int_equal(xs_put(f, path, ptsname(m)), 0);
	free(path);
	return m;
}

#define GUEST_OUTPUT "ok \x1b]0;pwned\x07 caf\xc3\xa9 \xc2\x9b" "2J\xff\n"

/*
 * The console: what the guest writes, shown safe (--safe; the default on
 * a terminal) or as it is (--raw; the default otherwise); xl's -t.
 */
static void test_console(void **state)
{
	struct fx *f = *state;
	uint32_t d1, d2;
	int m;

	two_guests(f, &d1, &d2);
	m = fake_console(f, d1);
	assert_int_equal(write(m, GUEST_OUTPUT, sizeof(GUEST_OUTPUT) - 1),
			 (ssize_t)sizeof(GUEST_OUTPUT) - 1);
	expect(f, run_no_stdin(f, 0, "console --safe --timeout 1 g1"),
	       "ok ^[]0;pwned^G caf\xc3\xa9 \\xc2\\x9b2J\\xff\n", "console --safe");
	assert_int_equal(write(m, GUEST_OUTPUT, sizeof(GUEST_OUTPUT) - 1),
			 (ssize_t)sizeof(GUEST_OUTPUT) - 1);
	expect(f, run_no_stdin(f, 0, "console -t pv --timeout 1 g1"), GUEST_OUTPUT,
	       "console, not on a terminal: raw");
	close(m);
	free(run(f, 2, "console -t serial g1"));
	assert_non_null(strstr(last_stderr, "a PV guest has only its PV console"));
	free(run(f, 2, "console --type=vnc g1"));
}

/* Control characters made visible, a UTF-8 sequence split between reads. */
static void test_safe_text(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain text\r\n\t", "plain text\r\n\t" },
		{ "\x1b[2J\x07\x7f\x08", "^[[2J^G^?^H" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" },
		{ "\xc2\x85\xc2\xa0", "\\xc2\\x85\xc2\xa0" },	/* NEL is C1 */
		{ "\x9b\xc0\xaf\xed\xa0\x80", "\\x9b\\xc0\\xaf\\xed\\xa0\\x80" },
		{ "\xe2\x82x", "\\xe2\\x82x" },
	};
	struct pv_safe_text st = { { 0 }, 0, 0 };
	struct pv_buf b = PV_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pv_cli_safe_text(&st, cases[i].in, strlen(cases[i].in), &b);
		pv_cli_safe_text_end(&st, &b);
		assert_string_equal(b.s, cases[i].out);
		pv_buf_reset(&b);
	}
	/* € cut after its first byte, then after its second */
	pv_cli_safe_text(&st, "\xe2", 1, &b);
	pv_cli_safe_text(&st, "\x82", 1, &b);
	assert_int_equal(b.len, 0);
	pv_cli_safe_text(&st, "\xac!", 2, &b);
	assert_string_equal(b.s, "\xe2\x82\xac!");
	pv_buf_reset(&b);
	pv_cli_safe_text(&st, "\xe2", 1, &b);
	pv_cli_safe_text_end(&st, &b);
	assert_string_equal(b.s, "\\xe2");
	pv_buf_dispose(&b);
}

/* xl's spellings: create -p and -e, destroy -f, shutdown -F, vcpu-pin's SOFT. */
static void test_xl_spellings(void **state)
{
	struct fx *f = *state;
	struct pv_dominfo info;
	struct pv_err err;
	char *cfg = pv_asprintf("name = 'p1'\nkernel = '%s'\nmemory = 128\n",
				f->kernel);
	uint32_t d1, d2, domid;

	two_guests(f, &d1, &d2);
	fx_put_file(f, "p1.cfg", cfg);
	free(cfg);
	free(run(f, 0, "create -e -p -q %s/p1.cfg", f->tmp));
	pv_err_init(&err);
	assert_int_equal(pv_domain_lookup(&f->ctx, "p1", &domid, &err), 0);
	pv_err_dispose(&err);
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	assert_true(info.paused);
	free(run(f, 0, "unpause p1"));
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	assert_false(info.paused);

	free(run(f, 1, "destroy -f 0"));
	assert_non_null(strstr(last_stderr, "not destroying Domain-0, even with -f"));
	free(run(f, 0, "destroy -f p1"));
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), -ESRCH);

	free(run(f, 0, "shutdown -F g1"));
	assert_non_null(strstr(last_stderr, "-F (ACPI fallback) does nothing"));

	free(run(f, 0, "vcpu-pin g1 1 - 2,3"));
	free(run(f, 0, "vcpu-pin g1 all 0-2"));
	free(run(f, 2, "vcpu-pin g1 0 - -"));
	free(run(f, 1, "vcpu-pin g1 9 0"));
	expect(f, run(f, 0, "vcpu-list g1"),
	       "Name                                ID  VCPU   CPU State   Time(s)  Affinity (Hard / Soft)\n"
	       "g1                                   1     0     0   r--       0.0  0-2 / all\n"
	       "g1                                   1     1     1   r--       0.0  0-2 / 2-3\n"
	       "g1                                   1     2     2   r--       0.0  0-2 / all\n"
	       "g1                                   1     3     3   r--       0.0  0-2 / all\n",
	       "vcpu-list after vcpu-pin");
}

/* The shell's words: POSIX quoting, comments, errors for open quotes. */
static void test_shell_words(void **state)
{
	static const struct { const char *line; const char *words; } cases[] = {
		{ "create -n x.cfg 'memory=512'", "create|-n|x.cfg|memory=512|" },
		{ "  a\tb  ", "a|b|" },
		{ "name=\"a b\" x", "name=a b|x|" },
		{ "'it''s' \"q\\\"d\" \"\\n\" back\\ slash", "its|q\"d|\\n|back slash|" },
		{ "'' x \"\"", "|x||" },
		{ "a # comment 'open", "a|" },
		{ "a#b", "a#b|" },
		{ "", "" },
	};
	const char *why;
	size_t i;
	int n, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char **w = pv_cli_split_line(cases[i].line, false, &n, &why);
		struct pv_buf b = PV_BUF_INIT;

		assert_non_null(w);
		pv_buf_add(&b, "", 0);
		for (j = 0; j < n; j++)
			pv_buf_printf(&b, "%s|", w[j]);
		assert_null(w[n]);
		if (strcmp(b.s, cases[i].words))
			fail_msg("'%s': '%s', not '%s'", cases[i].line, b.s,
				 cases[i].words);
		pv_buf_dispose(&b);
		for (j = 0; j < n; j++)
			free(w[j]);
		free(w);
	}
	assert_null(pv_cli_split_line("help 'list", false, &n, &why));
	assert_string_equal(why, "no closing '");
	assert_null(pv_cli_split_line("a \"b", false, &n, &why));
	assert_string_equal(why, "no closing \"");
	/* completion sees the word being typed */
	{
		char **w = pv_cli_split_line("create 'my f", true, &n, &why);

		assert_int_equal(n, 2);
		assert_string_equal(w[1], "my f");
		free(w[0]);
		free(w[1]);
		free(w);
	}
}

/* The shell from a script: every line runs; the status is the last failure's. */
static void test_shell_script(void **state)
{
	struct fx *f = *state;
	char *in = fx_path(f, "script"), *out;
	struct pv_dominfo info;
	uint32_t d1, d2;
	int saved, fd;

	two_guests(f, &d1, &d2);
	fx_put_file(f, "script", "pause g1\ndestroy nosuch\nhelp 'x\n"
		    "domid \"guest-two\"\nshell\nunpause g1 # done\n");
	saved = dup(STDIN_FILENO);
	fd = open(in, O_RDONLY);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	out = run(f, 2, "shell");
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_string_equal(out, "2\n");
	assert_non_null(strstr(last_stderr, "line 3: no closing '"));
	assert_non_null(strstr(last_stderr, "already in the shell"));
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, d1, &info), 0);
	assert_false(info.paused);	/* the last line ran too */
	free(out);
	free(in);
}

/* autoscale check: policies without Xen; each bad file named at its line. */
static void test_autoscale_check(void **state)
{
	struct fx *f = *state;
	char *dir = fx_path(f, "p.d");

	assert_int_equal(mkdir(dir, 0700), 0);
	free(dir);
	fx_put_file(f, "p.d/host.policy", "interval = 5\n");
	fx_put_file(f, "p.d/10-a.policy", "match = 'a*'\nmemory_min = 64m\n");
	fx_put_file(f, "p.d/.10-a.policy.swp", "junk");
	expect(f, run(f, 0, "autoscale check %s/p.d", f->tmp),
	       "TMP/p.d: ok: 1 domain policy\n", "check dir");
	expect(f, run(f, 0, "autoscale -p %s/p.d check", f->tmp),
	       "TMP/p.d: ok: 1 domain policy\n", "check -p");
	expect(f, run(f, 0, "autoscale check %s/p.d/10-a.policy", f->tmp),
	       "TMP/p.d/10-a.policy: ok\n", "check file");
	fx_put_file(f, "p.d/20-b.policy", "match = 'b'\nheadroom = lots\n");
	fx_put_file(f, "p.d/30-c.policy", "match = 'c'\ncolour = 'red'\n");
	expect(f, run(f, 1, "autoscale check %s/p.d", f->tmp), "", "check bad");
	expect(f, pv_strdup(last_stderr),
	       "TMP/p.d/20-b.policy:2:12: headroom: bare word 'lots' is not a "
	       "value; quote strings, as in \"lots\"\n"
	       "TMP/p.d/30-c.policy:2:1: colour: unknown key\n", "check errors");
	free(run(f, 1, "autoscale check %s/nosuch", f->tmp));
}

/* --- the saved state: written, read back, written again the same --- */

static void test_saved_state(void **state)
{
	struct fx *f = *state;
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t d1, d2;
	char *path;

	two_guests(f, &d1, &d2);
	path = pv_asprintf("%s/state/domains/%u.json", f->tmp, d1);
	expect(f, read_all(path), saved_g1, "saved_g1");
	pv_domain_config_init(&c);
	pv_err_init(&err);
	assert_int_equal(pv_domain_config_load(&f->ctx, d1, &c, &err), 0);
	assert_int_equal(pv_domain_config_save(&f->ctx, d1, NULL, &c, &err), 0);
	pv_err_dispose(&err);
	pv_domain_config_dispose(&c);
	expect(f, read_all(path), saved_g1, "saved_g1 again");
	free(path);
}

/* --- the loop: audit lines (events too) and the status file --- */

static char *events;

static void on_event(void *arg, const char *json)
{
	char *more = pv_asprintf("%s%s\n", events ? events : "", json);

	free(events);
	events = more;
}

static void stop_when_idle(struct pv_sim *s, void *arg)
{
	*(volatile int *)arg = 1;
}

static void test_loop_output(void **state)
{
	struct fx *f = *state;
	struct pv_autoscale as;
	volatile int stop = 0, reload = 1;
	struct pv_err err;
	char *dir = fx_path(f, "policy.d"), *path, *out, *first_line;
	uint32_t d1, d2;

	two_guests(f, &d1, &d2);
	pv_err_init(&err);
	assert_int_equal(pv_autoscale_init(&as, &f->ctx, dir, &err), 0);
	as.event = on_event;
	pv_sim_on_idle(f->s, stop_when_idle, (void *)&stop);
	assert_int_equal(pv_autoscale_run(&as, &stop, &reload, &err), 0);
	pv_sim_on_idle(f->s, NULL, NULL);
	pv_err_dispose(&err);
	pv_autoscale_dispose(&as);
	path = fx_path(f, "audit");
	expect(f, read_all(path), audit_log, "audit");
	free(path);
	expect(f, events, audit_events, "events");
	events = NULL;
	path = fx_path(f, "run/autoscale.json");
	expect(f, read_all(path), status_json, "status_file");
	free(path);
	expect(f, run(f, 0, "autoscale status --json"), status_json,
	       "status --json");
	out = run(f, 0, "autoscale status");
	first_line = strchr(out, '\n');
	assert_non_null(first_line);
	*first_line = '\0';
	/* "Tick 1 at DATE TIME (Ns ago); host free 6912 MiB, ..." */
	if (strncmp(out, "Tick 1 at ", 10) || !strstr(out, "s ago); host free 6912 MiB, "
	    "reserve 0 MiB, promised to creates 0 MiB"))
		fail_msg("status: first line '%s'", out);
	assert_int_equal(first_line[1], '\n');
	expect(f, pv_strdup(first_line + 2), status_text, "status");
	free(out);
	free(dir);
}

/* --- the writer itself --- */

/*
 * Options are bound by name (pvctl.h's enums index cmdtable.c's arrays):
 * an enum value with no entry leaves a hole, which would end the array
 * early; each array must hold exactly its count, all named, then its end.
 */
static void test_option_tables(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < pv_ncommands; i++) {
		const struct pv_cmd *c = &pv_commands[i];

		assert_true(c->nopts <= PV_MAX_OPTS);
		for (j = 0; j < c->nopts; j++) {
			if (!c->opts[j].long_name)
				fail_msg("%s: option %u has no name", c->name, j);
			assert_non_null(c->opts[j].help);
		}
		assert_null(c->opts[c->nopts].long_name);
		assert_int_equal(c->opts[c->nopts].short_name, 0);
	}
	/* Spot checks: the enum names the option the handler means. */
	assert_string_equal(pv_cmd_find("shutdown")->opts[SD_DESTROY].long_name, "destroy-after");
	assert_string_equal(pv_cmd_find("reboot")->opts[SD_ACPI].long_name, "acpi-fallback");
	assert_string_equal(pv_cmd_find("console")->opts[CONSOLE_RAW].long_name, "raw");
	assert_string_equal(pv_cmd_find("create")->opts[CREATE_PAUSED].long_name, "paused");
	assert_string_equal(pv_cmd_find("autoscale")->opts[AS_INTERVAL].long_name, "interval");
	assert_string_equal(pv_cmd_find("list")->opts[LIST_LONG].long_name, "long");
	assert_string_equal(pv_cmd_find("list")->opts[LIST_CONFIG].long_name, "config");
	assert_string_equal(pv_cmd_find("block-detach")->opts[DETACH_TIMEOUT].long_name, "timeout");
}

/* How many arguments each command takes comes from its usage's words. */
static void test_args_range(void **state)
{
	static const struct { const char *cmd; int min, max; } want[] = {
		{ "destroy", 1, 1 }, { "list", 0, -1 }, { "create", 1, -1 },
		{ "info", 0, 0 }, { "help", 0, 1 }, { "rename", 2, 2 },
		{ "autoscale", 1, 2 }, { "network-attach", 1, -1 },
		{ "block-attach", 2, -1 }, { "restore", 1, 2 },
	};
	size_t i;
	int min, max;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		pv_cli_args_range(pv_cmd_find(want[i].cmd), &min, &max);
		if (min != want[i].min || max != want[i].max)
			fail_msg("%s: %d..%d arguments, not %d..%d", want[i].cmd,
				 min, max, want[i].min, want[i].max);
	}
	/* Every usage's brackets close. */
	for (i = 0; i < pv_ncommands; i++) {
		const char *a = pv_commands[i].args;
		int depth = 0;

		for (; *a; a++) {
			depth += *a == '[' ? 1 : *a == ']' ? -1 : 0;
			assert_true(depth >= 0);
		}
		assert_int_equal(depth, 0);
	}
}

static void test_jsonw(void **state)
{
	struct pv_jw w;
	const char *text;
	size_t len;

	pv_jw_init(&w, false);
	pv_jw_map_open(&w, NULL);
	pv_jw_str(&w, "s", "a\"b\\c\n\x01 caf\xc3\xa9");
	pv_jw_str(&w, "none", NULL);
	pv_jw_num(&w, "big", UINT64_C(1) << 53);
	pv_jw_int(&w, "neg", -42);
	pv_jw_num_or_null(&w, "set", 7);
	pv_jw_num_or_null(&w, "unset", 0);
	pv_jw_double(&w, "d", 0.5);
	pv_jw_number(&w, "pct", "12.5");
	pv_jw_bool(&w, "t", true);
	pv_jw_null(&w, "n");
	pv_jw_array_open(&w, "a");
	pv_jw_str(&w, NULL, "x");
	pv_jw_num(&w, NULL, 1);
	pv_jw_map_open(&w, NULL);
	pv_jw_map_close(&w);
	pv_jw_array_close(&w);
	pv_jw_key(&w, "nested");
	pv_jw_map_open(&w, NULL);
	pv_jw_map_close(&w);
	pv_jw_map_close(&w);
	assert_false(w.bad);
	text = pv_jw_text(&w, &len);
	assert_string_equal(text, "{\"s\":\"a\\\"b\\\\c\\n\\u0001 caf\xc3\xa9\","
			    "\"none\":null,\"big\":9007199254740992,\"neg\":-42,"
			    "\"set\":7,\"unset\":null,\"d\":0.5,\"pct\":12.5,"
			    "\"t\":true,\"n\":null,\"a\":[\"x\",1,{}],"
			    "\"nested\":{}}");
	assert_int_equal(len, strlen(text));
	/* A failure stays: a value with no key in a map, then good calls. */
	pv_jw_dispose(&w);
	pv_jw_init(&w, true);
	pv_jw_map_open(&w, NULL);
	pv_jw_num(&w, NULL, 1);
	assert_true(w.bad);
	pv_jw_num(&w, "k", 1);
	pv_jw_map_close(&w);
	assert_true(w.bad);
	pv_jw_dispose(&w);
	/* Pretty: indented, ending in a newline. */
	pv_jw_init(&w, true);
	pv_jw_array_open(&w, NULL);
	pv_jw_bool(&w, NULL, false);
	pv_jw_array_close(&w);
	assert_string_equal(pv_jw_text(&w, &len), "[\n    false\n]\n");
	pv_jw_dispose(&w);
}

/* --- a damaged saved config: marked by list, an error for list -l, rename --- */

static const char list_damaged[] =
"Name                                        ID   Mem VCPUs\tState\tTime(s)\n"
"Domain-0                                     0   512     4     r-----       0.0\n"
"g1                                           1   512     4     r-----       0.0"
"  config error: TMP/state/domains/1.json: not a pvctl domain file\n"
"guest-two                                    2   256     1     r-----       0.0\n";

static const char list_long_damaged[] =
"Name                                        ID   Mem VCPUs\tState\tTime(s)\n"
"g1                                           1   512     4     r-----       0.0"
"  config error: TMP/state/domains/1.json: not a pvctl domain file\n"
"guest-two                                    2   256     1     r-----       0.0\n"
"    kernel TMP/vmlinuz, memory 256 MiB (max 256), vcpus 1 (max 1)\n";

static void test_list_damaged_config(void **state)
{
	struct fx *f = *state;
	char *path, *out;
	uint32_t d1, d2;

	two_guests(f, &d1, &d2);
	fx_put_file(f, "state/domains/1.json", "{\"domid\": 1, \"uuid\": \"1a2b");
	expect(f, run(f, 0, "list"), list_damaged, "list_damaged");
	out = mask(f, run(f, 0, "list --json"));
	if (!strstr(out, "        \"max_vcpu_id\": 3,\n        \"config_error\": "
		    "\"TMP/state/domains/1.json: not a pvctl domain file\"\n"))
		fail_msg("no config_error for g1 in:\n%s", out);
	assert_int_equal(strstr(strstr(out, "config_error") + 1, "config_error"),
			 NULL);
	free(out);
	/* -l asked for what cannot be had: the others are shown, it fails. */
	expect(f, run(f, PV_EXIT_FAIL, "list --config g1 guest-two"),
	       list_long_damaged, "list_long_damaged");
	out = mask(f, run(f, PV_EXIT_FAIL, "list -l g1"));
	if (!strstr(out, "        \"config\": null,\n        \"config_error\": "
		    "\"TMP/state/domains/1.json: not a pvctl domain file\"\n"))
		fail_msg("no config_error for g1 in:\n%s", out);
	free(out);
	/*
	 * A rename could not carry the new name into the file a restart
	 * reads: refused, nothing changed.
	 */
	free(run(f, PV_EXIT_FAIL, "rename g1 g1-new"));
	fx_assert_str(fx_dom_get(f, d1, "name"), "g1", "name after a refused rename");
	path = fx_path(f, "state/domains/1.json");
	out = read_all(path);
	assert_string_equal(out, "{\"domid\": 1, \"uuid\": \"1a2b");
	free(out);
	free(path);
	/* The others are untouched by it. */
	free(run(f, 0, "rename guest-two g2"));
	fx_assert_str(fx_dom_get(f, d2, "name"), "g2", "name after rename");
}

/* The monitor's log is 0640 in a 0700 directory, whatever the umask. */
static void test_monitor_log_mode(void **state)
{
	struct fx *f = *state;
	char *log = fx_path(f, "log/monitor.log"), *dir = fx_path(f, "log");
	struct stat st;
	mode_t old;

	old = umask(0);
	free(run(f, 0, "monitor --idle-exit"));
	umask(old);
	assert_int_equal(stat(log, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	free(dir);
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonw),
		cmocka_unit_test(test_option_tables),
		cmocka_unit_test(test_args_range),
		cmocka_unit_test_setup_teardown(test_list, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_printer, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_plan, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_usage_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_console, fx_setup, fx_teardown),
		cmocka_unit_test(test_safe_text),
		cmocka_unit_test(test_shell_words),
		cmocka_unit_test_setup_teardown(test_shell_script, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_xl_spellings, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_autoscale_check, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_saved_state, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_loop_output, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_list_damaged_config, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_monitor_log_mode, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
