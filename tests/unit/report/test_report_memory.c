// SPDX-License-Identifier: GPL-2.0
/*
 * memory_growth of OOM incidents: the ranking of heap_summary and rss_growth
 * rows (pure, on fixture events), and the choice of summaries around a kill
 * (recordings written and loaded back as `faultline report` does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "record/recording.h"
#include "record/recording_write.h"
#include "report/report.h"
#include "report/report_model.h"

#define T0 1795442592000000000LL
#define MIB 1048576.0

#define APP "\"module\":\"/usr/bin/app\""
#define LIBC "\"module\":\"/lib/x86_64-linux-gnu/libc.so.6\""
#define KFAULT "{\"addr\":\"0xffffffff816057ad\",\"module\":\"[kernel]\"," \
	"\"symbol\":\"do_anonymous_page\",\"offset\":2317}"
/* A stack: the page fault, memset at @off, then @fn < main. */
#define STACK(off, fn) "[" KFAULT ",{\"addr\":\"0x7f00" off "\"," LIBC ",\"symbol\":\"memset\"," \
	"\"offset\":" off "},{\"addr\":\"0x4010\"," APP ",\"symbol\":\"" fn "\",\"offset\":9}," \
	"{\"addr\":\"0x4020\"," APP ",\"symbol\":\"main\",\"offset\":40}]"

static const char *const rss_fixture =
	"{\"type\":\"rss_growth\",\"pid\":42,\"comm\":\"app\",\"kept_bytes\":52428800,"
	"\"growth\":["
	"{\"bytes\":31457280,\"grown_bytes\":31457280,\"stack\":" STACK("10", "keep_site") "},"
	"{\"bytes\":10485760,\"grown_bytes\":10485760,\"stack\":" STACK("20", "keep_site") "},"
	"{\"bytes\":5242880,\"grown_bytes\":5242880,\"stack\":" STACK("10", "cache_fill") "},"
	"{\"bytes\":262144,\"grown_bytes\":125829120,\"stack\":" STACK("10", "churn_site") "},"
	"{\"bytes\":0,\"grown_bytes\":0,\"stack\":" STACK("10", "nothing") "}]}";

static const char *const heap_fixture =
	"{\"type\":\"heap_summary\",\"pid\":43,\"comm\":\"worker\",\"live_bytes\":1000000,"
	"\"live\":[{\"bytes\":900000,\"objects\":10,\"stack\":" STACK("30", "keep_site") "},"
	"{\"bytes\":100000,\"objects\":1,\"stack\":" STACK("30", "churn_site") "}]}";

/* The same site walked whole and, before its tables were loaded, cut short. */
#define TRUNC "{\"addr\":\"0xfffffffffffffffe\",\"module\":null,\"symbol\":\"[truncated]\"," \
	"\"offset\":0}"
static const char *const truncated_fixture =
	"{\"type\":\"rss_growth\",\"pid\":44,\"comm\":\"app\",\"kept_bytes\":70254592,"
	"\"growth\":["
	"{\"bytes\":62914560,\"grown_bytes\":62914560,\"stack\":" STACK("10", "keep_site") "},"
	"{\"bytes\":5242880,\"grown_bytes\":5242880,\"stack\":[" KFAULT ",{\"addr\":\"0x7f0010\","
	LIBC ",\"symbol\":\"memset\",\"offset\":10},{\"addr\":\"0x4010\"," APP
	",\"symbol\":\"keep_site\",\"offset\":9}," TRUNC "]},"
	"{\"bytes\":2097152,\"grown_bytes\":2097152,\"stack\":[" KFAULT "," TRUNC "]}]}";

static const char *fn_of(const cJSON *row)
{
	const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(row, "stack"), 2);

	return cJSON_GetStringValue(cJSON_GetObjectItem(f, "symbol"));
}

static double num(const cJSON *row, const char *name)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItem(row, name));
}

/* A cut-short walk of a site joins its whole stack; one that begins no other stays. */
static void test_rank_truncated(void **state)
{
	cJSON *sum = cJSON_Parse(truncated_fixture), *g;
	const cJSON *sums[] = { sum };

	(void)state;
	assert_non_null(sum);
	g = report_memory_rank(sums, 1, 5);
	assert_non_null(g);
	assert_int_equal(cJSON_GetArraySize(g), 2);
	assert_string_equal(fn_of(cJSON_GetArrayItem(g, 0)), "keep_site");
	assert_true(num(cJSON_GetArrayItem(g, 0), "bytes") == 65 * MIB);
	assert_true(num(cJSON_GetArrayItem(g, 1), "bytes") == 2 * MIB);
	cJSON_Delete(g);
	cJSON_Delete(sum);
}

