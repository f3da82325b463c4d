// SPDX-License-Identifier: GPL-2.0
/*
 * What a record may hold before report uses it. Identifiers must be possible:
 * a crafted or damaged recording must not make report print "pid
 * -2147483648", "port -2" or a 309-digit pid. Names (comm, paths, symbols)
 * were chosen by other users: report prints them as base/text_safe.h's
 * terminal policy makes them. A record that fails is refused like any
 * unreadable line.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/text_safe.h"
#include "record/recording_read.h"

struct id_range {
	const char *key;
	double min, max;
};

/* pid_max can't exceed 2^22 (PID_MAX_LIMIT); signals are 1..64 on Linux. */
static const struct id_range ranges[] = {
	{ "pid", 0, 1 << 22 },	{ "tid", 0, 1 << 22 },	 { "ppid", 0, 1 << 22 },
	{ "tgid", 0, 1 << 22 }, { "port", 0, 65535 },	 { "sport", 0, 65535 },
	{ "dport", 0, 65535 },	{ "lport", 0, 65535 },	 { "fd", -1, 2147483647.0 },
	{ "uid", 0, 4294967295.0 }, { "gid", 0, 4294967295.0 }, { "signo", 0, 64 },
};

static bool id_ok(const cJSON *item)
{
	/* slow_syscall's "fd" describes the descriptor; its own "fd" member is checked in turn. */
	if (!strcmp(item->string, "fd") && cJSON_IsObject(item))
		return true;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		if (strcmp(item->string, ranges[i].key))
			continue;
		return cJSON_IsNumber(item) && item->valuedouble >= ranges[i].min &&
		       item->valuedouble <= ranges[i].max &&
		       floor(item->valuedouble) == item->valuedouble;
	}
	return true;
}

bool rec_ids_valid(const cJSON *obj, int depth)
{
	const cJSON *item;

	if (depth > 16)
		return false;
	cJSON_ArrayForEach(item, obj) {
		if (item->string && !id_ok(item))
			return false;
		if ((cJSON_IsObject(item) || cJSON_IsArray(item)) && !rec_ids_valid(item, depth + 1))
			return false;
	}
	return true;
}

/* Values rewritten with cJSON's current hooks: the reader's arena while it parses. */
bool rec_strings_make_safe(cJSON *obj, int depth)
{
	cJSON *item;
	char *safe;

	if (depth > 16)
		return false;
	cJSON_ArrayForEach(item, obj) {
		if (item->string && !text_is_safe(item->string, TEXT_SAFE_TERMINAL))
			return false;	/* no field of ours has such a name */
		if (cJSON_IsString(item) && !text_is_safe(item->valuestring, TEXT_SAFE_TERMINAL)) {
			safe = text_safe_dup(item->valuestring, TEXT_SAFE_TERMINAL);
			if (!safe || !cJSON_SetValuestring(item, safe)) {
				free(safe);
				return false;
			}
			free(safe);
		}
		if ((cJSON_IsObject(item) || cJSON_IsArray(item)) &&
		    !rec_strings_make_safe(item, depth + 1))
			return false;
	}
	return true;
}
