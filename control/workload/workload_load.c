/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Workload file -> flow list. The YAML is read with the getters the
 * topology loader uses (control/yaml/yaml_doc.h, topo/topo_yaml.h), so that
 * both files report problems the same way ("FILE:LINE: problem"); each
 * entry of `patterns:`
 * is handed to its generator in scheduler/traffic/workload.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loom/frame.h"
#include "loom/transport/ack_coalesce.h"
#include "topo/topo_yaml.h"
#include "yaml/yaml_doc.h"
#include "workload.h"

#ifndef LOOM_CDF_DIR
#define LOOM_CDF_DIR "workloads/cdf"
#endif

enum wl_pattern {
	WL_PERMUTATION,
	WL_ALL_TO_ALL,
	WL_INCAST,
	WL_ALL_REDUCE,
	WL_ALL_GATHER,
	WL_BROADCAST,
	WL_POISSON,
	WL_N_PATTERNS
};

static const char *const pattern_names[WL_N_PATTERNS] = {
	[WL_PERMUTATION] = "permutation", [WL_ALL_TO_ALL] = "all_to_all", [WL_INCAST] = "incast",
	[WL_ALL_REDUCE] = "all_reduce",   [WL_ALL_GATHER] = "all_gather", [WL_BROADCAST] = "broadcast",
	[WL_POISSON] = "poisson",
};

/* The keys of a pattern entry, and which patterns each belongs to. */
enum wl_key {
	K_PATTERN, K_BYTES, K_TO, K_FROM, K_SENDERS, K_HOSTS, K_CDF, K_LOAD, K_DURATION, K_CROSS_LEAF,
	/* flow options, also allowed in `defaults:` */
	K_START, K_RATE, K_PACKET, K_DSCP, K_ECN, K_TRANSPORT, K_ENTROPY, K_CC, K_BURST, K_IDLE, K_LOSE, K_RTO,
	K_ACK_EVERY, K_ACK_DELAY,
	K_N
};
#define FLOW_OPT_FIRST K_START
_Static_assert(K_N - FLOW_OPT_FIRST == WORKLOAD_N_FLOW_OPTS, "workload.h: WORKLOAD_N_FLOW_OPTS");

#define P(x) (1u << (x))
#define ALL_PATTERNS ((1u << WL_N_PATTERNS) - 1)
static const struct {
	const char *key;
	unsigned patterns; /* where the key is allowed */
} key_info[K_N] = {
	[K_PATTERN] = {"pattern", ALL_PATTERNS},
	[K_BYTES] = {"bytes", ALL_PATTERNS & ~P(WL_POISSON)},
	[K_TO] = {"to", P(WL_INCAST) | P(WL_BROADCAST)},
	[K_FROM] = {"from", P(WL_BROADCAST)},
	[K_SENDERS] = {"senders", P(WL_INCAST)},
	[K_HOSTS] = {"hosts", P(WL_ALL_REDUCE) | P(WL_ALL_GATHER)},
	[K_CDF] = {"cdf", P(WL_POISSON)},
	[K_LOAD] = {"load", P(WL_POISSON)},
	[K_DURATION] = {"duration", P(WL_POISSON)},
	[K_CROSS_LEAF] = {"cross_leaf", P(WL_POISSON)},
	[K_START] = {"start", ALL_PATTERNS},
	[K_RATE] = {"rate", ALL_PATTERNS},
	[K_PACKET] = {"packet", ALL_PATTERNS},
	[K_DSCP] = {"dscp", ALL_PATTERNS},
	[K_ECN] = {"ecn", ALL_PATTERNS},
	[K_TRANSPORT] = {"transport", ALL_PATTERNS},
	[K_ENTROPY] = {"entropy", ALL_PATTERNS},
	[K_CC] = {"cc", ALL_PATTERNS},
	[K_BURST] = {"burst", ALL_PATTERNS},
	[K_IDLE] = {"idle", ALL_PATTERNS},
	[K_LOSE] = {"lose", ALL_PATTERNS},
	[K_RTO] = {"rto", ALL_PATTERNS},
	[K_ACK_EVERY] = {"ack_every", ALL_PATTERNS},
	[K_ACK_DELAY] = {"ack_delay", ALL_PATTERNS},
};

