/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_STRMAP_H
#define FAULTLINE_STRMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The one string hash table: byte-string keys, each given an index (0, 1, ...
 * in insertion order) and, when @val_size is not 0, a zeroed value of that
 * size. Keys are stored NUL-terminated; keys and values never move, so
 * pointers to them stay valid until strmap__free(). This serves interning
 * (the stored copy of a string), string ids (the index) and string -> value
 * maps walked in insertion order.
 */
struct strmap;

struct strmap *strmap__new(size_t val_size);
void strmap__free(struct strmap *m);	/* NULL-safe */

/* The index of @key, added when new (*@added = 1); -ENOMEM. */
ssize_t strmap__add(struct strmap *m, const void *key, size_t klen, int *added);
/* The index of @key, -ENOENT when absent. */
ssize_t strmap__find(const struct strmap *m, const void *key, size_t klen);
/*
 * The value of @key, created zeroed when new (*@added = 1); NULL on ENOMEM.
 * A map without values (val_size 0) uses strmap__add() instead.
 */
void *strmap__get(struct strmap *m, const void *key, size_t klen, int *added);
/* The stored copy of @s, NULL on ENOMEM. */
const char *strmap__intern(struct strmap *m, const char *s);

/*
 * Small ids, so millions of records can name a few thousand strings by number
 * with 0 left for "no string": an id is the index + 1. strmap__id() adds @s
 * when new (*@added = 1), 0 with errno set on failure; strmap__id_str() is ""
 * for 0 or an unknown id.
 */
uint32_t strmap__id(struct strmap *m, const char *s, int *added);
const char *strmap__id_str(const struct strmap *m, uint32_t id);

size_t strmap__count(const struct strmap *m);
/* Entry @i (< count): its key (with its length in *@klen) and its value. */
const char *strmap__key(const struct strmap *m, size_t i, size_t *klen);
void *strmap__value(const struct strmap *m, size_t i);	/* NULL when val_size is 0 */

#endif
