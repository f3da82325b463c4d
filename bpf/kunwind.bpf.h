/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_KUNWIND_BPF_H
#define FAULTLINE_KUNWIND_BPF_H

/*
 * The in-kernel user stack walker: follows the rows userspace compiled from
 * each file's .eh_frame (kunwind.h), one frame per bpf_loop iteration, and
 * frame pointers through code without a table (JIT, anonymous, no .eh_frame).
 * Included by profile.bpf.c and watch_common.bpf.h, after vmlinux.h and the
 * libbpf headers.
 *
 * The rows, files, processes and end counters are created once per run by
 * userspace (unwind_kernel.c) and shared by every object that walks
 * (bpf_map__reuse_fd() before load); the sizes below only matter to objects
 * that do not walk, which shrink them to one entry.
 *
 * The walk and its two binary searches are global functions (not static,
 * not inlined, scalar arguments): the verifier checks each once per
 * program, apart from its callers, so the cost of verifying a program that
 * walks no longer depends on the paths that lead to the walk.
 */
#include "kunwind.h"

#define KUNWIND_MAP_STEPS	8	/* 2^8 > KUNWIND_MAX_MAPS */
#define KUNWIND_ROW_STEPS	24	/* up to 16M rows */

/* Frames the object keeps: define before including (watch events hold fewer). */
#ifndef KUNWIND_KEEP_FRAMES
#define KUNWIND_KEEP_FRAMES KUNWIND_MAX_FRAMES
#endif
_Static_assert(KUNWIND_KEEP_FRAMES > 1 && KUNWIND_KEEP_FRAMES <= KUNWIND_MAX_FRAMES,
	       "a walk keeps between 2 and KUNWIND_MAX_FRAMES frames");

const volatile bool kunwind = false;

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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, KUNWIND_END__COUNT);
} kunwind_ends SEC(".maps");

struct kunwind_state {
	struct kunwind_frames buf;
	__u64 ip, sp, bp;
	__u32 tgid;
	__u32 end;		/* enum kunwind_end */
	__u32 start_end;	/* why the tables were not used: NO_PROC, NO_MAPPING, or OK */
	__u32 lo, hi;		/* a binary search's bounds (see kunwind_halve()) */
	bool bp_known;
};

/* The walk's registers and frames; per object, so objects never share a slot. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct kunwind_state);
	__uint(max_entries, 1);
} kunwind_scratch SEC(".maps");

static __always_inline void kunwind_count(__u32 end)
{
	__u64 *v = bpf_map_lookup_elem(&kunwind_ends, &end);

	if (v)
		*v += 1;
}

static __always_inline struct kunwind_state *kunwind_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&kunwind_scratch, &zero);
}

/*
 * The binary searches keep their bounds in the scratch slot, not in
 * registers: read back from memory they are unknown to the verifier, so
 * the two outcomes of each step prune into one state instead of doubling
 * the paths at every step (unrolled with bounds in registers, the mapping
 * search alone cost it about 100,000 instructions per program).
 */
static __always_inline void kunwind_halve(struct kunwind_state *st, bool go_up, __u32 mid)
{
	if (go_up)
		st->lo = mid + 1;
	else
		st->hi = mid;
}

/*
 * The index of @tgid's executable mapping holding @pc; -1 when none does,
 * -2 when the process has no mappings loaded.
 */
__noinline int kunwind_find_mapping(__u32 tgid, __u64 pc)
{
	struct kunwind_proc *p = bpf_map_lookup_elem(&kunwind_procs, &tgid);
	struct kunwind_state *st = kunwind_state();
	__u32 idx;

	if (!p || !st)
		return -2;
	st->lo = 0;
	st->hi = p->n < KUNWIND_MAX_MAPS ? p->n : KUNWIND_MAX_MAPS;
	for (int k = 0; k < KUNWIND_MAP_STEPS; k++) {
		__u32 lo = st->lo, hi = st->hi, mid;

		if (lo >= hi)
			break;
		mid = (lo + hi) / 2;
		if (mid >= KUNWIND_MAX_MAPS)
			return -1;
		kunwind_halve(st, p->maps[mid].start <= pc, mid);
	}
	idx = st->lo - 1;
	if (!st->lo || idx >= KUNWIND_MAX_MAPS || pc >= p->maps[idx].end)
		return -1;
	return idx;
}

