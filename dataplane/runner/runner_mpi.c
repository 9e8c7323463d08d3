/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual time over MPI ranks: see runner_mpi.h, partition.h and
 * docs/VIRTUAL_TIME.md "Many ranks".
 *
 * Synchronisation is a window protocol (conservative): before each
 * window the ranks exchange the packets sent in the last one
 * (MPI_Alltoall of counts and each rank's earliest pending time, then
 * MPI_Alltoallv of the messages), every rank takes the earliest pending
 * time anywhere, T, and runs its events before T + lookahead, the
 * smallest delay of a link between ranks: a packet sent at t >= T
 * arrives after t + lookahead, in a later window. Chosen over null
 * messages because it needs no per-link channel state and two collective
 * calls a window, and because the lookahead of a fabric (its links'
 * microsecond) holds thousands of events per rank: the exchange is a
 * small part of the time (measured, docs/VIRTUAL_TIME.md). Windows also
 * skip idle time: T is the next event, not the last window's end.
 *
 * A message is the packet as the next switch will see it: its arrival
 * time and port, the mbuf fields a switch may read (lengths, data offset,
 * flags, packet type, the scheduler's hash word, VLAN tags, the dynamic
 * fields) and the frame's stored bytes (vt_pool.h: the first 256 with
 * short buffers). It is rebuilt on the far rank in that rank's pool.
 *
 * A cell fabric's frames cross the same way: DATA cells, and the REQUEST
 * and CREDIT cells between leaves, are frames on links like any other
 * (only a leaf's requests and credits to itself are calls, and a leaf
 * never crosses ranks). A cell comes out of the cell pool and is rebuilt
 * on the far rank in its cell pool (a packet of one cell is that mbuf:
 * cell_egress.c). The cell fabric's shared state is replicated: every rank
 * loads the whole fabric (leaf numbering, directory, reachability), and a
 * fault changes reachability on every rank at the same virtual time
 * (faults are replicated too, below). What is not: each rank has a cell
 * pool of its own, as large as the one process's; a run whose cell pool
 * runs dry (drops `cell_no_buffer`) is not identical split, and loomd says
 * so (loomd_mpi.c).
 */
#include "runner_mpi.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <mpi.h>
#include <rte_mbuf.h>

/* Open MPI keeps what MPI_Init and its collectives allocate (components it
 * loads and unloads, per-operation tables) past MPI_Finalize: known, not
 * Loom's, and from dlclosed modules that no LSan suppression can name. In
 * a sanitizer build the MPI calls run with leak tracking off for this
 * thread, so that loomd's own leaks are still reported (and the leak
 * check runs before MPI_Finalize: loom_mpi_finalize). */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define MPI_LEAKS_IGNORED(call)                                                                                  \
	({                                                                                                       \
		__lsan_disable();                                                                                \
		int rc_ = (call);                                                                                \
		__lsan_enable();                                                                                 \
		rc_;                                                                                             \
	})
#else
#define MPI_LEAKS_IGNORED(call) (call)
#endif

#include "cell_fabric.h"
#include "gen_host.h"
#include "gen_plane.h"
#include "observe.h"
#include "partition.h"
#include "series.h"
#include "vt_pool.h"

struct wire_msg {
	uint64_t t;
	uint64_t ol_flags;
	uint8_t hash[8]; /* m->hash: the traffic manager's sched word, or an RSS hash */
	uint32_t pkt_len;
	uint32_t packet_type;
	uint32_t dynfield[9];
	uint16_t sw, port, mport, data_off, data_len, vlan_tci, vlan_tci_outer, n_bytes;
	uint16_t cell;    /* 1: a cell-pool mbuf (cell_fabric.h), rebuilt in the cell pool */
	uint16_t to_host; /* 1: for generator host `host` (a multi-plane host's plane), not (sw, port) */
	uint32_t host;
};
_Static_assert(sizeof(((struct rte_mbuf *)0)->hash) == 8, "mbuf hash word");
_Static_assert(sizeof(((struct rte_mbuf *)0)->dynfield1) == 36, "mbuf dynamic fields");

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