/* Sites in the same functions merge; largest kept first; churn last; shares of the total. */
static void test_rank_rss(void **state)
{
	cJSON *sum = cJSON_Parse(rss_fixture), *g;
	const cJSON *sums[] = { sum };
	char path[128];

	(void)state;
	assert_non_null(sum);
	g = report_memory_rank(sums, 1, 5);
	assert_non_null(g);
	assert_int_equal(cJSON_GetArraySize(g), 3);	/* "nothing" grew nothing */
	assert_string_equal(fn_of(cJSON_GetArrayItem(g, 0)), "keep_site");
	assert_true(num(cJSON_GetArrayItem(g, 0), "bytes") == 40 * MIB);
	assert_true(num(cJSON_GetArrayItem(g, 0), "share") == 0.8);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(g, 0),
							       "source")), "rss");
	assert_true(num(cJSON_GetArrayItem(g, 0), "pid") == 42);
	assert_string_equal(fn_of(cJSON_GetArrayItem(g, 1)), "cache_fill");
	assert_string_equal(fn_of(cJSON_GetArrayItem(g, 2)), "churn_site");
	assert_true(num(cJSON_GetArrayItem(g, 2), "grown_bytes") == 120 * MIB);
	assert_true(num(cJSON_GetArrayItem(g, 2), "share") == 0.005);
	report_memory_path(cJSON_GetObjectItem(cJSON_GetArrayItem(g, 0), "stack"), path,
			   sizeof(path));
	assert_string_equal(path, "keep_site < main");
	cJSON_Delete(g);
	g = report_memory_rank(sums, 1, 1);	/* at most @max rows */
	assert_int_equal(cJSON_GetArraySize(g), 1);
	cJSON_Delete(g);
	cJSON_Delete(sum);
}

/* Heap and RSS rows of two processes share one total; heap rows have no grown_bytes. */
static void test_rank_mixed(void **state)
{
	cJSON *a = cJSON_Parse(rss_fixture), *b = cJSON_Parse(heap_fixture), *g;
	const cJSON *sums[] = { a, b };
	const cJSON *heap_row;

	(void)state;
	g = report_memory_rank(sums, 2, 10);
	assert_int_equal(cJSON_GetArraySize(g), 5);
	assert_string_equal(fn_of(cJSON_GetArrayItem(g, 0)), "keep_site");
	assert_true(num(cJSON_GetArrayItem(g, 0), "pid") == 42);
	heap_row = cJSON_GetArrayItem(g, 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(heap_row, "source")),
			    "heap");
	assert_true(num(heap_row, "bytes") == 900000);
	assert_null(cJSON_GetObjectItem(heap_row, "grown_bytes"));
	assert_true(num(heap_row, "share") == 0.0168);	/* 900000 / 53428800 */
	cJSON_Delete(g);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* Nothing to rank: an empty array, not NULL; unknown types are left out. */
static void test_rank_empty(void **state)
{
	cJSON *other = cJSON_Parse("{\"type\":\"oom_kill\",\"growth\":[{\"bytes\":5}]}");
	const cJSON *sums[] = { other };
	cJSON *g = report_memory_rank(sums, 1, 5);

	(void)state;
	assert_non_null(g);
	assert_int_equal(cJSON_GetArraySize(g), 0);
	cJSON_Delete(g);
	cJSON_Delete(other);
}

struct fixture {
	char dir[64], path[128];
	struct rec_writer *w;
	struct report_model m;
	bool loaded;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/faultline-mem.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/rec", f->dir);
	f->w = rec_writer__open(f->path, &(struct rec_writer_opts){ .command = "test" });
	*state = f;
	return f->w ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[96];

