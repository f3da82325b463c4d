// SPDX-License-Identifier: GPL-2.0
/*
 * The symbolizer: kernel addresses through kallsyms (symbolizer_kernel.c),
 * user addresses through a per-process snapshot of executable mappings, each
 * pointing at a file whose symbols are parsed once (sym_dso.c), and JIT maps
 * for anonymous code.
 */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "sym/symbolizer_internal.h"

/* A miss on a snapshot older than this re-reads maps (dlopen, new JIT code). */
#define REFRESH_MS 1000.0

static int proc_cmp(const void *a, const void *b)
{
	const struct sym_proc *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

struct symbolizer *symbolizer__new(void)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->strings = strmap__new(0);
	s->dsos = dso_cache__new(s->strings);
	if (!s->dsos || !s->strings)
		goto fail;
	s->ksyms_reload_ms = KSYMS_RELOAD_MS;
	s->jit_module = strmap__intern(s->strings, "[jit]");
	s->kernel_module = strmap__intern(s->strings, "[kernel]");
	s->bpf_module = strmap__intern(s->strings, "[bpf]");
	if (!s->jit_module || !s->kernel_module || !s->bpf_module)
		goto fail;
	return s;
fail:
	symbolizer__free(s);
	errno = ENOMEM;
	return NULL;
}

void symbolizer__stats(const struct symbolizer *s, struct sym_stats *out)
{
	struct dso_stats ds;

	memset(out, 0, sizeof(*out));
	dso_cache__stats(s->dsos, &ds);
	out->files_parsed = ds.files;
	out->file_symbols = ds.syms;
	out->debugdata_bad = ds.debugdata_bad;
	out->files_ms = ds.ms;
	out->files_held = ds.held;
	out->files_released = ds.released;
	out->kernel_symbols = ksyms__count(s->ksyms);
	out->kernel_ms = s->kernel_ms;
	out->kernel_reloads = s->ksyms_reloads;
	out->processes = s->nprocs;
}

static void free_proc(void *p)
{
	sym_proc__free(p);
}

void symbolizer__free(struct symbolizer *s)
{
	struct dso_stats ds;

	if (!s)
		return;
	if (s->dsos) {
		dso_cache__stats(s->dsos, &ds);
		if (ds.files)
			pr_info("symbolizer: parsed %lu ELF files (%lu symbols) in %.1f ms\n",
				ds.files, ds.syms, ds.ms);
		if (ds.debugdata_bad)
			pr_info("symbolizer: %lu ELF files with an unusable .gnu_debugdata "
				"(no symbols taken from it; -vv says why)\n",
				ds.debugdata_bad);
	}
	/* Snapshots first: they give their files back to the cache. */
	tdestroy(s->procs, free_proc);
	dso_cache__free(s->dsos);
	strmap__free(s->strings);
	ksyms__free(s->ksyms);
	free(s);
}

static struct sym_proc *find_proc(struct symbolizer *s, int pid)
{
	struct sym_proc key = { .pid = pid }, **hit;

	hit = tfind(&key, &s->procs, proc_cmp);
	return hit ? *hit : NULL;
}

/* The snapshot of @pid, captured on first use; NULL only when out of memory. */
static struct sym_proc *get_proc(struct symbolizer *s, int pid, int *err)
{
	struct sym_proc *p = find_proc(s, pid);

	*err = 0;
	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	if (!tsearch(p, &s->procs, proc_cmp)) {
		free(p);
		return NULL;
	}
	s->nprocs++;
	/* Kept even when the process is gone, so it is not retried for every frame. */
	*err = sym_proc__capture(p, s->dsos, s->strings);
	return p;
}

int symbolizer__capture_pid(struct symbolizer *s, int pid)
{
	struct sym_proc *p = find_proc(s, pid);
	int err;

	if (pid <= 0)
		return -EINVAL;
	if (!p)
		return get_proc(s, pid, &err) ? err : -ENOMEM;
	return sym_proc__capture(p, s->dsos, s->strings);
}

void symbolizer__forget_pid(struct symbolizer *s, int pid)
{
	struct sym_proc *p = find_proc(s, pid);

	if (!p)
		return;
	tdelete(p, &s->procs, proc_cmp);
	sym_proc__free(p);
	s->nprocs--;
}

static int lookup_jit(struct symbolizer *s, struct sym_proc *p, uint64_t addr,
		      struct sym_result *out)
{
	const struct perf_map_sym *js = perf_map__find(p->jit, addr);

	if (!js)
		return -ENOENT;
	/* Interned: the JIT map is replaced when it changes, results must stay valid. */
	out->symbol = strmap__intern(s->strings, js->name);
	if (!out->symbol)
		return -ENOMEM;
	out->kind = FRAME_JIT;
	out->sym_offset = addr - js->start;
	out->module = s->jit_module;
	out->module_offset = addr - js->start;
	return 0;
}

