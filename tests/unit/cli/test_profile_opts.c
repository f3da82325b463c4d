// SPDX-License-Identifier: GPL-2.0
/* profile, watch and record arguments: one option table, each command its share of it. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "profile/profile_sampler.h"

static void test_cpulist(void **state)
{
	bool m[8];

	(void)state;
	assert_int_equal(profile_parse_cpulist("0-2,5\n", m, 8), 0);
	assert_true(m[0] && m[1] && m[2] && m[5]);
	assert_false(m[3] || m[4] || m[6] || m[7]);
	assert_int_equal(profile_parse_cpulist("7", m, 8), 0);
	assert_true(m[7] && !m[0]);
	assert_int_equal(profile_parse_cpulist("8", m, 8), -EINVAL);
	assert_int_equal(profile_parse_cpulist("3-1", m, 8), -EINVAL);
	assert_int_equal(profile_parse_cpulist("1,", m, 8), -EINVAL);
	assert_int_equal(profile_parse_cpulist("", m, 8), -EINVAL);
	assert_int_equal(profile_parse_cpulist("a", m, 8), -EINVAL);
	assert_int_equal(profile_parse_cpulist("-1", m, 8), -EINVAL);
	assert_int_equal(profile_parse_cpulist("1 2", m, 8), -EINVAL);
}

static const char *const names[] = { [CLI_PROFILE] = "profile", [CLI_WATCH] = "watch",
				      [CLI_RECORD] = "record" };

static int vparse(struct cli_opts *c, enum cli_cmd cmd, va_list ap)
{
	char *argv[48] = { (char *)names[cmd] };
	int argc = 1;

	while (argc < 47 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	return cli_opts_parse(c, cmd, "", argc, argv);
}

static struct cli_opts c;

static int parse(struct profile_opts **o, ...)
{
	va_list ap;
	int ret;

	va_start(ap, o);
	ret = vparse(&c, CLI_PROFILE, ap);
	va_end(ap);
	*o = &c.prof;
	return ret;
}

static int parse_cmd(enum cli_cmd cmd, ...)
{
	va_list ap;
	int ret;

	va_start(ap, cmd);
	ret = vparse(&c, cmd, ap);
	va_end(ap);
	return ret;
}

static void test_opts_defaults_and_values(void **state)
{
	struct profile_opts *o;

	(void)state;
	assert_int_equal(parse(&o, NULL), 0);
	assert_int_equal(o->freq_hz, 99);
	assert_int_equal(o->format, OUTPUT_TOP);
	assert_int_equal(o->stack_map_size, PROFILE_DEFAULT_STACK_MAP_SIZE);
	assert_int_equal(parse(&o, "-p", "10", "--pid", "20", "-F", "999", "-d", "3", "-o",
			       "x.svg", "--pid-in-name", "--counts-map-size", "4096", NULL), 0);
	assert_int_equal(o->npids, 2);
	assert_int_equal(o->pids[1], 20);
	assert_int_equal(o->freq_hz, 999);
	assert_int_equal(o->duration_s, 3);
	assert_int_equal(o->format, OUTPUT_SVG);
	assert_true(o->pid_in_name);
	assert_int_equal(o->counts_map_size, 4096);
	/* --format wins over the extension */
	assert_int_equal(parse(&o, "-o", "x.svg", "--format", "json", NULL), 0);
	assert_int_equal(o->format, OUTPUT_JSON);
	assert_int_equal(parse(&o, "-o", "cpu.pb.gz", NULL), 0);
	assert_int_equal(o->format, OUTPUT_PPROF);
	assert_int_equal(parse(&o, "--period", "2000000", NULL), 0);
	assert_int_equal(o->freq_hz, 0);
	assert_int_equal(o->period_ns, 2000000);
}

