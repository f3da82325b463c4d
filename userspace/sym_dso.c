// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/auxv.h>
#include <sys/sysmacros.h>
#include <elf.h>

#include "log.h"
#include "sym_dso.h"
#include "sym_read.h"

struct dso_cache {
	void *by_inode;		/* tsearch trees of struct sym_dso * */
	void *by_build_id;
	struct sym_dso **all;	/* owns every dso, also uncached failures */
	size_t n, cap;
	struct sym_dso *vdso;
	unsigned long files, syms;
	double ms;
};

/* by_inode maps a file identity to a dso; several inodes may share one build. */
struct inode_ref {
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	struct sym_dso *dso;
};

static int inode_cmp(const void *a, const void *b)
{
	const struct inode_ref *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->dev_major != y->dev_major)
		return x->dev_major < y->dev_major ? -1 : 1;
	return x->dev_minor < y->dev_minor ? -1 : x->dev_minor > y->dev_minor;
}

static int build_id_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sym_dso *)a)->build_id, ((const struct sym_dso *)b)->build_id);
}

struct dso_cache *dso_cache__new(void)
{
	return calloc(1, sizeof(struct dso_cache));
}

static void dso_free(struct sym_dso *d)
{
	elf_file__free(d->elf);
	free(d->open_path);
	free(d);
}

static void no_free(void *p)
{
	(void)p;
}

void dso_cache__free(struct dso_cache *c)
{
	size_t i;

	if (!c)
		return;
	tdestroy(c->by_inode, free);
	tdestroy(c->by_build_id, no_free);
	for (i = 0; i < c->n; i++)
		dso_free(c->all[i]);
	free(c->all);
	free(c);
}

static struct sym_dso *dso_alloc(struct dso_cache *c)
{
	struct sym_dso **nv, *d;

	if (c->n == c->cap) {
		nv = reallocarray(c->all, c->cap * 2 + 16, sizeof(*nv));
		if (!nv)
			return NULL;
		c->all = nv;
		c->cap = c->cap * 2 + 16;
	}
	d = calloc(1, sizeof(*d));
	if (d)
		c->all[c->n++] = d;
	return d;
}

/* Same file as the mapping? Guards plain paths used once the process is gone. */
static int same_file(const char *path, const struct maps_exec *m)
{
	struct stat st;

	return !stat(path, &st) && st.st_ino == m->inode && major(st.st_dev) == m->dev_major &&
	       minor(st.st_dev) == m->dev_minor;
}

/*
 * Where to open the file of @m: deleted files only through map_files, others
 * through the process's root (its mount namespace), else our own path.
 */
static int find_path(int pid, const struct maps_exec *m, char *path, size_t len, char *root,
		     size_t rootlen)
{
	root[0] = '\0';
	if (m->deleted) {
		snprintf(path, len, "/proc/%d/map_files/%llx-%llx", pid,
			 (unsigned long long)m->start, (unsigned long long)m->end);
		return access(path, R_OK) ? -errno : 0;
	}
	snprintf(root, rootlen, "/proc/%d/root", pid);
	snprintf(path, len, "%s%s", root, m->path);
	if (!access(path, R_OK))
		return 0;
	root[0] = '\0';
	snprintf(path, len, "%s", m->path);
	return same_file(path, m) ? 0 : -ENOENT;
}

/* A path that outlives the process when the host path is the same file. */
static char *stable_path(const char *opened, const struct maps_exec *m)
{
	if (!m->deleted && strcmp(opened, m->path) && same_file(m->path, m))
		return strdup(m->path);
	return strdup(opened);
}

static struct sym_dso *lookup_inode(struct dso_cache *c, const struct maps_exec *m)
{
	struct inode_ref key = { .dev_major = m->dev_major, .dev_minor = m->dev_minor,
				 .inode = m->inode };
	struct inode_ref **hit;

	if (!m->inode)
		return NULL;
	hit = tfind(&key, &c->by_inode, inode_cmp);
	return hit ? (*hit)->dso : NULL;
}

