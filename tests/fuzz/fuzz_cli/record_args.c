// SPDX-License-Identifier: GPL-2.0
#define cmd_record fuzz_cmd_record_unused
#include "cli/cmd_record.c"
#include "fuzz_cli.h"

int fuzz_record_args(int argc, char **argv)
{
	struct record_opts o = { .profile = true, .freq_hz = 99, .bucket_ns = 1000000000ULL };
	int ret;

	watch_opts_init(&o.watch);
	ret = parse_args(&o, argc, argv);
	if (!ret)
		describe(&o, argc, argv);
	return ret;
}
