/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_FUZZ_CLI_H
#define FAULTLINE_FUZZ_CLI_H

/*
 * report's argument parser is static to cmd_report.c: this wrapper compiles
 * that file again (its cmd_report entry renamed away) and calls the parser
 * alone, never what runs after it. It returns what the parser did: 0 run,
 * 1 help shown, or a usage error's status. profile, watch and record share
 * cli_opts_parse(), which the harness calls directly.
 */
int fuzz_report_args(int argc, char **argv);

#endif
