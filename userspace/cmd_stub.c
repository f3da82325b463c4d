// SPDX-License-Identifier: GPL-2.0
/* Commands that exist in the interface but are not built yet: they say so. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int not_implemented(const char *cmd, const char *usage, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: faultline %s %s\n\n(not implemented yet)\n", cmd, usage);
			return 0;
		}
	}
	fprintf(stderr, "Error: %s: not implemented yet in faultline %s\n", cmd,
		FAULTLINE_VERSION);
	return EXIT_USAGE;
}

int cmd_record(int argc, char **argv)
{
	return not_implemented("record", "-o FILE [-d SECONDS] [profile and watch options]",
			       argc, argv);
}

int cmd_report(int argc, char **argv)
{
	return not_implemented("report", "FILE [--format text|json|html] [-o FILE]", argc,
			       argv);
}
