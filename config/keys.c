/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keys.c: what pvctl does with every xl.cfg key it does not honour:
 * refuses the config, naming key, file and line and saying why, or, for
 * a key that has no effect on a PV guest (xl ignores it for PV too),
 * warns and goes on. Nothing in a config is dropped silently.
 *
 * The keys are those Xen 4.17's xl reads (tools/xl/xl_parse.c), and a
 * few of later xl's. man/pvctl-xl.cfg.5 lists the same: test_xlcfg
 * checks the page against pv_xlcfg_keys().
 */
#include <stdlib.h>
#include <string.h>

#include "xlcfg_i.h"

struct key_rule {
	const char *name;
	enum pv_xlcfg_key_use use;
	const char *why;
};

#define REFUSE(name, why)	{ name, PV_KEY_REFUSED, why }
#define IGNORE(name, why)	{ name, PV_KEY_IGNORED, why }

static const char hvm[] = "HVM only: no effect on a PV guest (xl ignores "
			  "it for PV too)";
static const char hvm_display[] = "an HVM display: no effect on a PV guest, "
				  "whose display would be vfb (refused)";
static const char qemu[] = "configures QEMU, which pvctl never runs for a "
			   "PV guest";
static const char pci[] = "PCI passthrough is not supported by pvctl";
static const char passthrough[] = "hardware passthrough is not supported "
				  "by pvctl";
static const char xsm[] = "XSM (FLASK) labels are not supported by pvctl";
static const char arm[] = "an Arm option: pvctl runs x86 PV guests";
static const char rtds[] = "RTDS and ARINC653 parameters are not supported: "
			   "pvctl sets the credit and credit2 schedulers' "
			   "cpu_weight and cap";
static const char needs_qemu[] = "the device needs QEMU as its backend, "
				 "which pvctl does not run";
static const char newer[] = "a later xl's option, not supported by pvctl";

