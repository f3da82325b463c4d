/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROFILE_PROCS_H
#define FAULTLINE_PROFILE_PROCS_H

#include <stdbool.h>
#include <linux/types.h>

#include "profile.h"
#include "sym/symbolizer.h"

/*
 * The processes a profile has seen: snapshots their memory maps while they
 * are alive (first sample, exit), and tells when every -p target is gone.
 */
struct profile_procs;

struct profile_procs *profile_procs__new(struct symbolizer *sym, const int *targets,
					 int ntargets);
void profile_procs__free(struct profile_procs *p);	/* NULL-safe */

/* A notification from the sampler (struct profile_event). */
void profile_procs__on_event(void *procs, const struct profile_event *e);
/* Snapshot @tgid's maps unless one was taken; a profile_need_maps_fn. */
void profile_procs__need_maps(void *procs, int tgid);
/* True once every target has exited (false without targets). */
bool profile_procs__targets_gone(struct profile_procs *p);
/*
 * Drops the snapshots of exited processes, once their stacks are symbolized:
 * their files go back to the symbolizer, which frees those no one maps.
 */
void profile_procs__forget_exited(struct profile_procs *p);
/* Processes sampled whose maps could never be read (exited too early). */
int profile_procs__unreadable(const struct profile_procs *p);
int profile_procs__captured(const struct profile_procs *p);
/* Snapshots attempted, for -v. */
int profile_procs__reads(const struct profile_procs *p);

#endif
