// SPDX-License-Identifier: GPL-2.0
/*
 * The hottest functions as a short table, for a terminal: self samples (the
 * function was the leaf) and total samples (it was anywhere on the stack,
 * counted once per stack so recursion does not inflate it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/text_safe.h"
#include "output/output_common.h"

#define TOP_DEFAULT_ROWS 10

struct top_fn {
	const struct profile_frame *frame;	/* the first frame seen with this key */
	uint64_t self, total;
	size_t last_stack;			/* 1 + index of the last stack counted */
};

static struct top_fn *fn_for(struct strmap *m, struct strbuf *key, const struct profile_frame *f)
{
	struct top_fn *fn;
	int created;

	strbuf_reset(key);
	strbuf_adds(key, output_frame_name(f));
	strbuf_add(key, "", 1);
	strbuf_adds(key, f->module ? f->module : "");
	strbuf_add(key, "", 1);
	strbuf_adds(key, output_kind_name(f->kind));
	if (key->err)
		return NULL;
	fn = strmap__get(m, key->buf, key->len, &created);
	if (fn && created)
		fn->frame = f;
	return fn;
}

static int count_stacks(const struct profile_data *p, struct strmap *m)
{
	struct strbuf key = {0};
	int err = 0;

	for (size_t i = 0; i < p->nstacks && !err; i++) {
		const struct profile_stack *s = &p->stacks[i];

		for (int j = 0; j < s->nframes; j++) {
			struct top_fn *fn = fn_for(m, &key, &s->frames[j]);

			if (!fn) {
				err = -ENOMEM;
				break;
			}
			if (j == s->nframes - 1)
				fn->self += s->count;
			if (fn->last_stack != i + 1)
				fn->total += s->count;
			fn->last_stack = i + 1;
		}
	}
	strbuf_free(&key);
	return err;
}

static int cmp_fn(const void *a, const void *b)
{
	const struct top_fn *x = *(struct top_fn *const *)a, *y = *(struct top_fn *const *)b;

	if (x->self != y->self)
		return x->self < y->self ? 1 : -1;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(output_frame_name(x->frame), output_frame_name(y->frame));
}

static double pct(uint64_t n, uint64_t total)
{
	return total ? 100.0 * (double)n / (double)total : 0.0;
}

/* One row per function: a control character in a name would break the table. */
static void put_name(FILE *out, const char *name)
{
	char safe[1024];

	text_safe(name, safe, sizeof(safe), TEXT_SAFE_TERMINAL);
	fputs(safe, out);
}

static void print_row(FILE *out, const struct profile_data *p, const struct top_fn *fn,
		      uint64_t total)
{
	const struct profile_frame *f = fn->frame;

	if (output_timed(p))	/* microseconds, shown in ms */
		fprintf(out, "%10.1f %6.2f%% %10.1f %6.2f%%  ", fn->self / 1e3, pct(fn->self, total),
			fn->total / 1e3, pct(fn->total, total));
	else
		fprintf(out, "%10llu %6.2f%% %10llu %6.2f%%  ", (unsigned long long)fn->self,
			pct(fn->self, total), (unsigned long long)fn->total, pct(fn->total, total));
	put_name(out, output_frame_name(f));
	if (f->kind == FRAME_KERNEL) {
		fputs(" [k]", out);
	} else if (f->module) {
		fputs("  (", out);
		put_name(out, output_basename(f->module));
		fputc(')', out);
	}
	fputc('\n', out);
}

static void print_header(const struct profile_data *p, uint64_t total, FILE *out)
{
	char amount[48];

	fputs(output_amount(p, total, amount, sizeof(amount)), out);
	if (p->duration_ns)
		fprintf(out, " in %.2f s", (double)p->duration_ns / 1e9);
	if (p->freq_hz)
		fprintf(out, " at %u Hz", p->freq_hz);
	if (p->lost_samples && output_timed(p))
		fprintf(out, ", %s lost", output_amount(p, p->lost_samples, amount, sizeof(amount)));
	else if (p->lost_samples)
		fprintf(out, ", %llu lost", (unsigned long long)p->lost_samples);
	fprintf(out, "\n%10s %7s %10s %7s  %s\n", output_timed(p) ? "SELF ms" : "SELF", "SELF%",
		output_timed(p) ? "TOTAL ms" : "TOTAL", "TOTAL%", "FUNCTION");
}

int output_top(const struct profile_data *p, const struct output_opts *o, FILE *out)
{
	size_t n, rows = o && o->top_n > 0 ? (size_t)o->top_n : TOP_DEFAULT_ROWS;
	uint64_t total = output_sampled_total(p);
	struct top_fn **fns = NULL;
	struct strmap *m;
	int err;

	m = strmap__new(sizeof(struct top_fn));
	if (!m)
		return -ENOMEM;
	err = count_stacks(p, m);
	n = strmap__count(m);
	if (!err) {
		fns = calloc(n ? n : 1, sizeof(*fns));
		err = fns ? 0 : -ENOMEM;
	}
	if (!err) {
		for (size_t i = 0; i < n; i++)
			fns[i] = strmap__value(m, i);
		qsort(fns, n, sizeof(*fns), cmp_fn);
		print_header(p, total, out);
		for (size_t i = 0; i < n && i < rows; i++)
			print_row(out, p, fns[i], total);
		err = ferror(out) ? -EIO : 0;
	}
	free(fns);
	strmap__free(m);
	return err;
}