struct wl_loader {
	struct yaml_doc yd; /* the document and where its errors go */
	const struct topology *t;
	struct workload_hosts hosts;
	struct loom_rng rng;
	struct loom_flow_spec defaults;
	const char *dir;
	struct workload *wl;
	double load; /* workload_load_at_load(): 0 = as written */
};

#define ERR(wl, line, ...) yaml_doc_error(&(wl)->yd, (line), __VA_ARGS__)

static int get_bytes(struct wl_loader *w, const struct yaml_doc_field *f, uint64_t *bytes)
{
	const char *s;

	if (yaml_doc_get_str(&w->yd, f, &s) < 0)
		return -1;
	if (loom_parse_bytes(s, bytes) < 0 || *bytes == 0)
		return ERR(w, yaml_doc_line(f->v), "bad size '%s' for '%s': a whole number of bytes > 0 with "
			   "optional K/M/G (1000s) or Ki/Mi/Gi (1024s), e.g. 64K or 1MiB", s, f->key);
	return 0;
}

static int get_fraction(struct wl_loader *w, const struct yaml_doc_field *f, double *v)
{
	const char *s;
	char *end;

	if (yaml_doc_get_str(&w->yd, f, &s) < 0)
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end || errno || !(*v > 0 && *v <= 1))
		return ERR(w, yaml_doc_line(f->v), "'%s' must be a number in (0, 1], not '%s'", f->key, s);
	return 0;
}

static int get_host(struct wl_loader *w, yaml_node_t *n, const char *key, uint32_t *h)
{
	const char *s = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
	int i;

	if (!s || !*s)
		return ERR(w, yaml_doc_line(n), "'%s' must name a host", key);
	i = topo_host_index(w->t, s);
	if (i < 0)
		return ERR(w, yaml_doc_line(n), "no host '%s' in %s", s, w->t->file);
	*h = (uint32_t)i;
	return 0;
}

/* A sequence of distinct host names; *list is malloc'ed. */
static int get_host_list(struct wl_loader *w, const struct yaml_doc_field *f, uint32_t **list, uint32_t *n)
{
	yaml_node_t *seq;
	uint32_t k = 0;

	if (yaml_doc_get_seq(&w->yd, f, &seq) < 0)
		return -1;
	*n = (uint32_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	*list = malloc((*n ? *n : 1) * sizeof(**list));
	if (!*list)
		return ERR(w, yaml_doc_line(f->v), "out of memory");
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++, k++) {
		yaml_node_t *item = yaml_document_get_node(w->yd.doc, *it);

		if (get_host(w, item, f->key, &(*list)[k]) < 0)
			goto fail;
		for (uint32_t j = 0; j < k; j++)
			if ((*list)[j] == (*list)[k]) {
				ERR(w, yaml_doc_line(item), "host '%s' is listed twice in '%s'",
				    w->t->hosts[(*list)[k]].name, f->key);
				goto fail;
			}
	}
	return 0;
fail:
	free(*list);
	*list = NULL;
	return -1;
}

/* Every host in topology order, or every host but `except`. */
static uint32_t *all_hosts(struct wl_loader *w, uint32_t except, uint32_t *n)
{
	uint32_t *l = malloc((size_t)(w->t->n_hosts ? w->t->n_hosts : 1) * sizeof(*l));

	*n = 0;
	for (uint32_t h = 0; l && h < (uint32_t)w->t->n_hosts; h++)
		if (h != except)
			l[(*n)++] = h;
	return l;
}

/* `lose: N` or `lose: FIRST..LAST`: packet numbers whose first
 * transmission the sender's NIC loses (a scripted loss, for tests of
 * loss recovery). */
