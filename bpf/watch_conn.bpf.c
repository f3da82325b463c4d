// SPDX-License-Identifier: GPL-2.0
/*
 * Refused and failed TCP connections.
 *
 * connect() is followed from sys_enter_connect (tid -> fd, address) through
 * inet_sock_set_state CLOSE->SYN_SENT, which runs in the connecting task:
 * there the event is prepared with that task's pid, comm and stacks and kept
 * under the socket's address. The outcome arrives one of two ways:
 *  - connect() returns the error (blocking): sys_exit_connect emits;
 *  - connect() returned EINPROGRESS and the socket later goes SYN_SENT->CLOSE
 *    with sk_err set, in softirq context under whatever task was running:
 *    the prepared event is emitted with the error.
 * tcp_done_with_error() sets sk_err before the state change, so the state
 * change alone tells the error; sock:inet_sk_error_report (which has no
 * socket address in its record) is not needed. Whichever path deletes the
 * prepared event emits it, so a refusal is reported once.
 *
 * A non-blocking client (hiredis, libcurl...) learns the outcome by calling
 * connect() again, which returns the error without sending a SYN: that call
 * collects an attempt already reported, not a new one. The mode shown is the
 * socket's (O_NONBLOCK on its file when the attempt started), not the path
 * that happened to report.
 *
 * Inbound: tcp:tcp_send_reset without a socket, answering a SYN, is a
 * connection attempt to a local port with no listener. On loopback that
 * softirq runs in the connecting task, inside its connect(): the fact goes
 * into the client's event rather than into a second event without a process.
 */
#define WATCH_RATE_LIMIT
#include "watch_common.bpf.h"
#include <bpf/bpf_endian.h>

#include "watch_conn.h"

#define AF_INET 2
#define AF_INET6 10
#define EINTR 4
#define EADDRNOTAVAIL 99
#define ENETDOWN 100
#define ENETUNREACH 101
#define ECONNABORTED 103
#define ECONNRESET 104
#define ETIMEDOUT 110
#define ECONNREFUSED 111
#define EHOSTDOWN 112
#define EHOSTUNREACH 113
#define EALREADY 114
#define EINPROGRESS 115
#define ERESTARTSYS 512
#define TCPHDR_SYN 0x02
#define TCPHDR_ACK 0x10
#define O_NONBLOCK 00004000
#define IFF_LOOPBACK 0x8

/* A connect() in progress in a thread. */
struct conn_call {
	__u64 sk;		/* its socket, once it sent the SYN */
	__u64 sock_sk;		/* the fd's socket at entry, 0 when unknown */
	__u64 start_ns;
	__s32 fd;
	__u16 family;
	__u16 port;		/* host order */
	__u8 addr[16];
	__u8 nonblock;		/* O_NONBLOCK on the socket's file */
	__u8 connecting;	/* an earlier connect() of this socket is in flight or failed */
};

/* A connection in SYN_SENT: the event to emit if it fails. */
struct conn_pending {
	struct watch_conn_event ev;
	__u32 in_syscall;	/* its connect() has not returned: that path decides */
	__u32 err;		/* the error it ended with while in_syscall */
};

/* LRU: a thread whose connect() exit was never seen must not hold a slot forever. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct conn_call);
} conn_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct conn_pending);
} conn_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct conn_pending);
} conn_scratch SEC(".maps");

/*
 * Sockets whose failed attempt was reported after connect() had returned:
 * the next connect() on them collects that error. LRU: most are closed
 * without calling connect() again.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u64);
} conn_reported SEC(".maps");

static __always_inline bool reportable(__u32 err)
{
	switch (err) {
	case ECONNREFUSED:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case ECONNRESET:
	case EADDRNOTAVAIL:
	case ENETDOWN:
	case EHOSTDOWN:
	case ECONNABORTED:
		return true;
	}
	return false;
}

static __always_inline __u32 event_type(__u32 err)
{
	return err == ECONNREFUSED ? WATCH_EV_CONN_REFUSED : WATCH_EV_CONN_ERROR;
}

/* The socket behind the call's fd, from the task's file table (CO-RE). */
static __always_inline void read_socket(struct conn_call *call)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file **fds, *file = NULL;
	struct socket *sock;
	__u32 fd = call->fd;

	if (call->fd < 0 || fd >= BPF_CORE_READ(task, files, fdt, max_fds))
		return;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return;
	call->nonblock = !!(BPF_CORE_READ(file, f_flags) & O_NONBLOCK);
	/* Not checked to be a socket: connect() fails with ENOTSOCK, never reported. */
	sock = BPF_CORE_READ(file, private_data);
	call->sock_sk = (__u64)BPF_CORE_READ(sock, sk);
	call->connecting = BPF_CORE_READ(sock, state) == SS_CONNECTING;
}

