/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The keys of loomd's JSON configuration (docs/LOOMD_CONFIG.md), each
 * defined once: the compiler (control/compile/) writes them and loomd
 * (dataplane/config/ and the loaders it calls) reads them by these
 * identifiers, never by a string of its own, so a key cannot be renamed on
 * one side only; tests/packet/test_config_contract.py checks that every
 * key the compiler writes is read with this type.
 *
 * The contents of the `tm` objects are the traffic manager's contract
 * (loom/tm/tm_config.h), those of `cc_params` the congestion-control
 * parameters' (loom/cc/cc_params.h); `p4_registers` names registers of the P4
 * program. Their keys are not listed here.
 */
#ifndef LOOM_API_LOOMD_CONFIG_KEYS_H
#define LOOM_API_LOOMD_CONFIG_KEYS_H

/* The objects of the configuration, in which a key appears. */
enum loomd_object {
	LOOMD_OBJ_ROOT,
	LOOMD_OBJ_SWITCH,       /* switches[] */
	LOOMD_OBJ_PORT,         /* switches[].ports[] */
	LOOMD_OBJ_LINK,         /* switches[].ports[].link */
	LOOMD_OBJ_PORT_HOST,    /* switches[].ports[].host */
	LOOMD_OBJ_NEXTHOP,      /* switches[].nexthops[] */
	LOOMD_OBJ_ROUTE,        /* switches[].routes[] */
	LOOMD_OBJ_LB,           /* switches[].load_balancing */
	LOOMD_OBJ_LB_GROUP,     /* switches[].load_balancing.groups[] */
	LOOMD_OBJ_CELL,         /* cell */
	LOOMD_OBJ_CELL_CAPTURE, /* cell.capture */
	LOOMD_OBJ_GEN_HOST,     /* generator_hosts[] */
	LOOMD_OBJ_TX_FLOW,      /* generator_hosts[].tx_flows[] */
	LOOMD_OBJ_RX_FLOW,      /* generator_hosts[].rx_flows[] */
	LOOMD_OBJ_GEN_PLANE,    /* generator_hosts[].planes[] (multi-plane NICs) */
	LOOMD_OBJ_FAULT_HANDLING, /* fault_handling */
	LOOMD_OBJ_FAULT,        /* faults[] */
	LOOMD_OBJ_TRACE,        /* trace (a virtual-time run's) */
	LOOMD_OBJ_CAPTURE,      /* captures[] (a virtual-time run's) */
	LOOMD_OBJ_N,
	/* the value of an object or array key that holds no keys of this
	 * table: scalars, arrays of numbers, another contract's object */
	LOOMD_OBJ_NONE = LOOMD_OBJ_N,
};

enum loomd_json_type {
	LOOMD_STRING,
	LOOMD_INTEGER,
	LOOMD_NUMBER, /* integer or real */
	LOOMD_BOOLEAN,
	LOOMD_ARRAY,
	LOOMD_OBJECT,
};

/* READ: loomd interprets the key. CARRIED: loomd does not interpret it but
 * hands it on unchanged (a next hop's `peer`, to `loomctl routes` through
 * the `routes` command) or it is there for people reading the file (an rx
 * flow's `src`). */
enum loomd_key_use { LOOMD_READ, LOOMD_CARRIED };

/*
 * X(object, ID, "json name", JSON type, what it holds, use): "what it holds"
 * is, for an object key, the object it is, for an array key, the object of
 * its elements; LOOMD_OBJ_NONE otherwise. A key is LOOMD_<object>_<ID>.
 */
