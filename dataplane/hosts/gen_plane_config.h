/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading generator hosts' multi-plane NICs (gen_plane.h; keys in
 * docs/LOOMD_CONFIG.md). Each returns 0, or -1 with a message naming the
 * host. Called by gen_config.c (hosts, flows, finish) and config_load.c
 * (links).
 */
#ifndef LOOM_GEN_PLANE_CONFIG_H
#define LOOM_GEN_PLANE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct loom_fabric;
struct loom_port;
struct loom_gen_host;
struct loom_gen_tx_flow;
struct loom_gen_rx_flow;

/* The host's `planes`, after its rx flows: no NIC for one plane. */
int loom_gen_plane_config_load(struct loom_gen_host *h, json_t *jh, char *err, size_t errlen);
/* Flow tf of h to d (its rx flow r): both ends have as many planes. */
int loom_gen_plane_config_flow(struct loom_gen_host *h, struct loom_gen_tx_flow *tf, const struct loom_gen_host *d,
			       struct loom_gen_rx_flow *r, char *err, size_t errlen);
/* A generator link on switch si's port attaches the host's interface in the switch's plane. */
int loom_gen_plane_attach(struct loom_fabric *f, struct loom_gen_host *h, uint16_t si, const struct loom_port *port,
			  char *err, size_t errlen);
/* After the switches: every plane linked; the NIC's rate. */
int loom_gen_plane_config_finish(const struct loom_fabric *f, struct loom_gen_host *h, char *err, size_t errlen);
void loom_gen_plane_config_free(struct loom_gen_host *h);

#endif
