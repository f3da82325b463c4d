// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/file_read.h"
#include "base/log.h"
#include "sym/sym_perfmap.h"
#include "sym/sym_search.h"

struct perf_map {
	char *buf;
	struct perf_map_sym *syms;
	size_t n;
};

static int parse_line(char *line, size_t lineno, struct perf_map_sym *out)
{
	char *end, *name;
	size_t len;

	out->start = strtoull(line, &end, 16);
	if (end == line || *end != ' ')
		return 0;
	line = end + 1;
	out->size = strtoull(line, &end, 16);
	if (end == line || *end != ' ' || !out->size)
		return 0;
	name = end + 1;
	len = strlen(name);
	while (len && (name[len - 1] == '\r' || name[len - 1] == ' '))
		name[--len] = '\0';
	out->name = name;
	out->line = lineno;
	return *name != '\0';
}

/* By start; for equal starts the newest (last written) entry first. */
static int sym_cmp(const void *a, const void *b)
{
	const struct perf_map_sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->line > y->line ? -1 : x->line < y->line;
}

static int parse_all(struct perf_map *m)
{
	char *line, *nl;
	size_t lines = 1, i, out = 0;

	for (line = m->buf; *line; line++)
		lines += *line == '\n';
	m->syms = calloc(lines, sizeof(*m->syms));
	if (!m->syms)
		return -ENOMEM;
	for (line = m->buf, i = 0; line && *line; line = nl, i++) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		m->n += parse_line(line, i, &m->syms[m->n]);
	}
	qsort(m->syms, m->n, sizeof(*m->syms), sym_cmp);
	for (i = 0; i < m->n; i++) {
		if (out && m->syms[out - 1].start == m->syms[i].start)
			continue;
		m->syms[out++] = m->syms[i];
	}
	m->n = out;
	return 0;
}

struct perf_map *perf_map__parse(char *buf)
{
	struct perf_map *m = calloc(1, sizeof(*m));
	int err;

	if (!m) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	m->buf = buf;
	err = parse_all(m);
	if (err) {
		perf_map__free(m);
		errno = -err;
		return NULL;
	}
	return m;
}

/*
 * Another user writes this file: only theirs or root's is believed, a link is
 * not followed, and at most FILE_READ_MAX of it is read (a JIT that writes
 * more keeps the names of its first symbols; the rest stay addresses).
 */
static int read_trusted(const char *path, uid_t uid, char **buf)
{
	struct stat st;
	bool truncated;
	size_t len;
	int fd, err;

	fd = file_open_regular(path, O_NOFOLLOW);
	if (fd < 0)
		return fd == -ENOEXEC ? -EPERM : fd;
	if (fstat(fd, &st) || (st.st_uid && st.st_uid != uid)) {
		close(fd);
		return -EPERM;
	}
	err = file_read_fd(fd, FILE_READ_MAX, buf, &len, &truncated);
	close(fd);
	if (!err && truncated)
		pr_warn("symbolizer: %s is larger than %u MiB: only its start was read\n", path,
			FILE_READ_MAX >> 20);
	return err;
}

int perf_map__load(const char *path, uid_t uid, struct perf_map **out)
{
	char *buf = NULL;
	int err;

	err = read_trusted(path, uid, &buf);
	if (err)
		return err;
	*out = perf_map__parse(buf);
	return *out ? 0 : -errno;
}

void perf_map__free(struct perf_map *m)
{
	if (!m)
		return;
	free(m->syms);
	free(m->buf);
	free(m);
}

const struct perf_map_sym *perf_map__find(const struct perf_map *m, uint64_t addr)
{
	const struct perf_map_sym *sym = m ? SYM_SEARCH_LE(m->syms, m->n, start, addr) : NULL;

	return sym && addr - sym->start < sym->size ? sym : NULL;
}

size_t perf_map__count(const struct perf_map *m)
{
	return m ? m->n : 0;
}
