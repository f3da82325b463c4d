// SPDX-License-Identifier: GPL-2.0
/* faultline: eBPF production profiler and error tracer. Dispatches commands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "base/log.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static int cmd_help(int argc, char **argv);

static const struct cmd commands[] = {
	{ "probe", cmd_probe, "what this kernel supports and which hooks each capability uses" },
	{ "profile", cmd_profile, "sample on-CPU stacks: folded, SVG flame graph, pprof, JSON" },
	{ "watch", cmd_watch, "trace OOM kills, fd exhaustion, refused connections, slow "
			      "syscalls, fatal signals" },
	{ "record", cmd_record, "record profile and watch to a file" },
	{ "report", cmd_report, "turn a recording into incidents, timelines and flame graphs" },
	{ "agent", cmd_agent, "a daemon: watch and a low-rate profile, as Prometheus metrics" },
	{ "help", cmd_help, "this help, or 'help COMMAND'" },
};

#define NCOMMANDS (int)(sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: faultline [-v|-vv] COMMAND [OPTIONS]\n"
		   "       faultline --version\n\nCommands:\n");
	for (int i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'faultline COMMAND --help' for a command's options.\n");
}

static const struct cmd *find_command(const char *name)
{
	for (int i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct cmd *c;
	char *help_argv[] = { NULL, "--help", NULL };

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (!c || c->fn == cmd_help) {
		fprintf(stderr, "Error: help: unknown command '%s'\n", argv[1]);
		fprintf(stderr, "Try 'faultline --help'.\n");
		return EXIT_USAGE;
	}
	help_argv[0] = argv[1];
	return c->fn(2, help_argv);
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int i = 1;

	/* Global flags come before the command; commands accept -v too. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			log_verbosity++;
		} else if (!strcmp(argv[i], "-vv")) {
			log_verbosity += 2;
		} else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("faultline %s\n", FAULTLINE_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "Error: unknown option '%s'\nTry 'faultline --help'.\n",
				argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = find_command(argv[i]);
	if (!c) {
		fprintf(stderr, "Error: unknown command '%s'\nTry 'faultline --help'.\n", argv[i]);
		return EXIT_USAGE;
	}
	log_setup_libbpf();
	return c->fn(argc - i, argv + i);
}
