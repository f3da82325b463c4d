// SPDX-License-Identifier: GPL-2.0
/* Reading recordings: lines out of a possibly truncated gzip stream. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "base/vec.h"
#include "record/recording_read.h"

#define CHUNK (256 * 1024)
#define IN_CHUNK (64 * 1024)
#define MAX_LINE (64 * 1024 * 1024)	/* a longer line is corruption, not data */

/*
 * Parsed records are short-lived (read, reduced, dropped): their cJSON nodes
 * come from a bump arena reset at every record instead of one malloc/free
 * each, a fifth of a million-event load. cJSON's allocator is global, so it
 * points at the arena only for the duration of one parse; everything kept
 * (stack definitions, fetched events) is cJSON_Duplicate()d with malloc.
 */
#define ARENA_CHUNK (1024 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

static struct arena_chunk *arena;	/* the current parse's, see parse_line() */

static void *arena_alloc(size_t n)
{
	struct arena_chunk *c = arena;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!c || c->used + n > c->size) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		c->next = arena;
		arena = c;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

static void arena_free(void *p)
{
	(void)p;	/* freed all at once by arena_reset() */
}

/* Keeps the newest chunk for the next record, frees the others. */
static struct arena_chunk *arena_reset(struct arena_chunk *a)
{
	struct arena_chunk *next;

	if (!a)
		return NULL;
	for (struct arena_chunk *c = a->next; c; c = next) {
		next = c->next;
		free(c);
	}
	a->next = NULL;
	a->used = 0;
	return a;
}

static void arena_destroy(struct arena_chunk *a)
{
	free(arena_reset(a));
}

struct idtab {
	cJSON **items;	/* items[id] */
	size_t cap;
	uint32_t defined;	/* definitions seen */
};

/*
 * Writers number stacks 1, 2, 3...: an id far beyond the definitions seen
 * (allowing for skipped lines) is damage, and would size the table by a
 * number the file merely claims (one line asking for id 16M is 256 MB).
 */
#define ID_SLACK 65536

struct rec_reader {
	FILE *f;
	z_stream z;
	bool z_ready, plain, stream_end;
	char *in, *chunk;
	size_t pos, len;
	bool at_end;
	char *line;
	size_t line_len, line_cap;
	uint64_t offset;	/* of the next line */
	cJSON *header, *cur;	/* cur lives in the arena */
	struct arena_chunk *arena;
	struct idtab stacks, pstacks;
	struct rec_status st;
};

static void idtab_free(struct idtab *t)
{
	for (size_t i = 0; i < t->cap; i++)
		cJSON_Delete(t->items[i]);
	free(t->items);
}

static int idtab_put(struct idtab *t, uint32_t id, cJSON *item, uint64_t skipped)
{
	if (id == 0 || id > REC_MAX_STACK_ID || id > t->defined + skipped + ID_SLACK)
		return -EINVAL;
	if (id >= t->cap) {
		size_t old = t->cap;

		if (VEC_RESERVE(t->items, t->cap, (size_t)id + 1))
			return -ENOMEM;
		memset(t->items + old, 0, (t->cap - old) * sizeof(*t->items));
	}
	cJSON_Delete(t->items[id]);
	t->items[id] = item;
	t->defined++;
	return 0;
}

static const cJSON *idtab_get(const struct idtab *t, uint32_t id)
{
	return id < t->cap ? t->items[id] : NULL;
}

static void set_why(struct rec_reader *r, const char *fmt, const char *detail)
{
	if (!r->st.why[0])
		snprintf(r->st.why, sizeof(r->st.why), fmt, detail);
}

/*
 * Inflates by hand rather than with gzread(): gzread drops what it had
 * decompressed in a call that then meets corrupt bytes, and we want every
 * record up to the damage.
 */
static void end_with(struct rec_reader *r, bool corrupt, const char *detail)
{
	r->at_end = true;
	if (corrupt)
		r->st.corrupt = true;
	else
		r->st.truncated = true;
	set_why(r, corrupt ? "undecodable data, reading stopped there (%s)" :
		"the compressed stream ends abruptly%s", detail);
}

