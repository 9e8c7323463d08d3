/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A traffic-manager setting's JSON value (a string, a number, a boolean,
 * or a list of class numbers such as pfc.lossless's [3, 4]) as the text
 * loom_tm_cfg_set() parses (loom/tm/tm_config.h): 0, or -1 for another
 * type. The configuration's `tm` objects (config/config_tm.c) and
 * `tm set` on the control socket (ctl/ctl_tm.c) both read settings
 * through it, so a value means the same either way.
 */
#ifndef LOOM_TM_SETTING_TEXT_H
#define LOOM_TM_SETTING_TEXT_H

#include <stddef.h>

#include <jansson.h>

int tm_setting_text(const json_t *v, char *buf, size_t len);

#endif
