// SPDX-License-Identifier: GPL-2.0
/*
 * pprof's profile.proto (github.com/google/pprof/proto/profile.proto),
 * gzip-compressed, as `go tool pprof` reads it. Every mapping says
 * has_functions, so pprof uses our names and never tries to symbolize.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/strmap.h"
#include "base/text_safe.h"
#include "output/output_common.h"
#include "output/protobuf.h"

/* profile.proto field numbers */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE, PROFILE_MAPPING, PROFILE_LOCATION,
	PROFILE_FUNCTION, PROFILE_STRING_TABLE, PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS, PROFILE_PERIOD_TYPE, PROFILE_PERIOD, PROFILE_COMMENT,
};
enum { VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT };
enum { SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE, SAMPLE_LABEL };
enum { LABEL_KEY = 1, LABEL_STR, LABEL_NUM };
enum {
	MAPPING_ID = 1, MAPPING_START, MAPPING_LIMIT, MAPPING_OFFSET, MAPPING_FILENAME,
	MAPPING_BUILD_ID, MAPPING_HAS_FUNCTIONS,
};
enum { LOCATION_ID = 1, LOCATION_MAPPING_ID, LOCATION_ADDRESS, LOCATION_LINE };
enum { LINE_FUNCTION_ID = 1, LINE_LINE };
enum { FUNCTION_ID = 1, FUNCTION_NAME, FUNCTION_SYSTEM_NAME, FUNCTION_FILENAME };

#define KERNEL_MAPPING "[kernel.kallsyms]"

struct pp_mapping {
	uint64_t id, start, limit, offset, lo, hi;
	uint64_t filename, build_id;	/* string indexes */
};

struct pp_function {
	uint64_t id, name, filename;
};

struct pp_location {
	uint64_t id, mapping_id, addr, function_id, line;
};

struct pprof {
	struct strmap *strings;		/* string table: a string's index is its id */
	struct strmap *mappings, *functions, *locations;
	struct pb_buf out;		/* the Profile message */
	struct pb_buf msg;		/* one nested message at a time */
	struct strbuf key;
	int err;
};

/* profile.proto strings are UTF-8: Go's pprof rejects a profile otherwise. */
static uint64_t str_index(struct pprof *pp, const char *s)
{
	char *safe = NULL;
	ssize_t i = -1;

	if (text_is_safe(s, TEXT_SAFE_UTF8) || (s = safe = text_safe_dup(s, TEXT_SAFE_UTF8)))
		i = strmap__add(pp->strings, s, strlen(s), NULL);
	free(safe);
	if (i < 0) {
		pp->err = -ENOMEM;
		return 0;
	}
	return i;
}

/* Kernel frames share one mapping; a user file gets one per mapped range. */
static struct pp_mapping *mapping_for(struct pprof *pp, const struct profile_frame *f)
{
	int kernel = f->kind == FRAME_KERNEL, created;
	struct pp_mapping *m;

	strbuf_reset(&pp->key);
	strbuf_adds(&pp->key, kernel ? KERNEL_MAPPING : f->module);
	strbuf_add(&pp->key, "", 1);
	if (!kernel) {
		strbuf_adds(&pp->key, f->build_id ? f->build_id : "");
		strbuf_add(&pp->key, &f->map_start, sizeof(f->map_start));
		strbuf_add(&pp->key, &f->map_end, sizeof(f->map_end));
		strbuf_add(&pp->key, &f->map_pgoff, sizeof(f->map_pgoff));
	}
	m = pp->key.err ? NULL : strmap__get(pp->mappings, pp->key.buf, pp->key.len, &created);
	if (!m) {
		pp->err = -ENOMEM;
		return NULL;
	}
	if (created) {
		m->id = strmap__count(pp->mappings);
		m->filename = str_index(pp, kernel ? KERNEL_MAPPING : f->module);
		m->build_id = str_index(pp, !kernel && f->build_id ? f->build_id : "");
		m->start = kernel ? 0 : f->map_start;
		m->limit = kernel ? 0 : f->map_end;
		m->offset = kernel ? 0 : f->map_pgoff;
		m->lo = f->addr;
	}
	m->lo = f->addr < m->lo ? f->addr : m->lo;
	m->hi = f->addr > m->hi ? f->addr : m->hi;
	return m;
}

static uint64_t function_id(struct pprof *pp, const struct profile_frame *f)
{
	const char *name = output_frame_name(f), *file = f->module ? f->module : "";
	struct pp_function *fn;
	int created;

	/* Source-level frames: the function is the code's, the file its source. */
	if (f->src_func) {
		name = f->src_func;
		file = f->src_file ? f->src_file : "";
	}

	strbuf_reset(&pp->key);
	strbuf_adds(&pp->key, name);
	strbuf_add(&pp->key, "", 1);
	strbuf_adds(&pp->key, file);
	fn = pp->key.err ? NULL : strmap__get(pp->functions, pp->key.buf, pp->key.len, &created);
	if (!fn) {
		pp->err = -ENOMEM;
		return 0;
	}
	if (created) {
		fn->id = strmap__count(pp->functions);
		fn->name = str_index(pp, name);
		fn->filename = str_index(pp, file);
	}
	return fn->id;
}

