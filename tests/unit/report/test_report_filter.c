// SPDX-License-Identifier: GPL-2.0
/* report --pid/--comm/--since/--until/--incident: times parsed, incidents picked. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "record/recording.h"
#include "report/report_filter.h"

#define S 1000000000LL

static void test_time_parse(void **state)
{
	const char *bad[] = { "", "-1", "1.", "x", "24:00:00", "12:60:00", "12:00:60", "1:00:00",
			      "12:00:00x", "12:00", "1e3", "2026-11-23" };
	struct report_time t;

	(void)state;
	assert_int_equal(report_time_parse("90", &t), 0);
	assert_int_equal(t.kind, REPORT_TIME_OFFSET);
	assert_true(t.ns == 90 * S);
	assert_int_equal(report_time_parse("2.25", &t), 0);
	assert_true(t.ns == 2250000000LL);
	assert_int_equal(report_time_parse("14:03:12", &t), 0);
	assert_int_equal(t.kind, REPORT_TIME_CLOCK);
	assert_true(t.ns == (14 * 3600 + 3 * 60 + 12) * S);
	assert_int_equal(report_time_parse("00:00:01.5", &t), 0);
	assert_true(t.ns == 1500000000LL);
	assert_int_equal(report_time_parse("2026-11-23T14:00:00Z", &t), 0);
	assert_int_equal(t.kind, REPORT_TIME_ABSOLUTE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(report_time_parse(bad[i], &t), -EINVAL);
}

static void test_time_resolve(void **state)
{
	struct report_time t;
	int64_t start, day;

	(void)state;
	assert_int_equal(rec_time_parse("2026-11-23T23:50:00Z", &start), 0);
	assert_int_equal(rec_time_parse("2026-11-23T00:00:00Z", &day), 0);
	report_time_parse("30", &t);
	assert_true(report_time_resolve(&t, start) == start + 30 * S);
	/* a time of day just before the start is that day's; 00:10 is the next day's */
	report_time_parse("23:49:00", &t);
	assert_true(report_time_resolve(&t, start) == day + (23 * 3600 + 49 * 60) * S);
	report_time_parse("00:10:00", &t);
	assert_true(report_time_resolve(&t, start) == day + 86400 * S + 600 * S);
	report_time_parse("2026-11-23T14:00:00Z", &t);
	assert_true(report_time_resolve(&t, start) == day + 14 * 3600 * S);
}

/*
 * Three incidents: 1 (pid 10 "api", 0-10 s), 2 (pid 20 "db" with a thread
 * "db-io", 20-30 s), 3 (pids 10 and 30, 40-50 s).
 */
struct fixture {
	struct report_model m;
	struct cl_event ev[4];
	struct cl_process procs[3];
	struct cl_result res;
};

static uint32_t *ids(int n, ...)
{
	uint32_t *a = malloc(n * sizeof(*a));
	va_list ap;

	assert_non_null(a);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		a[i] = va_arg(ap, uint32_t);
	va_end(ap);
	return a;
}

static void add_incident(struct fixture *f, uint32_t id, int64_t t0, int64_t t1, uint32_t *ev,
			 size_t nev, uint32_t *pr, size_t npr)
{
	struct cl_incident *inc = &f->res.incidents[f->res.nincidents++];

	*inc = (struct cl_incident){ .id = id, .start_ns = f->m.start_ns + t0 * S,
				     .end_ns = f->m.start_ns + t1 * S, .events = ev,
				     .nevents = nev, .procs = pr, .nprocs = npr };
}

static void fixture_init(struct fixture *f)
{
	struct strmap *s = strmap__new(0);
	uint32_t api = strmap__id(s, "api", NULL), db = strmap__id(s, "db", NULL);
	uint32_t dbio = strmap__id(s, "db-io", NULL), cl = strmap__id(s, "client", NULL);

	memset(f, 0, sizeof(*f));
	f->m.strs = s;
	f->m.events = f->ev;
	f->m.start_ns = 1795442400LL * S;
	f->ev[0] = (struct cl_event){ .pid = 10, .comm = api };
	f->ev[1] = (struct cl_event){ .pid = 20, .comm = dbio };
	f->ev[2] = (struct cl_event){ .pid = 10, .comm = api };
	f->ev[3] = (struct cl_event){ .pid = 30, .comm = cl };
	f->procs[0] = (struct cl_process){ .pid = 10, .comm = api };
	f->procs[1] = (struct cl_process){ .pid = 20, .comm = db };
	f->procs[2] = (struct cl_process){ .pid = 30, .comm = cl };
	f->res.procs = f->procs;
	f->res.incidents = calloc(3, sizeof(*f->res.incidents));
	assert_non_null(f->res.incidents);
	add_incident(f, 1, 0, 10, ids(1, 0), 1, ids(1, 0), 1);
	add_incident(f, 2, 20, 30, ids(1, 1), 1, ids(1, 1), 1);
	add_incident(f, 3, 40, 50, ids(2, 2, 3), 2, ids(2, 0, 2), 2);
}

static void fixture_free(struct fixture *f)
{
	f->res.procs = NULL;	/* the fixture's own */
	cl_result_free(&f->res);
	strmap__free(f->m.strs);
}

/* The ids left after filtering a fresh fixture with @flt, as digits: "13". */
static void expect(const struct report_filter *flt, const char *want)
{
	struct fixture f;
	char got[8] = "";

	fixture_init(&f);
	report_filter_apply(flt, &f.m, &f.res);
	for (size_t k = 0; k < f.res.nincidents; k++)
		got[k] = '0' + f.res.incidents[k].id;
	assert_string_equal(got, want);
	fixture_free(&f);
}

static void test_apply(void **state)
{
	struct report_filter f = { 0 };

	(void)state;
	assert_false(report_filter_active(&f));
	f.pids[f.npids++] = 10;
	assert_true(report_filter_active(&f));
	expect(&f, "13");
	f.pids[f.npids++] = 20;		/* alternatives */
	expect(&f, "123");
	f.comms[f.ncomms++] = "db-io";	/* and: a thread's name counts */
	expect(&f, "2");
	memset(&f, 0, sizeof(f));
	f.comms[f.ncomms++] = "client";
	expect(&f, "3");
	memset(&f, 0, sizeof(f));
	f.ids[f.nids++] = 2;
	expect(&f, "2");
	f.ids[0] = 9;
	expect(&f, "");
	memset(&f, 0, sizeof(f));
	report_time_parse("25", &f.since);	/* overlap, not containment */
	expect(&f, "23");
	report_time_parse("40", &f.until);
	expect(&f, "23");
	report_time_parse("39.9", &f.until);
	expect(&f, "2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_resolve),
		cmocka_unit_test(test_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
