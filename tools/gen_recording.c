// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a synthetic recording in the documented format (docs/recording-format.md),
 * independently of faultline's writer: for the report benchmark and report tests.
 *
 *   gen_recording -o FILE [-n EVENTS] [-s SECONDS] [--no-trailer]
 *
 * The stream holds, over SECONDS: a server (api, pid 1000, port 8080) that leaks
 * fds into an EMFILE storm while 200 clients are refused; a worker that dies of
 * SIGSEGV; a cache (pid 5000, port 9090) OOM-killed and then refused; slow fsyncs
 * of a backup job; 99 Hz profile buckets every second; a few loss records.
 */
/* FLAGS: -Wl,--no-as-needed -lz */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define T0 1795442400LL	/* 2026-11-23T14:00:00Z */
#define NPSTACKS 300

static gzFile gz;

static void out(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && gzwrite(gz, buf, n) != n) {
		fprintf(stderr, "gen_recording: write failed\n");
		exit(1);
	}
}

static const char *when(double secs)
{
	static char buf[96];
	time_t t = (time_t)(T0 + (long long)secs);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)((secs - (long long)secs) * 1e6));
	return buf;
}

static void header(double seconds)
{
	out("{\"rec\":\"header\",\"format\":\"faultline-recording\",\"version\":1,"
	    "\"faultline_version\":\"0.1.0\",\"host\":\"bench-host\",\"kernel\":\"6.18.0\","
	    "\"command\":\"gen_recording\",\"options\":{\"duration_s\":%.0f},\"start\":\"%s\","
	    "\"bucket_ns\":1000000000,\"clock\":{\"realtime_ns\":%lld000000000,"
	    "\"monotonic_ns\":1000000000,\"boottime_ns\":1000000000}}\n", seconds, when(0), T0);
}

static void stacks(void)
{
	static const char *const lib = "\"module\":\"/lib/x86_64-linux-gnu/libc.so.6\"";
	static const char *const api = "\"module\":\"/usr/bin/api\"";

	out("{\"rec\":\"stack\",\"id\":1,\"frames\":[{\"addr\":\"0x7f00aa10\",\"symbol\":\"accept4\","
	    "%s,\"offset\":\"0x10\"},{\"addr\":\"0x401136\",\"symbol\":\"serve_client\",%s,"
	    "\"offset\":\"0x16\"},{\"addr\":\"0x401200\",\"symbol\":\"main\",%s,\"offset\":\"0x40\"}]}\n",
	    lib, api, api);
	out("{\"rec\":\"stack\",\"id\":2,\"frames\":[{\"addr\":\"0x7f00bb20\",\"symbol\":\"socket\","
	    "%s,\"offset\":\"0x20\"},{\"addr\":\"0x401300\",\"symbol\":\"pool_checkout\",%s,"
	    "\"offset\":\"0x2a\"},{\"addr\":\"0x401200\",\"symbol\":\"main\",%s,\"offset\":\"0x40\"}]}\n",
	    lib, api, api);
	out("{\"rec\":\"stack\",\"id\":3,\"frames\":[{\"addr\":\"0x401500\",\"symbol\":\"parse_row\","
	    "\"module\":\"/usr/bin/worker\",\"offset\":\"0x8\"}]}\n");
	out("{\"rec\":\"stack\",\"id\":4,\"frames\":[{\"addr\":\"0x7f00cc30\",\"symbol\":\"fsync\","
	    "%s,\"offset\":\"0x30\"},{\"addr\":\"0x401700\",\"symbol\":\"flush_journal\","
	    "\"module\":\"/usr/bin/backup\",\"offset\":\"0x12\"}]}\n", lib);
}

static void processes(void)
{
	out("{\"rec\":\"process\",\"pid\":1000,\"ppid\":1,\"comm\":\"api\",\"cmdline\":\"api --port 8080\","
	    "\"cgroup\":\"/system.slice/api.service\",\"start\":\"%s\",\"listen\":[{\"proto\":\"tcp\","
	    "\"addr\":\"0.0.0.0\",\"port\":8080}]}\n", when(-3600));
	out("{\"rec\":\"process\",\"pid\":5000,\"ppid\":1,\"comm\":\"cache\",\"cmdline\":\"cache\","
	    "\"cgroup\":\"/cache\",\"start\":\"%s\",\"listen\":[{\"proto\":\"tcp\",\"addr\":\"0.0.0.0\","
	    "\"port\":9090}]}\n", when(-3600));
	out("{\"rec\":\"process\",\"pid\":3000,\"ppid\":1,\"comm\":\"worker\",\"cmdline\":\"worker\","
	    "\"cgroup\":\"/\",\"start\":\"%s\",\"listen\":[]}\n", when(-60));
	out("{\"rec\":\"process\",\"pid\":4000,\"ppid\":1,\"comm\":\"backup\",\"cmdline\":\"backup\","
	    "\"cgroup\":\"/\",\"start\":\"%s\",\"listen\":[]}\n", when(-60));
}

static const char *const comms[] = { "api", "worker", "backup", "cache" };

static void pstacks(void)
{
	for (int id = 1; id <= NPSTACKS; id++) {
		int depth = 6 + id % 12;

		out("{\"rec\":\"pstack\",\"id\":%d,\"pid\":%d,\"tid\":0,\"comm\":\"%s\",\"frames\":["
		    "{\"name\":\"_start\",\"kind\":\"user\"},{\"name\":\"main\",\"kind\":\"user\"}",
		    id, 1000 + id % 4, comms[id % 4]);
		for (int d = 0; d < depth; d++)
			out(",{\"name\":\"fn_%d_%d\",\"kind\":\"user\",\"module\":\"/usr/bin/%s\","
			    "\"offset\":%d}", d, (id * 7 + d) % 23, comms[id % 4], 4096 + d * 64);
		if (id % 3 == 0)
			out(",{\"name\":\"do_syscall_64\",\"kind\":\"kernel\",\"module\":\"[kernel]\"}");
		out("]}\n");
	}
}

