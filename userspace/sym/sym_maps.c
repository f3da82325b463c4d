// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "sym/sym_maps.h"

#define DELETED_SUFFIX " (deleted)"

static int parse_hex(const char **p, uint64_t *v, char stop)
{
	char *end;

	if (**p < '0' || (**p > '9' && (**p | 0x20) < 'a') || (**p | 0x20) > 'f')
		return -EINVAL;
	errno = 0;
	*v = strtoull(*p, &end, 16);
	if (errno || *end != stop)
		return -EINVAL;
	*p = end + 1;
	return 0;
}

static void parse_path(const char *p, struct maps_line *out)
{
	size_t len, slen = strlen(DELETED_SUFFIX);

	while (*p == ' ' || *p == '\t')
		p++;
	len = strcspn(p, "\n");
	out->path = p;
	out->deleted = false;
	if (p[0] == '/' && len > slen && !memcmp(p + len - slen, DELETED_SUFFIX, slen)) {
		out->deleted = true;
		len -= slen;
	}
	out->path_len = len;
}

/* "start-end perms offset major:minor inode   path" */
int maps_parse_line(const char *line, struct maps_line *out)
{
	const char *p = line;
	uint64_t major, minor;
	char *end;

	if (parse_hex(&p, &out->start, '-') || parse_hex(&p, &out->end, ' '))
		return -EINVAL;
	if (out->end <= out->start || strspn(p, "rwxsp-") != 4 || p[4] != ' ')
		return -EINVAL;
	memcpy(out->perms, p, 4);
	out->perms[4] = '\0';
	p += 5;
	if (parse_hex(&p, &out->pgoff, ' ') || parse_hex(&p, &major, ':') ||
	    parse_hex(&p, &minor, ' '))
		return -EINVAL;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	out->inode = strtoull(p, &end, 10);
	if (*end != ' ' && *end != '\n' && *end != '\0')
		return -EINVAL;
	out->dev_major = major;
	out->dev_minor = minor;
	parse_path(end, out);
	return 0;
}

int maps_push_exec(const struct maps_line *l, struct maps_exec **v, size_t *n, size_t *cap)
{
	struct maps_exec *e;

	if (VEC_RESERVE(*v, *cap, *n + 1))
		return -ENOMEM;
	e = &(*v)[*n];
	e->path = strndup(l->path, l->path_len);
	if (!e->path)
		return -ENOMEM;
	e->start = l->start;
	e->end = l->end;
	e->pgoff = l->pgoff;
	e->dev_major = l->dev_major;
	e->dev_minor = l->dev_minor;
	e->inode = l->inode;
	e->deleted = l->deleted;
	e->build_id[0] = '\0';
	(*n)++;
	return 0;
}

static int exec_cmp(const void *a, const void *b)
{
	const struct maps_exec *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int maps_parse_exec(const char *text, struct maps_exec **out, size_t *n)
{
	struct maps_exec *v = NULL;
	size_t cnt = 0, cap = 0;
	struct maps_line l;
	const char *p;
	int err;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (maps_parse_line(p, &l) || l.perms[2] != 'x')
			continue;
		err = maps_push_exec(&l, &v, &cnt, &cap);
		if (err) {
			maps_exec_free(v, cnt);
			return err;
		}
	}
	/* The kernel prints maps in order; sorting keeps maps_find() safe anyway. */
	if (cnt)
		qsort(v, cnt, sizeof(*v), exec_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

void maps_exec_free(struct maps_exec *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i].path);
	free(v);
}

const struct maps_exec *maps_find(const struct maps_exec *v, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < v[mid].start)
			hi = mid;
		else if (addr >= v[mid].end)
			lo = mid + 1;
		else
			return &v[mid];
	}
	return NULL;
}
