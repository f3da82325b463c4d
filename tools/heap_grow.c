// SPDX-License-Identifier: GPL-2.0
/*
 * heap_grow: keeps memory allocated from one function (keep_site) while
 * another (churn_site) allocates and frees three times as much, so a heap
 * tracer can be checked for where the live memory went.
 *
 *   heap_grow [--objects N] [--size BYTES] [--mix] [--wait-file PATH] [--hold SEC]
 *
 * --mix: keep_site uses calloc, malloc+realloc, posix_memalign, aligned_alloc
 * and reallocarray in turn; churn_site's blocks are freed by another thread.
 * Prints "pid N" first, then, once the work is done, the truth:
 * "kept_bytes B kept_objects N churned_bytes C"; holds SEC seconds (default
 * 3600, or until killed) and exits without freeing what it kept.
 * Built without sibling calls: keep_site must stay on the stack of its malloc.
 */
/* FLAGS: -fno-optimize-sibling-calls -pthread */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHURN_RATIO 3

static size_t size = 2048;
static int mix;
static int churn_pipe[2];

static void *keep[1 << 20];

/* Every block is @size bytes once this returns. */
static __attribute__((noinline)) void *keep_site(int i)
{
	void *p = NULL;

	if (!mix)
		return malloc(size);
	switch (i % 5) {
	case 0: return calloc(1, size);
	case 1: p = malloc(size / 2); return realloc(p, size);
	case 2: return posix_memalign(&p, 64, size) ? NULL : p;
	case 3: return aligned_alloc(64, size);
	default: return reallocarray(NULL, size / 8, 8);
	}
}

static __attribute__((noinline)) void *churn_site(void)
{
	void *p = malloc(size);

	if (p)
		memset(p, 1, 16);	/* used, so the compiler keeps it */
	return p;
}

/* --mix: frees what churn_site allocated in the main thread. */
static void *freer(void *arg)
{
	void *p;

	(void)arg;
	while (read(churn_pipe[0], &p, sizeof(p)) == sizeof(p) && p)
		free(p);
	return NULL;
}

static void churn_one(void)
{
	void *p = churn_site();

	if (!mix) {
		free(p);
		return;
	}
	if (write(churn_pipe[1], &p, sizeof(p)) != sizeof(p))
		free(p);
}

static void wait_file(const char *path)
{
	struct stat st;

	while (path && stat(path, &st))
		usleep(10000);
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "objects", required_argument, NULL, 'n' }, { "size", required_argument, NULL, 's' },
		{ "mix", no_argument, NULL, 'm' }, { "wait-file", required_argument, NULL, 'w' },
		{ "hold", required_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	long objects = 4096, hold = 3600, kept = 0;
	const char *wait_path = NULL;
	pthread_t th;
	void *end = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 'n': objects = atol(optarg); break;
		case 's': size = atol(optarg); break;
		case 'm': mix = 1; break;
		case 'w': wait_path = optarg; break;
		case 'h': hold = atol(optarg); break;
		default: return 2;
		}
	}
	if (objects < 1 || objects > (long)(sizeof(keep) / sizeof(keep[0])) || size < 64)
		return 2;
	printf("pid %d\n", getpid());
	fflush(stdout);
	wait_file(wait_path);
	if (mix && (pipe(churn_pipe) || pthread_create(&th, NULL, freer, NULL)))
		return 1;
	for (long i = 0; i < objects; i++) {
		keep[i] = keep_site(i);
		kept += keep[i] != NULL;
		for (int j = 0; j < CHURN_RATIO; j++)
			churn_one();
	}
	if (mix && (write(churn_pipe[1], &end, sizeof(end)) != sizeof(end) ||
		    pthread_join(th, NULL)))
		return 1;
	printf("kept_bytes %zu kept_objects %ld churned_bytes %zu\n", kept * size, kept,
	       (size_t)objects * CHURN_RATIO * size);
	fflush(stdout);
	sleep(hold);
	return 0;
}
