/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_INTERN_H
#define FAULTLINE_SYM_INTERN_H

/*
 * A set of strings that live until sym_intern__free(): results handed to
 * callers point here, so forgetting a process never leaves them dangling.
 */
struct sym_intern;

struct sym_intern *sym_intern__new(void);
void sym_intern__free(struct sym_intern *t);	/* NULL-safe */
/* The stored copy of @str (O(log n)), or NULL when out of memory. */
const char *sym_intern__get(struct sym_intern *t, const char *str);

#endif