static uint64_t location_id(struct pprof *pp, const struct profile_frame *f)
{
	struct pp_mapping *m = f->module || f->kind == FRAME_KERNEL ? mapping_for(pp, f) : NULL;
	struct pp_location key = {0}, *loc;
	int created;

	key.mapping_id = m ? m->id : 0;
	key.addr = f->addr;
	key.function_id = function_id(pp, f);
	key.line = f->src_line;
	if (pp->err)
		return 0;
	loc = strmap__get(pp->locations, &key, sizeof(key), &created);
	if (!loc) {
		pp->err = -ENOMEM;
		return 0;
	}
	if (created) {
		*loc = key;
		loc->id = strmap__count(pp->locations);
	}
	return loc->id;
}

static void add_label(struct pprof *pp, struct pb_buf *sample, const char *key,
		      const char *str, int64_t num)
{
	struct pb_buf label = {0};

	pb_int(&label, LABEL_KEY, str_index(pp, key));
	if (str)
		pb_int(&label, LABEL_STR, str_index(pp, str));
	else
		pb_int(&label, LABEL_NUM, num);
	pb_bytes(sample, SAMPLE_LABEL, label.data, label.len);
	if (label.err)
		sample->err = label.err;
	pb_free(&label);
}

static void add_sample(struct pprof *pp, const struct profile_stack *s, uint64_t period,
		       bool timed)
{
	uint64_t values[2] = {timed ? s->events : s->count, s->count * period}, *ids;
	int n = s->nframes > 0 ? s->nframes : 0;

	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids) {
		pp->err = -ENOMEM;
		return;
	}
	/* pprof wants the leaf first; we store the root first */
	for (int i = 0; i < n; i++)
		ids[i] = location_id(pp, &s->frames[n - 1 - i]);
	pb_reset(&pp->msg);
	pb_packed(&pp->msg, SAMPLE_LOCATION_ID, ids, n);
	free(ids);
	pb_packed(&pp->msg, SAMPLE_VALUE, values, 2);
	add_label(pp, &pp->msg, "pid", NULL, s->pid);
	if (s->tid)
		add_label(pp, &pp->msg, "tid", NULL, s->tid);
	add_label(pp, &pp->msg, "comm", s->comm ? s->comm : "[unknown]", 0);
	pb_bytes(&pp->out, PROFILE_SAMPLE, pp->msg.data, pp->msg.len);
}

static void add_value_type(struct pprof *pp, uint32_t field, const char *type, const char *unit)
{
	pb_reset(&pp->msg);
	pb_int(&pp->msg, VALUE_TYPE_TYPE, str_index(pp, type));
	pb_int(&pp->msg, VALUE_TYPE_UNIT, str_index(pp, unit));
	pb_bytes(&pp->out, field, pp->msg.data, pp->msg.len);
}

static void add_header(struct pprof *pp, const struct profile_data *p)
{
	struct strbuf c = {0};

	const char *time = p->wall ? "wall" : p->off_cpu ? "off_cpu" : "cpu";

	/* wall: the on-CPU samples and the waits behind each stack's time */
	add_value_type(pp, PROFILE_SAMPLE_TYPE, p->off_cpu ? "switches" : "samples", "count");
	add_value_type(pp, PROFILE_SAMPLE_TYPE, time, "nanoseconds");
	add_value_type(pp, PROFILE_PERIOD_TYPE, time, "nanoseconds");
	pb_int(&pp->out, PROFILE_PERIOD, p->period_ns);
	pb_int(&pp->out, PROFILE_TIME_NANOS, p->start_wall_ns);
	pb_int(&pp->out, PROFILE_DURATION_NANOS, p->duration_ns);
	if (p->command)
		pb_int(&pp->out, PROFILE_COMMENT, str_index(pp, p->command));
	if (p->hostname) {
		strbuf_addf(&c, "host: %s", p->hostname);
		pp->err = pp->err ?: c.err;
		if (!c.err)
			pb_int(&pp->out, PROFILE_COMMENT, str_index(pp, c.buf));
	}
	if (p->lost_samples) {
		strbuf_reset(&c);
		strbuf_addf(&c, "lost samples: %llu", (unsigned long long)p->lost_samples);
		pp->err = pp->err ?: c.err;
		if (!c.err)
			pb_int(&pp->out, PROFILE_COMMENT, str_index(pp, c.buf));
	}
	strbuf_free(&c);
}

