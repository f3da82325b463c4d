// SPDX-License-Identifier: GPL-2.0
/* The JSON profile parses back with cJSON and carries every field. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <cmocka.h>

#include "output/stack_profile.h"
#include "fixtures/output/profile_fixture.h"

static cJSON *render_parse(const struct profile_data *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cJSON *root;

	assert_non_null(f);
	assert_int_equal(output_json(p, NULL, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(buf[len - 1], '\n');
	root = cJSON_Parse(buf);
	free(buf);
	assert_non_null(root);
	return root;
}

static const char *str_of(const cJSON *obj, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	assert_true(cJSON_IsString(j));
	return j->valuestring;
}

static double num_of(const cJSON *obj, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	assert_true(cJSON_IsNumber(j));
	return j->valuedouble;
}

static void test_metadata(void **state)
{
	struct profile_data p;
	cJSON *root, *meta;

	(void)state;
	fixture_profile(&p);
	root = render_parse(&p);
	assert_string_equal(str_of(root, "format"), "faultline-profile");
	assert_int_equal(num_of(root, "version"), 1);
	meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
	assert_string_equal(str_of(meta, "host"), "host&1");
	assert_string_equal(str_of(meta, "command"), p.command);
	assert_string_equal(str_of(meta, "start_time"), "2026-11-18T11:06:40.123456Z");
	assert_int_equal(num_of(meta, "duration_ns"), 5000000000ULL);
	assert_int_equal(num_of(meta, "freq_hz"), 99);
	assert_int_equal(num_of(meta, "period_ns"), 10101010);
	assert_int_equal(num_of(meta, "samples"), FX_TOTAL);
	assert_int_equal(num_of(meta, "lost_samples"), 2);
	cJSON_Delete(root);
}

static void test_stacks_and_frames(void **state)
{
	const cJSON *stacks, *s, *frames, *f;
	struct profile_data p;
	uint64_t sum = 0;
	cJSON *root;

	(void)state;
	fixture_profile(&p);
	root = render_parse(&p);
	stacks = cJSON_GetObjectItemCaseSensitive(root, "stacks");
	assert_int_equal(cJSON_GetArraySize(stacks), p.nstacks);
	cJSON_ArrayForEach(s, stacks)
		sum += (uint64_t)num_of(s, "count");
	assert_int_equal(sum, FX_TOTAL);

	s = cJSON_GetArrayItem(stacks, 3);	/* main -> write -> kernel */
	assert_int_equal(num_of(s, "pid"), 100);
	assert_string_equal(str_of(s, "comm"), "prog");
	frames = cJSON_GetObjectItemCaseSensitive(s, "frames");
	assert_int_equal(cJSON_GetArraySize(frames), 4);
	f = cJSON_GetArrayItem(frames, 0);
	assert_string_equal(str_of(f, "name"), "main");
	assert_string_equal(str_of(f, "kind"), "user");
	assert_string_equal(str_of(f, "module"), FX_PROG);
	assert_string_equal(str_of(f, "addr"), "0x401010");
	assert_string_equal(str_of(f, "offset"), "0x1010");
	assert_string_equal(str_of(f, "build_id"), FX_PROG_BID);
	f = cJSON_GetArrayItem(frames, 1);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(f, "build_id")));
	f = cJSON_GetArrayItem(frames, 3);
	assert_string_equal(str_of(f, "name"), "ksys_write");
	assert_string_equal(str_of(f, "kind"), "kernel");
	assert_string_equal(str_of(f, "addr"), "0xffffffff81300000");

	s = cJSON_GetArrayItem(stacks, 4);	/* names survive exactly */
	assert_string_equal(str_of(s, "comm"), "we;ird");
	frames = cJSON_GetObjectItemCaseSensitive(s, "frames");
	assert_string_equal(str_of(cJSON_GetArrayItem(frames, 1), "name"), "new\nline");
	assert_string_equal(str_of(cJSON_GetArrayItem(frames, 2), "name"), "<&\"'>");
	f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(stacks, 6),
								 "frames"), 0);
	assert_string_equal(str_of(f, "kind"), "lost");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(f, "module")));
	cJSON_Delete(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_stacks_and_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
