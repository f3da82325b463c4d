// SPDX-License-Identifier: GPL-2.0
/* Build-ids of recorded frames' files, cached by path. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file_read.h"
#include "base/strmap.h"
#include "base/vec.h"
#include "record/recording_buildid.h"
#include "sym/sym_elf.h"

struct rec_buildids {
	struct strmap *paths;	/* module path -> id */
	struct strmap *ids;	/* build-id strings; 0 = none */
	uint32_t *of_path;	/* of_path[path id] = build-id string id + 1; 0 = unread */
	size_t cap;
};

struct rec_buildids *rec_buildids__new(void)
{
	struct rec_buildids *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->paths = strmap__new(0);
	b->ids = strmap__new(0);
	if (!b->paths || !b->ids) {
		rec_buildids__free(b);
		return NULL;
	}
	return b;
}

void rec_buildids__free(struct rec_buildids *b)
{
	if (!b)
		return;
	strmap__free(b->paths);
	strmap__free(b->ids);
	free(b->of_path);
	free(b);
}

static uint32_t read_build_id(struct rec_buildids *b, const char *module, uint32_t pid)
{
	char path[4096], hex[ELF_BUILD_ID_HEX];
	int fd;

	/* The file as the process saw it, else as we see it. */
	snprintf(path, sizeof(path), "/proc/%u/root%s", pid, module);
	fd = file_open_regular(path, 0);
	if (fd < 0)
		fd = file_open_regular(module, 0);
	if (fd < 0)
		return 0;
	if (elf_build_id_fd(fd, hex))
		hex[0] = '\0';
	close(fd);
	return hex[0] ? strmap__id(b->ids, hex, NULL) : 0;
}

static const char *build_id_of(struct rec_buildids *b, const char *module, uint32_t pid)
{
	uint32_t id = strmap__id(b->paths, module, NULL);

	if (!id)
		return NULL;
	if (id >= b->cap) {
		size_t old = b->cap;

		if (VEC_RESERVE(b->of_path, b->cap, (size_t)id + 1))
			return NULL;
		memset(b->of_path + old, 0, (b->cap - old) * sizeof(*b->of_path));
	}
	if (!b->of_path[id])
		b->of_path[id] = read_build_id(b, module, pid) + 1;
	return b->of_path[id] > 1 ? strmap__id_str(b->ids, b->of_path[id] - 1) : NULL;
}

static void annotate_frames(struct rec_buildids *b, cJSON *frames, uint32_t pid)
{
	cJSON *f;

	cJSON_ArrayForEach(f, frames) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(f, "module");
		const char *mod = cJSON_GetStringValue(m);
		const char *id = mod && mod[0] == '/' ? build_id_of(b, mod, pid) : NULL;

		if (id && !cJSON_GetObjectItemCaseSensitive(f, "build_id"))
			cJSON_AddStringToObject(f, "build_id", id);
	}
}

void rec_buildids__annotate(struct rec_buildids *b, cJSON *obj, uint32_t pid)
{
	cJSON *it;

	for (it = obj ? obj->child : NULL; it; it = it->next) {
		if (it->string && !strcmp(it->string, "stack") && cJSON_IsArray(it))
			annotate_frames(b, it, pid);
		else if (cJSON_IsObject(it) || cJSON_IsArray(it))
			rec_buildids__annotate(b, it, pid);
	}
}
