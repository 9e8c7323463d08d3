/* SPDX-License-Identifier: BSD-3-Clause */
/* pcapng blocks (pcapng_write.h; the format: IETF draft-ietf-opsawg-pcapng). */
#include <string.h>

#include "pcapng_write.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define LINKTYPE_ETHERNET 1

static uint32_t pad4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

/* An option: code, length, value padded to 4 bytes. */
static size_t option(uint8_t *b, uint16_t code, const void *v, uint16_t len)
{
	memcpy(b, &code, 2);
	memcpy(b + 2, &len, 2);
	if (len)
		memcpy(b + 4, v, len);
	memset(b + 4 + len, 0, pad4(len) - len);
	return 4 + pad4(len);
}

static int block(FILE *f, uint32_t type, const uint8_t *body, uint32_t body_len)
{
	uint32_t total = 12 + body_len;

	return fwrite(&type, 4, 1, f) == 1 && fwrite(&total, 4, 1, f) == 1 &&
			       (body_len == 0 || fwrite(body, body_len, 1, f) == 1) && fwrite(&total, 4, 1, f) == 1
		       ? 0
		       : -1;
}

static uint16_t text_len(const char *s)
{
	size_t n = strlen(s);

	return (uint16_t)(n > 256 ? 256 : n);
}

int pcapng_write_section(FILE *f, const char *application)
{
	uint8_t b[300];
	uint32_t magic = 0x1A2B3C4Du;
	uint16_t version[2] = {1, 0};
	int64_t section_len = -1; /* not given */
	size_t n = 0;

	memcpy(b, &magic, 4);
	memcpy(b + 4, version, 4);
	memcpy(b + 8, &section_len, 8);
	n = 16;
	n += option(b + n, 4 /* shb_userappl */, application, text_len(application));
	n += option(b + n, 0, NULL, 0);
	return block(f, BT_SHB, b, (uint32_t)n);
}

int pcapng_write_interface(FILE *f, const char *name, const char *description, uint32_t snaplen)
{
	uint8_t b[600];
	uint16_t linktype = LINKTYPE_ETHERNET, reserved = 0;
	uint8_t tsresol = 9; /* 10^-9 s */
	size_t n;

	memcpy(b, &linktype, 2);
	memcpy(b + 2, &reserved, 2);
	memcpy(b + 4, &snaplen, 4);
	n = 8;
	n += option(b + n, 2 /* if_name */, name, text_len(name));
	n += option(b + n, 3 /* if_description */, description, text_len(description));
	n += option(b + n, 9 /* if_tsresol */, &tsresol, 1);
	n += option(b + n, 0, NULL, 0);
	return block(f, BT_IDB, b, (uint32_t)n);
}

uint32_t pcapng_packet_size(uint32_t caplen)
{
	return 12 + 20 + pad4(caplen) + 12; /* header, trailer, fields, frame, flags + end */
}

int pcapng_write_packet(FILE *f, uint32_t ifc, uint64_t t_ns, const void *data, uint32_t caplen, uint32_t len,
			int dir)
{
	uint32_t hdr[5] = {ifc, (uint32_t)(t_ns >> 32), (uint32_t)t_ns, caplen, len};
	uint32_t type = BT_EPB, total = pcapng_packet_size(caplen);
	static const uint8_t zeros[4];
	uint8_t opts[16];
	uint32_t flags = (uint32_t)dir & 3u;
	size_t n = 0;

	n += option(opts + n, 2 /* epb_flags */, &flags, 4);
	n += option(opts + n, 0, NULL, 0);
	return fwrite(&type, 4, 1, f) == 1 && fwrite(&total, 4, 1, f) == 1 && fwrite(hdr, sizeof(hdr), 1, f) == 1 &&
			       (caplen == 0 || fwrite(data, caplen, 1, f) == 1) &&
			       (pad4(caplen) == caplen || fwrite(zeros, pad4(caplen) - caplen, 1, f) == 1) &&
			       fwrite(opts, n, 1, f) == 1 && fwrite(&total, 4, 1, f) == 1
		       ? 0
		       : -1;
}
