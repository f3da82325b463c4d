/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_OFFCPU_H
#define FAULTLINE_RECORDING_OFFCPU_H

#include <stdint.h>

#include "profile/profile_sampler.h"
#include "profile/profile_procs.h"
#include "record/recording_write.h"
#include "sym/symbolizer.h"

/*
 * record's off-CPU half: profile --off-cpu --wakers' BPF (bpf/profile_offcpu.bpf.h),
 * once per sleeping state (S, D) so each wait keeps its state, cut into the
 * same buckets as the CPU profile. Hooking every switch of every thread costs
 * too much to leave running (docs/recording-format.md): with -p it follows
 * those processes from the start; without, each process from its first slow
 * syscall on (added to the samplers' target map while they run).
 */
struct rec_offcpu;

/* The CPU sampler's options @so (targets, stacks); NULL when it cannot start (logged). */
struct rec_offcpu *rec_offcpu__new(const struct profile_sampler_opts *so, struct symbolizer *sym,
				   struct profile_procs *pprocs);
void rec_offcpu__poll(struct rec_offcpu *o);
/* Writes the time each (stacks, waker) gained since the last bucket; -errno. */
int rec_offcpu__bucket(struct rec_offcpu *o, struct rec_writer *w, int64_t start_wall);
/* Process @pid had a slow syscall: follow it from now on (no-op with -p). -errno. */
int rec_offcpu__follow(struct rec_offcpu *o, struct rec_writer *w, uint32_t pid);
/* Slow processes not followed: the limit was reached. */
uint64_t rec_offcpu__not_followed(const struct rec_offcpu *o);
void rec_offcpu__free(struct rec_offcpu *o);	/* NULL-safe; detaches */

#endif