SEC("?tp/syscalls/sys_enter_connect")
int conn_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct conn_call call = { .fd = ctx->args[0], .start_ns = bpf_ktime_get_ns() };
	const void *uaddr = (const void *)ctx->args[1];
	__u32 tid = (__u32)id;

	if (!watch_current_wanted(id >> 32))
		return 0;
	if (bpf_probe_read_user(&call.family, sizeof(call.family), uaddr))
		return 0;
	if (call.family != AF_INET && call.family != AF_INET6)
		return 0;
	bpf_probe_read_user(&call.port, sizeof(call.port), uaddr + 2);
	call.port = bpf_ntohs(call.port);
	if (call.family == AF_INET)
		bpf_probe_read_user(call.addr, 4, uaddr + 4);
	else
		bpf_probe_read_user(call.addr, 16, uaddr + 8);
	read_socket(&call);
	if (bpf_map_update_elem(&conn_calls, &tid, &call, BPF_ANY))
		watch_count(WATCH_CNT_MAP_FULL);
	return 0;
}

static __always_inline void copy_addrs(struct watch_conn_event *ev,
				       struct trace_event_raw_inet_sock_set_state *ctx)
{
	ev->family = ctx->family;
	ev->sport = ctx->sport;
	ev->dport = ctx->dport;
	/* Helpers, not loads: the verifier refuses relocated ctx arrays as memcpy sources. */
	if (ctx->family == AF_INET6) {
		bpf_probe_read_kernel(ev->saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(ev->daddr, 16, ctx->daddr_v6);
	} else {
		bpf_probe_read_kernel(ev->saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(ev->daddr, 4, ctx->daddr);
	}
}

/* In the connecting task: prepare the event while pid and stacks are right. */
static __always_inline int on_syn_sent(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), zero = 0;
	struct conn_call *call = bpf_map_lookup_elem(&conn_calls, &tid);
	__u64 sk = (__u64)ctx->skaddr;
	struct conn_pending *p;

	if (!call)
		return 0;	/* not a connect() of a selected process */
	p = bpf_map_lookup_elem(&conn_scratch, &zero);
	if (!p)
		return 0;
	watch_fill_header(&p->ev.hdr, WATCH_EV_CONN_REFUSED, sizeof(p->ev));
	/* most connects succeed: the DWARF snapshot waits for an actual event */
	watch_capture_fp_stacks(ctx, &p->ev.hdr, &p->ev.stacks);
	copy_addrs(&p->ev, ctx);
	p->ev.fd = call->fd;
	p->ev.connect_ns = call->start_ns;
	p->ev.direction = WATCH_CONN_OUTBOUND;
	p->ev.mode = call->nonblock ? WATCH_CONN_NONBLOCKING : WATCH_CONN_BLOCKING;
	p->ev.flags = 0;
	p->ev.err = 0;
	p->in_syscall = 1;
	p->err = 0;
	if (bpf_map_update_elem(&conn_pending, &sk, p, BPF_ANY)) {
		watch_count(WATCH_CNT_MAP_FULL);
		return 0;
	}
	call->sk = sk;
	bpf_map_delete_elem(&conn_reported, &sk);	/* a new attempt on this socket */
	return 0;
}

/*
 * Emits the prepared event of @sk once: only the path whose delete succeeds
 * submits, the copy is taken before the entry can be reused. @in_task: from
 * the connecting task, still in its connect() (same user registers and
 * stack as at the SYN), where the DWARF snapshot can be taken; the state
 * change of a later answer runs in whatever task the packet interrupted.
 * @returned: connect() returned before the outcome, a later connect() on the
 * socket collects it.
 */
static __always_inline void emit_pending(__u64 sk, struct conn_pending *p, __u32 err,
					 bool in_task, bool returned)
{
	struct watch_conn_event *e;
	__u64 now = bpf_ktime_get_ns();

	if (returned)
		bpf_map_update_elem(&conn_reported, &sk, &now, BPF_ANY);
	if (!watch_rate_allow(p->ev.hdr.tgid, bpf_ktime_get_ns())) {
		bpf_map_delete_elem(&conn_pending, &sk);
		return;
	}
	e = watch_reserve(sizeof(*e));
	if (!e)
		return;
	if (bpf_probe_read_kernel(e, sizeof(*e), &p->ev) ||
	    bpf_map_delete_elem(&conn_pending, &sk)) {
		bpf_ringbuf_discard(e, 0);
		return;
	}
	e->hdr.type = event_type(err);
	e->hdr.ktime_ns = bpf_ktime_get_ns();
	e->err = err;
	if (in_task)
		watch_send_snapshot();
	watch_submit(e);
}

SEC("?tp/sock/inet_sock_set_state")
int conn_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;
	struct conn_pending *p;
	__u32 err;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (ctx->newstate == TCP_SYN_SENT)
		return on_syn_sent(ctx);
	if (ctx->oldstate != TCP_SYN_SENT)
		return 0;
	p = bpf_map_lookup_elem(&conn_pending, &sk);
	if (!p)
		return 0;
	err = BPF_CORE_READ((struct sock *)sk, sk_err);
	if (ctx->newstate != TCP_CLOSE || !reportable(err)) {
		/* Connected, or closed by its owner before an answer came. */
		if (!p->in_syscall)
			bpf_map_delete_elem(&conn_pending, &sk);
		return 0;
	}
	copy_addrs(&p->ev, ctx);	/* the source port is known by now */
	p->err = err;
	if (!p->in_syscall)
		emit_pending(sk, p, err, false, true);
	return 0;
}

