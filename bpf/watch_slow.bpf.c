// SPDX-License-Identifier: GPL-2.0
/*
 * slow_syscall: per-thread syscall latency, reported above a per-syscall
 * threshold, plus optional log2 histograms. The enter/exit pair runs on every
 * syscall of the host, so the common path is a task-storage write on entry and
 * a read, subtract and compare on exit; everything else is behind the compare.
 */
#define WATCH_RATE_LIMIT
#include "watch_common.bpf.h"
#include "watch_slow.h"

#define S_IFMT 00170000
#define S_IFDIR 0040000
#define PIPEFS_MAGIC 0x50495045
#define SOCKFS_MAGIC 0x534F434B
#define ANON_INODE_FS_MAGIC 0x09041934
#define FUTEX_CMD_MASK 0x7f
#define IORING_ENTER_GETEVENTS 1

/* The smallest threshold of any syscall: one compare rejects the fast ones. */
const volatile __u64 min_threshold_ns = 100000000;
const volatile bool hist_enabled = false;
/*
 * Reading jiffies (a load) costs a fraction of bpf_ktime_get_ns() (a clock
 * source read), on every syscall twice; its resolution (one tick, 1-10 ms) is
 * fine for thresholds of tens of milliseconds. Userspace picks it only then,
 * never for histograms. (bpf_ktime_get_coarse_ns is refused to tracing
 * programs.) ns_per_tick = 0: precise clock.
 */
const volatile __u64 ns_per_tick = 0;
const volatile __u32 nr_futex = 202;
const volatile __u32 nr_io_uring_enter = 426;

struct start {
	__u64 ts;
	__u64 seq;	/* bumped per syscall: tells a stale struct slow_wait apart */
	__u32 nr;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, WATCH_SLOW_NR_MAX);
	__type(key, __u32);
	__type(value, struct watch_slow_cfg);
} cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WATCH_SLOW_NR_MAX);
	__type(key, __u32);
	__type(value, struct watch_hist);
} hists SEC(".maps");

/* A path is built right to left here: twice its size, so masked offsets stay inside. */
struct path_buf {
	char b[2 * WATCH_SLOW_PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_buf);
} path_scratch SEC(".maps");

#define PATH_DEPTH 40	/* components and mount crossings walked */
#define PATH_MASK (WATCH_SLOW_PATH_LEN - 1)

/*
 * A timestamp in ticks or ns. 0 means "no syscall in flight": the one
 * syscall that starts at the instant the clock reads 0 is not timed.
 */
static __always_inline __u64 clock_now(void)
{
	return ns_per_tick ? bpf_jiffies64() : bpf_ktime_get_ns();
}

static __always_inline __u64 elapsed_ns(__u64 start)
{
	__u64 d = clock_now() - start;

	return ns_per_tick ? d * ns_per_tick : d;
}

