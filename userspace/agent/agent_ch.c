// SPDX-License-Identifier: GPL-2.0
/*
 * The ClickHouse sink's sender thread. Once a second it takes each table's
 * rows, gzips them and INSERTs them; a batch the server does not take is
 * written to the spool whole, and spooled batches go out again, oldest
 * first, once an INSERT succeeds. The schema is created (IF NOT EXISTS) on
 * the first contact and again after each outage, so a server that was wiped
 * or replaced gets its tables back.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>

#include "agent/agent_ch.h"
#include "agent/agent_ch_client.h"
#include "agent/agent_ch_rows.h"
#include "agent/agent_spool.h"
#include "base/log.h"
#include "record/recording_write.h"

#define TICK_S 1
#define SPOOL_BATCHES_PER_TICK 16
#define RETENTION_EVERY_S 3600

struct agent_ch {
	struct agent_ch_opts o;
	struct agent_metrics *m;
	struct ch_client *client;
	struct spool *spool;
	pthread_mutex_t lock;		/* rows, stop */
	pthread_cond_t wake;
	struct ch_rows *rows;
	bool stop, up;			/* up: the last request succeeded */
	bool schema_ok;
	uint64_t rows_lost;		/* could not even be queued (out of memory) */
	time_t next_retention;
	pthread_t thread;
	bool started;
};

static const char *const ddl[] = {
	"CREATE DATABASE IF NOT EXISTS " AGENT_CH_DB,
	"CREATE TABLE IF NOT EXISTS " AGENT_CH_DB ".events (ts DateTime, ts_ns UInt64, "
	"host String, type String, pid UInt32, tid UInt32, comm String, cgroup String, "
	"stack_hash UInt64, attrs String) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) "
	"ORDER BY (host, type, ts)",
	"CREATE TABLE IF NOT EXISTS " AGENT_CH_DB ".stacks (date Date, stack_hash UInt64, "
	"frames Array(String), modules Array(String)) ENGINE = ReplacingMergeTree "
	"PARTITION BY toYYYYMMDD(date) ORDER BY stack_hash",
	"CREATE TABLE IF NOT EXISTS " AGENT_CH_DB ".samples (ts DateTime, host String, "
	"kind String, pid UInt32, comm String, cgroup String, stack_hash UInt64, "
	"count UInt64) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) "
	"ORDER BY (host, kind, stack_hash, ts)",
	/* One row per host, the latest kept: what a fleet report matches addresses against. */
	"CREATE TABLE IF NOT EXISTS " AGENT_CH_DB ".hosts (ts DateTime, host String, "
	"addresses Array(String), kernel String, version String) "
	"ENGINE = ReplacingMergeTree(ts) ORDER BY host",
};

/* Logs the first failure of an outage and the recovery, not every retry. */
static void set_up(struct agent_ch *c, bool up, const char *why)
{
	if (c->up && !up)
		pr_warn("faultline agent: ClickHouse at %s: %s; %s\n", c->o.url, why,
			c->spool ? "keeping rows in the spool" : "rows are dropped (no --spool)");
	else if (!c->up && up)
		pr_warn("faultline agent: ClickHouse at %s takes rows%s\n", c->o.url,
			c->spool && spool__rows(c->spool) ? ", sending the spool" : "");
	c->up = up;
	if (!up)
		c->schema_ok = false;
}

static int create_schema(struct agent_ch *c)
{
	char err[512];

	for (size_t i = 0; i < sizeof(ddl) / sizeof(ddl[0]); i++) {
		int rc = ch_client__post(c->client, NULL, ddl[i], strlen(ddl[i]), false, NULL, 0,
					 err, sizeof(err));

		if (rc) {
			set_up(c, false, err);
			return rc;
		}
	}
	c->schema_ok = true;
	return 0;
}

static int insert(struct agent_ch *c, const char *table, const void *gz, size_t len)
{
	char q[128], err[512];
	int rc;

	if (!c->schema_ok && create_schema(c))
		return -EIO;
	snprintf(q, sizeof(q), "INSERT INTO " AGENT_CH_DB ".%s FORMAT JSONEachRow", table);
	rc = ch_client__post(c->client, q, gz, len, true, NULL, 0, err, sizeof(err));
	set_up(c, !rc, err);
	return rc;
}

