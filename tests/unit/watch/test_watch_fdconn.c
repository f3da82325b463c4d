// SPDX-License-Identifier: GPL-2.0
/* The fd and conn sources' pure logic: leak-site ranking and naming, addresses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "watch/sources/watch_conn_fmt.h"
#include "watch/sources/watch_fd_sites.h"

static void test_sites_sort(void **state)
{
	struct fd_site s[] = {
		{ .tgid = 7, .stack = 0x10, .count = 3 }, { .tgid = 5, .stack = 0x20, .count = 300 },
		{ .tgid = 5, .stack = 0x30, .count = 3 }, { .tgid = 9, .stack = 0x40, .count = 12 },
	};

	(void)state;
	fd_sites_sort(s, 4);
	assert_int_equal(s[0].count, 300);
	assert_int_equal(s[1].count, 12);
	/* Ties: lower pid first, so the order does not depend on map layout. */
	assert_int_equal(s[2].tgid, 5);
	assert_int_equal(s[3].tgid, 7);
	fd_sites_sort(s, 0);	/* empty is fine */
}

static void test_site_name(void **state)
{
	const char *names[] = { "__GI___open64", "leak_conn", "handle_client", "main",
				"__libc_start_call_main" };
	const char *mods[] = { "/usr/lib/x86_64-linux-gnu/libc.so.6", "/srv/app", "/srv/app",
			       "/srv/app", "/usr/lib/x86_64-linux-gnu/libc.so.6" };
	const char *all_libc[] = { "/lib/libc.so.6", "/lib/libc.so.6" };
	char buf[128];

	(void)state;
	/* The libc wrapper is skipped: the site is the caller. */
	fd_site_name(names, mods, 5, 3, buf, sizeof(buf));
	assert_string_equal(buf, "leak_conn <- handle_client <- main");
	fd_site_name(names, mods, 5, 1, buf, sizeof(buf));
	assert_string_equal(buf, "leak_conn");
	/* Only libc frames: keep the last rather than print nothing. */
	fd_site_name(names, all_libc, 2, 3, buf, sizeof(buf));
	assert_string_equal(buf, "leak_conn");
	fd_site_name(names, mods, 0, 3, buf, sizeof(buf));
	assert_string_equal(buf, "[no stack]");
	/* Truncated, never overflowing. */
	fd_site_name(names, mods, 5, 3, buf, 12);
	assert_int_equal(strlen(buf), 11);
}

static struct fd_site_facts facts(int64_t open, uint64_t closed, double age)
{
	return (struct fd_site_facts){ .open = open, .opened = open + closed, .closed = closed,
				       .oldest_s = age };
}

static void test_verdict_files(void **state)
{
	struct fd_site_facts f = facts(200, 0, 3);
	char buf[256];

	(void)state;
	f.kinds[WATCH_FD_KIND_OTHER] = 200;
	/* Nothing closed, young, far from the limit: no evidence yet. */
	assert_int_equal(fd_site_verdict(&f, 4096), FD_HELD);
	/* ...but half the limit from one site that never closed one is. */
	assert_int_equal(fd_site_verdict(&f, 256), FD_LEAKED);
	f.oldest_s = FD_LEAK_MIN_AGE_S;
	assert_int_equal(fd_site_verdict(&f, 0), FD_LEAKED);
	fd_site_describe(&f, FD_LEAKED, "leak_fd", buf, sizeof(buf));
	assert_string_equal(buf, "200 fds leaked by leak_fd: 200 opened, none closed "
			    "(oldest 10 s)");
	/* The count dropped once: a pool or cache, not a leak. */
	f = facts(200, 1, 60);
	assert_int_equal(fd_site_verdict(&f, 256), FD_HELD);
	/* Too few to tell. */
	f = facts(FD_LEAK_MIN_FDS - 1, 0, 600);
	assert_int_equal(fd_site_verdict(&f, 8), FD_HELD);
}

static void test_verdict_sockets(void **state)
{
	struct fd_site_facts f = facts(34, 0, 41.2);
	char buf[256];

	(void)state;
	/* Live connections at the limit, never closed: held (keep-alive clients). */
	f.kinds[WATCH_FD_KIND_ACCEPTED] = 34;
	assert_int_equal(fd_site_verdict(&f, 64), FD_HELD);
	fd_site_describe(&f, FD_HELD, "ngx_event_accept", buf, sizeof(buf));
	assert_string_equal(buf, "34 accepted connections held open by ngx_event_accept "
			    "(oldest 41 s)");
	/* Connections kept open after the peer left are leaked. */
	f.ended = FD_LEAK_MIN_FDS;
	assert_int_equal(fd_site_verdict(&f, 64), FD_LEAKED_ENDED);
	/* Listeners are held; unconnected sockets are fds like others. */
	f = facts(2, 0, 600);
	f.kinds[WATCH_FD_KIND_LISTENER] = 2;
	assert_int_equal(fd_site_verdict(&f, 4), FD_HELD);
	assert_string_equal(fd_site_noun(&f), "listening sockets");
	f = facts(40, 0, 1);
	f.kinds[WATCH_FD_KIND_SOCKET] = 40;
	assert_int_equal(fd_site_verdict(&f, 64), FD_LEAKED);
	assert_string_equal(fd_site_noun(&f), "sockets");
	/* Kinds that differ: no claim about what they are. */
	f.kinds[WATCH_FD_KIND_OTHER] = 1;
	assert_string_equal(fd_site_noun(&f), "fds");
	f.oldest_s = -1;
	fd_site_describe(&f, FD_HELD, "x", buf, sizeof(buf));
	assert_string_equal(buf, "40 fds held open by x (age unknown)");
}

static void test_conn_addr(void **state)
{
	uint8_t v4[16] = { 127, 0, 0, 1 }, v6[16] = {};
	char a[64], e[80];

	(void)state;
	watch_conn_addr(AF_INET, v4, a, sizeof(a));
	assert_string_equal(a, "127.0.0.1");
	watch_conn_endpoint(AF_INET, a, 8080, e, sizeof(e));
	assert_string_equal(e, "127.0.0.1:8080");
	v6[15] = 1;
	watch_conn_addr(AF_INET6, v6, a, sizeof(a));
	assert_string_equal(a, "::1");
	watch_conn_endpoint(AF_INET6, a, 443, e, sizeof(e));
	assert_string_equal(e, "[::1]:443");
	inet_pton(AF_INET6, "::ffff:10.1.2.3", v6);
	watch_conn_addr(AF_INET6, v6, a, sizeof(a));
	assert_string_equal(a, "::ffff:10.1.2.3");
	watch_conn_addr(99, v6, a, sizeof(a));
	assert_string_equal(a, "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sites_sort),
		cmocka_unit_test(test_site_name),
		cmocka_unit_test(test_verdict_files),
		cmocka_unit_test(test_verdict_sockets),
		cmocka_unit_test(test_conn_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
