// SPDX-License-Identifier: GPL-2.0
#define cmd_report fuzz_cmd_report_unused
#include "cli/cmd_report.c"
#include "fuzz_cli.h"

int fuzz_report_args(int argc, char **argv)
{
	struct report_args a = { 0 };
	int ret = parse_args(argc, argv, &a);

	return ret < 0 ? 1 : ret;	/* -1: --help shown */
}
