// SPDX-License-Identifier: GPL-2.0
/* The top table: self and total per function, recursion counted once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "output/stack_profile.h"
#include "fixtures/output/profile_fixture.h"

static char *render(const struct profile_data *p, int rows)
{
	struct output_opts o = {.top_n = rows};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(output_top(p, &o, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The row whose function column is exactly @fn; NULL when absent. */
static int find_row(const char *out, const char *fn, unsigned long long *self,
		    double *self_pct, unsigned long long *total, double *total_pct)
{
	const char *line = strchr(out, '\n') + 1;

	for (; *line; line = strchr(line, '\n') + 1) {
		char name[128];

		if (sscanf(line, "%llu %lf%% %llu %lf%% %127[^\n]", self, self_pct, total,
			   total_pct, name) == 5 && !strcmp(name, fn))
			return 1;
	}
	return 0;
}

static void test_self_and_total(void **state)
{
	unsigned long long self, total;
	double sp, tp;
	struct profile_data p;
	char *out;

	(void)state;
	fixture_profile(&p);
	out = render(&p, 50);
	assert_non_null(strstr(out, "490 samples in 5.00 s at 99 Hz, 2 lost\n"));
	/* the hottest first */
	assert_non_null(strstr(out, "FUNCTION\n"
				    "       350  71.43%        350  71.43%  burn_a  (prog)\n"));
	assert_true(find_row(out, "main  (prog)", &self, &sp, &total, &tp));
	assert_int_equal(self, 0);
	assert_int_equal(total, 473);
	assert_true(tp > 96.52 && tp < 96.54);
	assert_true(find_row(out, "ksys_write [k]", &self, &sp, &total, &tp));
	assert_int_equal(self, 20);
	assert_int_equal(total, 20);
	/* three frames of one recursive function in one stack count once */
	assert_true(find_row(out, "LazyCompile:*rec /app.js:1  (perf-300.map)", &self, &sp,
			     &total, &tp));
	assert_int_equal(self, 10);
	assert_int_equal(total, 10);
	/* the same name in another binary is another function */
	assert_true(find_row(out, "main  (node)", &self, &sp, &total, &tp));
	assert_int_equal(total, 10);
	/* a newline in a name must not split its row */
	assert_non_null(strstr(out, "  new\\x0aline  (prog)\n"));
	free(out);
}

static void test_row_limit(void **state)
{
	struct profile_data p;
	int lines = 0;
	char *out;

	(void)state;
	fixture_profile(&p);
	out = render(&p, 3);
	for (char *c = out; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 2 + 3);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_and_total),
		cmocka_unit_test(test_row_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
