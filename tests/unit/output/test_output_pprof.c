// SPDX-License-Identifier: GPL-2.0
/*
 * pprof bytes decoded back: gunzip, walk the protobuf fields, check every
 * table. With FAULTLINE_PPROF_OUT=FILE the fixture profile is also written
 * there, for tests/integration/test_pprof_go.sh to feed to `go tool pprof`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "output/protobuf.h"
#include "output/stack_profile.h"
#include "fixtures/output/profile_fixture.h"

#define MAXN 256

struct span { const uint8_t *p; size_t len; };

/* What the test reads back: every table, ids as written. */
struct decoded {
	struct span strings[MAXN];
	int nstrings;
	struct span samples[MAXN], mappings[MAXN], locations[MAXN], functions[MAXN];
	int nsamples, nmappings, nlocations, nfunctions;
	struct span sample_types[4], period_type;
	int nsample_types;
	uint64_t period, time_nanos, duration_nanos, comments[4];
	int ncomments;
};

static uint64_t rd_varint(struct span *s)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		assert_true(s->len > 0);
		v |= (uint64_t)(s->p[0] & 0x7f) << shift;
		s->len--;
		if (!(*s->p++ & 0x80))
			return v;
	}
	fail_msg("varint too long");
	return 0;
}

/* Next field of @s: its number, and its varint value or its bytes. */
static int rd_field(struct span *s, uint64_t *v, struct span *bytes)
{
	uint64_t tag;

	if (!s->len)
		return 0;
	tag = rd_varint(s);
	if ((tag & 7) == 0) {
		*v = rd_varint(s);
	} else {
		assert_int_equal(tag & 7, 2);
		bytes->len = rd_varint(s);
		assert_true(bytes->len <= s->len);
		bytes->p = s->p;
		s->p += bytes->len;
		s->len -= bytes->len;
	}
	return (int)(tag >> 3);
}

/* A varint field of a message, 0 when absent (proto3 default). */
static uint64_t msg_uint(struct span m, int field)
{
	struct span b;
	uint64_t v = 0, r = 0;
	int f;

	while ((f = rd_field(&m, &v, &b)))
		if (f == field)
			r = v;
	return r;
}

static struct span msg_bytes(struct span m, int field)
{
	struct span b, r = {0};
	uint64_t v;
	int f;

	while ((f = rd_field(&m, &v, &b)))
		if (f == field)
			r = b;
	return r;
}

static struct span *table_slot(struct decoded *d, int field)
{
	switch (field) {
	case 1: assert_true(d->nsample_types < 4); return &d->sample_types[d->nsample_types++];
	case 2: assert_true(d->nsamples < MAXN); return &d->samples[d->nsamples++];
	case 3: assert_true(d->nmappings < MAXN); return &d->mappings[d->nmappings++];
	case 4: assert_true(d->nlocations < MAXN); return &d->locations[d->nlocations++];
	case 5: assert_true(d->nfunctions < MAXN); return &d->functions[d->nfunctions++];
	case 6: assert_true(d->nstrings < MAXN); return &d->strings[d->nstrings++];
	case 11: return &d->period_type;
	}
	return NULL;
}

static void decode(struct span s, struct decoded *d)
{
	struct span b = {0};
	uint64_t v = 0;
	int f;

	memset(d, 0, sizeof(*d));
	while ((f = rd_field(&s, &v, &b))) {
		struct span *slot = table_slot(d, f);

		if (slot)
			*slot = b;
		else if (f == 9)
			d->time_nanos = v;
		else if (f == 10)
			d->duration_nanos = v;
		else if (f == 12)
			d->period = v;
		else if (f == 13 && d->ncomments < 4)
			d->comments[d->ncomments++] = v;
	}
}

static uint8_t *gunzip(const uint8_t *in, size_t len, size_t *outlen)
{
	size_t cap = 1 << 20;
	uint8_t *out = malloc(cap);
	z_stream zs = {0};

	assert_non_null(out);
	assert_int_equal(inflateInit2(&zs, 16 + 15), Z_OK);	/* gzip only */
	zs.next_in = (Bytef *)in;
	zs.avail_in = len;
	zs.next_out = out;
	zs.avail_out = cap;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	inflateEnd(&zs);
	return out;
}

