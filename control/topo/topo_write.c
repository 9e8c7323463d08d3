/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The explicit form of a model (`loomctl topo expand`): every value that
 * loading would otherwise derive (hash seeds, per-link rates and delays)
 * is written out, so that loading the output gives the same model even if
 * the derivations change later.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "loom/frame.h"
#include "topo_internal.h"

/* Names are [A-Za-z0-9_-] (link ends add ':'): only a leading '-' could
 * read as YAML syntax. */
void topo_write_name(FILE *out, const char *s)
{
	fprintf(out, s[0] == '-' ? "\"%s\"" : "%s", s);
}

/* `machines:` (topo_machines.c reads it). */
static void topo_write_machines(const struct topology *t, FILE *out)
{
	char addr[64];

	if (!t->n_machines)
		return;
	fputs("machines:\n", out);
	for (int m = 0; m < t->n_machines; m++) {
		const struct topo_machine *mc = &t->machines[m];

		inet_ntop(mc->underlay.family == 6 ? AF_INET6 : AF_INET, mc->underlay.addr, addr, sizeof(addr));
		fputs("  - name: ", out);
		topo_write_name(out, mc->name);
		fprintf(out, "\n    underlay: \"%s\"\n", addr);
		if (mc->interface[0])
			fprintf(out, "    interface: %s\n", mc->interface);
		fprintf(out, "    mtu: %u\n", mc->mtu);
	}
}

/* devargs are free text: a double-quoted scalar with escapes. */
static void put_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* tm: settings of switch `sw` (-1: top-level), as flat dotted keys; a
 * switch's ports: after its own. */
static void write_tm(const struct topology *t, int sw, const char *indent, FILE *out)
{
	bool first = true;
	int last_port = -1;

	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < t->n_tm; i++) {
			const struct topo_tm_setting *s = &t->tm[i];

			if (s->sw != sw || (pass == 0) != (s->port < 0))
				continue;
			if (first)
				fprintf(out, "%stm:\n", indent);
			first = false;
			if (s->port >= 0 && last_port < 0)
				fprintf(out, "%s  ports:\n", indent);
			if (s->port >= 0 && s->port != last_port)
				fprintf(out, "%s    %d:\n", indent, s->port);
			if (s->port >= 0)
				last_port = s->port;
			fprintf(out, "%s  %s%s: ", indent, s->port >= 0 ? "    " : "", s->key);
			put_quoted(out, s->value);
			fputc('\n', out);
		}
}

static void write_switch(const struct topology *t, const struct topo_switch *sw, FILE *out)
{
	bool shared = t->planes_joined && sw->role == TOPO_SUPERSPINE;
	char buf[64];

	fputs("  - name: ", out);
	topo_write_name(out, sw->name);
	fprintf(out, "\n    role: %s\n", topo_role_name(sw->role));
	/* a shared super-spine has no plane, a super-spine no pod; pods are
	 * spelled out only where the fabric has them */
	if (!shared)
		fprintf(out, "    plane: %d\n", sw->plane);
	if (sw->role != TOPO_SUPERSPINE && (t->n_tiers > 2 || t->n_pods > 1))
		fprintf(out, "    pod: %d\n", sw->pod);
	if (sw->subnet4.family) {
		topo_format_prefix(&sw->subnet4, buf, sizeof(buf));
		fprintf(out, "    ipv4: %s\n", buf);
	}
	if (sw->subnet6.family) {
		topo_format_prefix(&sw->subnet6, buf, sizeof(buf));
		fprintf(out, "    ipv6: \"%s\"\n", buf); /* "::" reads badly as a plain scalar */
	}
	fprintf(out, "    options:\n      hash_seed: %u\n", sw->hash_seed);
	if (sw->pipeline == TOPO_PIPELINE_P4)
		fputs("    pipeline: p4\n", out);
	if (sw->machine >= 0) {
		fputs("    machine: ", out);
		topo_write_name(out, t->machines[sw->machine].name);
		fputc('\n', out);
	}
	write_tm(t, (int)(sw - t->switches), "    ", out);
	if (topo_lb_given(&sw->lb))
		topo_write_lb(out, &sw->lb, "      ");
}

static void write_end(const struct topology *t, char which, const struct topo_end *e, FILE *out)
{
	char end[TOPO_NAME_MAX + 16];

	/* a host's interface is implied by its leaf's plane: spell it out
	 * only where there is more than one plane */
	if (!e->is_host)
		snprintf(end, sizeof(end), "%s:%d", t->switches[e->node].name, e->port);
	else if (t->n_planes > 1)
		snprintf(end, sizeof(end), "%s:eth%d", t->hosts[e->node].name, e->port);
	else
		snprintf(end, sizeof(end), "%s", t->hosts[e->node].name);
	fprintf(out, "%s%c: ", which == 'a' ? "  - " : "    ", which);
	topo_write_name(out, end);
	fputc('\n', out);
}