struct out_buf {
	uint8_t *p;
	size_t len, cap;
};

struct mpi_run {
	int rank, size;
	struct out_buf *out;       /* [rank]: messages for it this window */
	struct out_buf send, recv; /* contiguous, for MPI_Alltoallv */
	int *scount, *sdispl, *rcount, *rdispl;
	uint64_t *hdr_out, *hdr_in; /* [2 * rank]: bytes for it, my earliest pending time */
	loom_time_ns sent_min;      /* the earliest arrival sent this window */
	struct loom_vt_pool *pool;
	struct rte_mempool *cell_pool; /* NULL: not a cell fabric */
	struct loom_vt_stats *st;
	const uint16_t *sw_rank;
	const struct loom_fabric *f;
};

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	fprintf(stderr, "loomd: MPI run: %s\n", what);
	MPI_Abort(MPI_COMM_WORLD, 1);
	abort();
}

static void reserve(struct out_buf *b, size_t need)
{
	if (b->len + need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 1 << 16;

	while (cap < b->len + need)
		cap *= 2;
	uint8_t *p = realloc(b->p, cap);

	if (!p)
		die("out of memory for the messages between ranks");
	b->p = p;
	b->cap = cap;
}

static void wire_put(struct mpi_run *r, uint16_t rank, loom_time_ns t, uint16_t sw, uint16_t port, uint16_t to_host,
		     uint32_t host, struct rte_mbuf *m)
{
	struct out_buf *b = &r->out[rank];
	bool cell = r->cell_pool && m->pool == r->cell_pool;
	/* the run's pool may store only a frame's first bytes (vt_pool.h); a cell pool's mbuf holds it whole */
	uint16_t stored = cell ? m->buf_len : r->pool->stored;
	uint16_t n = m->data_off < stored ? RTE_MIN(m->data_len, (uint16_t)(stored - m->data_off)) : 0;
	struct wire_msg w = {
		.cell = cell, .to_host = to_host, .host = host,
		.t = t, .ol_flags = m->ol_flags, .pkt_len = m->pkt_len, .packet_type = m->packet_type,
		.sw = sw, .port = port, .mport = m->port, .data_off = m->data_off, .data_len = m->data_len,
		.vlan_tci = m->vlan_tci, .vlan_tci_outer = m->vlan_tci_outer, .n_bytes = n,
	};

	memcpy(w.hash, &m->hash, sizeof(w.hash));
	memcpy(w.dynfield, m->dynfield1, sizeof(w.dynfield));
	reserve(b, ALIGN8(sizeof(w) + n));
	memcpy(b->p + b->len, &w, sizeof(w));
	memcpy(b->p + b->len + sizeof(w), rte_pktmbuf_mtod(m, const void *), n);
	b->len += ALIGN8(sizeof(w) + n);
	if (t < r->sent_min)
		r->sent_min = t;
	r->st->msgs_sent++;
	rte_pktmbuf_free(m);
}

static void mpi_send(void *ctx, loom_time_ns t, uint16_t sw, uint16_t port, struct rte_mbuf *m)
{
	struct mpi_run *r = ctx;

	wire_put(r, r->sw_rank[sw], t, sw, port, 0, 0, m);
}

static void mpi_send_host(void *ctx, loom_time_ns t, uint32_t h, struct rte_mbuf *m)
{
	struct mpi_run *r = ctx;

	wire_put(r, r->sw_rank[r->f->gen_hosts[h].sw], t, 0, 0, 1, h, m);
}

static struct rte_mbuf *rebuild(struct mpi_run *r, const struct wire_msg *w, const uint8_t *data)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->cell ? r->cell_pool : r->pool->mp);

	if (!m && !w->cell && loom_vt_pool_grow(r->pool) > 0)
		m = rte_pktmbuf_alloc(r->pool->mp);
	if (!m) /* the one process would have had it: its pools hold every rank's */
		die(w->cell ? "the cell pool is full: a cell from another rank has no mbuf (raise cell: pool_cells)"
			    : "the packet pool is full: a packet from another rank has no mbuf");
	m->data_off = w->data_off;
	m->pkt_len = w->pkt_len;
	m->data_len = w->data_len;
	m->ol_flags = w->ol_flags;
	m->packet_type = w->packet_type;
	m->port = w->mport;
	m->vlan_tci = w->vlan_tci;
	m->vlan_tci_outer = w->vlan_tci_outer;
	memcpy(&m->hash, w->hash, sizeof(w->hash));
	memcpy(m->dynfield1, w->dynfield, sizeof(w->dynfield));
	memcpy(rte_pktmbuf_mtod(m, void *), data, w->n_bytes);
	return m;
}

