/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_CH_H
#define FAULTLINE_AGENT_CH_H

/*
 * The ClickHouse sink (docs/fleet.md): rows gathered from the poll loop, sent
 * by a thread of its own as one gzip JSONEachRow INSERT per table and second
 * at most, so a slow or absent server never stalls the BPF consumers. What
 * the server does not take goes to the spool and is sent again once it does.
 */
#include <stdint.h>

#include <cjson/cJSON.h>

#include "agent/agent_metrics.h"
#include "output/stack_profile.h"

#define AGENT_CH_DB "faultline"
#define AGENT_DEFAULT_SPOOL_MB 256

struct agent_ch_opts {
	const char *url;		/* --clickhouse */
	const char *host;		/* the `host` column */
	const char *spool_dir;		/* --spool; NULL: what the server refuses is dropped */
	uint64_t spool_max_bytes;	/* --spool-max-mb */
	unsigned int retain_days;	/* --retain-days; 0: keep everything */
};

struct agent_ch;

/* Checks the URL, opens the spool and starts the sender. 0 or -errno after one log line. */
int agent_ch__start(const struct agent_ch_opts *o, struct agent_metrics *m,
		    struct agent_ch **out);

/* A finished watch event (its JSON is only read). */
void agent_ch__event(struct agent_ch *c, const cJSON *ev, uint64_t wall_ns);

/* A profile bucket that started at @wall_ns, as `kind` rows ("cpu"). */
void agent_ch__samples(struct agent_ch *c, const struct profile_data *p, uint64_t wall_ns,
		       const char *kind);

/* Sends (or spools) what is pending and stops the sender. NULL-safe. */
void agent_ch__stop(struct agent_ch *c);

#endif
