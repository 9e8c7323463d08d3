/* SPDX-License-Identifier: BSD-3-Clause */
/* The topology's value types read from a YAML document (topo_yaml.h). */
#include <ctype.h>
#include <string.h>

#include "loom/frame.h"
#include "topo_yaml.h"

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

int topo_get_name(struct yaml_doc *d, const struct yaml_doc_field *f, char name[TOPO_NAME_MAX])
{
	const char *s;

	if (yaml_doc_get_str(d, f, &s) < 0)
		return -1;
	if (!topo_name_ok(s))
		return yaml_doc_error(d, yaml_doc_line(f->v),
				  "bad name '%s': use letters, digits, '_' and '-', at most %d",
				  s, TOPO_NAME_MAX - 1);
	strcpy(name, s);
	return 0;
}

int topo_get_rate(struct yaml_doc *d, const struct yaml_doc_field *f, uint64_t *bps)
{
	const char *s;

	if (yaml_doc_get_str(d, f, &s) < 0)
		return -1;
	if (topo_parse_rate(s, bps) < 0)
		return yaml_doc_error(d, yaml_doc_line(f->v),
				  "bad rate '%s' for '%s': a number > 0 with K/M/G/T and optional bps, e.g. 10G",
				  s, f->key);
	return 0;
}

int topo_get_delay(struct yaml_doc *d, const struct yaml_doc_field *f, uint64_t *ns)
{
	const char *s;

	if (yaml_doc_get_str(d, f, &s) < 0)
		return -1;
	if (topo_parse_delay(s, ns) < 0)
		return yaml_doc_error(d, yaml_doc_line(f->v),
				  "bad delay '%s' for '%s': a number with ns/us/ms/s, e.g. 1us",
				  s, f->key);
	return 0;
}

int topo_get_mtu(struct yaml_doc *d, const struct yaml_doc_field *f, uint32_t *mtu)
{
	unsigned long v;

	if (yaml_doc_get_uint(d, f, LOOM_MTU_MIN, LOOM_MTU_MAX, &v) < 0)
		return -1;
	*mtu = (uint32_t)v;
	return 0;
}

int topo_get_prefix(struct yaml_doc *d, const struct yaml_doc_field *f, struct topo_prefix *p)
{
	const char *s;

	if (yaml_doc_get_str(d, f, &s) < 0)
		return -1;
	if (topo_parse_prefix(s, p) < 0)
		return yaml_doc_error(d, yaml_doc_line(f->v),
				  "bad prefix '%s' for '%s': expected e.g. 10.0.0.0/24 or fd00::/64",
				  s, f->key);
	return 0;
}

int topo_get_port_type(struct yaml_doc *d, const struct yaml_doc_field *f,
		       enum topo_host_port_type *pt)
{
	const char *s;

	if (yaml_doc_get_str(d, f, &s) < 0)
		return -1;
	if (strcmp(s, "af_packet") == 0)
		*pt = TOPO_PORT_AF_PACKET;
	else if (strcmp(s, "af_xdp") == 0)
		*pt = TOPO_PORT_AF_XDP;
	else if (strcmp(s, "generator") == 0)
		*pt = TOPO_PORT_GENERATOR;
	else if (strcmp(s, "vm") == 0)
		*pt = TOPO_PORT_VM;
	else
		return yaml_doc_error(d, yaml_doc_line(f->v),
				  "bad port_type '%s' (af_packet, af_xdp, generator or vm)", s);
	return 0;
}
