/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PY_DECODE_H
#define FAULTLINE_PY_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "pyframes.h"

/*
 * Pure decoding of what a CPython process holds: the machine code that finds
 * its thread state, the per-version layouts, the 3.11 location table.
 */

/* Userspace-only layout of a version: the code object fields names are read from. */
struct py_layout {
	unsigned int major, minor;
	__u16 code_filename, code_qualname, code_linetable, code_adaptive;
	__u16 bytes_data;		/* PyBytesObject.ob_sval */
	struct pyframes_proc bpf;	/* the frame and thread-state offsets (tsd_* left 0) */
};

/* The layout of CPython @major.@minor; -ENOTSUP for a version without one. */
int py_layout_for(unsigned int major, unsigned int minor, struct py_layout *out);

/*
 * Offset from _PyRuntime of the pthread key of the thread states, from the
 * code of PyGILState_GetThisThreadState at @func_vaddr (@n bytes) in a file
 * whose _PyRuntime is at @runtime_vaddr: "mov key(%rip),%edi; jmp" or, in a
 * shared libpython, "lea tss(%rax),%rdi; jmp PyThread_tss_get" with rax
 * loaded with &_PyRuntime. -ENOENT when the code is neither.
 */
int py_decode_tss_key(const uint8_t *code, size_t n, uint64_t func_vaddr,
		      uint64_t runtime_vaddr, uint32_t *key_off);

/*
 * glibc's slot math from the code of pthread_getspecific: keys up to a bound
 * live in struct pthread (at fsbase on x86-64) at base + key * 16, value at
 * +data. Fills tsd_base, tsd_stride, tsd_data and tsd_max_key of @c.
 */
int py_decode_tsd(const uint8_t *code, size_t n, struct pyframes_proc *c);

/*
 * The line of code unit @index in a 3.11 location table (co_linetable) of a
 * code object starting at @firstlineno; -1 when the table has no line there.
 */
int py_line_at(const uint8_t *table, size_t n, int firstlineno, uint32_t index);

#endif
