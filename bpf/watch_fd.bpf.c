// SPDX-License-Identifier: GPL-2.0
/*
 * fd exhaustion, fd pressure and fd leak sites, from one hook on every
 * syscall exit (raw_syscalls:sys_exit as tp_btf, for the pt_regs that still
 * hold the arguments). Most syscalls neither create an fd nor fail with
 * EMFILE/ENFILE: they leave after two compares and one bitmap test.
 *
 * Every fd a selected process creates is recorded as (tgid, fd) -> hash of
 * the creating user stack, and counted per (tgid, stack); close removes it.
 * What is left are the fds still open, grouped by the call site that made
 * them: userspace reads the per-site counts (open, opened, closed) and the
 * open fds' ages and kinds when it reports an event, to tell a leak from fds
 * a process holds on purpose. Sockets are followed through their TCP states
 * (inet_sock_set_state): listening, connected, or over while still open.
 */
#include "watch_common.bpf.h"
#include "watch_fd.h"

#define EEXIST 17
#define ENFILE 23
#define EMFILE 24
#define RLIMIT_NOFILE 7
#define F_DUPFD 0
#define F_DUPFD_CLOEXEC 1030
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#define NSEC_PER_SEC 1000000000ULL
/* Bitmap words one bpf_loop step reads, and the most a count reads (2^26 fds). */
#define COUNT_CHUNK 8
#define COUNT_MAX_STEPS (1 << 17)
#define CLOSE_RANGE_MAX 65536
#define USER_ADDR_END 0x800000000000ULL	/* x86_64, 4-level page tables */

/* Bit nr set: syscall nr creates or closes fds (set by userspace from names). */
const volatile __u64 fd_nr_mask[WATCH_FD_MASK_WORDS] = {};
const volatile __u32 fd_warn_pct = 80;
/* Re-armed below this, so a process hovering at the threshold warns once. */
const volatile __u32 fd_rearm_pct = 70;
/* Open fds a process holds before the fds it creates get a creating stack. */
const volatile __u32 fd_stack_min = 32;

/* What we know about a process that created or failed to create fds. */
struct fd_proc {
	__u64 window_start_ns;	/* rate limit of fd_exhausted */
	__u32 window_count;
	__u32 suppressed;	/* rate-limited since the last fd_exhausted */
	__s64 open_est;		/* open fds: exact count at first sight +created -closed */
	__u32 warned;		/* fd_pressure sent, not re-armed yet */
	__u32 has_sites;	/* fd_open/fd_sites hold entries of this process */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct fd_proc);
} fd_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct watch_fd_key);
	__type(value, struct watch_fd_val);
} fd_open SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct watch_fd_site_key);
	__type(value, struct watch_fd_site_val);
} fd_sites SEC(".maps");

/*
 * The fd of each tracked socket, by struct sock, for the state changes.
 * LRU: a socket whose close was not seen (exec, CLOEXEC) ages out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct watch_fd_key);
} fd_socks SEC(".maps");

/* Stacks stored so far: userspace sweeps unreferenced ones when this grows. */
__u64 fd_stacks_added;

/* Creating stacks by hash; a stack map would drop or overwrite colliding stacks. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCH_FD_STACKS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct watch_fd_stack);
} fd_stacks SEC(".maps");

/* Exited processes whose fd_open/fd_sites entries userspace should sweep. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} fd_dead SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct watch_fd_stack);
} fd_scratch SEC(".maps");

static __always_inline __u64 popcount64(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

struct count_ctx {
	const unsigned long *bits;
	__u64 words;
	__u64 count;
};

static long count_step(__u64 i, struct count_ctx *c)
{
	unsigned long buf[COUNT_CHUNK] = {};
	__u64 first = i * COUNT_CHUNK;

	if (first >= c->words)
		return 1;
	if (bpf_probe_read_kernel(buf, sizeof(buf), c->bits + first))
		return 1;
	for (int j = 0; j < COUNT_CHUNK; j++)
		if (first + j < c->words)
			c->count += popcount64(buf[j]);
	return 0;
}

/* Open fds of @task: the bits set in its fdtable's open_fds bitmap. */
static __always_inline __u32 count_open_fds(struct task_struct *task, __u32 *max_fds)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct count_ctx c = {};
	__u32 steps;

	*max_fds = BPF_CORE_READ(fdt, max_fds);
	c.bits = BPF_CORE_READ(fdt, open_fds);
	c.words = *max_fds / 64;
	steps = (c.words + COUNT_CHUNK - 1) / COUNT_CHUNK;
	if (steps > COUNT_MAX_STEPS)
		steps = COUNT_MAX_STEPS;
	bpf_loop(steps, count_step, &c, 0);
	return c.count;
}

