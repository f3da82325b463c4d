// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "output/output_common.h"

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	memset(sb, 0, sizeof(*sb));
}

static int strbuf_grow(struct strbuf *sb, size_t extra)
{
	if (!sb->err && VEC_RESERVE(sb->buf, sb->cap, sb->len + extra + 1))
		sb->err = -ENOMEM;
	return sb->err;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (strbuf_grow(sb, len))
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || strbuf_grow(sb, n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, n + 1, fmt, ap);
	va_end(ap);
	sb->len += n;
}

const char *output_kind_name(enum frame_kind kind)
{
	switch (kind) {
	case FRAME_KERNEL:
		return "kernel";
	case FRAME_USER:
		return "user";
	case FRAME_JIT:
		return "jit";
	case FRAME_LOST:
		return "lost";
	case FRAME_PYTHON:
		return "python";
	case FRAME_UNKNOWN:
	default:
		return "unknown";
	}
}

void output_process_name(struct strbuf *sb, const struct profile_stack *s,
			 const struct output_opts *o)
{
	strbuf_adds(sb, s->comm && s->comm[0] ? s->comm : "[unknown]");
	if (o && o->pid_in_name)
		strbuf_addf(sb, "-%u", s->pid);
}

const char *output_frame_name(const struct profile_frame *f)
{
	if (f->name && f->name[0])
		return f->name;
	return f->kind == FRAME_LOST ? "[lost stack]" : "[unknown]";
}

bool output_timed(const struct profile_data *p)
{
	return p->off_cpu || p->wall;
}

uint64_t output_sampled_total(const struct profile_data *p)
{
	uint64_t total = 0;

	for (size_t i = 0; i < p->nstacks; i++)
		total += p->stacks[i].count;
	return total;
}

const char *output_basename(const char *path)
{
	const char *slash;

	if (!path)
		return "";
	slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

const char *output_amount(const struct profile_data *p, uint64_t count, char *buf, size_t len)
{
	if (p->wall)
		snprintf(buf, len, "%.1f ms wall", (double)count * p->period_ns / 1e6);
	else if (p->off_cpu)
		snprintf(buf, len, "%.1f ms off-CPU", (double)count * p->period_ns / 1e6);
	else
		snprintf(buf, len, "%llu samples", (unsigned long long)count);
	return buf;
}
