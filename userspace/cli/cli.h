/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_CLI_H
#define FAULTLINE_CLI_H

#include <stdbool.h>

#define EXIT_USAGE 2

/* Every command is int cmd_x(int argc, char **argv) with argv[0] its name. */
int cmd_probe(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_agent(int argc, char **argv);

/*
 * Reports a getopt_long failure (@c is '?' or ':') for @cmd as one line plus
 * a hint, and returns EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, int c, char **argv);

/* "Error: <cmd>: <msg>" + "Try 'faultline <cmd> --help'."; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Before loading BPF: the privileges and BTF it needs, tracefs mounted when
 * @tracefs (tracepoints), Ctrl-C and SIGTERM caught. 0, or -errno after one
 * error line.
 */
int cli_prepare_kernel(const char *cmd, bool tracefs);

/* Parses a decimal in [min, max]; false when @s is not one. */
bool cli_parse_long(const char *s, long min, long max, long *out);

#endif