static int get_lose(struct wl_loader *w, const struct yaml_doc_field *f, struct loom_flow_spec *tmpl)
{
	unsigned long long a, b;
	const char *s;
	char tail;

	if (yaml_doc_get_str(&w->yd, f, &s) < 0)
		return -1;
	if (sscanf(s, "%llu..%llu%c", &a, &b, &tail) == 2 && b >= a && b - a < UINT32_MAX)
		;
	else if (sscanf(s, "%llu%c", &a, &tail) == 1 && strspn(s, "0123456789") == strlen(s))
		b = a;
	else
		return ERR(w, yaml_doc_line(f->v), "bad lose '%s': a packet number or FIRST..LAST", s);
	tmpl->lose_first = a;
	tmpl->lose_count = (uint32_t)(b - a + 1);
	return 0;
}

/* The flow options (start, rate, packet, dscp, ecn, transport, entropy)
 * present in f[] override those in *tmpl. */
static int load_flow_opts(struct wl_loader *w, const struct yaml_doc_field *f, struct loom_flow_spec *tmpl)
{
	unsigned long v;
	const char *s;
	bool b;

	if (f[K_START].k && topo_get_delay(&w->yd, &f[K_START], &tmpl->start) < 0)
		return -1;
	if (f[K_RATE].k && topo_get_rate(&w->yd, &f[K_RATE], &tmpl->rate_bps) < 0)
		return -1;
	if (f[K_PACKET].k) {
		if (yaml_doc_get_uint(&w->yd, &f[K_PACKET], LOOM_FRAME_ETH_MIN, LOOM_FRAME_JUMBO, &v) < 0)
			return -1;
		tmpl->pkt_bytes = (uint16_t)v;
	}
	if (f[K_DSCP].k) {
		if (yaml_doc_get_uint(&w->yd, &f[K_DSCP], 0, 63, &v) < 0)
			return -1;
		tmpl->dscp = (uint8_t)v;
	}
	if (f[K_ECN].k) {
		if (yaml_doc_get_bool(&w->yd, &f[K_ECN], &b) < 0)
			return -1;
		tmpl->ecn_capable = b;
	}
	if (f[K_TRANSPORT].k) {
		if (yaml_doc_get_str(&w->yd, &f[K_TRANSPORT], &s) < 0)
			return -1;
		if (loom_flow_transport_parse(s, tmpl) < 0)
			return ERR(w, yaml_doc_line(f[K_TRANSPORT].v), "bad transport '%s' (%s)", s,
				   LOOM_FLOW_TRANSPORT_NAMES);
	}
	if (f[K_ENTROPY].k) {
		if (yaml_doc_get_str(&w->yd, &f[K_ENTROPY], &s) < 0)
			return -1;
		int e = loom_flow_entropy_parse(s);

		if (e < 0)
			return ERR(w, yaml_doc_line(f[K_ENTROPY].v), "bad entropy '%s' (%s)", s, LOOM_FLOW_ENTROPY_NAMES);
		tmpl->entropy = (uint8_t)e;
	}
	if (f[K_CC].k && workload_load_cc(&w->yd, &f[K_CC], tmpl) < 0)
		return -1;
	if (f[K_BURST].k && get_bytes(w, &f[K_BURST], &tmpl->burst_bytes) < 0)
		return -1;
	if (f[K_IDLE].k) {
		if (topo_get_delay(&w->yd, &f[K_IDLE], &tmpl->idle_ns) < 0)
			return -1;
		if (tmpl->idle_ns == 0)
			return ERR(w, yaml_doc_line(f[K_IDLE].v), "idle must be a time > 0 (leave burst and idle out for "
				   "a steady stream)");
	}
	if (f[K_LOSE].k && get_lose(w, &f[K_LOSE], tmpl) < 0)
		return -1;
	if (f[K_RTO].k) {
		if (topo_get_delay(&w->yd, &f[K_RTO], &tmpl->rto_ns) < 0)
			return -1;
		if (tmpl->rto_ns == 0)
			return ERR(w, yaml_doc_line(f[K_RTO].v), "rto must be a time > 0 (leave it out for the default, 500us)");
	}
	/* ACK coalescing (loom/transport/ack_coalesce.h): one ACK's selective
	 * bits cover one 64-PSN block, so at most 64 packets an ACK */
	if (f[K_ACK_EVERY].k) {
		if (yaml_doc_get_uint(&w->yd, &f[K_ACK_EVERY], 1, LOOM_ACK_EVERY_MAX, &v) < 0)
			return -1;
		tmpl->ack_every = (uint8_t)v;
	}
	if (f[K_ACK_DELAY].k) {
		if (topo_get_delay(&w->yd, &f[K_ACK_DELAY], &tmpl->ack_delay_ns) < 0)
			return -1;
		if (tmpl->ack_delay_ns == 0 || tmpl->ack_delay_ns >= LOOM_TIME_NEVER / 2)
			return ERR(w, yaml_doc_line(f[K_ACK_DELAY].v), "ack_delay must be a time > 0 (leave it out for the "
				   "default: the time of ack_every frames on the receiver's link)");
	}
	return 0;
}

