/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_DSO_H
#define FAULTLINE_SYM_DSO_H

#include <stdint.h>

#include "sym_elf.h"
#include "sym_maps.h"

/* A mapped file, parsed once and shared by every process that maps it. */
struct sym_dso {
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	char build_id[ELF_BUILD_ID_HEX];	/* "" when unknown */
	char *open_path;	/* a path that opened it; NULL for the vDSO */
	struct elf_file *elf;	/* NULL when the file could not be read */
	int err;		/* why elf is NULL */
};

struct dso_cache;

struct dso_cache *dso_cache__new(void);
void dso_cache__free(struct dso_cache *c);	/* NULL-safe */

/*
 * The file behind executable mapping @m of @pid: cached by dev+inode, then
 * by build-id, else opened through /proc/PID/map_files (deleted files) or
 * /proc/PID/root (other mount namespaces) and parsed. Unreadable files give a
 * dso with elf == NULL (not cached, so a later capture may retry). NULL only
 * when out of memory.
 */
struct sym_dso *dso_cache__get(struct dso_cache *c, int pid, const struct maps_exec *m);
/* The vDSO, from our own image: it is the same for every process of this kernel. */
struct sym_dso *dso_cache__vdso(struct dso_cache *c);

/* Files parsed, symbols held, and milliseconds spent parsing, for -v. */
void dso_cache__stats(const struct dso_cache *c, unsigned long *files, unsigned long *syms,
		      double *ms);

#endif
