/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_CONFIG_H
#define FAULTLINE_AGENT_CONFIG_H

/*
 * The agent's --config FILE: one "key = value" per line, keys being long
 * option names; blank lines and lines starting with '#' are skipped. Which
 * keys exist is the option table's business (cli/cmd_agent.c); this only
 * splits lines.
 */
struct agent_config_entry {
	char *key;
	char *value;	/* trimmed; may be empty */
	int line;	/* 1-based, for messages */
};

struct agent_config {
	struct agent_config_entry *entries;
	int n;
};

/*
 * Reads @path into @out. 0; -errno when it cannot be read; -EINVAL for a
 * malformed line, with "@path:LINE: why" in @err.
 */
int agent_config_read(const char *path, struct agent_config *out, char *err, size_t errlen);
/* Splits @text (NUL-terminated) the same way; for tests and the file reader. */
int agent_config_parse(const char *path, const char *text, struct agent_config *out, char *err,
		       size_t errlen);
void agent_config_free(struct agent_config *c);

#endif