static void on_drop(void *arg, const char *table, uint64_t rows)
{
	struct agent_ch *c = arg;

	agent_metrics__sink_rows(c->m, table, SINK_DROPPED, rows);
}

/* A batch the server did not take: to the spool, or counted as dropped. */
static void keep(struct agent_ch *c, const char *table, uint64_t rows, const void *gz,
		 size_t len)
{
	int err;

	if (!c->spool) {
		on_drop(c, table, rows);
		return;
	}
	err = spool__add(c->spool, table, rows, gz, len, on_drop, c);
	if (!err) {
		agent_metrics__sink_rows(c->m, table, SINK_SPOOLED, rows);
		return;
	}
	pr_warn("faultline agent: spool %s: %s: %" PRIu64 " rows of %s lost\n", c->o.spool_dir,
		strerror(-err), rows, table);
	if (err != -EFBIG)
		on_drop(c, table, rows);
}

static void send_table(struct agent_ch *c, enum ch_table t)
{
	const char *table = ch_table_names[t];
	struct ch_batch b = { 0 };
	size_t len = 0;
	void *gz = NULL;

	pthread_mutex_lock(&c->lock);
	ch_rows__take(c->rows, t, &b);
	pthread_mutex_unlock(&c->lock);
	if (!b.rows)
		goto out;
	if (ch_gzip(b.buf, b.len, &gz, &len)) {
		on_drop(c, table, b.rows);
		goto out;
	}
	if ((c->up || !c->spool || !spool__rows(c->spool)) && !insert(c, table, gz, len))
		agent_metrics__sink_rows(c->m, table, SINK_SENT, b.rows);
	else
		keep(c, table, b.rows, gz, len);
out:
	free(gz);
	ch_batch__free(&b);
}

/* Oldest first, while the server takes them; a batch that cannot be read is dropped. */
static void send_spool(struct agent_ch *c)
{
	char table[32];
	uint64_t rows;
	size_t len;
	void *body;

	for (int i = 0; c->spool && i < SPOOL_BATCHES_PER_TICK; i++) {
		int err = spool__peek(c->spool, table, sizeof(table), &rows, &body, &len);

		if (err == -ENOENT)
			break;
		if (err) {
			pr_warn("faultline agent: spool: a batch of %" PRIu64 " rows of %s is "
				"unreadable (%s): dropped\n", rows, table, strerror(-err));
			on_drop(c, table, rows);
			spool__pop(c->spool);
			continue;
		}
		err = insert(c, table, body, len);
		free(body);
		if (err)
			break;
		agent_metrics__sink_rows(c->m, table, SINK_RESENT, rows);
		spool__pop(c->spool);
	}
}

