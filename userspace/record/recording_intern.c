// SPDX-License-Identifier: GPL-2.0
/* Open-addressing string table; ids index an array of owned copies. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record/recording_intern.h"

struct strtab {
	char **strs;		/* strs[id - 1] */
	size_t count, cap;
	uint32_t *slots;	/* 0 empty, else an id */
	size_t nslots;		/* power of two, kept at most half full */
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct strtab *strtab__new(void)
{
	struct strtab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nslots = 64;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void strtab__free(struct strtab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->count; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->slots);
	free(t);
}

static size_t find_slot(const struct strtab *t, const char *s)
{
	size_t mask = t->nslots - 1, i = hash_str(s) & mask;

	while (t->slots[i] && strcmp(t->strs[t->slots[i] - 1], s))
		i = (i + 1) & mask;
	return i;
}

static int grow_slots(struct strtab *t)
{
	size_t n = t->nslots * 2, mask = n - 1;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t id = 1; id <= t->count; id++) {
		size_t i = hash_str(t->strs[id - 1]) & mask;

		while (slots[i])
			i = (i + 1) & mask;
		slots[i] = id;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

static int push_str(struct strtab *t, const char *s)
{
	char *copy;

	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **strs = realloc(t->strs, cap * sizeof(*strs));

		if (!strs)
			return -ENOMEM;
		t->strs = strs;
		t->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	t->strs[t->count++] = copy;
	return 0;
}

uint32_t strtab__intern(struct strtab *t, const char *s, int *added)
{
	size_t slot;

	if (added)
		*added = 0;
	if ((t->count + 1) * 2 > t->nslots && grow_slots(t)) {
		errno = ENOMEM;
		return 0;
	}
	slot = find_slot(t, s);
	if (t->slots[slot])
		return t->slots[slot];
	if (push_str(t, s)) {
		errno = ENOMEM;
		return 0;
	}
	t->slots[slot] = t->count;
	if (added)
		*added = 1;
	return t->count;
}

uint32_t strtab__find(const struct strtab *t, const char *s)
{
	return t->slots[find_slot(t, s)];
}

const char *strtab__str(const struct strtab *t, uint32_t id)
{
	if (!id || id > t->count)
		return "";
	return t->strs[id - 1];
}

size_t strtab__count(const struct strtab *t)
{
	return t->count;
}
