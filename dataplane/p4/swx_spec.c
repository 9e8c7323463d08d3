/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Spec file -> DPDK SWX pipeline configuration calls (see swx_spec.h).
 *
 * A line-oriented reader: a spec is a sequence of blocks ("struct X {",
 * "action X args ... {", "table X {", "selector X {", "apply {") and
 * one-line statements ("header", "metadata", "regarray", "metarray").
 * Comments start with ';' or '//'. Each block is handed to DPDK when its
 * closing brace is read, so an error names the block's first line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_swx_pipeline.h>

#include "swx_lpm_table.h"
#include "swx_spec.h"

#define SPEC_LINE_MAX 1024
#define SPEC_TOKENS_MAX 32
#define SPEC_FIELDS_MAX 256
#define SPEC_INSTR_MAX 4096
#define SPEC_ACTIONS_MAX 64

enum block_kind {
	BLOCK_NONE = 0,
	BLOCK_STRUCT,
	BLOCK_ACTION,
	BLOCK_TABLE,
	BLOCK_TABLE_KEY,
	BLOCK_TABLE_ACTIONS,
	BLOCK_SELECTOR,
	BLOCK_SELECTOR_FIELDS,
	BLOCK_APPLY,
};

struct spec_reader {
	struct rte_swx_pipeline *p;
	const char *path;
	uint32_t line;       /* current line */
	uint32_t block_line; /* first line of the open block */
	enum block_kind block;
	char name[RTE_SWX_NAME_SIZE];
	char args_struct[RTE_SWX_NAME_SIZE]; /* action: args struct, "" for none */
	char *err;
	size_t errlen;

	/* struct */
	struct rte_swx_field_params fields[SPEC_FIELDS_MAX];
	uint32_t n_fields;
	int varbit;
	/* action, apply */
	char *instr[SPEC_INSTR_MAX];
	uint32_t n_instr;
	/* table */
	struct rte_swx_match_field_params match[SPEC_FIELDS_MAX];
	uint32_t n_match;
	const char *actions[SPEC_ACTIONS_MAX];
	int for_entries[SPEC_ACTIONS_MAX];
	int for_default[SPEC_ACTIONS_MAX];
	uint32_t n_actions;
	char *default_action;
	char *default_args;
	int default_const;
	uint32_t default_line; /* where default_action was given */
	char *hash_func;
	uint32_t hash_line;
	uint32_t size;
	/* selector */
	char *group_id;
	char *member_id;
	const char *sel_fields[SPEC_FIELDS_MAX];
	uint32_t n_sel_fields;
	uint32_t n_groups_max;
	uint32_t n_members_max;
};