static loom_time_ns mpi_sync(void *ctx, struct loom_vt_run *v, loom_time_ns local_next)
{
	struct mpi_run *r = ctx;
	double t0 = wall_now();
	loom_time_ns mine = local_next < r->sent_min ? local_next : r->sent_min, next = LOOM_TIME_NEVER;
	size_t total = 0;

	for (int i = 0; i < r->size; i++) {
		r->hdr_out[2 * i] = r->out[i].len;
		r->hdr_out[2 * i + 1] = mine;
	}
	if (MPI_LEAKS_IGNORED(MPI_Alltoall(r->hdr_out, 2, MPI_UINT64_T, r->hdr_in, 2, MPI_UINT64_T, MPI_COMM_WORLD)) !=
	    MPI_SUCCESS)
		die("MPI_Alltoall failed");
	r->send.len = 0;
	for (int i = 0; i < r->size; i++) {
		if (r->hdr_in[2 * i + 1] < next)
			next = r->hdr_in[2 * i + 1];
		if (r->out[i].len > INT_MAX || r->hdr_in[2 * i] > INT_MAX)
			die("more than 2 GB of messages to one rank in one window");
		r->sdispl[i] = (int)r->send.len;
		r->scount[i] = (int)r->out[i].len;
		reserve(&r->send, r->out[i].len);
		if (r->out[i].len) /* an empty buffer may be NULL: no memcpy of it (UBSan) */
			memcpy(r->send.p + r->send.len, r->out[i].p, r->out[i].len);
		r->send.len += r->out[i].len;
		r->out[i].len = 0;
		r->rdispl[i] = (int)total;
		r->rcount[i] = (int)r->hdr_in[2 * i];
		total += r->hdr_in[2 * i];
	}
	if (r->send.len > INT_MAX || total > INT_MAX)
		die("more than 2 GB of messages in one window");
	r->recv.len = 0;
	reserve(&r->recv, total + 1);
	if (MPI_LEAKS_IGNORED(MPI_Alltoallv(r->send.p, r->scount, r->sdispl, MPI_BYTE, r->recv.p, r->rcount, r->rdispl,
					    MPI_BYTE, MPI_COMM_WORLD)) != MPI_SUCCESS)
		die("MPI_Alltoallv failed");
	for (size_t off = 0; off < total;) {
		struct wire_msg w;

		memcpy(&w, r->recv.p + off, sizeof(w));
		struct rte_mbuf *m = rebuild(r, &w, r->recv.p + off + sizeof(w));

		if (w.to_host)
			loom_vt_deliver_host(v, w.t, w.host, m);
		else
			loom_vt_deliver(v, w.t, w.sw, w.port, m);
		off += ALIGN8(sizeof(w) + w.n_bytes);
		r->st->msgs_received++;
	}
	r->sent_min = LOOM_TIME_NEVER;
	r->st->windows++;
	r->st->sync_s += wall_now() - t0;
	return next;
}

