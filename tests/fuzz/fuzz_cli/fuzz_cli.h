/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_FUZZ_CLI_H
#define FAULTLINE_FUZZ_CLI_H

/*
 * The argument parsers of watch, record and report are static to their
 * command files: these wrappers compile those files again (their cmd_X entry
 * renamed away) and call the parser alone, never what runs after it. Each
 * returns what the parser did: 0 run, 1 help shown, or a usage error's status.
 */
int fuzz_watch_args(int argc, char **argv);
int fuzz_record_args(int argc, char **argv);
int fuzz_report_args(int argc, char **argv);

#endif
