// SPDX-License-Identifier: GPL-2.0
/* Code object names read from a live CPython 3.11 process. */
#include <errno.h>
#include <search.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "python/py_names.h"

#define NAME_CHARS	256		/* longer names and paths are cut */
#define LINETABLE_MAX	(64 * 1024)	/* bytes of co_linetable read at most */
#define CODE_HEAD	256		/* enough for every field read from a code object */

/* PyASCIIObject (3.11): length at 16, state at 32; data after 48 or 72 bytes. */
#define STR_LENGTH	16
#define STR_STATE	32
#define STR_ASCII_DATA	48
#define STR_COMPACT_DATA 72

struct code_info {
	int pid;
	uint64_t code;
	uint32_t cksum;
	bool ok;
	char *qualname, *file;
	uint8_t *linetable;
	size_t nlinetable;
	int firstlineno;
};

struct py_names {
	void *tree;
	uint64_t read, failed;
};

static int cmp_code(const void *a, const void *b)
{
	const struct code_info *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	return x->cksum < y->cksum ? -1 : x->cksum > y->cksum;
}

static void free_code(void *v)
{
	struct code_info *c = v;

	free(c->qualname);
	free(c->file);
	free(c->linetable);
	free(c);
}

struct py_names *py_names__new(void)
{
	return calloc(1, sizeof(struct py_names));
}

void py_names__free(struct py_names *n)
{
	if (!n)
		return;
	tdestroy(n->tree, free_code);
	free(n);
}

static int peek(int pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };

	if (!addr)
		return -EFAULT;
	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -EFAULT;
}

static uint64_t u64_at(const uint8_t *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

size_t py_utf8_put(uint32_t cp, char *out, size_t room)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff)
		cp = '?';
	if (cp < 0x80 && room >= 1) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800 && room >= 2) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000 && cp >= 0x800 && room >= 3) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	if (cp >= 0x10000 && room >= 4) {
		out[0] = 0xf0 | cp >> 18;
		out[1] = 0x80 | (cp >> 12 & 0x3f);
		out[2] = 0x80 | (cp >> 6 & 0x3f);
		out[3] = 0x80 | (cp & 0x3f);
		return 4;
	}
	return 0;
}

/* Code points of @kind bytes each (1, 2 or 4) as a new UTF-8 string. */
static char *to_utf8(const uint8_t *data, size_t len, unsigned int kind)
{
	char *s = malloc(len * 4 + 1);
	size_t o = 0;

	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		uint32_t cp = 0;
		uint16_t cp2;

		if (kind == 1) {
			cp = data[i];
		} else if (kind == 2) {
			memcpy(&cp2, data + i * 2, 2);
			cp = cp2;
		} else {
			memcpy(&cp, data + i * 4, 4);
		}

		o += py_utf8_put(cp, s + o, len * 4 - o);
	}
	s[o] = '\0';
	return s;
}

/* A compact str object (every code object's names are), at most NAME_CHARS of it. */
static char *read_str(int pid, uint64_t addr)
{
	uint8_t head[STR_COMPACT_DATA], data[NAME_CHARS * 4];
	unsigned int state, kind;
	int64_t len;

	if (peek(pid, addr, head, sizeof(head)))
		return NULL;
	memcpy(&len, head + STR_LENGTH, sizeof(len));
	memcpy(&state, head + STR_STATE, sizeof(state));
	kind = state >> 2 & 7;
	/* compact (bit 5) and ready (bit 7); ascii (bit 6) puts the data earlier */
	if (len < 0 || !(state & 1 << 5) || !(state & 1 << 7) ||
	    (kind != 1 && kind != 2 && kind != 4))
		return NULL;
	if (len > NAME_CHARS)
		len = NAME_CHARS;
	addr += (state & 1 << 6) ? STR_ASCII_DATA : STR_COMPACT_DATA;
	if (len && peek(pid, addr, data, len * kind))
		return NULL;
	return to_utf8(data, len, kind);
}

static void read_linetable(int pid, const struct py_layout *l, uint64_t addr,
			   struct code_info *c)
{
	uint8_t head[32];
	int64_t size;

	if (peek(pid, addr, head, sizeof(head)))
		return;
	memcpy(&size, head + 16, sizeof(size));	/* ob_size */
	if (size <= 0 || size > LINETABLE_MAX)
		return;
	c->linetable = malloc(size);
	if (c->linetable && !peek(pid, addr + l->bytes_data, c->linetable, size))
		c->nlinetable = size;
}

static void read_code(int pid, const struct py_layout *l, struct code_info *c)
{
	const struct pyframes_proc *b = &l->bpf;
	uint8_t h[CODE_HEAD];
	int32_t argc, flags, first;

	if (peek(pid, c->code, h, sizeof(h)))
		return;
	memcpy(&argc, h + b->code_argcount, 4);
	memcpy(&flags, h + b->code_flags, 4);
	memcpy(&first, h + b->code_firstlineno, 4);
	if (PYFRAMES_CKSUM(argc, flags, first) != c->cksum)
		return;		/* not the object the sample saw */
	c->firstlineno = first;
	c->qualname = read_str(pid, u64_at(h, l->code_qualname));
	c->file = read_str(pid, u64_at(h, l->code_filename));
	read_linetable(pid, l, u64_at(h, l->code_linetable), c);
	c->ok = c->qualname && c->file;
}

static const struct code_info *get_code(struct py_names *n, int pid, const struct py_layout *l,
					const struct pyframe *f)
{
	struct code_info probe = { .pid = pid, .code = f->code, .cksum = f->cksum }, *c;
	void *node = tfind(&probe, &n->tree, cmp_code);

	if (node)
		return *(struct code_info **)node;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	*c = probe;
	read_code(pid, l, c);
	n->read++;
	n->failed += !c->ok;
	if (!tsearch(c, &n->tree, cmp_code)) {
		free_code(c);
		return NULL;
	}
	return c;
}

void py_names__lookup(struct py_names *n, int pid, const struct py_layout *l,
		      const struct pyframe *f, struct py_name *out)
{
	const struct code_info *c = get_code(n, pid, l, f);
	uint32_t start = l->code_adaptive;

	memset(out, 0, sizeof(*out));
	out->line = -1;
	if (!c || !c->ok)
		return;
	out->qualname = c->qualname;
	out->file = c->file;
	/* prev_instr is one unit before the code when the frame has not started yet */
	if (f->instr_off == PYFRAMES_NO_INSTR || f->instr_off + 2 < start)
		return;
	if (f->instr_off < start)
		out->line = c->firstlineno;
	else
		out->line = py_line_at(c->linetable, c->nlinetable, c->firstlineno,
				       (f->instr_off - start) / 2);
}

void py_names__stats(const struct py_names *n, uint64_t *read, uint64_t *failed)
{
	*read = n->read;
	*failed = n->failed;
}
