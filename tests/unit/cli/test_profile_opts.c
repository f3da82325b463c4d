// SPDX-License-Identifier: GPL-2.0
/* `faultline profile` argument handling: CPU lists, option checks, output format choice. */
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
#include "cli/profile_opts.h"
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

static int parse(struct profile_opts *o, ...)
{
	char *argv[32] = { "profile" };
	int argc = 1;
	va_list ap;

	va_start(ap, o);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return profile_opts_parse(argc, argv, o);
}

static void test_opts_defaults_and_values(void **state)
{
	struct profile_opts o;

	(void)state;
	assert_int_equal(parse(&o, NULL), 0);
	assert_int_equal(o.freq_hz, 99);
	assert_int_equal(o.format, OUTPUT_TOP);
	assert_int_equal(o.stack_map_size, PROFILE_DEFAULT_STACK_MAP_SIZE);
	assert_int_equal(parse(&o, "-p", "10", "--pid", "20", "-F", "999", "-d", "3", "-o",
			       "x.svg", "--pid-in-name", "--counts-map-size", "4096", NULL), 0);
	assert_int_equal(o.npids, 2);
	assert_int_equal(o.pids[1], 20);
	assert_int_equal(o.freq_hz, 999);
	assert_int_equal(o.duration_s, 3);
	assert_int_equal(o.format, OUTPUT_SVG);
	assert_true(o.pid_in_name);
	assert_int_equal(o.counts_map_size, 4096);
	/* --format wins over the extension */
	assert_int_equal(parse(&o, "-o", "x.svg", "--format", "json", NULL), 0);
	assert_int_equal(o.format, OUTPUT_JSON);
	assert_int_equal(parse(&o, "-o", "cpu.pb.gz", NULL), 0);
	assert_int_equal(o.format, OUTPUT_PPROF);
	assert_int_equal(parse(&o, "--period", "2000000", NULL), 0);
	assert_int_equal(o.freq_hz, 0);
	assert_int_equal(o.period_ns, 2000000);
}

static void test_opts_usage_errors(void **state)
{
	struct profile_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-F", "0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-F", "100001", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-p", "0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-p", "12x", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "--kernel-only", "--user-only", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-F", "99", "--period", "1000000", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-o", "noext", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "--format", "svg", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-o", "x.json", "--format", "flame", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "--bogus", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "extra", NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, "-d", NULL), EXIT_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_opts_defaults_and_values),
		cmocka_unit_test(test_opts_usage_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