static int rfail(struct spec_reader *r, uint32_t line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, r->errlen, "%s:%u: ", r->path, line);

	if (n < 0 || (size_t)n >= r->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* DPDK's configuration calls return -errno; say what that usually means. */
static int api_fail(struct spec_reader *r, const char *what, int rc)
{
	const char *hint = rc == -EINVAL ? " (an unknown name, a bad operand, or a value out of range)"
		: rc == -EEXIST		 ? " (the name is already defined)"
		: rc == -ENOMEM		 ? " (out of memory)"
					 : "";
	return rfail(r, r->block_line, "%s %s: DPDK refused it: %s%s", what, r->name, strerror(-rc), hint);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort(); /* configuration-time only; nothing to recover */
	return d;
}

static void block_reset(struct spec_reader *r)
{
	for (uint32_t i = 0; i < r->n_fields; i++)
		free((char *)r->fields[i].name);
	for (uint32_t i = 0; i < r->n_instr; i++)
		free(r->instr[i]);
	for (uint32_t i = 0; i < r->n_match; i++)
		free((char *)r->match[i].name);
	for (uint32_t i = 0; i < r->n_actions; i++)
		free((char *)r->actions[i]);
	for (uint32_t i = 0; i < r->n_sel_fields; i++)
		free((char *)r->sel_fields[i]);
	free(r->default_action);
	free(r->default_args);
	free(r->hash_func);
	free(r->group_id);
	free(r->member_id);
	/* No freed pointer stays in place: DPDK 22.11's table check reads
	 * action_names past n_actions (see close_table), and a stale slot
	 * there was a use-after-free. */
	memset(r->fields, 0, sizeof(r->fields));
	memset(r->instr, 0, sizeof(r->instr));
	memset(r->match, 0, sizeof(r->match));
	memset(r->actions, 0, sizeof(r->actions));
	memset(r->sel_fields, 0, sizeof(r->sel_fields));
	r->n_fields = r->n_instr = r->n_match = r->n_actions = r->n_sel_fields = 0;
	r->default_action = r->default_args = r->hash_func = r->group_id = r->member_id = NULL;
	r->varbit = r->default_const = 0;
	r->default_line = r->hash_line = 0;
	r->size = r->n_groups_max = r->n_members_max = 0;
	r->block = BLOCK_NONE;
	r->name[0] = r->args_struct[0] = '\0';
}

/* Cut comments and surrounding blanks; split into tokens (in place). */
static int tokenize(char *line, char **tok, int max)
{
	char *c, *save = NULL;
	int n = 0;

	if ((c = strchr(line, ';')) != NULL)
		*c = '\0';
	if ((c = strstr(line, "//")) != NULL)
		*c = '\0';
	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return -1;
		tok[n++] = t;
	}
	return n;
}

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || end == s || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int set_name(struct spec_reader *r, const char *name)
{
	if (strlen(name) >= sizeof(r->name))
		return rfail(r, r->line, "name '%s' longer than %d characters", name, RTE_SWX_NAME_SIZE - 1);
	strcpy(r->name, name);
	return 0;
}

/* "bit<N> name" or "varbit<N> name" */
static int struct_field(struct spec_reader *r, char **tok, int n)
{
	uint32_t bits;
	const char *b = tok[0];
	int var = 0;

	if (n != 2)
		return rfail(r, r->line, "struct field must be 'bit<N> NAME'");
	if (r->varbit)
		return rfail(r, r->line, "only the last field of a struct may be a varbit");
	if (strncmp(b, "varbit<", 7) == 0) {
		var = 1;
		b += 7;
	} else if (strncmp(b, "bit<", 4) == 0) {
		b += 4;
	} else {
		return rfail(r, r->line, "struct field must be 'bit<N> NAME' or 'varbit<N> NAME', not '%s'", tok[0]);
	}
	{
		char num[16];
		size_t len = strcspn(b, ">");
		if (len == 0 || len >= sizeof(num) || b[len] != '>' || b[len + 1])
			return rfail(r, r->line, "bad field width '%s'", tok[0]);
		memcpy(num, b, len);
		num[len] = '\0';
		if (parse_u32(num, &bits) < 0 || bits == 0)
			return rfail(r, r->line, "bad field width '%s'", tok[0]);
	}
	if (r->n_fields == SPEC_FIELDS_MAX)
		return rfail(r, r->line, "more than %d fields", SPEC_FIELDS_MAX);
	r->fields[r->n_fields].name = xstrdup(tok[1]);
	r->fields[r->n_fields].n_bits = bits;
	r->n_fields++;
	r->varbit = var;
	return 0;
}

/* DPDK 22.11 accepts `regwr R IDX VAL` and `regadd R IDX VAL` with IDX and
 * VAL both constants, but then writes the spec's FIRST register array
 * whatever R is (the RII translation leaves the array id unset): refused
 * here, so that a program cannot silently overwrite another register. */
static bool constant_operand(const char *t)
{
	return isdigit((unsigned char)t[0]);
}

