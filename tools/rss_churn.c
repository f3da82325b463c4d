// SPDX-License-Identifier: GPL-2.0
/*
 * rss_churn: keeps memory from one call site (keep_site) while another
 * (churn_site) faults in and gives back three times as much, in big blocks
 * that the C library maps and unmaps, so RSS really grows at both and is
 * really returned at one. For checking who an RSS or heap tracer blames.
 *
 *   rss_churn [--block KIB] [--max-mb MB] [--delay-ms MS] [--wait-file PATH]
 *
 * Each round keeps one block (default 1024 KiB) and churns three. Prints
 * "pid N" first and, after every round, the truth so far:
 * "kept_bytes K churned_bytes C". Stops after keeping MB MiB (default 4096:
 * run it in a memory cgroup and it is OOM-killed long before) and exits 0.
 */
/* FLAGS: -fno-optimize-sibling-calls */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHURN_RATIO 3

static size_t block = 1024 * 1024;

/* The compiler must not drop a store nobody reads, nor the malloc/free around it. */
static void used(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static __attribute__((noinline)) void *keep_site(void)
{
	void *p = malloc(block);

	if (p)
		memset(p, 0x5a, block);
	used(p);
	return p;
}

static __attribute__((noinline)) int churn_site(void)
{
	void *p = malloc(block);

	if (!p)
		return -1;
	memset(p, 0xa5, block);
	used(p);
	free(p);
	return 0;
}

static void wait_file(const char *path)
{
	struct stat st;

	while (path && stat(path, &st))
		usleep(10000);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "block", required_argument, NULL, 'b' },
		{ "max-mb", required_argument, NULL, 'm' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "wait-file", required_argument, NULL, 'w' },
		{},
	};
	unsigned long max_mb = 4096, delay_ms = 10, kept = 0, churned = 0;
	const char *wait_path = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': block = strtoul(optarg, NULL, 10) * 1024; break;
		case 'm': max_mb = strtoul(optarg, NULL, 10); break;
		case 'd': delay_ms = strtoul(optarg, NULL, 10); break;
		case 'w': wait_path = optarg; break;
		default: return 2;
		}
	}
	if (block < 4096)
		return 2;
	/* Every block its own mapping, unmapped by free(): RSS goes back down. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	printf("pid %d\n", getpid());
	fflush(stdout);
	wait_file(wait_path);
	while (kept < max_mb << 20) {
		if (!keep_site())
			return 1;
		kept += block;
		for (int i = 0; i < CHURN_RATIO; i++)
			if (churn_site())
				return 1;
		churned += CHURN_RATIO * block;
		printf("kept_bytes %lu churned_bytes %lu\n", kept, churned);
		fflush(stdout);
		usleep(delay_ms * 1000);
	}
	return 0;
}
