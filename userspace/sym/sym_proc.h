/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_PROC_H
#define FAULTLINE_SYM_PROC_H

#include <stdbool.h>
#include <time.h>
#include <sys/types.h>

#include "base/strmap.h"
#include "sym/sym_dso.h"
#include "sym/sym_maps.h"
#include "sym/sym_perfmap.h"
#include "base/file_read.h"

/* What an executable mapping resolved to at capture time. */
struct sym_proc_map {
	struct sym_dso *dso;	/* NULL for anonymous and special mappings */
	const char *module;	/* interned path or "[vdso]"; NULL for anonymous memory */
};

/* A snapshot of one process: enough to symbolize it after it exits. */
struct sym_proc {
	int pid;
	bool captured;		/* maps were read at least once */
	/* Of the last executable mappings read, to notice when nothing changed. */
	size_t maps_len;
	unsigned long maps_crc;
	struct maps_exec *maps;
	struct sym_proc_map *info;	/* parallel to maps */
	size_t n;
	struct perf_map *jit;
	struct timespec jit_mtime;
	off_t jit_size;
	double captured_ms;	/* CLOCK_MONOTONIC */
	struct dso_cache *dsos;	/* where info[].dso references go back to */
};

/*
 * Reads /proc/PID/maps and resolves every executable mapping to its file now,
 * holding a reference on each. On failure (-ESRCH: process gone) an earlier
 * snapshot stays as it was.
 */
int sym_proc__capture(struct sym_proc *p, struct dso_cache *c, struct strmap *strings);
void sym_proc__free(struct sym_proc *p);	/* NULL-safe; gives back its files */

#endif
