// SPDX-License-Identifier: GPL-2.0
/*
 * Allocates and touches memory in 4 MiB steps until the OOM killer kills it
 * (run it in a memory cgroup with a small limit). Usage: oom_trigger [MAX_MB]
 * (default 4096: a safety stop if no limit applies; exits 3 when reached).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define STEP (4UL << 20)

/* Kept out of line so the trigger's stack names it. */
__attribute__((noinline)) static void *grow_heap(size_t bytes)
{
	volatile char *p = malloc(bytes);

	/*
	 * Touch every page here rather than in memset(): the fault that ends in
	 * the OOM kill then happens in this function, which frame-pointer stacks
	 * show (libc's memset has no frame pointer, hiding its caller).
	 */
	for (size_t off = 0; p && off < bytes; off += 4096)
		p[off] = 0xa5;
	return (void *)p;
}

int main(int argc, char **argv)
{
	unsigned long max_mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 4096;
	unsigned long total = 0;

	fprintf(stderr, "oom_trigger: pid %d allocating up to %lu MiB\n", getpid(), max_mb);
	while (total < (max_mb << 20)) {
		void *volatile p = grow_heap(STEP);

		if (!p) {
			fprintf(stderr, "oom_trigger: malloc failed at %lu MiB\n", total >> 20);
			return 2;
		}
		total += STEP;
	}
	fprintf(stderr, "oom_trigger: reached %lu MiB without being killed\n", max_mb);
	return 3;
}
