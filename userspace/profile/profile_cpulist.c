// SPDX-License-Identifier: GPL-2.0
/* CPU lists as the kernel prints them (/sys/devices/system/cpu/online) and -C takes. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile_sampler.h"

static int parse_cpu(const char **p, int max)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	errno = 0;
	v = strtol(*p, &end, 10);
	if (errno || v < 0 || v >= max)
		return -EINVAL;
	*p = end;
	return v;
}

int profile_parse_cpulist(const char *s, bool *mask, int max)
{
	const char *p = s;
	int lo, hi;

	memset(mask, 0, max * sizeof(*mask));
	do {
		lo = parse_cpu(&p, max);
		if (lo < 0)
			return lo;
		hi = lo;
		if (*p == '-') {
			p++;
			hi = parse_cpu(&p, max);
			if (hi < lo)
				return -EINVAL;
		}
		for (int c = lo; c <= hi; c++)
			mask[c] = true;
	} while (*p == ',' && ++p);
	while (*p == '\n' || *p == ' ')
		p++;
	return *p ? -EINVAL : 0;
}