	rec_writer__abandon(f->w);
	if (f->loaded)
		report_model_free(&f->m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	free(f);
	return system(cmd);
}

/* ev(f, type, ms since T0, pid, cgroup, extra JSON members) */
static void ev(struct fixture *f, const char *type, long ms, int pid, const char *cg,
	       const char *extra)
{
	char when[40], buf[4096];
	cJSON *o;

	rec_time_format(T0 + ms * 1000000LL, when, sizeof(when));
	snprintf(buf, sizeof(buf), "{\"type\":\"%s\",\"time\":\"%s\",\"pid\":%d,\"tid\":%d,"
		 "\"comm\":\"app\",\"cgroup\":\"%s\",\"severity\":\"info\",%s}", type, when, pid,
		 pid, cg, extra);
	o = cJSON_Parse(buf);
	assert_non_null(o);
	assert_int_equal(rec_writer__event(f->w, o), 0);
	cJSON_Delete(o);
}

/* An rss_growth of @pid: @mib kept at @fn. */
static void rss(struct fixture *f, long ms, int pid, const char *cg, int mib, const char *fn)
{
	char extra[2048];

	snprintf(extra, sizeof(extra), "\"kept_bytes\":%d,\"growth\":[{\"bytes\":%d,"
		 "\"grown_bytes\":%d,\"stack\":[{\"addr\":\"0x4010\"," APP ",\"symbol\":\"%s\"}]}]",
		 mib << 20, mib << 20, mib << 20, fn);
	ev(f, "rss_growth", ms, pid, cg, extra);
}

static cJSON *growth_at_kill(struct fixture *f)
{
	char why[200];

	assert_int_equal(rec_writer__close(f->w), 0);
	f->w = NULL;
	assert_int_equal(report_model_load(&f->m, f->path, why, sizeof(why)), 0);
	f->loaded = true;
	assert_int_equal(f->m.nevents, 1);	/* the kill; the summaries are kept aside */
	assert_int_equal(f->m.events[0].type, CL_OOM_KILL);
	return report_memory_growth(&f->m, &f->m.events[0]);
}

#define OOM "\"victim\":{\"pid\":42,\"comm\":\"app\",\"memcg\":\"/app\"}"

/*
 * The victim's last summary up to its exit's (after the kill), heap before
 * RSS, peers in its memory cgroup up to the kill; not other cgroups' processes,
 * not a summary long after.
 */
static void test_choice_around_kill(void **state)
{
	struct fixture *f = *state;
	cJSON *g;

	rss(f, 0, 42, "/app", 10, "early_site");
	rss(f, 5000, 42, "/app", 30, "keep_site");	/* the latest: cumulative */
	rss(f, 1000, 43, "/app", 3, "peer_site");
	rss(f, 1000, 44, "/other", 50, "unrelated_site");
	rss(f, 9000, 43, "/app", 20, "peer_after_kill");
	ev(f, "oom_kill", 6000, 42, "/app", OOM);
	rss(f, 6100, 42, "/app", 31, "keep_site");	/* the exit's, after the kill */
	rss(f, 60000, 42, "/app", 99, "pid_reused");
	g = growth_at_kill(f);
	assert_non_null(g);
	assert_int_equal(cJSON_GetArraySize(g), 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(cJSON_GetArrayItem(g, 0), "stack"), 0), "symbol")),
		"keep_site");
	assert_true(num(cJSON_GetArrayItem(g, 0), "bytes") == 31 * MIB);
	assert_true(num(cJSON_GetArrayItem(g, 1), "bytes") == 3 * MIB);
	assert_true(num(cJSON_GetArrayItem(g, 1), "pid") == 43);
	cJSON_Delete(g);
}

static void test_heap_first(void **state)
{
	struct fixture *f = *state;
	cJSON *g;

	rss(f, 0, 42, "/app", 30, "faulted_site");
	ev(f, "heap_summary", 100, 42, "/app", "\"live_bytes\":1000,\"live\":[{\"bytes\":1000,"
	   "\"stack\":[{\"addr\":\"0x4010\"," APP ",\"symbol\":\"alloc_site\"}]}]");
	ev(f, "oom_kill", 200, 42, "/app", OOM);
	g = growth_at_kill(f);
	assert_int_equal(cJSON_GetArraySize(g), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(g, 0),
							       "source")), "heap");
	assert_true(num(cJSON_GetArrayItem(g, 0), "share") == 1);
	cJSON_Delete(g);
}

/* A recording without summaries (older, or rss off): an empty memory_growth. */
static void test_no_summaries(void **state)
{
	struct fixture *f = *state;
	cJSON *g;

	ev(f, "oom_kill", 200, 42, "/app", OOM);
	g = growth_at_kill(f);
	assert_non_null(g);
	assert_int_equal(cJSON_GetArraySize(g), 0);
	cJSON_Delete(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rank_rss),
		cmocka_unit_test(test_rank_truncated),
		cmocka_unit_test(test_rank_mixed),
		cmocka_unit_test(test_rank_empty),
		cmocka_unit_test_setup_teardown(test_choice_around_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heap_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_summaries, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
