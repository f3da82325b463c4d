/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_LOG_H
#define FAULTLINE_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_WARN = 0,	/* always shown */
	LOG_INFO = 1,	/* -v */
	LOG_DEBUG = 2,	/* -vv, also enables libbpf's own messages */
};

extern int log_verbosity;

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "Error: <what failed>: <why>" on stderr, the one line a failing command prints. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Routes libbpf's messages through our levels (libbpf's only at -vv). */
void log_setup_libbpf(void);

#define pr_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
