/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fabric as the topology file describes it, after loading and
 * validation (topo_load.c) and, for the generator form, expansion
 * (topo_expand.c). Every later step (route computation, the loomd
 * configuration, host namespaces) reads only this model.
 */
#ifndef LOOM_TOPOLOGY_H
#define LOOM_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "loom/traffic/flow_spec.h"

#define TOPO_NAME_MAX 32
#define TOPO_DEVARGS_MAX 256
#define TOPO_MAX_PORTS 256
#define TOPO_MAX_PODS 256
#define TOPO_NO_POD (-1) /* the pod of a super-spine */

/* Where something was written: for error messages "file:line: problem". */
struct topo_pos {
	int line; /* 1-based; 0 when generated */
};

/* Bottom up: a link joins two adjacent tiers (leaf-spine, spine-superspine),
 * and the route computation relies on this order to tell up from down. */
enum topo_role { TOPO_LEAF, TOPO_SPINE, TOPO_SUPERSPINE };

/* What forwards a switch's packets in loomd: Loom's native stages, or the
 * P4 program (p4/loom.spec) on DPDK's SWX pipeline. */
enum topo_pipeline { TOPO_PIPELINE_NATIVE = 0, TOPO_PIPELINE_P4 };

/* How loomd attaches a host: a namespace behind a veth (af_packet,
 * af_xdp), or a generator host inside loomd (no kernel: sends the
 * topology's `traffic`, measures what it receives). */
/* af_packet/af_xdp: a namespace host on a veth; generator: inside loomd;
 * vm: a QEMU guest on a vhost-user socket (docs/VMS.md). */
enum topo_host_port_type { TOPO_PORT_AF_PACKET, TOPO_PORT_AF_XDP, TOPO_PORT_GENERATOR, TOPO_PORT_VM };

/* `clock:` realtime (the default) or virtual (docs/VIRTUAL_TIME.md). */
enum topo_clock { TOPO_CLOCK_REALTIME, TOPO_CLOCK_VIRTUAL };

struct topo_prefix {
	uint8_t family; /* 4 or 6 */
	uint8_t len;
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
};

/* A switch's mode for the group of one destination prefix. */
#define TOPO_LB_MAX_GROUP_MODES 8
struct topo_lb_group {
	struct topo_prefix prefix; /* must be one of the switch's routes */
	char mode[TOPO_NAME_MAX];
	int line;
};

/* `load_balancing:` (topo_lb.c): the mode and tunables a switch's groups
 * start with; empty / 0 = not given (loomd's defaults: ecmp, SAI's values).
 * `groups` only in a switch's options. */
enum { TOPO_FLOW_LABEL_UNSET = 0, TOPO_FLOW_LABEL_OFF, TOPO_FLOW_LABEL_ON };
struct topo_lb {
	char mode[TOPO_NAME_MAX];
	int n_groups;
	struct topo_lb_group groups[TOPO_LB_MAX_GROUP_MODES];
	uint32_t flowlet_table;
	uint64_t idle_time_ns;
	uint8_t idle_rtt_div;    /* idle_time: rtt/N (1 for rtt): topo_base_rtt_ns / N; 0: not so */
	uint8_t placement;       /* flowlet placement: enum lb_flowlet_placement + 1; 0: not given */
	uint64_t sample_interval_ns;
	uint64_t window_ns;
	uint8_t hash_flow_label; /* TOPO_FLOW_LABEL_*: hash the IPv6 flow label (docs/ENDPOINTS.md) */
	uint64_t dre_period_ns;  /* CONGA's T_dre (docs/CONGA.md); 0: not given */
	uint8_t conga_slack;     /* CONGA's slack + 1; 0: not given */
	int line; /* where given; 0 when not */
};

struct topo_switch {
	char name[TOPO_NAME_MAX];
	enum topo_role role;
	int plane;                   /* 0 for super-spines shared by every plane (planes_joined) */
	int pod;                     /* leaves and spines (default 0); TOPO_NO_POD on super-spines */
	uint32_t hash_seed;          /* options.hash_seed, else loom_seed_from_name(name) (mixed with `seed:`) */
	bool hash_seed_given;        /* options.hash_seed: `seed:` leaves it alone */
	enum topo_pipeline pipeline; /* `pipeline:` native (default) or p4 */
	struct topo_prefix subnet4;  /* leaves: host subnet (family 0 on spines) */
	struct topo_prefix subnet6;
	int n_ports;                 /* highest port number used + 1 */
	struct topo_lb lb;           /* options.load_balancing: overrides the fabric's keys */
	int machine;                 /* index into machines[]; -1 without `machines:` (topo_machines.c) */
	struct topo_pos pos;
};

