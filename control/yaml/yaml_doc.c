/* SPDX-License-Identifier: BSD-3-Clause */
/* Typed access to a libyaml document (yaml_doc.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml_doc.h"

int yaml_doc_error(const struct yaml_doc *c, int line, const char *fmt, ...)
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

int yaml_doc_line(const yaml_node_t *n)
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

static int check_key(struct yaml_doc *d, yaml_node_t *k, const char *what,
		     struct yaml_doc_field *f, int n)
{
	const char *key = scalar(k);

	if (!key)
		return yaml_doc_error(d, yaml_doc_line(k), "keys in %s must be plain words", what);
	for (int i = 0; i < n; i++) {
		if (strcmp(key, f[i].key) != 0)
			continue;
		if (f[i].k)
			return yaml_doc_error(d, yaml_doc_line(k),
					  "duplicate key '%s' in %s (first at line %d)", key,
					  what, yaml_doc_line(f[i].k));
		return i;
	}
	return yaml_doc_error(d, yaml_doc_line(k), "unknown key '%s' in %s", key, what);
}

int yaml_doc_fields(struct yaml_doc *d, yaml_node_t *map, const char *what,
		struct yaml_doc_field *f, int n)
{
	for (int i = 0; i < n; i++)
		f[i].k = f[i].v = NULL;
	if (map->type != YAML_MAPPING_NODE)
		return yaml_doc_error(d, yaml_doc_line(map), "%s must be a mapping, not %s", what,
				  node_kind(map));
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d->doc, p->key);
		int i = check_key(d, k, what, f, n);

		if (i < 0)
			return -1;
		f[i].k = k;
		f[i].v = yaml_document_get_node(d->doc, p->value);
	}
	return 0;
}

int yaml_doc_require(struct yaml_doc *d, yaml_node_t *map, const char *what,
		 const struct yaml_doc_field *f)
{
	if (f->k)
		return 0;
	return yaml_doc_error(d, yaml_doc_line(map), "missing key '%s' in %s", f->key, what);
}

int yaml_doc_get_seq(struct yaml_doc *d, const struct yaml_doc_field *f, yaml_node_t **seq)
{
	if (f->v->type != YAML_SEQUENCE_NODE)
		return yaml_doc_error(d, yaml_doc_line(f->v), "'%s' must be a sequence, not %s",
				  f->key, node_kind(f->v));
	*seq = f->v;
	return 0;
}

int yaml_doc_get_str(struct yaml_doc *d, const struct yaml_doc_field *f, const char **s)
{
	*s = scalar(f->v);
	if (!*s)
		return yaml_doc_error(d, yaml_doc_line(f->v), "'%s' must be a scalar, not %s",
				  f->key, node_kind(f->v));
	if (!**s)
		return yaml_doc_error(d, yaml_doc_line(f->v), "'%s' is empty", f->key);
	return 0;
}

int yaml_doc_get_uint(struct yaml_doc *d, const struct yaml_doc_field *f,
		  unsigned long min, unsigned long max, unsigned long *out)
{
	const char *s;
	char *end;
	int base = 10;

	if (yaml_doc_get_str(d, f, &s) < 0)
		return -1;
	/* decimal, or 0x.. hex (seeds); never octal: "08" is 8 */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	errno = 0;
	*out = isdigit((unsigned char)s[0]) ? strtoul(s, &end, base) : 0;
	if (!isdigit((unsigned char)s[0]) || *end || errno)
		return yaml_doc_error(d, yaml_doc_line(f->v),
				  "'%s' must be an integer, not '%s'", f->key, s);
	if (*out < min || *out > max)
		return yaml_doc_error(d, yaml_doc_line(f->v), "%s %s out of range %lu..%lu",
				  f->key, s, min, max);
	return 0;
}

int yaml_doc_get_bool(struct yaml_doc *d, const struct yaml_doc_field *f, bool *out)
{
	const char *s;

	if (yaml_doc_get_str(d, f, &s) < 0)
		return -1;
	/* YAML 1.2's core schema: nothing else (no yes/no/on/off) */
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		*out = true;
	else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		*out = false;
	else
		return yaml_doc_error(d, yaml_doc_line(f->v), "'%s' must be true or false, not '%s'",
				  f->key, s);
	return 0;
}

int yaml_doc_open(const char *path, yaml_parser_t *parser, FILE **f, char *err, size_t errlen)
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
