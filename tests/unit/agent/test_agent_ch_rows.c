// SPDX-License-Identifier: GPL-2.0
/*
 * ClickHouse rows: an event's common fields become columns and the rest
 * `attrs`; its stack (leaf first in watch's JSON) is stored root first, once
 * per day, under a hash that depends on every frame's module and name; 64-bit
 * numbers travel as strings; profile stacks become `samples` rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agent/agent_ch_rows.h"

#define DAY_NS (86400ULL * 1000000000ULL)
#define T0 (20000ULL * DAY_NS + 3600ULL * 1000000000ULL + 123)	/* 2024-10-04T01:00:00 */

static const char *event_json =
	"{\"type\":\"conn_refused\",\"time\":\"x\",\"severity\":\"error\",\"pid\":42,"
	"\"tid\":43,\"comm\":\"cli\\\"ent\",\"cgroup\":\"/a\",\"errno\":\"ECONNREFUSED\","
	"\"dport\":8080,\"stack\":["
	"{\"addr\":\"0xffffffff81000000\",\"module\":\"[kernel]\",\"symbol\":\"tcp_v4_connect\",\"offset\":5},"
	"{\"addr\":\"0x7f0000001000\",\"module\":\"/usr/lib/libc.so.6\",\"symbol\":\"connect\",\"offset\":9},"
	"{\"addr\":\"0x401000\",\"module\":\"/opt/app/client\",\"symbol\":null,\"offset\":4096}]}";

static cJSON *lines(struct ch_rows *r, enum ch_table t, uint64_t *rows)
{
	struct ch_batch b = { 0 };
	cJSON *arr = cJSON_CreateArray();
	char *save = NULL, *line;

	ch_rows__take(r, t, &b);
	*rows = b.rows;
	if (b.buf) {
		assert_int_equal(b.buf[b.len - 1], '\n');
		b.buf[b.len - 1] = '\0';
		for (line = strtok_r(b.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			cJSON *o = cJSON_Parse(line);

			assert_non_null(o);
			cJSON_AddItemToArray(arr, o);
		}
	}
	ch_batch__free(&b);
	return arr;
}

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));

	assert_non_null(v);
	return v;
}

static void test_event_row(void **state)
{
	struct ch_rows *r = ch_rows__new("host-a");
	cJSON *ev = cJSON_Parse(event_json), *rows, *row, *attrs, *st, *frames;
	uint64_t n;
	char ts_ns[32];

	(void)state;
	assert_int_equal(ch_rows__event(r, ev, T0), 0);
	rows = lines(r, CH_EVENTS, &n);
	assert_int_equal(n, 1);
	row = cJSON_GetArrayItem(rows, 0);
	snprintf(ts_ns, sizeof(ts_ns), "%llu", (unsigned long long)T0);
	assert_string_equal(s(row, "ts_ns"), ts_ns);
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(row, "ts")), T0 / 1000000000ULL);
	assert_string_equal(s(row, "host"), "host-a");
	assert_string_equal(s(row, "type"), "conn_refused");
	assert_string_equal(s(row, "comm"), "cli\"ent");
	assert_string_equal(s(row, "cgroup"), "/a");
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(row, "pid")), 42);
	assert_string_not_equal(s(row, "stack_hash"), "0");
	attrs = cJSON_Parse(s(row, "attrs"));
	assert_non_null(attrs);
	assert_null(cJSON_GetObjectItem(attrs, "stack"));
	assert_null(cJSON_GetObjectItem(attrs, "pid"));
	assert_string_equal(s(attrs, "errno"), "ECONNREFUSED");
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(attrs, "dport")), 8080);

	st = lines(r, CH_STACKS, &n);
	assert_int_equal(n, 1);
	assert_string_equal(s(cJSON_GetArrayItem(st, 0), "stack_hash"), s(row, "stack_hash"));
	assert_string_equal(s(cJSON_GetArrayItem(st, 0), "date"), "2024-10-04");
	frames = cJSON_GetObjectItem(cJSON_GetArrayItem(st, 0), "frames");
	assert_int_equal(cJSON_GetArraySize(frames), 3);
	/* Root first; an unnamed frame is module+0xoffset. */
	assert_string_equal(cJSON_GetArrayItem(frames, 0)->valuestring, "client+0x1000");
	assert_string_equal(cJSON_GetArrayItem(frames, 2)->valuestring, "tcp_v4_connect");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(st, 0),
		"modules"), 0)->valuestring, "/opt/app/client");
	cJSON_Delete(attrs);
	cJSON_Delete(st);
	cJSON_Delete(rows);

	/* The same stack: not again that day, again the next. */
	assert_int_equal(ch_rows__event(r, ev, T0 + 1000), 0);
	cJSON_Delete(lines(r, CH_STACKS, &n));
	assert_int_equal(n, 0);
	assert_int_equal(ch_rows__event(r, ev, T0 + DAY_NS), 0);
	cJSON_Delete(lines(r, CH_STACKS, &n));
	assert_int_equal(n, 1);
	cJSON_Delete(lines(r, CH_EVENTS, &n));
	assert_int_equal(n, 2);
	cJSON_Delete(ev);
	ch_rows__free(r);
}

