/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed access to a libyaml document, for every loader of control/ (the
 * topology, workload and experiment files). libyaml does not resolve
 * scalar types (every plain scalar is a string), so each getter checks the
 * text itself and reports "FILE:LINE: problem", naming the key.
 */
#ifndef LOOM_YAML_DOC_H
#define LOOM_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <yaml.h>

/* A document being read and where its messages go. Only the first error
 * is kept because every step returns as soon as it reports one. */
struct yaml_doc {
	const char *file;
	char *err;
	size_t errlen;
	yaml_document_t *doc; /* NULL for checks made after the document is gone */
};

/* One expected key of a mapping: filled by yaml_doc_fields(). */
struct yaml_doc_field {
	const char *key;
	yaml_node_t *k, *v; /* NULL when the key is absent */
};

/* "file:line: " and the message into d->err; returns -1. */
int yaml_doc_error(const struct yaml_doc *d, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int yaml_doc_line(const yaml_node_t *n);
/* Open `path` and set `parser` up to read it: 0, or -1 with "path: cannot
 * read: why" (or "path: out of memory") in err. On success the caller
 * deletes the parser and closes *f. */
int yaml_doc_open(const char *path, yaml_parser_t *parser, FILE **f, char *err, size_t errlen);
/* Checks that `map` is a mapping (else "`what` must be a mapping"), that
 * every key is one of f[].key and appears once; fills f[].k/v. */
int yaml_doc_fields(struct yaml_doc *d, yaml_node_t *map, const char *what, struct yaml_doc_field *f, int n);
int yaml_doc_require(struct yaml_doc *d, yaml_node_t *map, const char *what, const struct yaml_doc_field *f);
int yaml_doc_get_seq(struct yaml_doc *d, const struct yaml_doc_field *f, yaml_node_t **seq);
/* A non-empty scalar. */
int yaml_doc_get_str(struct yaml_doc *d, const struct yaml_doc_field *f, const char **s);
/* Decimal or 0x hex, in min..max. */
int yaml_doc_get_uint(struct yaml_doc *d, const struct yaml_doc_field *f, unsigned long min, unsigned long max,
		      unsigned long *out);
/* true/false (YAML 1.2's core schema). */
int yaml_doc_get_bool(struct yaml_doc *d, const struct yaml_doc_field *f, bool *out);

#endif
