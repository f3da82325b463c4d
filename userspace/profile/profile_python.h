/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROFILE_PYTHON_H
#define FAULTLINE_PROFILE_PYTHON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "profile.h"
#include "base/strmap.h"
#include "output/stack_profile.h"

/*
 * CPython frames in profiles: detects Python processes as they are announced,
 * tells BPF where their frames are (py_procs), and merges the walked frames
 * (py_stacks) into their native stacks when the profile is collected.
 */
struct profile_python;

/* @tgids: -p targets, configured at once; NULL on allocation failure. */
struct profile_python *profile_python__new(int procs_fd, int stacks_fd, const int *tgids,
					   int ntgids);
void profile_python__free(struct profile_python *pp);	/* NULL-safe */

/* A process notification (struct profile_event): detect on first sample and after exec. */
void profile_python__on_event(struct profile_python *pp, const struct profile_event *e);

/*
 * Names the Python stacks stored since the last call (at most every 200 ms
 * unless @force), while their processes live: cheap when nothing is new.
 */
void profile_python__refresh(struct profile_python *pp, bool force);

/*
 * Removes the Python tag from @ips (leaf first, zero-terminated, @max long);
 * returns its Python stack id, or -1 when the stack has none.
 */
int64_t profile_python__split(__u64 *ips, int max);

/*
 * Replaces @frames (root first, @nframes, malloc'ed) with the same stack plus
 * Python stack @py_id of @tgid after each interpreter frame; names are
 * interned in @strings. 0 or -ENOMEM.
 */
int profile_python__merge(struct profile_python *pp, struct strmap *strings, __u32 tgid,
			  __u32 py_id, struct profile_frame **frames, int *nframes);

/* The Python lines of the profile summary: walks, losses, names read. */
void profile_python__print_summary(const struct profile_python *pp, const uint64_t *counters,
				   FILE *out);

#endif