int workload_check_on_off(const struct loom_flow_spec *s, char *why, size_t len)
{
	if (!s->burst_bytes && !s->idle_ns)
		return 0;
	if (!s->burst_bytes || !s->idle_ns)
		snprintf(why, len, "'burst' and 'idle' go together: a flow sends `burst` bytes, pauses `idle`, and again");
	else if (s->cc != LOOM_FLOW_CC_NONE)
		snprintf(why, len, "'burst' and 'idle' shape a fixed-rate flow (cc: none), not one whose rate cc: %s sets",
			 workload_cc_name(s->cc));
	else
		return 0;
	return -1;
}

static void init_fields(struct yaml_doc_field *f)
{
	for (int i = 0; i < K_N; i++)
		f[i].key = key_info[i].key;
}

static int load_defaults(struct wl_loader *w, const struct yaml_doc_field *top)
{
	struct yaml_doc_field f[K_N - FLOW_OPT_FIRST], all[K_N];

	for (int i = FLOW_OPT_FIRST; i < K_N; i++)
		f[i - FLOW_OPT_FIRST].key = key_info[i].key;
	if (yaml_doc_fields(&w->yd, top->v, "defaults", f, K_N - FLOW_OPT_FIRST) < 0)
		return -1;
	init_fields(all);
	for (int i = 0; i < K_N; i++)
		all[i].k = all[i].v = NULL;
	for (int i = FLOW_OPT_FIRST; i < K_N; i++)
		all[i] = f[i - FLOW_OPT_FIRST];
	return load_flow_opts(w, all, &w->defaults);
}

/* A cross-leaf permutation needs every leaf to hold at most half of the hosts. */
static int explain_permutation(struct wl_loader *w, int line)
{
	const struct loom_wl_hosts *h = &w->hosts.wl;

	for (uint32_t i = 0; i < h->n_hosts; i++) {
		uint32_t c = 0;
		for (uint32_t j = 0; j < h->n_hosts; j++)
			c += h->leaf_of[j] == h->leaf_of[i];
		if (2 * c > h->n_hosts)
			return ERR(w, line, "no permutation across leaves: leaf %s holds %u of the %u hosts "
				   "(at most half can send off their leaf one to one)",
				   w->t->switches[h->leaf_of[i]].name, c, h->n_hosts);
	}
	return ERR(w, line, "no permutation across leaves with %u host(s)", h->n_hosts);
}

static int load_cdf(struct wl_loader *w, const struct yaml_doc_field *f, struct loom_cdf *cdf)
{
	char path[1024], err[512];
	const char *s;

	if (yaml_doc_get_str(&w->yd, f, &s) < 0)
		return -1;
	if (!strchr(s, '/') && !strstr(s, ".cdf")) {
		const char *dir = getenv("LOOM_CDF_DIR");
		snprintf(path, sizeof(path), "%s/%s.cdf", dir && *dir ? dir : LOOM_CDF_DIR, s);
	} else if (s[0] == '/') {
		snprintf(path, sizeof(path), "%s", s);
	} else {
		snprintf(path, sizeof(path), "%s/%s", w->dir, s);
	}
	if (loom_cdf_load(path, cdf, err, sizeof(err)) < 0)
		return ERR(w, yaml_doc_line(f->v), "cdf '%s': %s", s, err);
	return 0;
}