static __always_inline void enter(long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct start *s;

	if (targ_ntgids && !watch_tgid_wanted(task->tgid))
		return;
	if (targ_cgroup_id && !watch_cgroup_wanted())
		return;
	s = bpf_task_storage_get(&starts, task, 0, 0);
	if (!s) {
		s = bpf_task_storage_get(&starts, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		/*
		 * Sequence numbers start at the thread's first syscall in ns: a
		 * later thread reusing its id (the raw_tp fallback keys waits by
		 * thread id) cannot count up to a number it left behind.
		 */
		if (s)
			s->seq = bpf_ktime_get_ns();
	}
	if (s) {
		s->ts = clock_now();
		s->seq++;
		s->nr = id;
	} else {
		watch_count(WATCH_CNT_MAP_FULL);	/* no storage: this syscall goes untimed */
	}
}

SEC("?tp_btf/sys_enter")
int BPF_PROG(slow_enter, struct pt_regs *regs, long id)
{
	enter(id);
	return 0;
}

/* Fallback without BTF-typed tracepoints. */
SEC("?tp/raw_syscalls/sys_enter")
int slow_enter_tp(struct trace_event_raw_sys_enter *args)
{
	enter(args->id);
	return 0;
}

#include "slow_wait.bpf.h"

/* Slot 0: under 1 us; slot i: [2^(i-1), 2^i) us. */
static __always_inline void hist_add(__u32 nr, __u64 delta)
{
	struct watch_hist *h = bpf_map_lookup_elem(&hists, &nr);
	__u64 us = delta / 1000;
	__u32 slot = 0;

	if (!h)
		return;
	for (int i = 0; i < WATCH_HIST_SLOTS - 1 && us; i++) {
		us >>= 1;
		slot++;
	}
	if (slot >= WATCH_HIST_SLOTS)
		slot = WATCH_HIST_SLOTS - 1;
	h->slots[slot]++;
	h->total_ns += delta;
}

/* Whether fd @fd of @task is a socket (its inode on sockfs). */
static __always_inline bool fd_is_socket(struct task_struct *task, __u64 fd)
{
	struct file **fds, *file;

	if (fd >= BPF_CORE_READ(task, files, fdt, max_fds))
		return false;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return false;
	return BPF_CORE_READ(file, f_inode, i_sb, s_magic) == SOCKFS_MAGIC;
}

/*
 * Waits that are the point of the call (futex waits, io_uring GETEVENTS, a
 * read on a socket waiting for its peer: an idle keep-alive client is not a
 * slow server).
 */
static __always_inline bool blocks_by_design(const struct watch_slow_cfg *c,
					     struct task_struct *task, const struct pt_regs *regs)
{
	if (c->flags & WATCH_SLOW_FUTEX) {
		__u32 op = BPF_CORE_READ(regs, si) & FUTEX_CMD_MASK;

		/* FUTEX_WAIT, FUTEX_LOCK_PI, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI, LOCK_PI2 */
		return op == 0 || op == 6 || op == 9 || op == 11 || op == 13;
	}
	if (c->flags & WATCH_SLOW_URING)
		return BPF_CORE_READ(regs, r10) & IORING_ENTER_GETEVENTS;
	if (c->flags & WATCH_SLOW_SOCK_READ)
		return fd_is_socket(task, BPF_CORE_READ(regs, di));
	return false;
}

/*
 * One step up from @d: a path component into @buf before *@pos, or the
 * crossing to the mount @d's mount hangs on. False at the root, or when the
 * path is too long (then "..." leads it).
 */
static __always_inline bool path_step(struct dentry **d, struct mount **m, char *buf, __u32 *pos)
{
	struct dentry *parent = BPF_CORE_READ(*d, d_parent);
	struct mount *mp;
	__u32 len;

	if (*d == BPF_CORE_READ(*m, mnt.mnt_root)) {
		mp = BPF_CORE_READ(*m, mnt_parent);
		if (mp == *m)
			return false;
		*d = BPF_CORE_READ(*m, mnt_mountpoint);
		*m = mp;
		return true;
	}
	if (*d == parent)
		return false;
	len = BPF_CORE_READ(*d, d_name.len);
	if (len + 4 > *pos) {
		*pos = (*pos - 3) & PATH_MASK;
		__builtin_memcpy(&buf[*pos], "...", 3);
		return false;
	}
	*pos = (*pos - len) & PATH_MASK;
	bpf_probe_read_kernel(&buf[*pos], len & PATH_MASK, BPF_CORE_READ(*d, d_name.name));
	*pos = (*pos - 1) & PATH_MASK;
	buf[*pos] = '/';
	*d = parent;
	return true;
}

/* The whole path of @file from the host's root into @out (even once it is closed). */
static __always_inline void file_path(struct file *file, char *out)
{
	struct vfsmount *vm = BPF_CORE_READ(file, f_path.mnt);
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	struct mount *m = (void *)vm - bpf_core_field_offset(struct mount, mnt);
	struct path_buf *pb;
	__u32 zero = 0, pos = WATCH_SLOW_PATH_LEN - 1;

	pb = bpf_map_lookup_elem(&path_scratch, &zero);
	if (!pb)
		return;
	pb->b[pos] = '\0';
	for (int i = 0; i < PATH_DEPTH; i++)
		if (!path_step(&d, &m, pb->b, &pos))
			break;
	if (pos == WATCH_SLOW_PATH_LEN - 1) {
		pos--;
		pb->b[pos] = '/';
	}
	bpf_probe_read_kernel(out, WATCH_SLOW_PATH_LEN, &pb->b[pos & PATH_MASK]);
}

/* Names what fd @fd of the current task is, from its file table (CO-RE). */
static __always_inline void describe_fd(struct watch_slow_event *e, struct task_struct *task,
					__u64 fd)
{
	struct file **fds, *file;
	struct dentry *dentry;
	struct inode *inode;
	__u32 mode, magic;

	if (fd >= BPF_CORE_READ(task, files, fdt, max_fds))
		return;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return;
	dentry = BPF_CORE_READ(file, f_path.dentry);
	inode = BPF_CORE_READ(file, f_inode);
	mode = BPF_CORE_READ(inode, i_mode);
	magic = BPF_CORE_READ(inode, i_sb, s_magic);
	e->fd_ino = BPF_CORE_READ(inode, i_ino);
	bpf_probe_read_kernel_str(e->fd_name, sizeof(e->fd_name),
				  BPF_CORE_READ(dentry, d_name.name));
	if (magic == PIPEFS_MAGIC)
		e->fd_kind = WATCH_FD_PIPE;
	else if (magic == SOCKFS_MAGIC)
		e->fd_kind = WATCH_FD_SOCKET;
	else if (magic == ANON_INODE_FS_MAGIC)
		e->fd_kind = WATCH_FD_ANON;
	else if ((mode & S_IFMT) == S_IFDIR)
		e->fd_kind = WATCH_FD_DIR;
	else
		e->fd_kind = WATCH_FD_FILE;
	if (e->fd_kind == WATCH_FD_FILE || e->fd_kind == WATCH_FD_DIR)
		file_path(file, e->fd_path);
}

/* The path arguments, still in the caller's memory when the syscall returns. */
static __always_inline void read_paths(struct watch_slow_event *e, const struct watch_slow_cfg *c)
{
	for (int i = 0; i < WATCH_SLOW_PATHS; i++) {
		__u32 arg = c->path_arg[i];

		e->paths[i][0] = '\0';
		if (arg && arg <= 6)
			bpf_probe_read_user_str(e->paths[i], sizeof(e->paths[i]),
						(void *)e->args[(arg - 1) & 7]);
	}
}

static __always_inline void fill_args(struct watch_slow_event *e, const struct pt_regs *regs)
{
	e->args[0] = BPF_CORE_READ(regs, di);
	e->args[1] = BPF_CORE_READ(regs, si);
	e->args[2] = BPF_CORE_READ(regs, dx);
	e->args[3] = BPF_CORE_READ(regs, r10);
	e->args[4] = BPF_CORE_READ(regs, r8);
	e->args[5] = BPF_CORE_READ(regs, r9);
}

static __always_inline void report(void *ctx, struct task_struct *task, struct pt_regs *regs,
				   long ret, __u32 nr, const struct watch_slow_cfg *c, __u64 delta,
				   __u64 seq)
{
	struct watch_slow_event *e;

	if (!watch_cgroup_wanted() || !watch_rate_allow(task->tgid, bpf_ktime_get_ns()))
		return;
	e = watch_reserve(sizeof(*e));
	if (!e)
		return;
	watch_fill_header(&e->hdr, WATCH_EV_SLOW_SYSCALL, sizeof(*e));
	e->duration_ns = delta;
	e->nr = nr;
	e->ret = ret;
	fill_args(e, regs);
	e->fd_kind = WATCH_FD_NONE;
	e->fd_ino = 0;
	e->fd_name[0] = '\0';
	e->fd_path[0] = '\0';
	if (c->flags & WATCH_SLOW_FD_ARG0)
		describe_fd(e, task, e->args[0]);
	read_paths(e, c);
	watch_capture_stacks(ctx, &e->hdr, &e->stacks);
	wait_report(e, task, seq);
	watch_submit(e);
}

#define TS_COMPAT 0x0002	/* arch/x86/include/asm/thread_info.h */

/*
 * A 32-bit task's syscall numbers and argument registers follow the i386
 * ABI, not the x86_64 table the thresholds and names use: not timed.
 */
static __always_inline bool compat_task(struct task_struct *task)
{
	if (!bpf_core_field_exists(task->thread_info.status))
		return false;
	return BPF_CORE_READ(task, thread_info.status) & TS_COMPAT;
}

static __always_inline void exit_common(void *ctx, struct task_struct *task, struct pt_regs *regs,
					__u32 nr, long ret)
{
	const struct watch_slow_cfg *c;
	struct start *s;
	__u64 delta;

	s = bpf_task_storage_get(&starts, task, 0, 0);
	if (!s || !s->ts)
		return;
	delta = elapsed_ns(s->ts);
	s->ts = 0;
	if (!hist_enabled && delta < min_threshold_ns)
		return;
	if (nr >= WATCH_SLOW_NR_MAX || compat_task(task))
		return;
	if (hist_enabled)
		hist_add(nr, delta);
	c = bpf_map_lookup_elem(&cfg, &nr);
	if (!c || !c->threshold_ns || delta < c->threshold_ns || blocks_by_design(c, task, regs))
		return;
	report(ctx, task, regs, ret, nr, c, delta, s->seq);
}

SEC("?tp_btf/sys_exit")
int BPF_PROG(slow_exit, struct pt_regs *regs, long ret)
{
	exit_common(ctx, bpf_get_current_task_btf(), regs, regs->orig_ax, ret);
	return 0;
}

/* Fallback: the registers (arguments, futex op) from the task. */
SEC("?tp/raw_syscalls/sys_exit")
int slow_exit_tp(struct trace_event_raw_sys_exit *args)
{
	struct task_struct *task = bpf_get_current_task_btf();

	exit_common(args, task, (struct pt_regs *)bpf_task_pt_regs(task), args->id, args->ret);
	return 0;
}