static void write_link(const struct topology *t, const struct topo_link *l, FILE *out)
{
	char rate[32], delay[32];

	write_end(t, 'a', &l->a, out);
	write_end(t, 'b', &l->b, out);
	topo_format_rate(l->rate_bps, rate, sizeof(rate));
	topo_format_delay(l->delay_ns, delay, sizeof(delay));
	fprintf(out, "    rate: %s\n    delay: %s\n", rate, delay);
	if (l->mtu != LOOM_MTU_DEFAULT)
		fprintf(out, "    mtu: %u\n", l->mtu);
	if (l->a.devargs[0]) {
		fputs("    devargs_a: ", out);
		put_quoted(out, l->a.devargs);
		fputc('\n', out);
	}
	if (l->b.devargs[0]) {
		fputs("    devargs_b: ", out);
		put_quoted(out, l->b.devargs);
		fputc('\n', out);
	}
}

/* The experiment keys, with the traffic as the explicit flows its patterns
 * expanded to (written by `traffic`). */
static void write_experiment(const struct topology *t, const struct topo_traffic *traffic, FILE *out)
{
	char buf[32];

	if (t->clock == TOPO_CLOCK_VIRTUAL)
		fputs("clock: virtual\n", out);
	if (t->seed)
		fprintf(out, "seed: %llu\n", (unsigned long long)t->seed);
	if (t->duration_ns) {
		topo_format_delay(t->duration_ns, buf, sizeof(buf));
		fprintf(out, "duration: %s\n", buf);
	}
	if (t->host_jitter_ns) {
		topo_format_delay(t->host_jitter_ns, buf, sizeof(buf));
		fprintf(out, "host_jitter: %s\n", buf);
	}
	if (t->nic.plane_spread[0]) {
		fprintf(out, "nic:\n  plane_spread: %s\n", t->nic.plane_spread);
		if (t->nic.flowlet_gap_ns) {
			topo_format_delay(t->nic.flowlet_gap_ns, buf, sizeof(buf));
			fprintf(out, "  flowlet_gap: %s\n", buf);
		}
	}
	topo_write_observe(t, out);
	traffic->write(t, out);
}

int topo_write_explicit(const struct topology *t, const struct topo_traffic *traffic, FILE *out)
{
	char rate[32], delay[32];

	topo_format_rate(t->default_rate_bps, rate, sizeof(rate));
	topo_format_delay(t->default_delay_ns, delay, sizeof(delay));
	fprintf(out, "# Explicit form of fabric '%s' (from %s).\n", t->name, t->file);
	fprintf(out, "# %d switches, %d hosts, %d links, %d plane(s).\n", t->n_switches,
		t->n_hosts, t->n_links, t->n_planes);
	if (t->n_tiers > 2)
		fprintf(out, "# Three tiers: %d pod(s) per plane%s.\n", t->n_pods,
			t->planes_joined ? ", super-spines shared by the planes" : "");
	fputs("fabric: ", out);
	topo_write_name(out, t->name);
	fprintf(out, "\ndefaults:\n  link_rate: %s\n  delay: %s\n", rate, delay);
	if (t->default_mtu != LOOM_MTU_DEFAULT)
		fprintf(out, "  mtu: %u\n", t->default_mtu);
	if (t->planes_joined)
		fputs("planes_joined: true\n", out);
	if (t->time_scale > 0)
		fprintf(out, "time_scale: %.17g\n", t->time_scale);
	write_tm(t, -1, "", out);
	if (topo_lb_given(&t->lb))
		topo_write_lb(out, &t->lb, "");
	topo_write_cell(t, out);
	topo_write_faults(t, out);
	topo_write_machines(t, out);
	fputs(t->n_switches ? "switches:\n" : "switches: []\n", out);
	for (int i = 0; i < t->n_switches; i++)
		write_switch(t, &t->switches[i], out);
	fputs(t->n_hosts ? "hosts:\n" : "hosts: []\n", out);
	for (int i = 0; i < t->n_hosts; i++) {
		fputs("  - name: ", out);
		topo_write_name(out, t->hosts[i].name);
		fputc('\n', out);
		if (t->hosts[i].port_type == TOPO_PORT_AF_XDP)
			fputs("    port_type: af_xdp\n", out);
		else if (t->hosts[i].port_type == TOPO_PORT_GENERATOR)
			fputs("    port_type: generator\n", out);
		else if (t->hosts[i].port_type == TOPO_PORT_VM)
			fputs("    port_type: vm\n", out);
		topo_write_endpoint(out, &t->hosts[i].endpoint);
	}
	fputs(t->n_links ? "links:\n" : "links: []\n", out);
	for (int i = 0; i < t->n_links; i++)
		write_link(t, &t->links[i], out);
	write_experiment(t, traffic, out);
	if (t->partition_group && t->partition_from == TOPO_PARTITION_BY_MACHINE) /* topo_partition.c */
		fputs("partition: { by: machine }\n", out);
	else if (t->partition_group && t->partition_from == TOPO_PARTITION_LIST) {
		fputs("partition:\n", out);
		for (int g = 0; g < t->n_partition_groups; g++) {
			const char *sep = "  - [";

			for (int s = 0; s < t->n_switches; s++)
				if (t->partition_group[s] == g) {
					fputs(sep, out);
					topo_write_name(out, t->switches[s].name);
					sep = ", ";
				}
			fputs("]\n", out);
		}
	}
	fflush(out);
	return ferror(out) ? -1 : 0;
}
