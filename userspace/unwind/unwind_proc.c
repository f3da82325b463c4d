// SPDX-License-Identifier: GPL-2.0
/* Per-process maps and the shared ELF file cache of the DWARF unwinder. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/auxv.h>

#include "base/log.h"
#include "unwind/unwind_proc.h"

#define PROC_BUCKETS 256

struct file_entry {
	uint64_t dev, ino;
	struct unwind_elf *elf;	/* NULL: known unusable, not retried */
	struct file_entry *next;
};

struct unwind_procs {
	struct unwind_proc *procs[PROC_BUCKETS];
	struct file_entry *files;
	size_t nfiles;
	struct unwind_elf *vdso;	/* our own vdso: the same image in every process */
	int vdso_tried;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct unwind_procs *unwind_procs__new(void)
{
	return calloc(1, sizeof(struct unwind_procs));
}

static void proc_free(struct unwind_proc *p)
{
	unwind_maps__clear(&p->maps);
	free(p->mods);
	free(p);
}

void unwind_procs__free(struct unwind_procs *t, void (*drop_as)(void *))
{
	struct file_entry *f, *fn;
	struct unwind_proc *p, *pn;
	int i;

	if (!t)
		return;
	for (i = 0; i < PROC_BUCKETS; i++) {
		for (p = t->procs[i]; p; p = pn) {
			pn = p->next;
			if (p->addr_space && drop_as)
				drop_as(p->addr_space);
			proc_free(p);
		}
	}
	for (f = t->files; f; f = fn) {
		fn = f->next;
		unwind_elf__free(f->elf);
		free(f);
	}
	unwind_elf__free(t->vdso);
	free(t);
}

struct unwind_proc *unwind_procs__get(struct unwind_procs *t, int pid)
{
	struct unwind_proc *p;

	for (p = t->procs[(unsigned int)pid % PROC_BUCKETS]; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

static int proc_reset(struct unwind_proc *p, struct unwind_maps *maps)
{
	struct unwind_module *mods = calloc(maps->n ? maps->n : 1, sizeof(*mods));

	if (!mods)
		return -ENOMEM;
	unwind_maps__clear(&p->maps);
	free(p->mods);
	p->maps = *maps;
	p->mods = mods;
	p->captured_ns = now_ns();
	return 0;
}

int unwind_procs__capture(struct unwind_procs *t, int pid, struct unwind_proc **out)
{
	struct unwind_proc *p = unwind_procs__get(t, pid), *created = NULL;
	struct unwind_maps maps;
	int err;

	err = unwind_maps__read(pid, &maps);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	if (!p) {
		p = created = calloc(1, sizeof(*p));
		if (!p) {
			unwind_maps__clear(&maps);
			return -ENOMEM;
		}
		p->pid = pid;
	}
	err = proc_reset(p, &maps);
	if (err) {
		unwind_maps__clear(&maps);
		free(created);
		return err;
	}
	if (created) {
		created->next = t->procs[(unsigned int)pid % PROC_BUCKETS];
		t->procs[(unsigned int)pid % PROC_BUCKETS] = created;
	}
	*out = p;
	return 0;
}

void *unwind_procs__forget(struct unwind_procs *t, int pid)
{
	struct unwind_proc **pp, *p;
	void *as;

	for (pp = &t->procs[(unsigned int)pid % PROC_BUCKETS]; *pp; pp = &(*pp)->next) {
		if ((*pp)->pid != pid)
			continue;
		p = *pp;
		*pp = p->next;
		as = p->addr_space;
		proc_free(p);
		return as;
	}
	return NULL;
}

/* The vdso has no file: its image is read from our own process, via the auxv. */
static struct unwind_elf *vdso_elf(struct unwind_procs *t)
{
	const struct unwind_mapping *m;
	struct unwind_maps self;
	unsigned long base;

	if (t->vdso_tried)
		return t->vdso;
	t->vdso_tried = 1;
	base = getauxval(AT_SYSINFO_EHDR);
	if (!base || unwind_maps__read(0, &self))
		return NULL;
	m = unwind_maps__find(&self, base);
	if (m && !strcmp(m->path, "[vdso]") &&
	    unwind_elf__from_memory((void *)base, m->end - base, &t->vdso))
		t->vdso = NULL;
	unwind_maps__clear(&self);
	return t->vdso;
}

/*
 * map_files works for deleted files and other mount namespaces while the
 * process lives; the path through its root, then our own path, after.
 */
static struct unwind_elf *open_mapped_file(int pid, const struct unwind_mapping *m)
{
	struct unwind_elf *e = NULL;
	char path[4200];

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, pid, m->start,
		 m->end);
	if (!unwind_elf__open(path, &e))
		return e;
	snprintf(path, sizeof(path), "/proc/%d/root%s", pid, m->path);
	if (!unwind_elf__open(path, &e))
		return e;
	if (!m->deleted && !unwind_elf__open(m->path, &e))
		return e;
	pr_debug("unwind: no usable ELF for %s (pid %d)\n", m->path, pid);
	return NULL;
}

static struct unwind_elf *file_elf(struct unwind_procs *t, int pid, const struct unwind_mapping *m)
{
	struct file_entry *f;

	for (f = t->files; f; f = f->next)
		if (f->dev == m->dev && f->ino == m->ino)
			return f->elf;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->dev = m->dev;
	f->ino = m->ino;
	f->elf = open_mapped_file(pid, m);
	f->next = t->files;
	t->files = f;
	t->nfiles++;
	return f->elf;
}

const struct unwind_module *unwind_procs__module(struct unwind_procs *t, struct unwind_proc *p,
						 uint64_t addr, const struct unwind_mapping **map)
{
	const struct unwind_mapping *m = unwind_maps__find(&p->maps, addr);
	struct unwind_module *mod;

	if (!m)
		return NULL;
	mod = &p->mods[m - p->maps.maps];
	if (!mod->resolved) {
		mod->resolved = 1;
		mod->elf = strcmp(m->path, "[vdso]") ? file_elf(t, p->pid, m) : vdso_elf(t);
		if (mod->elf && unwind_elf__bias(mod->elf, m->start, m->pgoff, &mod->bias))
			mod->elf = NULL;
	}
	if (map)
		*map = m;
	return mod->elf ? mod : NULL;
}

size_t unwind_procs__files(const struct unwind_procs *t)
{
	return t->nfiles;
}