static bool refill_input(struct rec_reader *r)
{
	size_t n;

	if (r->z.avail_in)
		return true;
	n = fread(r->in, 1, IN_CHUNK, r->f);
	if (!n) {
		if (ferror(r->f))
			end_with(r, true, strerror(errno));
		else if (!r->plain && !r->stream_end)
			end_with(r, false, "");
		r->at_end = true;
		return false;
	}
	r->z.next_in = (Bytef *)r->in;
	r->z.avail_in = n;
	return true;
}

static void inflate_some(struct rec_reader *r)
{
	int ret;

	while (r->z.avail_out == CHUNK && !r->at_end && refill_input(r)) {
		if (r->stream_end) {	/* another gzip member follows */
			inflateReset(&r->z);
			r->stream_end = false;
		}
		ret = inflate(&r->z, Z_NO_FLUSH);
		if (ret == Z_STREAM_END)
			r->stream_end = true;
		else if (ret != Z_OK && ret != Z_BUF_ERROR)
			end_with(r, true, r->z.msg ? r->z.msg : "inflate failed");
	}
}

static int fill(struct rec_reader *r)
{
	if (r->at_end)
		return 0;
	r->pos = 0;
	if (r->plain) {
		r->len = refill_input(r) ? r->z.avail_in : 0;
		if (r->len)
			memcpy(r->chunk, r->in, r->len);
		r->z.avail_in = 0;
		return r->len;
	}
	r->z.next_out = (Bytef *)r->chunk;
	r->z.avail_out = CHUNK;
	inflate_some(r);
	r->len = CHUNK - r->z.avail_out;
	return r->len;
}

static int line_append(struct rec_reader *r, const char *p, size_t n)
{
	if (r->line_len + n + 1 > MAX_LINE)
		return -EFBIG;
	if (VEC_RESERVE(r->line, r->line_cap, r->line_len + n + 1))
		return -ENOMEM;
	memcpy(r->line + r->line_len, p, n);
	r->line_len += n;
	r->line[r->line_len] = '\0';
	return 0;
}

/* 1 with r->line holding one complete line, 0 at the end, -errno. */
static int read_line(struct rec_reader *r)
{
	char *nl;
	size_t n;
	int err;

	r->line_len = 0;
	for (;;) {
		if (r->pos == r->len && !fill(r))
			break;
		nl = memchr(r->chunk + r->pos, '\n', r->len - r->pos);
		n = nl ? (size_t)(nl - (r->chunk + r->pos)) : r->len - r->pos;
		err = line_append(r, r->chunk + r->pos, n);
		if (err)
			return err;
		r->pos += n + (nl ? 1 : 0);
		if (nl) {
			r->st.bytes += r->line_len + 1;
			return 1;
		}
	}
	if (r->line_len) {
		r->st.truncated = true;
		set_why(r, "the last record is cut short%s", "");
	}
	return 0;
}

/* Keeps stack definitions: events refer to them by id. */
static int keep_definition(struct rec_reader *r, enum rec_kind kind, cJSON *rec)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(rec, "id");
	cJSON *copy;
	int err;

	if (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > REC_MAX_STACK_ID)
		return -EINVAL;
	if (kind == REC_STACK)
		copy = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "frames"), 1);
	else
		copy = cJSON_Duplicate(rec, 1);
	if (!copy)
		return -EINVAL;
	err = idtab_put(kind == REC_STACK ? &r->stacks : &r->pstacks, (uint32_t)id->valuedouble,
			copy, r->st.bad_lines);
	if (err)
		cJSON_Delete(copy);
	return err;
}

