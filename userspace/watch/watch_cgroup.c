// SPDX-License-Identifier: GPL-2.0
/* Which cgroup (and container) an event's process is in. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "watch/watch_internal.h"

/* Returns the path part of a "/proc/PID/cgroup" line whose controllers match. */
static const char *line_path(const char *line, const char *controllers)
{
	const char *c = strchr(line, ':'), *p;

	if (!c)
		return NULL;
	p = strchr(c + 1, ':');
	if (!p)
		return NULL;
	if (controllers && (size_t)(p - c - 1) != strlen(controllers))
		return NULL;
	if (controllers && strncmp(c + 1, controllers, p - c - 1))
		return NULL;
	return p + 1;
}

static bool find_path(const char *text, const char *controllers, bool want_memory,
		      char *buf, size_t len)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchrnul(line, '\n'), *p = line_path(line, controllers);
		const char *ctl = strchr(line, ':');

		if (p && want_memory && !(ctl && strstr(ctl, "memory") && strstr(ctl, "memory") < p))
			p = NULL;
		if (p && !(end - p == 1 && *p == '/') && end > p) {
			snprintf(buf, len, "%.*s", (int)(end - p), p);
			return true;
		}
		line = *end ? end + 1 : NULL;
	}
	return false;
}

int watch_pick_cgroup(const char *text, char *buf, size_t len)
{
	if (!text || !strchr(text, ':'))
		return -ENOENT;
	if (find_path(text, "", false, buf, len) || find_path(text, NULL, true, buf, len) ||
	    find_path(text, NULL, false, buf, len))
		return 0;
	snprintf(buf, len, "/");
	return 0;
}

static bool hex64_at(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return !isxdigit((unsigned char)s[64]);
}

static const char *runtime_of(const char *path, const char *at)
{
	static const struct { const char *marker, *name; } rts[] = {
		{ "cri-containerd-", "containerd" }, { "containerd", "containerd" },
		{ "crio-", "cri-o" }, { "docker", "docker" }, { "libpod-", "podman" },
		{ "kubepods", "kubernetes" },
	};

	for (size_t i = 0; i < sizeof(rts) / sizeof(rts[0]); i++) {
		const char *m = strstr(path, rts[i].marker);

		if (m && m < at)
			return rts[i].name;
	}
	return NULL;
}

bool watch_container_id(const char *path, char *id, size_t idlen, char *runtime,
			size_t rtlen)
{
	const char *rt;

	/* The last 64-hex component wins: kubepods paths carry pod uids first. */
	for (const char *s = path + strlen(path); s >= path; s--) {
		if ((s == path || !isxdigit((unsigned char)s[-1])) && strlen(s) >= 64 &&
		    hex64_at(s)) {
			rt = runtime_of(path, s);
			if (!rt)
				continue;
			snprintf(id, idlen, "%.64s", s);
			snprintf(runtime, rtlen, "%s", rt);
			return true;
		}
	}
	return false;
}
