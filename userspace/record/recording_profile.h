/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_PROFILE_H
#define FAULTLINE_RECORDING_PROFILE_H

#include "output/stack_profile.h"

/*
 * Profile buckets out of a cumulative profile: the sampler's maps only ever
 * grow, so each bucket is what every stack gained since the previous one.
 */
struct rec_pdelta;

struct rec_pdelta *rec_pdelta__new(void);
void rec_pdelta__free(struct rec_pdelta *d);	/* NULL-safe */

/*
 * Fills @out with the stacks of @cum that gained samples since the last call
 * (their frames point into @cum) and the lost samples gained; @out->stacks
 * is allocated (free() it). -ENOMEM.
 */
int rec_pdelta__bucket(struct rec_pdelta *d, const struct profile_data *cum,
		       struct profile_data *out);

#endif
