// SPDX-License-Identifier: GPL-2.0
/* profile --wall's unit in every writer: microseconds of wall-clock time, said so. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "output/stack_profile.h"
#include "fixtures/output/profile_fixture.h"

/* The fixture as a wall profile: counts are microseconds, events the samples and waits. */
static void wall_profile(struct profile_data *p)
{
	fixture_profile(p);
	p->wall = true;
	p->period_ns = 1000;
	p->title = NULL;
	p->freq_hz = 0;	/* "a sample every" would then show, were counts samples */
	fx_stacks[0].events = 7;
}

static char *render(int (*writer)(const struct profile_data *, const struct output_opts *,
				  FILE *), const struct profile_data *p)
{
	struct output_opts o = { .top_n = 5 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(writer(p, &o, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_amount(void **state)
{
	struct profile_data p;
	char buf[48];

	(void)state;
	wall_profile(&p);
	assert_string_equal(output_amount(&p, 1500, buf, sizeof(buf)), "1.5 ms wall");
	p.wall = false;
	assert_string_equal(output_amount(&p, 1500, buf, sizeof(buf)), "1500 samples");
}

static void test_json(void **state)
{
	struct profile_data p;
	char *buf;
	cJSON *root, *meta, *first;

	(void)state;
	wall_profile(&p);
	buf = render(output_json, &p);
	root = cJSON_Parse(buf);
	assert_non_null(root);
	meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "unit")->valuestring,
			    "microseconds_wall");
	first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "stacks"), 0);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(first, "events")->valueint, 7);
	assert_null(cJSON_GetObjectItemCaseSensitive(first, "switches"));
	cJSON_Delete(root);
	free(buf);
}

static void test_svg_and_top(void **state)
{
	struct profile_data p;
	char *buf;

	(void)state;
	wall_profile(&p);
	buf = render(output_svg, &p);
	assert_non_null(strstr(buf, "data-unit=\"us-wall\""));
	assert_non_null(strstr(buf, "Wall-clock profile"));
	assert_non_null(strstr(buf, "0.5 ms wall"));	/* 490 us in all */
	assert_null(strstr(buf, "a sample every"));	/* a count is a microsecond, not a sample */
	free(buf);
	buf = render(output_top, &p);
	assert_non_null(strstr(buf, "SELF ms"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_svg_and_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