/* Parses r->line: 1 with r->cur set, 0 when the line is not a record. */
static int parse_line(struct rec_reader *r, enum rec_kind *kind)
{
	const cJSON *k;

	cJSON_Hooks hooks = { .malloc_fn = arena_alloc, .free_fn = arena_free };

	r->arena = arena_reset(r->arena);
	r->cur = NULL;
	if (r->line_len) {
		arena = r->arena;
		cJSON_InitHooks(&hooks);
		r->cur = cJSON_ParseWithLength(r->line, r->line_len);
		if (r->cur && !rec_strings_make_safe(r->cur, 0))
			r->cur = NULL;	/* arena memory: freed with the arena */
		cJSON_InitHooks(NULL);
		r->arena = arena;
		arena = NULL;
	}
	if (!cJSON_IsObject(r->cur) || !rec_ids_valid(r->cur, 0)) {
		r->st.bad_lines++;
		return 0;
	}
	k = cJSON_GetObjectItemCaseSensitive(r->cur, "rec");
	*kind = rec_kind_parse(cJSON_GetStringValue(k));
	if (*kind == REC_UNKNOWN)
		r->st.unknown++;
	return 1;
}

static void note_trailer(struct rec_reader *r)
{
	r->st.complete = true;
	r->st.truncated = false;
}

int rec_reader__next(struct rec_reader *r, struct rec_record *out)
{
	enum rec_kind kind;
	uint64_t offset;
	int rc;

	for (;;) {
		offset = r->st.bytes;
		rc = read_line(r);
		if (rc <= 0)
			break;
		if (!parse_line(r, &kind))
			continue;
		if ((kind == REC_STACK || kind == REC_PSTACK) && keep_definition(r, kind, r->cur))
			r->st.bad_lines++;
		if (kind == REC_TRAILER)
			note_trailer(r);
		out->kind = kind;
		out->json = r->cur;
		out->offset = offset;
		return 1;
	}
	if (rc < 0) {
		r->st.corrupt = true;
		set_why(r, "a record is unreadable (%s), reading stopped there", strerror(-rc));
	}
	if (!r->st.complete && !r->st.corrupt && !r->st.truncated) {
		r->st.truncated = true;
		set_why(r, "no trailer: the recorder did not stop cleanly%s", "");
	}
	/* A trailer followed by garbage is still a damaged file. */
	if (r->st.complete && (r->st.corrupt || r->st.truncated))
		r->st.complete = false;
	return 0;
}

int rec_reader__read_at(struct rec_reader *r, uint64_t offset, struct rec_record *out)
{
	enum rec_kind kind;
	int rc;

	while (r->st.bytes < offset) {
		rc = read_line(r);
		if (rc <= 0)
			return rc;
	}
	if (r->st.bytes != offset)
		return -EINVAL;
	rc = read_line(r);
	if (rc <= 0)
		return rc;
	if (!parse_line(r, &kind))
		return -EINVAL;
	out->kind = kind;
	out->json = r->cur;
	out->offset = offset;
	return 1;
}

const struct rec_status *rec_reader__status(const struct rec_reader *r)
{
	return &r->st;
}

const cJSON *rec_reader__header(const struct rec_reader *r)
{
	return r->header;
}

const cJSON *rec_reader__stack(const struct rec_reader *r, uint32_t id)
{
	return idtab_get(&r->stacks, id);
}

const cJSON *rec_reader__pstack(const struct rec_reader *r, uint32_t id)
{
	return idtab_get(&r->pstacks, id);
}

uint32_t rec_reader__pstack_count(const struct rec_reader *r)
{
	return r->pstacks.cap;
}

int rec_reader__expand(const struct rec_reader *r, cJSON *event)
{
	cJSON *it, *next, *copy;
	const cJSON *frames;
	int err = 0;

	cJSON_DeleteItemFromObjectCaseSensitive(event, "rec");
	for (it = event ? event->child : NULL; it; it = next) {
		next = it->next;
		if (it->string && !strcmp(it->string, "stack_id") && cJSON_IsNumber(it)) {
			frames = rec_reader__stack(r, rec_json_uint(it, REC_MAX_STACK_ID));
			copy = frames ? cJSON_Duplicate(frames, 1) : NULL;
			if (!copy) {
				err = -ENOENT;
				continue;
			}
			cJSON_DeleteItemFromObjectCaseSensitive(event, "stack_id");
			cJSON_AddItemToObject(event, "stack", copy);
		} else if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
			if (rec_reader__expand(r, it))
				err = -ENOENT;
		}
	}
	return err;
}