static int check_register_write(struct spec_reader *r, char **tok, int n)
{
	int op = n >= 2 && strcmp(tok[1], ":") == 0 ? 2 : 0; /* after a label */

	if (n - op == 4 && (strcmp(tok[op], "regwr") == 0 || strcmp(tok[op], "regadd") == 0) &&
	    constant_operand(tok[op + 2]) && constant_operand(tok[op + 3]))
		return rfail(r, r->line,
			     "%s %s with a constant index and a constant value: DPDK 22.11 would write the "
			     "spec's first register array instead; take the value from a metadata field",
			     tok[op], tok[op + 1]);
	return 0;
}

/* The instruction exactly as written (labels included), comment cut. */
static int add_instruction(struct spec_reader *r, char **tok, int n)
{
	char buf[RTE_SWX_INSTRUCTION_SIZE];
	size_t len = 0;

	if (check_register_write(r, tok, n) < 0)
		return -1;
	if (r->n_instr == SPEC_INSTR_MAX)
		return rfail(r, r->line, "more than %d instructions in one block", SPEC_INSTR_MAX);
	for (int i = 0; i < n; i++) {
		int w = snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", tok[i]);
		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			return rfail(r, r->line, "instruction longer than %d characters", RTE_SWX_INSTRUCTION_SIZE - 1);
		len += (size_t)w;
	}
	r->instr[r->n_instr++] = xstrdup(buf);
	return 0;
}

static int close_struct(struct spec_reader *r)
{
	int rc;

	if (!r->p)
		return 0;
	rc = rte_swx_pipeline_struct_type_register(r->p, r->name, r->fields, r->n_fields, r->varbit);
	return rc ? api_fail(r, "struct", rc) : 0;
}

static int close_action(struct spec_reader *r)
{
	int rc;

	if (!r->p)
		return 0;
	rc = rte_swx_pipeline_action_config(r->p, r->name, r->args_struct[0] ? r->args_struct : NULL,
						(const char **)r->instr, r->n_instr);
	return rc ? api_fail(r, "action", rc) : 0;
}

static int close_table(struct spec_reader *r)
{
	struct rte_swx_pipeline_table_params tp = {
		.fields = r->match,
		.n_fields = r->n_match,
		.action_names = r->actions,
		.action_is_for_table_entries = r->for_entries,
		.action_is_for_default_entry = r->for_default,
		.n_actions = r->n_actions,
		.default_action_name = r->default_action,
		.default_action_args = r->default_args,
		.default_action_is_const = r->default_const,
		.hash_func_name = r->hash_func,
	};
	int rc;

	uint32_t i;

	if (!r->default_action)
		return rfail(r, r->block_line, "table %s has no default_action", r->name);
	/* DPDK 22.11 must not see a default action outside the list: its
	 * rte_swx_pipeline_table_config() then searches action_names up to the
	 * pipeline's action count, not the table's, and reads past the array
	 * (a SEGV in loomd and in rte_swx_pipeline_codegen()). */
	if (r->n_actions == 0)
		return rfail(r, r->block_line, "table %s has no actions", r->name);
	for (i = 0; i < r->n_actions; i++)
		if (strcmp(r->actions[i], r->default_action) == 0)
			break;
	if (i == r->n_actions)
		return rfail(r, r->default_line, "table %s: default_action %s is not in its actions list", r->name,
			     r->default_action);
	if (!r->for_default[i])
		return rfail(r, r->default_line, "table %s: default_action %s is marked @tableonly", r->name,
			     r->default_action);
	if (!r->p)
		return 0;
	/* DPDK 22.11 resolves a table with an lpm key to its wildcard match
	 * type and takes a registered type of that match type only when asked
	 * by name: a table whose key is one lpm field asks for Loom's rte_fib
	 * one (swx_lpm_table.c); where it is not registered (loom-p4check),
	 * DPDK takes its own wildcard table. */
	bool one_lpm_field = r->n_match == 1 && r->match[0].match_type == RTE_SWX_TABLE_MATCH_LPM;

	rc = rte_swx_pipeline_table_config(r->p, r->name, &tp, one_lpm_field ? LOOM_SWX_LPM_TABLE_TYPE : NULL,
					   NULL, r->size ? r->size : 4096);
	return rc ? api_fail(r, "table", rc) : 0;
}

