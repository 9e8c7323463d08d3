/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DPDK SWX pipeline from a .spec file (the language p4c-dpdk emits).
 *
 * DPDK 22.11 parses specs only inside rte_swx_pipeline_codegen(), whose C
 * output needs a header Debian does not ship; its public API builds an
 * interpreted pipeline from calls instead (struct, header, action, table,
 * selector, register and instruction configuration). This reader turns a
 * spec into those calls, so loomd runs a spec as it is. Every problem is
 * reported as "FILE:LINE: what".
 *
 * Supported: struct (bit<N>, a last varbit<N>), header, metadata, action,
 * table (key exact/wildcard/lpm, actions with @tableonly/@defaultonly,
 * default_action ... [const], hash, size), selector, regarray, metarray,
 * apply. Not supported (clear error): learner, extobj, extern functions,
 * mirroring.
 */
#ifndef LOOM_SWX_SPEC_H
#define LOOM_SWX_SPEC_H

#include <stddef.h>

struct rte_swx_pipeline;

/* Configure `p` (created with rte_swx_pipeline_config(), not yet built)
 * from the spec at `path`. Needs no EAL. With p NULL, only read and check
 * the spec (no DPDK call). Returns 0, or -1 with the message in err. */
int swx_spec_configure(struct rte_swx_pipeline *p, const char *path, char *err, size_t errlen);

/* Validate a spec without EAL: this reader alone (no DPDK call), DPDK's own parser (rte_swx_pipeline_codegen,
 * which gives the line of syntax errors) and then this reader on a throwaway
 * pipeline (which gives the line of the block whose configuration DPDK
 * refuses). Returns 0, or -1 with "FILE:LINE: what" in err. */
int swx_spec_check(const char *path, char *err, size_t errlen);

#endif
