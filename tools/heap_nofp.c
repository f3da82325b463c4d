// SPDX-License-Identifier: GPL-2.0
/*
 * Keeps 1 MiB in 4 KiB blocks allocated through two named functions, in a
 * binary without frame pointers, then waits: the allocation stacks of
 * `watch --heap` must reach main through keep_blocks and alloc_block.
 * Usage: heap_nofp WAIT-FILE (prints its pid, then "kept N" once allocated)
 */
/* FLAGS: -fomit-frame-pointer -fno-inline -fno-optimize-sibling-calls */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCKS 256

static void *kept[BLOCKS];

__attribute__((noinline)) void *alloc_block(size_t n)
{
	void *p = malloc(n);

	if (p)
		memset(p, 1, n);
	return p;
}

__attribute__((noinline)) int keep_blocks(void)
{
	int n = 0;

	for (int i = 0; i < BLOCKS; i++)
		n += (kept[i] = alloc_block(4096)) != NULL;
	return n;
}

int main(int argc, char **argv)
{
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s WAIT-FILE\n", argv[0]);
		return 2;
	}
	printf("%d\n", getpid());
	fflush(stdout);
	while (access(argv[1], F_OK))	/* until the tracer is attached */
		usleep(10000);
	n = keep_blocks();
	printf("kept %d\n", n);
	fflush(stdout);
	pause();
	return 0;
}