/* @task comes from bpf_get_current_task_btf(): plain loads, no helper calls. */
static __always_inline __u64 nofile_limit(struct task_struct *task)
{
	return task->signal->rlim[RLIMIT_NOFILE].rlim_cur;
}

/* Percent of the limit, without overflow for RLIM_INFINITY-like limits. */
static __always_inline bool at_or_above(__s64 open, __u64 limit, __u32 pct)
{
	if (!limit || limit > (1ULL << 40) || open <= 0)
		return false;
	return (__u64)open * 100 >= limit * pct;
}

static __always_inline struct fd_proc *proc_get(struct task_struct *task, __u32 tgid)
{
	struct fd_proc *p = bpf_map_lookup_elem(&fd_procs, &tgid), fresh = {};
	__u32 max_fds;

	if (p)
		return p;
	fresh.open_est = count_open_fds(task, &max_fds);
	bpf_map_update_elem(&fd_procs, &tgid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&fd_procs, &tgid);
}

static __always_inline void fill_fd_event(void *ctx, struct watch_fd_event *e,
					  struct task_struct *task, __u32 type, long nr, int err)
{
	__u32 max_fds = 0;

	watch_fill_header(&e->hdr, type, sizeof(*e));
	e->syscall_nr = nr;
	e->err = err;
	e->limit = nofile_limit(task);
	e->open_fds = count_open_fds(task, &max_fds);
	e->max_fds = max_fds;
	e->suppressed = 0;
	e->warn_pct = fd_warn_pct;
	watch_capture_stacks(ctx, &e->hdr, &e->stacks);
}

/* First rate_limit_per_sec failures per second and process; the rest counted. */
static __always_inline bool exhausted_allowed(struct fd_proc *p, __u64 now)
{
	if (!rate_limit_per_sec)
		return true;
	if (now - p->window_start_ns >= NSEC_PER_SEC) {
		p->window_start_ns = now;
		p->window_count = 0;
	}
	if (p->window_count < rate_limit_per_sec) {
		p->window_count++;
		return true;
	}
	__sync_fetch_and_add(&p->suppressed, 1);
	watch_count(WATCH_CNT_RATE_LIMITED);
	return false;
}

static __noinline int on_exhausted(void *ctx, long nr, int err)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct watch_fd_event *e;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct fd_proc *p;

	if (!watch_current_wanted(tgid))
		return 0;
	watch_count(WATCH_FD_CNT_FAILURES);
	p = proc_get(task, tgid);
	if (!p) {
		watch_count(WATCH_FD_CNT_NO_PROC);
		return 0;
	}
	if (!exhausted_allowed(p, bpf_ktime_get_ns()))
		return 0;
	e = watch_reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_fd_event(ctx, e, task, WATCH_EV_FD_EXHAUSTED, nr, err);
	/* Racy with another thread's failure: at worst one count moves events. */
	e->suppressed = p->suppressed;
	p->suppressed = 0;
	watch_submit(e);
	return 0;
}

/*
 * Stores @s under @h unless it is there: with the words at the user stack
 * pointer, from which userspace puts back the caller of a frameless libc
 * wrapper (socket(), syscall()...), the function that leaks.
 */
static __always_inline void store_stack(struct pt_regs *regs, __u64 h, struct watch_fd_stack *s)
{
	__u64 sp = BPF_CORE_READ(regs, sp);
	long err;

	if (bpf_map_lookup_elem(&fd_stacks, &h))
		return;
	if (!sp || bpf_probe_read_user(s->user_sp, sizeof(s->user_sp), (void *)sp))
		__builtin_memset(s->user_sp, 0, sizeof(s->user_sp));
	err = bpf_map_update_elem(&fd_stacks, &h, s, BPF_NOEXIST);
	if (!err)
		__sync_fetch_and_add(&fd_stacks_added, 1);
	else if (err != -EEXIST)
		watch_count(WATCH_CNT_MAP_FULL);	/* the site will show "[no stack]" */
}

/*
 * The current user stack into @s: walked with the tables when kunwind is on
 * (with checked frame pointers while they are not loaded: they are asked
 * for, and userspace puts back the leaf's caller as without the walk).
 */
