// SPDX-License-Identifier: GPL-2.0
/* The recording format: round trip, stack interning, truncation, corruption. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "record/recording.h"
#include "record/recording_read.h"
#include "record/recording_write.h"

static char dir[] = "/tmp/faultline-rec.XXXXXX";

static const char *ev_json =
	"{\"type\":\"fd_exhausted\",\"time\":\"2026-11-23T14:03:12.000001Z\",\"pid\":42,"
	"\"tid\":42,\"comm\":\"api\",\"cgroup\":\"/\",\"severity\":\"error\","
	"\"syscall\":\"accept4\",\"errno\":\"EMFILE\",\"limit\":1024,\"open_fds\":1024,"
	"\"stack\":[{\"addr\":\"0x401136\",\"module\":\"/usr/bin/api\",\"symbol\":\"pool_checkout\","
	"\"offset\":\"0x16\"},{\"addr\":\"0x401200\",\"module\":\"/usr/bin/api\",\"symbol\":\"main\","
	"\"offset\":\"0x20\"}],\"leak_sites\":[{\"open\":1019,\"stack\":[{\"symbol\":\"socket\"}]}]}";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static struct rec_writer *open_writer(const char *path)
{
	struct rec_writer_opts o = { .command = "faultline record -o x" };
	struct rec_writer *w = rec_writer__open(path, &o);

	assert_non_null(w);
	return w;
}

static void write_events(struct rec_writer *w, int n)
{
	cJSON *ev = cJSON_Parse(ev_json);

	assert_non_null(ev);
	for (int i = 0; i < n; i++) {
		/* Distinct values keep the stream from compressing to nothing. */
		double v = (i * 7919) % 100003;

		cJSON_SetNumberValue(cJSON_GetObjectItem(ev, "open_fds"), v);
		assert_int_equal(rec_writer__event(w, ev), 0);
	}
	cJSON_Delete(ev);
}

/* Counts records by kind; returns events; *@stat copies the final status. */
static int read_all(const char *path, struct rec_status *stat, int *stacks)
{
	char why[200];
	struct rec_reader *r = rec_reader__open(path, why, sizeof(why));
	struct rec_record rec;
	int events = 0;

	if (!r)
		fprintf(stderr, "open %s: %s\n", path, why);
	assert_non_null(r);
	*stacks = 0;
	while (rec_reader__next(r, &rec) > 0) {
		events += rec.kind == REC_EVENT;
		*stacks += rec.kind == REC_STACK;
	}
	*stat = *rec_reader__status(r);
	rec_reader__free(r);
	return events;
}

static void write_extras(struct rec_writer *w)
{
	struct rec_listen l = { "tcp", "0.0.0.0", 8080 };
	struct rec_process p = { .pid = 42, .ppid = 1, .start_ns = 1000000000, .comm = "api",
				 .cmdline = "api --port 8080", .cgroup = "/", .listen = &l,
				 .nlisten = 1 };
	struct profile_frame f[2] = { { .name = "main", .module = "/usr/bin/api" },
				      { .name = "pool_checkout", .module = "/usr/bin/api" } };
	struct profile_stack s = { .pid = 42, .comm = "api", .frames = f, .nframes = 2,
				   .count = 7 };
	struct profile_data pd = { .stacks = &s, .nstacks = 1, .total_samples = 7,
				   .period_ns = 10101010 };

	assert_int_equal(rec_writer__process(w, &p), 0);
	assert_int_equal(rec_writer__loss(w, 2000000000, "events", "ring buffer full", 3), 0);
	assert_int_equal(rec_writer__profile(w, 2000000000, &pd), 0);
	assert_int_equal(rec_writer__profile(w, 3000000000, &pd), 0);
}