static const char *str(const struct decoded *d, uint64_t i, char *buf)
{
	assert_true(i < (uint64_t)d->nstrings);
	memcpy(buf, d->strings[i].p, d->strings[i].len);
	buf[d->strings[i].len] = '\0';
	return buf;
}

static struct span by_id(const struct span *tab, int n, uint64_t id)
{
	for (int i = 0; i < n; i++)
		if (msg_uint(tab[i], 1) == id)
			return tab[i];
	fail_msg("id %llu not found", (unsigned long long)id);
	return tab[0];
}

static uint8_t *raw, *pb;
static struct decoded dec;

static int setup(void **state)
{
	struct profile_data p;
	const char *path = getenv("FAULTLINE_PPROF_OUT");
	size_t rawlen = 0, pblen;
	FILE *f;

	(void)state;
	fixture_profile(&p);
	f = open_memstream((char **)&raw, &rawlen);
	if (!f || output_pprof(&p, NULL, f) || fclose(f))
		return -1;
	if (path) {
		f = fopen(path, "w");
		if (!f || output_pprof(&p, NULL, f) || fclose(f))
			return -1;
	}
	pb = gunzip(raw, rawlen, &pblen);
	decode((struct span){pb, pblen}, &dec);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(raw);
	free(pb);
	return 0;
}

static void test_varint_encoding(void **state)
{
	uint64_t vals[] = {1, 300, UINT64_MAX};
	struct pb_buf b = {0};
	const uint8_t want[] = {
		0x08, 0x96, 0x01,			/* field 1 = 150 */
		0x1a, 0x00,				/* field 3 = "" */
		0x22, 0x0d, 0x01, 0xac, 0x02,		/* field 4 packed: 1, 300, */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,	/* 2^64-1 */
	};

	(void)state;
	pb_uint(&b, 1, 150);
	pb_uint(&b, 2, 0);		/* a default value is not written */
	pb_string(&b, 3, "");		/* but an empty repeated string is */
	pb_packed(&b, 4, vals, 3);
	pb_packed(&b, 5, vals, 0);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	pb_free(&b);
}

static void test_header(void **state)
{
	char a[256], u[256];

	(void)state;
	assert_true(dec.nstrings > 0);
	assert_int_equal(dec.strings[0].len, 0);
	assert_int_equal(dec.nsample_types, 2);
	assert_string_equal(str(&dec, msg_uint(dec.sample_types[0], 1), a), "samples");
	assert_string_equal(str(&dec, msg_uint(dec.sample_types[0], 2), u), "count");
	assert_string_equal(str(&dec, msg_uint(dec.sample_types[1], 1), a), "cpu");
	assert_string_equal(str(&dec, msg_uint(dec.sample_types[1], 2), u), "nanoseconds");
	assert_string_equal(str(&dec, msg_uint(dec.period_type, 1), a), "cpu");
	assert_string_equal(str(&dec, msg_uint(dec.period_type, 2), u), "nanoseconds");
	assert_int_equal(dec.period, 10101010);
	assert_int_equal(dec.time_nanos, 1795000000123456789ULL);
	assert_int_equal(dec.duration_nanos, 5000000000ULL);
	assert_int_equal(dec.ncomments, 3);
	assert_string_equal(str(&dec, dec.comments[0], a),
			    "faultline profile -p 100 -d 5 -o <out>.svg");
	assert_string_equal(str(&dec, dec.comments[2], a), "lost samples: 2");
}

static int sample_locations(struct span s, uint64_t *ids)
{
	struct span packed = msg_bytes(s, 1);
	int n = 0;

	while (packed.len)
		ids[n++] = rd_varint(&packed);
	return n;
}