static int remember_inode(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m)
{
	struct inode_ref *ref, **slot;

	if (!m->inode)
		return 0;
	ref = malloc(sizeof(*ref));
	if (!ref)
		return -ENOMEM;
	*ref = (struct inode_ref){ m->dev_major, m->dev_minor, m->inode, d };
	slot = tsearch(ref, &c->by_inode, inode_cmp);
	if (!slot || *slot != ref)
		free(ref);
	return slot ? 0 : -ENOMEM;
}

static struct sym_dso *lookup_build_id(struct dso_cache *c, const char *path)
{
	struct sym_dso key = { 0 }, **hit;
	int fd;

	fd = sym_open_regular(path);
	if (fd < 0)
		return NULL;
	if (elf_build_id_fd(fd, key.build_id))
		key.build_id[0] = '\0';
	close(fd);
	if (!key.build_id[0])
		return NULL;
	hit = tfind(&key, &c->by_build_id, build_id_cmp);
	return hit ? *hit : NULL;
}

static int remember(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m)
{
	if (remember_inode(c, d, m))
		return -ENOMEM;
	if (d->build_id[0] && !tfind(d, &c->by_build_id, build_id_cmp) &&
	    !tsearch(d, &c->by_build_id, build_id_cmp))
		return -ENOMEM;
	return 0;
}

static void load(struct dso_cache *c, struct sym_dso *d, const char *path,
		 const struct maps_exec *m, const char *root)
{
	double t0 = sym_now_ms(), dt;

	d->err = elf_file__open(path, m->path, root, &d->elf);
	dt = sym_now_ms() - t0;
	c->ms += dt;
	if (d->err) {
		pr_debug("symbolizer: cannot read %s: %s\n", path, strerror(-d->err));
		return;
	}
	c->files++;
	c->syms += d->elf->nsyms;
	memcpy(d->build_id, d->elf->build_id, sizeof(d->build_id));
	pr_debug("symbolizer: %s: %zu symbols from %s in %.1f ms\n", m->path, d->elf->nsyms,
		 d->elf->debug_path ? d->elf->debug_path : d->elf->source, dt);
}

struct sym_dso *dso_cache__get(struct dso_cache *c, int pid, const struct maps_exec *m)
{
	char path[PATH_MAX + 64], root[64];
	struct sym_dso *d = lookup_inode(c, m);
	int err;

	if (d)
		return d;
	err = find_path(pid, m, path, sizeof(path), root, sizeof(root));
	if (!err && (d = lookup_build_id(c, path))) {
		/* The same build under another inode (e.g. another container's copy). */
		return remember_inode(c, d, m) ? NULL : d;
	}
	d = dso_alloc(c);
	if (!d)
		return NULL;
	d->dev_major = m->dev_major;
	d->dev_minor = m->dev_minor;
	d->inode = m->inode;
	d->err = err;
	if (!err)
		load(c, d, path, m, root);
	if (d->err)
		return d;
	d->open_path = stable_path(path, m);
	if (!d->open_path || remember(c, d, m))
		return NULL;
	return d;
}

/* The vDSO image's size, from its own headers (it is not a file). */
static size_t vdso_size(const Elf64_Ehdr *eh)
{
	const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
	size_t size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	int i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_offset + ph[i].p_filesz > size)
			size = ph[i].p_offset + ph[i].p_filesz;
	}
	return size;
}

struct sym_dso *dso_cache__vdso(struct dso_cache *c)
{
	const Elf64_Ehdr *eh;
	struct sym_dso *d;

	if (c->vdso)
		return c->vdso;
	d = dso_alloc(c);
	if (!d)
		return NULL;
	eh = (const void *)getauxval(AT_SYSINFO_EHDR);
	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64)
		d->err = -ENOENT;
	else
		d->err = elf_file__from_memory(eh, vdso_size(eh), &d->elf);
	if (!d->err)
		memcpy(d->build_id, d->elf->build_id, sizeof(d->build_id));
	c->vdso = d;
	return d;
}

void dso_cache__stats(const struct dso_cache *c, unsigned long *files, unsigned long *syms,
		      double *ms)
{
	*files = c->files;
	*syms = c->syms;
	*ms = c->ms;
}
