/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PYFRAMES_BPF_H
#define FAULTLINE_PYFRAMES_BPF_H

/*
 * CPython 3.11 frames at sample time: thread state from the pthread TSD slot,
 * then tstate->cframe->current_frame and its `previous` chain, one frame per
 * bpf_loop iteration. The frames go to py_stacks under their hash, and the
 * native user stack gets one more word naming them (PYFRAMES_TAG), so counts
 * stay keyed by the combined stack. A separate global function: verified once,
 * and run only for processes userspace found to be Python.
 * Included by profile.bpf.c after its maps and helpers.
 */
#include "pyframes.h"

/* Userspace fills it for each Python process it detects. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct pyframes_proc);
	__uint(max_entries, PYFRAMES_DEFAULT_PROCS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} py_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct pyframes_stack);
	__uint(max_entries, PYFRAMES_DEFAULT_STACKS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} py_stacks SEC(".maps");

struct pyframes_state {
	struct pyframes_stack stack;
	struct pyframes_proc proc;
	__u64 frame;		/* the next _PyInterpreterFrame to read */
	struct profile_stack_buf native;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct pyframes_state);
	__uint(max_entries, 1);
} py_scratch SEC(".maps");

static __always_inline long py_read(void *dst, __u32 size, __u64 base, __u16 off)
{
	return bpf_probe_read_user(dst, size, (void *)(base + off));
}

/* The thread state of the current thread, 0 when it has none (or it can't be read). */
static __always_inline __u64 py_tstate(struct pyframes_proc *c)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 fsbase = task->thread.fsbase, tstate = 0;
	__u32 key = 0;

	if (bpf_probe_read_user(&key, sizeof(key), (void *)c->tss_key_addr) ||
	    key > c->tsd_max_key)
		return 0;
	if (bpf_probe_read_user(&tstate, sizeof(tstate),
				(void *)(fsbase + c->tsd_base + (__u64)key * c->tsd_stride +
					 c->tsd_data)))
		return 0;
	return tstate;
}

static long py_step(__u64 i, void *ctx)
{
	struct pyframes_state *st;
	struct pyframes_proc *c;
	struct pyframe *f;
	__u64 prev = 0, instr = 0;
	__u32 zero = 0, nr, ints[3] = {};

	st = bpf_map_lookup_elem(&py_scratch, &zero);
	if (!st || !st->frame)
		return 1;
	c = &st->proc;
	nr = st->stack.nr;
	if (nr >= PYFRAMES_MAX_DEPTH) {
		st->stack.truncated = 1;
		return 1;
	}
	f = &st->stack.frames[nr];
	f->code = 0;
	f->is_entry = 0;
	if (py_read(&f->code, 8, st->frame, c->frame_code) ||
	    py_read(&prev, 8, st->frame, c->frame_previous) ||
	    py_read(&instr, 8, st->frame, c->frame_prev_instr) ||
	    py_read(&f->is_entry, 1, st->frame, c->frame_is_entry) || !f->code ||
	    py_read(&ints[0], 4, f->code, c->code_argcount) ||
	    py_read(&ints[1], 4, f->code, c->code_flags) ||
	    py_read(&ints[2], 4, f->code, c->code_firstlineno)) {
		st->stack.truncated = 2;
		return 1;
	}
	f->cksum = PYFRAMES_CKSUM(ints[0], ints[1], ints[2]);
	f->instr_off = instr > f->code && instr - f->code < PYFRAMES_NO_INSTR ?
		       instr - f->code : PYFRAMES_NO_INSTR;
	st->stack.nr = nr + 1;
	st->frame = prev;
	return 0;
}