static const char *loc_name(uint64_t loc_id, char *buf)
{
	struct span loc = by_id(dec.locations, dec.nlocations, loc_id);
	struct span line = msg_bytes(loc, 4);
	struct span fn = by_id(dec.functions, dec.nfunctions, msg_uint(line, 1));

	return str(&dec, msg_uint(fn, 2), buf);
}

static void test_samples_leaf_first_with_values(void **state)
{
	uint64_t ids[16], sum = 0;
	char name[256];

	(void)state;
	assert_int_equal(dec.nsamples, 8);
	for (int i = 0; i < dec.nsamples; i++) {
		struct span v = msg_bytes(dec.samples[i], 2);
		uint64_t count = rd_varint(&v), cpu = rd_varint(&v);

		assert_int_equal(v.len, 0);
		assert_int_equal(cpu, count * 10101010);
		sum += count;
	}
	assert_int_equal(sum, FX_TOTAL);
	assert_int_equal(sample_locations(dec.samples[0], ids), 3);
	assert_string_equal(loc_name(ids[0], name), "burn_a");
	assert_string_equal(loc_name(ids[1], name), "work");
	assert_string_equal(loc_name(ids[2], name), "main");
	/* the same frames in another sample are the same locations */
	assert_int_equal(sample_locations(dec.samples[2], ids + 3), 3);
	assert_memory_equal(ids, ids + 3, 3 * sizeof(ids[0]));
}

static void test_labels(void **state)
{
	struct span s = dec.samples[4], b;
	char key[256], val[256];
	int seen = 0, f;
	uint64_t v;

	(void)state;
	while ((f = rd_field(&s, &v, &b))) {
		if (f != 3)
			continue;
		str(&dec, msg_uint(b, 1), key);
		if (!strcmp(key, "pid") && msg_uint(b, 3) == 200)
			seen |= 1;
		if (!strcmp(key, "comm") && !strcmp(str(&dec, msg_uint(b, 2), val), "we;ird"))
			seen |= 2;
	}
	assert_int_equal(seen, 3);
}

static void test_mappings_and_functions(void **state)
{
	struct span loc, map, fn, line;
	uint64_t ids[16];
	char buf[256];
	int mains = 0;

	(void)state;
	assert_int_equal(sample_locations(dec.samples[3], ids), 4);	/* ksys_write leaf */
	loc = by_id(dec.locations, dec.nlocations, ids[0]);
	assert_int_equal(msg_uint(loc, 3), 0xffffffff81300000ULL);
	map = by_id(dec.mappings, dec.nmappings, msg_uint(loc, 2));
	assert_string_equal(str(&dec, msg_uint(map, 5), buf), "[kernel.kallsyms]");
	assert_int_equal(msg_uint(map, 7), 1);
	assert_true(msg_uint(map, 2) <= 0xffffffff81300000ULL);
	assert_true(msg_uint(map, 3) > 0xffffffff81e00000ULL);
	line = msg_bytes(loc, 4);
	fn = by_id(dec.functions, dec.nfunctions, msg_uint(line, 1));
	assert_string_equal(str(&dec, msg_uint(fn, 4), buf), "[kernel]");

	loc = by_id(dec.locations, dec.nlocations, ids[3]);	/* main of prog */
	map = by_id(dec.mappings, dec.nmappings, msg_uint(loc, 2));
	assert_string_equal(str(&dec, msg_uint(map, 5), buf), FX_PROG);
	assert_string_equal(str(&dec, msg_uint(map, 6), buf), FX_PROG_BID);
	assert_int_equal(msg_uint(map, 2), 0x400000);
	assert_int_equal(msg_uint(map, 3), 0x500000);
	for (int i = 0; i < dec.nmappings; i++)
		assert_int_equal(msg_uint(dec.mappings[i], 7), 1);
	for (int i = 0; i < dec.nfunctions; i++)
		mains += !strcmp(str(&dec, msg_uint(dec.functions[i], 2), buf), "main");
	assert_int_equal(mains, 2);	/* prog's and node's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint_encoding),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_samples_leaf_first_with_values),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_mappings_and_functions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
