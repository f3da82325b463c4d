// SPDX-License-Identifier: GPL-2.0
/*
 * Human output carries names the watched processes choose (comm via
 * prctl, file names, symbol names): a newline in one would forge a line.
 */
#include <stdio.h>

#include "watch/watch_internal.h"

size_t watch_escape(const char *in, char *out, size_t outlen)
{
	size_t used = 0;

	if (!outlen)
		return 0;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		char tmp[5];
		size_t n;

		if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
			tmp[0] = *p;
			tmp[1] = '\0';
			n = 1;
		} else {
			n = snprintf(tmp, sizeof(tmp), *p == '\\' ? "\\\\" : "\\x%02x", *p);
		}
		if (used + n >= outlen)	/* never cut an escape in half */
			break;
		for (size_t i = 0; i < n; i++)
			out[used++] = tmp[i];
	}
	out[used] = '\0';
	return used;
}
