// SPDX-License-Identifier: GPL-2.0
/* Decoding CPython's machine code, layouts and location tables (pure: no I/O). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "python/py_decode.h"

/* CPython's own structures across the 3.11 releases (checked on 3.11.2 and 3.11.7). */
static const struct py_layout layouts[] = {
	{
		.major = 3, .minor = 11,
		.code_filename = 112, .code_qualname = 128, .code_linetable = 136,
		.code_adaptive = 184, .bytes_data = 32,
		.bpf = {
			.tstate_cframe = 56, .cframe_current = 8,
			.frame_code = 32, .frame_previous = 48, .frame_prev_instr = 56,
			.frame_is_entry = 68,
			.code_argcount = 56, .code_flags = 48, .code_firstlineno = 72,
		},
	},
};

int py_layout_for(unsigned int major, unsigned int minor, struct py_layout *out)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (layouts[i].major == major && layouts[i].minor == minor) {
			*out = layouts[i];
			return 0;
		}
	}
	return -ENOTSUP;
}

static int32_t le32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static bool is_jmp(const uint8_t *p, size_t left)
{
	return (left >= 5 && p[0] == 0xe9) || (left >= 6 && p[0] == 0xff && p[1] == 0x25);
}

/* "mov disp32(%rip),%rax" anywhere before @end: rax holds a GOT entry's address. */
static bool loads_rax_from_got(const uint8_t *code, size_t end)
{
	for (size_t i = 0; i + 7 <= end; i++)
		if (code[i] == 0x48 && code[i + 1] == 0x8b && code[i + 2] == 0x05)
			return true;
	return false;
}

int py_decode_tss_key(const uint8_t *code, size_t n, uint64_t func_vaddr,
		      uint64_t runtime_vaddr, uint32_t *key_off)
{
	for (size_t i = 0; i + 6 <= n; i++) {
		/* mov disp32(%rip),%edi; jmp pthread_getspecific */
		if (code[i] == 0x8b && code[i + 1] == 0x3d && is_jmp(code + i + 6, n - i - 6)) {
			uint64_t key = func_vaddr + i + 6 + (int64_t)le32(code + i + 2);

			if (key < runtime_vaddr || key - runtime_vaddr > 0xffff)
				return -ENOENT;
			*key_off = key - runtime_vaddr;
			return 0;
		}
		/* lea imm32(%rax),%rdi; jmp PyThread_tss_get: Py_tss_t {int init; key} */
		if (i + 7 <= n && code[i] == 0x48 && code[i + 1] == 0x8d && code[i + 2] == 0xb8 &&
		    is_jmp(code + i + 7, n - i - 7) && loads_rax_from_got(code, i)) {
			int32_t off = le32(code + i + 3);

			if (off < 0 || off > 0xffff)
				return -ENOENT;
			*key_off = (uint32_t)off + 4;
			return 0;
		}
	}
	return -ENOENT;
}

/* Index of @pat in @code, or -1. */
static long find(const uint8_t *code, size_t n, const uint8_t *pat, size_t len, size_t from)
{
	for (size_t i = from; i + len <= n; i++)
		if (!memcmp(code + i, pat, len))
			return i;
	return -1;
}

int py_decode_tsd(const uint8_t *code, size_t n, struct pyframes_proc *c)
{
	/* cmp $max,%edi; ja ...  then  add $b,%rax; shl $4,%rax; add %fs:0x10,%rax */
	static const uint8_t cmp[] = {0x83, 0xff};
	static const uint8_t shl_fs[] = {0x48, 0xc1, 0xe0, 0x04, 0x64, 0x48, 0x03, 0x04,
					 0x25, 0x10, 0x00, 0x00, 0x00};
	long i = find(code, n, cmp, sizeof(cmp), 0), j;

	if (i < 0 || (size_t)i + 4 > n || code[i + 3] != 0x77)
		return -ENOENT;
	c->tsd_max_key = code[i + 2];
	j = find(code, n, shl_fs, sizeof(shl_fs), i);
	if (j < 4 || code[j - 4] != 0x48 || code[j - 3] != 0x83 || code[j - 2] != 0xc0)
		return -ENOENT;
	c->tsd_base = (uint32_t)code[j - 1] << 4;
	c->tsd_stride = 16;
	/* mov data(%rax),%rdx: the slot's value */
	j += sizeof(shl_fs);
	if ((size_t)j + 4 > n || code[j] != 0x48 || code[j + 1] != 0x8b || code[j + 2] != 0x50)
		return -ENOENT;
	c->tsd_data = code[j + 3];
	return 0;
}

/* A 6-bit-chunk varint of the location table; false past the end. */
static bool varint(const uint8_t *t, size_t n, size_t *i, uint32_t *out)
{
	uint32_t v = 0;
	unsigned int shift = 0;
	uint8_t b;

	do {
		if (*i >= n || shift > 28)
			return false;
		b = t[(*i)++];
		v |= (uint32_t)(b & 63) << shift;
		shift += 6;
	} while (b & 64);
	*out = v;
	return true;
}

static bool svarint(const uint8_t *t, size_t n, size_t *i, int *out)
{
	uint32_t u;

	if (!varint(t, n, i, &u))
		return false;
	*out = (u & 1) ? -(int)(u >> 1) : (int)(u >> 1);
	return true;
}

/* One entry's line change and extra bytes; false when malformed. */
static bool entry(const uint8_t *t, size_t n, size_t *i, int code, int64_t *line, bool *none)
{
	uint32_t skip;
	int delta = 0;

	*none = code == 15;
	if (code == 14 || code == 13) {
		if (!svarint(t, n, i, &delta))
			return false;
		/* long form: end line, column, end column */
		for (int k = 0; code == 14 && k < 3; k++)
			if (!varint(t, n, i, &skip))
				return false;
	} else if (code >= 10 && code <= 12) {
		delta = code - 10;
		*i += 2;
	} else if (code < 10) {
		*i += 1;
	}
	*line += delta;
	/* a hostile table must not overflow: no real line is near these */
	return *i <= n && *line > -(1LL << 40) && *line < (1LL << 40);
}

int py_line_at(const uint8_t *table, size_t n, int firstlineno, uint32_t index)
{
	int64_t line = firstlineno;
	uint64_t addr = 0;
	size_t i = 0;
	bool none;

	while (i < n) {
		uint8_t b = table[i++];
		int code = (b >> 3) & 15;

		if (!(b & 0x80) || !entry(table, n, &i, code, &line, &none))
			return -1;
		addr += (b & 7) + 1;
		if (index < addr)
			return none || line < 0 || line > INT32_MAX ? -1 : (int)line;
	}
	return -1;
}
