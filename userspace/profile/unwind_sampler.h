/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_SAMPLER_H
#define FAULTLINE_UNWIND_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unwind/unwind_dwarf.h"

struct bpf_link;

/*
 * CPU sampling with DWARF-unwound user stacks (profile --unwind dwarf): loads
 * bpf/profile_dwarf.bpf.c, attaches it to the sampling perf events it is
 * given, and unwinds each sample from the ring buffer as it arrives (while
 * the process most likely still runs).
 */
struct unwind_sampler;

/* One sample, valid during the callback only. */
struct unwind_sampled {
	uint32_t tgid, tid, cpu;
	const char *comm;
	uint64_t time_ns;
	int32_t kstack_id;		/* see unwind_sampler__kernel_stack(); < 0: none */
	const uint64_t *user_ips;	/* leaf first */
	int nuser;
	enum unwind_status status;	/* != UNWIND_OK: user stack is partial */
	bool kernel_thread;		/* no user part at all */
};

typedef void (*unwind_sample_fn)(void *ctx, const struct unwind_sampled *s);

struct unwind_sampler_opts {
	size_t sz;			/* sizeof(struct unwind_sampler_opts) */
	const int *pids;		/* tgids to sample, none: all */
	int npids;
	int tid;			/* 0: any */
	uint64_t cgroup_id;		/* 0: any */
	bool include_idle;
	bool user_only;			/* no kernel stacks, no kernel threads */
	bool kernel_only;		/* kernel-mode samples only, no user stacks */
	uint32_t stack_bytes;		/* 0: UNWIND_STACK_DEFAULT */
	uint32_t ringbuf_bytes;		/* 0: 8 MiB */
	uint32_t kstack_entries;	/* kernel stack map size, 0: 16384 */
	int max_frames;			/* user frames kept, 0: 127 */
	unwind_sample_fn fn;		/* called for every sample */
	void *ctx;
};


struct unwind_sampler_stats {
	uint64_t samples;		/* every run of the BPF program */
	uint64_t filtered;		/* of those, outside the filters */
	uint64_t ringbuf_full;		/* dropped in BPF */
	uint64_t no_stack;		/* user stack unreadable in BPF */
	uint64_t stack_bytes;		/* total user stack bytes received */
	uint64_t received;		/* samples received in userspace */
	struct unwind_stats unwind;
};

/* Opens and loads; -errno, after logging why. */
int unwind_sampler__new(const struct unwind_sampler_opts *o, struct unwind_sampler **out);
/* Attaches to a sampling perf event; the link owns @perf_fd. NULL with errno set. */
struct bpf_link *unwind_sampler__attach_perf(struct unwind_sampler *us, int perf_fd);
/* Consumes what arrived, waiting up to @timeout_ms; number handled or -errno. */
int unwind_sampler__poll(struct unwind_sampler *us, int timeout_ms);
/* Kernel frames (leaf first) of a sample's kstack_id; count or -errno. */
int unwind_sampler__kernel_stack(struct unwind_sampler *us, int32_t id, uint64_t *ips, int max);
void unwind_sampler__stats(struct unwind_sampler *us, struct unwind_sampler_stats *out);
/* The unwinder, e.g. to capture a process's maps when it is first seen. */
struct unwinder *unwind_sampler__unwinder(struct unwind_sampler *us);
void unwind_sampler__free(struct unwind_sampler *us);	/* NULL-safe */

#endif