static int close_selector(struct spec_reader *r)
{
	struct rte_swx_pipeline_selector_params sp = {
		.group_id_field_name = r->group_id,
		.selector_field_names = r->sel_fields,
		.n_selector_fields = r->n_sel_fields,
		.member_id_field_name = r->member_id,
		.n_groups_max = r->n_groups_max,
		.n_members_per_group_max = r->n_members_max,
	};
	int rc;

	if (!r->group_id || !r->member_id || !r->n_sel_fields || !r->n_groups_max || !r->n_members_max)
		return rfail(r, r->block_line,
			     "selector %s needs group_id, selector { fields }, member_id, n_groups_max and "
			     "n_members_per_group_max", r->name);
	if (!r->p)
		return 0;
	rc = rte_swx_pipeline_selector_config(r->p, r->name, &sp);
	return rc ? api_fail(r, "selector", rc) : 0;
}

static int close_apply(struct spec_reader *r)
{
	int rc;

	if (!r->p)
		return 0;
	rc = rte_swx_pipeline_instructions_config(r->p, (const char **)r->instr, r->n_instr);
	return rc ? api_fail(r, "apply block", rc) : 0;
}

/* A line at the top level: a one-line statement or the opening of a block. */
static int top_level(struct spec_reader *r, char **tok, int n)
{
	int rc;

	r->block_line = r->line;
	if (strcmp(tok[0], "struct") == 0 && n == 3 && strcmp(tok[2], "{") == 0) {
		r->block = BLOCK_STRUCT;
		return set_name(r, tok[1]);
	}
	if (strcmp(tok[0], "header") == 0 && n == 4 && strcmp(tok[2], "instanceof") == 0) {
		(void)set_name(r, tok[1]);
		if (!r->p)
			return 0;
		rc = rte_swx_pipeline_packet_header_register(r->p, tok[1], tok[3]);
		return rc ? api_fail(r, "header", rc) : 0;
	}
	if (strcmp(tok[0], "metadata") == 0 && n == 3 && strcmp(tok[1], "instanceof") == 0) {
		(void)set_name(r, tok[2]);
		if (!r->p)
			return 0;
		rc = rte_swx_pipeline_packet_metadata_register(r->p, tok[2]);
		return rc ? api_fail(r, "metadata of struct", rc) : 0;
	}
	if (strcmp(tok[0], "action") == 0) {
		/* action NAME args none {   |   action NAME args instanceof STRUCT { */
		if (n == 5 && strcmp(tok[2], "args") == 0 && strcmp(tok[3], "none") == 0 && strcmp(tok[4], "{") == 0) {
			r->args_struct[0] = '\0';
		} else if (n == 6 && strcmp(tok[2], "args") == 0 && strcmp(tok[3], "instanceof") == 0 &&
			   strcmp(tok[5], "{") == 0 && strlen(tok[4]) < sizeof(r->args_struct)) {
			strcpy(r->args_struct, tok[4]);
		} else {
			return rfail(r, r->line, "expected 'action NAME args none {' or 'action NAME args instanceof STRUCT {'");
		}
		r->block = BLOCK_ACTION;
		return set_name(r, tok[1]);
	}
	if (strcmp(tok[0], "table") == 0 && n == 3 && strcmp(tok[2], "{") == 0) {
		r->block = BLOCK_TABLE;
		return set_name(r, tok[1]);
	}
	if (strcmp(tok[0], "selector") == 0 && n == 3 && strcmp(tok[2], "{") == 0) {
		r->block = BLOCK_SELECTOR;
		return set_name(r, tok[1]);
	}
	if (strcmp(tok[0], "apply") == 0 && n == 2 && strcmp(tok[1], "{") == 0) {
		r->block = BLOCK_APPLY;
		return set_name(r, "apply");
	}
	if (strcmp(tok[0], "regarray") == 0) {
		/* regarray NAME size N initval V */
		uint32_t size;
		unsigned long long init;
		char *end;

		if (n != 6 || strcmp(tok[2], "size") || strcmp(tok[4], "initval") || parse_u32(tok[3], &size) < 0)
			return rfail(r, r->line, "expected 'regarray NAME size N initval V'");
		errno = 0;
		init = strtoull(tok[5], &end, 0);
		if (errno || *end)
			return rfail(r, r->line, "bad initval '%s'", tok[5]);
		(void)set_name(r, tok[1]);
		if (!r->p)
			return 0;
		rc = rte_swx_pipeline_regarray_config(r->p, tok[1], size, init);
		return rc ? api_fail(r, "regarray", rc) : 0;
	}
	if (strcmp(tok[0], "metarray") == 0) {
		uint32_t size;

		if (n != 4 || strcmp(tok[2], "size") || parse_u32(tok[3], &size) < 0)
			return rfail(r, r->line, "expected 'metarray NAME size N'");
		(void)set_name(r, tok[1]);
		if (!r->p)
			return 0;
		rc = rte_swx_pipeline_metarray_config(r->p, tok[1], size);
		return rc ? api_fail(r, "metarray", rc) : 0;
	}
	if (strcmp(tok[0], "learner") == 0 || strcmp(tok[0], "extobj") == 0 || strcmp(tok[0], "extern") == 0 ||
	    strcmp(tok[0], "mirroring") == 0)
		return rfail(r, r->line, "'%s' is not supported by Loom's spec loader (docs/P4.md, limits)", tok[0]);
	return rfail(r, r->line, "unexpected '%s' at the top level", tok[0]);
}