static void test_round_trip(void **state)
{
	char path[300], why[200], partial[320];
	struct rec_writer *w;
	struct rec_reader *r;
	struct rec_record rec;
	cJSON *orig = cJSON_Parse(ev_json), *got = NULL;
	int kinds[REC_UNKNOWN + 1] = { 0 };

	(void)state;
	path_of(path, sizeof(path), "round.rec");
	w = open_writer(path);
	snprintf(partial, sizeof(partial), "%s", rec_writer__partial_path(w));
	write_events(w, 3);
	write_extras(w);
	assert_int_equal(rec_writer__close(w), 0);
	assert_int_equal(access(partial, F_OK), -1);
	r = rec_reader__open(path, why, sizeof(why));
	assert_non_null(r);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(rec_reader__header(r),
								     "format")), RECORDING_FORMAT);
	while (rec_reader__next(r, &rec) > 0) {
		kinds[rec.kind]++;
		if (rec.kind == REC_EVENT && !got)
			got = cJSON_Duplicate(rec.json, 1);
	}
	/* Two distinct stacks (event + leak site) written once for three events. */
	assert_int_equal(kinds[REC_EVENT], 3);
	assert_int_equal(kinds[REC_STACK], 2);
	assert_int_equal(kinds[REC_PSTACK], 1);
	assert_int_equal(kinds[REC_PROFILE], 2);
	assert_int_equal(kinds[REC_PROCESS], 1);
	assert_int_equal(kinds[REC_LOSS], 1);
	assert_int_equal(kinds[REC_TRAILER], 1);
	assert_true(rec_reader__status(r)->complete);
	assert_false(rec_reader__status(r)->truncated);
	assert_non_null(got);
	assert_null(cJSON_GetObjectItem(got, "stack"));
	assert_int_equal(rec_reader__expand(r, got), 0);
	cJSON_SetNumberValue(cJSON_GetObjectItem(orig, "open_fds"), 0);
	assert_true(cJSON_Compare(orig, got, 1));
	cJSON_Delete(got);
	cJSON_Delete(orig);
	rec_reader__free(r);
}

