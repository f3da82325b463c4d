// SPDX-License-Identifier: GPL-2.0
/*
 * Correlation on synthetic event streams, written as real recordings and
 * loaded back the way `faultline report` does.
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

#include "report/correlate.h"
#include "record/recording.h"
#include "record/recording_write.h"
#include "report/report.h"
#include "report/report_model.h"

#define T0 1795442592000000000LL
#define SEC 1000000000LL

struct fixture {
	char dir[64], path[128];
	struct rec_writer *w;
	struct report_model m;
	struct cl_result res;
	bool loaded;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/faultline-cl.XXXXXX");
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
	if (f->loaded) {
		cl_result_free(&f->res);
		report_model_free(&f->m);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	free(f);
	return system(cmd);
}

/* ev(f, type, ms since T0, pid, comm, extra JSON members or "") */
static void ev(struct fixture *f, const char *type, long ms, int pid, const char *comm,
	       const char *extra)
{
	char when[40], buf[2048];
	cJSON *o;

	rec_time_format(T0 + ms * 1000000LL, when, sizeof(when));
	snprintf(buf, sizeof(buf), "{\"type\":\"%s\",\"time\":\"%s\",\"pid\":%d,\"tid\":%d,"
		 "\"comm\":\"%s\",\"cgroup\":\"/\",\"severity\":\"error\"%s%s}", type, when, pid,
		 pid, comm, *extra ? "," : "", extra);
	o = cJSON_Parse(buf);
	assert_non_null(o);
	assert_int_equal(rec_writer__event(f->w, o), 0);
	cJSON_Delete(o);
}

static void proc(struct fixture *f, int pid, int ppid, long start_ms, long exit_ms,
		 const char *comm, int port)
{
	struct rec_listen l = { "tcp", "0.0.0.0", (uint16_t)port };
	struct rec_process p = { .pid = pid, .ppid = ppid, .comm = comm, .cgroup = "/",
				 .start_ns = T0 + start_ms * 1000000LL,
				 .exit_ns = exit_ms ? T0 + exit_ms * 1000000LL : 0,
				 .listen = &l, .nlisten = port ? 1 : 0 };

	assert_int_equal(rec_writer__process(f->w, &p), 0);
}

static void refused(struct fixture *f, long ms, int pid, int port)
{
	char extra[160];

	snprintf(extra, sizeof(extra), "\"daddr\":\"127.0.0.1\",\"dport\":%d,"
		 "\"saddr\":\"127.0.0.1\",\"sport\":%d,\"errno\":\"ECONNREFUSED\"", port,
		 40000 + pid % 20000);
	ev(f, "conn_refused", ms, pid, "client", extra);
}

static void correlate(struct fixture *f)
{
	char why[200];
	struct cl_input in = { 0 };

	assert_int_equal(rec_writer__close(f->w), 0);
	f->w = NULL;
	assert_int_equal(report_model_load(&f->m, f->path, why, sizeof(why)), 0);
	f->loaded = true;
	in.events = f->m.events;
	in.nevents = f->m.nevents;
	in.procs = f->m.procs;
	in.nprocs = f->m.nprocs;
	in.strs = f->m.strs;
	assert_int_equal(cl_correlate(&in, &f->res), 0);
}

static const struct cl_event *root_of(struct fixture *f, size_t k)
{
	return &f->m.events[f->res.incidents[k].root];
}

static const char *str(struct fixture *f, uint32_t id)
{
	return strmap__id_str(f->m.strs, id);
}

#define LIBC "\"module\":\"/lib/x86_64-linux-gnu/libc.so.6\""
#define API "\"module\":\"/usr/bin/api\""
#define ACCEPT_STACK "\"stack\":[{\"addr\":\"0x7f0010\",\"symbol\":\"accept4\"," LIBC "}," \
	"{\"addr\":\"0x401136\",\"symbol\":\"serve_client\"," API "}," \
	"{\"addr\":\"0x401200\",\"symbol\":\"main\"," API "}]"
#define LEAKS "\"leak_sites\":[{\"open\":1019,\"stack\":[{\"symbol\":\"socket\"," LIBC "}," \
	"{\"symbol\":\"pool_checkout\"," API "}]}]"

