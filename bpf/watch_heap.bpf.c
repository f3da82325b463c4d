// SPDX-License-Identifier: GPL-2.0
/*
 * heap: the allocator's entry points (uprobes) and returns (uretprobes) in
 * the target processes. Live allocations stay in a map, address -> size,
 * stack and time; userspace sums them by stack now and then. Uprobes run in
 * the calling thread: the filter by process is the common target list.
 * BPF_KPROBE reads a uprobe's arguments alike (this libbpf has no BPF_UPROBE).
 */
#include "watch_common.bpf.h"
#include "watch_heap.h"

#define EEXIST 17

/* --heap-sample: allocations of size < S are kept with probability size/S; 0: all. */
const volatile __u64 sample_bytes = 0;

/* What the entry saw, for the return. */
enum call_kind {
	CALL_NONE,		/* no call in flight */
	CALL_ALLOC,		/* the return value is the new block */
	CALL_REALLOC,		/* also: @old is freed when the call succeeds */
	CALL_OUT_PTR,		/* posix_memalign: the block is written to *@out_ptr */
};

/* A call whose return was never seen (it began before the uretprobe was attached). */
#define STALE_NS 1000000000ULL

struct pending {
	__u64 size;
	__u64 old;
	__u64 out_ptr;
	__u64 ktime_ns;
	__u32 kind;
	__u32 depth;		/* hooked calls nested inside (reallocarray -> realloc) */
};

/* Per thread (one call in flight each), gone with the thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pending SEC(".maps");

/* Full: new blocks are not tracked, counted in WATCH_CNT_SOURCE0. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCH_HEAP_LIVE_DEFAULT);
	__type(key, struct watch_heap_key);
	__type(value, struct watch_heap_obj);
} live SEC(".maps");

/* One entry per target, created by userspace before attaching. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCH_MAX_PIDS);
	__type(key, __u32);
	__type(value, struct watch_heap_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, WATCH_HEAP_STACKS_DEFAULT);
	__type(key, __u32);
	__uint(value_size, WATCH_HEAP_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* Full: allocation stacks walked with the tables are not kept (WATCH_CNT_SOURCE1). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCH_HEAP_STACKS_DEFAULT);
	__type(key, __u32);
	__type(value, struct watch_heap_walked);
} walked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct watch_heap_walked);
} walk_scratch SEC(".maps");

/*
 * Targets whose main binary keeps frame pointers (the auto rule): their
 * allocations keep the cheaper frame-pointer walk. Filled by userspace.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCH_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} fp_sound SEC(".maps");

/*
 * The current user stack (the return's: the call site first), walked with the
 * tables when the in-kernel walker is on and the binary lacks frame pointers
 * (about 2 us per allocation), and kept under its hash; else, or when
 * nothing could be walked, the frame-pointer stack map's id.
 */
static __always_inline __s32 stack_here(void *ctx)
{
	__u64 h = 0xcbf29ce484222325ULL;
	struct watch_heap_walked *w;
	__u32 zero = 0, id;
	__u8 how = 0;
	int n;

	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	w = kunwind && !bpf_map_lookup_elem(&fp_sound, &tgid) ?
	    bpf_map_lookup_elem(&walk_scratch, &zero) : NULL;
	n = w ? watch_walk_user(w->ips, &how) : -1;
	if (n <= 0)
		return bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	w->nr = n;
	w->how = how;
	for (int i = 0; i < WATCH_MAX_FRAMES; i++) {
		if (i >= n)
			break;
		h = (h ^ w->ips[i]) * 0x100000001b3ULL;
	}
	id = ((h ^ (h >> 32)) & (WATCH_HEAP_WALKED - 1)) | WATCH_HEAP_WALKED;
	if (!bpf_map_lookup_elem(&walked, &id)) {
		long err = bpf_map_update_elem(&walked, &id, w, BPF_NOEXIST);

		if (err && err != -EEXIST)
			return -1;	/* full */
	}
	return id;
}

/* The bytes a tracked allocation stands for: see sample_bytes. */
static __always_inline __u64 weight(__u64 size)
{
	return sample_bytes && size < sample_bytes ? sample_bytes : size;
}