/* A host's `endpoint:` (topo_endpoint.c, docs/ENDPOINTS.md): the eBPF
 * programs loomctl attaches to a namespace host. Modes in the order of
 * endpoint/endpoint_abi.h's enum loom_ep_lb_mode. */
enum topo_ep_lb { TOPO_EP_LB_OFF, TOPO_EP_LB_PACKET, TOPO_EP_LB_FLOWLET, TOPO_EP_LB_REPATH, TOPO_EP_LB_N };
#define TOPO_EP_UDP_PORTS 8
struct topo_endpoint {
	bool given;
	enum topo_ep_lb lb;
	bool measure;
	uint64_t flowlet_gap_ns; /* 0: loomctl's default */
	uint64_t round_ns;       /* 0: loomctl's default */
	uint32_t rounds;         /* 0: loomctl's default */
	uint16_t udp_ports[TOPO_EP_UDP_PORTS];
	int line;
};
const char *topo_ep_lb_name(enum topo_ep_lb lb);
/* -1 when `name` is not a mode */
int topo_ep_lb_parse(const char *name);

struct topo_host {
	char name[TOPO_NAME_MAX];
	enum topo_host_port_type port_type; /* how loomd attaches to its veths */
	struct topo_endpoint endpoint;
	int machine;                        /* its leaf's machine; -1 without `machines:` */
	struct topo_pos pos;
};

/* One end of a link. A host end names the host and its interface index
 * (eth<port>, one per plane); a switch end names the switch and port. */
struct topo_end {
	bool is_host;
	int node;                        /* index into switches[] or hosts[] */
	int port;                        /* switch port number, or host interface index */
	char devargs[TOPO_DEVARGS_MAX];  /* switch ends: DPDK port for this end, "" = default */
};

struct topo_link {
	struct topo_end a, b;
	uint64_t rate_bps;
	uint64_t delay_ns;
	uint32_t mtu;                    /* largest IP packet, bytes (loom/frame.h: LOOM_MTU_*) */
	struct topo_pos pos;
};

/* One traffic manager setting (loom/tm/tm_config.h key) as written. */
struct topo_tm_setting {
	int sw;          /* switch index, or -1: every switch (top-level tm:) */
	int port;        /* switch port (a switch's tm: ports:), or -1: the whole switch */
	char key[48];
	char value[64];
	int line;
};

/* `mode: cell` and `cell:` (topo_cell.c, docs/CELLS.md); 0 / "" = loomd's default. */
#define TOPO_CELL_MAX_FAULTS 16
struct topo_cell_fault {
	int sw, port;      /* one end of a fabric link (leaf-spine, spine-superspine) */
	uint64_t at_ns;
	int line;
};
struct topo_cell {
	bool on;
	uint32_t payload, credit_bytes, voq_packets, classes;
	uint64_t voq_bytes, reasm_timeout_ns, request_refresh_ns, egress_limit, uplink_limit;
	uint64_t ecn_kmin, ecn_kmax; /* VOQ ECN thresholds, bytes; 0: the egress port's TM's */
	uint64_t standing_credit;  /* bytes a VOQ may send ahead of its credit; 0: none */
	double speedup;            /* fabric links' rates x this in loomd's configuration; 0: none (1) */
	char spray[16];
	int n_weights;
	uint32_t weights[8];
	int n_faults;
	struct topo_cell_fault faults[TOPO_CELL_MAX_FAULTS];
	int capture_sw, capture_port; /* capture: { link: SWITCH:PORT, file: F }; file "" = none */
	char capture_file[256];
	uint64_t capture_max_bytes;   /* 0: loomd's default (LOOM_OUTPUT_DEFAULT_MAX_BYTES) */
	int line;
};

/* A virtual-time run's trace and captures (topo_observe.c). */
#define TOPO_CAPTURES_MAX 4
struct topo_capture {
	int sw, port;
	char dir[8];          /* rx, tx, both */
	uint64_t count;       /* 0: the whole run */
	char filter[256];
	char file[256];
};
struct topo_observe {
	bool trace;
	int trace_sw, trace_port; /* port -1: any */
	uint32_t trace_count;
	char trace_match[256];
	int n_captures;
	struct topo_capture cap[TOPO_CAPTURES_MAX];
};

