/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_KUNWIND_BPF_H
#define FAULTLINE_KUNWIND_BPF_H

/*
 * The in-kernel user stack walker: follows the rows userspace compiled from
 * each file's .eh_frame (kunwind.h), one frame per bpf_loop iteration, and
 * frame pointers through code without a table (JIT, anonymous, no .eh_frame).
 * Included by profile.bpf.c after its maps and helpers.
 */
#include "kunwind.h"

#define KUNWIND_MAP_STEPS	8	/* 2^8 > KUNWIND_MAX_MAPS */
#define KUNWIND_ROW_STEPS	24	/* up to 16M rows */

const volatile bool kunwind = false;

/* max_entries are resized by userspace before load (to 1 when kunwind is off). */
/* Written by userspace through mmap(): no syscall per row. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct kunwind_row);
	__uint(max_entries, KUNWIND_DEFAULT_ROWS);
	__uint(map_flags, BPF_F_MMAPABLE);
} kunwind_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct kunwind_file);
	__uint(max_entries, KUNWIND_DEFAULT_FILES);
} kunwind_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct kunwind_proc);
	__uint(max_entries, KUNWIND_DEFAULT_PROCS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} kunwind_procs SEC(".maps");

struct kunwind_state {
	struct profile_stack_buf buf;
	__u64 ip, sp, bp;
	__u32 tgid;
	__u32 end;		/* enum kunwind_end */
	bool bp_known;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct kunwind_state);
	__uint(max_entries, 1);
} kunwind_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, KUNWIND_END__COUNT);
} kunwind_ends SEC(".maps");

static __always_inline void kunwind_count(__u32 end)
{
	__u64 *v = bpf_map_lookup_elem(&kunwind_ends, &end);

	if (v)
		*v += 1;
}