static void bucket(double sec, int hot)
{
	out("{\"rec\":\"profile\",\"time\":\"%s\",\"duration_ns\":1000000000,"
	    "\"period_ns\":10101010,\"total\":198,\"lost\":0,\"samples\":[", when(sec));
	for (int k = 0; k < 60; k++) {
		int id = 1 + ((int)sec * 13 + k * 5) % NPSTACKS;

		/* During the storm, stack 4 (api's) burns far more CPU. */
		out("%s[%d,%d]", k ? "," : "", hot && k == 0 ? 4 : id, hot && k == 0 ? 120 : 3);
	}
	out("]}\n");
}

static void event_head(const char *type, double t, int pid, const char *comm, const char *cg)
{
	out("{\"rec\":\"event\",\"type\":\"%s\",\"time\":\"%s\",\"pid\":%d,\"tid\":%d,\"comm\":\"%s\","
	    "\"cgroup\":\"%s\",\"severity\":\"error\"", type, when(t), pid, pid, comm, cg);
}

static void one_event(long i, double t, double seconds)
{
	int client = 2000 + i % 200;
	bool storm = t > seconds * 0.2, oom_done = t > seconds * 0.75;

	if (!storm || i % 20 == 0) {
		event_head("slow_syscall", t, 4000, "backup", "/");
		out(",\"syscall\":\"fsync\",\"duration_ms\":%ld,\"stack_id\":4}\n", 150 + i % 200);
	} else if (i % 4 != 0) {
		event_head("fd_exhausted", t, 1000, "api", "/system.slice/api.service");
		out(",\"syscall\":\"accept4\",\"errno\":\"EMFILE\",\"limit\":1024,\"open_fds\":1024,"
		    "\"stack_id\":1,\"leak_sites\":[{\"open\":1019,\"verdict\":\"leak\",\"opened\":1019,"
		    "\"closed\":0,\"stack_id\":2}]}\n");
	} else {
		event_head("conn_refused", t, client, "client", "/");
		out(",\"daddr\":\"127.0.0.1\",\"dport\":%d,\"saddr\":\"127.0.0.1\",\"sport\":%d,"
		    "\"errno\":\"ECONNREFUSED\"}\n", oom_done && (i / 4) % 2 ? 9090 : 8080,
		    30000 + (int)(i % 30000));
	}
}

static void one_offs(double sec, double seconds)
{
	if ((int)sec == (int)(seconds * 0.15)) {
		event_head("fd_pressure", sec + 0.5, 1000, "api", "/system.slice/api.service");
		out(",\"open_fds\":820,\"limit\":1024,\"leak_sites\":[{\"open\":815,\"verdict\":\"leak\","
		    "\"opened\":815,\"closed\":0,\"stack_id\":2}]}\n");
	}
	if ((int)sec == (int)(seconds * 0.5)) {
		event_head("signal", sec + 0.25, 3000, "worker", "/");
		out(",\"signal\":\"SIGSEGV\",\"code\":1,\"stack_id\":3}\n");
	}
	if ((int)sec == (int)(seconds * 0.75)) {
		event_head("oom_kill", sec, 5000, "cache", "/cache");
		out(",\"victim\":{\"pid\":5000,\"comm\":\"cache\",\"anon_rss_kb\":512000,"
		    "\"file_rss_kb\":1000,\"shmem_rss_kb\":0,\"oom_score_adj\":0,\"memcg\":\"/cache\"},"
		    "\"trigger\":{\"pid\":5000,\"comm\":\"cache\"}}\n");
		/* when() returns a static buffer: one call per out(). */
		out("{\"rec\":\"process\",\"pid\":5000,\"ppid\":1,\"comm\":\"cache\",\"start\":\"%s\",",
		    when(-3600));
		out("\"exit\":\"%s\",\"listen\":[{\"proto\":\"tcp\",\"addr\":\"0.0.0.0\","
		    "\"port\":9090}]}\n", when(sec));
	}
	if ((int)sec % 97 == 50)
		out("{\"rec\":\"loss\",\"time\":\"%s\",\"source\":\"events\",\"reason\":\"ring buffer "
		    "full\",\"count\":%d}\n", when(sec + 0.9), 17 + (int)sec % 5);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "no-trailer", no_argument, NULL, 't' }, {} };
	const char *path = NULL;
	long events = 1000000, done = 0;
	double seconds = 600;
	int c, trailer = 1;

	while ((c = getopt_long(argc, argv, "o:n:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': path = optarg; break;
		case 'n': events = atol(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 't': trailer = 0; break;
		default: return 2;
		}
	}
	if (!path || seconds < 1 || events < 0) {
		fprintf(stderr, "usage: gen_recording -o FILE [-n EVENTS] [-s SECONDS] "
			"[--no-trailer]\n");
		return 2;
	}
	gz = gzopen(path, "wb6");
	if (!gz) {
		perror(path);
		return 1;
	}
	header(seconds);
	stacks();
	processes();
	pstacks();
	for (int sec = 0; sec < (int)seconds; sec++) {
		long upto = (long)((double)events * (sec + 1) / (int)seconds);

		one_offs(sec, seconds);
		for (long k = 0; done < upto; done++, k++)
			one_event(done, sec + (double)k / (upto - done + k + 1), seconds);
		bucket(sec, sec > seconds * 0.2);
	}
	if (trailer)
		out("{\"rec\":\"trailer\",\"end\":\"%s\",\"events\":%ld}\n", when(seconds), events + 3);
	return gzclose(gz) == Z_OK ? 0 : 1;
}
