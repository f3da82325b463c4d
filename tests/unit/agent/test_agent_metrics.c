// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's exposition: comm labels escaped per the text format (a comm is
 * anyone's choice), the top N comms apart and the rest summed as "other",
 * and the --metrics and --config parsers' refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "agent/agent_config.h"
#include "agent/agent_cpu.h"
#include "agent/agent_http.h"
#include "agent/agent_metrics.h"

static void test_label_escape(void **state)
{
	char out[64];

	(void)state;
	agent_label_escape("a\"b\\c\nd", out, sizeof(out));
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	agent_label_escape("plain", out, sizeof(out));
	assert_string_equal(out, "plain");
	/* Never cut an escape in half. */
	agent_label_escape("ab\"", out, 4);
	assert_string_equal(out, "ab");
}

static void test_hostile_comm_rendered(void **state)
{
	struct agent_metrics *m = agent_metrics__new(20, "9.9");
	char *text;

	(void)state;
	assert_non_null(m);
	agent_metrics__event(m, "signal", "x\"y\\z\n}");
	agent_metrics__event(m, "signal", "\xff\xfe");
	text = agent_metrics__render(m, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "faultline_events_total{type=\"signal\","
				     "comm=\"x\\\"y\\\\z\\n}\"} 1\n"));
	/* Not UTF-8: \xNN, with its backslash escaped. */
	assert_non_null(strstr(text, "comm=\"\\\\xff\\\\xfe\"} 1\n"));
	assert_non_null(strstr(text, "faultline_build_info{version=\"9.9\"} 1\n"));
	assert_non_null(strstr(text, "# TYPE faultline_events_total counter\n"));
	free(text);
	agent_metrics__free(m);
}

static void test_top_n_and_other(void **state)
{
	struct agent_metrics *m = agent_metrics__new(2, "1");
	char *text;

	(void)state;
	for (int i = 0; i < 5; i++)
		agent_metrics__event(m, "signal", "big");
	for (int i = 0; i < 3; i++)
		agent_metrics__event(m, "slow_syscall", "mid");
	agent_metrics__event(m, "signal", "small");
	agent_metrics__event(m, "slow_syscall", "tiny");
	text = agent_metrics__render(m, NULL);
	assert_non_null(strstr(text, "{type=\"signal\",comm=\"big\"} 5\n"));
	assert_non_null(strstr(text, "{type=\"slow_syscall\",comm=\"mid\"} 3\n"));
	assert_non_null(strstr(text, "{type=\"signal\",comm=\"other\"} 1\n"));
	assert_non_null(strstr(text, "{type=\"slow_syscall\",comm=\"other\"} 1\n"));
	assert_null(strstr(text, "small"));
	free(text);
	/* The bound is live: 0 puts every comm in "other". */
	agent_metrics__set_top(m, 0);
	text = agent_metrics__render(m, NULL);
	assert_non_null(strstr(text, "{type=\"signal\",comm=\"other\"} 6\n"));
	assert_null(strstr(text, "big"));
	free(text);
	agent_metrics__free(m);
}

static void test_lost_never_goes_back(void **state)
{
	struct agent_metrics *m = agent_metrics__new(2, "1");
	char *text;

	(void)state;
	agent_metrics__set_lost(m, "signal", "ringbuf_full", 7);
	agent_metrics__set_lost(m, "signal", "ringbuf_full", 3);
	text = agent_metrics__render(m, NULL);
	assert_non_null(strstr(text, "{source=\"signal\",reason=\"ringbuf_full\"} 7\n"));
	free(text);
	agent_metrics__free(m);
}

static void test_parse_addr(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	socklen_t len;
	static const char *const bad[] = { "", "127.0.0.1", "127.0.0.1:", ":9464", "1.2.3:80",
		"127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:80x", "localhost:80", "[::1]9464",
		"[::1:80", "127.0.0.1:-1", "127.0.0.1: 80" };

	(void)state;
	assert_int_equal(agent_parse_addr("127.0.0.1:9464", &ss, &len), 0);
	assert_int_equal(a4->sin_family, AF_INET);
	assert_int_equal(ntohs(a4->sin_port), 9464);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(agent_parse_addr("[::1]:80", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(agent_parse_addr(bad[i], &ss, &len), -EINVAL);
}

static void test_config(void **state)
{
	struct agent_config c;
	char err[128];

	(void)state;
	assert_int_equal(agent_config_parse("f", "# c\n\n  top-comms =  5 \nslow-all=\n"
					     "cgroup = /a b\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.entries[0].key, "top-comms");
	assert_string_equal(c.entries[0].value, "5");
	assert_int_equal(c.entries[0].line, 3);
	assert_string_equal(c.entries[1].value, "");
	assert_string_equal(c.entries[2].value, "/a b");
	agent_config_free(&c);
	assert_int_equal(agent_config_parse("f", "a = 1\nnoequals\n", &c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "f:2: expected 'key = value'");
	assert_int_equal(c.n, 0);
	assert_int_equal(agent_config_parse("f", " = 1\n", &c, err, sizeof(err)), -EINVAL);
}

static void test_rate_for_cpu(void **state)
{
	(void)state;
	/* Within the limit, or no limit: unchanged. */
	assert_int_equal(agent_rate_for_cpu(19, 0.5, 1), 19);
	assert_int_equal(agent_rate_for_cpu(19, 50, 0), 19);
	/* Over: scaled by limit/use, with margin, strictly lower, never 0. */
	assert_int_equal(agent_rate_for_cpu(999, 13.5, 1), 59);
	assert_int_equal(agent_rate_for_cpu(19, 1.01, 1), 15);
	assert_int_equal(agent_rate_for_cpu(2, 1.01, 1), 1);
	assert_int_equal(agent_rate_for_cpu(19, 1000, 1), 1);
	assert_int_equal(agent_rate_for_cpu(1, 1000, 1), 1);
}

static void test_cpu_window(void **state)
{
	struct agent_cpu c = { 0 };
	volatile unsigned long spin = 0;

	(void)state;
	assert_true(agent_cpu_check(&c, 1000) < 0);	/* starts the window */
	assert_true(agent_cpu_check(&c, 1000 + AGENT_CPU_WINDOW_NS - 1) < 0);
	for (unsigned long i = 0; i < 50000000UL; i++)
		spin += i;
	/* Some CPU was used in a window of 5 s: a percentage, not an error. */
	assert_true(agent_cpu_check(&c, 1000 + AGENT_CPU_WINDOW_NS) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escape),
		cmocka_unit_test(test_hostile_comm_rendered),
		cmocka_unit_test(test_top_n_and_other),
		cmocka_unit_test(test_lost_never_goes_back),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_rate_for_cpu),
		cmocka_unit_test(test_cpu_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
