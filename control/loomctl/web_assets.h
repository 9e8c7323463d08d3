/* SPDX-License-Identifier: BSD-3-Clause */
/* The page's files (control/loomctl/web/), compiled into loomctl by
 * web/embed_assets.py so that the page needs nothing but loomctl. */
#ifndef LOOMCTL_WEB_ASSETS_H
#define LOOMCTL_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path; /* as requested: "/", "/web.js" */
	const char *content_type;
	const unsigned char *data;
	size_t len;
};

extern const struct web_asset web_assets[];
extern const size_t web_n_assets;

#endif