/* The slowest host's links (all planes): what a load is a fraction of. */
static uint64_t slowest_host_bps(const struct wl_loader *w)
{
	uint64_t r = UINT64_MAX;

	for (uint32_t h = 0; h < w->hosts.wl.n_hosts; h++)
		if (w->hosts.rate_bps[h] < r)
			r = w->hosts.rate_bps[h];
	return r == UINT64_MAX ? 0 : r;
}

static int run_pattern(struct wl_loader *w, enum wl_pattern p, const struct yaml_doc_field *f,
		       const struct loom_flow_spec *tmpl_in, int line)
{
	struct loom_flow_spec tmpl_at_load = *tmpl_in;
	const struct loom_flow_spec *tmpl = &tmpl_at_load;

	/* an experiment's load: a sending rate for the fixed patterns */
	if (w->load > 0 && p != WL_POISSON)
		tmpl_at_load.rate_bps = (uint64_t)(w->load * (double)slowest_host_bps(w));
	struct workload *wl = w->wl;
	const struct loom_wl_hosts *hosts = &w->hosts.wl;
	uint32_t *list = NULL, n = 0, one = 0;
	unsigned long senders;
	int rc = 0;

	switch (p) {
	case WL_PERMUTATION:
		rc = loom_wl_permutation(&wl->flows, hosts, tmpl, &w->rng);
		if (rc == -EINVAL)
			return explain_permutation(w, line);
		break;
	case WL_ALL_TO_ALL:
		rc = loom_wl_all_to_all(&wl->flows, hosts, tmpl, &w->rng);
		break;
	case WL_INCAST:
		if (!f[K_TO].k)
			return ERR(w, line, "incast needs 'to' (the receiving host)");
		if (get_host(w, f[K_TO].v, "to", &one) < 0)
			return -1;
		if (!f[K_SENDERS].k)
			return ERR(w, line, "incast needs 'senders' (how many hosts send, or a list of them)");
		if (f[K_SENDERS].v->type == YAML_SEQUENCE_NODE) {
			if (get_host_list(w, &f[K_SENDERS], &list, &n) < 0)
				return -1;
			for (uint32_t i = 0; i < n; i++)
				if (list[i] == one) {
					free(list);
					return ERR(w, yaml_doc_line(f[K_SENDERS].v), "incast: '%s' is the receiver",
						   w->t->hosts[one].name);
				}
			rc = n ? loom_wl_incast_from(&wl->flows, hosts, tmpl, one, list, n, &w->rng) : -EINVAL;
			free(list);
			if (rc == -EINVAL)
				return ERR(w, yaml_doc_line(f[K_SENDERS].v), "incast: 'senders' is empty");
			break;
		}
		if (yaml_doc_get_uint(&w->yd, &f[K_SENDERS], 1, hosts->n_hosts - 1, &senders) < 0)
			return -1;
		rc = loom_wl_incast(&wl->flows, hosts, tmpl, one, (uint32_t)senders, &w->rng);
		break;
	case WL_ALL_REDUCE:
	case WL_ALL_GATHER:
	case WL_BROADCAST:
		if (wl->n_collectives >= LOOM_WL_MAX_COLLECTIVES)
			return ERR(w, line, "too many collectives (at most %u)", LOOM_WL_MAX_COLLECTIVES);
		if (p == WL_BROADCAST) {
			if (!f[K_FROM].k)
				return ERR(w, line, "broadcast needs 'from' (the root host)");
			if (get_host(w, f[K_FROM].v, "from", &one) < 0)
				return -1;
		}
		if (f[K_HOSTS].k || (p == WL_BROADCAST && f[K_TO].k)) {
			const struct yaml_doc_field *lf = f[K_HOSTS].k ? &f[K_HOSTS] : &f[K_TO];
			if (get_host_list(w, lf, &list, &n) < 0)
				return -1;
			if (n < (p == WL_BROADCAST ? 1u : 2u)) {
				free(list);
				return ERR(w, yaml_doc_line(lf->v), "'%s' needs at least %d hosts", lf->key,
					   p == WL_BROADCAST ? 1 : 2);
			}
			for (uint32_t i = 0; p == WL_BROADCAST && i < n; i++)
				if (list[i] == one) {
					free(list);
					return ERR(w, yaml_doc_line(lf->v), "broadcast root '%s' is also in 'to'",
						   w->t->hosts[one].name);
				}
		} else {
			list = all_hosts(w, p == WL_BROADCAST ? one : UINT32_MAX, &n);
			if (!list)
				return ERR(w, line, "out of memory");
		}
		wl->n_collectives++;
		if (p == WL_BROADCAST)
			rc = loom_wl_broadcast(&wl->flows, hosts, tmpl, one, list, n, wl->n_collectives, &w->rng);
		else if (n < 2)
			rc = -EINVAL;
		else if (p == WL_ALL_REDUCE && 2 * (n - 1) > LOOM_WL_MAX_PHASES)
			rc = -E2BIG;
		else
			rc = (p == WL_ALL_REDUCE ? loom_wl_ring_allreduce : loom_wl_ring_allgather)(
				&wl->flows, hosts, tmpl, list, n, tmpl->bytes, wl->n_collectives, &w->rng);
		free(list);
		break;
	case WL_POISSON: {
		struct loom_wl_poisson_cfg cfg = {0};
		struct loom_cdf cdf;
		bool cross = false;

		if (!f[K_CDF].k || !f[K_LOAD].k || !f[K_DURATION].k)
			return ERR(w, line, "poisson needs 'cdf', 'load' and 'duration'");
		if (get_fraction(w, &f[K_LOAD], &cfg.load) < 0 ||
		    topo_get_delay(&w->yd, &f[K_DURATION], &cfg.duration_ns) < 0 ||
		    (f[K_CROSS_LEAF].k && yaml_doc_get_bool(&w->yd, &f[K_CROSS_LEAF], &cross) < 0))
			return -1;
		if (cfg.duration_ns == 0)
			return ERR(w, yaml_doc_line(f[K_DURATION].v), "'duration' must be > 0");
		if (w->load > 0)
			cfg.load = w->load;
		cfg.cross_leaf_only = cross;
		/* the load is of the slowest host's links (all planes) */
		cfg.host_rate_bps = slowest_host_bps(w);
		if (load_cdf(w, &f[K_CDF], &cdf) < 0)
			return -1;
		rc = loom_wl_poisson(&wl->flows, hosts, tmpl, &cdf, &cfg, &w->rng);
		loom_cdf_free(&cdf);
		if (rc == -E2BIG)
			return ERR(w, line, "poisson: more than 10 000 000 flows; shorten 'duration' or lower 'load'");
		break;
	}
	default:
		break;
	}
	if (rc == -ENOMEM)
		return ERR(w, line, "out of memory");
	if (rc == -E2BIG)
		return ERR(w, line, "%s: too many phases", pattern_names[p]);
	if (rc < 0)
		return ERR(w, line, "%s: not possible with these hosts", pattern_names[p]);
	return 0;
}