static void test_event_without_stack(void **state)
{
	struct ch_rows *r = ch_rows__new("h");
	cJSON *ev = cJSON_Parse("{\"type\":\"oom_kill\",\"pid\":1,\"comm\":\"x\",\"cgroup\":null}");
	cJSON *rows;
	uint64_t n;

	(void)state;
	assert_int_equal(ch_rows__event(r, ev, T0), 0);
	rows = lines(r, CH_EVENTS, &n);
	assert_int_equal(n, 1);
	assert_string_equal(s(cJSON_GetArrayItem(rows, 0), "stack_hash"), "0");
	assert_string_equal(s(cJSON_GetArrayItem(rows, 0), "cgroup"), "");
	cJSON_Delete(lines(r, CH_STACKS, &n));
	assert_int_equal(n, 0);
	cJSON_Delete(rows);
	cJSON_Delete(ev);
	ch_rows__free(r);
}

static void test_samples(void **state)
{
	struct profile_frame f1[2] = { { .name = "main", .module = "/bin/a" },
				       { .name = "work", .module = "/bin/a" } };
	struct profile_frame f2[1] = { { .name = "main", .module = "/bin/b" } };
	struct profile_stack st[3] = {
		{ .pid = 7, .comm = "a", .frames = f1, .nframes = 2, .count = 5 },
		{ .pid = 8, .comm = "b", .frames = f2, .nframes = 1, .count = 3 },
		{ .pid = 9, .comm = "c", .frames = f2, .nframes = 1, .count = 0 },
	};
	struct profile_data p = { .stacks = st, .nstacks = 3 };
	struct ch_rows *r = ch_rows__new("h");
	cJSON *rows, *stacks;
	uint64_t n;

	(void)state;
	assert_int_equal(ch_rows__samples(r, &p, T0, "cpu"), 0);
	rows = lines(r, CH_SAMPLES, &n);
	assert_int_equal(n, 2);	/* a stack that gained nothing is no row */
	assert_string_equal(s(cJSON_GetArrayItem(rows, 0), "count"), "5");
	assert_string_equal(s(cJSON_GetArrayItem(rows, 0), "kind"), "cpu");
	/* Same name, other module: another stack. */
	assert_string_not_equal(s(cJSON_GetArrayItem(rows, 0), "stack_hash"),
				s(cJSON_GetArrayItem(rows, 1), "stack_hash"));
	stacks = lines(r, CH_STACKS, &n);
	assert_int_equal(n, 2);
	cJSON_Delete(stacks);
	cJSON_Delete(rows);
	ch_rows__free(r);
}

static void test_host(void **state)
{
	struct ch_rows *r = ch_rows__new("h1");
	cJSON *addrs = cJSON_Parse("[\"10.0.0.5\",\"fe80::1\"]"), *rows, *row;
	uint64_t n;

	(void)state;
	assert_int_equal(ch_rows__host(r, T0, addrs, "6.18.0", "1.2.3"), 0);
	rows = lines(r, CH_HOSTS, &n);
	assert_int_equal(n, 1);
	row = cJSON_GetArrayItem(rows, 0);
	assert_string_equal(s(row, "host"), "h1");
	assert_string_equal(s(row, "kernel"), "6.18.0");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(row, "addresses")), 2);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(row, "addresses"), 1)->valuestring,
			    "fe80::1");
	cJSON_Delete(rows);
	cJSON_Delete(addrs);
	ch_rows__free(r);
}

static void test_hash(void **state)
{
	const char *n1[] = { "a", "b" }, *m1[] = { "x", "y" };
	const char *n2[] = { "ab", "" }, *m2[] = { "x", "y" };

	(void)state;
	/* Field boundaries count: "a","b" is not "ab","". */
	assert_true(ch_stack_hash(n1, m1, 2) != ch_stack_hash(n2, m2, 2));
	assert_true(ch_stack_hash(n1, m1, 2) == ch_stack_hash(n1, m1, 2));
	assert_true(ch_stack_hash(n1, m1, 0) != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_row),
		cmocka_unit_test(test_event_without_stack),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
