// SPDX-License-Identifier: GPL-2.0
#define cmd_watch fuzz_cmd_watch_unused
#include "cli/cmd_watch.c"
#include "fuzz_cli.h"

int fuzz_watch_args(int argc, char **argv)
{
	struct watch_opts o;

	watch_opts_init(&o);
	return parse_args(&o, argc, argv);
}
