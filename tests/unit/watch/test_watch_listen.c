// SPDX-License-Identifier: GPL-2.0
/* sock_diag answers about listeners, as the kernel lays them out, parsed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <cmocka.h>

#include "watch/sources/watch_listen.h"

/* Appends one inet_diag_msg with an SK_MEMINFO attribute; returns the new length. */
static size_t add_sock(char *buf, size_t off, int family, int state, uint16_t port,
		       uint32_t inode, uint32_t queued, uint32_t backlog, uint32_t drops)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
	struct inet_diag_msg *m = NLMSG_DATA(h);
	struct rtattr *a = (struct rtattr *)(m + 1);
	uint32_t *mem = RTA_DATA(a);

	memset(h, 0, NLMSG_SPACE(sizeof(*m)) + RTA_SPACE(SK_MEMINFO_VARS * 4));
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*m)) + RTA_LENGTH(SK_MEMINFO_VARS * 4);
	m->idiag_family = family;
	m->idiag_state = state;
	m->id.idiag_sport = htons(port);
	m->id.idiag_src[0] = htonl(0x7f000001);
	m->idiag_rqueue = queued;
	m->idiag_wqueue = backlog;
	m->idiag_inode = inode;
	a->rta_type = INET_DIAG_SKMEMINFO;
	a->rta_len = RTA_LENGTH(SK_MEMINFO_VARS * 4);
	mem[SK_MEMINFO_DROPS] = drops;
	return off + NLMSG_ALIGN(h->nlmsg_len);
}

static size_t add_type(char *buf, size_t off, int type, int error)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
	struct nlmsgerr *e = NLMSG_DATA(h);

	memset(h, 0, NLMSG_SPACE(sizeof(*e)));
	h->nlmsg_type = type;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
	e->error = error;
	return off + NLMSG_ALIGN(h->nlmsg_len);
}

static void test_parse_dump(void **state)
{
	static char buf[4096] __attribute__((aligned(4)));
	struct watch_listeners l = { 0 };
	size_t len = 0;

	(void)state;
	len = add_sock(buf, len, AF_INET, 10, 8080, 4242, 129, 128, 45);
	len = add_sock(buf, len, AF_INET, 1, 40000, 99, 0, 0, 7);	/* established: skipped */
	/* a first buffer without NLMSG_DONE: more to come */
	assert_int_equal(watch_listen_parse(buf, len, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].port, 8080);
	assert_int_equal(l.v[0].inode, 4242);
	assert_int_equal(l.v[0].queued, 129);
	assert_int_equal(l.v[0].backlog, 128);
	assert_int_equal(l.v[0].drops, 45);
	assert_int_equal(l.v[0].family, AF_INET);
	assert_memory_equal(l.v[0].addr, "\x7f\0\0\x01", 4);
	len = add_sock(buf, 0, AF_INET6, 10, 443, 7, 0, 511, 0);
	len = add_type(buf, len, NLMSG_DONE, 0);
	assert_int_equal(watch_listen_parse(buf, len, &l), 1);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[1].port, 443);
	watch_listeners_free(&l);
}

static void test_parse_errors(void **state)
{
	static char buf[4096] __attribute__((aligned(4)));
	struct watch_listeners l = { 0 };
	size_t len;

	(void)state;
	len = add_type(buf, 0, NLMSG_ERROR, -EPERM);
	assert_int_equal(watch_listen_parse(buf, len, &l), -EPERM);
	/* cut inside a message: malformed, never read past the end */
	len = add_sock(buf, 0, AF_INET, 10, 80, 1, 0, 1, 3);
	assert_int_equal(watch_listen_parse(buf, len - 8, &l), -EBADMSG);
	/* a message too short for its header */
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_LENGTH(4);
	assert_int_equal(watch_listen_parse(buf, NLMSG_LENGTH(4), &l), -EBADMSG);
	assert_int_equal(l.n, 0);
	watch_listeners_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_dump),
		cmocka_unit_test(test_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
