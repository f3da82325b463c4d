// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <libiberty/demangle.h>

#include "sym/sym_demangle.h"

/* From libstdc++ (cxxabi.h is C++ only). */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* Legacy Rust names are C++-mangled paths ending in a "17h<16 hex digits>E" hash. */
static bool is_rust_legacy(const char *name)
{
	size_t len = strlen(name), i;
	const char *h;

	if (strncmp(name, "_ZN", 3) || len < 3 + 20)
		return false;
	h = name + len - 20;
	if (strncmp(h, "17h", 3) || h[19] != 'E')
		return false;
	for (i = 3; i < 19; i++) {
		if (!strchr("0123456789abcdef", h[i]))
			return false;
	}
	return true;
}

char *sym_demangle(const char *name)
{
	int status = 0;
	char *out;

	if (!name || name[0] != '_')
		return NULL;
	if (name[1] == 'R' || is_rust_legacy(name))
		/* Without DMGL_VERBOSE libiberty leaves the legacy hash out. */
		return cplus_demangle(name, DMGL_RUST);
	if (name[1] != 'Z')
		return NULL;
	out = __cxa_demangle(name, NULL, NULL, &status);
	if (status) {
		free(out);
		return NULL;
	}
	return out;
}