/* `fault_handling:` and `faults:` (topo_faults.c, docs/FAULTS.md). */
#define TOPO_MAX_FLAPS 100000
enum topo_fault_action { TOPO_FAULT_DOWN, TOPO_FAULT_UP, TOPO_FAULT_FLAP, TOPO_FAULT_LOSS, TOPO_FAULT_BER };
struct topo_fault {
	uint64_t at_ns;
	int sw, port;            /* port -1: the whole switch */
	enum topo_fault_action action;
	double rate;             /* loss, ber */
	uint64_t period_ns;      /* flap: down for the first half of each period */
	uint32_t count;          /* flap: periods */
	int line;
};
struct topo_fault_handling {
	bool set;
	uint64_t detect_interval_ns; /* 0: detection at once */
	uint32_t detect_multiplier;
	uint64_t repair_delay_ns;
};

/* `nic:` how a multi-plane generator host spreads a flow over its planes
 * (dataplane/hosts/gen_plane.h). */
#define TOPO_PLANE_SPREADS "flow, flowlet, packet or weighted"
struct topo_nic {
	char plane_spread[16];       /* "" = not given (loomd's default: flow) */
	uint64_t flowlet_gap_ns;     /* 0 = not given */
};

/* `machines:` (topo_machines.c, docs/MULTI_MACHINE.md): where the parts of
 * a fabric run; links between switches on different machines go over
 * VXLAN on the underlay. */
#define TOPO_IFNAME_MAX 16 /* IFNAMSIZ */
struct topo_machine {
	char name[TOPO_NAME_MAX];
	struct topo_prefix underlay;       /* its underlay address (len 32 / 128) */
	char interface[TOPO_IFNAME_MAX];   /* the underlay interface; "" = the kernel's route */
	uint32_t mtu;                      /* the underlay's MTU (default 1500) */
	struct topo_pos pos;
};

struct topology {
	char name[TOPO_NAME_MAX];  /* `fabric:` */
	int n_machines;            /* 0: the whole fabric on this machine */
	struct topo_machine *machines;
	char file[512];            /* path it was loaded from */
	uint64_t default_rate_bps; /* defaults.link_rate */
	uint64_t default_delay_ns; /* defaults.delay */
	uint32_t default_mtu;      /* defaults.mtu */
	int n_planes;              /* highest plane + 1 */
	int n_pods;                /* highest pod + 1 */
	int n_tiers;               /* 2, or 3 when there are super-spines */
	bool planes_joined;        /* super-spines are shared by the planes and link across them */
	struct topo_lb lb;         /* top-level load_balancing: every switch's */
	int n_switches, n_hosts, n_links;
	struct topo_switch *switches;
	struct topo_host *hosts;
	struct topo_link *links;
	double time_scale;         /* 0: not given (1) */
	int n_tm;                  /* tm: settings, top-level first */
	struct topo_tm_setting *tm;
	/* The experiment (topo_experiment.c): clock, seed (every random
	 * choice: switch hash seeds, generator hosts, traffic patterns),
	 * duration, and the flows of the generator hosts (read from
	 * `traffic:` by the struct topo_traffic handed to topo_load()). */
	enum topo_clock clock;
	uint64_t seed;
	uint64_t duration_ns;      /* 0 = none (real time: until stopped) */
	uint64_t host_jitter_ns;   /* generator hosts send each packet up to this late (seeded) */
	struct topo_nic nic;       /* `nic:` multi-plane generator hosts (topo_nic.c) */
	int n_flows;
	struct loom_flow_spec *flows; /* src_host/dst_host index hosts[] */
	struct topo_cell cell;     /* mode: cell (switch-scheduled fabric) */
	struct topo_observe observe; /* trace: and capture: (virtual time) */
	struct topo_fault_handling fault_handling;
	int n_faults;
	struct topo_fault *faults;
	/* `partition:` (topo_partition.c): [switch] its group; NULL: not given */
	int *partition_group;
	int n_partition_groups;
	/* where the groups came from: a list of groups, `partition: {by:
	 * machine}`, or `machines:` alone (one group per machine) */
	enum { TOPO_PARTITION_LIST, TOPO_PARTITION_BY_MACHINE, TOPO_PARTITION_MACHINES } partition_from;
};

