/* SPDX-License-Identifier: BSD-3-Clause */
/* The trace and capture expressions (pkt_filter.h): a recursive-descent
 * compiler into a small tree, and its evaluation over a packet's parse. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_filter.h"

#define WORDS_MAX 64
#define WORD_MAX 48

struct compiler {
	struct loom_filter *f;
	char words[WORDS_MAX][WORD_MAX];
	int n, at;
	char *err;
	size_t errlen;
};

static int fail(struct compiler *c, const char *what)
{
	if (c->at < c->n)
		snprintf(c->err, c->errlen, "match expression: word %d '%s': %s", c->at + 1, c->words[c->at], what);
	else
		snprintf(c->err, c->errlen, "match expression: at the end: %s", what);
	return -1;
}

/* Words: runs of [A-Za-z0-9.:_-], and ( ) ! && || alone. */
static int split(struct compiler *c, const char *s)
{
	const char *start = s;

	while (*s) {
		size_t len = 0;

		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (c->n == WORDS_MAX) {
			snprintf(c->err, c->errlen, "match expression: more than %d words", WORDS_MAX);
			return -1;
		}
		if (*s == '(' || *s == ')' || (*s == '!' && s[1] != '=')) {
			len = 1;
		} else if ((s[0] == '&' && s[1] == '&') || (s[0] == '|' && s[1] == '|')) {
			len = 2;
		} else {
			while (s[len] && (isalnum((unsigned char)s[len]) || strchr(".:_-/", s[len])))
				len++;
			if (len == 0) {
				snprintf(c->err, c->errlen, "match expression: character %d: unexpected '%c'",
					 (int)(s - start) + 1, isprint((unsigned char)*s) ? *s : '?');
				return -1;
			}
		}
		if (len >= WORD_MAX) {
			snprintf(c->err, c->errlen, "match expression: word %d is longer than %d characters", c->n + 1,
				 WORD_MAX - 1);
			return -1;
		}
		memcpy(c->words[c->n], s, len);
		c->words[c->n][len] = '\0';
		c->n++;
		s += len;
	}
	return 0;
}

static bool is(struct compiler *c, const char *w)
{
	return c->at < c->n && strcmp(c->words[c->at], w) == 0;
}

static int node(struct compiler *c, uint8_t op)
{
	if (c->f->n == LOOM_FILTER_NODES)
		return fail(c, "expression too long");
	memset(&c->f->node[c->f->n], 0, sizeof(c->f->node[0]));
	c->f->node[c->f->n].op = op;
	return c->f->n++;
}

static int number(struct compiler *c, unsigned long max, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (c->at >= c->n || !isdigit((unsigned char)c->words[c->at][0]))
		return fail(c, "expected a number");
	v = strtoul(c->words[c->at], &end, 10);
	if (*end || v > max) {
		char what[64];
		snprintf(what, sizeof(what), "expected a number from 0 to %lu", max);
		return fail(c, what);
	}
	*out = (uint16_t)v;
	c->at++;
	return 0;
}

static int address(struct compiler *c, int n)
{
	struct loom_filter_node *x = &c->f->node[n];

	if (c->at < c->n && inet_pton(AF_INET, c->words[c->at], x->addr) == 1)
		x->family = LOOM_FLOW_IPV4;
	else if (c->at < c->n && inet_pton(AF_INET6, c->words[c->at], x->addr) == 1)
		x->family = LOOM_FLOW_IPV6;
	else
		return fail(c, "expected an IPv4 or IPv6 address");
	c->at++;
	return 0;
}

static int expr(struct compiler *c);

static int prim(struct compiler *c)
{
	static const struct {
		const char *w;
		uint8_t op;
		uint16_t v;
	} words[] = {
		{"ip", LOOM_F_KIND, LOOM_FK_IP},     {"ip6", LOOM_F_KIND, LOOM_FK_IP6},
		{"arp", LOOM_F_KIND, LOOM_FK_ARP},   {"roce", LOOM_F_KIND, LOOM_FK_ROCE},
		{"udp", LOOM_F_PROTO, IPPROTO_UDP},  {"tcp", LOOM_F_PROTO, IPPROTO_TCP},
		{"icmp", LOOM_F_PROTO, IPPROTO_ICMP}, {"icmp6", LOOM_F_PROTO, IPPROTO_ICMPV6},
	};
	uint8_t dir = LOOM_FDIR_EITHER;
	int n;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (is(c, words[i].w)) {
			if ((n = node(c, words[i].op)) < 0)
				return -1;
			c->f->node[n].value = words[i].v;
			c->at++;
			return n;
		}
	}
	if (is(c, "proto")) {
		c->at++;
		if ((n = node(c, LOOM_F_PROTO)) < 0 || number(c, 255, &c->f->node[n].value) < 0)
			return -1;
		return n;
	}
	if (is(c, "src") || is(c, "dst")) {
		dir = is(c, "src") ? LOOM_FDIR_SRC : LOOM_FDIR_DST;
		c->at++;
	}
	if (is(c, "port")) {
		c->at++;
		if ((n = node(c, LOOM_F_PORT)) < 0 || number(c, 65535, &c->f->node[n].value) < 0)
			return -1;
		c->f->node[n].dir = dir;
		return n;
	}
	if (is(c, "host"))
		c->at++;
	else if (dir == LOOM_FDIR_EITHER)
		return fail(c, c->at < c->n ? "expected host, port, proto, src, dst, not, ( or a protocol "
					      "(ip ip6 arp udp tcp icmp icmp6 roce)"
					    : "expected a primitive");
	if ((n = node(c, LOOM_F_HOST)) < 0 || address(c, n) < 0)
		return -1;
	c->f->node[n].dir = dir;
	return n;
}

