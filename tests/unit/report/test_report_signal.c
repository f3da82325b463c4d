// SPDX-License-Identifier: GPL-2.0
/* The report's words for signal incidents: a stop by someone is not a crash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/report.h"

/* Title, evidence and steps of @json as the root of an incident, joined by '|'. */
static char *words(const char *json, const char *where)
{
	cJSON *ev = cJSON_Parse(json), *ev_lines, *steps, *l;
	struct cl_incident inc = { 0 };
	struct report_facts f = { .root = ev, .inc = &inc, .where = where };
	char *title, *out;
	size_t len;

	assert_non_null(ev);
	title = report_title(&f);
	ev_lines = report_evidence(&f);
	steps = report_next_steps(&f);
	assert_non_null(title);
	len = strlen(title) + 2;
	cJSON_ArrayForEach(l, ev_lines)
		len += strlen(l->valuestring) + 1;
	cJSON_ArrayForEach(l, steps)
		len += strlen(l->valuestring) + 1;
	out = malloc(len);
	assert_non_null(out);
	strcpy(out, title);
	cJSON_ArrayForEach(l, ev_lines)
		strcat(strcat(out, "|"), l->valuestring);
	cJSON_ArrayForEach(l, steps)
		strcat(strcat(out, "|"), l->valuestring);
	free(title);
	cJSON_Delete(ev_lines);
	cJSON_Delete(steps);
	cJSON_Delete(ev);
	return out;
}

static void test_sent_is_a_stop(void **state)
{
	char *w = words("{\"type\":\"signal\",\"pid\":20,\"comm\":\"python3\","
			"\"signal\":\"SIGTERM\",\"si_code\":\"SI_USER\",\"cause\":\"sender\","
			"\"crash\":false,\"action\":\"terminate\",\"fatal\":true,"
			"\"sender\":{\"pid\":10,\"comm\":\"timeout\",\"uid\":0,\"via\":\"kill()\"}}", "time_sleep");

	(void)state;
	assert_non_null(strstr(w, "python3 (pid 20) was terminated by SIGTERM from timeout "
				  "(pid 10)|"));
	assert_non_null(strstr(w, "via kill() (SI_USER): a stop requested by another process"));
	assert_non_null(strstr(w, "it was running time_sleep when the signal arrived"));
	assert_non_null(strstr(w, "python3 did not crash"));
	assert_null(strstr(w, "fix that code path"));
	assert_null(strstr(w, "faulting"));
	free(w);
}

static void test_sent_segv_is_not_a_crash(void **state)
{
	char *w = words("{\"type\":\"signal\",\"pid\":20,\"comm\":\"sleep\",\"signal\":\"SIGSEGV\","
			"\"si_code\":\"SI_USER\",\"cause\":\"sender\",\"crash\":false,"
			"\"action\":\"core dump\",\"sender\":{\"pid\":10,\"comm\":\"bash\"}}",
			"clock_nanosleep");

	(void)state;
	assert_non_null(strstr(w, "sleep (pid 20) was terminated by SIGSEGV from bash (pid 10)"));
	assert_non_null(strstr(w, "sleep did not crash"));
	assert_null(strstr(w, "crashed"));
	assert_null(strstr(w, "fix that code path"));
	free(w);
}

static void test_fault_is_a_crash(void **state)
{
	char *w = words("{\"type\":\"signal\",\"pid\":20,\"comm\":\"segv\",\"signal\":\"SIGSEGV\","
			"\"si_code\":\"SEGV_MAPERR\",\"fault_addr\":\"0x10\",\"cause\":\"fault\","
			"\"crash\":true,\"action\":\"core dump\",\"thread_comm\":\"worker\"}",
			"crash_here");

	(void)state;
	assert_non_null(strstr(w, "segv (pid 20) crashed: SIGSEGV (SEGV_MAPERR) in crash_here|"));
	assert_non_null(strstr(w, "faulting instruction at address 0x10"));
	assert_non_null(strstr(w, "thread worker took the signal"));
	assert_non_null(strstr(w, "fix that code path"));
	free(w);
}

static void test_abort_is_a_crash(void **state)
{
	char *w = words("{\"type\":\"signal\",\"pid\":20,\"comm\":\"db\",\"signal\":\"SIGABRT\","
			"\"si_code\":\"SI_TKILL\",\"cause\":\"self\",\"crash\":true,"
			"\"sender\":{\"pid\":20,\"comm\":\"db\",\"via\":\"tgkill()\"}}", "check");

	(void)state;
	assert_non_null(strstr(w, "db (pid 20) crashed: it raised SIGABRT itself in check|"));
	free(w);
}

/* Events from before watch said "cause": judged by si_code and sender only. */
static void test_older_events(void **state)
{
	char *w = words("{\"type\":\"signal\",\"pid\":20,\"comm\":\"x\",\"signal\":\"SIGKILL\","
			"\"si_code\":\"SI_KERNEL\"}", NULL);

	(void)state;
	assert_non_null(strstr(w, "x (pid 20) was terminated by SIGKILL from the kernel|"));
	free(w);
	w = words("{\"type\":\"signal\",\"pid\":20,\"comm\":\"x\",\"signal\":\"SIGSEGV\"}", "f");
	assert_non_null(strstr(w, "x (pid 20) was terminated by SIGSEGV from an unknown sender"));
	assert_non_null(strstr(w, "no sender was seen"));
	free(w);
}

static void test_summary(void **state)
{
	cJSON *ev = cJSON_Parse("{\"type\":\"signal\",\"pid\":20,\"signal\":\"SIGSTOP\","
				"\"si_code\":\"SI_USER\",\"cause\":\"sender\",\"action\":\"stop\","
				"\"sender\":{\"pid\":3,\"comm\":\"bash\"}}");
	char buf[128];

	(void)state;
	report_event_summary(ev, buf, sizeof(buf));
	assert_string_equal(buf, "SIGSTOP from bash (pid 3), stopped");
	cJSON_Delete(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sent_is_a_stop),
		cmocka_unit_test(test_sent_segv_is_not_a_crash),
		cmocka_unit_test(test_fault_is_a_crash),
		cmocka_unit_test(test_abort_is_a_crash),
		cmocka_unit_test(test_older_events),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
