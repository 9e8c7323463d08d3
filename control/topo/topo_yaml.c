/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed access to the libyaml document tree. libyaml does not resolve
 * scalar types (every plain scalar is a string), so each getter checks the
 * text itself and names the key and line when it does not fit.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"

int topo_error(const struct topo_ctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || c->errlen == 0)
		return -1;
	n = snprintf(c->err, c->errlen, "%s:%d: ", c->file, line);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int topo_line(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	default:
		return n->data.scalar.length ? "a scalar" : "empty";
	}
}

static int check_key(struct topo_loader *ld, yaml_node_t *k, const char *what,
		     struct topo_field *f, int n)
{
	const char *key = scalar(k);

	if (!key)
		return topo_error(&ld->ctx, topo_line(k), "keys in %s must be plain words", what);
	for (int i = 0; i < n; i++) {
		if (strcmp(key, f[i].key) != 0)
			continue;
		if (f[i].k)
			return topo_error(&ld->ctx, topo_line(k),
					  "duplicate key '%s' in %s (first at line %d)", key,
					  what, topo_line(f[i].k));
		return i;
	}
	return topo_error(&ld->ctx, topo_line(k), "unknown key '%s' in %s", key, what);
}

int topo_fields(struct topo_loader *ld, yaml_node_t *map, const char *what,
		struct topo_field *f, int n)
{
	for (int i = 0; i < n; i++)
		f[i].k = f[i].v = NULL;
	if (map->type != YAML_MAPPING_NODE)
		return topo_error(&ld->ctx, topo_line(map), "%s must be a mapping, not %s", what,
				  node_kind(map));
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
		int i = check_key(ld, k, what, f, n);

		if (i < 0)
			return -1;
		f[i].k = k;
		f[i].v = yaml_document_get_node(ld->doc, p->value);
	}
	return 0;
}

int topo_require(struct topo_loader *ld, yaml_node_t *map, const char *what,
		 const struct topo_field *f)
{
	if (f->k)
		return 0;
	return topo_error(&ld->ctx, topo_line(map), "missing key '%s' in %s", f->key, what);
}

int topo_get_seq(struct topo_loader *ld, const struct topo_field *f, yaml_node_t **seq)
{
	if (f->v->type != YAML_SEQUENCE_NODE)
		return topo_error(&ld->ctx, topo_line(f->v), "'%s' must be a sequence, not %s",
				  f->key, node_kind(f->v));
	*seq = f->v;
	return 0;
}

int topo_get_str(struct topo_loader *ld, const struct topo_field *f, const char **s)
{
	*s = scalar(f->v);
	if (!*s)
		return topo_error(&ld->ctx, topo_line(f->v), "'%s' must be a scalar, not %s",
				  f->key, node_kind(f->v));
	if (!**s)
		return topo_error(&ld->ctx, topo_line(f->v), "'%s' is empty", f->key);
	return 0;
}

int topo_get_uint(struct topo_loader *ld, const struct topo_field *f,
		  unsigned long min, unsigned long max, unsigned long *out)
{
	const char *s;
	char *end;
	int base = 10;

	if (topo_get_str(ld, f, &s) < 0)
		return -1;
	/* decimal, or 0x.. hex (seeds); never octal: "08" is 8 */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	errno = 0;
	*out = isdigit((unsigned char)s[0]) ? strtoul(s, &end, base) : 0;
	if (!isdigit((unsigned char)s[0]) || *end || errno)
		return topo_error(&ld->ctx, topo_line(f->v),
				  "'%s' must be an integer, not '%s'", f->key, s);
	if (*out < min || *out > max)
		return topo_error(&ld->ctx, topo_line(f->v), "%s %s out of range %lu..%lu",
				  f->key, s, min, max);
	return 0;
}

int topo_get_bool(struct topo_loader *ld, const struct topo_field *f, bool *out)
{
	const char *s;

	if (topo_get_str(ld, f, &s) < 0)
		return -1;
	/* YAML 1.2's core schema: nothing else (no yes/no/on/off) */
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		*out = true;
	else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		*out = false;
	else
		return topo_error(&ld->ctx, topo_line(f->v), "'%s' must be true or false, not '%s'",
				  f->key, s);
	return 0;
}

bool topo_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= TOPO_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

int topo_get_name(struct topo_loader *ld, const struct topo_field *f, char name[TOPO_NAME_MAX])
{
	const char *s;

	if (topo_get_str(ld, f, &s) < 0)
		return -1;
	if (!topo_name_ok(s))
		return topo_error(&ld->ctx, topo_line(f->v),
				  "bad name '%s': use letters, digits, '_' and '-', at most %d",
				  s, TOPO_NAME_MAX - 1);
	strcpy(name, s);
	return 0;
}

int topo_get_rate(struct topo_loader *ld, const struct topo_field *f, uint64_t *bps)
{
	const char *s;

	if (topo_get_str(ld, f, &s) < 0)
		return -1;
	if (topo_parse_rate(s, bps) < 0)
		return topo_error(&ld->ctx, topo_line(f->v),
				  "bad rate '%s' for '%s': a number > 0 with K/M/G/T and optional bps, e.g. 10G",
				  s, f->key);
	return 0;
}

int topo_get_delay(struct topo_loader *ld, const struct topo_field *f, uint64_t *ns)
{
	const char *s;

	if (topo_get_str(ld, f, &s) < 0)
		return -1;
	if (topo_parse_delay(s, ns) < 0)
		return topo_error(&ld->ctx, topo_line(f->v),
				  "bad delay '%s' for '%s': a number with ns/us/ms/s, e.g. 1us",
				  s, f->key);
	return 0;
}

int topo_get_prefix(struct topo_loader *ld, const struct topo_field *f, struct topo_prefix *p)
{
	const char *s;

	if (topo_get_str(ld, f, &s) < 0)
		return -1;
	if (topo_parse_prefix(s, p) < 0)
		return topo_error(&ld->ctx, topo_line(f->v),
				  "bad prefix '%s' for '%s': expected e.g. 10.0.0.0/24 or fd00::/64",
				  s, f->key);
	return 0;
}

int topo_get_port_type(struct topo_loader *ld, const struct topo_field *f,
		       enum topo_host_port_type *pt)
{
	const char *s;

	if (topo_get_str(ld, f, &s) < 0)
		return -1;
	if (strcmp(s, "af_packet") == 0)
		*pt = TOPO_PORT_AF_PACKET;
	else if (strcmp(s, "af_xdp") == 0)
		*pt = TOPO_PORT_AF_XDP;
	else if (strcmp(s, "generator") == 0)
		*pt = TOPO_PORT_GENERATOR;
	else
		return topo_error(&ld->ctx, topo_line(f->v),
				  "bad port_type '%s' (af_packet, af_xdp or generator)", s);
	return 0;
}

int topo_yaml_open(const char *path, yaml_parser_t *parser, FILE **f, char *err, size_t errlen)
{
	*f = fopen(path, "r");
	if (!*f) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(parser)) {
		fclose(*f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	yaml_parser_set_input_file(parser, *f);
	return 0;
}