/* The index in the rows map of @file_id's last row at or before @pc (file-relative); -1. */
__noinline int kunwind_find_row(__u32 file_id, __u64 pc)
{
	struct kunwind_file *f = bpf_map_lookup_elem(&kunwind_files, &file_id);
	struct kunwind_state *st = kunwind_state();
	__u32 first;

	if (!f || !st || !f->count || pc > 0xffffffffULL)
		return -1;
	first = f->first;
	st->lo = first;
	st->hi = first + f->count;
	for (int k = 0; k < KUNWIND_ROW_STEPS; k++) {
		__u32 lo = st->lo, hi = st->hi, mid;
		struct kunwind_row *r;

		if (lo >= hi)
			break;
		mid = lo + (hi - lo) / 2;
		r = bpf_map_lookup_elem(&kunwind_rows, &mid);
		if (!r)
			return -1;
		kunwind_halve(st, r->pc <= pc, mid);
	}
	if (st->lo == first || st->lo > 0x7fffffff)
		return -1;
	return st->lo - 1;
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
	case KUNWIND_CFA_SIGFRAME:
		return st->sp;	/* kunwind_frame() takes the registers from the frame */
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
		if (!st->bp_known)
			return true;
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
static __always_inline __u64 kunwind_frame_cfa(struct kunwind_state *st, __u32 nr,
					       struct kunwind_row **row)
{
	struct kunwind_mapping *m;
	struct kunwind_proc *p;
	__u64 pc;
	int idx;

	*row = NULL;
	/* A return address may be just past a call that ends its function. */
	pc = nr > 1 ? st->ip - 1 : st->ip;
	idx = kunwind_find_mapping(st->tgid, pc);
	p = bpf_map_lookup_elem(&kunwind_procs, &st->tgid);
	if (idx < 0 || idx >= KUNWIND_MAX_MAPS || !p) {
		st->end = idx == -2 || !p ? KUNWIND_END_NO_PROC : KUNWIND_END_NO_MAPPING;
		return 0;
	}
	m = &p->maps[idx];
	if (!m->file_id)
		return kunwind_fp_cfa(st);
	idx = kunwind_find_row(m->file_id, pc - m->bias);
	*row = idx < 0 ? NULL : bpf_map_lookup_elem(&kunwind_rows, &idx);
	if (!*row) {
		st->end = KUNWIND_END_NO_ROW;
		return 0;
	}
	return kunwind_cfa(st, *row);
}

/*
 * Across a signal frame: the interrupted registers saved by the kernel. The
 * interrupted ip is kept plus one, so that the "return address - 1" lookup of
 * the next frame (and of the symbolizer) lands on that instruction itself.
 */
static __always_inline int kunwind_sigframe(struct kunwind_state *st, __u32 nr)
{
	__u64 rsp_rip[2], rbp;

	if (bpf_probe_read_user(rsp_rip, sizeof(rsp_rip), (void *)(st->sp + KUNWIND_SIGFRAME_RSP)) ||
	    bpf_probe_read_user(&rbp, sizeof(rbp), (void *)(st->sp + KUNWIND_SIGFRAME_RBP))) {
		st->end = KUNWIND_END_READ;
		return 1;
	}
	if (!rsp_rip[1]) {
		st->end = KUNWIND_END_OK;
		return 1;
	}
	if (kunwind_find_mapping(st->tgid, rsp_rip[1]) < 0) {
		st->end = KUNWIND_END_NO_MAPPING;
		return 1;
	}
	if (nr >= KUNWIND_KEEP_FRAMES) {
		st->end = KUNWIND_END_DEPTH;
		return 1;
	}
	/* The trampoline's own frame, reached as a return address, names it the same way. */
	if (nr > 1 && nr <= KUNWIND_KEEP_FRAMES)
		st->buf.ips[nr - 1] += 1;
	st->buf.ips[nr] = rsp_rip[1] + 1;
	st->buf.nr = nr + 1;
	st->ip = rsp_rip[1] + 1;
	st->sp = rsp_rip[0];
	st->bp = rbp;
	st->bp_known = true;
	return 0;
}

/*
 * One frame: from the scratch slot's registers to its caller's; 1 ends the
 * walk. Global, so the verifier checks the frame's rules once, not again
 * for each state bpf_loop's callback is checked with.
 */
__noinline int kunwind_frame(void)
{
	struct kunwind_state *st = kunwind_state();
	struct kunwind_row *r;
	__u64 cfa, ra;
	__u32 nr;

	if (!st)
		return 1;
	nr = st->buf.nr;
	if (nr == 0 || nr > KUNWIND_MAX_FRAMES) {
		st->end = KUNWIND_END_NO_PROC;
		return 1;
	}
	cfa = kunwind_frame_cfa(st, nr, &r);
	if (!cfa)
		return 1;
	if (r && KUNWIND_ROW_CFA(r) == KUNWIND_CFA_SIGFRAME)
		return kunwind_sigframe(st, nr);
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
	if (kunwind_find_mapping(st->tgid, ra - 1) < 0) {
		st->end = KUNWIND_END_NO_MAPPING;
		return 1;
	}
	if (nr >= KUNWIND_KEEP_FRAMES) {
		st->end = KUNWIND_END_DEPTH;
		return 1;
	}
	st->buf.ips[nr] = ra;
	st->buf.nr = nr + 1;
	st->ip = ra;
	st->sp = cfa;
	return 0;
}

static long kunwind_step(__u64 i, void *ctx)
{
	return kunwind_frame() ? 1 : 0;	/* a callback returns 0 or 1 */
}

/* The first frame: the user registers saved at kernel entry (or the interrupted ones). */
static __always_inline bool kunwind_start(struct kunwind_state *st, __u32 tgid)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	int idx;

	st->buf.nr = 0;
	st->tgid = tgid;
	st->end = KUNWIND_END_DEPTH;
	st->start_end = KUNWIND_END_OK;
	if (!regs) {
		st->start_end = KUNWIND_END_READ;
		return false;
	}
	st->ip = BPF_CORE_READ(regs, ip);
	st->sp = BPF_CORE_READ(regs, sp);
	st->bp = BPF_CORE_READ(regs, bp);
	st->bp_known = true;
	idx = kunwind_find_mapping(tgid, st->ip);
	if (idx < 0) {
		/* no tables yet, or code mapped since they were loaded (dlopen) */
		st->start_end = idx == -2 ? KUNWIND_END_NO_PROC : KUNWIND_END_NO_MAPPING;
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

/* Frame @idx of the frame-pointer walk, kept (0) or cut (1); global, as kunwind_frame(). */
__noinline int kunwind_fp_frame(__u32 idx)
{
	struct kunwind_state *st = kunwind_state();
	bool exec = false;

	if (!st || idx >= st->buf.nr)
		return 1;
	/* the bound in the register that indexes, not a copy the compiler made */
	barrier_var(idx);
	if (idx >= KUNWIND_MAX_FRAMES)
		return 1;
	if (!bpf_find_vma(bpf_get_current_task_btf(), st->buf.ips[idx] - 1, kunwind_vma_exec,
			  &exec, 0) && exec)
		return 0;
	st->buf.ips[idx] = KUNWIND_TRUNCATED_IP;
	st->buf.nr = idx + 1;
	return 1;
}

static long kunwind_check_frame(__u64 i, void *ctx)
{
	return kunwind_fp_frame(i + 1) ? 1 : 0;	/* a callback returns 0 or 1 */
}

/*
 * A process whose tables are not loaded (yet): the frame-pointer walk, each
 * frame after the first checked to lie in an executable mapping (code built
 * without frame pointers leaves other data in rbp), cut at the first that
 * does not. False when that walk found nothing either.
 */
static __always_inline bool kunwind_fp_stack(struct kunwind_state *st)
{
	long len;

	len = bpf_get_task_stack(bpf_get_current_task_btf(), st->buf.ips,
				 KUNWIND_KEEP_FRAMES * sizeof(st->buf.ips[0]), BPF_F_USER_STACK);
	if (len <= 0)
		return false;
	st->buf.nr = len / sizeof(st->buf.ips[0]);
	bpf_loop(KUNWIND_KEEP_FRAMES - 1, kunwind_check_frame, NULL, 0);
	return true;
}

/* A walk that stopped early ends with a [truncated] root frame. */
static __always_inline void kunwind_mark_truncated(struct kunwind_state *st)
{
	__u32 nr = st->buf.nr;

	if (st->end == KUNWIND_END_OK)
		return;
	if (nr >= KUNWIND_KEEP_FRAMES)
		nr = KUNWIND_KEEP_FRAMES - 1;
	barrier_var(nr);
	if (nr >= KUNWIND_MAX_FRAMES)
		return;
	st->buf.ips[nr] = KUNWIND_TRUNCATED_IP;
	st->buf.nr = nr + 1;
}

/*
 * The user stack of the current task (of process @tgid) into the scratch
 * slot's frames (kunwind_state()->buf): enum kunwind_how, or -1 when
 * nothing could be walked. The reason the walk ended is counted; when the
 * tables were not used, st->start_end says why (the caller may ask
 * userspace to load the process).
 */
__noinline int kunwind_walk(__u32 tgid)
{
	struct kunwind_state *st = kunwind_state();

	if (!st)
		return -1;
	if (!kunwind_start(st, tgid)) {
		kunwind_count(st->start_end);
		return kunwind_fp_stack(st) ? KUNWIND_HOW_FP_CHECKED : -1;
	}
	bpf_loop(KUNWIND_MAX_FRAMES, kunwind_step, NULL, 0);
	kunwind_count(st->end);
	kunwind_mark_truncated(st);
	return KUNWIND_HOW_TABLES;
}

#endif