/* FNV-1a over the walked frames, stored once; the id, or -1 when the map is full. */
static __always_inline __s64 py_store(struct pyframes_stack *s)
{
	__u64 h = 0xcbf29ce484222325ULL ^ s->tgid;
	__u32 id;
	long err;

	for (int i = 0; i < PYFRAMES_MAX_DEPTH; i++) {
		if (i >= s->nr)
			break;
		h ^= s->frames[i].code ^ ((__u64)s->frames[i].instr_off << 32);
		h *= 0x100000001b3ULL;
		h ^= s->frames[i].cksum ^ ((__u64)s->frames[i].is_entry << 40);
		h *= 0x100000001b3ULL;
	}
	id = h ^ (h >> 32);
	err = bpf_map_update_elem(&py_stacks, &id, s, BPF_NOEXIST);
	if (err && err != -EEXIST)
		return -1;
	return id;
}

/* The native user stack @native_id names, copied into @b (leaf first). */
static __always_inline void py_native(void *ctx, __s32 native_id, struct profile_stack_buf *b)
{
	struct profile_stack_buf *o;
	long len;

	b->nr = 0;
	if (native_id & PROFILE_OVERFLOW_ID) {
		o = bpf_map_lookup_elem(&overflow, &native_id);
		if (o && !bpf_probe_read_kernel(b, sizeof(*b), o) && b->nr > PROFILE_MAX_DEPTH)
			b->nr = PROFILE_MAX_DEPTH;
		return;
	}
	/* A stack-map id: the map can't be read from BPF, walk it again. */
	len = bpf_get_stack(ctx, b->ips, sizeof(b->ips), BPF_F_USER_STACK);
	if (len > 0)
		b->nr = len / sizeof(b->ips[0]);
}

/* The native stack with one more word naming Python stack @py_id, stored; its id. */
static __always_inline __s32 py_combine(void *ctx, struct pyframes_state *st, __s32 native_id,
					__s64 py_id)
{
	__u32 nr;
	__s32 id;

	py_native(ctx, native_id, &st->native);
	nr = st->native.nr;
	if (nr >= PROFILE_MAX_DEPTH)
		nr = PROFILE_MAX_DEPTH - 1;	/* the root-most native frame gives way */
	st->native.ips[nr] = PYFRAMES_TAG | (__u32)py_id;
	st->native.nr = nr + 1;
	id = store_overflow(&st->native);
	if (id < 0) {
		count(PC_PY_STORE);
		return native_id;
	}
	count(PC_PY_STACKS);
	return id;
}

/*
 * The user stack id of this sample with the current thread's Python frames
 * appended; @native_id unchanged when it has none or they can't be stored.
 */
__noinline int pyframes_user_stack(struct bpf_perf_event_data *ctx, __u32 tgid, int native_id)
{
	struct pyframes_state *st;
	struct pyframes_proc *c;
	__u32 zero = 0;
	__u64 cframe = 0;
	__s64 py_id;

	st = bpf_map_lookup_elem(&py_scratch, &zero);
	c = bpf_map_lookup_elem(&py_procs, &tgid);
	if (!st || !c || native_id < 0)
		return native_id;
	st->proc = *c;
	st->stack.nr = 0;
	st->stack.truncated = 0;
	st->stack.tgid = tgid;
	st->stack.pad = 0;
	st->frame = 0;
	cframe = py_tstate(c);
	if (!cframe || py_read(&cframe, 8, cframe, c->tstate_cframe) || !cframe ||
	    py_read(&st->frame, 8, cframe, c->cframe_current) || !st->frame) {
		count(PC_PY_NONE);
		return native_id;
	}
	bpf_loop(PYFRAMES_MAX_DEPTH + 1, py_step, NULL, 0);
	if (!st->stack.nr) {
		count(PC_PY_NONE);
		return native_id;
	}
	if (st->stack.truncated)
		count(st->stack.truncated == 1 ? PC_PY_TRUNCATED : PC_PY_READ);
	py_id = py_store(&st->stack);
	if (py_id < 0) {
		count(PC_PY_STORE);
		return native_id;
	}
	return py_combine(ctx, st, native_id, py_id);
}

#endif
