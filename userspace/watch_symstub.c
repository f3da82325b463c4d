// SPDX-License-Identifier: GPL-2.0
/*
 * Weak stand-ins for the symbolizer API (symbolizer.h) so watch links and
 * runs before the symbolizer module lands: addresses stay unresolved. The
 * real definitions override these at link time; delete this file then.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolizer.h"

struct symbolizer {
	int unused;
};

__attribute__((weak)) struct symbolizer *symbolizer__new(void)
{
	return calloc(1, sizeof(struct symbolizer));
}

__attribute__((weak)) void symbolizer__free(struct symbolizer *s)
{
	free(s);
}

__attribute__((weak)) int symbolizer__capture_pid(struct symbolizer *s, int pid)
{
	(void)s;
	(void)pid;
	return 0;
}

__attribute__((weak)) void symbolizer__forget_pid(struct symbolizer *s, int pid)
{
	(void)s;
	(void)pid;
}

static int unknown(uint64_t addr, enum frame_kind kind, struct sym_result *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->addr = addr;
	return -ENOENT;
}

__attribute__((weak)) int symbolizer__kernel(struct symbolizer *s, uint64_t addr,
					     struct sym_result *out)
{
	(void)s;
	return unknown(addr, FRAME_UNKNOWN, out);
}

__attribute__((weak)) int symbolizer__user(struct symbolizer *s, int pid, uint64_t addr,
					   struct sym_result *out)
{
	(void)s;
	(void)pid;
	return unknown(addr, FRAME_UNKNOWN, out);
}

__attribute__((weak)) void sym_result__name(const struct sym_result *r, char *buf, size_t len)
{
	snprintf(buf, len, "[unknown] 0x%llx", (unsigned long long)r->addr);
}