static void lookup_file(struct symbolizer *s, const struct maps_exec *m,
			const struct sym_proc_map *info, uint64_t addr, struct sym_result *out)
{
	struct elf_file *elf = info->dso ? dso_cache__elf(s->dsos, info->dso) : NULL;
	struct elf_sym *sym;
	uint64_t vaddr;

	out->kind = FRAME_USER;
	out->module = info->module;
	out->module_offset = addr - m->start + m->pgoff;
	out->map_start = m->start;
	out->map_end = m->end;
	out->map_pgoff = m->pgoff;
	if (info->dso)
		out->build_id = info->dso->id;
	if (!elf || !elf_file__offset_to_vaddr(elf, out->module_offset, &vaddr))
		return;
	sym = (struct elf_sym *)elf_file__find(elf, vaddr);
	if (!sym)
		return;
	out->symbol = elf_file__sym_name(elf, sym);
	out->sym_offset = vaddr - sym->start;
}

/* After a miss: re-read maps and the JIT map, at most once per REFRESH_MS. */
static bool refresh(struct symbolizer *s, struct sym_proc *p)
{
	if (monotonic_ms() - p->captured_ms < REFRESH_MS)
		return false;
	return sym_proc__capture(p, s->dsos, s->strings) == 0;
}

/* The mapping holding @addr, re-reading maps once a while for code mapped later. */
static int find_map(struct symbolizer *s, struct sym_proc *p, uint64_t addr)
{
	const struct maps_exec *m = maps_find(p->maps, p->n, addr);

	if (!m && refresh(s, p))
		m = maps_find(p->maps, p->n, addr);
	return m ? (int)(m - p->maps) : -ENOENT;
}

int symbolizer__user(struct symbolizer *s, int pid, uint64_t addr, struct sym_result *out)
{
	struct sym_proc *p;
	int err, i;

	result_init(out, addr);
	p = get_proc(s, pid, &err);
	if (!p)
		return -ENOMEM;
	i = find_map(s, p, addr);
	if (i >= 0 && p->info[i].dso) {
		lookup_file(s, &p->maps[i], &p->info[i], addr, out);
		return 0;
	}
	/* Anonymous, special or unmapped code: a JIT's, if it tells us (and it grows). */
	err = lookup_jit(s, p, addr, out);
	if (err == -ENOENT && i >= 0 && refresh(s, p)) {
		i = find_map(s, p, addr);
		err = lookup_jit(s, p, addr, out);
	}
	if (i < 0) {
		out->not_code = p->captured && out->kind == FRAME_UNKNOWN;
		return err;
	}
	if (err && p->info[i].module)
		lookup_file(s, &p->maps[i], &p->info[i], addr, out);
	out->map_start = p->maps[i].start;
	out->map_end = p->maps[i].end;
	out->map_pgoff = p->maps[i].pgoff;
	return out->kind == FRAME_UNKNOWN ? -ENOENT : 0;
}

bool symbolizer__user_is_code(struct symbolizer *s, int pid, uint64_t addr)
{
	struct sym_result r;
	struct sym_proc *p;
	int err;

	p = get_proc(s, pid, &err);
	if (!p || !p->captured || find_map(s, p, addr) >= 0)
		return true;
	result_init(&r, addr);
	return lookup_jit(s, p, addr, &r) == 0;
}

int symbolizer__mapping(struct symbolizer *s, int pid, uint64_t addr, struct sym_mapping *out)
{
	const struct sym_proc_map *info;
	const struct maps_exec *m;
	struct elf_file *elf;
	struct sym_proc *p;
	int err, i;

	memset(out, 0, sizeof(*out));
	p = get_proc(s, pid, &err);
	if (!p)
		return -ENOMEM;
	if (!p->captured)
		return -ESRCH;
	i = find_map(s, p, addr);
	if (i < 0)
		return -ENOENT;
	m = &p->maps[i];
	info = &p->info[i];
	out->path = info->module;
	out->start = m->start;
	out->end = m->end;
	out->pgoff = m->pgoff;
	if (!info->dso)
		return 0;
	out->open_path = info->dso->open_path;
	out->build_id = info->dso->id;
	elf = dso_cache__elf(s->dsos, info->dso);
	if (elf)
		out->has_load_bias = elf_file__load_bias(elf, m->start, m->pgoff,
							 &out->load_bias);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

void sym_result__name(const struct sym_result *r, char *buf, size_t len)
{
	if (!buf || !len)
		return;
	if (r->kind == FRAME_LOST)
		snprintf(buf, len, "[lost stack]");
	else if (r->symbol)
		snprintf(buf, len, "%s", r->symbol);
	else if (r->module)
		snprintf(buf, len, "%s+0x%llx", base_name(r->module),
			 (unsigned long long)r->module_offset);
	else
		snprintf(buf, len, "[unknown] 0x%llx", (unsigned long long)r->addr);
}