/* connect() failed before sending a SYN (no route, no local port...). */
static __always_inline void emit_early(void *ctx, struct conn_call *call, __u32 err)
{
	struct watch_conn_event *e;

	if (!watch_rate_allow(bpf_get_current_pid_tgid() >> 32, bpf_ktime_get_ns()))
		return;
	e = watch_reserve(sizeof(*e));
	if (!e)
		return;
	watch_fill_header(&e->hdr, event_type(err), sizeof(*e));
	watch_capture_stacks(ctx, &e->hdr, &e->stacks);
	e->err = err;
	e->family = call->family;
	e->sport = 0;
	e->dport = call->port;
	e->direction = WATCH_CONN_OUTBOUND;
	e->mode = call->nonblock ? WATCH_CONN_NONBLOCKING : WATCH_CONN_BLOCKING;
	e->flags = 0;
	e->fd = call->fd;
	__builtin_memset(e->saddr, 0, sizeof(e->saddr));
	__builtin_memcpy(e->daddr, call->addr, sizeof(e->daddr));
	e->connect_ns = call->start_ns;
	watch_submit(e);
}

/*
 * connect() on a socket whose attempt already failed and was reported
 * returns that error (sock_error()) without sending a SYN: the same attempt.
 */
static __always_inline bool collects_reported(const struct conn_call *call)
{
	__u64 sk = call->sock_sk;

	return call->connecting && sk && !bpf_map_delete_elem(&conn_reported, &sk);
}

SEC("?tp/syscalls/sys_exit_connect")
int conn_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), err = -ctx->ret;
	struct conn_call *callp = bpf_map_lookup_elem(&conn_calls, &tid), call;
	struct conn_pending *p = NULL;

	if (!callp)
		return 0;
	call = *callp;
	bpf_map_delete_elem(&conn_calls, &tid);
	if (call.sk)
		p = bpf_map_lookup_elem(&conn_pending, &call.sk);
	if (err == EINPROGRESS || err == EINTR || err == ERESTARTSYS || err == EALREADY) {
		/* The connection goes on without the caller: the state change reports. */
		if (!p)
			return 0;
		p->in_syscall = 0;
		if (p->err)
			emit_pending(call.sk, p, p->err, true, true);
		return 0;
	}
	if (ctx->ret < 0 && reportable(err)) {
		if (p)
			emit_pending(call.sk, p, err, true, false);
		else if (collects_reported(&call))
			watch_count(WATCH_CONN_CNT_COLLECTED);
		else
			emit_early(ctx, &call, err);
		return 0;
	}
	if (p)
		bpf_map_delete_elem(&conn_pending, &call.sk);
	return 0;
}

