/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Derived addressing (MACs, gateways, host addresses) and the parsers for
 * the units of the topology file. Everything that needs an address of the
 * fabric computes it here, so that loomd, the routes and the host
 * namespaces cannot disagree.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "topo_internal.h"

void topo_switch_port_mac(int sw, int port, uint8_t mac[6])
{
	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = 0x4c; /* 'L' */
	mac[2] = (uint8_t)(sw >> 8);
	mac[3] = (uint8_t)sw;
	mac[4] = (uint8_t)(port >> 8);
	mac[5] = (uint8_t)port;
}

void topo_host_mac(int host, int ifindex, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x48; /* 'H' */
	mac[2] = (uint8_t)(host >> 8);
	mac[3] = (uint8_t)host;
	mac[4] = 0;
	mac[5] = (uint8_t)ifindex;
}

static int prefix_bytes(const struct topo_prefix *p)
{
	return p->family == 6 ? 16 : 4;
}

/* Big-endian addition over the address bytes; the callers keep n inside
 * the prefix, so a carry out of the address cannot happen in practice. */
void topo_prefix_add(struct topo_prefix *p, uint64_t n)
{
	for (int i = prefix_bytes(p) - 1; i >= 0 && n; i--) {
		uint64_t sum = p->addr[i] + (n & 0xff);

		p->addr[i] = (uint8_t)sum;
		n = (n >> 8) + (sum >> 8);
	}
}

void topo_gateway(const struct topo_prefix *subnet, struct topo_prefix *gw)
{
	*gw = *subnet;
	gw->len = subnet->family == 6 ? 128 : 32;
	topo_prefix_add(gw, 1);
}

void topo_host_address(const struct topo_prefix *subnet, int leaf_port, struct topo_prefix *addr)
{
	*addr = *subnet;
	addr->len = subnet->family == 6 ? 128 : 32;
	topo_prefix_add(addr, 2 + (uint64_t)leaf_port);
}

/* Bit i (0 = most significant) of the address. */
static int addr_bit(const uint8_t *a, int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

bool topo_prefix_host_bits_set(const struct topo_prefix *p)
{
	for (int i = p->len; i < prefix_bytes(p) * 8; i++)
		if (addr_bit(p->addr, i))
			return true;
	return false;
}

bool topo_prefix_overlap(const struct topo_prefix *a, const struct topo_prefix *b)
{
	int len = a->len < b->len ? a->len : b->len;

	if (a->family != b->family || a->family == 0)
		return false;
	for (int i = 0; i < len; i++)
		if (addr_bit(a->addr, i) != addr_bit(b->addr, i))
			return false;
	return true;
}

int topo_parse_prefix(const char *s, struct topo_prefix *p)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : 0;
	unsigned len = 0;
	int max;

	if (!slash || alen == 0 || alen >= sizeof(buf))
		return -1;
	/* the length: 1..3 decimal digits and nothing else */
	if (!slash[1] || strlen(slash + 1) > 3)
		return -1;
	for (const char *d = slash + 1; *d; d++) {
		if (!isdigit((unsigned char)*d))
			return -1;
		len = len * 10 + (unsigned)(*d - '0');
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(p, 0, sizeof(*p));
	if (strchr(buf, ':')) {
		p->family = 6;
		max = 128;
		if (inet_pton(AF_INET6, buf, p->addr) != 1)
			return -1;
	} else {
		p->family = 4;
		max = 32;
		if (inet_pton(AF_INET, buf, p->addr) != 1)
			return -1;
	}
	if (len > (unsigned)max)
		return -1;
	p->len = (uint8_t)len;
	return 0;
}

void topo_format_prefix(const struct topo_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (len == 0)
		return;
	if (p->family != 4 && p->family != 6) {
		buf[0] = '\0';
		return;
	}
	inet_ntop(p->family == 6 ? AF_INET6 : AF_INET, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

/*
 * "12", "2.5": the digits as an integer mantissa and the number of
 * decimals, so that scaling by the unit stays exact (no floating point:
 * "0.1G" must be 100000000, not 99999999).
 */
static const char *parse_decimal(const char *s, uint64_t *mant, int *decimals)
{
	int digits = 0;

	*mant = 0;
	*decimals = -1;
	for (; *s; s++) {
		if (*s == '.' && *decimals < 0) {
			*decimals = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			break;
		if (++digits > 18) /* keeps mant * 10 below 2^64 */
			return NULL;
		*mant = *mant * 10 + (uint64_t)(*s - '0');
		if (*decimals >= 0)
			(*decimals)++;
	}
	if (digits == 0 || *decimals == 0) /* "", ".", "5." */
		return NULL;
	if (*decimals < 0)
		*decimals = 0;
	return s;
}

/* mant / 10^decimals * unit, exactly; -1 on overflow or a fraction of
 * the base unit left over ("1.5ns"). 128 bits hold any intermediate. */
static int scale(uint64_t mant, int decimals, uint64_t unit, uint64_t *out)
{
	unsigned __int128 v = (unsigned __int128)mant * unit;
	uint64_t div = 1;

	for (int i = 0; i < decimals; i++)
		div *= 10;
	if (v % div)
		return -1;
	v /= div;
	if (v > UINT64_MAX)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int topo_parse_rate(const char *s, uint64_t *bps)
{
	uint64_t mant, unit = 1;
	int decimals;
	const char *p = parse_decimal(s, &mant, &decimals);

	if (!p)
		return -1;
	switch (*p) {
	case 'k':
	case 'K':
		unit = 1000ull;
		p++;
		break;
	case 'M':
		unit = 1000000ull;
		p++;
		break;
	case 'G':
		unit = 1000000000ull;
		p++;
		break;
	case 'T':
		unit = 1000000000000ull;
		p++;
		break;
	}
	if (strcmp(p, "") != 0 && strcmp(p, "bps") != 0)
		return -1;
	if (scale(mant, decimals, unit, bps) < 0 || *bps == 0)
		return -1;
	return 0;
}

int topo_parse_delay(const char *s, uint64_t *ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = { { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 } };
	uint64_t mant;
	int decimals;
	const char *p = parse_decimal(s, &mant, &decimals);

	if (!p)
		return -1;
	if (*p == '\0') /* a bare number: only 0 needs no unit */
		return mant == 0 ? (*ns = 0, 0) : -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(p, units[i].name) == 0)
			return scale(mant, decimals, units[i].ns, ns);
	return -1;
}

void topo_format_rate(uint64_t bps, char *buf, size_t len)
{
	static const struct {
		char sfx;
		uint64_t unit;
	} units[] = { { 'T', 1000000000000ull }, { 'G', 1000000000ull },
		      { 'M', 1000000ull }, { 'K', 1000ull } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (bps >= units[i].unit && bps % units[i].unit == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(bps / units[i].unit),
				 units[i].sfx);
			return;
		}
	}
	snprintf(buf, len, "%llubps", (unsigned long long)bps);
}

void topo_format_delay(uint64_t ns, char *buf, size_t len)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = { { "s", 1000000000ull }, { "ms", 1000000ull }, { "us", 1000ull } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns >= units[i].ns && ns % units[i].ns == 0) {
			snprintf(buf, len, "%llu%s", (unsigned long long)(ns / units[i].ns),
				 units[i].name);
			return;
		}
	}
	snprintf(buf, len, "%lluns", (unsigned long long)ns);
}