int loom_mpi_init(int *argc, char ***argv, int *rank, int *size)
{
	if (MPI_LEAKS_IGNORED(MPI_Init(argc, argv)) != MPI_SUCCESS) {
		fprintf(stderr, "loomd: MPI_Init failed\n");
		return -1;
	}
	MPI_LEAKS_IGNORED(MPI_Comm_rank(MPI_COMM_WORLD, rank));
	MPI_LEAKS_IGNORED(MPI_Comm_size(MPI_COMM_WORLD, size));
	if (*size > UINT16_MAX) {
		fprintf(stderr, "loomd: %d MPI ranks: at most %u\n", *size, UINT16_MAX);
		MPI_LEAKS_IGNORED(MPI_Finalize());
		return -1;
	}
	return 0;
}

void loom_mpi_finalize(void)
{
#if defined(__SANITIZE_ADDRESS__)
	/* loomd has freed what it owns: look for its leaks now, while Open
	 * MPI's threads' allocations are still reachable from MPI's state
	 * (they are not after MPI_Finalize); the exit-time check then does not
	 * run again. */
	__lsan_do_leak_check();
#endif
	MPI_LEAKS_IGNORED(MPI_Finalize());
}

void loom_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

void loom_mpi_bcast_bytes(char **buf, long *len)
{
	int rank;

	MPI_LEAKS_IGNORED(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
	MPI_LEAKS_IGNORED(MPI_Bcast(len, 1, MPI_LONG, 0, MPI_COMM_WORLD));
	if (*len < 0)
		return;
	if (rank != 0 && !(*buf = malloc((size_t)*len + 1)))
		die("out of memory for the configuration");
	MPI_LEAKS_IGNORED(MPI_Bcast(*buf, (int)*len, MPI_CHAR, 0, MPI_COMM_WORLD));
}

int loom_mpi_gather_strings(const char *mine, char ***out)
{
	int rank, size, len = (int)strlen(mine) + 1, *lens = NULL, *displ = NULL, total = 0, rc = -1;
	char *all = NULL;

	MPI_LEAKS_IGNORED(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
	MPI_LEAKS_IGNORED(MPI_Comm_size(MPI_COMM_WORLD, &size));
	*out = NULL;
	if (rank == 0) {
		lens = calloc((size_t)size, sizeof(*lens));
		displ = calloc((size_t)size, sizeof(*displ));
		*out = calloc((size_t)size, sizeof(**out));
		if (!lens || !displ || !*out)
			die("out of memory gathering the results");
	}
	MPI_LEAKS_IGNORED(MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD));
	if (rank == 0) {
		for (int i = 0; i < size; i++) {
			displ[i] = total;
			if (lens[i] > INT_MAX - total)
				die("more than 2 GB of results");
			total += lens[i];
		}
		all = malloc((size_t)total);
		if (!all)
			die("out of memory gathering the results");
	}
	MPI_LEAKS_IGNORED(MPI_Gatherv(mine, len, MPI_CHAR, all, lens, displ, MPI_CHAR, 0, MPI_COMM_WORLD));
	if (rank == 0) {
		for (int i = 0; i < size; i++)
			if (!((*out)[i] = strdup(all + displ[i])))
				die("out of memory gathering the results");
		rc = 0;
	} else
		rc = 0;
	free(all);
	free(lens);
	free(displ);
	return rc;
}

bool loom_mpi_all(bool mine)
{
	int in = mine, all = 0;

	MPI_LEAKS_IGNORED(MPI_Allreduce(&in, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD));
	return all != 0;
}

void loom_mpi_bytes_to_root(int from, const void *mine, size_t len, char **out, size_t *out_len)
{
	int rank;
	uint64_t n = len;

	MPI_LEAKS_IGNORED(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
	*out = NULL;
	*out_len = 0;
	if (from == 0 || (rank != 0 && rank != from))
		return;
	if (rank == from) {
		if (len > INT_MAX)
			die("more than 2 GB of one output on one rank");
		MPI_LEAKS_IGNORED(MPI_Send(&n, 1, MPI_UINT64_T, 0, 0, MPI_COMM_WORLD));
		MPI_LEAKS_IGNORED(MPI_Send(mine, (int)len, MPI_BYTE, 0, 0, MPI_COMM_WORLD));
		return;
	}
	MPI_LEAKS_IGNORED(MPI_Recv(&n, 1, MPI_UINT64_T, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
	if (n > INT_MAX || !(*out = malloc(n + 1)))
		die("out of memory for another rank's output");
	MPI_LEAKS_IGNORED(MPI_Recv(*out, (int)n, MPI_BYTE, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
	*out_len = n;
}

/* A trace is claimed on the rank of its switch and followed on every
 * rank its packets reach: the mark crosses with the packet (the message
 * carries ol_flags and the dynamic fields; every rank registers them in the
 * same order). Elsewhere no packet is claimed (the count is reached), and a
 * marked packet's record is the one its number names: what each rank
 * records of a packet is merged by virtual time at the end
 * (loomd_mpi_observe.c). */
static void follow_trace_here(struct loom_fabric *f, const uint16_t *sw_rank, int rank)
{
	struct loom_trace *t = f->observe ? f->observe->trace : NULL;

	for (uint16_t s = 0; t && s < f->n_switches; s++)
		if (f->switches[s].id == t->sw && sw_rank[s] != rank)
			t->n_packets = t->count;
}

/* What the results read of a generator host: its counters, the PAUSE it
 * obeyed, its flows (loss recovery state is inside the flows) and, with a
 * multi-plane NIC, the NIC's planes and each flow's per-plane state. A
 * flow's `planes` points into the process that allocated it: copied in,
 * a flow keeps its own pointer and takes the contents. */
static size_t flow_planes_bytes(const struct loom_gen_host *h)
{
	return h->nic ? sizeof(struct loom_gen_flow_planes) + h->nic->n_planes * sizeof(struct loom_gen_flow_plane) : 0;
}

static size_t host_state_bytes(const struct loom_gen_host *h)
{
	size_t n = sizeof(h->c) + sizeof(h->pause) + h->n_tx * sizeof(*h->tx) + h->n_rx * sizeof(*h->rx);

	if (h->nic) {
		n += sizeof(*h->nic);
		for (uint32_t i = 0; i < h->n_tx; i++)
			n += h->tx[i].planes ? flow_planes_bytes(h) : 0;
		for (uint32_t i = 0; i < h->n_rx; i++)
			n += h->rx[i].planes ? flow_planes_bytes(h) : 0;
	}
	return n;
}

static uint8_t *copy_part(uint8_t *dst, void *p, size_t n, bool out)
{
	if (out)
		memcpy(dst, p, n);
	else
		memcpy(p, dst, n);
	return dst + n;
}

static uint8_t *host_state_copy(uint8_t *dst, struct loom_gen_host *h, bool out)
{
	size_t fp = flow_planes_bytes(h);

	dst = copy_part(dst, &h->c, sizeof(h->c), out);
	dst = copy_part(dst, &h->pause, sizeof(h->pause), out);
	for (uint32_t i = 0; i < h->n_tx; i++) {
		struct loom_gen_flow_planes *mine = h->tx[i].planes;

		dst = copy_part(dst, &h->tx[i], sizeof(h->tx[i]), out);
		h->tx[i].planes = mine;
	}
	for (uint32_t i = 0; i < h->n_rx; i++) {
		struct loom_gen_flow_planes *mine = h->rx[i].planes;

		dst = copy_part(dst, &h->rx[i], sizeof(h->rx[i]), out);
		h->rx[i].planes = mine;
	}
	if (!h->nic)
		return dst;
	dst = copy_part(dst, h->nic, sizeof(*h->nic), out);
	for (uint32_t i = 0; i < h->n_tx; i++)
		if (h->tx[i].planes)
			dst = copy_part(dst, h->tx[i].planes, fp, out);
	for (uint32_t i = 0; i < h->n_rx; i++)
		if (h->rx[i].planes)
			dst = copy_part(dst, h->rx[i].planes, fp, out);
	return dst;
}

/* Rank 0 takes the state of every generator host another rank ran. */
static void gather_hosts(struct loom_fabric *f, const uint16_t *sw_rank, int rank, int size)
{
	size_t mine = 0;
	uint8_t *buf, *all = NULL, *q;
	int *lens = NULL, *displ = NULL, total = 0;

	for (uint32_t h = 0; h < f->n_gen_hosts; h++)
		if (sw_rank[f->gen_hosts[h].sw] == rank && rank != 0)
			mine += host_state_bytes(&f->gen_hosts[h]);
	if (mine > INT_MAX)
		die("more than 2 GB of host results on one rank");
	buf = malloc(mine + 1);
	if (!buf)
		die("out of memory gathering the hosts");
	q = buf;
	for (uint32_t h = 0; h < f->n_gen_hosts && rank != 0; h++)
		if (sw_rank[f->gen_hosts[h].sw] == rank)
			q = host_state_copy(q, &f->gen_hosts[h], true);
	if (rank == 0) {
		lens = calloc((size_t)size, sizeof(*lens));
		displ = calloc((size_t)size, sizeof(*displ));
		if (!lens || !displ)
			die("out of memory gathering the hosts");
	}
	int len = (int)mine;

	MPI_LEAKS_IGNORED(MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD));
	if (rank == 0) {
		for (int i = 0; i < size; i++) {
			displ[i] = total;
			if (lens[i] > INT_MAX - total)
				die("more than 2 GB of host results");
			total += lens[i];
		}
		all = malloc((size_t)total + 1);
		if (!all)
			die("out of memory gathering the hosts");
	}
	MPI_LEAKS_IGNORED(MPI_Gatherv(buf, len, MPI_BYTE, all, lens, displ, MPI_BYTE, 0, MPI_COMM_WORLD));
	if (rank == 0)
		for (int i = 1; i < size; i++) {
			q = all + displ[i];
			for (uint32_t h = 0; h < f->n_gen_hosts; h++)
				if (sw_rank[f->gen_hosts[h].sw] == i)
					q = host_state_copy(q, &f->gen_hosts[h], false);
		}
	free(buf);
	free(all);
	free(lens);
	free(displ);
}

uint64_t loom_mpi_bcast_u64(uint64_t v)
{
	MPI_LEAKS_IGNORED(MPI_Bcast(&v, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD));
	return v;
}

int loom_run_mpi(struct loom_fabric *f, const json_t *groups, struct loom_vt_pool *pool, struct loom_series *series,
		 struct loom_vt_stats *st, struct loom_mpi_rank_stats *ranks, uint16_t **sw_rank_out, char *err,
		 size_t errlen)
{
	struct mpi_run r = {.sent_min = LOOM_TIME_NEVER, .pool = pool, .st = st};
	uint16_t *sw_rank = calloc(f->n_switches + 1u, sizeof(*sw_rank));
	struct loom_mpi_rank_stats me = {0};
	struct loom_vt_remote remote;
	struct rusage ru;
	loom_time_ns la;
	int rc = -1;

	MPI_LEAKS_IGNORED(MPI_Comm_rank(MPI_COMM_WORLD, &r.rank));
	MPI_LEAKS_IGNORED(MPI_Comm_size(MPI_COMM_WORLD, &r.size));
	*sw_rank_out = sw_rank;
	if (!sw_rank) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (loom_partition(f, groups, (uint16_t)r.size, sw_rank, err, errlen) < 0)
		return -1;
	for (int i = 0; i < r.size; i++) {
		uint16_t s = 0;

		while (s < f->n_switches && sw_rank[s] != i)
			s++;
		if (s == f->n_switches) {
			snprintf(err, errlen, "%d ranks for %u switches: rank %d would run none (use fewer ranks)",
				 r.size, f->n_switches, i);
			return -1;
		}
	}
	la = loom_partition_lookahead(f, sw_rank, err, errlen);
	if (la == 0)
		return -1;
	r.sw_rank = sw_rank;
	r.f = f;
	if (f->cell) {
		r.cell_pool = f->cell->cell_pool;
		/* a leaf rebuilds packets of several cells in the pool its
		 * packets came from, which it learns from the first it cuts
		 * (cell_ingress.c); a leaf whose rank cuts none yet gets it now:
		 * the run's pool, where every generator host's packet is */
		if (!f->cell->pkt_pool)
			f->cell->pkt_pool = pool->mp;
	}
	r.out = calloc((size_t)r.size, sizeof(*r.out));
	r.scount = calloc((size_t)r.size, sizeof(int));
	r.sdispl = calloc((size_t)r.size, sizeof(int));
	r.rcount = calloc((size_t)r.size, sizeof(int));
	r.rdispl = calloc((size_t)r.size, sizeof(int));
	r.hdr_out = calloc(2 * (size_t)r.size, sizeof(uint64_t));
	r.hdr_in = calloc(2 * (size_t)r.size, sizeof(uint64_t));
	if (!r.out || !r.scount || !r.sdispl || !r.rcount || !r.rdispl || !r.hdr_out || !r.hdr_in) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	remote = (struct loom_vt_remote){.sw_rank = sw_rank, .rank = (uint16_t)r.rank, .lookahead = la,
					 .send = mpi_send, .send_host = mpi_send_host, .sync = mpi_sync, .ctx = &r};
	if (series) {
		series->sw_rank = sw_rank;
		series->rank = (uint16_t)r.rank;
	}
	follow_trace_here(f, sw_rank, r.rank);
	if (loom_run_virtual(f, pool, series, &remote, st, err, errlen) < 0) {
		/* the other ranks wait in the next exchange: stop them */
		fprintf(stderr, "loomd: rank %d: %s\n", r.rank, err);
		die("a rank failed");
	}
	getrusage(RUSAGE_SELF, &ru);
	me = (struct loom_mpi_rank_stats){.events = st->events, .packets = st->packets, .msgs_sent = st->msgs_sent,
					  .msgs_received = st->msgs_received, .windows = st->windows,
					  .loop_s = st->loop_s, .sync_s = st->sync_s, .peak_rss_mb = ru.ru_maxrss / 1024.0};
	for (uint16_t s = 0; s < f->n_switches; s++)
		me.switches += sw_rank[s] == r.rank;
	for (uint32_t h = 0; h < f->n_gen_hosts; h++)
		me.hosts += sw_rank[f->gen_hosts[h].sw] == r.rank;
	MPI_LEAKS_IGNORED(MPI_Gather(&me, sizeof(me), MPI_BYTE, ranks, sizeof(me), MPI_BYTE, 0, MPI_COMM_WORLD));
	uint64_t sums[3] = {st->events, st->packets, st->in_flight}, total[3] = {0};

	MPI_LEAKS_IGNORED(MPI_Reduce(sums, total, 3, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD));
	if (r.rank == 0) {
		st->events = total[0];
		st->packets = total[1];
		st->in_flight = total[2];
	}
	gather_hosts(f, sw_rank, r.rank, r.size);
	rc = 0;
out:
	for (int i = 0; r.out && i < r.size; i++)
		free(r.out[i].p);
	free(r.out);
	free(r.send.p);
	free(r.recv.p);
	free(r.scount);
	free(r.sdispl);
	free(r.rcount);
	free(r.rdispl);
	free(r.hdr_out);
	free(r.hdr_in);
	return rc;
}