/* Scenario 1: a server leaks fds until EMFILE while clients are refused. */
static void test_fd_leak_scenario(void **state)
{
	struct fixture *f = *state;
	const struct cl_incident *inc;

	proc(f, 100, 1, 0, 0, "api", 8080);
	ev(f, "fd_pressure", 1000, 100, "api", "\"open_fds\":820,\"limit\":1024," LEAKS);
	for (int i = 0; i < 3; i++)
		ev(f, "fd_exhausted", 5000 + i * 10, 100, "api", "\"syscall\":\"accept4\","
		   "\"errno\":\"EMFILE\",\"open_fds\":1024,\"limit\":1024," ACCEPT_STACK ","
		   LEAKS);
	for (int i = 0; i < 20; i++)
		refused(f, 6000 + i * 50, 200 + i, 8080);
	ev(f, "slow_syscall", 5500, 900, "backup", "\"syscall\":\"fsync\",\"duration_ms\":350");
	correlate(f);

	assert_int_equal(f->res.nincidents, 2);
	inc = &f->res.incidents[0];
	assert_int_equal(inc->id, 1);
	assert_int_equal(inc->nevents, 24);
	assert_int_equal(root_of(f, 0)->type, CL_FD_EXHAUSTED);
	assert_true(root_of(f, 0)->time_ns == T0 + 5000 * 1000000LL);
	assert_string_equal(str(f, root_of(f, 0)->where), "serve_client");
	assert_int_equal(inc->impact.refused, 20);
	assert_int_equal(inc->impact.refusing_clients, 20);
	assert_int_equal(inc->impact.fd_failures, 3);
	assert_int_equal(inc->impact.nports, 1);
	assert_int_equal(inc->impact.ports[0], 8080);
	assert_int_equal(inc->severity, 3);
	assert_int_equal(f->res.incidents[1].nevents, 1);
	assert_int_equal(root_of(f, 1)->type, CL_SLOW_SYSCALL);
	assert_int_equal(f->res.incidents[1].severity, 1);
}

/* Scenario 2: an OOM-killed server, then refusals on its port; a same-time tie. */
static void test_oom_scenario(void **state)
{
	struct fixture *f = *state;
	const struct cl_incident *inc;

	proc(f, 300, 1, 0, 8000, "cache", 9090);
	ev(f, "slow_syscall", 7000, 300, "cache", "\"syscall\":\"brk\",\"duration_ms\":180");
	/* The kill's signal is written first with the same time as the OOM kill. */
	ev(f, "signal", 8000, 300, "cache", "\"signal\":\"SIGKILL\",\"sender\":{\"pid\":0}");
	ev(f, "oom_kill", 8000, 300, "cache", "\"victim\":{\"pid\":300,\"comm\":\"cache\","
	   "\"anon_rss_kb\":250000,\"memcg\":\"/faultline/cache\"},\"trigger\":{\"pid\":300}");
	for (int i = 0; i < 10; i++)
		refused(f, 9000 + i * 100, 400 + i, 9090);
	correlate(f);

	assert_int_equal(f->res.nincidents, 1);
	inc = &f->res.incidents[0];
	assert_int_equal(inc->nevents, 13);
	assert_int_equal(root_of(f, 0)->type, CL_OOM_KILL);
	assert_int_equal(root_of(f, 0)->victim_pid, 300);
	assert_int_equal(inc->impact.killed, 1);
	assert_int_equal(inc->impact.refused, 10);
	assert_int_equal(inc->impact.slow_calls, 1);
	assert_true(inc->impact.slow_us == 180000);
}

/* Scenario 3: two unrelated faults in different processes, siblings of one shell. */
static void test_unrelated_faults(void **state)
{
	struct fixture *f = *state;

	proc(f, 50, 1, 0, 0, "bash", 0);
	proc(f, 500, 50, 10, 0, "worker", 0);
	proc(f, 600, 50, 20, 0, "indexer", 0);
	ev(f, "signal", 1000, 500, "worker", "\"signal\":\"SIGSEGV\"");
	ev(f, "fd_exhausted", 1100, 600, "indexer", "\"syscall\":\"openat\",\"errno\":\"EMFILE\"");
	correlate(f);

	assert_int_equal(f->res.nincidents, 2);
	assert_int_equal(root_of(f, 0)->type, CL_SIGNAL);
	assert_int_equal(root_of(f, 1)->type, CL_FD_EXHAUSTED);
	assert_int_equal(f->res.incidents[0].nprocs, 1);
	assert_int_equal(f->res.incidents[1].nprocs, 1);
}