static int table_line(struct spec_reader *r, char **tok, int n)
{
	if (n == 2 && strcmp(tok[1], "{") == 0 && strcmp(tok[0], "key") == 0) {
		r->block = BLOCK_TABLE_KEY;
		return 0;
	}
	if (n == 2 && strcmp(tok[1], "{") == 0 && strcmp(tok[0], "actions") == 0) {
		r->block = BLOCK_TABLE_ACTIONS;
		return 0;
	}
	if (strcmp(tok[0], "default_action") == 0) {
		/* default_action NAME args none|ARG VAL ... [const] */
		int last = n;
		char buf[512] = "";
		size_t len = 0;

		if (n < 4 || strcmp(tok[2], "args") != 0)
			return rfail(r, r->line, "expected 'default_action NAME args none|ARG VALUE ... [const]'");
		if (r->default_action)
			return rfail(r, r->line, "table %s: default_action given twice (first on line %u)", r->name,
				     r->default_line);
		r->default_line = r->line;
		if (strcmp(tok[n - 1], "const") == 0) {
			r->default_const = 1;
			last = n - 1;
		}
		r->default_action = xstrdup(tok[1]);
		if (!(last == 4 && strcmp(tok[3], "none") == 0)) {
			for (int i = 3; i < last; i++) {
				int w = snprintf(buf + len, sizeof(buf) - len, "%s%s", i > 3 ? " " : "", tok[i]);
				if (w < 0 || (size_t)w >= sizeof(buf) - len)
					return rfail(r, r->line, "default action arguments too long");
				len += (size_t)w;
			}
			r->default_args = xstrdup(buf);
		}
		return 0;
	}
	if (strcmp(tok[0], "size") == 0 && n == 2) {
		if (parse_u32(tok[1], &r->size) < 0)
			return rfail(r, r->line, "bad table size '%s'", tok[1]);
		return 0;
	}
	if (strcmp(tok[0], "hash") == 0 && n == 2) {
		if (r->hash_func)
			return rfail(r, r->line, "table %s: hash given twice (first on line %u)", r->name, r->hash_line);
		r->hash_line = r->line;
		r->hash_func = xstrdup(tok[1]);
		return 0;
	}
	if (strcmp(tok[0], "instanceof") == 0 || strcmp(tok[0], "pragma") == 0)
		return 0; /* table type hints: DPDK picks the type from the match kinds */
	return rfail(r, r->line, "unexpected '%s' in table %s", tok[0], r->name);
}