#define LOOMD_CONFIG_KEYS(X) \
	X(ROOT, FABRIC, "fabric", STRING, NONE, READ) \
	X(ROOT, SWITCHES, "switches", ARRAY, SWITCH, READ) \
	X(ROOT, TIME_SCALE, "time_scale", NUMBER, NONE, READ) \
	X(ROOT, TM, "tm", OBJECT, NONE, READ) \
	X(ROOT, CELL, "cell", OBJECT, CELL, READ) \
	X(ROOT, CLOCK, "clock", STRING, NONE, READ) \
	X(ROOT, SEED, "seed", INTEGER, NONE, READ) \
	X(ROOT, DURATION_NS, "duration_ns", INTEGER, NONE, READ) \
	X(ROOT, GENERATOR_HOSTS, "generator_hosts", ARRAY, GEN_HOST, READ) \
	X(ROOT, FAULT_HANDLING, "fault_handling", OBJECT, FAULT_HANDLING, READ) \
	X(ROOT, FAULTS, "faults", ARRAY, FAULT, READ) \
	X(ROOT, PARTITION, "partition", ARRAY, NONE, READ) \
	X(ROOT, TRACE, "trace", OBJECT, TRACE, READ) \
	X(ROOT, CAPTURES, "captures", ARRAY, CAPTURE, READ) \
	X(TRACE, SWITCH, "switch", STRING, NONE, READ) \
	X(TRACE, PORT, "port", INTEGER, NONE, READ) \
	X(TRACE, COUNT, "count", INTEGER, NONE, READ) \
	X(TRACE, MATCH, "match", STRING, NONE, READ) \
	X(CAPTURE, SWITCH, "switch", STRING, NONE, READ) \
	X(CAPTURE, PORT, "port", INTEGER, NONE, READ) \
	X(CAPTURE, DIR, "dir", STRING, NONE, READ) \
	X(CAPTURE, COUNT, "count", INTEGER, NONE, READ) \
	X(CAPTURE, FILTER, "filter", STRING, NONE, READ) \
	X(CAPTURE, FILE, "file", STRING, NONE, READ) \
	\
	X(SWITCH, NAME, "name", STRING, NONE, READ) \
	X(SWITCH, ID, "id", INTEGER, NONE, READ) \
	X(SWITCH, ROLE, "role", STRING, NONE, READ) \
	X(SWITCH, PLANE, "plane", INTEGER, NONE, READ) \
	X(SWITCH, HASH_SEED, "hash_seed", INTEGER, NONE, READ) \
	X(SWITCH, PORTS, "ports", ARRAY, PORT, READ) \
	X(SWITCH, PIPELINE, "pipeline", STRING, NONE, READ) \
	X(SWITCH, P4_SPEC, "p4_spec", STRING, NONE, READ) \
	X(SWITCH, P4_REGISTERS, "p4_registers", OBJECT, NONE, READ) \
	X(SWITCH, TM, "tm", OBJECT, NONE, READ) \
	X(SWITCH, NEXTHOPS, "nexthops", ARRAY, NEXTHOP, READ) \
	X(SWITCH, GROUPS, "groups", ARRAY, NONE, READ) \
	X(SWITCH, ROUTES, "routes", ARRAY, ROUTE, READ) \
	X(SWITCH, LOAD_BALANCING, "load_balancing", OBJECT, LB, READ) \
	\
	X(PORT, INDEX, "index", INTEGER, NONE, READ) \
	X(PORT, NAME, "name", STRING, NONE, READ) \
	X(PORT, MAC, "mac", STRING, NONE, READ) \
	X(PORT, RATE_BPS, "rate_bps", INTEGER, NONE, READ) \
	X(PORT, DELAY_NS, "delay_ns", INTEGER, NONE, READ) \
	X(PORT, MTU, "mtu", INTEGER, NONE, READ) \
	X(PORT, LINK, "link", OBJECT, LINK, READ) \
	X(PORT, HOST, "host", OBJECT, PORT_HOST, READ) \
	X(PORT, TM, "tm", OBJECT, NONE, READ) \
	\
	X(LINK, KIND, "kind", STRING, NONE, READ) \
	X(LINK, DEVARGS, "devargs", STRING, NONE, READ) \
	X(LINK, PEER_SWITCH, "peer_switch", STRING, NONE, READ) \
	X(LINK, PEER_PORT, "peer_port", INTEGER, NONE, READ) \
	X(LINK, HOST, "host", STRING, NONE, READ) \
	\
	X(PORT_HOST, GW_V4, "gw_v4", STRING, NONE, READ) \
	X(PORT_HOST, SUBNET_V4, "subnet_v4", STRING, NONE, READ) \
	X(PORT_HOST, GW_V6, "gw_v6", STRING, NONE, READ) \
	X(PORT_HOST, SUBNET_V6, "subnet_v6", STRING, NONE, READ) \
	\
	X(NEXTHOP, PORT, "port", INTEGER, NONE, READ) \
	X(NEXTHOP, MAC, "mac", STRING, NONE, READ) \
	X(NEXTHOP, PEER, "peer", STRING, NONE, CARRIED) \
	\
	X(ROUTE, PREFIX, "prefix", STRING, NONE, READ) \
	X(ROUTE, GROUP, "group", INTEGER, NONE, READ) \
	\
	X(LB, MODE, "mode", STRING, NONE, READ) \
	X(LB, FLOWLET_TABLE, "flowlet_table", INTEGER, NONE, READ) \
	X(LB, IDLE_TIME_NS, "idle_time_ns", INTEGER, NONE, READ) \
	X(LB, PLACEMENT, "placement", STRING, NONE, READ) \
	X(LB, SAMPLE_INTERVAL_NS, "sample_interval_ns", INTEGER, NONE, READ) \
	X(LB, WINDOW_NS, "window_ns", INTEGER, NONE, READ) \
	X(LB, DRILL_D, "drill_d", INTEGER, NONE, READ) \
	X(LB, DRILL_M, "drill_m", INTEGER, NONE, READ) \
	X(LB, HASH_FLOW_LABEL, "hash_flow_label", BOOLEAN, NONE, READ) \
	X(LB, DRE_PERIOD_NS, "dre_period_ns", INTEGER, NONE, READ) \
	X(LB, CONGA_SLACK, "conga_slack", INTEGER, NONE, READ) \
	X(LB, GROUPS, "groups", ARRAY, LB_GROUP, READ) \
	X(LB_GROUP, GROUP, "group", INTEGER, NONE, READ) \
	X(LB_GROUP, MODE, "mode", STRING, NONE, READ) \
	\
	X(CELL, PAYLOAD, "payload", INTEGER, NONE, READ) \
	X(CELL, CREDIT_BYTES, "credit_bytes", INTEGER, NONE, READ) \
	X(CELL, SPRAY, "spray", STRING, NONE, READ) \
	X(CELL, VOQ_BYTES, "voq_bytes", INTEGER, NONE, READ) \
	X(CELL, VOQ_PACKETS, "voq_packets", INTEGER, NONE, READ) \
	X(CELL, CLASSES, "classes", INTEGER, NONE, READ) \
	X(CELL, WEIGHTS, "weights", ARRAY, NONE, READ) \
	X(CELL, REASSEMBLY_TIMEOUT_NS, "reassembly_timeout_ns", INTEGER, NONE, READ) \
	X(CELL, REASSEMBLY_WINDOW, "reassembly_window", INTEGER, NONE, READ) \
	X(CELL, REQUEST_REFRESH_NS, "request_refresh_ns", INTEGER, NONE, READ) \
	X(CELL, UPLINK_LIMIT, "uplink_limit", INTEGER, NONE, READ) \
	X(CELL, STANDING_CREDIT, "standing_credit", INTEGER, NONE, READ) \
	X(CELL, EGRESS_LIMIT, "egress_limit", INTEGER, NONE, READ) \
	X(CELL, ECN_KMIN, "ecn_kmin", INTEGER, NONE, READ) \
	X(CELL, ECN_KMAX, "ecn_kmax", INTEGER, NONE, READ) \
	X(CELL, POOL_CELLS, "pool_cells", INTEGER, NONE, READ) \
	X(CELL, CAPTURE, "capture", OBJECT, CELL_CAPTURE, READ) \
	X(CELL_CAPTURE, SWITCH, "switch", STRING, NONE, READ) \
	X(CELL_CAPTURE, PORT, "port", INTEGER, NONE, READ) \
	X(CELL_CAPTURE, FILE, "file", STRING, NONE, READ) \
	X(CELL_CAPTURE, MAX_BYTES, "max_bytes", INTEGER, NONE, READ) \
	\
	X(GEN_HOST, NAME, "name", STRING, NONE, READ) \
	X(GEN_HOST, INDEX, "index", INTEGER, NONE, READ) \
	X(GEN_HOST, MAC, "mac", STRING, NONE, READ) \
	X(GEN_HOST, IPV4, "ipv4", STRING, NONE, READ) \
	X(GEN_HOST, GATEWAY_MAC, "gateway_mac", STRING, NONE, READ) \
	X(GEN_HOST, JITTER_NS, "jitter_ns", INTEGER, NONE, READ) \
	X(GEN_HOST, TX_FLOWS, "tx_flows", ARRAY, TX_FLOW, READ) \
	X(GEN_HOST, RX_FLOWS, "rx_flows", ARRAY, RX_FLOW, READ) \
	X(GEN_HOST, PLANES, "planes", ARRAY, GEN_PLANE, READ) \
	X(GEN_HOST, PLANE_SPREAD, "plane_spread", STRING, NONE, READ) \
	X(GEN_HOST, FLOWLET_GAP_NS, "flowlet_gap_ns", INTEGER, NONE, READ) \
	X(GEN_PLANE, MAC, "mac", STRING, NONE, READ) \
	X(GEN_PLANE, IPV4, "ipv4", STRING, NONE, READ) \
	X(GEN_PLANE, GATEWAY_MAC, "gateway_mac", STRING, NONE, READ) \
	X(TX_FLOW, ID, "id", INTEGER, NONE, READ) \
	X(TX_FLOW, DST, "dst", STRING, NONE, READ) \
	X(TX_FLOW, DST_IPV4, "dst_ipv4", STRING, NONE, READ) \
	X(TX_FLOW, RX_SLOT, "rx_slot", INTEGER, NONE, READ) \
	X(TX_FLOW, BYTES, "bytes", INTEGER, NONE, READ) \
	X(TX_FLOW, START_NS, "start_ns", INTEGER, NONE, READ) \
	X(TX_FLOW, CHAINED, "chained", BOOLEAN, NONE, READ) \
	X(TX_FLOW, RATE_BPS, "rate_bps", INTEGER, NONE, READ) \
	X(TX_FLOW, PKT_BYTES, "pkt_bytes", INTEGER, NONE, READ) \
	X(TX_FLOW, TRANSPORT, "transport", STRING, NONE, READ) \
	X(TX_FLOW, ECN, "ecn", BOOLEAN, NONE, READ) \
	X(TX_FLOW, ENTROPY, "entropy", STRING, NONE, READ) \
	X(TX_FLOW, SRC_PORT, "src_port", INTEGER, NONE, READ) \
	X(TX_FLOW, DSCP, "dscp", INTEGER, NONE, READ) \
	X(TX_FLOW, GROUP, "group", INTEGER, NONE, READ) \
	X(TX_FLOW, CC, "cc", STRING, NONE, READ) \
	X(TX_FLOW, CC_PARAMS, "cc_params", OBJECT, NONE, READ) \
	X(TX_FLOW, BURST_BYTES, "burst_bytes", INTEGER, NONE, READ) \
	X(TX_FLOW, IDLE_NS, "idle_ns", INTEGER, NONE, READ) \
	X(TX_FLOW, LOSE_FIRST, "lose_first", INTEGER, NONE, READ) \
	X(TX_FLOW, LOSE_COUNT, "lose_count", INTEGER, NONE, READ) \
	X(TX_FLOW, RTO_NS, "rto_ns", INTEGER, NONE, READ) \
	X(TX_FLOW, ACK_EVERY, "ack_every", INTEGER, NONE, READ) \
	X(TX_FLOW, ACK_DELAY_NS, "ack_delay_ns", INTEGER, NONE, READ) \
	X(RX_FLOW, ID, "id", INTEGER, NONE, READ) \
	X(RX_FLOW, SRC, "src", STRING, NONE, CARRIED) \
	X(RX_FLOW, BYTES, "bytes", INTEGER, NONE, READ) \
	X(RX_FLOW, GROUP, "group", INTEGER, NONE, READ) \
	\
	X(FAULT_HANDLING, DETECT_INTERVAL_NS, "detect_interval_ns", INTEGER, NONE, READ) \
	X(FAULT_HANDLING, DETECT_MULTIPLIER, "detect_multiplier", INTEGER, NONE, READ) \
	X(FAULT_HANDLING, REPAIR_DELAY_NS, "repair_delay_ns", INTEGER, NONE, READ) \
	X(FAULT, AT_NS, "at_ns", INTEGER, NONE, READ) \
	X(FAULT, SWITCH, "switch", STRING, NONE, READ) \
	X(FAULT, PORT, "port", INTEGER, NONE, READ) \
	X(FAULT, ACTION, "action", STRING, NONE, READ) \
	X(FAULT, RATE, "rate", NUMBER, NONE, READ)

enum loomd_key {
#define LOOMD_KEY_ENUM(obj, id, name, type, holds, use) LOOMD_##obj##_##id,
	LOOMD_CONFIG_KEYS(LOOMD_KEY_ENUM)
#undef LOOMD_KEY_ENUM
	LOOMD_N_KEYS
};

struct loomd_key_info {
	enum loomd_object object;
	const char *name;
	enum loomd_json_type type;
	enum loomd_object holds;
	enum loomd_key_use use;
};

extern const struct loomd_key_info loomd_config_keys[LOOMD_N_KEYS];

/* The JSON name of a key, for the writer: LOOMD_KEY(SWITCH_HASH_SEED). */
#define LOOMD_KEY(id) (loomd_config_keys[LOOMD_##id].name)

/* "an integer", "a string", ... for messages. */
const char *loomd_json_type_name(enum loomd_json_type t);

#endif