/* A pid reused by a new process is a new process, with or without metadata. */
static void test_pid_reuse(void **state)
{
	struct fixture *f = *state;

	proc(f, 700, 1, 0, 2000, "job", 0);
	proc(f, 700, 1, 3000, 0, "job", 0);
	ev(f, "signal", 1000, 700, "job", "\"signal\":\"SIGSEGV\"");
	ev(f, "signal", 4000, 700, "job", "\"signal\":\"SIGSEGV\"");
	/* No metadata: only the command tells the two apart... */
	ev(f, "signal", 10000, 701, "alpha", "\"signal\":\"SIGABRT\"");
	ev(f, "signal", 11000, 701, "beta", "\"signal\":\"SIGABRT\"");
	/* ...and the same command is taken to be the same process. */
	ev(f, "fd_pressure", 20000, 702, "gamma", "\"open_fds\":900,\"limit\":1024");
	ev(f, "fd_exhausted", 21000, 702, "gamma", "\"errno\":\"EMFILE\"");
	correlate(f);

	assert_int_equal(f->res.nincidents, 5);
	for (size_t k = 0; k < 4; k++)
		assert_int_equal(f->res.incidents[k].nevents, 1);
	assert_int_equal(f->res.incidents[4].nevents, 2);
	assert_int_equal(root_of(f, 4)->type, CL_FD_EXHAUSTED);
}

/*
 * No process metadata at all: refusals on a port nobody is known to own join
 * the OOM kill one second before them by time only, and say so; refusals a
 * minute later stay on their own.
 */
static void test_missing_metadata(void **state)
{
	struct fixture *f = *state;
	const struct cl_incident *a, *b;

	ev(f, "oom_kill", 1000, 800, "db", "\"victim\":{\"pid\":800,\"comm\":\"db\"}");
	refused(f, 2000, 810, 7070);
	refused(f, 2100, 811, 7070);
	refused(f, 61000, 812, 7071);
	correlate(f);

	assert_int_equal(f->res.nincidents, 2);
	a = &f->res.incidents[0];
	b = &f->res.incidents[1];
	assert_int_equal(a->nevents, 3);
	assert_int_equal(root_of(f, 0)->type, CL_OOM_KILL);
	assert_true(a->time_linked);
	assert_int_equal(a->impact.refused, 2);
	assert_int_equal(b->nevents, 1);
	assert_int_equal(root_of(f, 1)->type, CL_CONN_REFUSED);
	assert_false(b->time_linked);
	assert_int_equal(b->severity, 2);
}

/* Input out of time order is put in order; equal times keep input order. */
static void test_ordering(void **state)
{
	struct fixture *f = *state;
	const struct cl_incident *inc;

	ev(f, "fd_exhausted", 3000, 42, "api", "\"errno\":\"EMFILE\"");
	ev(f, "fd_pressure", 1000, 42, "api", "\"open_fds\":900,\"limit\":1024");
	ev(f, "slow_syscall", 3000, 42, "api", "\"syscall\":\"write\",\"duration_ms\":120");
	ev(f, "signal", 3000, 42, "api", "\"signal\":\"SIGABRT\"");
	correlate(f);

	assert_int_equal(f->res.nincidents, 1);
	inc = &f->res.incidents[0];
	assert_int_equal(inc->nevents, 4);
	for (size_t k = 1; k < inc->nevents; k++)
		assert_true(f->m.events[inc->events[k - 1]].time_ns <=
			    f->m.events[inc->events[k]].time_ns);
	assert_int_equal(f->m.events[inc->events[0]].type, CL_FD_PRESSURE);
	assert_int_equal(f->m.events[inc->events[1]].type, CL_FD_EXHAUSTED);
	assert_int_equal(f->m.events[inc->events[2]].type, CL_SLOW_SYSCALL);
	assert_int_equal(f->m.events[inc->events[3]].type, CL_SIGNAL);
	/* fd exhaustion and the abort share a time: the exhaustion explains more. */
	assert_int_equal(root_of(f, 0)->type, CL_FD_EXHAUSTED);
	assert_int_equal(inc->impact.killed, 1);
}