static int table_key_line(struct spec_reader *r, char **tok, int n)
{
	enum rte_swx_table_match_type mt;

	if (n != 2)
		return rfail(r, r->line, "key field must be 'FIELD exact|wildcard|lpm'");
	if (strcmp(tok[1], "exact") == 0)
		mt = RTE_SWX_TABLE_MATCH_EXACT;
	else if (strcmp(tok[1], "wildcard") == 0)
		mt = RTE_SWX_TABLE_MATCH_WILDCARD;
	else if (strcmp(tok[1], "lpm") == 0)
		mt = RTE_SWX_TABLE_MATCH_LPM;
	else
		return rfail(r, r->line, "match kind must be exact, wildcard or lpm, not '%s'", tok[1]);
	if (r->n_match == SPEC_FIELDS_MAX)
		return rfail(r, r->line, "too many key fields");
	r->match[r->n_match].name = xstrdup(tok[0]);
	r->match[r->n_match].match_type = mt;
	r->n_match++;
	return 0;
}

static int table_action_line(struct spec_reader *r, char **tok, int n)
{
	int entries = 1, dflt = 1;

	if (n == 2 && strcmp(tok[1], "@tableonly") == 0)
		dflt = 0;
	else if (n == 2 && strcmp(tok[1], "@defaultonly") == 0)
		entries = 0;
	else if (n != 1)
		return rfail(r, r->line, "table action must be 'NAME [@tableonly|@defaultonly]'");
	if (r->n_actions == SPEC_ACTIONS_MAX)
		return rfail(r, r->line, "more than %d actions", SPEC_ACTIONS_MAX);
	r->actions[r->n_actions] = xstrdup(tok[0]);
	r->for_entries[r->n_actions] = entries;
	r->for_default[r->n_actions] = dflt;
	r->n_actions++;
	return 0;
}

static int selector_line(struct spec_reader *r, char **tok, int n)
{
	if (n == 2 && strcmp(tok[0], "selector") == 0 && strcmp(tok[1], "{") == 0) {
		r->block = BLOCK_SELECTOR_FIELDS;
		return 0;
	}
	if (n == 2 && strcmp(tok[0], "group_id") == 0 && !r->group_id) {
		r->group_id = xstrdup(tok[1]);
		return 0;
	}
	if (n == 2 && strcmp(tok[0], "member_id") == 0 && !r->member_id) {
		r->member_id = xstrdup(tok[1]);
		return 0;
	}
	if (n == 2 && strcmp(tok[0], "n_groups_max") == 0)
		return parse_u32(tok[1], &r->n_groups_max) < 0 ? rfail(r, r->line, "bad n_groups_max") : 0;
	if (n == 2 && strcmp(tok[0], "n_members_per_group_max") == 0)
		return parse_u32(tok[1], &r->n_members_max) < 0 ? rfail(r, r->line, "bad n_members_per_group_max") : 0;
	return rfail(r, r->line, "unexpected '%s' in selector %s", tok[0], r->name);
}

static int close_block(struct spec_reader *r)
{
	int rc = 0;

	switch (r->block) {
	case BLOCK_TABLE_KEY:
	case BLOCK_TABLE_ACTIONS:
		r->block = BLOCK_TABLE;
		return 0;
	case BLOCK_SELECTOR_FIELDS:
		r->block = BLOCK_SELECTOR;
		return 0;
	case BLOCK_STRUCT:
		rc = close_struct(r);
		break;
	case BLOCK_ACTION:
		rc = close_action(r);
		break;
	case BLOCK_TABLE:
		rc = close_table(r);
		break;
	case BLOCK_SELECTOR:
		rc = close_selector(r);
		break;
	case BLOCK_APPLY:
		rc = close_apply(r);
		break;
	case BLOCK_NONE:
		return rfail(r, r->line, "'}' closes no block");
	}
	block_reset(r);
	return rc;
}