/* Sorted by name (pv_xlcfg_keys() merges them with the honoured keys). */
static const struct key_rule rules[] = {
	IGNORE("acpi", hvm),
	IGNORE("acpi_firmware", hvm),
	IGNORE("acpi_laptop_slate", hvm),
	IGNORE("acpi_s3", hvm),
	IGNORE("acpi_s4", hvm),
	IGNORE("altp2m", hvm),
	IGNORE("altp2mhvm", hvm),
	IGNORE("apic", hvm),
	IGNORE("bios", hvm),
	IGNORE("bios_path_override", hvm),
	IGNORE("boot", hvm),
	REFUSE("bootloader_restrict", newer),
	REFUSE("bootloader_user", newer),
	REFUSE("channel", needs_qemu),
	REFUSE("cpuid", "CPUID policies are not supported by pvctl: guests "
	       "see Xen's default policy"),
	IGNORE("device_model", qemu),
	IGNORE("device_model_args", qemu),
	IGNORE("device_model_override", qemu),
	IGNORE("device_model_stubdomain_override", qemu),
	IGNORE("device_model_stubdomain_seclabel", qemu),
	IGNORE("device_model_user", qemu),
	IGNORE("device_model_version", qemu),
	REFUSE("device_tree", arm),
	REFUSE("disable_migrate", "libxl's name, not an xl.cfg key: write "
	       "nomigrate = 1"),
	IGNORE("display", hvm_display),
	IGNORE("dm_restrict", qemu),
	REFUSE("driver_domain", "driver domains are not supported by pvctl: "
	       "dom0 serves every device"),
	REFUSE("dtdev", arm),
	REFUSE("e820_host", "needs PCI passthrough, which pvctl does not "
	       "support"),
	REFUSE("extratime", rtds),
	IGNORE("firmware_override", hvm),
	IGNORE("gfx_passthru", hvm),
	REFUSE("gic_version", arm),
	IGNORE("hap", hvm),
	IGNORE("hdtype", hvm),
	IGNORE("hpet", hvm),
	REFUSE("init_seclabel", xsm),
	REFUSE("iomem", passthrough),
	REFUSE("ioports", passthrough),
	REFUSE("irqs", passthrough),
	IGNORE("keymap", hvm_display),
	REFUSE("latency", rtds),
	REFUSE("llc_colors", newer),
	REFUSE("localtime", "a guest clock offset is not supported by pvctl: "
	       "a PV guest keeps UTC"),
	REFUSE("max_grant_version", "not supported by pvctl: guests get grant "
	       "table version 1"),
	IGNORE("mca_caps", hvm),
	IGNORE("mmio_hole", hvm),
	IGNORE("ms_vm_genid", hvm),
	REFUSE("msr_relaxed", "not supported by pvctl: guests get Xen's "
	       "default MSR policy"),
	IGNORE("nestedhvm", hvm),
	IGNORE("nographic", hvm_display),
	IGNORE("nx", hvm),
	REFUSE("on_soft_reset", "soft reset is not supported by pvctl"),
	REFUSE("on_watchdog", "pvctl has no watchdog action: a guest's "
	       "watchdog shutdown is handled as on_crash"),
	IGNORE("oos", hvm),
	IGNORE("opengl", hvm_display),
	REFUSE("p9", needs_qemu),
	IGNORE("pae", hvm),
	REFUSE("passthrough", passthrough),
	REFUSE("pci", pci),
	REFUSE("pci_msitranslate", pci),
	REFUSE("pci_permissive", pci),
	REFUSE("pci_power_mgmt", pci),
	REFUSE("pci_seize", pci),
	REFUSE("period", rtds),
	REFUSE("pool", "CPU pools are not supported by pvctl: guests run in "
	       "Pool-0"),
	REFUSE("pvcalls", "PV calls need a backend pvctl does not provide"),
	REFUSE("pvshim", "runs a PV kernel inside a PVH shim: pvctl runs PV "
	       "guests directly"),
	REFUSE("pvshim_cmdline", "configures the PVH shim (pvshim), which "
	       "pvctl does not run"),
	REFUSE("pvshim_extra", "configures the PVH shim (pvshim), which "
	       "pvctl does not run"),
	REFUSE("pvshim_path", "configures the PVH shim (pvshim), which "
	       "pvctl does not run"),
	IGNORE("rdm", hvm),
	IGNORE("rdm_mem_boundary", hvm),
	REFUSE("rtc_timeoffset", "a guest clock offset is not supported by "
	       "pvctl: a PV guest keeps UTC"),
	IGNORE("sdl", hvm_display),
	REFUSE("seclabel", xsm),
	IGNORE("serial", hvm),
	IGNORE("shadow_memory", hvm),
	REFUSE("slice", rtds),
	IGNORE("smbios_firmware", hvm),
	IGNORE("soundhw", hvm),
	IGNORE("spice", hvm_display),
	IGNORE("spice_clipboard_sharing", hvm_display),
	IGNORE("spice_image_compression", hvm_display),
	IGNORE("spice_streaming_video", hvm_display),
	IGNORE("spiceagent_mouse", hvm_display),
	IGNORE("spicedisable_ticketing", hvm_display),
	IGNORE("spicehost", hvm_display),
	IGNORE("spicepasswd", hvm_display),
	IGNORE("spiceport", hvm_display),
	IGNORE("spicetls_port", hvm_display),
	IGNORE("spiceusbredirection", hvm_display),
	IGNORE("spicevdagent", hvm_display),
	IGNORE("stdvga", hvm),
	IGNORE("stubdomain_cmdline", qemu),
	IGNORE("stubdomain_kernel", qemu),
	IGNORE("stubdomain_memory", qemu),
	IGNORE("stubdomain_ramdisk", qemu),
	REFUSE("tee", arm),
	IGNORE("timer_mode", hvm),
	REFUSE("trap_unmapped_accesses", newer),
	REFUSE("tsc_mode", "not supported by pvctl: guests get Xen's default "
	       "TSC mode"),
	IGNORE("usb", hvm),
	REFUSE("usbctrl", "PV USB is not supported by pvctl"),
	REFUSE("usbdev", "PV USB is not supported by pvctl"),
	IGNORE("usbdevice", hvm),
	IGNORE("usbversion", hvm),
	REFUSE("vdispl", "virtual displays need a backend pvctl does not "
	       "provide"),
	IGNORE("vendor_device", hvm),
	REFUSE("vfb", "virtual framebuffers need QEMU as their backend, "
	       "which pvctl does not run"),
	IGNORE("vga", hvm),
	IGNORE("videoram", hvm),
	IGNORE("vif2", "netchannel2 is long gone; xl ignores it too"),
	IGNORE("viridian", hvm),
	REFUSE("virtio", newer),
	REFUSE("vkb", needs_qemu),
	IGNORE("vkb_device", hvm),
	REFUSE("vmtrace_buf_kb", "processor tracing is not supported by pvctl"),
	IGNORE("vnc", hvm_display),
	IGNORE("vncdisplay", hvm_display),
	IGNORE("vnclisten", hvm_display),
	IGNORE("vncpasswd", hvm_display),
	IGNORE("vncunused", hvm_display),
	IGNORE("vncviewer", "xl ignores it too: it was xm's"),
	REFUSE("vnuma", "virtual NUMA is not supported by pvctl"),
	REFUSE("vpmu", "not supported by pvctl: guests get no virtual PMU"),
	IGNORE("vpt_align", hvm),
	REFUSE("vscsi", "PV SCSI is not supported by pvctl"),
	REFUSE("vsnd", "virtual sound needs a backend pvctl does not provide"),
	REFUSE("vtpm", "virtual TPMs need a vTPM stub domain, which pvctl "
	       "does not run"),
	REFUSE("vuart", arm),
	IGNORE("xauthority", hvm_display),
	IGNORE("xen_platform_pci", hvm),
	REFUSE("xend_suspend_evtchn_compat", "xend's suspend event channel "
	       "is not supported by pvctl"),
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct key_rule *)a)->name,
		      ((const struct key_rule *)b)->name);
}

