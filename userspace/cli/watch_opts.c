// SPDX-License-Identifier: GPL-2.0
/* Parsing of the watch option values that are more than a number. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/syscall_names.h"
#include "unwind/unwind_mode.h"
#include "watch/watch_pipeline.h"

int watch_parse_events(const char *list, uint32_t *mask, char *bad, size_t badlen)
{
	char buf[256], *tok, *save = NULL;
	int i;

	snprintf(buf, sizeof(buf), "%s", list);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			*mask |= (1u << watch_source_count()) - 1;
			continue;
		}
		i = watch_source_find(tok);
		if (i < 0) {
			snprintf(bad, badlen, "%s", tok);
			return -EINVAL;
		}
		*mask |= 1u << i;
	}
	if (!*mask) {
		snprintf(bad, badlen, "%s", list);
		return -EINVAL;
	}
	return 0;
}

static int add_override(struct watch_opts *o, int nr, uint64_t ns)
{
	for (int i = 0; i < o->nslow_overrides; i++) {
		if (o->slow_overrides[i].nr == nr) {
			o->slow_overrides[i].threshold_ns = ns;
			return 0;
		}
	}
	if (o->nslow_overrides >= WATCH_MAX_SLOW_OVERRIDES)
		return -E2BIG;
	o->slow_overrides[o->nslow_overrides].nr = nr;
	o->slow_overrides[o->nslow_overrides].threshold_ns = ns;
	o->nslow_overrides++;
	return 0;
}

int watch_parse_slow_threshold(struct watch_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[64];
	long ms;
	int nr;

	if (!eq) {
		if (!cli_parse_long(arg, 1, 86400000, &ms))
			return -EINVAL;
		o->slow_threshold_ns = (uint64_t)ms * 1000000;
		return 0;
	}
	if ((size_t)(eq - arg) >= sizeof(name) || eq == arg)
		return -EINVAL;
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	nr = syscall_nr(name);
	if (nr < 0 || nr >= WATCH_SYSCALL_MAX || !cli_parse_long(eq + 1, 0, 86400000, &ms))
		return -EINVAL;
	return add_override(o, nr, (uint64_t)ms * 1000000);
}