/* A child's crash after its parent ran out of fds belongs to the parent's incident. */
static void test_parent_child(void **state)
{
	struct fixture *f = *state;

	proc(f, 900, 1, 0, 0, "master", 0);
	proc(f, 901, 900, 500, 0, "worker", 0);
	ev(f, "fd_exhausted", 1000, 900, "master", "\"errno\":\"EMFILE\"");
	ev(f, "signal", 1500, 901, "worker", "\"signal\":\"SIGSEGV\"");
	correlate(f);

	assert_int_equal(f->res.nincidents, 1);
	assert_int_equal(root_of(f, 0)->type, CL_FD_EXHAUSTED);
	assert_int_equal(f->res.incidents[0].nprocs, 2);
}

/*
 * One client refused by two dead servers is a witness of both, not a link
 * between them; a loopback refusal's inbound twin is not counted twice.
 */
static void test_client_is_a_witness(void **state)
{
	struct fixture *f = *state;
	const struct cl_incident *a, *b;

	proc(f, 100, 1, 0, 1000, "alpha", 7001);
	proc(f, 200, 1, 0, 1000, "beta", 7002);
	ev(f, "signal", 900, 100, "alpha", "\"signal\":\"SIGSEGV\"");
	ev(f, "signal", 950, 200, "beta", "\"signal\":\"SIGBUS\"");
	for (int i = 0; i < 3; i++) {
		refused(f, 2000 + i * 100, 300, 7001);
		ev(f, "conn_refused", 2000 + i * 100, 0, "", "\"direction\":\"inbound\","
		   "\"saddr\":\"127.0.0.1\",\"sport\":40300,\"daddr\":\"127.0.0.1\","
		   "\"dport\":7001,\"errno\":\"ECONNREFUSED\"");
		refused(f, 2050 + i * 100, 300, 7002);
	}
	correlate(f);

	assert_int_equal(f->res.nincidents, 2);
	a = &f->res.incidents[0];
	b = &f->res.incidents[1];
	assert_int_equal(root_of(f, 0)->pid + root_of(f, 1)->pid, 300);
	/* Three refusals each; the inbound twins are on the timeline, not in the count. */
	assert_int_equal(a->impact.refused, 3);
	assert_int_equal(b->impact.refused, 3);
	assert_int_equal(a->nevents + b->nevents, 2 + 9);
	assert_int_equal(a->impact.refusing_clients, 1);
}

/*
 * A damaged or hostile file's numbers: out-of-range stack ids, errnos,
 * counts and times load as "unknown" (the ASan/UBSan twin checks how).
 * Impossible pids and ports never get here: the reader refuses their records
 * (test_recording_check.c).
 */
static void test_hostile_numbers(void **state)
{
	struct fixture *f = *state;
	const struct cl_event *e;

	ev(f, "fd_exhausted", 0, 42, "api", "\"stack_id\":2147483648,\"errno\":-2147483648,"
	   "\"open_fds\":1e300,\"limit\":-1");
	ev(f, "fd_exhausted", 1, 42, "api", "\"stack_id\":-1,\"errno\":\"EMFILE\"");
	ev(f, "slow_syscall", 2, 7, "db", "\"duration_ms\":1e300,\"stack_id\":4e9");
	ev(f, "oom_kill", 3, 7, "k", "\"victim\":{\"pid\":3,\"rss_kb\":1e308,"
	   "\"anon_rss_kb\":1e308}");
	ev(f, "signal", 4, 9, "x", "\"time\":\"9999-12-31T23:59:59Z\"");
	correlate(f);
	assert_int_equal(f->m.nevents, 4);	/* the one dated 9999 cannot be placed */
	assert_int_equal(f->m.bad_events, 1);
	e = &f->m.events[0];
	assert_int_equal(e->where, 0);
	assert_int_equal(e->err, 0);
	assert_true(e->value == UINT32_MAX && e->limit == 0);
	assert_int_equal(f->m.events[2].pid, 7);
	assert_true(f->m.events[2].value == 86400ULL * 1000000);
	assert_int_equal(f->m.events[3].victim_pid, 3);
	assert_true(f->m.events[3].value == 2ULL << 60);
}