static int unary(struct compiler *c)
{
	int a, n;

	if (is(c, "not") || is(c, "!")) {
		c->at++;
		if ((a = unary(c)) < 0 || (n = node(c, LOOM_F_NOT)) < 0)
			return -1;
		c->f->node[n].a = (uint8_t)a;
		return n;
	}
	if (is(c, "(")) {
		c->at++;
		if ((a = expr(c)) < 0)
			return -1;
		if (!is(c, ")"))
			return fail(c, "expected )");
		c->at++;
		return a;
	}
	return prim(c);
}

static int binary(struct compiler *c, int (*sub)(struct compiler *), const char *w1, const char *w2, uint8_t op)
{
	int a = sub(c), b, n;

	while (a >= 0 && (is(c, w1) || is(c, w2))) {
		c->at++;
		if ((b = sub(c)) < 0 || (n = node(c, op)) < 0)
			return -1;
		c->f->node[n].a = (uint8_t)a;
		c->f->node[n].b = (uint8_t)b;
		a = n;
	}
	return a;
}

static int and_expr(struct compiler *c)
{
	return binary(c, unary, "and", "&&", LOOM_F_AND);
}

static int expr(struct compiler *c)
{
	return binary(c, and_expr, "or", "||", LOOM_F_OR);
}

int loom_filter_compile(const char *text, struct loom_filter *f, char *err, size_t errlen)
{
	struct compiler *c = calloc(1, sizeof(*c));
	int root;

	memset(f, 0, sizeof(*f));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->f = f;
	c->err = err;
	c->errlen = errlen;
	text = text ? text : "";
	if (strlen(text) >= sizeof(f->text)) {
		snprintf(err, errlen, "match expression longer than %zu characters", sizeof(f->text) - 1);
		free(c);
		return -1;
	}
	snprintf(f->text, sizeof(f->text), "%s", text);
	if (split(c, text) < 0) {
		free(c);
		return -1;
	}
	if (c->n == 0) {
		root = node(c, LOOM_F_TRUE);
	} else {
		root = expr(c);
		if (root >= 0 && c->at < c->n)
			root = fail(c, "expected and, or, or the end");
	}
	free(c);
	if (root < 0)
		return -1;
	f->root = (uint8_t)root;
	return 0;
}

static bool host_match(const struct loom_filter_node *x, const struct loom_pkt_meta *m)
{
	size_t len = x->family == LOOM_FLOW_IPV4 ? 4 : 16;

	if ((m->l3_kind != LOOM_L3_IPV4 && m->l3_kind != LOOM_L3_IPV6) || m->key.family != x->family)
		return false;
	return (x->dir != LOOM_FDIR_DST && memcmp(m->key.src, x->addr, len) == 0) ||
	       (x->dir != LOOM_FDIR_SRC && memcmp(m->key.dst, x->addr, len) == 0);
}

static bool eval(const struct loom_filter *f, uint8_t i, const struct loom_pkt_meta *m)
{
	const struct loom_filter_node *x = &f->node[i];
	bool ip = m->l3_kind == LOOM_L3_IPV4 || m->l3_kind == LOOM_L3_IPV6;

	switch (x->op) {
	case LOOM_F_TRUE:
		return true;
	case LOOM_F_AND:
		return eval(f, x->a, m) && eval(f, x->b, m);
	case LOOM_F_OR:
		return eval(f, x->a, m) || eval(f, x->b, m);
	case LOOM_F_NOT:
		return !eval(f, x->a, m);
	case LOOM_F_HOST:
		return host_match(x, m);
	case LOOM_F_PORT:
		return ip && (m->key.proto == IPPROTO_UDP || m->key.proto == IPPROTO_TCP) && m->l4_off &&
		       ((x->dir != LOOM_FDIR_DST && m->key.sport == x->value) ||
			(x->dir != LOOM_FDIR_SRC && m->key.dport == x->value));
	case LOOM_F_PROTO:
		return ip && m->l4_proto == x->value;
	case LOOM_F_KIND:
		switch (x->value) {
		case LOOM_FK_IP:
			return m->l3_kind == LOOM_L3_IPV4;
		case LOOM_FK_IP6:
			return m->l3_kind == LOOM_L3_IPV6;
		case LOOM_FK_ARP:
			return m->l3_kind == LOOM_L3_ARP;
		default:
			return m->is_roce;
		}
	}
	return false;
}

bool loom_filter_match(const struct loom_filter *f, const struct loom_pkt_meta *m)
{
	return eval(f, f->root, m);
}
