/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_DSO_H
#define FAULTLINE_SYM_DSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/strmap.h"
#include "sym/sym_elf.h"
#include "sym/sym_maps.h"

struct dso_inode;

/*
 * A mapped file, parsed once and shared by every process that maps it.
 * Reference-counted by process snapshots; released ones stay in a small LRU
 * (a re-exec of the same program does not parse it again), then are freed.
 */
struct sym_dso {
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	char build_id[ELF_BUILD_ID_HEX];	/* "" when unknown */
	const char *id;		/* build_id interned (outlives the dso), NULL when unknown */
	const char *open_path;	/* interned path that opened it; NULL for the vDSO */
	struct elf_file *elf;	/* use dso_cache__elf(): NULL when not read (yet) */
	bool lazy;		/* symbols not read yet: at the first lookup */
	struct timespec ctime;	/* of the file when it was mapped, while lazy */
	uint64_t size;
	uid_t owner;		/* of the file: only its owner's or root's files share it */
	int err;		/* why elf is NULL */
	unsigned int refs;	/* snapshots holding it */
	bool indexed;		/* findable by inode / build-id (failures are not) */
	struct dso_inode *inodes;	/* its entries in the inode index */
	struct sym_dso *lru_prev, *lru_next;	/* while released */
	struct sym_dso *all_prev, *all_next;	/* every dso in memory */
};

struct dso_cache;

/* Paths and build-ids handed out are interned in @strings: they outlive the dsos. */
struct dso_cache *dso_cache__new(struct strmap *strings);
void dso_cache__free(struct dso_cache *c);	/* NULL-safe */

/*
 * The file behind executable mapping @m of @pid, with a reference the caller
 * gives back with dso_cache__put(): cached by dev+inode, then by build-id,
 * else opened through /proc/PID/map_files (deleted files) or /proc/PID/root
 * (other mount namespaces) and parsed. Unreadable files give a dso with
 * elf == NULL (not cached, so a later capture may retry). NULL only when out
 * of memory.
 */
struct sym_dso *dso_cache__get(struct dso_cache *c, int pid, const struct maps_exec *m);
/* The vDSO, from our own image: the same for every process of this kernel, never freed. */
struct sym_dso *dso_cache__vdso(struct dso_cache *c);
/* The parsed file, read now if it was not yet; NULL when it cannot be read. */
struct elf_file *dso_cache__elf(struct dso_cache *c, struct sym_dso *d);
/* Gives back a reference (NULL-safe); the last one parks the dso in the LRU. */
void dso_cache__put(struct dso_cache *c, struct sym_dso *d);

struct dso_stats {
	unsigned long files, syms;	/* ELF files parsed, symbols they held */
	unsigned long debugdata_bad;	/* of them, with an unusable .gnu_debugdata */
	double ms;			/* time spent parsing */
	unsigned long held;		/* dsos some snapshot holds */
	unsigned long released;		/* dsos kept in the LRU */
};

void dso_cache__stats(const struct dso_cache *c, struct dso_stats *out);

#endif
