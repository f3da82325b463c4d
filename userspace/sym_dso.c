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

/* Released dsos kept for reuse: enough for a program's libraries and a few more. */
#define DSO_LRU_MAX 32

struct dso_cache {
	void *by_inode;		/* tsearch trees of struct dso_inode * */
	void *by_build_id;	/* and of struct sym_dso * */
	struct sym_dso *all;	/* every dso in memory */
	struct sym_dso *lru_head, *lru_tail;	/* released, most recent first */
	unsigned long held, released;
	struct sym_dso *vdso;
	struct sym_intern *strings;
	unsigned long files, syms;
	double ms;
};

/* by_inode maps a file identity to a dso; several inodes may share one build. */
struct dso_inode {
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	struct timespec ctime;	/* of the file seen: an inode number may be reused */
	uint64_t size;
	struct sym_dso *dso;
	struct dso_inode *next;	/* the dso's other inodes */
};

static int inode_cmp(const void *a, const void *b)
{
	const struct dso_inode *x = a, *y = b;

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

struct dso_cache *dso_cache__new(struct sym_intern *strings)
{
	struct dso_cache *c = calloc(1, sizeof(struct dso_cache));

	if (c)
		c->strings = strings;
	return c;
}

static void dso_free(struct dso_cache *c, struct sym_dso *d)
{
	struct dso_inode *i, *next;

	for (i = d->inodes; i; i = next) {
		next = i->next;
		tdelete(i, &c->by_inode, inode_cmp);
		free(i);
	}
	if (d->indexed && d->build_id[0]) {
		struct sym_dso **hit = tfind(d, &c->by_build_id, build_id_cmp);

		if (hit && *hit == d)
			tdelete(d, &c->by_build_id, build_id_cmp);
	}
	if (d->all_prev)
		d->all_prev->all_next = d->all_next;
	else
		c->all = d->all_next;
	if (d->all_next)
		d->all_next->all_prev = d->all_prev;
	elf_file__free(d->elf);
	free(d);
}

void dso_cache__free(struct dso_cache *c)
{
	if (!c)
		return;
	while (c->all)
		dso_free(c, c->all);
	free(c);
}

static struct sym_dso *dso_alloc(struct dso_cache *c)
{
	struct sym_dso *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->all_next = c->all;
	if (c->all)
		c->all->all_prev = d;
	c->all = d;
	return d;
}

static void lru_unlink(struct dso_cache *c, struct sym_dso *d)
{
	if (d->lru_prev)
		d->lru_prev->lru_next = d->lru_next;
	else
		c->lru_head = d->lru_next;
	if (d->lru_next)
		d->lru_next->lru_prev = d->lru_prev;
	else
		c->lru_tail = d->lru_prev;
	d->lru_prev = d->lru_next = NULL;
	c->released--;
}

/* A reference for a new holder, taking the dso out of the LRU if it was there. */
static struct sym_dso *dso_get(struct dso_cache *c, struct sym_dso *d)
{
	if (d == c->vdso)
		return d;
	if (!d->refs++) {
		if (d->indexed)
			lru_unlink(c, d);
		c->held++;
	}
	return d;
}

void dso_cache__put(struct dso_cache *c, struct sym_dso *d)
{
	if (!d || d == c->vdso || !d->refs || --d->refs)
		return;
	c->held--;
	if (!d->indexed) {
		dso_free(c, d);
		return;
	}
	d->lru_next = c->lru_head;
	if (c->lru_head)
		c->lru_head->lru_prev = d;
	c->lru_head = d;
	if (!c->lru_tail)
		c->lru_tail = d;
	if (++c->released > DSO_LRU_MAX) {
		d = c->lru_tail;
		lru_unlink(c, d);
		dso_free(c, d);
	}
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
static const char *stable_path(struct dso_cache *c, const char *opened,
			       const struct maps_exec *m)
{
	if (!m->deleted && strcmp(opened, m->path) && same_file(m->path, m))
		return sym_intern__get(c->strings, m->path);
	return sym_intern__get(c->strings, opened);
}

static struct dso_inode *lookup_inode(struct dso_cache *c, const struct maps_exec *m)
{
	struct dso_inode key = { .dev_major = m->dev_major, .dev_minor = m->dev_minor,
				 .inode = m->inode };
	struct dso_inode **hit;

	if (!m->inode)
		return NULL;
	hit = tfind(&key, &c->by_inode, inode_cmp);
	return hit ? *hit : NULL;
}

/* Drops @d's entry for the identity of @m (it now names another file). */
static void forget_inode(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m)
{
	struct dso_inode **i, *gone;

	for (i = &d->inodes; *i; i = &(*i)->next) {
		if ((*i)->inode == m->inode && (*i)->dev_major == m->dev_major &&
		    (*i)->dev_minor == m->dev_minor) {
			gone = *i;
			*i = gone->next;
			tdelete(gone, &c->by_inode, inode_cmp);
			free(gone);
			return;
		}
	}
}

/*
 * Once every process mapping a file is gone its inode number may be reused
 * by a new file: a cached dso is stale when the file at the same identity
 * was changed since it was parsed. Unknowable once the process is gone too.
 */
static bool stale(const struct dso_inode *i, int pid, const struct maps_exec *m)
{
	char path[PATH_MAX + 64];
	struct stat st;

	if (m->deleted)
		snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
			 (unsigned long long)m->start, (unsigned long long)m->end);
	else
		snprintf(path, sizeof(path), "/proc/%d/root%s", pid, m->path);
	if (stat(path, &st) || st.st_ino != m->inode)
		return false;
	return (uint64_t)st.st_size != i->size || st.st_ctim.tv_sec != i->ctime.tv_sec ||
	       st.st_ctim.tv_nsec != i->ctime.tv_nsec;
}

static void note_version(struct dso_inode *i, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return;
	i->ctime = st.st_ctim;
	i->size = st.st_size;
}

static int remember_inode(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m,
			  const char *path)
{
	struct dso_inode *ref, **slot;

	if (!m->inode)
		return 0;
	ref = malloc(sizeof(*ref));
	if (!ref)
		return -ENOMEM;
	*ref = (struct dso_inode){ .dev_major = m->dev_major, .dev_minor = m->dev_minor,
				   .inode = m->inode, .dso = d, .next = d->inodes };
	note_version(ref, path);
	slot = tsearch(ref, &c->by_inode, inode_cmp);
	if (!slot || *slot != ref) {
		free(ref);
		return slot ? 0 : -ENOMEM;
	}
	d->inodes = ref;
	return 0;
}

/* The dso of the build in @path, else NULL with its build-id (or "") in @id. */
static struct sym_dso *lookup_build_id(struct dso_cache *c, const char *path,
				       char id[ELF_BUILD_ID_HEX])
{
	struct sym_dso key = { 0 }, **hit;
	int fd;

	id[0] = '\0';
	fd = sym_open_regular(path);
	if (fd < 0)
		return NULL;
	if (elf_build_id_fd(fd, key.build_id))
		key.build_id[0] = '\0';
	close(fd);
	memcpy(id, key.build_id, ELF_BUILD_ID_HEX);
	if (!key.build_id[0])
		return NULL;
	hit = tfind(&key, &c->by_build_id, build_id_cmp);
	return hit ? *hit : NULL;
}

static int remember(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m,
		    const char *path)
{
	/* Set first: whatever got indexed is unindexed when it is freed. */
	d->indexed = true;
	if (remember_inode(c, d, m, path))
		return -ENOMEM;
	if (d->build_id[0] && !tfind(d, &c->by_build_id, build_id_cmp) &&
	    !tsearch(d, &c->by_build_id, build_id_cmp))
		return -ENOMEM;
	if (d->build_id[0] && !(d->id = sym_intern__get(c->strings, d->build_id)))
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

/*
 * Symbols are read at the first lookup, not at capture: most files a process
 * maps never show up in a stack. That needs a path that still names the file
 * once the process is gone, the host's own; other files (deleted, or only
 * visible in another mount namespace) are read now, while they can be.
 */
static void open_now_or_later(struct dso_cache *c, struct sym_dso *d, const char *path,
			      const struct maps_exec *m, const char *root, const char *id)
{
	struct stat st;

	if (!m->deleted && !stat(m->path, &st) && st.st_ino == m->inode &&
	    major(st.st_dev) == m->dev_major && minor(st.st_dev) == m->dev_minor) {
		d->ctime = st.st_ctim;
		d->size = st.st_size;
		memcpy(d->build_id, id, sizeof(d->build_id));
		d->lazy = true;
		d->open_path = sym_intern__get(c->strings, m->path);
		return;
	}
	load(c, d, path, m, root);
	if (!d->err)
		d->open_path = stable_path(c, path, m);
}

struct sym_dso *dso_cache__get(struct dso_cache *c, int pid, const struct maps_exec *m)
{
	char path[PATH_MAX + 64], root[64], id[ELF_BUILD_ID_HEX] = "";
	struct dso_inode *known = lookup_inode(c, m);
	struct sym_dso *d;
	int err;

	if (known && !stale(known, pid, m))
		return dso_get(c, known->dso);
	if (known)
		forget_inode(c, known->dso, m);
	err = find_path(pid, m, path, sizeof(path), root, sizeof(root));
	if (!err && (d = lookup_build_id(c, path, id))) {
		/* The same build under another inode (e.g. another container's copy). */
		return remember_inode(c, d, m, path) ? NULL : dso_get(c, d);
	}
	d = dso_alloc(c);
	if (!d)
		return NULL;
	d->dev_major = m->dev_major;
	d->dev_minor = m->dev_minor;
	d->inode = m->inode;
	d->err = err;
	dso_get(c, d);
	if (!err)
		open_now_or_later(c, d, path, m, root, id);
	if (d->err)
		return d;
	if (!d->open_path || remember(c, d, m, path)) {
		dso_cache__put(c, d);
		return NULL;
	}
	return d;
}

struct elf_file *dso_cache__elf(struct dso_cache *c, struct sym_dso *d)
{
	struct maps_exec m;
	struct stat st;

	if (!d->lazy)
		return d->elf;
	d->lazy = false;
	m = (struct maps_exec){ .dev_major = d->dev_major, .dev_minor = d->dev_minor,
				.inode = d->inode, .path = (char *)d->open_path };
	/* Replaced since (an upgrade, or a reused inode): no symbols, not another file's. */
	if (!same_file(d->open_path, &m) || stat(d->open_path, &st) ||
	    st.st_ctim.tv_sec != d->ctime.tv_sec || st.st_ctim.tv_nsec != d->ctime.tv_nsec ||
	    (uint64_t)st.st_size != d->size) {
		d->err = -ESTALE;
		return NULL;
	}
	load(c, d, d->open_path, &m, "");
	return d->elf;
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
	if (d->build_id[0])
		d->id = sym_intern__get(c->strings, d->build_id);
	c->vdso = d;
	return d;
}

void dso_cache__stats(const struct dso_cache *c, struct dso_stats *out)
{
	out->files = c->files;
	out->syms = c->syms;
	out->ms = c->ms;
	out->held = c->held;
	out->released = c->released;
}
