// SPDX-License-Identifier: GPL-2.0
/* The standard process_* metrics, from /proc/self. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "agent/agent_metrics.h"

/* Boot time in seconds since the epoch: /proc/stat's btime; 0 when unknown. */
static long long boot_time(void)
{
	char line[256];
	long long bt = 0;
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lld", &bt) == 1)
			break;
	fclose(f);
	return bt;
}

static long count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own */
}

/*
 * Fields 14-15 (utime, stime), 22 (starttime), 23 (vsize), 24 (rss) of
 * /proc/self/stat, read after the comm's closing parenthesis: a comm may hold
 * spaces and parentheses itself.
 */
static int read_stat(struct agent_procstat *ps)
{
	unsigned long long ut, st, start, vsize;
	long long rss;
	char buf[1024], *p;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || tck <= 0 || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
				     "%*d %*d %*d %*d %*d %*d %llu %llu %lld",
				     &ut, &st, &start, &vsize, &rss) != 5)
		return -EINVAL;
	ps->cpu_seconds = (double)(ut + st) / tck;
	ps->virtual_bytes = vsize;
	ps->resident_bytes = rss > 0 ? (uint64_t)rss * page : 0;
	ps->start_time_s = boot_time() + (double)start / tck;
	return 0;
}

int agent_procstat_read(struct agent_procstat *ps)
{
	struct rlimit rl;
	int err;

	memset(ps, 0, sizeof(*ps));
	err = read_stat(ps);
	if (err)
		return err;
	ps->open_fds = count_fds();
	if (ps->open_fds < 0)
		return (int)ps->open_fds;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	ps->max_fds = rl.rlim_cur == RLIM_INFINITY ? -1 : (long)rl.rlim_cur;
	ps->ok = true;
	return 0;
}