static void test_opts_usage_errors(void **state)
{
	struct profile_opts *o;

	(void)state;
	assert_int_equal(parse(&o, "-F", "0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-F", "100001", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-p", "0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-p", "12x", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "--kernel-only", "--user-only", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-F", "99", "--period", "1000000", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-o", "noext", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-o", "p.txt", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-o", "p.txt", "--format", "folded", NULL), 0);
	assert_int_equal(o->format, OUTPUT_FOLDED);
	assert_int_equal(parse(&o, "--format", "svg", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-o", "x.json", "--format", "flame", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "--bogus", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "extra", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-d", NULL), EXIT_USAGE);
}

/* record takes profile's and watch's options that apply to a recording, no others. */
static void test_record_union(void **state)
{
	(void)state;
	assert_int_equal(parse_cmd(CLI_RECORD, "-o", "r.rec", "-p", "7", "--tid", "8", "--exits",
				   "--kernel-only", "--ringbuf-kb", "64", "-F", "499", "--period",
				   NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_RECORD, "-o", "r.rec", "-p", "7", "--tid", "8", "--exits",
				   "--kernel-only", "--ringbuf-kb", "64", "-F", "499", "-C", "0",
				   "--include-idle", "--stack-map-size", "128", "--unwind", "dwarf",
				   "--stack-bytes", "4096", "-e", "fd", "--no-user-stacks", NULL),
			 0);
	assert_string_equal(c.prof.out_path, "r.rec");
	assert_int_equal(c.prof.npids, 1);
	assert_int_equal(c.watch.npids, 1);
	assert_int_equal(c.watch.pids[0], 7);
	assert_int_equal(c.prof.tid, 8);
	assert_true(c.watch.exits && c.prof.kernel_only && c.prof.include_idle);
	assert_true(c.watch.no_user_stacks);
	assert_int_equal(c.watch.ringbuf_kb, 64);
	assert_int_equal(c.prof.stack_map_size, 128);
	assert_int_equal(c.prof.unwind, UNWIND_MODE_DWARF);
	assert_int_equal(c.watch.unwind, UNWIND_MODE_DWARF);
	assert_int_equal(c.prof.stack_bytes, 4096);
	assert_int_equal(c.watch.stack_bytes, 4096);
	assert_string_equal(c.prof.cpulist, "0");
	assert_false(c.no_profile);
	/* what cannot apply to a recording is refused, not ignored */
	assert_int_equal(parse_cmd(CLI_RECORD, "-o", "r.rec", "--hist", NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_RECORD, "-o", "r.rec", "-j", NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_RECORD, "-o", "r.rec", "--format", "svg", NULL),
			 EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_RECORD, "-o", "r.rec", "--pid-in-name", NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_RECORD, "-o", "r.rec", "--no-profile", "-F", "9", NULL),
			 EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_RECORD, "-o", "r.rec", "--kernel-only", "--user-only",
				   NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_RECORD, "-d", "5", NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_RECORD, "-o", "r.rec", "--no-profile", "--exits", NULL), 0);
	assert_true(c.no_profile);
}

static void test_watch_and_profile_shares(void **state)
{
	(void)state;
	assert_int_equal(parse_cmd(CLI_WATCH, "-p", "3", "--unwind", "fp", "-d", "9",
				   "--stacks", "--hist", "-j", NULL), 0);
	assert_int_equal(c.watch.duration_s, 9);
	assert_int_equal(c.watch.unwind, UNWIND_MODE_FP);
	assert_true(c.watch.stacks && c.watch.hist && c.watch.json);
	assert_int_equal(parse_cmd(CLI_WATCH, "-F", "99", NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_WATCH, "-o", "x", NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_WATCH, "--bucket", "100", NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_PROFILE, "--exits", NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_PROFILE, "-e", "oom", NULL), EXIT_USAGE);
	assert_int_equal(parse_cmd(CLI_PROFILE, "--no-profile", NULL), EXIT_USAGE);
	/* up to 16 processes for the BPF filters of watch; profile takes 256 */
	assert_int_equal(parse_cmd(CLI_WATCH, "-p", "1", "-p", "2", "-p", "3", "-p", "4", "-p",
				   "5", "-p", "6", "-p", "7", "-p", "8", "-p", "9", "-p", "10",
				   "-p", "11", "-p", "12", "-p", "13", "-p", "14", "-p", "15",
				   "-p", "16", "-p", "17", NULL), EXIT_USAGE);
}

static void test_freq_cap(void **state)
{
	(void)state;
	assert_int_equal(cli_freq_capped(99, 100000), 99);
	assert_int_equal(cli_freq_capped(100000, 100000), 100000);
	assert_int_equal(cli_freq_capped(100000, 25000), 25000);
	assert_int_equal(cli_freq_capped(5000, 0), 5000);	/* limit unknown */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_opts_defaults_and_values),
		cmocka_unit_test(test_opts_usage_errors),
		cmocka_unit_test(test_record_union),
		cmocka_unit_test(test_watch_and_profile_shares),
		cmocka_unit_test(test_freq_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
