/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libbpf's tc API (bpf_tc_hook_create, bpf_tc_attach, bpf_tc_query,
 * bpf_tc_detach: no tcx on kernel 6.1 / libbpf 1.1) on the interfaces of
 * the network namespace the caller is in: a namespace host's (loomctl
 * enters it with setns) or a VM guest's (loom-endpoint runs inside it).
 * Nothing is pinned: the tc filters hold the programs, the programs their
 * maps, and the maps are found again from the filter (prog id -> map ids
 * -> names), so deleting the host's namespace (or stopping the guest)
 * removes everything.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ep_attach.h"
#include "loom_endpoint.skel.h"

/* Our filters' place on the clsact hooks: other users of tc keep theirs. */
#define EP_TC_HANDLE 0x4c4d
#define EP_TC_PRIORITY 0x4c4d

int ep_ifaces(int ifindex[EP_MAX_IFACES])
{
	int n = 0;

	for (int p = 0; p < EP_MAX_IFACES; p++) {
		char name[IF_NAMESIZE];
		unsigned int i;

		snprintf(name, sizeof(name), "eth%d", p);
		i = if_nametoindex(name);
		if (i)
			ifindex[n++] = (int)i;
	}
	return n;
}

static void hook_of(struct bpf_tc_hook *h, int ifindex, enum bpf_tc_attach_point where)
{
	memset(h, 0, sizeof(*h));
	h->sz = sizeof(*h);
	h->ifindex = ifindex;
	h->attach_point = where;
}

static void opts_of(struct bpf_tc_opts *o, int prog_fd)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = EP_TC_HANDLE;
	o->priority = EP_TC_PRIORITY;
	o->prog_fd = prog_fd;
}

/* The id of our program on a hook, 0 if none. */
static unsigned int query(int ifindex, enum bpf_tc_attach_point where)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	libbpf_print_fn_t old = libbpf_set_print(NULL); /* "no qdisc" is an answer here, not an error */
	int rc;

	hook_of(&h, ifindex, where);
	opts_of(&o, 0);
	rc = bpf_tc_query(&h, &o);
	libbpf_set_print(old);
	return rc < 0 ? 0 : o.prog_id;
}

void ep_maps_close(struct ep_maps *m)
{
	int *fds[] = { &m->config, &m->lb_flows, &m->rx_flows, &m->counters };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int ep_find(int ifindex, struct ep_maps *m, char *err, size_t errlen)
{
	unsigned int id = query(ifindex, BPF_TC_INGRESS), map_ids[16];
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int prog;

	m->config = m->lb_flows = m->rx_flows = m->counters = -1;
	if (!id)
		return 0;
	prog = bpf_prog_get_fd_by_id(id);
	if (prog < 0) {
		snprintf(err, errlen, "cannot open program %u: %s", id, strerror(errno));
		return -1;
	}
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)map_ids;
	if (bpf_obj_get_info_by_fd(prog, &info, &len) < 0) {
		snprintf(err, errlen, "cannot read program %u: %s", id, strerror(errno));
		close(prog);
		return -1;
	}
	close(prog);
	for (__u32 i = 0; i < info.nr_map_ids && i < 16; i++) {
		struct bpf_map_info mi;
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(map_ids[i]);
		int *slot = NULL;

		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &mlen) == 0) {
			if (strcmp(mi.name, "ep_config") == 0)
				slot = &m->config;
			else if (strcmp(mi.name, "ep_lb_flows") == 0)
				slot = &m->lb_flows;
			else if (strcmp(mi.name, "ep_rx_flows") == 0)
				slot = &m->rx_flows;
			else if (strcmp(mi.name, "ep_counters") == 0)
				slot = &m->counters;
		}
		if (slot && *slot < 0)
			*slot = fd;
		else
			close(fd);
	}
	if (m->config < 0 || m->lb_flows < 0 || m->rx_flows < 0 || m->counters < 0) {
		ep_maps_close(m);
		snprintf(err, errlen, "the program attached at priority %#x is not Loom's endpoint program", EP_TC_PRIORITY);
		return -1;
	}
	return 1;
}

/* libbpf's messages (the verifier's log among them) into a buffer. */
static char *log_buf;
static size_t log_len, log_cap;

static int log_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || !log_buf || log_len + 1 >= log_cap)
		return 0;
	n = vsnprintf(log_buf + log_len, log_cap - log_len, fmt, ap);
	if (n > 0)
		log_len = log_len + (size_t)n < log_cap ? log_len + (size_t)n : log_cap - 1;
	return n;
}

static int detach_one(int ifindex, enum bpf_tc_attach_point where)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	if (!query(ifindex, where))
		return 0;
	hook_of(&h, ifindex, where);
	opts_of(&o, 0);
	return bpf_tc_detach(&h, &o);
}