/* The header lists this host's addresses; a refusal on one of them is on a local port. */
static void test_host_addresses(void **state)
{
	struct fixture *f = *state;
	const cJSON *a;
	char mapped[80];

	correlate(f);
	a = cJSON_GetObjectItemCaseSensitive(rec_reader__header(f->m.reader), "addresses");
	assert_true(cJSON_IsArray(a));
	assert_int_equal(f->m.nlocal, cJSON_GetArraySize(a));
	assert_true(report_addr_is_local(&f->m, "127.0.0.1"));
	assert_true(report_addr_is_local(&f->m, "::ffff:127.0.0.1"));
	assert_false(report_addr_is_local(&f->m, "203.0.113.9"));
	assert_false(report_addr_is_local(&f->m, "::ffff:203.0.113.9"));
	if (!f->m.nlocal)
		return;	/* a host with loopback only */
	assert_true(report_addr_is_local(&f->m, f->m.local_addrs[0]));
	snprintf(mapped, sizeof(mapped), "::ffff:%s", f->m.local_addrs[0]);
	if (strchr(f->m.local_addrs[0], '.'))
		assert_true(report_addr_is_local(&f->m, mapped));
}

static const cJSON *at(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/*
 * A server whose accept loop stalls on EMFILE: its listener's full accept
 * queue drops connections (its own conn_dropped events), and a client's
 * reads time out after different durations. The drops count in the
 * impact, attributed to the listener; the run of slow reads shows its range.
 */
static void test_backlog_drops_and_runs(void **state)
{
	static const int ms[] = { 968, 7988, 3012, 1500, 5000 };
	struct fixture *f = *state;
	const cJSON *im, *l, *tl, *e, *slow = NULL;
	char extra[200], line[400];
	cJSON *doc;

	proc(f, 100, 1, -1000, 0, "nginx", 8080);
	ev(f, "fd_exhausted", 0, 100, "nginx", "\"syscall\":\"accept4\",\"errno\":\"EMFILE\","
	   "\"open_fds\":1024,\"limit\":1024");
	for (int i = 0; i < 3; i++) {
		snprintf(extra, sizeof(extra), "\"direction\":\"inbound\",\"daddr\":\"0.0.0.0\","
			 "\"dport\":8080,\"dropped\":%d,\"queued\":%d,\"backlog\":511", 10 + i,
			 500 + 5 * i);
		ev(f, "conn_dropped", 1000 + 1000 * i, 100, "nginx", extra);
	}
	for (int i = 0; i < 5; i++) {
		snprintf(extra, sizeof(extra), "\"syscall\":\"accept4\",\"duration_ms\":%d", ms[i]);
		ev(f, "slow_syscall", 1100 + 100 * i, 100, "nginx", extra);
	}
	correlate(f);
	assert_int_equal(f->res.nincidents, 1);
	assert_int_equal(f->res.incidents[0].impact.backlog_drops, 33);
	assert_int_equal(f->res.incidents[0].impact.backlog_waiting, 510);
	doc = report_build(&f->m, &f->res);
	assert_non_null(doc);
	im = at(cJSON_GetArrayItem(at(doc, "incidents"), 0), "impact");
	l = cJSON_GetArrayItem(at(im, "listeners"), 0);
	assert_int_equal(cJSON_GetArraySize(at(im, "listeners")), 1);
	assert_int_equal(at(l, "port")->valueint, 8080);
	assert_string_equal(at(l, "owner")->valuestring, "nginx[100]");
	assert_int_equal(at(l, "dropped")->valueint, 33);
	report_impact_line(im, line, sizeof(line));
	assert_non_null(strstr(line, "33 connection packets"));
	assert_non_null(strstr(line, "accept queue of port 8080 (nginx[100])"));
	tl = at(cJSON_GetArrayItem(at(doc, "incidents"), 0), "timeline");
	cJSON_ArrayForEach(e, tl)
		if (!strcmp(cJSON_GetStringValue(at(e, "type")), "slow_syscall"))
			slow = e;
	assert_non_null(slow);
	assert_int_equal(at(slow, "repeat")->valueint, 5);
	assert_int_equal(at(slow, "duration_ms_min")->valueint, 968);
	assert_int_equal(at(slow, "duration_ms_max")->valueint, 7988);
	assert_int_equal(at(slow, "duration_ms_p50")->valueint, 3012);
	report_event_summary(slow, line, sizeof(line));
	assert_string_equal(line, "accept4() took 968-7988 ms (p50 3012 ms)");
	cJSON_Delete(doc);
}

static void test_empty(void **state)
{
	struct fixture *f = *state;

	correlate(f);
	assert_int_equal(f->res.nincidents, 0);
	assert_true(f->m.status.complete);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fd_leak_scenario, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oom_scenario, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unrelated_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pid_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_metadata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ordering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_child, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_is_a_witness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlog_drops_and_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
