/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VM host's endpoint programs: what `loomctl endpoint` does in a
 * namespace host through setns, done in the guest by loom-endpoint, which
 * the guest agent runs (argv, no shell). The guest reads the binary from
 * the host's / over 9p; its own /tmp, /run and /var are tmpfs, so a loader
 * there is refused before the guest is asked.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent_client.h"
#include "endpoint_vm.h"

#define EP_VM_CONNECT_MS 5000
#define LOOM_GUEST_HOST_VIEW "/run/loom/host" /* the host's root in a guest, under its tmpfs (vm/guest/init) */
#define EP_VM_SET_MS 120000 /* a load under TCG: the loader read over 9p, the verifier emulated */
#define EP_VM_SHOW_MS 30000

/* $LOOM_ENDPOINT_LOADER, else loom-endpoint of the build tree loomctl is
 * in (build/endpoint/); checked as the guest will see it. */
static int loader_path(char *buf, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("LOOM_ENDPOINT_LOADER");
	static const char *const guest_own[] = { "/tmp/", "/run/", "/var/" };
	char self[PATH_MAX], *real;
	struct stat st;
	ssize_t n;

	if (env) {
		snprintf(self, sizeof(self), "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0) {
			snprintf(err, errlen, "cannot find loomctl's own path: %s", strerror(errno));
			return -1;
		}
		self[n] = '\0';
		snprintf(buf, len, "%s/../endpoint/loom-endpoint", dirname(self));
		snprintf(self, sizeof(self), "%s", buf);
	}
	real = realpath(self, NULL);
	if (!real || stat(real, &st) < 0 || !S_ISREG(st.st_mode) || access(real, X_OK) < 0) {
		snprintf(err, errlen, "no endpoint loader %s (ninja -C build endpoint/loom-endpoint, or set "
				      "$LOOM_ENDPOINT_LOADER)", self);
		free(real);
		return -1;
	}
	/* A guest has its own /tmp, /run and /var (tmpfs); its init keeps a
	 * read-only view of the host's root as it was under them at
	 * /run/loom/host (vm/guest/init). */
	for (size_t i = 0; i < sizeof(guest_own) / sizeof(guest_own[0]); i++)
		if (strncmp(real, guest_own[i], strlen(guest_own[i])) == 0) {
			snprintf(buf, len, "%s%s", LOOM_GUEST_HOST_VIEW, real);
			free(real);
			return 0;
		}
	snprintf(buf, len, "%s", real);
	free(real);
	return 0;
}

/* Run loom-endpoint ARGS... in the guest. 0 and res filled (free it), or
 * -1 with err. */
static int run_loader(const char *run_dir, const char *const *args, int nargs, int timeout_ms,
		      struct loom_agent_result *res, char *err, size_t errlen)
{
	char loader[PATH_MAX], sock[PATH_MAX];
	const char **argv;
	struct loom_agent a;
	int rc;

	if (loader_path(loader, sizeof(loader), err, errlen) < 0)
		return -1;
	argv = calloc((size_t)nargs + 2, sizeof(*argv));
	if (!argv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	argv[0] = loader;
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	snprintf(sock, sizeof(sock), "%s/agent.sock", run_dir);
	rc = loom_agent_connect(&a, sock, EP_VM_CONNECT_MS, err, errlen);
	if (rc == 0) {
		struct loom_agent_exec_req req = {.argv = argv, .timeout_ms = timeout_ms};

		rc = loom_agent_exec(&a, &req, res, err, errlen);
		loom_agent_close(&a);
	}
	free(argv);
	if (rc == 0 && (res->timed_out || res->exit_code == 126 || res->exit_code == 127 || res->exit_code < 0)) {
		snprintf(err, errlen, "the endpoint loader %s %s in the guest%s%.300s", loader,
			 res->timed_out ? "timed out" : res->exit_code < 0 ? "was killed" : "could not be started",
			 res->err_len ? ": " : "", res->err ? res->err : "");
		loom_agent_result_free(res);
		return -1;
	}
	return rc;
}

int endpoint_vm_set(const char *host, const char *run_dir, int argc, char **argv, json_t **reply)
{
	struct loom_agent_result res;
	const char **args = calloc((size_t)argc + 1, sizeof(*args));
	char err[1024];
	int rc;

	*reply = NULL;
	if (!args)
		return 1;
	args[0] = "set";
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	rc = run_loader(run_dir, args, argc + 1, EP_VM_SET_MS, &res, err, sizeof(err));
	free(args);
	if (rc < 0) {
		fprintf(stderr, "loomctl: VM host %s: %s\n", host, err);
		return 1;
	}
	/* the loader's messages: libbpf's log (the verifier's), its error, a warning */
	if (res.err_len)
		fwrite(res.err, 1, res.err_len, stderr);
	if (res.exit_code == 0) {
		*reply = json_loads(res.out ? res.out : "", 0, NULL);
		if (!*reply)
			fprintf(stderr, "loomctl: VM host %s: the endpoint loader's answer is not JSON\n", host);
	}
	rc = res.exit_code == 0 ? (*reply ? 0 : 1) : res.exit_code == 2 ? 2 : 1;
	loom_agent_result_free(&res);
	return rc;
}

json_t *endpoint_vm_show(const char *run_dir, bool with_flows, char *err, size_t errlen)
{
	const char *args[] = { "show", "--flows" };
	struct loom_agent_result res;
	json_t *o = NULL;

	if (run_loader(run_dir, args, with_flows ? 2 : 1, EP_VM_SHOW_MS, &res, err, errlen) < 0)
		return NULL;
	if (res.exit_code != 0)
		snprintf(err, errlen, "the endpoint loader failed in the guest: %.400s", res.err ? res.err : "");
	else if (!(o = json_loads(res.out ? res.out : "", 0, NULL)))
		snprintf(err, errlen, "the endpoint loader's answer is not JSON");
	loom_agent_result_free(&res);
	return o;
}