/* The executable mapping holding @pc, NULL when none does. */
static __always_inline struct kunwind_mapping *kunwind_mapping(struct kunwind_proc *p, __u64 pc)
{
	__u32 lo = 0, hi = p->n, idx;

	if (hi > KUNWIND_MAX_MAPS)
		hi = KUNWIND_MAX_MAPS;
	for (int k = 0; k < KUNWIND_MAP_STEPS && lo < hi; k++) {
		__u32 mid = (lo + hi) / 2;

		if (mid >= KUNWIND_MAX_MAPS)
			return NULL;
		if (p->maps[mid].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || lo > KUNWIND_MAX_MAPS)
		return NULL;
	idx = lo - 1;
	if (idx >= KUNWIND_MAX_MAPS || pc >= p->maps[idx].end)
		return NULL;
	return &p->maps[idx];
}

/* The last row of @file_id at or before @pc (a file-relative address). */
static __always_inline struct kunwind_row *kunwind_row(__u32 file_id, __u64 pc)
{
	struct kunwind_file *f = bpf_map_lookup_elem(&kunwind_files, &file_id);
	__u32 lo, hi, idx;

	if (!f || !f->count || pc > 0xffffffffULL)
		return NULL;
	lo = f->first;
	hi = f->first + f->count;
	for (int k = 0; k < KUNWIND_ROW_STEPS && lo < hi; k++) {
		__u32 mid = lo + (hi - lo) / 2;
		struct kunwind_row *r = bpf_map_lookup_elem(&kunwind_rows, &mid);

		if (!r)
			return NULL;
		if (r->pc <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == f->first)
		return NULL;
	idx = lo - 1;
	return bpf_map_lookup_elem(&kunwind_rows, &idx);
}

/* The CFA of the frame at @st from @r; 0 with st->end set when it cannot be had. */
static __always_inline __u64 kunwind_cfa(struct kunwind_state *st, struct kunwind_row *r)
{
	__u8 rule = KUNWIND_ROW_CFA(r);
	__u64 cfa = 0;

	switch (rule) {
	case KUNWIND_CFA_RSP:
		return st->sp + (__s64)r->cfa_off;
	case KUNWIND_CFA_RSP_X8:
		return st->sp + (__s64)r->cfa_off * 8;
	case KUNWIND_CFA_PLT:
		return st->sp + 8 + ((st->ip & 15) >= (__u64)r->cfa_off ? 8 : 0);
	case KUNWIND_CFA_RBP:
	case KUNWIND_CFA_DEREF_RBP:
		if (!st->bp_known)
			break;
		if (rule == KUNWIND_CFA_RBP)
			return st->bp + (__s64)r->cfa_off;
		if (bpf_probe_read_user(&cfa, sizeof(cfa), (void *)(st->bp + (__s64)r->cfa_off))) {
			st->end = KUNWIND_END_READ;
			return 0;
		}
		return cfa;
	case KUNWIND_CFA_OUTERMOST:
		st->end = KUNWIND_END_OK;
		return 0;
	case KUNWIND_CFA_GAP:
		st->end = KUNWIND_END_NO_ROW;
		return 0;
	}
	st->end = KUNWIND_END_UNSUPPORTED;
	return 0;
}

/* The caller's rbp by @r's rule; false with st->end set on a failed read. */
static __always_inline bool kunwind_rbp(struct kunwind_state *st, struct kunwind_row *r, __u64 cfa)
{
	__u64 addr;

	switch (KUNWIND_ROW_RBP(r)) {
	case KUNWIND_RBP_SAME:
		return true;
	case KUNWIND_RBP_CFA:
		addr = cfa + (__s64)r->rbp_off8 * 8;
		break;
	case KUNWIND_RBP_AT_RBP:
		if (!st->bp_known) {
			st->bp_known = false;
			return true;
		}
		addr = st->bp + (__s64)r->rbp_off8 * 8;
		break;
	default:
		st->bp_known = false;
		return true;
	}
	if (bpf_probe_read_user(&st->bp, sizeof(st->bp), (void *)addr)) {
		st->end = KUNWIND_END_READ;
		return false;
	}
	st->bp_known = true;
	return true;
}

/* Code without a table: the frame-pointer chain, as bpf_get_stackid() would. */
static __always_inline __u64 kunwind_fp_cfa(struct kunwind_state *st)
{
	__u64 saved_bp;

	if (!st->bp_known || !st->bp) {
		st->end = KUNWIND_END_UNSUPPORTED;
		return 0;
	}
	if (bpf_probe_read_user(&saved_bp, sizeof(saved_bp), (void *)st->bp)) {
		st->end = KUNWIND_END_READ;
		return 0;
	}
	st->sp = st->bp;	/* so the CFA check below holds */
	st->bp = saved_bp;
	return st->sp + 16;
}

/* The CFA of the current frame, with its row (NULL: frame pointers); 0 with st->end set. */
static __always_inline __u64 kunwind_frame_cfa(struct kunwind_state *st, struct kunwind_proc *p,
					       __u32 nr, struct kunwind_row **row)
{
	struct kunwind_mapping *m;
	__u64 pc;

	*row = NULL;
	/* A return address may be just past a call that ends its function. */
	pc = nr > 1 ? st->ip - 1 : st->ip;
	m = kunwind_mapping(p, pc);
	if (!m) {
		st->end = KUNWIND_END_NO_MAPPING;
		return 0;
	}
	if (!m->file_id)
		return kunwind_fp_cfa(st);
	*row = kunwind_row(m->file_id, pc - m->bias);
	if (!*row) {
		st->end = KUNWIND_END_NO_ROW;
		return 0;
	}
	return kunwind_cfa(st, *row);
}

/* One frame: from st's registers to its caller's; 1 ends the loop. */
static long kunwind_step(__u64 i, void *ctx)
{
	struct kunwind_state *st;
	struct kunwind_proc *p;
	struct kunwind_row *r;
	__u32 zero = 0, nr;
	__u64 cfa, ra;

	st = bpf_map_lookup_elem(&kunwind_scratch, &zero);
	if (!st)
		return 1;
	p = bpf_map_lookup_elem(&kunwind_procs, &st->tgid);
	nr = st->buf.nr;
	if (!p || nr == 0 || nr > PROFILE_MAX_DEPTH) {
		st->end = KUNWIND_END_NO_PROC;
		return 1;
	}
	cfa = kunwind_frame_cfa(st, p, nr, &r);
	if (!cfa)
		return 1;
	/* The stack grows down: a CFA at or below sp would walk in circles. */
	if (cfa <= st->sp || bpf_probe_read_user(&ra, sizeof(ra), (void *)(cfa - 8))) {
		st->end = KUNWIND_END_READ;
		return 1;
	}
	if (r && !kunwind_rbp(st, r, cfa))
		return 1;
	if (!ra) {
		st->end = KUNWIND_END_OK;
		return 1;
	}
	if (!kunwind_mapping(p, ra - 1)) {
		st->end = KUNWIND_END_NO_MAPPING;
		return 1;
	}
	if (nr >= PROFILE_MAX_DEPTH) {
		st->end = KUNWIND_END_DEPTH;
		return 1;
	}
	st->buf.ips[nr] = ra;
	st->buf.nr = nr + 1;
	st->ip = ra;
	st->sp = cfa;
	return 0;
}

/*
 * The sample's own address is in none of the mappings loaded: code mapped
 * since (dlopen). Announce the process again now rather than at its next
 * doubling interval, at most every PROFILE_RENOTIFY_MIN_NS.
 */
static __always_inline void kunwind_stale(__u32 tgid)
{
	struct profile_seen *s = bpf_map_lookup_elem(&seen, &tgid);
	__u64 now = bpf_ktime_get_ns();

	if (!s || now - s->last_ns < PROFILE_RENOTIFY_MIN_NS)
		return;
	s->last_ns = now;
	notify(PROFILE_EV_NEW, tgid);
}

/* The first frame: the user registers saved at kernel entry (or the interrupted ones). */
static __always_inline bool kunwind_start(struct kunwind_state *st, struct task_struct *task,
					  __u32 tgid)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	struct kunwind_proc *p;

	st->buf.nr = 0;
	if (!regs) {
		st->end = KUNWIND_END_READ;
		return false;
	}
	st->ip = BPF_CORE_READ(regs, ip);
	st->sp = BPF_CORE_READ(regs, sp);
	st->bp = BPF_CORE_READ(regs, bp);
	st->bp_known = true;
	st->tgid = tgid;
	st->end = KUNWIND_END_DEPTH;
	st->buf.nr = 0;
	p = bpf_map_lookup_elem(&kunwind_procs, &tgid);
	if (!p) {
		st->end = KUNWIND_END_NO_PROC;
		return false;
	}
	if (!kunwind_mapping(p, st->ip)) {
		st->end = KUNWIND_END_NO_MAPPING;
		kunwind_stale(tgid);
		return false;
	}
	st->buf.ips[0] = st->ip;
	st->buf.nr = 1;
	return true;
}

static long kunwind_vma_exec(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	*(bool *)data = vma->vm_flags & 0x4;	/* VM_EXEC */
	return 0;
}

/* Whether @addr lies in an executable mapping of @task (the current one). */
static __always_inline bool kunwind_executable(struct task_struct *task, __u64 addr)
{
	bool exec = false;

	if (bpf_find_vma(task, addr, kunwind_vma_exec, &exec, 0))
		return false;
	return exec;
}

/*
 * A process whose tables are not loaded yet: the frame-pointer walk, cut at
 * the first address outside an executable mapping (code built without frame
 * pointers leaves other data in rbp). -ENOENT when that walk failed too.
 */
/* bpf_loop callback: frame @i + 1 of the frame-pointer walk, kept or cut. */
static long kunwind_check_frame(__u64 i, void *ctx)
{
	struct kunwind_state *st;
	__u32 zero = 0, idx = i + 1;

	st = bpf_map_lookup_elem(&kunwind_scratch, &zero);
	if (!st || idx >= st->buf.nr)
		return 1;
	/* the bound in the register that indexes, not a copy the compiler made */
	barrier_var(idx);
	if (idx >= PROFILE_MAX_DEPTH)
		return 1;
	if (kunwind_executable(bpf_get_current_task_btf(), st->buf.ips[idx] - 1))
		return 0;
	st->buf.ips[idx] = KUNWIND_TRUNCATED_IP;
	st->buf.nr = idx + 1;
	return 1;
}

static __always_inline int kunwind_fp_stack(void *ctx, struct kunwind_state *st)
{
	long len = bpf_get_stack(ctx, st->buf.ips, sizeof(st->buf.ips), BPF_F_USER_STACK);

	if (len <= 0)
		return -ENOENT;
	st->buf.nr = len / sizeof(st->buf.ips[0]);
	bpf_loop(PROFILE_MAX_DEPTH - 1, kunwind_check_frame, NULL, 0);
	return 0;
}

/*
 * The user stack of the current task walked with the tables (or with frame
 * pointers, checked, while they are not loaded), stored like a collided
 * frame-pointer stack; -ENOENT when nothing could be walked (the caller's
 * bpf_get_stackid() then counts why). Incomplete stacks end with
 * KUNWIND_TRUNCATED_IP at the root.
 */
static __always_inline __s32 kunwind_user_stack(void *ctx, struct task_struct *task, __u32 tgid)
{
	struct kunwind_state *st;
	__u32 zero = 0, nr;
	__s32 id;

	st = bpf_map_lookup_elem(&kunwind_scratch, &zero);
	if (!st)
		return -ENOENT;
	if (!kunwind_start(st, task, tgid)) {
		kunwind_count(st->end);
		/* no tables yet, or mapped after they were loaded: checked frame pointers */
		if (kunwind_fp_stack(ctx, st))
			return -ENOENT;
		goto store;
	}
	bpf_loop(PROFILE_MAX_DEPTH, kunwind_step, NULL, 0);
	kunwind_count(st->end);
	nr = st->buf.nr;
	if (st->end != KUNWIND_END_OK) {
		if (nr < PROFILE_MAX_DEPTH) {
			st->buf.ips[nr] = KUNWIND_TRUNCATED_IP;
			st->buf.nr = nr + 1;
		} else {
			st->buf.ips[PROFILE_MAX_DEPTH - 1] = KUNWIND_TRUNCATED_IP;
		}
	}
store:
	id = store_overflow(&st->buf);
	if (id < 0) {
		kunwind_count(KUNWIND_END_STORE);
		count(PC_USER_FULL);	/* a lost sample like a full stack map's */
	}
	return id;
}

#endif
