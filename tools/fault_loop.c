// SPDX-License-Identifier: GPL-2.0
/*
 * fault_loop: page faults as fast as one thread takes them, to price what
 * a tracer adds to each. Maps MB MiB of anonymous memory, writes one byte per
 * page, unmaps it, ROUNDS times.
 *
 *   fault_loop MB ROUNDS [WAIT-FILE]
 *
 * Prints "pid N" first, waits for WAIT-FILE when given, then
 * "WALL_NS CPU_NS" per fault: the wall time and the thread's CPU time (which
 * includes the kernel's fault handling and any BPF program it runs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	size_t bytes, page = (size_t)sysconf(_SC_PAGESIZE);
	long rounds;
	double wall, cpu, faults;
	struct stat st;

	if (argc < 3)
		return 2;
	bytes = strtoul(argv[1], NULL, 10) << 20;
	rounds = strtol(argv[2], NULL, 10);
	printf("pid %d\n", getpid());
	fflush(stdout);
	while (argc > 3 && stat(argv[3], &st))
		usleep(10000);
	wall = now_ns(CLOCK_MONOTONIC);
	cpu = now_ns(CLOCK_THREAD_CPUTIME_ID);
	for (long r = 0; r < rounds; r++) {
		volatile char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		for (size_t off = 0; off < bytes; off += page)
			p[off] = 1;
		munmap((void *)p, bytes);
	}
	faults = (double)rounds * (bytes / page);
	printf("%.1f %.1f\n", (now_ns(CLOCK_MONOTONIC) - wall) / faults,
	       (now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu) / faults);
	return 0;
}
