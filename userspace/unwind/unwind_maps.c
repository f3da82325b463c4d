// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/maps snapshots for the DWARF unwinder. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "base/vec.h"
#include "unwind/unwind_maps.h"

#define DELETED_SUFFIX " (deleted)"

/* Strips " (deleted)" from @path, saying whether it was there. */
static int strip_deleted(char *path)
{
	size_t len = strlen(path), slen = strlen(DELETED_SUFFIX);

	if (len <= slen || strcmp(path + len - slen, DELETED_SUFFIX))
		return 0;
	path[len - slen] = '\0';
	return 1;
}

int unwind_maps__parse_line(const char *line, struct unwind_mapping *m)
{
	unsigned int major, minor;
	char perms[8], *path, *nl;
	uint64_t ino;
	int pos = 0;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64 " %n", &m->start,
		   &m->end, perms, &m->pgoff, &major, &minor, &ino, &pos) < 7 || !pos)
		return -EINVAL;
	path = strdup(line + pos);
	if (!path)
		return -ENOMEM;
	nl = strchr(path, '\n');
	if (nl)
		*nl = '\0';
	/* Only files and the vdso have unwind info; the stack is kept apart. */
	if (path[0] != '/' && strcmp(path, "[vdso]") && strcmp(path, "[stack]")) {
		free(path);
		return 1;
	}
	m->deleted = strip_deleted(path);
	m->dev = makedev(major, minor);
	m->ino = ino;
	m->path = path;
	return 0;
}

static int maps_append(struct unwind_maps *out, size_t *cap, const struct unwind_mapping *m)
{
	if (VEC_RESERVE(out->maps, *cap, out->n + 1))
		return -ENOMEM;
	out->maps[out->n++] = *m;
	return 0;
}

static int maps_read_stream(FILE *f, struct unwind_maps *out)
{
	struct unwind_mapping m;
	char line[4352];
	size_t cap = 0;
	int err;

	while (fgets(line, sizeof(line), f)) {
		err = unwind_maps__parse_line(line, &m);
		if (err == 1 || err == -EINVAL)
			continue;
		if (err)
			return err;
		if (!strcmp(m.path, "[stack]")) {
			out->stack_start = m.start;
			out->stack_end = m.end;
			free(m.path);
			continue;
		}
		err = maps_append(out, &cap, &m);
		if (err) {
			free(m.path);
			return err;
		}
	}
	return 0;
}

int unwind_maps__read_file(const char *path, struct unwind_maps *out)
{
	FILE *f;
	int err;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	err = maps_read_stream(f, out);
	fclose(f);
	if (err)
		unwind_maps__clear(out);
	return err;
}

int unwind_maps__read(int pid, struct unwind_maps *out)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	return unwind_maps__read_file(path, out);
}

/* maps are sorted by the kernel; binary search on start. */
const struct unwind_mapping *unwind_maps__find(const struct unwind_maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < m->maps[mid].start)
			hi = mid;
		else if (addr >= m->maps[mid].end)
			lo = mid + 1;
		else
			return &m->maps[mid];
	}
	return NULL;
}

void unwind_maps__clear(struct unwind_maps *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->maps[i].path);
	free(m->maps);
	memset(m, 0, sizeof(*m));
}