int ep_detach(const int *ifindex, int n, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++)
		if (detach_one(ifindex[i], BPF_TC_EGRESS) < 0 || detach_one(ifindex[i], BPF_TC_INGRESS) < 0) {
			snprintf(err, errlen, "cannot detach from interface %d: %s", ifindex[i], strerror(errno));
			return -1;
		}
	return 0;
}

static int write_config(int fd, const struct loom_ep_config *cfg, char *err, size_t errlen)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(fd, &zero, cfg, BPF_ANY) < 0) {
		snprintf(err, errlen, "cannot write the configuration: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int ep_attach(const int *ifindex, int n, const struct loom_ep_config *cfg, char *err, size_t errlen, char *log,
	      size_t loglen)
{
	struct loom_endpoint *skel;
	struct ep_maps m;
	bool created[EP_MAX_IFACES] = { false };
	int rc, i;

	if (n <= 0) {
		snprintf(err, errlen, "the host has no interface eth0..eth%d", EP_MAX_IFACES - 1);
		return -1;
	}
	rc = ep_find(ifindex[0], &m, err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 1) { /* attached: a new configuration only */
		rc = write_config(m.config, cfg, err, errlen);
		ep_maps_close(&m);
		return rc;
	}
	log_buf = log;
	log_len = 0;
	log_cap = loglen;
	if (loglen)
		log[0] = '\0';
	libbpf_set_print(log_print);
	skel = loom_endpoint__open_and_load();
	if (!skel) {
		snprintf(err, errlen, "cannot load the endpoint programs: %s", strerror(errno));
		goto fail_log;
	}
	if (write_config(bpf_map__fd(skel->maps.ep_config), cfg, err, errlen) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		struct bpf_tc_hook h;
		struct bpf_tc_opts o;

		hook_of(&h, ifindex[i], BPF_TC_INGRESS | BPF_TC_EGRESS);
		rc = bpf_tc_hook_create(&h);
		if (rc < 0 && rc != -EEXIST) {
			snprintf(err, errlen, "cannot add a clsact qdisc to interface %d: %s%s", ifindex[i], strerror(-rc),
				 rc == -ENOENT || rc == -EOPNOTSUPP ? " (the kernel needs sch_ingress: modprobe sch_ingress)"
								    : "");
			goto fail_detach;
		}
		created[i] = rc == 0;
		hook_of(&h, ifindex[i], BPF_TC_EGRESS);
		opts_of(&o, bpf_program__fd(skel->progs.loom_ep_egress));
		rc = bpf_tc_attach(&h, &o);
		if (rc == 0) {
			hook_of(&h, ifindex[i], BPF_TC_INGRESS);
			opts_of(&o, bpf_program__fd(skel->progs.loom_ep_ingress));
			rc = bpf_tc_attach(&h, &o);
		}
		if (rc < 0) {
			snprintf(err, errlen, "cannot attach to interface %d: %s%s", ifindex[i], strerror(-rc),
				 rc == -ENOENT || rc == -EOPNOTSUPP ? " (the kernel needs cls_bpf: modprobe cls_bpf)" : "");
			i++;
			goto fail_detach;
		}
	}
	/* the filters hold the programs now */
	loom_endpoint__destroy(skel);
	libbpf_set_print(NULL);
	log_buf = NULL;
	return 0;

fail_detach:
	/* back to how the host was: our filters off, a clsact we added removed */
	while (i-- > 0) {
		char e2[64];
		struct bpf_tc_hook h;

		ep_detach(&ifindex[i], 1, e2, sizeof(e2));
		if (created[i]) {
			hook_of(&h, ifindex[i], BPF_TC_INGRESS | BPF_TC_EGRESS);
			bpf_tc_hook_destroy(&h);
		}
	}
fail:
	loom_endpoint__destroy(skel);
fail_log:
	libbpf_set_print(NULL);
	log_buf = NULL;
	return -1;
}

int ep_read_counters(const struct ep_maps *m, struct loom_ep_counters *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct loom_ep_counters *per;
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (ncpu <= 0)
		return -1;
	per = calloc((size_t)ncpu, sizeof(*per));
	if (!per)
		return -1;
	if (bpf_map_lookup_elem(m->counters, &zero, per) < 0) {
		free(per);
		return -1;
	}
	for (int c = 0; c < ncpu; c++) {
		const __u64 *src = (const __u64 *)&per[c];
		__u64 *dst = (__u64 *)out;

		/* every field is a __u64 counter */
		for (size_t k = 0; k < sizeof(*out) / sizeof(__u64); k++)
			dst[k] += src[k];
	}
	free(per);
	return 0;
}
