// SPDX-License-Identifier: GPL-2.0
/*
 * Folded stacks, the input of flamegraph.pl and most flame graph tools:
 * "comm;root;...;leaf count", one line per unique stack, sorted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "output/output_common.h"

/*
 * Appends @name so that it stays one frame of one line: ';' separates
 * frames and a line ends at '\n', so those (and other control characters)
 * are replaced; surrounding blanks are dropped so frames merge.
 */
static void add_sanitized(struct strbuf *sb, const char *name)
{
	size_t start = sb->len;

	while (*name == ' ' || *name == '\t')
		name++;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		char ch = *c;

		if (ch == ';')
			ch = ':';
		else if (*c == '\t' || *c == '\n' || *c == '\r')
			ch = ' ';
		else if (*c < 0x20 || *c == 0x7f)
			ch = '?';
		strbuf_add(sb, &ch, 1);
	}
	while (sb->len > start && sb->buf[sb->len - 1] == ' ')
		sb->buf[--sb->len] = '\0';
	if (sb->len == start)
		strbuf_adds(sb, "[unknown]");
}

/*
 * flamegraph.pl reads "stack count" and then, for differential graphs,
 * takes a trailing " NUMBER" of the stack as a first count column: a leaf
 * such as "[unknown] 42" would lose its end. Spaces in such a leaf become
 * '_'; other leaves keep their spaces ("operator new" stays readable).
 */
static void fix_leaf(struct strbuf *sb, size_t start)
{
	size_t i = sb->len;

	while (i > start && ((sb->buf[i - 1] >= '0' && sb->buf[i - 1] <= '9') ||
			     sb->buf[i - 1] == '.'))
		i--;
	if (i == sb->len || i == start || sb->buf[i - 1] != ' ' || sb->buf[i] == '.')
		return;
	for (size_t j = start; j < sb->len; j++)
		if (sb->buf[j] == ' ')
			sb->buf[j] = '_';
}

static void fold_stack(struct strbuf *sb, const struct profile_stack *s,
		       const struct output_opts *o)
{
	struct strbuf comm = {0};
	size_t leaf = 0;

	output_process_name(&comm, s, o);
	add_sanitized(sb, comm.buf ? comm.buf : "");
	if (comm.err)
		sb->err = comm.err;
	strbuf_free(&comm);
	for (int i = 0; i < s->nframes; i++) {
		const struct profile_frame *f = &s->frames[i];

		strbuf_add(sb, ";", 1);
		leaf = sb->len;
		if (f->kind == FRAME_PYTHON)
			strbuf_adds(sb, "py:");
		add_sanitized(sb, output_frame_name(f));
		if (f->kind == FRAME_KERNEL)
			strbuf_adds(sb, "_[k]");
	}
	if (!sb->err)
		fix_leaf(sb, leaf);
}

static int cmp_keys(const void *a, const void *b, void *map)
{
	return strcmp(strmap__key(map, *(const size_t *)a, NULL),
		      strmap__key(map, *(const size_t *)b, NULL));
}

static int print_sorted(const struct strmap *m, FILE *out)
{
	size_t n = strmap__count(m), *idx;

	idx = calloc(n ? n : 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_keys, (void *)m);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s %llu\n", strmap__key(m, idx[i], NULL),
			(unsigned long long)*(uint64_t *)strmap__value(m, idx[i]));
	free(idx);
	return ferror(out) ? -EIO : 0;
}

int output_folded(const struct profile_data *p, const struct output_opts *o, FILE *out)
{
	struct strbuf sb = {0};
	struct strmap *m;
	int err = 0;

	m = strmap__new(sizeof(uint64_t));
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < p->nstacks && !err; i++) {
		uint64_t *count;

		if (!p->stacks[i].count)
			continue;
		strbuf_reset(&sb);
		fold_stack(&sb, &p->stacks[i], o);
		err = sb.err;
		count = err ? NULL : strmap__get(m, sb.buf, sb.len, NULL);
		if (!count)
			err = -ENOMEM;
		else
			*count += p->stacks[i].count;
	}
	if (!err)
		err = print_sorted(m, out);
	strbuf_free(&sb);
	strmap__free(m);
	return err;
}
