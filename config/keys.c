/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keys.c: which xl.cfg keys pvctl uses, and a warning for every other
 * one, so nothing in a config file is dropped silently. A trailing '*'
 * in these tables matches any key with that prefix.
 */
#include <stdlib.h>
#include <string.h>

#include "xlcfg_i.h"

/* xl.cfg(5) options that only mean something for HVM guests. */
static const char *const hvm_keys[] = {
	"vnc", "vnclisten", "vncdisplay", "vncunused", "vncpasswd",
	"vncconsole", "sdl", "opengl", "display", "nographic", "keymap",
	"boot", "stdvga", "vga", "videoram", "serial", "usb", "usbdevice",
	"usbversion", "acpi", "acpi_s3", "acpi_s4", "acpi_laptop_slate",
	"acpi_firmware", "apic", "pae", "hap", "hpet", "nx", "viridian",
	"nestedhvm", "altp2m", "altp2mhvm", "vpt_align", "timer_mode",
	"soundhw", "firmware", "bios", "bios_path_override",
	"firmware_override", "smbios_firmware", "xen_platform_pci",
	"hdtype", "gfx_passthru", "rdm", "rdm_mem_boundary", "mmio_hole",
	"mca_caps", "msr_relaxed", "vendor_device", "spice*",
	"device_model*", "stubdomain_*", "dm_restrict", "vkb_device",
	NULL,
};

/* Other xl.cfg(5) options pvctl does not implement (yet). */
static const char *const unsupported_keys[] = {
	"pci", "pci_*", "vfb", "vkb", "channel", "tsc_mode", "localtime",
	"rtc_timeoffset", "vtpm", "vscsi", "vdispl", "vsnd", "p9",
	"pvcalls", "usbctrl", "usbdev", "dtdev", "iomem", "ioports",
	"irqs", "cpu_weight", "cap", "pool", "seclabel", "init_seclabel",
	"max_grant_frames", "max_maptrack_frames", "max_grant_version",
	"e820_host", "nomigrate", "disable_migrate", "driver_domain",
	"device_tree", "gic_version", "vuart", "claim_mode",
	"max_event_channels", "vnuma", "cpus_soft", "on_watchdog",
	"on_soft_reset", "shadow_memory", "passthrough", "suppress_vmdesc",
	"features", "bootloader_restrict", "bootloader_user",
	"pvshim", "pvshim_*", "trap_unmapped_accesses", "llc_colors",
	"tee", "sve", "vpmu", "cpuid", "rdm_policy", "virtio",
	NULL,
};

static int listed(const char *const *list, const char *key)
{
	size_t n;

	for (; *list; list++) {
		n = strlen(*list);
		if ((*list)[n - 1] == '*' ? !strncmp(key, *list, n - 1) :
		    !strcmp(key, *list))
			return 1;
	}
	return 0;
}

const struct key_handler *xlcfg_key_handler(const struct key_handler *table,
					    const char *key)
{
	for (; table->key; table++)
		if (!strcmp(table->key, key))
			return table;
	return NULL;
}

int xlcfg_apply_key(struct cfg_ctx *x, const struct key_handler *table,
		    const struct cfg_setting *s)
{
	const struct key_handler *h = xlcfg_key_handler(table, s->key);
	const char *msg;

	if (h)
		return h->fn(x, s);
	if (listed(hvm_keys, s->key))
		msg = "only meaningful for HVM guests; pvctl runs PV guests, "
		      "ignored";
	else if (listed(unsupported_keys, s->key))
		msg = "not supported by pvctl, ignored";
	else
		msg = "unknown key, ignored";
	xlcfg_warn(x, &s->key_loc, s->key, msg);
	return 0;
}
