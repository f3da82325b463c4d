// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/vec.h"

#define VEC_MIN_CAP 16

int vec_reserve(void **items, size_t *cap, size_t need, size_t elem_size)
{
	size_t ncap = *cap ? *cap : VEC_MIN_CAP;
	void *p;

	if (!elem_size)
		return -EINVAL;
	if (need <= *cap)
		return 0;
	if (need > SIZE_MAX / elem_size)
		return -ENOMEM;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > SIZE_MAX / elem_size)
		ncap = need;	/* doubling would overflow: exactly what was asked */
	p = realloc(*items, ncap * elem_size);
	if (!p)
		return -ENOMEM;
	*items = p;
	*cap = ncap;
	return 0;
}
