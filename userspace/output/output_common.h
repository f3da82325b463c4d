/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_OUTPUT_COMMON_H
#define FAULTLINE_OUTPUT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/stack_profile.h"

/*
 * Helpers shared by the profile writers (output_*.c): a growable string and
 * the naming rules every format agrees on.
 */

/* A growable NUL-terminated string; @err sticks once an allocation fails. */
struct strbuf {
	char *buf;
	size_t len, cap;
	int err;
};

void strbuf_reset(struct strbuf *sb);	/* keeps the allocation */
void strbuf_free(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "kernel", "user", "jit", "unknown", "lost". */
const char *output_kind_name(enum frame_kind kind);

/* The root element of a stack: "comm" or "comm-PID", into @sb (unsanitized). */
void output_process_name(struct strbuf *sb, const struct profile_stack *s,
			 const struct output_opts *o);

/* The frame's name, or a placeholder when the profiler left it empty. */
const char *output_frame_name(const struct profile_frame *f);

/* Whether counts are microseconds (off-CPU or wall time) rather than samples. */
bool output_timed(const struct profile_data *p);

/* Sum of the stacks' counts: what a flame graph's root stands for. */
uint64_t output_sampled_total(const struct profile_data *p);

/* Last path component ("/usr/lib/libc.so.6" -> "libc.so.6"); "" for NULL. */
const char *output_basename(const char *path);

/* The flame graph's embedded JavaScript (output_svg_script.c). */
extern const char output_svg_script[];

#endif
