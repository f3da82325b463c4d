// SPDX-License-Identifier: GPL-2.0
/*
 * A TCP socket entered TCP_LISTEN: inet_sock_set_state runs inside listen(),
 * in the listening process, so the event names it. One compare for every
 * other state change on the host.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "listen.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} listen_events SEC(".maps");

/* Listeners not reported: the ring buffer was full. */
__u64 listen_lost;

SEC("tp/sock/inet_sock_set_state")
int listen_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct listen_event *e;

	if (ctx->newstate != TCP_LISTEN || ctx->protocol != IPPROTO_TCP)
		return 0;
	e = bpf_ringbuf_reserve(&listen_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&listen_lost, 1);
		return 0;
	}
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	e->family = ctx->family;
	e->port = ctx->sport;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	/* Copied, not loaded: the verifier refuses ctx loads at computed offsets. */
	if (ctx->family == AF_INET6)
		bpf_probe_read_kernel(e->addr, sizeof(e->addr), ctx->saddr_v6);
	else
		bpf_probe_read_kernel(e->addr, 4, ctx->saddr);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