/* Load FILE (explicit or generator form), expand and validate it; its
 * `traffic:` is read by `traffic` (topo_yaml.h: &workload_traffic). On
 * error returns -1 and writes "FILE:LINE: problem" into err. */
struct topo_traffic;
int topo_load(const char *path, const struct topo_traffic *traffic, struct topology *t, char *err, size_t errlen);
/* Same from a string (tests); `name` stands for the file in messages. */
int topo_load_string(const char *yaml, const char *name, const struct topo_traffic *traffic, struct topology *t,
		     char *err, size_t errlen);
void topo_free(struct topology *t);

/* A link's rate in loomd's configuration (topo_cell.c): a fabric link of a
 * cell fabric with `speedup:` runs at speedup x `rate_bps` (its rate as
 * written); every other link at its rate. */
uint64_t topo_cell_link_rate(const struct topology *t, const struct topo_link *l, uint64_t rate_bps);

/* A switch's load balancing: its own keys over the fabric's. */
void topo_lb_effective(const struct topology *t, const struct topo_switch *sw, struct topo_lb *out);
bool topo_lb_given(const struct topo_lb *lb);
/* The flowlet idle time the switch gets: idle_time, or the fabric's base
 * round trip over N for `idle_time: rtt/N`; 0 when not given. */
uint64_t topo_lb_idle_time_ns(const struct topology *t, const struct topo_lb *lb);
/* The fabric's unloaded round trip over its longest host-to-host path
 * (topo_lb.c): 2 x tiers links out, each a largest frame (MTU + 14) at the
 * slowest link rate plus the largest link delay, and the same links back
 * for the acknowledgement (their delay only). */
uint64_t topo_base_rtt_ns(const struct topology *t);

/* Write the explicit form (`loomctl topo expand`). */
int topo_write_explicit(const struct topology *t, const struct topo_traffic *traffic, FILE *out);

/* Machines (topo_machines.c). A machine's index by name, -1 when absent. */
int topo_machine_index(const struct topology *t, const char *name);
/* Does link l join switches on two machines? */
bool topo_link_crosses_machines(const struct topology *t, const struct topo_link *l);
/* Bytes VXLAN adds under a link's IP packets on this underlay: inner
 * Ethernet 14 + VXLAN 8 + UDP 8 + IPv4 20 (IPv6 40). */
uint32_t topo_vxlan_overhead(const struct topo_machine *m);

/* Lookups (topo_lookup.c). */
/* "leaf", "spine", "superspine": as the topology file and loomd spell it. */
const char *topo_role_name(enum topo_role role);
/* A switch's or host's index by name; -1 when absent. */
int topo_switch_index(const struct topology *t, const char *name);
int topo_host_index(const struct topology *t, const char *name);
/* A host's only link (generator hosts have one); -1 if none. */
int topo_host_link(const struct topology *t, int host);
/* Is port `port` of switch `sw` an end of some link? */
bool topo_switch_port_linked(const struct topology *t, int sw, int port);

/* Derived addressing, the single place that defines it:
 *  - switch S port P has MAC 02:4c:SS:SS:PP:PP (S = switch index)
 *  - host H interface I has MAC 02:48:HH:HH:00:II
 *  - a leaf's gateway is the first address of its subnet (.1 / ::1)
 *  - the host on leaf port P has address subnet + 2 + P. */
void topo_switch_port_mac(int sw, int port, uint8_t mac[6]);
void topo_host_mac(int host, int ifindex, uint8_t mac[6]);
void topo_gateway(const struct topo_prefix *subnet, struct topo_prefix *gw);       /* len = 32/128 */
void topo_host_address(const struct topo_prefix *subnet, int leaf_port, struct topo_prefix *addr);

/* Parsers shared with the route tests: "10G", "400Gbps", "100M" -> bps;
 * "1us", "500ns", "2ms" -> ns; "10.0.1.0/24" / "fd00::/64" -> prefix.
 * Return 0 or -1. */
int topo_parse_rate(const char *s, uint64_t *bps);
int topo_parse_delay(const char *s, uint64_t *ns);
int topo_parse_prefix(const char *s, struct topo_prefix *p);
void topo_format_prefix(const struct topo_prefix *p, char *buf, size_t len);

#endif
