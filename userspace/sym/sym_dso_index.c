// SPDX-License-Identifier: GPL-2.0
/*
 * Finding cached files again (by dev+inode, by build-id) and their lifetime:
 * references from snapshots, then a small LRU of released files, then free.
 */
#include <errno.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/file_read.h"
#include "sym/sym_dso_internal.h"

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

struct dso_cache *dso_cache__new(struct strmap *strings)
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

struct sym_dso *dso_cache_alloc(struct dso_cache *c)
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

struct sym_dso *dso_ref(struct dso_cache *c, struct sym_dso *d)
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

struct dso_inode *dso_lookup_inode(struct dso_cache *c, const struct maps_exec *m)
{
	struct dso_inode key = { .dev_major = m->dev_major, .dev_minor = m->dev_minor,
				 .inode = m->inode };
	struct dso_inode **hit;

	if (!m->inode)
		return NULL;
	hit = tfind(&key, &c->by_inode, inode_cmp);
	return hit ? *hit : NULL;
}

void dso_forget_inode(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m)
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
 * is another build, or (without build-ids) was changed since it was seen.
 * Unknowable once the process is gone too.
 */
bool dso_inode_stale(const struct dso_inode *i, int pid, const struct maps_exec *m)
{
	char path[PATH_MAX + 64];
	struct stat st;

	if (m->build_id[0] && i->dso->build_id[0])
		return strcmp(m->build_id, i->dso->build_id) != 0;
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

static void dso_note_version(struct dso_inode *i, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return;
	i->ctime = st.st_ctim;
	i->size = st.st_size;
}

int dso_remember_inode(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m,
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
	dso_note_version(ref, path);
	slot = tsearch(ref, &c->by_inode, inode_cmp);
	if (!slot || *slot != ref) {
		free(ref);
		return slot ? 0 : -ENOMEM;
	}
	d->inodes = ref;
	return 0;
}

struct sym_dso *dso_lookup_build_id(struct dso_cache *c, const char *path,
				    const struct maps_exec *m, char id[ELF_BUILD_ID_HEX])
{
	struct sym_dso key = { 0 }, **hit;
	int fd;

	id[0] = '\0';
	if (m->build_id[0]) {
		snprintf(key.build_id, sizeof(key.build_id), "%s", m->build_id);
	} else {
		fd = file_open_regular(path, 0);
		if (fd < 0)
			return NULL;
		if (elf_build_id_fd(fd, key.build_id))
			key.build_id[0] = '\0';
		close(fd);
	}
	memcpy(id, key.build_id, ELF_BUILD_ID_HEX);
	if (!key.build_id[0])
		return NULL;
	hit = tfind(&key, &c->by_build_id, build_id_cmp);
	return hit ? *hit : NULL;
}

bool dso_may_share(const struct sym_dso *d, uid_t owner)
{
	return !d->err && (d->owner == 0 || d->owner == owner);
}

/* The build-id index keeps one dso per build: root's copy when there is one. */
static int index_build_id(struct dso_cache *c, struct sym_dso *d)
{
	struct sym_dso **hit = tfind(d, &c->by_build_id, build_id_cmp);

	if (hit && (*hit)->owner == 0)
		return 0;
	if (hit && d->owner == 0)
		tdelete(d, &c->by_build_id, build_id_cmp);
	else if (hit)
		return 0;
	return tsearch(d, &c->by_build_id, build_id_cmp) ? 0 : -ENOMEM;
}

int dso_remember(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m,
		 const char *path)
{
	/* Set first: whatever got indexed is unindexed when it is freed. */
	d->indexed = true;
	if (dso_remember_inode(c, d, m, path))
		return -ENOMEM;
	if (d->build_id[0] && index_build_id(c, d))
		return -ENOMEM;
	if (d->build_id[0] && !(d->id = strmap__intern(c->strings, d->build_id)))
		return -ENOMEM;
	return 0;
}

void dso_cache__stats(const struct dso_cache *c, struct dso_stats *out)
{
	out->files = c->files;
	out->syms = c->syms;
	out->debugdata_bad = c->debugdata_bad;
	out->ms = c->ms;
	out->held = c->held;
	out->released = c->released;
}
