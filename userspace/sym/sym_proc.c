// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include "sym/sym_proc.h"
#include "base/file_read.h"

static int resolve(int pid, const struct maps_exec *m, struct sym_proc_map *info,
		   struct dso_cache *c, struct strmap *strings)
{
	if (!m->path[0])
		return 0;
	info->module = strmap__intern(strings, m->path);
	if (!info->module)
		return -ENOMEM;
	if (!strcmp(m->path, "[vdso]"))
		info->dso = dso_cache__vdso(c);
	else if (maps_is_file(m->path))
		info->dso = dso_cache__get(c, pid, m);
	else
		return 0;
	return info->dso ? 0 : -ENOMEM;
}

static void release(struct dso_cache *c, struct sym_proc_map *info, size_t n)
{
	for (size_t i = 0; info && i < n; i++)
		dso_cache__put(c, info[i].dso);
}

/* The new snapshot takes its files before the old one lets go: nothing is parsed twice. */
static int use_snapshot(struct sym_proc *p, struct maps_exec *maps, size_t n,
			struct dso_cache *c, struct strmap *strings)
{
	struct sym_proc_map *info;
	size_t i;
	int err;

	info = calloc(n ? n : 1, sizeof(*info));
	if (!info) {
		maps_exec_free(maps, n);
		return -ENOMEM;
	}
	for (i = 0, err = 0; i < n && !err; i++)
		err = resolve(p->pid, &maps[i], &info[i], c, strings);
	if (err) {
		release(c, info, n);
		free(info);
		maps_exec_free(maps, n);
		return err;
	}
	release(c, p->info, p->n);
	maps_exec_free(p->maps, p->n);
	free(p->info);
	p->maps = maps;
	p->info = info;
	p->n = n;
	p->dsos = c;
	return 0;
}

/* The effective uid and the innermost-namespace pid, from /proc/PID/status. */
static int read_status(int pid, uid_t *uid, int *nspid)
{
	char path[64], *buf, *line;
	unsigned int r, e;
	size_t len;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	err = file_read_all(path, &buf, &len);
	if (err)
		return err;
	*nspid = pid;
	*uid = (uid_t)-1;
	line = strstr(buf, "\nUid:");
	if (line && sscanf(line + 5, "%u %u", &r, &e) == 2)
		*uid = e;
	line = strstr(buf, "\nNSpid:");
	/* The last number is the pid as the process itself (and its JIT) sees it. */
	for (line = line ? line + 7 : NULL; line && *line && *line != '\n'; line++) {
		if ((line[-1] == ' ' || line[-1] == '\t') && *line >= '0' && *line <= '9')
			*nspid = atoi(line);
	}
	free(buf);
	return 0;
}

static void load_jit(struct sym_proc *p, const char *path, uid_t uid)
{
	struct perf_map *m;
	struct stat st;

	if (stat(path, &st))
		return;
	if (p->jit && st.st_size == p->jit_size && st.st_mtim.tv_sec == p->jit_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == p->jit_mtime.tv_nsec)
		return;
	if (perf_map__load(path, uid, &m))
		return;
	perf_map__free(p->jit);
	p->jit = m;
	p->jit_size = st.st_size;
	p->jit_mtime = st.st_mtim;
}

/* In another pid namespace, where the process (and its JIT) sees another pid? */
static bool other_pid_ns(int pid)
{
	static char self[64];
	char path[64], link[64];
	ssize_t n;

	if (!self[0]) {
		n = readlink("/proc/self/ns/pid", self, sizeof(self) - 1);
		if (n <= 0)
			return true;
		self[n] = '\0';
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return true;	/* cannot tell: ask /proc/PID/status */
	link[n] = '\0';
	return strcmp(link, self) != 0;
}

/*
 * /tmp/perf-PID.map as the process wrote it: in its own /tmp, named with its
 * own pid. /proc/PID/status (costly to produce) is read only when a map exists
 * or the process is in another pid namespace: nearly every process has none.
 */
static void capture_jit(struct sym_proc *p)
{
	char path[PATH_MAX];
	int nspid = p->pid;
	uid_t uid;

	if (other_pid_ns(p->pid) && read_status(p->pid, &uid, &nspid))
		return;
	snprintf(path, sizeof(path), "/proc/%d/root/tmp/perf-%d.map", p->pid, nspid);
	if (access(path, F_OK)) {
		snprintf(path, sizeof(path), "/tmp/perf-%d.map", p->pid);
		if (access(path, F_OK))
			return;
	}
	if (!read_status(p->pid, &uid, &nspid))
		load_jit(p, path, uid);
}

/* What identifies a set of mappings, to notice that a re-read found the same. */
static unsigned long checksum(const struct maps_exec *v, size_t n)
{
	unsigned long crc = crc32(0L, Z_NULL, 0);

	for (size_t i = 0; i < n; i++) {
		uint64_t id[4] = { v[i].start, v[i].end, v[i].pgoff, v[i].inode };

		crc = crc32(crc, (const Bytef *)id, sizeof(id));
		crc = crc32(crc, (const Bytef *)v[i].path, strlen(v[i].path) + 1);
	}
	return crc;
}

/* The executable mappings now: asked of the kernel, else parsed from the maps text. */
static int read_exec_maps(int pid, struct maps_exec **maps, size_t *n)
{
	char path[64], *text;
	size_t len;
	int err;

	err = maps_query_exec(pid, maps, n);
	if (err != -EOPNOTSUPP)
		return err;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	err = file_read_all(path, &text, &len);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	err = maps_parse_exec(text, maps, n);
	free(text);
	return err;
}

int sym_proc__capture(struct sym_proc *p, struct dso_cache *c, struct strmap *strings)
{
	struct maps_exec *maps;
	unsigned long crc;
	size_t n;
	int err;

	p->captured_ms = monotonic_ms();
	err = read_exec_maps(p->pid, &maps, &n);
	if (err)
		return err;
	/* Nothing mapped after something was: the process is exiting, keep what we had. */
	if (!n && p->captured && p->maps_len) {
		maps_exec_free(maps, n);
		return -ESRCH;
	}
	capture_jit(p);
	crc = checksum(maps, n);
	if (p->captured && p->maps_len == n && p->maps_crc == crc) {
		maps_exec_free(maps, n);
		return 0;
	}
	err = use_snapshot(p, maps, n, c, strings);
	if (err)
		return err;
	p->captured = true;
	p->maps_len = n;
	p->maps_crc = crc;
	return 0;
}

void sym_proc__free(struct sym_proc *p)
{
	if (!p)
		return;
	if (p->dsos)
		release(p->dsos, p->info, p->n);
	maps_exec_free(p->maps, p->n);
	free(p->info);
	perf_map__free(p->jit);
	free(p);
}
