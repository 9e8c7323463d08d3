/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text endpoint: GET /metrics on 127.0.0.1:PORT.
 *
 * HTTP comes from libmicrohttpd (Debian's libmicrohttpd-dev): small, C,
 * and it does the parts a hand-written responder gets wrong (partial
 * reads, slow or hostile clients, HEAD, keep-alive). It runs its own
 * polling thread; each scrape takes one stats snapshot through the
 * mailbox, like `loomctl stats`, so forwarding pauses only for the copy.
 *
 * Metrics (labels: switch, role, plane; per port also port):
 *   loom_port_<counter>_total         rx/tx packets and bytes, ...
 *   loom_port_drops_total{reason}     drops by reason
 *   loom_port_wire_<counter>_total    what the port's driver lost
 *   loom_port_queued, loom_port_rate_bps, ...  (gauges)
 *   loom_switch_<counter>_total, loom_switch_drops_total{reason},
 *   loom_switch_conserved (1 when rx + generated = tx + answered +
 *   dropped + queued), loom_time_ns.
 * Any other numeric field in `stats` is exported the same way, so
 * counters added there later (ECN marks, PFC pauses) need no change here.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "telemetry.h"

/* Fields that are levels, not counts. */
static bool is_gauge(const char *key)
{
	static const char *const gauges[] = {"queued", "queued_bytes", "rate_bps", "conserved", "delay_ns", NULL};

	for (const char *const *g = gauges; *g; g++)
		if (strcmp(key, *g) == 0)
			return true;
	return strstr(key, "depth") != NULL || strstr(key, "paused") != NULL;
}

/* Fields that are labels or identity, not samples. */
static bool is_label(const char *key)
{
	return !strcmp(key, "name") || !strcmp(key, "role") || !strcmp(key, "plane") || !strcmp(key, "index") ||
	       !strcmp(key, "link");
}

/* metric name -> {"type": ..., "samples": [lines]}, in first-seen order
 * (the text format wants all samples of a metric after its TYPE line). */
static void add_sample(json_t *metrics, const char *name, bool gauge, const char *labels, const char *extra,
		       json_int_t value)
{
	json_t *m = json_object_get(metrics, name);
	char line[512];

	if (!m) {
		m = json_pack("{s:s, s:[]}", "type", gauge ? "gauge" : "counter", "samples");
		json_object_set_new(metrics, name, m);
	}
	snprintf(line, sizeof(line), "%s{%s%s%s} %lld", name, labels, extra && *extra ? "," : "",
		 extra ? extra : "", (long long)value);
	json_array_append_new(json_object_get(m, "samples"), json_string(line));
}

static void sanitize(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			*s = '_';
}

/* Every numeric field of obj as `prefix_<key>` (counters get _total);
 * nested objects: drops -> prefix_drops_total{reason=...}, others
 * flattened into prefix_<key>_<subkey>. */
static void add_object(json_t *metrics, const char *prefix, json_t *obj, const char *labels)
{
	const char *k, *k2;
	json_t *v, *v2;
	char name[256], extra[192];

	json_object_foreach(obj, k, v) {
		if (is_label(k))
			continue;
		if (json_is_object(v)) {
			json_object_foreach(v, k2, v2) {
				if (!json_is_integer(v2))
					continue;
				if (strcmp(k, "drops") == 0) {
					snprintf(name, sizeof(name), "%s_drops_total", prefix);
					snprintf(extra, sizeof(extra), "reason=\"%s\"", k2);
				} else {
					snprintf(name, sizeof(name), "%s_%s_%s%s", prefix, k, k2, is_gauge(k2) ? "" : "_total");
					extra[0] = '\0';
				}
				sanitize(name);
				add_sample(metrics, name, strcmp(k, "drops") != 0 && is_gauge(k2), labels, extra,
					   json_integer_value(v2));
			}
		} else if (json_is_integer(v) || json_is_boolean(v)) {
			snprintf(name, sizeof(name), "%s_%s%s", prefix, k, is_gauge(k) ? "" : "_total");
			sanitize(name);
			add_sample(metrics, name, is_gauge(k), labels, NULL,
				   json_is_boolean(v) ? json_is_true(v) : json_integer_value(v));
		}
	}
}

void loom_metrics_write(const json_t *stats, FILE *out)
{
	json_t *metrics = json_object(), *sw, *port, *m;
	const char *name;
	size_t i, j;

	{
		char line[64];
		snprintf(line, sizeof(line), "loom_time_ns %lld",
			 (long long)json_integer_value(json_object_get(stats, "time_ns")));
		json_object_set_new(metrics, "loom_time_ns", json_pack("{s:s, s:[s]}", "type", "gauge", "samples", line));
	}
	/* loomd's fidelity record (real time): loom_fidelity_late_turns_total, ... */
	json_t *fd = json_object_get(stats, "fidelity");
	if (fd) {
		json_t *copy = json_copy(fd);

		json_object_del(copy, "late_hist_ms"); /* an array: the counts above carry the judgement */
		json_object_del(copy, "slack_ns");
		json_object_del(copy, "max_late_ns");
		json_object_del(copy, "max_late_at_ns");
		add_object(metrics, "loom_fidelity", copy, "");
		add_sample(metrics, "loom_fidelity_max_late_ns", true, "", NULL,
			   json_integer_value(json_object_get(fd, "max_late_ns")));
		add_sample(metrics, "loom_fidelity_max_late_at_ns", true, "", NULL,
			   json_integer_value(json_object_get(fd, "max_late_at_ns")));
		json_decref(copy);
	}
	json_array_foreach(json_object_get(stats, "switches"), i, sw) {
		char labels[256];

		snprintf(labels, sizeof(labels), "switch=\"%s\",role=\"%s\",plane=\"%lld\"",
			 json_string_value(json_object_get(sw, "name")), json_string_value(json_object_get(sw, "role")),
			 (long long)json_integer_value(json_object_get(sw, "plane")));
		json_t *copy = json_copy(sw);
		json_object_del(copy, "ports");
		add_object(metrics, "loom_switch", copy, labels);
		json_decref(copy);
		json_array_foreach(json_object_get(sw, "ports"), j, port) {
			char plabels[384];

			snprintf(plabels, sizeof(plabels), "%s,port=\"%s\"", labels,
				 json_string_value(json_object_get(port, "name")));
			add_object(metrics, "loom_port", port, plabels);
		}
	}
	json_object_foreach(metrics, name, m) {
		json_t *line;

		fprintf(out, "# TYPE %s %s\n", name, json_string_value(json_object_get(m, "type")));
		json_array_foreach(json_object_get(m, "samples"), j, line)
			fprintf(out, "%s\n", json_string_value(line));
	}
	json_decref(metrics);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct loomd_state *st = cls;
	struct MHD_Response *resp;
	unsigned int status = MHD_HTTP_OK;
	enum MHD_Result ret;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	out = open_memstream(&buf, &len);
	if (!out)
		return MHD_NO;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		fprintf(out, "only GET /metrics\n");
	} else if (strcmp(url, "/metrics") != 0) {
		status = MHD_HTTP_NOT_FOUND;
		fprintf(out, "not found: metrics are at /metrics\n");
	} else {
		json_t *stats = loom_stats_snapshot(st);

		if (stats) {
			loom_metrics_write(stats, out);
			json_decref(stats);
		} else {
			status = MHD_HTTP_INTERNAL_SERVER_ERROR;
			fprintf(out, "no stats snapshot\n");
		}
	}
	fclose(out);
	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
				status == MHD_HTTP_OK ? "text/plain; version=0.0.4" : "text/plain");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int loom_metrics_start(struct loom_metrics_server *srv, struct loomd_state *st, uint16_t port, char *err,
		       size_t errlen)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	srv->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, port, NULL, NULL, on_request, st,
				       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
				       (unsigned int)16, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				       MHD_OPTION_END);
	if (!srv->daemon) {
		snprintf(err, errlen, "cannot serve metrics on 127.0.0.1:%u (port in use?)", port);
		return -1;
	}
	return 0;
}

void loom_metrics_stop(struct loom_metrics_server *srv)
{
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
}
