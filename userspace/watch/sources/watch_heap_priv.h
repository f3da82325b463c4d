/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_HEAP_PRIV_H
#define FAULTLINE_WATCH_HEAP_PRIV_H

/* The heap source's state, shared by its loader and its summaries. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "watch/watch_internal.h"
#include "watch/sources/watch_heap_elf.h"

#define HEAP_TOP_STACKS 10	/* stacks listed in a heap_summary */

struct bpf_link;

struct heap_target {
	uint32_t pid;
	char comm[WATCH_COMM_LEN];
	char lib[256];			/* the allocator library, as the process maps it */
	struct bpf_link *links[2 * HEAP_FN__COUNT];
	int nlinks;
	bool gone;
};

struct heap_priv {
	struct watch_heap_bpf *skel;
	struct heap_target targets[WATCH_MAX_PIDS];
	int ntargets;
	uint64_t sample_bytes;
	uint64_t interval_ns;
	uint64_t next_summary_ns, next_check_ns;
};

enum heap_when {
	HEAP_PERIODIC,
	HEAP_FINAL,		/* the watch ends */
	HEAP_EXITED,		/* the process exited: what it never freed */
};

/* One live allocation as the summary sees it. */
struct heap_item {
	int32_t stack_id;
	uint64_t size;
};

/* Live bytes and objects of one stack; estimates when sampling. */
struct heap_row {
	int32_t stack_id;
	double bytes, objects;
};

/*
 * Sums @items (sorted in place by stack) into @rows (room for @n), largest
 * live bytes first, scaled back up for --heap-sample @sample (0: none).
 * Returns the number of rows.
 */
size_t heap_fold(struct heap_item *items, size_t n, uint64_t sample, struct heap_row *rows);

/* "1.5 MiB" */
const char *heap_human_bytes(double b, char *buf, size_t len);
/* "keep_site+0x9d < main < __libc_start_call_main (heap_grow)" from a JSON stack. */
void heap_site_text(const cJSON *stack, char *buf, size_t len);

/* Emits a heap_summary event for @t (and, in human output, its table). */
int heap_emit_summary(struct watch_source *s, struct heap_target *t, enum heap_when when);

#endif
