/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYSCALL_NAMES_H
#define FAULTLINE_SYSCALL_NAMES_H

/* x86_64 syscall number -> name ("read"); NULL for numbers with no name. */
const char *syscall_name(int nr);

/* Name -> number; -1 when unknown. */
int syscall_nr(const char *name);

/* The highest number in the table. */
int syscall_max_nr(void);

#endif