static int load_pattern(struct wl_loader *w, yaml_node_t *n)
{
	struct yaml_doc_field f[K_N];
	struct loom_flow_spec tmpl = w->defaults;
	enum wl_pattern p;
	const char *s;
	char why[160];
	int line = yaml_doc_line(n);

	init_fields(f);
	if (yaml_doc_fields(&w->yd, n, "a pattern", f, K_N) < 0)
		return -1;
	if (!f[K_PATTERN].k)
		return ERR(w, line, "missing key 'pattern' (one of permutation, all_to_all, incast, "
			   "all_reduce, all_gather, broadcast, poisson)");
	if (yaml_doc_get_str(&w->yd, &f[K_PATTERN], &s) < 0)
		return -1;
	for (p = 0; p < WL_N_PATTERNS && strcmp(s, pattern_names[p]) != 0; p++)
		;
	if (p == WL_N_PATTERNS)
		return ERR(w, yaml_doc_line(f[K_PATTERN].v), "unknown pattern '%s' (permutation, all_to_all, "
			   "incast, all_reduce, all_gather, broadcast, poisson)", s);
	for (int k = 0; k < K_N; k++)
		if (f[k].k && !(key_info[k].patterns & P(p)))
			return ERR(w, yaml_doc_line(f[k].k), "'%s' does not apply to pattern %s", f[k].key, s);
	if (load_flow_opts(w, f, &tmpl) < 0)
		return -1;
	if (workload_check_on_off(&tmpl, why, sizeof(why)) < 0)
		return ERR(w, line, "%s", why);
	/* Without `bytes`, permutation, all_to_all, incast and broadcast
	 * flows stream until the run ends; a ring collective is cut into
	 * chunks of its buffer, which it needs. */
	tmpl.bytes = 0;
	if (f[K_BYTES].k && get_bytes(w, &f[K_BYTES], &tmpl.bytes) < 0)
		return -1;
	if (!f[K_BYTES].k && (p == WL_ALL_REDUCE || p == WL_ALL_GATHER))
		return ERR(w, line, "pattern %s needs 'bytes' (the buffer per rank)", s);
	return run_pattern(w, p, f, &tmpl, line);
}

