// SPDX-License-Identifier: GPL-2.0
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "sym/sym_intern.h"

struct sym_intern {
	void *root;
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

struct sym_intern *sym_intern__new(void)
{
	return calloc(1, sizeof(struct sym_intern));
}

void sym_intern__free(struct sym_intern *t)
{
	if (!t)
		return;
	tdestroy(t->root, free);
	free(t);
}

const char *sym_intern__get(struct sym_intern *t, const char *str)
{
	char *copy, **slot;

	slot = tfind(str, &t->root, str_cmp);
	if (slot)
		return *slot;
	copy = strdup(str);
	if (!copy)
		return NULL;
	slot = tsearch(copy, &t->root, str_cmp);
	if (!slot || *slot != copy) {
		free(copy);
		return slot ? *slot : NULL;
	}
	return copy;
}
