/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_PROFILE_H
#define FAULTLINE_UNWIND_PROFILE_H

#include <stdint.h>
#include <stdio.h>

#include "profile/profile_sampler.h"

/*
 * `profile --unwind dwarf`: the profile sampler's perf events run
 * bpf/profile_dwarf.bpf.c instead of the frame-pointer program, and the
 * unwound stacks are counted here into maps laid out like profile.bpf.c's
 * (counts keyed by struct profile_key, stacks by id, kernel and user in one
 * map), so profile_collect() and every output read them unchanged. A stack
 * whose unwinding stopped early ends (at the root) with UNWIND_TRUNCATED_IP,
 * shown as "[truncated]".
 */
struct unwind_profile;

struct bpf_link;
struct bpf_map;
struct bpf_program;

/*
 * Before the frame-pointer object is loaded: its sampling program is not
 * used in DWARF mode (skip its verification, the costliest part of startup)
 * and its stack maps stay empty (shrink them). 0 or -errno.
 */
int unwind_profile__idle_fp(struct bpf_program *fp_prog, struct bpf_map **maps, int nmaps);

/* Loads the DWARF program with @o's filters; -errno after logging why. */
int unwind_profile__new(const struct profile_sampler_opts *o, struct unwind_profile **out);
struct bpf_link *unwind_profile__attach_perf(struct unwind_profile *up, int perf_fd);
/* Unwinds and counts what arrives within @timeout_ms; number of samples or -errno. */
int unwind_profile__poll(struct unwind_profile *up, int timeout_ms);
/* Pending samples, then the running counts into counts_fd (for a reading mid-run). */
int unwind_profile__flush(struct unwind_profile *up);
/* After the perf events are detached: the last samples, then the counts into counts_fd. */
int unwind_profile__finish(struct unwind_profile *up);
int unwind_profile__counts_fd(const struct unwind_profile *up);
int unwind_profile__stacks_fd(const struct unwind_profile *up);
/* Adds this mode's counters into @out[PC__COUNT] (ring buffer drops as PC_COUNTS_FULL). */
void unwind_profile__add_counters(struct unwind_profile *up, uint64_t *out);
/* Unwinding outcome by reason and bytes per sample; NULL-safe. */
void unwind_profile__print_summary(struct unwind_profile *up, FILE *f);
void unwind_profile__free(struct unwind_profile *up);	/* NULL-safe */

#endif
