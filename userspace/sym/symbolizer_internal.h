/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYMBOLIZER_INTERNAL_H
#define FAULTLINE_SYMBOLIZER_INTERNAL_H

#include <string.h>
#include <linux/types.h>

#include "sym/sym_kallsyms.h"
#include "sym/sym_proc.h"
#include "sym/symbolizer.h"

/* Shared by symbolizer.c (processes) and symbolizer_kernel.c (kallsyms) only. */

/* kallsyms is re-read on a likely stale answer at most this often (~0.1 s a read). */
#define KSYMS_RELOAD_MS 5000.0

struct symbolizer {
	struct ksyms *ksyms;
	int ksyms_state;	/* 0 not tried, 1 loaded, -errno failed */
	struct dso_cache *dsos;
	struct strmap *strings;
	void *procs;		/* tsearch tree of struct sym_proc *, by pid */
	unsigned long nprocs;
	double kernel_ms;
	double ksyms_loaded_ms;	/* CLOCK_MONOTONIC of the last (attempted) read */
	double ksyms_reload_ms;
	double ksyms_checked_ms;	/* last look for BPF programs loaded since */
	__u32 bpf_max_id;	/* highest BPF program id before the last read */
	unsigned long ksyms_reloads;
	const char *jit_module;
	const char *kernel_module, *bpf_module;
};

static inline void result_init(struct sym_result *out, uint64_t addr)
{
	memset(out, 0, sizeof(*out));
	out->kind = FRAME_UNKNOWN;
	out->addr = addr;
}

#endif
