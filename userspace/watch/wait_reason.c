// SPDX-License-Identifier: GPL-2.0
/* Wait reasons from off-CPU kernel stacks. Pure logic. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "watch/wait_reason.h"

/*
 * Kernel functions that say what a thread sleeps for. A trailing '*'
 * matches a prefix; otherwise the name matches whole or with a compiler
 * suffix (".isra.0", ".constprop.0"). Generic entries (a socket wait any
 * protocol shares) yield to a specific one further up the same stack.
 */
struct wait_rule {
	enum wait_reason reason;
	bool generic;
	const char *names[16];
};

static const struct wait_rule rules[] = {
	{ WAIT_FUTEX, false, { "futex_wait*", "futex_do_wait", "__futex_wait", "futex_lock_pi*",
			       "do_futex" } },
	{ WAIT_PIPE, false, { "pipe_read", "anon_pipe_read", "pipe_write", "anon_pipe_write",
			      "pipe_wait_readable", "pipe_wait_writable", "wait_for_partner" } },
	{ WAIT_UNIX, false, { "unix_*" } },
	{ WAIT_TCP, false, { "tcp_*", "inet_csk_accept", "sk_stream_wait_memory" } },
	{ WAIT_UDP, false, { "udp_*", "udpv6_*" } },
	{ WAIT_DISK, false, { "io_schedule*", "blk_*", "bio_*", "submit_bio_wait", "folio_wait_*",
			      "__folio_lock*", "wait_on_page_bit*", "jbd2_*", "ext4_sync_file",
			      "file_write_and_wait_range", "__filemap_fdatawait_range",
			      "wait_for_completion_io*", "bit_wait_io" } },
	{ WAIT_PAGE_FAULT, false, { "exc_page_fault", "asm_exc_page_fault", "do_user_addr_fault",
				    "handle_mm_fault" } },
	{ WAIT_SLEEP, false, { "do_nanosleep", "hrtimer_nanosleep", "common_nsleep" } },
	{ WAIT_POLL, false, { "ep_poll", "do_epoll_wait", "do_sys_poll", "do_poll*", "do_select",
			      "core_sys_select" } },
	{ WAIT_SOCKET, true, { "sk_wait_data", "__skb_wait_for_more_packets", "__skb_recv_*",
			       "sock_*", "__sys_recv*", "__sys_accept*", "inet_recvmsg" } },
};

static const char *const names[WAIT__COUNT] = {
	[WAIT_UNKNOWN] = "unknown", [WAIT_OTHER] = "other", [WAIT_PIPE] = "pipe",
	[WAIT_TCP] = "tcp", [WAIT_UDP] = "udp", [WAIT_UNIX] = "unix", [WAIT_SOCKET] = "socket",
	[WAIT_FUTEX] = "futex", [WAIT_DISK] = "disk_io", [WAIT_PAGE_FAULT] = "page_fault",
	[WAIT_SLEEP] = "sleep", [WAIT_POLL] = "poll",
};

static const char *const phrases[WAIT__COUNT] = {
	[WAIT_UNKNOWN] = "off-CPU (no kernel stack: wait unknown)",
	[WAIT_OTHER] = "off-CPU (a wait not recognised)",
	[WAIT_PIPE] = "waiting on a pipe",
	[WAIT_TCP] = "waiting on a TCP socket",
	[WAIT_UDP] = "waiting on a UDP socket",
	[WAIT_UNIX] = "waiting on a unix socket",
	[WAIT_SOCKET] = "waiting on a socket",
	[WAIT_FUTEX] = "waiting for a futex (a lock)",
	[WAIT_DISK] = "waiting for disk I/O",
	[WAIT_PAGE_FAULT] = "in a page fault",
	[WAIT_SLEEP] = "sleeping (nanosleep)",
	[WAIT_POLL] = "waiting in poll/epoll",
};

static bool name_matches(const char *name, const char *pat)
{
	size_t n = strlen(pat);

	if (n && pat[n - 1] == '*')
		return !strncmp(name, pat, n - 1);
	return !strncmp(name, pat, n) && (name[n] == '\0' || name[n] == '.');
}

/* The rule @name belongs to, or NULL. */
static const struct wait_rule *rule_of(const char *name)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		for (int j = 0; j < 16 && rules[i].names[j]; j++)
			if (name_matches(name, rules[i].names[j]))
				return &rules[i];
	return NULL;
}

enum wait_reason wait_reason_classify(const char *const *frames, int n)
{
	enum wait_reason generic = WAIT__COUNT;

	if (!frames || n <= 0)
		return WAIT_UNKNOWN;
	/* Leaf first: the innermost wait is the one the thread sleeps in. */
	for (int i = 0; i < n; i++) {
		const struct wait_rule *r = frames[i] ? rule_of(frames[i]) : NULL;

		if (!r)
			continue;
		if (!r->generic)
			return r->reason;
		if (generic == WAIT__COUNT)
			generic = r->reason;
	}
	return generic != WAIT__COUNT ? generic : WAIT_OTHER;
}

const char *wait_reason_name(enum wait_reason r)
{
	return r < WAIT__COUNT ? names[r] : names[WAIT_UNKNOWN];
}

enum wait_reason wait_reason_from_name(const char *name)
{
	for (int i = 0; name && i < WAIT__COUNT; i++)
		if (!strcmp(name, names[i]))
			return i;
	return WAIT_UNKNOWN;
}

const char *wait_reason_phrase(enum wait_reason r)
{
	return r < WAIT__COUNT ? phrases[r] : phrases[WAIT_UNKNOWN];
}

const char *wait_state_name(unsigned int state)
{
	if (state & 0x2)
		return "D";
	if (state & 0x1)
		return "S";
	return NULL;
}