/* A recorder killed with SIGKILL: everything up to the last flush is readable. */
static void test_killed_recorder(void **state)
{
	char path[300], partial[320];
	struct rec_status st;
	int status, stacks, events;
	pid_t pid;

	(void)state;
	path_of(path, sizeof(path), "killed.rec");
	snprintf(partial, sizeof(partial), "%s%s", path, RECORDING_PARTIAL_SUFFIX);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct rec_writer *w = open_writer(path);

		write_events(w, 10);
		usleep(1100 * 1000);
		write_events(w, 1);	/* due: flushes all eleven */
		write_events(w, 5);	/* still in zlib's buffer when killed */
		raise(SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(access(path, F_OK), -1);
	events = read_all(partial, &st, &stacks);
	assert_true(events >= 11 && events < 16);
	assert_true(st.truncated);
	assert_false(st.complete);
	assert_true(strlen(st.why) > 0);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void make_recording(const char *path, int events)
{
	struct rec_writer *w = open_writer(path);

	write_events(w, events);
	write_extras(w);
	assert_int_equal(rec_writer__close(w), 0);
}

static void test_cut_copy(void **state)
{
	char path[300], cut[300];
	struct rec_status st;
	size_t len;
	char *data;
	int stacks, events;

	(void)state;
	path_of(path, sizeof(path), "full.rec");
	path_of(cut, sizeof(cut), "cut.rec");
	make_recording(path, 2000);
	data = read_file(path, &len);
	write_file(cut, data, len / 2);
	free(data);
	events = read_all(cut, &st, &stacks);
	assert_true(events > 0 && events < 2000);
	assert_true(st.truncated || st.corrupt);
	assert_false(st.complete);
}

static void test_corrupt_middle(void **state)
{
	char path[300];
	struct rec_status st;
	size_t len;
	char *data;
	int stacks, events;

	(void)state;
	path_of(path, sizeof(path), "corrupt.rec");
	make_recording(path, 2000);
	data = read_file(path, &len);
	for (size_t i = len / 2; i < len / 2 + 64; i++)
		data[i] ^= 0x5a;
	write_file(path, data, len);
	free(data);
	events = read_all(path, &st, &stacks);
	assert_true(events < 2000);
	assert_false(st.complete);
	assert_true(st.corrupt || st.truncated || st.bad_lines > 0);
}

/* Stack ids far beyond the definitions seen are damage, not a reason to allocate. */
static void test_stack_id_bounds(void **state)
{
	static const char text[] =
		"{\"rec\":\"header\",\"format\":\"faultline-recording\",\"version\":1}\n"
		"{\"rec\":\"stack\",\"id\":1,\"frames\":[{\"symbol\":\"a\"}]}\n"
		"{\"rec\":\"stack\",\"id\":16000000,\"frames\":[]}\n"
		"{\"rec\":\"pstack\",\"id\":-3,\"frames\":[]}\n"
		"{\"rec\":\"pstack\",\"id\":2,\"frames\":[]}\n"
		"{\"rec\":\"trailer\"}\n";
	char path[300], why[200];
	struct rec_reader *r;
	struct rec_record rec;

	(void)state;
	path_of(path, sizeof(path), "ids.rec");
	write_file(path, text, sizeof(text) - 1);
	r = rec_reader__open(path, why, sizeof(why));
	assert_non_null(r);
	while (rec_reader__next(r, &rec) > 0)
		;
	assert_int_equal(rec_reader__status(r)->bad_lines, 2);
	assert_non_null(rec_reader__stack(r, 1));
	assert_null(rec_reader__stack(r, 16000000));
	assert_non_null(rec_reader__pstack(r, 2));
	assert_true(rec_reader__pstack_count(r) < 1024);
	rec_reader__free(r);
}

static void test_not_a_recording(void **state)
{
	char path[300], why[200];
	struct rec_reader *r;

	(void)state;
	path_of(path, sizeof(path), "empty.rec");
	write_file(path, "", 0);
	r = rec_reader__open(path, why, sizeof(why));
	assert_null(r);
	assert_int_equal(errno, ENODATA);
	r = rec_reader__open(dir, why, sizeof(why));
	assert_null(r);
	assert_int_equal(errno, EISDIR);
	path_of(path, sizeof(path), "cut.rec");
	write_file(path, "{\"rec\":\"header\",\"form", strlen("{\"rec\":\"header\",\"form"));
	r = rec_reader__open(path, why, sizeof(why));
	assert_null(r);
	assert_int_equal(errno, ENODATA);
	assert_non_null(strstr(why, "ends inside its header"));
	path_of(path, sizeof(path), "text.rec");
	write_file(path, "hello world\n", 12);
	r = rec_reader__open(path, why, sizeof(why));
	assert_null(r);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(why, "not a faultline recording"));
	path_of(path, sizeof(path), "newer.rec");
	write_file(path, "{\"rec\":\"header\",\"format\":\"faultline-recording\",\"version\":99}\n",
		   61);
	r = rec_reader__open(path, why, sizeof(why));
	assert_null(r);
	assert_int_equal(errno, ENOTSUP);
	path_of(path, sizeof(path), "missing.rec");
	assert_null(rec_reader__open(path, why, sizeof(why)));
	assert_int_equal(errno, ENOENT);
}

static void test_time_format(void **state)
{
	char buf[40];
	int64_t t;

	(void)state;
	rec_time_format(1795442592123456000LL, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-23T14:03:12.123456Z");
	assert_int_equal(rec_time_parse(buf, &t), 0);
	assert_true(t == 1795442592123456000LL);
	assert_int_equal(rec_time_parse("2026-11-23T15:03:12.5+01:00", &t), 0);
	assert_true(t == 1795442592500000000LL);
	assert_int_equal(rec_time_parse("2026-11-23T14:03:12Z", &t), 0);
	assert_true(t == 1795442592000000000LL);
	assert_int_equal(rec_time_parse("2026-13-23T14:03:12Z", &t), -EINVAL);
	assert_int_equal(rec_time_parse("yesterday", &t), -EINVAL);
	assert_int_equal(rec_time_parse(NULL, &t), -EINVAL);
	/* Outside what int64 nanoseconds since 1970 hold: refused, not wrapped. */
	assert_int_equal(rec_time_parse("2262-01-01T00:00:00Z", &t), -ERANGE);
	assert_int_equal(rec_time_parse("9999-12-31T23:59:59.999999Z", &t), -ERANGE);
	assert_int_equal(rec_time_parse("0000-01-01T00:00:00Z", &t), -ERANGE);
	assert_int_equal(rec_time_parse("1970-01-01T00:30:00+01:00", &t), -ERANGE);
	assert_int_equal(rec_time_parse("2261-12-31T23:59:59.999999Z", &t), 0);
	assert_true(t == 9214646399999999000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_killed_recorder),
		cmocka_unit_test(test_cut_copy),
		cmocka_unit_test(test_corrupt_middle),
		cmocka_unit_test(test_stack_id_bounds),
		cmocka_unit_test(test_not_a_recording),
		cmocka_unit_test(test_time_format),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
