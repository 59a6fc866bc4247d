/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_block.c: block-attach, block-detach, block-list (device.c does the work).
 */
#include "pvctl.h"
#include "../lib/devices/devices.h"

int cmd_block_attach(struct pv_cli *cli, int argc, char **argv)
{
	return pv_cli_device_attach(cli, argc, argv, &pv_vbd_kind, 1);
}

int cmd_block_detach(struct pv_cli *cli, int argc, char **argv)
{
	return pv_cli_device_detach(cli, argc, argv, &pv_vbd_kind);
}

int cmd_block_list(struct pv_cli *cli, int argc, char **argv)
{
	return pv_cli_device_list(cli, argc, argv, &pv_vbd_kind);
}
