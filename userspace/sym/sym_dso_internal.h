/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_DSO_INTERNAL_H
#define FAULTLINE_SYM_DSO_INTERNAL_H

#include "sym/sym_dso.h"

/* Shared by sym_dso.c (opening files) and sym_dso_index.c (finding and freeing them) only. */
/* Released dsos kept for reuse: enough for a program's libraries and a few more. */
#define DSO_LRU_MAX 32

struct dso_cache {
	void *by_inode;		/* tsearch trees of struct dso_inode * */
	void *by_build_id;	/* and of struct sym_dso * */
	struct sym_dso *all;	/* every dso in memory */
	struct sym_dso *lru_head, *lru_tail;	/* released, most recent first */
	unsigned long held, released;
	struct sym_dso *vdso;
	struct strmap *strings;
	unsigned long files, syms;
	unsigned long debugdata_bad;	/* files whose .gnu_debugdata was unusable */
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

/* A new dso, held by nobody yet. */
struct sym_dso *dso_cache_alloc(struct dso_cache *c);
/* A reference for a new holder, taking the dso out of the LRU if it was there. */
struct sym_dso *dso_ref(struct dso_cache *c, struct sym_dso *d);
struct dso_inode *dso_lookup_inode(struct dso_cache *c, const struct maps_exec *m);
/* Drops @d's entry for the identity of @m (it now names another file). */
void dso_forget_inode(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m);
/* Whether the file at @i's identity changed since it was seen (inode reuse). */
bool dso_inode_stale(const struct dso_inode *i, int pid, const struct maps_exec *m);
int dso_remember_inode(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m,
		       const char *path);
/*
 * The dso of the build in @path (the kernel's build-id of @m when it gave
 * one), else NULL with its build-id (or "") in @id.
 */
struct sym_dso *dso_lookup_build_id(struct dso_cache *c, const char *path,
				    const struct maps_exec *m, char id[ELF_BUILD_ID_HEX]);
/*
 * Whether a file owned by @owner may use @d's symbols because it has the same
 * build-id: a build-id is only what the file says it is, so another user's
 * copy with renamed symbols must not name root's process, and a copy that
 * could not be read must not blank out intact ones.
 */
bool dso_may_share(const struct sym_dso *d, uid_t owner);
/* Makes @d findable by the identity of @m and by its build-id. */
int dso_remember(struct dso_cache *c, struct sym_dso *d, const struct maps_exec *m,
		 const char *path);

#endif