/* Drops the day partitions older than --retain-days (all three tables use toYYYYMMDD). */
static void retain(struct agent_ch *c, time_t now)
{
	char q[256], answer[4096], err[512], *save = NULL, *line;
	time_t cutoff = now - (time_t)c->o.retain_days * 86400;
	struct tm tm;
	long first;

	if (!c->o.retain_days || now < c->next_retention || !c->up)
		return;
	c->next_retention = now + RETENTION_EVERY_S;
	gmtime_r(&cutoff, &tm);
	first = (tm.tm_year + 1900) * 10000L + (tm.tm_mon + 1) * 100 + tm.tm_mday;
	for (int t = 0; t < CH_DAY_TABLES; t++) {
		snprintf(q, sizeof(q), "SELECT DISTINCT partition FROM system.parts WHERE "
			 "database = '" AGENT_CH_DB "' AND table = '%s' AND active",
			 ch_table_names[t]);
		if (ch_client__post(c->client, NULL, q, strlen(q), false, answer, sizeof(answer),
				    err, sizeof(err)))
			continue;
		for (line = strtok_r(answer, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			long day = strtol(line, NULL, 10);

			if (day <= 19700101 || day >= first)
				continue;
			snprintf(q, sizeof(q), "ALTER TABLE " AGENT_CH_DB ".%s DROP PARTITION %ld",
				 ch_table_names[t], day);
			if (ch_client__post(c->client, NULL, q, strlen(q), false, NULL, 0, err,
					    sizeof(err)))
				pr_warn("faultline agent: retention: %s: %s\n", q, err);
		}
	}
}

static void tick(struct agent_ch *c)
{
	for (int t = 0; t < CH__TABLES; t++)
		send_table(c, t);
	send_spool(c);	/* while the server is down, its first batch is the probe */
	if (c->spool)
		agent_metrics__set_spool(c->m, spool__bytes(c->spool));
	retain(c, time(NULL));
}

static void *sender(void *arg)
{
	struct agent_ch *c = arg;
	struct timespec ts;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += TICK_S;
		pthread_cond_timedwait(&c->wake, &c->lock, &ts);
		if (c->stop)
			break;
		pthread_mutex_unlock(&c->lock);
		tick(c);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	tick(c);	/* what the last events left */
	return NULL;
}

static void agent_ch__free(struct agent_ch *c)
{
	ch_client__free(c->client);
	spool__close(c->spool);
	ch_rows__free(c->rows);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int open_spool(struct agent_ch *c)
{
	int err;

	if (!c->o.spool_dir)
		return 0;
	err = spool__open(c->o.spool_dir, c->o.spool_max_bytes, &c->spool);
	if (err == -EPERM)
		pr_warn("faultline agent: --spool %s: not a directory of ours that only we can "
			"write (a symlink, another owner, or group/world-writable)\n",
			c->o.spool_dir);
	else if (err)
		pr_warn("faultline agent: --spool %s: %s\n", c->o.spool_dir, strerror(-err));
	else if (spool__rows(c->spool))
		pr_warn("faultline agent: spool %s holds %" PRIu64 " rows from before: sending "
			"them\n", c->o.spool_dir, spool__rows(c->spool));
	return err;
}

/* Who this host is, sent with the first batch (and kept in the spool like any row). */
static void add_host_row(struct agent_ch *c)
{
	cJSON *addrs = rec_host_addresses();
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	if (ch_rows__host(c->rows, (uint64_t)time(NULL) * 1000000000ULL, addrs, u.release,
			  FAULTLINE_VERSION))
		agent_metrics__sink_rows(c->m, "hosts", SINK_DROPPED, 1);
	cJSON_Delete(addrs);
}

int agent_ch__start(const struct agent_ch_opts *o, struct agent_metrics *m,
		    struct agent_ch **out)
{
	struct agent_ch *c = calloc(1, sizeof(*c));
	char err[256];
	int rc;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->o = *o;
	c->m = m;
	c->up = true;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	c->rows = ch_rows__new(o->host);
	rc = c->rows ? ch_client__new(o->url, &c->client, err, sizeof(err)) : -ENOMEM;
	if (rc) {
		pr_warn("faultline agent: --clickhouse: %s\n", c->rows ? err : strerror(-rc));
		goto fail;
	}
	rc = open_spool(c);
	if (rc)
		goto fail;
	agent_metrics__set_spool(m, c->spool ? spool__bytes(c->spool) : 0);
	add_host_row(c);
	rc = -pthread_create(&c->thread, NULL, sender, c);
	if (rc) {
		pr_warn("faultline agent: the ClickHouse sender: %s\n", strerror(-rc));
		goto fail;
	}
	*out = c;
	return 0;
fail:
	agent_ch__free(c);
	return rc;
}

void agent_ch__stop(struct agent_ch *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	if (c->rows_lost)
		pr_warn("faultline agent: %" PRIu64 " rows could not be queued (out of memory)\n",
			c->rows_lost);
	agent_ch__free(c);
}

void agent_ch__event(struct agent_ch *c, const cJSON *ev, uint64_t wall_ns)
{
	pthread_mutex_lock(&c->lock);
	if (ch_rows__event(c->rows, ev, wall_ns)) {
		c->rows_lost++;
		agent_metrics__sink_rows(c->m, "events", SINK_DROPPED, 1);
	}
	pthread_mutex_unlock(&c->lock);
}

void agent_ch__samples(struct agent_ch *c, const struct profile_data *p, uint64_t wall_ns,
		       const char *kind)
{
	pthread_mutex_lock(&c->lock);
	if (ch_rows__samples(c->rows, p, wall_ns, kind)) {
		c->rows_lost++;
		agent_metrics__sink_rows(c->m, "samples", SINK_DROPPED, 1);
	}
	pthread_mutex_unlock(&c->lock);
}