static __always_inline long walk_stack(void *ctx, struct watch_fd_stack *s)
{
	__u8 how = KUNWIND_HOW_FP;
	long n = kunwind ? watch_walk_user(s->ips, &how) : -1;

	if (n < 0) {
		n = bpf_get_stack(ctx, s->ips, sizeof(s->ips), BPF_F_USER_STACK);
		n = n > 0 ? n / sizeof(__u64) : 0;
	}
	s->how = how;
	return n;
}

/* Hashes the current user stack (all of it) into fd_stacks; 0 when there is none. */
static __always_inline __u64 creating_stack(void *ctx, struct pt_regs *regs)
{
	__u32 zero = 0;
	struct watch_fd_stack *s = bpf_map_lookup_elem(&fd_scratch, &zero);
	__u64 h = 0xcbf29ce484222325ULL;
	long n;

	if (!s)
		return 0;
	n = walk_stack(ctx, s);
	if (n <= 0) {
		watch_count(WATCH_FD_CNT_NO_STACK);
		return 0;
	}
	s->nr = n;
	for (int i = 0; i < WATCH_FD_SITE_FRAMES; i++) {
		if (i >= s->nr)
			break;
		/*
		 * A frame-pointer walk that starts in a libc without frame
		 * pointers can wander into data: stop at the first address no
		 * user code can have, so garbage does not split one site in many.
		 * The in-kernel walk checked its frames, and may end in [truncated].
		 */
		if (s->how != KUNWIND_HOW_TABLES && (!s->ips[i] || s->ips[i] >= USER_ADDR_END)) {
			s->nr = i;
			break;
		}
		h = (h ^ s->ips[i]) * 0x100000001b3ULL;
	}
	h |= 1;	/* never 0 */
	store_stack(regs, h, s);
	return h;
}

/*
 * Half way to fd_stack_min, a process whose unwind tables do not cover the
 * code creating the fd (none loaded yet, or only the binary and the loader,
 * as at exec) asks for them, so that the stacks of the fds beyond are whole.
 */
static __always_inline void want_tables(__u32 tgid, struct fd_proc *p, struct pt_regs *regs)
{
	if (kunwind && p->open_est >= fd_stack_min / 2 && p->open_est < fd_stack_min &&
	    kunwind_find_mapping(tgid, BPF_CORE_READ(regs, ip)) < 0)
		watch_unwind_ask(tgid);
}

static __always_inline void site_opened(__u32 tgid, __u64 stack)
{
	struct watch_fd_site_key k = { .tgid = tgid, .stack = stack };
	struct watch_fd_site_val *c = bpf_map_lookup_elem(&fd_sites, &k), one = { 1, 1, 0 };

	if (c) {
		__sync_fetch_and_add(&c->open, 1);
		__sync_fetch_and_add(&c->opened, 1);
		return;
	}
	if (bpf_map_update_elem(&fd_sites, &k, &one, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&fd_sites, &k))
		watch_count(WATCH_CNT_MAP_FULL);
}

static __always_inline void site_closed(__u32 tgid, __u64 stack)
{
	struct watch_fd_site_key k = { .tgid = tgid, .stack = stack };
	struct watch_fd_site_val *c = bpf_map_lookup_elem(&fd_sites, &k);

	if (!c)
		return;
	__sync_fetch_and_add(&c->open, -1);
	__sync_fetch_and_add(&c->closed, 1);
}

/* The struct sock behind socket fd @fd of @task; 0 when there is none. */
static __always_inline __u64 fd_sock(struct task_struct *task, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **files = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	struct socket *sock;

	if (fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds) ||
	    bpf_probe_read_kernel(&f, sizeof(f), files + fd) || !f)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	return sock ? (__u64)BPF_CORE_READ(sock, sk) : 0;
}

/* Kind and socket of a new fd; only socket() and accept() make TCP sockets. */
static __always_inline void classify(struct task_struct *task, int fd, long nr,
				     struct watch_fd_val *v)
{
	struct sock *sk;
	int state;

	if (nr != WATCH_FD_NR_SOCKET && nr != WATCH_FD_NR_ACCEPT && nr != WATCH_FD_NR_ACCEPT4)
		return;
	v->kind = nr == WATCH_FD_NR_SOCKET ? WATCH_FD_KIND_SOCKET : WATCH_FD_KIND_ACCEPTED;
	v->sk = fd_sock(task, fd);
	sk = (struct sock *)v->sk;
	if (!sk)
		return;
	/* Accepted after the peer already closed or reset it. */
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (v->kind == WATCH_FD_KIND_ACCEPTED && (state == TCP_CLOSE_WAIT || state == TCP_CLOSE))
		v->ended = 1;
}

static __always_inline void forget_sock(__u64 sk)
{
	if (sk)
		bpf_map_delete_elem(&fd_socks, &sk);
}

