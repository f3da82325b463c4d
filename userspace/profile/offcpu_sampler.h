/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_OFFCPU_SAMPLER_H
#define FAULTLINE_OFFCPU_SAMPLER_H

#include <stdint.h>

#include "profile/profile_sampler.h"

/*
 * profile --off-cpu: offcpu.bpf.c at sched_switch instead of perf events.
 * The profile sampler drives it; its maps have profile's layout but for the
 * counts values (struct offcpu_value: blocked ns and switches).
 */
struct offcpu;

int offcpu__new(const struct profile_sampler_opts *o, struct offcpu **out);
int offcpu__attach(struct offcpu *off);
void offcpu__detach(struct offcpu *off);
void offcpu__free(struct offcpu *off);	/* NULL-safe */
int offcpu__events_fd(const struct offcpu *off);
int offcpu__counts_fd(const struct offcpu *off);
int offcpu__stacks_fd(const struct offcpu *off);
int offcpu__overflow_fd(const struct offcpu *off);
/* The kernel's counters in profile's terms (PC_SAMPLES: context switches seen). */
int offcpu__counters(const struct offcpu *off, int ncpus, uint64_t *out);
/* Blocks shorter than --min-block, dropped in BPF, and waits not timed. */
uint64_t offcpu__short(const struct offcpu *off, int ncpus);

#endif
