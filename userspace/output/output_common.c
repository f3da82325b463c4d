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

struct keymap_entry {
	char *key;
	size_t klen;
	uint64_t hash;
	void *val;
};

struct keymap {
	struct keymap_entry *ents;	/* insertion order */
	size_t count, ents_cap;
	uint32_t *slots;		/* index + 1 into ents, 0 = empty */
	size_t nslots;			/* power of two */
	size_t val_size;
};

static uint64_t keymap_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

struct keymap *keymap__new(size_t val_size)
{
	struct keymap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->val_size = val_size;
	m->nslots = 64;
	m->slots = calloc(m->nslots, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void keymap__free(struct keymap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->count; i++) {
		free(m->ents[i].key);
		free(m->ents[i].val);
	}
	free(m->ents);
	free(m->slots);
	free(m);
}

static size_t keymap_find_slot(const struct keymap *m, const void *key, size_t klen, uint64_t h)
{
	size_t mask = m->nslots - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		const struct keymap_entry *e;

		if (!m->slots[i])
			return i;
		e = &m->ents[m->slots[i] - 1];
		if (e->hash == h && e->klen == klen && !memcmp(e->key, key, klen))
			return i;
	}
}

/* Keeps the table at most half full so probes stay short. */
static int keymap_rehash(struct keymap *m)
{
	size_t n = m->nslots * 2;
	uint32_t *slots = calloc(n, sizeof(*slots));
	uint32_t *old = m->slots;

	if (!slots)
		return -ENOMEM;
	m->slots = slots;
	m->nslots = n;
	for (size_t i = 0; i < m->count; i++) {
		struct keymap_entry *e = &m->ents[i];

		m->slots[keymap_find_slot(m, e->key, e->klen, e->hash)] = i + 1;
	}
	free(old);
	return 0;
}

static int keymap_reserve(struct keymap *m)
{
	struct keymap_entry *ents;
	size_t cap;

	if ((m->count + 1) * 2 > m->nslots && keymap_rehash(m))
		return -ENOMEM;
	if (m->count < m->ents_cap)
		return 0;
	cap = m->ents_cap ? m->ents_cap * 2 : 64;
	ents = realloc(m->ents, cap * sizeof(*ents));
	if (!ents)
		return -ENOMEM;
	m->ents = ents;
	m->ents_cap = cap;
	return 0;
}

void *keymap__get(struct keymap *m, const void *key, size_t klen, int *created)
{
	uint64_t h = keymap_hash(key, klen);
	struct keymap_entry *e;
	size_t slot;

	if (created)
		*created = 0;
	slot = keymap_find_slot(m, key, klen, h);
	if (m->slots[slot])
		return m->ents[m->slots[slot] - 1].val;
	if (keymap_reserve(m))
		return NULL;
	slot = keymap_find_slot(m, key, klen, h);	/* the table may have grown */
	e = &m->ents[m->count];
	e->key = malloc(klen + 1);
	e->val = calloc(1, m->val_size ? m->val_size : 1);
	if (!e->key || !e->val) {
		free(e->key);
		free(e->val);
		return NULL;
	}
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	e->klen = klen;
	e->hash = h;
	m->slots[slot] = ++m->count;
	if (created)
		*created = 1;
	return e->val;
}

size_t keymap__count(const struct keymap *m)
{
	return m->count;
}

void *keymap__value(const struct keymap *m, size_t i)
{
	return m->ents[i].val;
}

const char *keymap__key(const struct keymap *m, size_t i, size_t *klen)
{
	if (klen)
		*klen = m->ents[i].klen;
	return m->ents[i].key;
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
