/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_INTERN_H
#define FAULTLINE_RECORDING_INTERN_H

#include <stddef.h>
#include <stdint.h>

/*
 * A string table: each distinct string gets a small id (1, 2, ...; 0 means
 * "no string"), so millions of events can refer to a few thousand stacks,
 * commands and cgroups by number.
 */
struct strtab;

struct strtab *strtab__new(void);
void strtab__free(struct strtab *t);	/* NULL-safe */

/* The id of @s, adding it when new (*@added set); 0 with errno on failure. */
uint32_t strtab__intern(struct strtab *t, const char *s, int *added);

/* The id of @s, 0 when absent. */
uint32_t strtab__find(const struct strtab *t, const char *s);

/* The string of @id; "" for 0 or an unknown id. */
const char *strtab__str(const struct strtab *t, uint32_t id);

size_t strtab__count(const struct strtab *t);

#endif
