// SPDX-License-Identifier: GPL-2.0
/* Folded stacks: exact output, merging, kernel suffix, pid in name, sanitizing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <regex.h>
#include <cmocka.h>

#include "output/stack_profile.h"
#include "fixtures/output/profile_fixture.h"

static char *render(const struct profile_data *p, const struct output_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(output_folded(p, o, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_exact_output(void **state)
{
	struct output_opts o = {0};
	struct profile_data p;
	char *out;

	(void)state;
	fixture_profile(&p);
	out = render(&p, &o);
	assert_string_equal(out,
		"node;main;LazyCompile:*rec /app.js:1;LazyCompile:*rec /app.js:1;"
		"LazyCompile:*rec /app.js:1 10\n"
		"prog;[lost stack] 2\n"
		"prog;main;[unknown] 0xdead 3\n"
		"prog;main;work;burn_a 350\n"
		"prog;main;work;burn_b 100\n"
		"prog;main;write;entry_SYSCALL_64_[k];ksys_write_[k] 20\n"
		"we:ird;a:b;new line;<&\"'>;[unknown]_42 5\n");
	free(out);
}

static void test_pid_in_name_splits_processes(void **state)
{
	struct profile_stack s[2];
	struct output_opts o = {.pid_in_name = 1};
	struct profile_data p = {.stacks = s, .nstacks = 2};
	char *out;

	(void)state;
	s[0] = (struct profile_stack)FX_STACK(7, 7, "prog", fx_burn_a, 3);
	s[1] = (struct profile_stack)FX_STACK(8, 8, "prog", fx_burn_a, 4);
	out = render(&p, &o);
	assert_string_equal(out, "prog-7;main;work;burn_a 3\nprog-8;main;work;burn_a 4\n");
	free(out);
	o.pid_in_name = 0;
	out = render(&p, &o);
	assert_string_equal(out, "prog;main;work;burn_a 7\n");
	free(out);
}

static void test_empty_names_and_no_frames(void **state)
{
	struct profile_frame fr[2] = {{.name = "", .kind = FRAME_USER},
				      {.name = "x", .kind = FRAME_KERNEL}};
	struct profile_stack s[3] = {
		{.pid = 1, .comm = NULL, .frames = fr, .nframes = 2, .count = 1},
		{.pid = 1, .comm = "idle 0", .frames = NULL, .nframes = 0, .count = 2},
		{.pid = 1, .comm = "zero", .frames = fr, .nframes = 2, .count = 0},
	};
	struct profile_data p = {.stacks = s, .nstacks = 3};
	char *out;

	(void)state;
	out = render(&p, NULL);
	/* a comm ending in a number is a leaf too when the stack is empty */
	assert_string_equal(out, "[unknown];[unknown];x_[k] 1\nidle_0 2\n");
	free(out);
}

/*
 * Reads the output the way flamegraph.pl does: "(.*)\s+?(\d+(\.\d*)?)$"
 * for stack and count, and the same pattern again on the stack, which
 * must not match (it would be read as a differential first column).
 */
static void test_flamegraph_pl_reads_every_line(void **state)
{
	const char *re_src = "^(.*)[[:space:]]+([0-9]+(\\.[0-9]*)?)$";
	struct profile_data p;
	regmatch_t m[4];
	uint64_t sum = 0;
	char *out, *line, *save = NULL;
	regex_t re;

	(void)state;
	fixture_profile(&p);
	assert_int_equal(regcomp(&re, re_src, REG_EXTENDED), 0);
	out = render(&p, NULL);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char stack[1024];

		assert_int_equal(regexec(&re, line, 4, m, 0), 0);
		sum += strtoull(line + m[2].rm_so, NULL, 10);
		snprintf(stack, sizeof(stack), "%.*s", (int)m[1].rm_eo, line);
		assert_int_not_equal(regexec(&re, stack, 0, NULL, 0), 0);
		assert_null(strchr(stack, '\t'));
	}
	assert_int_equal(sum, FX_TOTAL);
	regfree(&re);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_output),
		cmocka_unit_test(test_pid_in_name_splits_processes),
		cmocka_unit_test(test_empty_names_and_no_frames),
		cmocka_unit_test(test_flamegraph_pl_reads_every_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
