// SPDX-License-Identifier: GPL-2.0
/* The agent's config file: "key = value" lines, split and trimmed. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_config.h"
#include "base/file_read.h"

#define MAX_CONFIG_BYTES (1 << 20)

static char *trim(char *s, char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

static int add_entry(struct agent_config *c, const char *key, const char *value, int line)
{
	struct agent_config_entry *e = realloc(c->entries, (c->n + 1) * sizeof(*e));

	if (!e)
		return -ENOMEM;
	c->entries = e;
	e = &c->entries[c->n];
	e->key = strdup(key);
	e->value = strdup(value);
	e->line = line;
	if (!e->key || !e->value) {
		free(e->key);
		free(e->value);
		return -ENOMEM;
	}
	c->n++;
	return 0;
}

/* One line, without its newline: skipped, an entry, or -EINVAL. */
static int parse_line(struct agent_config *c, char *s, int line)
{
	char *eq, *key, *value, *end = s + strlen(s);

	key = trim(s, end);
	if (!*key || *key == '#')
		return 0;
	eq = strchr(key, '=');
	if (!eq)
		return -EINVAL;
	value = trim(eq + 1, key + strlen(key));
	key = trim(key, eq);
	if (!*key)
		return -EINVAL;
	return add_entry(c, key, value, line);
}

int agent_config_parse(const char *path, const char *text, struct agent_config *out, char *err,
		       size_t errlen)
{
	char *copy = strdup(text), *line, *next;
	int n = 0, ret = 0;

	memset(out, 0, sizeof(*out));
	if (!copy)
		return -ENOMEM;
	for (line = copy; line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		ret = parse_line(out, line, ++n);
		if (ret == -EINVAL)
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, n);
	}
	free(copy);
	if (ret)
		agent_config_free(out);
	return ret;
}

int agent_config_read(const char *path, struct agent_config *out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = file_read_all(path, &text, &len);
	if (!ret && len > MAX_CONFIG_BYTES)
		ret = -EFBIG;
	if (ret) {
		free(text);
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: not a text file", path);
		free(text);
		return -EINVAL;
	}
	ret = agent_config_parse(path, text, out, err, errlen);
	free(text);
	return ret;
}

void agent_config_free(struct agent_config *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->entries[i].key);
		free(c->entries[i].value);
	}
	free(c->entries);
	c->entries = NULL;
	c->n = 0;
}
