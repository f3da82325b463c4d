// SPDX-License-Identifier: GPL-2.0
/* Recorder helpers: /proc/net/tcp parsing and per-bucket profile deltas. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "record/recording_procs.h"
#include "record/recording_profile.h"

/* Real lines of /proc/net/tcp and tcp6: two listeners, one established. */
static const char tcp4[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	"timeout inode\n"
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
	"       0 123456 1 0000000000000000 100 0 0 10 0\n"
	"   1: 0100007F:1F90 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0 "
	"       0 123999 1 0000000000000000 20 4 30 10 -1\n"
	"   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
	"       0 777 1 0000000000000000 100 0 0 10 0\n";
static const char tcp6[] =
	"  sl  local_address                         remote_address                        st "
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 00000000000000000000000001000000:2383 00000000000000000000000000000000:0000 0A "
	"00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 "
	"10 0\n";

static void test_proc_net_tcp(void **state)
{
	struct rec_listen_sock *s = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	assert_int_equal(rec_parse_proc_net_tcp(tcp4, "tcp", &s, &n, &cap), 0);
	assert_int_equal(n, 2);	/* the established socket is not a listener */
	assert_int_equal(s[0].port, 8080);
	assert_string_equal(s[0].addr, "127.0.0.1");
	assert_true(s[0].inode == 123456);
	assert_int_equal(s[1].port, 22);
	assert_string_equal(s[1].addr, "0.0.0.0");
	assert_int_equal(rec_parse_proc_net_tcp(tcp6, "tcp6", &s, &n, &cap), 0);
	assert_int_equal(n, 3);
	assert_int_equal(s[2].port, 9091);
	assert_string_equal(s[2].addr, "::1");
	assert_string_equal(s[2].proto, "tcp6");
	assert_int_equal(rec_parse_proc_net_tcp("garbage\nmore garbage\n", "tcp", &s, &n, &cap),
			 0);
	assert_int_equal(n, 3);
	free(s);
}

static void set_stack(struct profile_stack *st, struct profile_frame *f, const char *leaf,
		      uint64_t count)
{
	f[0] = (struct profile_frame){ .name = "main", .module = "/bin/x" };
	f[1] = (struct profile_frame){ .name = leaf, .module = "/bin/x" };
	*st = (struct profile_stack){ .pid = 7, .comm = "x", .frames = f, .nframes = 2,
				      .count = count };
}

/* Buckets are what each stack gained since the previous one; nothing else. */
static void test_profile_deltas(void **state)
{
	struct profile_frame fa[2], fb[2];
	struct profile_stack st[2];
	struct profile_data cum = { .stacks = st, .nstacks = 1, .lost_samples = 2 }, out;
	struct rec_pdelta *d = rec_pdelta__new();

	(void)state;
	assert_non_null(d);
	set_stack(&st[0], fa, "burn", 10);
	assert_int_equal(rec_pdelta__bucket(d, &cum, &out), 0);
	assert_int_equal(out.nstacks, 1);
	assert_true(out.stacks[0].count == 10 && out.total_samples == 10 && out.lost_samples == 2);
	free(out.stacks);
	st[0].count = 25;
	set_stack(&st[1], fb, "idle", 4);
	cum.nstacks = 2;
	cum.lost_samples = 3;
	assert_int_equal(rec_pdelta__bucket(d, &cum, &out), 0);
	assert_int_equal(out.nstacks, 2);
	assert_true(out.stacks[0].count == 15 && out.stacks[1].count == 4);
	assert_true(out.total_samples == 19 && out.lost_samples == 1);
	free(out.stacks);
	/* Nothing new: an empty bucket. */
	assert_int_equal(rec_pdelta__bucket(d, &cum, &out), 0);
	assert_int_equal(out.nstacks, 0);
	assert_true(out.total_samples == 0 && out.lost_samples == 0);
	free(out.stacks);
	rec_pdelta__free(d);
}

/*
 * Two raw stacks with one identity (other addresses in burn()): summed, then
 * diffed, so each bucket holds what was sampled in it, not running totals.
 */
static void test_profile_deltas_alike(void **state)
{
	struct profile_frame fa[2], fb[2];
	struct profile_stack st[2];
	struct profile_data cum = { .stacks = st, .nstacks = 2 }, out;
	struct rec_pdelta *d = rec_pdelta__new();

	(void)state;
	assert_non_null(d);
	set_stack(&st[0], fa, "burn", 60);
	set_stack(&st[1], fb, "burn", 6);
	assert_int_equal(rec_pdelta__bucket(d, &cum, &out), 0);
	assert_int_equal(out.nstacks, 1);
	assert_true(out.stacks[0].count == 66 && out.total_samples == 66);
	free(out.stacks);
	st[0].count = 120;
	st[1].count = 12;
	assert_int_equal(rec_pdelta__bucket(d, &cum, &out), 0);
	assert_int_equal(out.nstacks, 1);
	assert_true(out.stacks[0].count == 66 && out.total_samples == 66);
	free(out.stacks);
	rec_pdelta__free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_net_tcp),
		cmocka_unit_test(test_profile_deltas),
		cmocka_unit_test(test_profile_deltas_alike),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
