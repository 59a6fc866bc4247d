/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_network.c: network-attach, network-detach, network-list (device.c
 * does the work).
 */
#include "pvctl.h"
#include "../lib/devices/devices.h"

int cmd_network_attach(struct pv_cli *cli, int argc, char **argv)
{
	return pv_cli_device_attach(cli, argc, argv, &pv_vif_kind, 0);
}

int cmd_network_detach(struct pv_cli *cli, int argc, char **argv)
{
	return pv_cli_device_detach(cli, argc, argv, &pv_vif_kind);
}

int cmd_network_list(struct pv_cli *cli, int argc, char **argv)
{
	return pv_cli_device_list(cli, argc, argv, &pv_vif_kind);
}