void rec_reader__free(struct rec_reader *r)
{
	if (!r)
		return;
	if (r->z_ready)
		inflateEnd(&r->z);
	if (r->f)
		fclose(r->f);
	free(r->in);
	idtab_free(&r->stacks);
	idtab_free(&r->pstacks);
	cJSON_Delete(r->header);
	arena_destroy(r->arena);
	free(r->chunk);
	free(r->line);
	free(r);
}

/* Why the first record is not a header: nothing, a header cut short, or another file. */
static int no_header(const struct rec_reader *r, char *why, size_t whylen)
{
	static const char start[] = "{\"rec\":\"header\"";
	size_t n = r->line_len < strlen(start) ? r->line_len : strlen(start);

	if (!r->st.bytes && !r->line_len) {
		snprintf(why, whylen, "empty file: the recorder stopped before writing anything");
		return -ENODATA;
	}
	/* the partial first line of a killed recorder, as far as it got */
	if (!r->st.bytes && !strncmp(r->line, start, n)) {
		snprintf(why, whylen, "the file ends inside its header: the recorder stopped "
			 "before writing anything else");
		return -ENODATA;
	}
	snprintf(why, whylen, "not a faultline recording (no header record)");
	return -EINVAL;
}

static int check_header(struct rec_reader *r, char *why, size_t whylen)
{
	const cJSON *fmt, *ver;
	enum rec_kind kind = REC_UNKNOWN;

	if (read_line(r) <= 0 || !parse_line(r, &kind) || kind != REC_HEADER)
		return no_header(r, why, whylen);
	fmt = cJSON_GetObjectItemCaseSensitive(r->cur, "format");
	ver = cJSON_GetObjectItemCaseSensitive(r->cur, "version");
	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, RECORDING_FORMAT)) {
		snprintf(why, whylen, "not a faultline recording (format is not '%s')",
			 RECORDING_FORMAT);
		return -EINVAL;
	}
	if (!cJSON_IsNumber(ver) || ver->valueint < 1) {
		snprintf(why, whylen, "not a faultline recording (no valid format version)");
		return -EINVAL;
	}
	if (ver->valueint > RECORDING_VERSION) {
		snprintf(why, whylen, "recording format version %d is newer than this "
			 "faultline reads (%d)", ver->valueint,
			 RECORDING_VERSION);
		return -ENOTSUP;
	}
	r->header = cJSON_Duplicate(r->cur, 1);
	return r->header ? 0 : -ENOMEM;
}

/*
 * A directory opens but reads as an error, and a pipe cannot be read twice
 * (the report fetches the events it shows in a second pass): say so rather
 * than "empty file" or a hang.
 */
static int check_regular(FILE *f, char *why, size_t whylen)
{
	struct stat st;

	if (fstat(fileno(f), &st)) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "%s", strerror(EISDIR));
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file (a recording is read twice)");
		return -EINVAL;
	}
	return 0;
}

struct rec_reader *rec_reader__open(const char *path, char *why, size_t whylen)
{
	struct rec_reader *r = calloc(1, sizeof(*r));
	int err = -ENOMEM, c;

	snprintf(why, whylen, "%s", "out of memory");
	if (!r || !(r->chunk = malloc(CHUNK)) || !(r->in = malloc(IN_CHUNK)))
		goto fail;
	r->f = fopen(path, "re");
	if (!r->f) {
		err = -errno;
		snprintf(why, whylen, "%s", strerror(errno));
		goto fail;
	}
	err = check_regular(r->f, why, whylen);
	if (err)
		goto fail;
	err = -ENOMEM;
	/* 32 + 15: a gzip or zlib stream, told apart by its header. */
	if (inflateInit2(&r->z, 32 + 15) != Z_OK)
		goto fail;
	r->z_ready = true;
	c = fgetc(r->f);
	r->plain = c != 0x1f && c != 0x78 && c != EOF;	/* uncompressed JSON Lines */
	if (c != EOF)
		ungetc(c, r->f);
	err = check_header(r, why, whylen);
	if (!err)
		return r;
fail:
	rec_reader__free(r);
	errno = -err;
	return NULL;
}
