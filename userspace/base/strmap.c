// SPDX-License-Identifier: GPL-2.0
/* Open addressing over FNV-1a; slots index an insertion-ordered entry array. */
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/vec.h"

#define MIN_SLOTS 64

struct strmap_entry {
	void *block;		/* the value (val_off bytes) then the key: one allocation */
	size_t klen;
	uint64_t hash;
};

struct strmap {
	struct strmap_entry *ents;
	size_t count, cap;
	uint32_t *slots;	/* index + 1 into ents, 0 = empty */
	size_t nslots;		/* power of two, kept at most half full */
	size_t val_size, val_off;
};

static uint64_t strmap_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static const char *ent_key(const struct strmap *m, const struct strmap_entry *e)
{
	return (const char *)e->block + m->val_off;
}

struct strmap *strmap__new(size_t val_size)
{
	struct strmap *m = calloc(1, sizeof(*m));
	size_t align = alignof(max_align_t);

	if (!m)
		return NULL;
	m->val_size = val_size;
	m->val_off = (val_size + align - 1) / align * align;
	m->nslots = MIN_SLOTS;
	m->slots = calloc(m->nslots, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void strmap__free(struct strmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->count; i++)
		free(m->ents[i].block);
	free(m->ents);
	free(m->slots);
	free(m);
}

static size_t find_slot(const struct strmap *m, const void *key, size_t klen, uint64_t h)
{
	size_t mask = m->nslots - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		const struct strmap_entry *e;

		if (!m->slots[i])
			return i;
		e = &m->ents[m->slots[i] - 1];
		if (e->hash == h && e->klen == klen && !memcmp(ent_key(m, e), key, klen))
			return i;
	}
}

static int rehash(struct strmap *m)
{
	size_t n = m->nslots * 2, mask = n - 1;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t k = 0; k < m->count; k++) {
		size_t i = m->ents[k].hash & mask;

		while (slots[i])
			i = (i + 1) & mask;
		slots[i] = k + 1;
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
	return 0;
}

/* Room for one more entry: a free slot in a half-full table and in ents[]. */
static int reserve_one(struct strmap *m)
{
	if (m->count >= UINT32_MAX - 1)
		return -ENOMEM;
	if ((m->count + 1) * 2 > m->nslots && rehash(m))
		return -ENOMEM;
	return VEC_RESERVE(m->ents, m->cap, m->count + 1);
}

static int push(struct strmap *m, const void *key, size_t klen, uint64_t h)
{
	struct strmap_entry *e = &m->ents[m->count];
	char *block = malloc(m->val_off + klen + 1);

	if (!block)
		return -ENOMEM;
	memset(block, 0, m->val_off);
	memcpy(block + m->val_off, key, klen);
	block[m->val_off + klen] = '\0';
	*e = (struct strmap_entry){ .block = block, .klen = klen, .hash = h };
	m->count++;
	return 0;
}

ssize_t strmap__add(struct strmap *m, const void *key, size_t klen, int *added)
{
	uint64_t h = strmap_hash(key, klen);
	size_t slot = find_slot(m, key, klen, h);

	if (added)
		*added = 0;
	if (m->slots[slot])
		return m->slots[slot] - 1;
	if (reserve_one(m))
		return -ENOMEM;
	slot = find_slot(m, key, klen, h);	/* the table may have grown */
	if (push(m, key, klen, h))
		return -ENOMEM;
	m->slots[slot] = m->count;
	if (added)
		*added = 1;
	return m->count - 1;
}

ssize_t strmap__find(const struct strmap *m, const void *key, size_t klen)
{
	size_t slot = find_slot(m, key, klen, strmap_hash(key, klen));

	return m->slots[slot] ? (ssize_t)m->slots[slot] - 1 : -ENOENT;
}

void *strmap__get(struct strmap *m, const void *key, size_t klen, int *added)
{
	ssize_t i = strmap__add(m, key, klen, added);

	return i < 0 ? NULL : strmap__value(m, i);
}

const char *strmap__intern(struct strmap *m, const char *s)
{
	ssize_t i = strmap__add(m, s, strlen(s), NULL);

	return i < 0 ? NULL : strmap__key(m, i, NULL);
}

uint32_t strmap__id(struct strmap *m, const char *s, int *added)
{
	ssize_t i = strmap__add(m, s, strlen(s), added);

	if (i < 0) {
		errno = -i;
		return 0;
	}
	return (uint32_t)i + 1;
}

const char *strmap__id_str(const struct strmap *m, uint32_t id)
{
	if (!id || id > m->count)
		return "";
	return strmap__key(m, id - 1, NULL);
}

size_t strmap__count(const struct strmap *m)
{
	return m->count;
}

const char *strmap__key(const struct strmap *m, size_t i, size_t *klen)
{
	if (klen)
		*klen = m->ents[i].klen;
	return ent_key(m, &m->ents[i]);
}

void *strmap__value(const struct strmap *m, size_t i)
{
	return m->val_size ? m->ents[i].block : NULL;
}