static const struct key_rule *rule(const char *key)
{
	struct key_rule want = { key, PV_KEY_REFUSED, NULL };

	return bsearch(&want, rules, NRULES, sizeof(rules[0]), by_name);
}

const struct key_handler *xlcfg_key_handler(const struct key_handler *table,
					    const char *key)
{
	for (; table->key; table++)
		if (!strcmp(table->key, key))
			return table;
	return NULL;
}

int xlcfg_apply_key(struct cfg_ctx *x, const struct cfg_setting *s)
{
	const struct key_handler *h = xlcfg_key_handler(xlcfg_handlers, s->key);
	const struct key_rule *r;
	char *msg;

	if (h)
		return h->fn(x, s);
	r = rule(s->key);
	if (r && r->use == PV_KEY_REFUSED)
		return xlcfg_value_error(x, s, s->value, "%s", r->why);
	msg = r ? pv_asprintf("ignored: %s", r->why) :
		  pv_strdup("unknown key, ignored");
	xlcfg_warn(x, &s->key_loc, s->key, msg);
	free(msg);
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pv_xlcfg_key *)a)->name,
		      ((const struct pv_xlcfg_key *)b)->name);
}

size_t pv_xlcfg_keys(struct pv_xlcfg_key **keys)
{
	const struct key_handler *h;
	struct pv_xlcfg_key *k;
	size_t n = NRULES, i;

	for (h = xlcfg_handlers; h->key; h++)
		n++;
	k = pv_calloc(n, sizeof(*k));
	for (i = 0; i < NRULES; i++) {
		k[i].name = rules[i].name;
		k[i].use = rules[i].use;
		k[i].why = rules[i].why;
	}
	for (h = xlcfg_handlers; h->key; h++, i++) {
		k[i].name = h->key;
		k[i].use = PV_KEY_HONOURED;
	}
	qsort(k, n, sizeof(*k), key_cmp);
	*keys = k;
	return n;
}
