// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF unwinding of sampled user stacks with libunwind's remote API. The
 * accessors read the captured registers, the stack copy and the mapped ELF
 * files; unwind info comes from each file's .eh_frame_hdr table, handed to
 * libunwind as a remote table (the same way perf and libunwind's coredump
 * back-end do it), so libunwind parses the CFI itself.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libunwind.h>

#include "base/log.h"
#include "unwind/unwind_dwarf.h"
#include "unwind/unwind_proc.h"

/* Exported by libunwind-x86_64 but not declared by its headers. */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

/* An access above SP this close is the stack the snapshot did not cover. */
#define STACK_REACH (64ull << 20)
/*
 * A process's maps are re-read on an unknown address (after dlopen, or an
 * exec since they were read) at most this often: a JIT process would
 * otherwise re-read them on every sample.
 */
#define RECAPTURE_NS 20000000ull

struct unwinder {
	struct unwind_procs *procs;
	unw_accessors_t acc;
	struct unwind_stats stats;
};

/* What the accessors see of one unwind, and what they noticed. */
struct unwind_run {
	struct unwinder *u;
	struct unwind_proc *p;
	const struct unwind_snapshot *s;
	int no_info;		/* an IP had no FDE: the step after it is a guess */
	int no_mapping;
	int short_read;
};

static const char *const status_names[UNWIND_STATUS_NR] = {
	[UNWIND_OK] = "ok",
	[UNWIND_NO_STACK] = "no user stack captured",
	[UNWIND_NO_MAPS] = "process maps unknown",
	[UNWIND_NO_MAPPING] = "address outside any file mapping",
	[UNWIND_NO_INFO] = "code without unwind info",
	[UNWIND_SHORT_SNAPSHOT] = "stack snapshot too small",
	[UNWIND_BAD_FRAME] = "invalid frame",
	[UNWIND_TOO_DEEP] = "too many frames",
};

const char *unwind_status__name(enum unwind_status st)
{
	return st < UNWIND_STATUS_NR ? status_names[st] : "?";
}

static int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi, int need,
			  void *arg)
{
	struct unwind_run *r = arg;
	const struct unwind_mapping *m;
	const struct unwind_module *mod;
	unw_dyn_info_t di;
	int ret;

	mod = unwind_procs__module(r->u->procs, r->p, ip, &m);
	if (!mod) {
		if (!unwind_maps__find(&r->p->maps, ip))
			r->no_mapping = 1;
		r->no_info = 1;
		return -UNW_ENOINFO;
	}
	if (!mod->elf->hdr_vaddr) {
		r->no_info = 1;
		return -UNW_ENOINFO;
	}
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = m->start;
	di.end_ip = m->end;
	di.u.rti.segbase = mod->elf->hdr_vaddr + mod->bias;
	di.u.rti.table_data = mod->elf->table_vaddr + mod->bias;
	/* in unw_word_t units: one entry is two int32 */
	di.u.rti.table_len = mod->elf->fde_count * 8 / sizeof(unw_word_t);
	ret = _Ux86_64_dwarf_search_unwind_table(as, ip, &di, pi, need, arg);
	if (ret == -UNW_ENOINFO)
		r->no_info = 1;
	return ret;
}

/* libunwind frees the CFI it parsed for remote tables itself. */
static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	(void)as, (void)pi, (void)arg;
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	(void)as, (void)addr, (void)arg;
	return -UNW_ENOINFO;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	struct unwind_run *r = arg;
	const struct unwind_snapshot *s = r->s;
	const struct unwind_module *mod;

	(void)as;
	if (write)
		return -UNW_EINVAL;
	if (addr >= s->sp && addr - s->sp <= s->stack_len && s->stack_len - (addr - s->sp) >= 8) {
		memcpy(val, s->stack + (addr - s->sp), sizeof(*val));
		return 0;
	}
	mod = unwind_procs__module(r->u->procs, r->p, addr, NULL);
	if (mod && !unwind_elf__read(mod->elf, addr - mod->bias, val, sizeof(*val)))
		return 0;
	if (addr >= s->sp && addr - s->sp < STACK_REACH)
		r->short_read = 1;
	return -UNW_EINVAL;
}

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
		      void *arg)
{
	const struct unwind_snapshot *s = ((struct unwind_run *)arg)->s;

	(void)as;
	if (write)
		return -UNW_EREADONLYREG;
	switch (reg) {
	case UNW_X86_64_RIP: *val = s->ip; return 0;
	case UNW_X86_64_RSP: *val = s->sp; return 0;
	case UNW_X86_64_RBP: *val = s->bp; return 0;
	default: return -UNW_EBADREG;	/* not captured */
	}
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write,
			void *arg)
{
	(void)as, (void)reg, (void)val, (void)write, (void)arg;
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	(void)as, (void)c, (void)arg;
	return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
			 unw_word_t *off, void *arg)
{
	(void)as, (void)addr, (void)buf, (void)len, (void)off, (void)arg;
	return -UNW_ENOINFO;
}

struct unwinder *unwinder__new(void)
{
	struct unwinder *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->procs = unwind_procs__new();
	if (!u->procs) {
		free(u);
		return NULL;
	}
	u->acc.find_proc_info = find_proc_info;
	u->acc.put_unwind_info = put_unwind_info;
	u->acc.get_dyn_info_list_addr = get_dyn_info_list_addr;
	u->acc.access_mem = access_mem;
	u->acc.access_reg = access_reg;
	u->acc.access_fpreg = access_fpreg;
	u->acc.resume = resume;
	u->acc.get_proc_name = get_proc_name;
	return u;
}

static void drop_as(void *as)
{
	unw_destroy_addr_space(as);
}

