// SPDX-License-Identifier: GPL-2.0
/*
 * Finding CPython in a process from the files it maps: the version from
 * Py_Version, the thread-state key from PyGILState_GetThisThreadState's code,
 * glibc's TSD slots from pthread_getspecific's.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "python/py_detect.h"
#include "python/py_elf.h"
#include "unwind/unwind_maps.h"

#define CODE_BYTES 64	/* both functions are a few instructions long */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int open_mapped(int pid, const struct unwind_mapping *m, struct py_elf **e)
{
	char path[PATH_MAX + 32];

	if (snprintf(path, sizeof(path), "/proc/%d/root%s", pid, m->path) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return py_elf__open(path, e);
}

/* Reads @name's first bytes; how many were read, or -errno. */
static int read_func(struct py_elf *e, const char *name, uint64_t *addr, uint8_t *buf)
{
	uint64_t size;
	int err = py_elf__sym(e, name, addr, &size);

	if (err)
		return err;
	if (!size || size > CODE_BYTES)
		size = CODE_BYTES;
	err = py_elf__read(e, *addr, buf, size);
	return err ? err : (int)size;
}

static int version(struct py_elf *e, struct py_target *t)
{
	uint64_t addr, size;
	uint32_t v;

	if (py_elf__sym(e, "Py_Version", &addr, &size) || py_elf__read(e, addr, &v, sizeof(v)))
		return -ENOTSUP;	/* exported since 3.11 */
	t->major = v >> 24;
	t->minor = v >> 16 & 0xff;
	t->micro = v >> 8 & 0xff;
	return py_layout_for(t->major, t->minor, &t->layout);
}

/* @m's file as the interpreter: -ENOENT when it doesn't export _PyRuntime. */
static int try_interpreter(int pid, const struct unwind_mapping *m, struct py_target *t)
{
	uint64_t runtime, rsize, func, bias;
	uint8_t code[CODE_BYTES];
	struct py_elf *e;
	uint32_t key_off;
	int err, n;

	err = open_mapped(pid, m, &e);
	if (err)
		return err == -ENOEXEC ? -ENOENT : err;
	err = py_elf__sym(e, "_PyRuntime", &runtime, &rsize);
	if (!err)
		err = version(e, t);
	if (err)
		goto cleanup;
	n = read_func(e, "PyGILState_GetThisThreadState", &func, code);
	err = n < 0 ? -ENOTSUP : py_decode_tss_key(code, n, func, runtime, &key_off);
	if (err) {
		err = -ENOTSUP;
		goto cleanup;
	}
	err = py_elf__bias(e, m->start, m->pgoff, &bias);
	if (!err)
		t->layout.bpf.tss_key_addr = runtime + bias + key_off;
cleanup:
	py_elf__free(e);
	return err;
}

static int try_libc(int pid, const struct unwind_mapping *m, struct py_target *t)
{
	uint8_t code[CODE_BYTES];
	struct py_elf *e;
	uint64_t func;
	int err, n;

	err = open_mapped(pid, m, &e);
	if (err)
		return err;
	n = read_func(e, "pthread_getspecific", &func, code);
	err = n < 0 ? n : py_decode_tsd(code, n, &t->layout.bpf);
	py_elf__free(e);
	return err ? -ENOTSUP : 0;
}

static bool is_candidate(const struct unwind_mapping *m, const char *exe)
{
	return m->path[0] == '/' && (!strcmp(m->path, exe) ||
				     !strncmp(base_name(m->path), "libpython", 9));
}

static bool is_libc(const struct unwind_mapping *m)
{
	const char *b = base_name(m->path);

	return m->path[0] == '/' && (!strcmp(b, "libc.so.6") || !strncmp(b, "libc-2.", 7));
}

/* The interpreter, then libc: each file by its first (lowest) mapping. */
static int scan(int pid, const struct unwind_maps *maps, const char *exe, struct py_target *t)
{
	const char *tried = NULL;
	int err = -ENOENT;

	for (size_t i = 0; i < maps->n && err == -ENOENT; i++) {
		const struct unwind_mapping *m = &maps->maps[i];

		if (!is_candidate(m, exe) || (tried && !strcmp(tried, m->path)))
			continue;
		tried = m->path;
		err = try_interpreter(pid, m, t);
	}
	if (err)
		return err;
	for (size_t i = 0; i < maps->n; i++)
		if (is_libc(&maps->maps[i]))
			return try_libc(pid, &maps->maps[i], t);
	return -ENOTSUP;	/* a libc other than glibc: its TSD layout is unknown */
}

int py_detect(int pid, struct py_target *t)
{
	struct unwind_maps maps = {};
	char link[64], exe[PATH_MAX];
	ssize_t n;
	int err;

	memset(t, 0, sizeof(*t));
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	err = unwind_maps__read(pid, &maps);
	if (err)
		return err;
	err = scan(pid, &maps, exe, t);
	unwind_maps__clear(&maps);
	return err;
}