static void add_mappings(struct pprof *pp)
{
	for (size_t i = 0; i < strmap__count(pp->mappings); i++) {
		const struct pp_mapping *m = strmap__value(pp->mappings, i);
		/* ranges the profiler did not know are the span of the addresses seen */
		int known = m->limit > m->start;

		pb_reset(&pp->msg);
		pb_uint(&pp->msg, MAPPING_ID, m->id);
		pb_uint(&pp->msg, MAPPING_START, known ? m->start : m->lo);
		pb_uint(&pp->msg, MAPPING_LIMIT, known ? m->limit : m->hi + 1);
		pb_uint(&pp->msg, MAPPING_OFFSET, m->offset);
		pb_int(&pp->msg, MAPPING_FILENAME, m->filename);
		pb_int(&pp->msg, MAPPING_BUILD_ID, m->build_id);
		pb_uint(&pp->msg, MAPPING_HAS_FUNCTIONS, 1);
		pb_bytes(&pp->out, PROFILE_MAPPING, pp->msg.data, pp->msg.len);
	}
}

static void add_locations(struct pprof *pp)
{
	struct pb_buf line = {0};

	for (size_t i = 0; i < strmap__count(pp->locations); i++) {
		const struct pp_location *l = strmap__value(pp->locations, i);

		pb_reset(&line);
		pb_uint(&line, LINE_FUNCTION_ID, l->function_id);
		if (l->line)
			pb_uint(&line, LINE_LINE, l->line);
		pb_reset(&pp->msg);
		pb_uint(&pp->msg, LOCATION_ID, l->id);
		pb_uint(&pp->msg, LOCATION_MAPPING_ID, l->mapping_id);
		pb_uint(&pp->msg, LOCATION_ADDRESS, l->addr);
		pb_bytes(&pp->msg, LOCATION_LINE, line.data, line.len);
		pb_bytes(&pp->out, PROFILE_LOCATION, pp->msg.data, pp->msg.len);
	}
	pp->err = pp->err ?: line.err;
	pb_free(&line);
}

static void add_functions(struct pprof *pp)
{
	for (size_t i = 0; i < strmap__count(pp->functions); i++) {
		const struct pp_function *fn = strmap__value(pp->functions, i);

		pb_reset(&pp->msg);
		pb_uint(&pp->msg, FUNCTION_ID, fn->id);
		pb_int(&pp->msg, FUNCTION_NAME, fn->name);
		pb_int(&pp->msg, FUNCTION_SYSTEM_NAME, fn->name);
		pb_int(&pp->msg, FUNCTION_FILENAME, fn->filename);
		pb_bytes(&pp->out, PROFILE_FUNCTION, pp->msg.data, pp->msg.len);
	}
}

static void add_strings(struct pprof *pp)
{
	for (size_t i = 0; i < strmap__count(pp->strings); i++) {
		size_t len;
		const char *s = strmap__key(pp->strings, i, &len);

		pb_bytes(&pp->out, PROFILE_STRING_TABLE, s, len);
	}
}

static int gzip_write(const uint8_t *data, size_t len, FILE *out)
{
	unsigned char chunk[65536];
	z_stream zs = {0};
	int ret;

	/* windowBits 16 + 15: a gzip wrapper, which is what pprof expects */
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	zs.next_in = (Bytef *)data;
	zs.avail_in = len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		ret = deflate(&zs, Z_FINISH);
		if (ret == Z_STREAM_ERROR)
			break;
		if (fwrite(chunk, 1, sizeof(chunk) - zs.avail_out, out) !=
		    sizeof(chunk) - zs.avail_out)
			ret = Z_ERRNO;
	} while (ret == Z_OK);
	deflateEnd(&zs);
	return ret == Z_STREAM_END ? 0 : -EIO;
}

static int pprof_init(struct pprof *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->strings = strmap__new(0);
	pp->mappings = strmap__new(sizeof(struct pp_mapping));
	pp->functions = strmap__new(sizeof(struct pp_function));
	pp->locations = strmap__new(sizeof(struct pp_location));
	if (!pp->strings || !pp->mappings || !pp->functions || !pp->locations)
		return -ENOMEM;
	str_index(pp, "");	/* profile.proto: string_table[0] must be "" */
	return pp->err;
}

static void pprof_free(struct pprof *pp)
{
	strmap__free(pp->strings);
	strmap__free(pp->mappings);
	strmap__free(pp->functions);
	strmap__free(pp->locations);
	pb_free(&pp->out);
	pb_free(&pp->msg);
	strbuf_free(&pp->key);
}

int output_pprof(const struct profile_data *p, const struct output_opts *o, FILE *out)
{
	struct pprof pp;
	int err;

	(void)o;
	err = pprof_init(&pp);
	if (!err) {
		add_header(&pp, p);
		for (size_t i = 0; i < p->nstacks && !pp.err; i++)
			if (p->stacks[i].count)
				add_sample(&pp, &p->stacks[i], p->period_ns, output_timed(p));
		add_mappings(&pp);
		add_locations(&pp);
		add_functions(&pp);
		add_strings(&pp);	/* last: every name above has been interned */
		err = pp.err ?: pp.out.err ?: pp.msg.err;
	}
	if (!err)
		err = gzip_write(pp.out.data, pp.out.len, out);
	pprof_free(&pp);
	return err;
}