static int spec_line(struct spec_reader *r, char *line)
{
	char *tok[SPEC_TOKENS_MAX];
	int n = tokenize(line, tok, SPEC_TOKENS_MAX);

	if (n < 0)
		return rfail(r, r->line, "more than %d words on one line", SPEC_TOKENS_MAX);
	if (n == 0)
		return 0;
	if (n == 1 && strcmp(tok[0], "}") == 0)
		return close_block(r);
	switch (r->block) {
	case BLOCK_NONE:
		return top_level(r, tok, n);
	case BLOCK_STRUCT:
		return struct_field(r, tok, n);
	case BLOCK_ACTION:
	case BLOCK_APPLY:
		return add_instruction(r, tok, n);
	case BLOCK_TABLE:
		return table_line(r, tok, n);
	case BLOCK_TABLE_KEY:
		return table_key_line(r, tok, n);
	case BLOCK_TABLE_ACTIONS:
		return table_action_line(r, tok, n);
	case BLOCK_SELECTOR:
		return selector_line(r, tok, n);
	case BLOCK_SELECTOR_FIELDS:
		if (n != 1 || r->n_sel_fields == SPEC_FIELDS_MAX)
			return rfail(r, r->line, "selector field must be one field name per line");
		r->sel_fields[r->n_sel_fields++] = xstrdup(tok[0]);
		return 0;
	}
	return 0;
}

int swx_spec_configure(struct rte_swx_pipeline *p, const char *path, char *err, size_t errlen)
{
	struct spec_reader *r = calloc(1, sizeof(*r));
	char line[SPEC_LINE_MAX];
	FILE *f;
	int rc = 0;

	if (!r) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	r->p = p;
	r->path = path;
	r->err = err;
	r->errlen = errlen;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(r);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		r->line++;
		if (!strchr(line, '\n') && !feof(f))
			rc = rfail(r, r->line, "line longer than %d characters", SPEC_LINE_MAX - 2);
		else
			rc = spec_line(r, line);
	}
	if (rc == 0 && r->block != BLOCK_NONE)
		rc = rfail(r, r->block_line, "%s: block not closed before the end of the file", r->name);
	block_reset(r);
	fclose(f);
	free(r);
	return rc;
}

int swx_spec_check(const char *path, char *err, size_t errlen)
{
	struct rte_swx_pipeline *p = NULL;
	uint32_t line = 0;
	const char *msg = NULL;
	FILE *spec, *out;
	int rc;

	/* This reader first, without DPDK: it refuses what would crash DPDK's
	 * own parser (a default action outside its table's list). */
	if (swx_spec_configure(NULL, path, err, errlen) != 0)
		return -1;
	spec = fopen(path, "r");
	if (!spec) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	out = fopen("/dev/null", "w");
	if (!out) {
		fclose(spec);
		snprintf(err, errlen, "/dev/null: %s", strerror(errno));
		return -1;
	}
	rc = rte_swx_pipeline_codegen(spec, out, &line, &msg);
	fclose(spec);
	fclose(out);
	if (rc != 0 && line != 0) {
		snprintf(err, errlen, "%s:%u: %s", path, line, msg ? msg : strerror(-rc));
		return -1;
	}
	/* DPDK names no line for a block it refuses: this reader does. */
	if (rte_swx_pipeline_config(&p, NULL, 0) != 0) {
		snprintf(err, errlen, "%s: cannot create a pipeline to check it", path);
		return -1;
	}
	if (swx_spec_configure(p, path, err, errlen) != 0) {
		rte_swx_pipeline_free(p);
		return -1;
	}
	rte_swx_pipeline_free(p);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : strerror(-rc));
		return -1;
	}
	return 0;
}