/* Records @fd as open from @stack; true when it was not known open before. */
static __always_inline bool track_open(struct task_struct *task, __u32 tgid, int fd,
				       __u64 stack, __u32 nr)
{
	struct watch_fd_key k = { .tgid = tgid, .fd = fd };
	struct watch_fd_val v = { .stack = stack, .syscall_nr = nr,
				  .open_ns = bpf_ktime_get_ns() };
	struct watch_fd_val *old = bpf_map_lookup_elem(&fd_open, &k);
	bool fresh = !old;

	classify(task, fd, nr, &v);
	if (old) {
		/* dup2 over an open fd, or a close we did not see (exec, CLOEXEC). */
		site_closed(tgid, old->stack);
		forget_sock(old->sk);
		*old = v;
	} else if (bpf_map_update_elem(&fd_open, &k, &v, BPF_NOEXIST)) {
		watch_count(WATCH_FD_CNT_UNTRACKED);
		return true;
	}
	site_opened(tgid, stack);
	if (v.sk && bpf_map_update_elem(&fd_socks, &v.sk, &k, BPF_ANY))
		watch_count(WATCH_CNT_MAP_FULL);
	return fresh;
}

static __always_inline void track_close(__u32 tgid, int fd)
{
	struct watch_fd_key k = { .tgid = tgid, .fd = fd };
	struct watch_fd_val *old = bpf_map_lookup_elem(&fd_open, &k);

	if (!old)
		return;
	site_closed(tgid, old->stack);
	forget_sock(old->sk);
	bpf_map_delete_elem(&fd_open, &k);
}

static __always_inline void emit_pressure(void *ctx, struct task_struct *task, long nr)
{
	struct watch_fd_event *e = watch_reserve(sizeof(*e));

	if (!e)
		return;
	fill_fd_event(ctx, e, task, WATCH_EV_FD_PRESSURE, nr, 0);
	watch_submit(e);
}

/* The estimate says the threshold is crossed: confirm with an exact count. */
static __always_inline void check_pressure(void *ctx, struct task_struct *task,
					   struct fd_proc *p, long nr)
{
	__u64 limit = nofile_limit(task);
	__u32 max_fds;

	if (p->warned || !at_or_above(p->open_est, limit, fd_warn_pct))
		return;
	p->open_est = count_open_fds(task, &max_fds);
	if (!at_or_above(p->open_est, limit, fd_warn_pct))
		return;
	p->warned = 1;
	emit_pressure(ctx, task, nr);
}

static __always_inline void check_rearm(struct task_struct *task, struct fd_proc *p)
{
	__u64 limit = nofile_limit(task);
	__u32 max_fds;

	if (!p->warned || at_or_above(p->open_est, limit, fd_rearm_pct))
		return;
	p->open_est = count_open_fds(task, &max_fds);
	if (!at_or_above(p->open_est, limit, fd_rearm_pct))
		p->warned = 0;
}

/* The fds a successful fd-creating syscall returned: 1 or 2 (pipe, socketpair). */
static __always_inline int created_fds(struct pt_regs *regs, long nr, long ret, int fds[2])
{
	int *user = NULL;

	switch (nr) {
	case WATCH_FD_NR_PIPE:
	case WATCH_FD_NR_PIPE2:
		user = (int *)BPF_CORE_READ(regs, di);
		break;
	case WATCH_FD_NR_SOCKETPAIR:
		user = (int *)BPF_CORE_READ(regs, r10);
		break;
	case WATCH_FD_NR_FCNTL: {
		long cmd = BPF_CORE_READ(regs, si);

		if (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC)
			return 0;
		break;
	}
	}
	if (!user) {
		fds[0] = ret;
		return 1;
	}
	if (bpf_probe_read_user(fds, 2 * sizeof(int), user))
		return 0;
	return 2;
}

static __noinline int on_created(void *ctx, struct pt_regs *regs, long nr, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	int fds[2] = { -1, -1 }, n;
	struct fd_proc *p;
	__u64 stack;

	if (!watch_current_wanted(tgid))
		return 0;
	n = created_fds(regs, nr, ret, fds);
	if (!n)
		return 0;
	p = proc_get(task, tgid);
	if (!p) {
		watch_count(WATCH_FD_CNT_NO_PROC);
		return 0;
	}
	/*
	 * A user stack walk costs a few µs per fd: the first fds of a process
	 * (its steady state) are tracked without one, the ones beyond, where
	 * leaks pile up, with their creating stack.
	 */
	want_tables(tgid, p, regs);
	stack = p->open_est >= fd_stack_min ? creating_stack(ctx, regs) : WATCH_FD_STACK_UNWALKED;
	p->has_sites = 1;
	for (int i = 0; i < 2; i++) {
		if (i >= n)
			break;
		if (track_open(task, tgid, fds[i], stack, nr))
			__sync_fetch_and_add(&p->open_est, 1);
	}
	check_pressure(ctx, task, p, nr);
	return 0;
}

