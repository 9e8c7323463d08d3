/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_leftover.h"

static void prog_name(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(name, len, "?");
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) == 0)
		snprintf(name, len, "%s", info.name);
	close(fd);
}

int xdp_leftover_detach(const char *ifname, char *what, size_t len)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	unsigned int ifindex = if_nametoindex(ifname);
	const struct {
		const char *mode;
		__u32 flag;
		__u32 *id;
	} modes[] = {
		{"driver", XDP_FLAGS_DRV_MODE, &q.drv_prog_id},
		{"generic", XDP_FLAGS_SKB_MODE, &q.skb_prog_id},
		{"offloaded", XDP_FLAGS_HW_MODE, &q.hw_prog_id},
	};
	size_t used = 0;
	int n = 0, rc;

	what[0] = '\0';
	if (!ifindex)
		return 0;
	rc = bpf_xdp_query((int)ifindex, 0, &q);
	if (rc < 0) {
		snprintf(what, len, "cannot query XDP on %s: %s", ifname, strerror(-rc));
		return -1;
	}
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char name[32];

		if (!*modes[i].id)
			continue;
		prog_name(*modes[i].id, name, sizeof(name));
		rc = bpf_xdp_detach((int)ifindex, modes[i].flag, NULL);
		if (rc < 0) {
			snprintf(what, len, "cannot detach XDP program %u (%s) from %s: %s", *modes[i].id, name, ifname,
				 strerror(-rc));
			return -1;
		}
		if (used < len)
			used += (size_t)snprintf(what + used, len - used, "%sprogram %u (%s) in %s mode", n ? ", " : "",
						 *modes[i].id, name, modes[i].mode);
		n++;
	}
	return n;
}