/* The incoming SYN's TCP flags, from the skb the RST answers. */
static __always_inline __u8 tcp_flags(const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	__u8 flags = 0;

	bpf_probe_read_kernel(&flags, 1, head + th + 13);
	return flags;
}

/* From the tracepoint's sockaddr_in/in6 (network order port) to ours. */
static __always_inline __u16 sockaddr_copy(const __u8 *sa, __u8 *addr, __u16 *family)
{
	__u16 port = 0;

	bpf_probe_read_kernel(family, 2, sa);
	bpf_probe_read_kernel(&port, 2, sa + 2);
	if (*family == AF_INET6)
		bpf_probe_read_kernel(addr, 16, sa + 8);
	else
		bpf_probe_read_kernel(addr, 4, sa + 4);
	return bpf_ntohs(port);
}

/*
 * A SYN from this host is answered in the softirq of its own transmit, in the
 * connecting task, inside its connect(): when that connect()'s socket is the
 * SYN's source, its event tells that nothing listened and no second event is
 * sent. Not in that task (softirq deferred to ksoftirqd): false.
 */
static __always_inline bool merge_into_client(struct trace_event_raw_tcp_send_reset *ctx,
					      __u16 lport)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct conn_call *call = bpf_map_lookup_elem(&conn_calls, &tid);
	struct conn_pending *p;
	struct sock *sk;
	__u16 cport = 0;

	if (!call || !call->sk)
		return false;
	sk = (struct sock *)call->sk;
	bpf_probe_read_kernel(&cport, sizeof(cport), ctx->daddr + 2);
	if (BPF_CORE_READ(sk, __sk_common.skc_num) != bpf_ntohs(cport) ||
	    bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport)) != lport)
		return false;
	p = bpf_map_lookup_elem(&conn_pending, &call->sk);
	if (!p)
		return false;
	p->ev.flags |= WATCH_CONN_F_NO_LISTENER;
	watch_count(WATCH_CONN_CNT_MERGED);
	return true;
}

SEC("?tp/tcp/tcp_send_reset")
int conn_send_reset(struct trace_event_raw_tcp_send_reset *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx->skbaddr;
	struct watch_conn_event *e;
	bool loopback;
	__u16 port = 0;

	if (ctx->skaddr || !skb)
		return 0;	/* a socket exists: not a closed port */
	if ((tcp_flags(skb) & (TCPHDR_SYN | TCPHDR_ACK)) != TCPHDR_SYN)
		return 0;
	bpf_probe_read_kernel(&port, sizeof(port), ctx->saddr + 2);
	port = bpf_ntohs(port);
	loopback = BPF_CORE_READ(skb, dev, flags) & IFF_LOOPBACK;
	if (loopback && merge_into_client(ctx, port))
		return 0;
	if (targ_ntgids || targ_cgroup_id) {
		/* Nobody owns a closed port: no process filter can select it. */
		watch_count(WATCH_CONN_CNT_INBOUND_FILTERED);
		return 0;
	}
	/* Rate-limited per local port; the key's top bit keeps it apart from pids. */
	if (!watch_rate_allow((1U << 31) | port, bpf_ktime_get_ns()))
		return 0;
	e = watch_reserve(sizeof(*e));
	if (!e)
		return 0;
	/* Everything but the stacks, which nr_user = nr_kernel = 0 leaves unread. */
	__builtin_memset(e, 0, __builtin_offsetof(struct watch_conn_event, stacks));
	e->hdr.type = WATCH_EV_CONN_REFUSED;
	e->hdr.ktime_ns = bpf_ktime_get_ns();
	e->hdr.size = sizeof(*e);
	e->err = ECONNREFUSED;
	e->direction = WATCH_CONN_INBOUND;
	e->mode = WATCH_CONN_NO_LISTENER;
	e->flags = loopback ? WATCH_CONN_F_LOOPBACK : 0;
	e->fd = -1;
	/* The tracepoint stores the RST's addresses: source = the local port. */
	e->dport = sockaddr_copy(ctx->saddr, e->daddr, &e->family);
	e->sport = sockaddr_copy(ctx->daddr, e->saddr, &e->family);
	watch_submit(e);
	return 0;
}