struct range_ctx {
	__u32 tgid;
	__u32 first;
};

static long close_step(__u64 i, struct range_ctx *c)
{
	track_close(c->tgid, c->first + i);
	return 0;
}

static __noinline int on_closed(struct pt_regs *regs, long nr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, max_fds, last;
	struct fd_proc *p = bpf_map_lookup_elem(&fd_procs, &tgid);
	struct range_ctx rc = { .tgid = tgid };

	if (!p)
		return 0;	/* never seen creating an fd: nothing tracked */
	if (nr == WATCH_FD_NR_CLOSE) {
		track_close(tgid, BPF_CORE_READ(regs, di));
		if (p->open_est > 0)
			__sync_fetch_and_add(&p->open_est, -1);
		check_rearm(task, p);
		return 0;
	}
	if (BPF_CORE_READ(regs, dx) & CLOSE_RANGE_CLOEXEC)
		return 0;
	rc.first = BPF_CORE_READ(regs, di);
	last = BPF_CORE_READ(regs, si);
	p->open_est = count_open_fds(task, &max_fds);
	if (last >= max_fds)
		last = max_fds - 1;
	if (last >= rc.first)
		bpf_loop(last - rc.first + 1 < CLOSE_RANGE_MAX ? last - rc.first + 1
							       : CLOSE_RANGE_MAX,
			 close_step, &rc, 0);
	check_rearm(task, p);
	return 0;
}

SEC("?tp_btf/sys_exit")
int BPF_PROG(fd_sys_exit, struct pt_regs *regs, long ret)
{
	long nr;

	if (ret == -EMFILE || ret == -ENFILE)
		return on_exhausted(ctx, regs->orig_ax, -ret);
	if (ret < 0)
		return 0;
	nr = regs->orig_ax;
	if ((__u64)nr >= WATCH_FD_NR_MAX || !(fd_nr_mask[nr / 64] & (1ULL << (nr % 64))))
		return 0;
	if (nr == WATCH_FD_NR_CLOSE || nr == WATCH_FD_NR_CLOSE_RANGE)
		return on_closed(regs, nr);
	return on_created(ctx, regs, nr, ret);
}

/*
 * A tracked socket changed TCP state: it listens, it connected out, or its
 * connection is over (the peer closed or reset it) while the fd stays open.
 */
SEC("?tp_btf/inet_sock_set_state")
int BPF_PROG(fd_sock_state, const struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;
	struct watch_fd_key *k;
	struct watch_fd_val *v;

	if (newstate != TCP_LISTEN && newstate != TCP_ESTABLISHED &&
	    newstate != TCP_CLOSE_WAIT && newstate != TCP_CLOSE)
		return 0;
	k = bpf_map_lookup_elem(&fd_socks, &key);
	v = k ? bpf_map_lookup_elem(&fd_open, k) : NULL;
	if (!v || v->sk != key)
		return 0;
	if (newstate == TCP_LISTEN)
		v->kind = WATCH_FD_KIND_LISTENER;
	else if (newstate == TCP_ESTABLISHED && v->kind == WATCH_FD_KIND_SOCKET)
		v->kind = WATCH_FD_KIND_CONNECTED;
	else if (newstate != TCP_ESTABLISHED && (v->kind == WATCH_FD_KIND_ACCEPTED ||
						 v->kind == WATCH_FD_KIND_CONNECTED))
		v->ended = 1;
	return 0;
}

/* A process is gone: forget it, and let userspace sweep its fd entries. */
SEC("?tp_btf/sched_process_exit")
int BPF_PROG(fd_process_exit, struct task_struct *task, bool group_dead)
{
	__u32 tgid = task->tgid, one = 1;
	struct fd_proc *p;

	if (!group_dead)
		return 0;
	p = bpf_map_lookup_elem(&fd_procs, &tgid);
	if (!p)
		return 0;
	if (p->has_sites && bpf_map_update_elem(&fd_dead, &tgid, &one, BPF_ANY))
		watch_count(WATCH_CNT_MAP_FULL);
	bpf_map_delete_elem(&fd_procs, &tgid);
	return 0;
}
