// SPDX-License-Identifier: GPL-2.0
/* Opening and parsing the file behind a mapping, now or at its first lookup. */
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

#include "base/log.h"
#include "sym/sym_dso_internal.h"
#include "base/file_read.h"

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
		return strmap__intern(c->strings, m->path);
	return strmap__intern(c->strings, opened);
}

static void load(struct dso_cache *c, struct sym_dso *d, const char *path,
		 const struct maps_exec *m, const char *root)
{
	double t0 = monotonic_ms(), dt;

	d->err = elf_file__open(path, m->path, root, &d->elf);
	dt = monotonic_ms() - t0;
	c->ms += dt;
	if (d->err) {
		pr_debug("symbolizer: cannot read %s: %s\n", path, strerror(-d->err));
		return;
	}
	c->files++;
	c->syms += d->elf->nsyms;
	if (d->elf->debugdata_err) {
		c->debugdata_bad++;
		pr_debug("symbolizer: %s: .gnu_debugdata not used: %s\n", m->path,
			 d->elf->debugdata_err);
	}
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
		d->open_path = strmap__intern(c->strings, m->path);
		return;
	}
	load(c, d, path, m, root);
	if (!d->err)
		d->open_path = stable_path(c, path, m);
}

struct sym_dso *dso_cache__get(struct dso_cache *c, int pid, const struct maps_exec *m)
{
	char path[PATH_MAX + 64], root[64], id[ELF_BUILD_ID_HEX] = "";
	struct dso_inode *known = dso_lookup_inode(c, m);
	struct sym_dso *d;
	struct stat st;
	uid_t owner;
	int err;

	if (known && !dso_inode_stale(known, pid, m))
		return dso_ref(c, known->dso);
	if (known)
		dso_forget_inode(c, known->dso, m);
	err = find_path(pid, m, path, sizeof(path), root, sizeof(root));
	owner = !err && !stat(path, &st) ? st.st_uid : (uid_t)-1;
	if (!err && (d = dso_lookup_build_id(c, path, m, id)) && dso_may_share(d, owner)) {
		/* The same build under another inode (e.g. another container's copy). */
		return dso_remember_inode(c, d, m, path) ? NULL : dso_ref(c, d);
	}
	d = dso_cache_alloc(c);
	if (!d)
		return NULL;
	d->dev_major = m->dev_major;
	d->dev_minor = m->dev_minor;
	d->inode = m->inode;
	d->owner = owner;
	d->err = err;
	dso_ref(c, d);
	if (!err)
		open_now_or_later(c, d, path, m, root, id);
	if (d->err)
		return d;
	if (!d->open_path || dso_remember(c, d, m, path)) {
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
	d = dso_cache_alloc(c);
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
		d->id = strmap__intern(c->strings, d->build_id);
	c->vdso = d;
	return d;
}