static __always_inline int enter(__u32 kind, __u64 size, __u64 old, __u64 out_ptr)
{
	__u64 now = bpf_ktime_get_ns();
	struct pending *p;

	if (!watch_tgid_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p) {
		watch_count(WATCH_CNT_MAP_FULL);
		return 0;
	}
	if (p->kind && now - p->ktime_ns < STALE_NS) {
		p->depth++;
		return 0;
	}
	*p = (struct pending){ .size = size, .old = old, .out_ptr = out_ptr, .kind = kind,
			       .ktime_ns = now };
	return 0;
}

/* A tracked block is gone (free, or the old block of a realloc). */
static __always_inline void forget(__u32 tgid, __u64 addr)
{
	struct watch_heap_key key = { .tgid = tgid, .addr = addr };
	struct watch_heap_stats *st;
	struct watch_heap_obj *o;

	if (!addr)
		return;
	o = bpf_map_lookup_elem(&live, &key);
	if (!o) {
		watch_count(WATCH_CNT_SOURCE2);
		return;
	}
	st = bpf_map_lookup_elem(&stats, &tgid);
	if (st) {
		__sync_fetch_and_add(&st->free_bytes, weight(o->size));
		__sync_fetch_and_add(&st->free_count, 1);
	}
	bpf_map_delete_elem(&live, &key);
}

/* At the return: the caller's frame is the top of the stack, the call site first. */
static __always_inline void remember(void *ctx, __u32 tgid, __u64 addr, __u64 size)
{
	struct watch_heap_key key = { .tgid = tgid, .addr = addr };
	struct watch_heap_obj o = { .size = size, .ktime_ns = bpf_ktime_get_ns() };
	struct watch_heap_stats *st = bpf_map_lookup_elem(&stats, &tgid);

	if (st) {
		__sync_fetch_and_add(&st->alloc_bytes, size);
		__sync_fetch_and_add(&st->alloc_count, 1);
	}
	if (sample_bytes && size < sample_bytes &&
	    (__u64)bpf_get_prandom_u32() % sample_bytes >= size)
		return;
	o.stack_id = stack_here(ctx);
	if (o.stack_id < 0)
		watch_count(WATCH_CNT_SOURCE1);
	if (bpf_map_update_elem(&live, &key, &o, BPF_ANY))
		watch_count(WATCH_CNT_SOURCE0);
}

static __always_inline int leave(void *ctx, __u64 ret)
{
	__u64 id = bpf_get_current_pid_tgid(), addr = ret;
	struct pending *p, a;

	p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), NULL, 0);
	if (!p || p->kind == CALL_NONE)
		return 0;
	if (p->depth) {
		p->depth--;
		return 0;
	}
	a = *p;
	p->kind = CALL_NONE;
	/* realloc(p, 0) frees p and may return NULL; a failed realloc keeps it. */
	if (a.kind == CALL_REALLOC && (ret || !a.size))
		forget(id >> 32, a.old);
	if (a.kind == CALL_OUT_PTR) {
		if ((int)ret != 0 || bpf_probe_read_user(&addr, sizeof(addr), (void *)a.out_ptr))
			return 0;
	}
	if (addr)
		remember(ctx, id >> 32, addr, a.size);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(heap_malloc, __u64 size)	/* malloc, valloc */
{
	return enter(CALL_ALLOC, size, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(heap_calloc, __u64 n, __u64 size)
{
	return enter(CALL_ALLOC, n * size, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(heap_realloc, void *old, __u64 size)
{
	return enter(CALL_REALLOC, size, (__u64)old, 0);
}

SEC("uprobe")
int BPF_KPROBE(heap_reallocarray, void *old, __u64 n, __u64 size)
{
	return enter(CALL_REALLOC, n * size, (__u64)old, 0);
}

SEC("uprobe")
int BPF_KPROBE(heap_memalign, __u64 align, __u64 size)	/* memalign, aligned_alloc */
{
	return enter(CALL_ALLOC, size, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(heap_posix_memalign, void **out, __u64 align, __u64 size)
{
	return enter(CALL_OUT_PTR, size, 0, (__u64)out);
}

SEC("uretprobe")
int BPF_KRETPROBE(heap_ret, __u64 ret)
{
	return leave(ctx, ret);
}

SEC("uprobe")
int BPF_KPROBE(heap_free, void *addr)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (watch_tgid_wanted(id >> 32))
		forget(id >> 32, (__u64)addr);
	return 0;
}
