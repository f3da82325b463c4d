// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/procfs.h"

int proc_tgid(int pid)
{
	char path[64], line[256];
	int tgid = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid > 0 ? tgid : -ENOENT;
}

/* The state letter of a /proc/.../stat file and its thread count; false when unreadable. */
static bool stat_state(const char *path, char *state, long *threads)
{
	char line[1024], *p;
	bool ok = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	/* The comm may hold spaces and parentheses: the fields follow the last ')'. */
	if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')) && p[1] == ' ' && p[2]) {
		*state = p[2];
		*threads = 1;
		/* after ") S": ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
		 * cmajflt utime stime cutime cstime priority nice num_threads */
		sscanf(p + 3, "%*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %ld",
		       threads);
		ok = true;
	}
	fclose(f);
	return ok;
}

static bool any_thread_running(int pid)
{
	char path[64];
	struct dirent *de;
	bool running = false;
	long threads;
	char state;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && !running && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/stat", pid, de->d_name);
		running = stat_state(path, &state, &threads) && state == 'R';
	}
	if (d)
		closedir(d);
	return running;
}

int proc_running(int self, int *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[64], state;
	long threads;
	int n = 0;

	while (d && n < max && (de = readdir(d))) {
		int pid = atoi(de->d_name);

		if (pid <= 0 || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (!stat_state(path, &state, &threads))
			continue;
		if (state == 'R' || (threads > 1 && any_thread_running(pid)))
			pids[n++] = pid;
	}
	if (d)
		closedir(d);
	return n;
}