void unwinder__free(struct unwinder *u)
{
	if (!u)
		return;
	unwind_procs__free(u->procs, drop_as);
	free(u);
}

int unwinder__capture_pid(struct unwinder *u, int pid)
{
	struct unwind_proc *p;
	int err;

	err = unwind_procs__capture(u->procs, pid, &p);
	if (err)
		return err;
	/* libunwind caches by IP: stale after the mappings changed */
	if (p->addr_space)
		unw_flush_cache(p->addr_space, 0, 0);
	return 0;
}

int unwinder__has_pid(const struct unwinder *u, int pid)
{
	return unwind_procs__get(u->procs, pid) != NULL;
}

void unwinder__forget_pid(struct unwinder *u, int pid)
{
	void *as = unwind_procs__forget(u->procs, pid);

	if (as)
		drop_as(as);
}

const struct unwind_stats *unwinder__stats(const struct unwinder *u)
{
	return &u->stats;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The process, its maps re-read once when the IP is in none of them (a new dlopen). */
static struct unwind_proc *proc_for(struct unwinder *u, const struct unwind_snapshot *s)
{
	struct unwind_proc *p = unwind_procs__get(u->procs, s->pid);

	if (!p || (!unwind_maps__find(&p->maps, s->ip) && mono_ns() - p->captured_ns > RECAPTURE_NS))
		unwinder__capture_pid(u, s->pid);
	p = unwind_procs__get(u->procs, s->pid);
	if (p && !p->addr_space) {
		p->addr_space = unw_create_addr_space(&u->acc, 0);
		if (p->addr_space)
			unw_set_caching_policy(p->addr_space, UNW_CACHE_GLOBAL);
	}
	return p && p->addr_space ? p : NULL;
}

static enum unwind_status step_failed(const struct unwind_run *r)
{
	if (r->short_read)
		return UNWIND_SHORT_SNAPSHOT;
	if (r->no_mapping)
		return UNWIND_NO_MAPPING;
	if (r->no_info)
		return UNWIND_NO_INFO;
	return UNWIND_BAD_FRAME;
}

/* Linux x86-64 signal return trampolines: mov $__NR_rt_sigreturn, %rax; syscall. */
static bool is_sigreturn(struct unwind_run *r, uint64_t ip)
{
	static const uint8_t code[9] = { 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
	const struct unwind_module *mod = unwind_procs__module(r->u->procs, r->p, ip, NULL);
	uint8_t buf[sizeof(code)];

	return mod && !unwind_elf__read(mod->elf, ip - mod->bias, buf, sizeof(buf)) &&
	       !memcmp(buf, code, sizeof(code));
}

/*
 * Callers' addresses are return addresses and consumers look up addr - 1.
 * A signal trampoline's address is not one (nothing called it), nor is the
 * interrupted instruction above it: store those one byte further.
 */
static uint64_t frame_addr(struct unwind_run *r, unw_word_t ip, bool *after_signal)
{
	bool signal = is_sigreturn(r, ip);
	uint64_t addr = ip + (signal || *after_signal);

	*after_signal = signal;
	return addr;
}

static enum unwind_status walk(struct unwind_run *r, uint64_t *ips, int max, int *n)
{
	bool after_signal = false;
	unw_cursor_t c;
	int ret;
	unw_word_t ip;

	if (unw_init_remote(&c, r->p->addr_space, r))
		return UNWIND_BAD_FRAME;
	ips[(*n)++] = r->s->ip;
	for (;;) {
		r->no_info = r->no_mapping = r->short_read = 0;
		ret = unw_step(&c);
		/* without an FDE libunwind guesses from RBP: never trust that */
		if (r->no_info || ret < 0)
			return step_failed(r);
		if (ret == 0)
			return UNWIND_OK;
		if (unw_get_reg(&c, UNW_REG_IP, &ip) || !ip)
			return UNWIND_OK;
		if (*n == max)
			return UNWIND_TOO_DEEP;
		ips[(*n)++] = frame_addr(r, ip, &after_signal);
	}
}

enum unwind_status unwinder__unwind(struct unwinder *u, const struct unwind_snapshot *s,
				    uint64_t *ips, int max, int *n)
{
	struct unwind_run r = { .u = u, .s = s };
	enum unwind_status st;

	*n = 0;
	u->stats.unwound++;
	if (!s->stack_len || !s->sp || !s->ip || max < 1)
		st = UNWIND_NO_STACK;
	else if (!(r.p = proc_for(u, s)))
		st = UNWIND_NO_MAPS;
	else
		st = walk(&r, ips, max, n);
	if (st == UNWIND_NO_MAPPING && mono_ns() - r.p->captured_ns > RECAPTURE_NS &&
	    !unwinder__capture_pid(u, s->pid)) {
		*n = 0;
		st = walk(&r, ips, max, n);
	}
	u->stats.by_status[st]++;
	u->stats.files = unwind_procs__files(u->procs);
	return st;
}

int unwinder__lacks_frame_pointers(struct unwinder *u, int pid)
{
	const struct unwind_module *mod = NULL;
	struct unwind_proc *p = unwind_procs__get(u->procs, pid);
	int sampled, with_fp;
	size_t i;

	if (!p && unwind_procs__capture(u->procs, pid, &p))
		return -ESRCH;
	/* the main binary is the first file mapping */
	for (i = 0; i < p->maps.n && !mod; i++)
		if (p->maps.maps[i].path[0] == '/')
			mod = unwind_procs__module(u->procs, p, p->maps.maps[i].start, NULL);
	if (!mod || unwind_elf__fp_prologues(mod->elf, &sampled, &with_fp) || !sampled)
		return -ENODATA;
	/* startup code, PLT stubs and tiny leaves lack the prologue in any build */
	return with_fp * 4 < sampled;
}
