// SPDX-License-Identifier: GPL-2.0
/* Numbers read from a recording: whatever a file says, never undefined behaviour. */
#include "record/recording_read.h"

/*
 * Converting a double outside the target's range to an integer is undefined
 * in C, and a recording is untrusted input: clamp before converting.
 */
uint64_t rec_clamp_uint(double d, uint64_t max)
{
	if (!(d > 0))	/* also NaN */
		return 0;
	if (d >= (double)max)
		return max;
	return (uint64_t)d;
}

uint64_t rec_json_uint(const cJSON *v, uint64_t max)
{
	return cJSON_IsNumber(v) ? rec_clamp_uint(v->valuedouble, max) : 0;
}