static int load_root(struct wl_loader *w, yaml_node_t *root)
{
	struct yaml_doc_field f[] = {{"workload"}, {"seed"}, {"defaults"}, {"patterns"}};
	unsigned long seed = 1;
	yaml_node_t *seq;

	if (yaml_doc_fields(&w->yd, root, "the workload file", f, 4) < 0)
		return -1;
	if (yaml_doc_require(&w->yd, root, "the workload file", &f[0]) < 0 ||
	    topo_get_name(&w->yd, &f[0], w->wl->name) < 0)
		return -1;
	if (f[1].k && yaml_doc_get_uint(&w->yd, &f[1], 0, ~0ul, &seed) < 0)
		return -1;
	w->wl->seed = seed;
	loom_rng_seed(&w->rng, seed);
	if (f[2].k && load_defaults(w, &f[2]) < 0)
		return -1;
	if (yaml_doc_require(&w->yd, root, "the workload file", &f[3]) < 0 || yaml_doc_get_seq(&w->yd, &f[3], &seq) < 0)
		return -1;
	if (seq->data.sequence.items.top == seq->data.sequence.items.start)
		return ERR(w, yaml_doc_line(seq), "'patterns' is empty");
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++)
		if (load_pattern(w, yaml_document_get_node(w->yd.doc, *it)) < 0)
			return -1;
	return 0;
}

static int load_parser(yaml_parser_t *parser, const char *name, const char *dir, const struct topology *t,
		       double load, struct workload *wl, char *err, size_t errlen)
{
	struct wl_loader w = {
		.yd = {.file = name, .err = err, .errlen = errlen},
		.t = t,
		.dir = dir,
		.wl = wl,
		.load = load,
	};
	yaml_document_t doc;
	yaml_node_t *root;
	int rc;

	memset(wl, 0, sizeof(*wl));
	loom_flow_list_init(&wl->flows);
	if (!yaml_parser_load(parser, &doc))
		return ERR(&w, (int)parser->problem_mark.line + 1, "YAML: %s",
			   parser->problem ? parser->problem : "syntax error");
	w.yd.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		yaml_document_delete(&doc);
		return ERR(&w, 1, "empty file");
	}
	if (workload_hosts_from_topo(t, &w.hosts, err, errlen) < 0) {
		yaml_document_delete(&doc);
		return -1;
	}
	rc = load_root(&w, root);
	workload_hosts_free(&w.hosts);
	yaml_document_delete(&doc);
	if (rc < 0)
		workload_free(wl);
	return rc;
}

