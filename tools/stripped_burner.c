// SPDX-License-Identifier: GPL-2.0
/*
 * Burns CPU in a static (not exported) function for SECONDS, for the
 * MiniDebugInfo test: the Makefile also strips it into stripped_burner-mini
 * (static symbols in .gnu_debugdata) and stripped_burner-bare (no symbols
 * but .dynsym), where the same function has a name only from that section.
 *
 *   stripped_burner SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) static void stripped_burner_spin(void)
{
	for (int i = 0; i < 1000000; i++)
		sink += i;
}

int main(int argc, char **argv)
{
	time_t end;

	if (argc != 2 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: stripped_burner SECONDS\n");
		return 2;
	}
	end = time(NULL) + atoi(argv[1]);
	while (time(NULL) < end)
		stripped_burner_spin();
	return 0;
}
