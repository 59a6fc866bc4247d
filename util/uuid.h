/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uuid.h: domain UUIDs (Xen's domain handle) in binary and text form.
 */
#ifndef PV_UUID_H
#define PV_UUID_H

#include <stdint.h>

#define PV_UUID_STRLEN 36

int pv_uuid_generate(uint8_t uuid[16]);
/* Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
int pv_uuid_parse(const char *s, uint8_t uuid[16]);
void pv_uuid_format(const uint8_t uuid[16], char out[PV_UUID_STRLEN + 1]);

#endif
