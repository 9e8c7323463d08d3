/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl web [--port N] [--bind ADDR] [--replay DIR]`: an HTTP server
 * (libmicrohttpd) for the page that draws the fabric (control/loomctl/
 * web/, compiled in) and the small JSON API it reads (docs/WEB.md).
 *
 * Read-only: the server answers GET and HEAD only, and what it sends
 * loomd is `stats` (web_sampler.c, once a second whatever the number of
 * pages) and `routes` for a switch the topology names. It listens on
 * 127.0.0.1 unless told otherwise, and while on a loopback address it
 * answers only requests addressed to a loopback name (a web page
 * elsewhere cannot reach it through DNS rebinding).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "ctl_client.h"
#include "web_assets.h"
#include "web_cmd.h"
#include "web_replay.h"
#include "web_sampler.h"
#include "web_topology.h"

#define WEB_DEFAULT_PORT 8089
#define WEB_SAMPLE_S 1.0

struct web_ctx {
	json_t *topology;            /* GET /api/topology, loaded once */
	char *topology_text;
	struct web_sampler *sampler; /* live; NULL when replaying */
	char *replay_text;           /* GET /api/replay; NULL when live */
	bool loopback;               /* bound to a loopback address: check Host */
};

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, const char *type, const void *data,
				 size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, mode);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* everything from here, nothing inline, nothing framed */
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, char *text)
{
	return send_text(conn, MHD_HTTP_OK, "application/json", text, strlen(text), MHD_RESPMEM_MUST_FREE);
}

/* {"error": msg}: msg never quotes the request (it is ours or loomd's). */
static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	json_t *o = json_pack("{s:s}", "error", msg);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (!text)
		return send_text(conn, status, "application/json", "{}", 2, MHD_RESPMEM_PERSISTENT);
	return send_text(conn, status, "application/json", text, strlen(text), MHD_RESPMEM_MUST_FREE);
}

static bool topology_has_switch(const struct web_ctx *c, const char *name)
{
	const json_t *sw;
	size_t i;

	json_array_foreach(json_object_get(c->topology, "switches"), i, sw)
		if (strcmp(json_string_value(json_object_get(sw, "name")), name) == 0)
			return true;
	return false;
}

/* Host: a loopback name, with or without a port. */
static bool host_is_loopback(const char *host)
{
	static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};

	if (!host)
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		if (strncmp(host, names[i], n) == 0 && (host[n] == '\0' || host[n] == ':'))
			return true;
	}
	return false;
}

static enum MHD_Result api_history(struct web_ctx *c, struct MHD_Connection *conn)
{
	const char *sw = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "switch");
	const char *port = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "port");
	char err[256], *end = NULL, *text;
	long p = port ? strtol(port, &end, 10) : -1;

	if (!sw || !port || *end || p < 0 || p > 65535)
		return send_error(conn, MHD_HTTP_BAD_REQUEST, "history needs ?switch=NAME&port=N");
	if (!topology_has_switch(c, sw))
		return send_error(conn, MHD_HTTP_NOT_FOUND, "no switch of that name in this fabric");
	text = web_sampler_history(c->sampler, sw, (int)p, err, sizeof(err));
	return text ? send_json(conn, text) : send_error(conn, MHD_HTTP_NOT_FOUND, err);
}

static enum MHD_Result api_routes(struct web_ctx *c, struct MHD_Connection *conn)
{
	const char *sw = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "switch");
	char err[512], *text;
	json_t *r;

	if (!sw)
		return send_error(conn, MHD_HTTP_BAD_REQUEST, "routes needs ?switch=NAME");
	if (!topology_has_switch(c, sw))
		return send_error(conn, MHD_HTTP_NOT_FOUND, "no switch of that name in this fabric");
	r = ctl_call(LOOM_SOCKET, "routes", json_pack("{s:s}", "switch", sw), err, sizeof(err));
	if (!r)
		return send_error(conn, MHD_HTTP_BAD_GATEWAY, err);
	text = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	return text ? send_json(conn, text) : send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
}

static enum MHD_Result handle_http(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct web_ctx *c = cls;
	char err[512], *text;

	(void)version;
	(void)upload_data;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "read-only: GET and HEAD only");
	if (*upload_size)
		return send_error(conn, MHD_HTTP_BAD_REQUEST, "no request body expected");
	if (c->loopback && !host_is_loopback(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)))
		return send_error(conn, MHD_HTTP_FORBIDDEN, "this server answers requests to 127.0.0.1 or localhost only");

	for (size_t i = 0; i < web_n_assets; i++)
		if (strcmp(url, web_assets[i].path) == 0)
			return send_text(conn, MHD_HTTP_OK, web_assets[i].content_type, web_assets[i].data,
					 web_assets[i].len, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/api/topology") == 0)
		return send_text(conn, MHD_HTTP_OK, "application/json", c->topology_text, strlen(c->topology_text),
				 MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/api/mode") == 0) {
		static const char live[] = "{\"mode\":\"live\"}", replay[] = "{\"mode\":\"replay\"}";
		return send_text(conn, MHD_HTTP_OK, "application/json", c->replay_text ? replay : live,
				 c->replay_text ? sizeof(replay) - 1 : sizeof(live) - 1, MHD_RESPMEM_PERSISTENT);
	}
	if (c->replay_text) {
		if (strcmp(url, "/api/replay") == 0)
			return send_text(conn, MHD_HTTP_OK, "application/json", c->replay_text,
					 strlen(c->replay_text), MHD_RESPMEM_PERSISTENT);
		return send_error(conn, MHD_HTTP_NOT_FOUND, "no such page in a replay (docs/WEB.md)");
	}
	if (strcmp(url, "/api/stats") == 0) {
		text = web_sampler_latest(c->sampler, err, sizeof(err));
		return text ? send_json(conn, text) : send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, err);
	}
	if (strcmp(url, "/api/history") == 0)
		return api_history(c, conn);
	if (strcmp(url, "/api/routes") == 0)
		return api_routes(c, conn);
	return send_error(conn, MHD_HTTP_NOT_FOUND, "no such page (docs/WEB.md lists the API)");
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "loomctl web: %s%s%s\nusage: loomctl web [--port N] [--bind ADDR] [--replay DIR]\n", what,
		arg ? " " : "", arg ? arg : "");
	return 2;
}

int cmd_web(int argc, char **argv)
{
	const char *bind_addr = "127.0.0.1", *replay = NULL;
	long port = WEB_DEFAULT_PORT;
	struct sockaddr_storage ss = {0};
	struct web_ctx c = {0};
	struct MHD_Daemon *d;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	char err[1024], shown[INET6_ADDRSTRLEN + 8];
	sigset_t stop;
	int sig, rc = 0;

	for (int i = 0; i < argc; i++) {
		char *end;

		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = strtol(argv[++i], &end, 10);
			if (*end || argv[i][0] == '\0' || port < 0 || port > 65535)
				return usage_error("--port: a number from 0 (any free port) to 65535, not", argv[i]);
		} else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc) {
			bind_addr = argv[++i];
		} else if (strcmp(argv[i], "--replay") == 0 && i + 1 < argc) {
			replay = argv[++i];
		} else {
			return usage_error("unexpected argument", argv[i]);
		}
	}
	if (inet_pton(AF_INET, bind_addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		c.loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
		snprintf(shown, sizeof(shown), "%s", bind_addr);
	} else if (inet_pton(AF_INET6, bind_addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		c.loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
		flags |= MHD_USE_IPv6;
		snprintf(shown, sizeof(shown), "[%s]", bind_addr);
	} else {
		return usage_error("--bind: an IPv4 or IPv6 address, not", bind_addr);
	}

	if (replay) {
		c.replay_text = web_replay_load(replay, &c.topology, err, sizeof(err));
		if (!c.replay_text) {
			fprintf(stderr, "loomctl web: %s\n", err);
			return 1;
		}
	} else {
		c.topology = web_topology_running(err, sizeof(err));
		if (!c.topology) {
			fprintf(stderr, "loomctl web: %s\n", err);
			return 1;
		}
	}
	/* SIGINT/SIGTERM are waited for below, not delivered to a thread:
	 * blocked before any thread starts, so that every thread inherits it */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	c.topology_text = json_dumps(c.topology, JSON_COMPACT);
	if (!replay)
		c.sampler = web_sampler_start(LOOM_SOCKET, WEB_SAMPLE_S);
	if (!c.topology_text || (!replay && !c.sampler)) {
		fprintf(stderr, "loomctl web: out of memory\n");
		rc = 1;
		goto out;
	}

	d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle_http, &c, MHD_OPTION_SOCK_ADDR, &ss,
			     MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "loomctl web: cannot listen on %s port %ld: %s\n", shown, port, strerror(errno));
		rc = 1;
		goto out;
	}
	printf("loomctl web: http://%s:%u/ (%s fabric %s; Ctrl-C stops)\n", shown,
	       (unsigned)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port, replay ? "replay of" : "live,",
	       json_string_value(json_object_get(c.topology, "fabric")));
	fflush(stdout);
	sigwait(&stop, &sig);
	MHD_stop_daemon(d);
out:
	web_sampler_stop(c.sampler);
	free(c.topology_text);
	free(c.replay_text);
	json_decref(c.topology);
	return rc;
}