int workload_flow_opts(struct yaml_doc *yd, const struct yaml_doc_field *opts, struct loom_flow_spec *tmpl)
{
	struct wl_loader w = {.yd = *yd};
	struct yaml_doc_field all[K_N];

	init_fields(all);
	for (int i = 0; i < K_N; i++)
		all[i].k = all[i].v = NULL;
	for (int i = FLOW_OPT_FIRST; i < K_N; i++)
		all[i] = opts[i - FLOW_OPT_FIRST];
	return load_flow_opts(&w, all, tmpl);
}

const char *workload_flow_opt_key(int i)
{
	return i >= 0 && i < WORKLOAD_N_FLOW_OPTS ? key_info[FLOW_OPT_FIRST + i].key : NULL;
}

int workload_expand_pattern(struct yaml_doc *yd, yaml_node_t *n, const struct topology *t, const char *dir,
			    struct loom_rng *rng, struct workload *wl)
{
	struct wl_loader w = {.yd = *yd, .t = t, .dir = dir, .wl = wl, .rng = *rng};
	int rc;

	if (workload_hosts_from_topo(t, &w.hosts, yd->err, yd->errlen) < 0)
		return -1;
	rc = load_pattern(&w, n);
	workload_hosts_free(&w.hosts);
	*rng = w.rng;
	return rc;
}

void workload_free(struct workload *wl)
{
	loom_flow_list_free(&wl->flows);
}

int workload_load_string(const char *yaml, const char *name, const char *dir, const struct topology *t,
			 struct workload *wl, char *err, size_t errlen)
{
	yaml_parser_t parser;
	int rc;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, strlen(yaml));
	rc = load_parser(&parser, name, dir, t, 0, wl, err, errlen);
	yaml_parser_delete(&parser);
	return rc;
}

int workload_load(const char *path, const struct topology *t, struct workload *wl, char *err, size_t errlen)
{
	return workload_load_at_load(path, t, 0, wl, err, errlen);
}

int workload_load_at_load(const char *path, const struct topology *t, double load, struct workload *wl, char *err,
			  size_t errlen)
{
	yaml_parser_t parser;
	char dir[1024];
	const char *slash = strrchr(path, '/');
	FILE *f;
	int rc;

	memset(wl, 0, sizeof(*wl));
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (yaml_doc_open(path, &parser, &f, err, errlen) < 0)
		return -1;
	rc = load_parser(&parser, path, dir, t, load, wl, err, errlen);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

void workload_write_csv(const struct workload *wl, const struct topology *t, FILE *out)
{
	fprintf(out, "id,src,dst,src_host,dst_host,bytes,start_ns,rate_bps,pkt_bytes,src_port,dscp,"
		     "ecn_capable,transport,entropy,group,collective,phase,cc,burst_bytes,idle_ns\n");
	for (size_t i = 0; i < wl->flows.n; i++) {
		const struct loom_flow_spec *f = &wl->flows.v[i];
		char start[32];

		if (f->start == LOOM_WL_START_CHAINED)
			snprintf(start, sizeof(start), "chained");
		else
			snprintf(start, sizeof(start), "%llu", (unsigned long long)f->start);
		fprintf(out, "%u,%s,%s,%u,%u,%llu,%s,%llu,%u,%u,%u,%u,%s,%s,%u,%u,%u,%s,%llu,%llu\n", f->id,
			t->hosts[f->src_host].name, t->hosts[f->dst_host].name, f->src_host, f->dst_host,
			(unsigned long long)f->bytes, start, (unsigned long long)f->rate_bps, f->pkt_bytes,
			f->src_port, f->dscp, f->ecn_capable, loom_flow_transport_name(f),
			loom_flow_entropy_name(f->entropy), f->group, LOOM_WL_GROUP_COLLECTIVE(f->group),
			LOOM_WL_GROUP_PHASE(f->group), workload_cc_name(f->cc), (unsigned long long)f->burst_bytes,
			(unsigned long long)f->idle_ns);
	}
}
