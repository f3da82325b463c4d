// SPDX-License-Identifier: GPL-2.0
/* The agent's counters, rendered in the Prometheus text exposition format 0.0.4. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_metrics.h"
#include "base/text_safe.h"

#define MAX_TYPES	16
#define MAX_COMMS	1024	/* distinct comms counted apart; the rest go to "other" */
#define MAX_LOST	64
#define COMM_LEN	16
#define SINK_TABLES	4

static const char *const sink_tables[SINK_TABLES] = { "events", "stacks", "samples", "hosts" };
static const char *const sink_results[SINK__RESULTS] = {
	[SINK_SENT] = "sent", [SINK_SPOOLED] = "spooled", [SINK_RESENT] = "sent_from_spool",
	[SINK_DROPPED] = "dropped",
};

struct comm_count {
	char comm[COMM_LEN + 1];
	uint64_t n[MAX_TYPES];
	uint64_t total;
};

struct lost_count {
	const char *source, *reason;
	uint64_t total;
};

struct agent_metrics {
	pthread_mutex_t lock;
	const char *version;
	unsigned int top;
	const char *types[MAX_TYPES];
	int ntypes;
	struct comm_count *comms;	/* MAX_COMMS */
	int ncomms;
	uint64_t untracked[MAX_TYPES];	/* events of comms beyond MAX_COMMS */
	struct lost_count lost[MAX_LOST];
	int nlost;
	uint64_t samples;
	unsigned int rate_hz;
	bool sink;			/* a store is configured: its series are shown */
	uint64_t sink_rows[SINK_TABLES][SINK__RESULTS];
	uint64_t spool_bytes;
};

struct agent_metrics *agent_metrics__new(unsigned int top_comms, const char *version)
{
	struct agent_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->comms = calloc(MAX_COMMS, sizeof(*m->comms));
	if (!m->comms) {
		free(m);
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->top = top_comms;
	m->version = version;
	return m;
}

void agent_metrics__free(struct agent_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->comms);
	free(m);
}

static int type_index(struct agent_metrics *m, const char *type)
{
	for (int i = 0; i < m->ntypes; i++)
		if (!strcmp(m->types[i], type))
			return i;
	if (m->ntypes >= MAX_TYPES)
		return -1;
	m->types[m->ntypes] = type;
	return m->ntypes++;
}

static struct comm_count *comm_entry(struct agent_metrics *m, const char *comm)
{
	for (int i = 0; i < m->ncomms; i++)
		if (!strncmp(m->comms[i].comm, comm, COMM_LEN))
			return &m->comms[i];
	if (m->ncomms >= MAX_COMMS)
		return NULL;
	snprintf(m->comms[m->ncomms].comm, sizeof(m->comms[0].comm), "%.*s", COMM_LEN, comm);
	return &m->comms[m->ncomms++];
}

void agent_metrics__event(struct agent_metrics *m, const char *type, const char *comm)
{
	struct comm_count *c;
	int t;

	pthread_mutex_lock(&m->lock);
	t = type_index(m, type);
	if (t >= 0) {
		c = comm_entry(m, comm);
		if (c) {
			c->n[t]++;
			c->total++;
		} else {
			m->untracked[t]++;
		}
	}
	pthread_mutex_unlock(&m->lock);
}

void agent_metrics__set_lost(struct agent_metrics *m, const char *source, const char *reason,
			     uint64_t total)
{
	int i;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nlost; i++)
		if (!strcmp(m->lost[i].source, source) && !strcmp(m->lost[i].reason, reason))
			break;
	if (i == m->nlost && m->nlost < MAX_LOST)
		m->lost[m->nlost++] = (struct lost_count){ source, reason, 0 };
	if (i < m->nlost && total > m->lost[i].total)
		m->lost[i].total = total;
	pthread_mutex_unlock(&m->lock);
}

void agent_metrics__set_samples(struct agent_metrics *m, uint64_t total)
{
	pthread_mutex_lock(&m->lock);
	m->samples = total;
	pthread_mutex_unlock(&m->lock);
}

void agent_metrics__set_rate(struct agent_metrics *m, unsigned int hz)
{
	pthread_mutex_lock(&m->lock);
	m->rate_hz = hz;
	pthread_mutex_unlock(&m->lock);
}

void agent_metrics__set_top(struct agent_metrics *m, unsigned int top_comms)
{
	pthread_mutex_lock(&m->lock);
	m->top = top_comms;
	pthread_mutex_unlock(&m->lock);
}

void agent_label_escape(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *in && o + 3 <= outlen; in++) {
		if (*in == '\\' || *in == '"' || *in == '\n') {
			out[o++] = '\\';
			out[o++] = *in == '\n' ? 'n' : *in;
		} else {
			out[o++] = *in;
		}
	}
	if (outlen)
		out[o < outlen ? o : outlen - 1] = '\0';
}

static void header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A comm as a label value: valid UTF-8 (\xNN for other bytes), then escaped. */
static void comm_label(const char *comm, char *out, size_t outlen)
{
	char safe[COMM_LEN * 4 + 1];

	text_safe(comm, safe, sizeof(safe), TEXT_SAFE_UTF8);
	agent_label_escape(safe, out, outlen);
}

static int by_count(const void *a, const void *b, void *arg)
{
	const struct comm_count *comms = arg;
	const struct comm_count *x = &comms[*(const int *)a], *y = &comms[*(const int *)b];

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->comm, y->comm);
}

/* The indexes of the comms shown apart, most events first; their number. */
static int top_comms(const struct agent_metrics *m, int *idx)
{
	for (int i = 0; i < m->ncomms; i++)
		idx[i] = i;
	qsort_r(idx, m->ncomms, sizeof(*idx), by_count, m->comms);
	return m->ncomms < (int)m->top ? m->ncomms : (int)m->top;
}

static void render_events(FILE *f, const struct agent_metrics *m, const int *idx, int ntop)
{
	char label[COMM_LEN * 8 + 1];

	header(f, "faultline_events_total", "counter",
	       "Events seen by faultline watch, by type and process name (the top N names by "
	       "count; the others as comm=\"other\").");
	for (int t = 0; t < m->ntypes; t++) {
		uint64_t other = m->untracked[t];

		for (int k = 0; k < m->ncomms; k++) {
			const struct comm_count *c = &m->comms[idx[k]];

			if (k >= ntop) {
				other += c->n[t];
				continue;
			}
			if (!c->n[t])
				continue;
			comm_label(c->comm, label, sizeof(label));
			fprintf(f, "faultline_events_total{type=\"%s\",comm=\"%s\"} %llu\n",
				m->types[t], label, (unsigned long long)c->n[t]);
		}
		if (other)
			fprintf(f, "faultline_events_total{type=\"%s\",comm=\"other\"} %llu\n",
				m->types[t], (unsigned long long)other);
	}
}

static void render_own(FILE *f, const struct agent_metrics *m)
{
	header(f, "faultline_lost_events_total", "counter",
	       "Events a source dropped before userspace saw them, by source and reason.");
	for (int i = 0; i < m->nlost; i++)
		fprintf(f, "faultline_lost_events_total{source=\"%s\",reason=\"%s\"} %llu\n",
			m->lost[i].source, m->lost[i].reason, (unsigned long long)m->lost[i].total);
	header(f, "faultline_profile_samples_total", "counter",
	       "CPU profile samples taken of the profiled tasks.");
	fprintf(f, "faultline_profile_samples_total %llu\n", (unsigned long long)m->samples);
	header(f, "faultline_profile_rate_hz", "gauge",
	       "CPU profile samples per second per CPU now (0: not profiling).");
	fprintf(f, "faultline_profile_rate_hz %u\n", m->rate_hz);
	header(f, "faultline_up", "gauge", "1 while the faultline agent runs.");
	fprintf(f, "faultline_up 1\n");
	header(f, "faultline_build_info", "gauge", "The faultline version, as a label.");
	fprintf(f, "faultline_build_info{version=\"%s\"} 1\n", m->version);
}

void agent_metrics__sink_rows(struct agent_metrics *m, const char *table,
			      enum agent_sink_result result, uint64_t rows)
{
	pthread_mutex_lock(&m->lock);
	m->sink = true;
	for (int t = 0; t < SINK_TABLES; t++)
		if (!strcmp(table, sink_tables[t]))
			m->sink_rows[t][result] += rows;
	pthread_mutex_unlock(&m->lock);
}

void agent_metrics__set_spool(struct agent_metrics *m, uint64_t bytes)
{
	pthread_mutex_lock(&m->lock);
	m->sink = true;
	m->spool_bytes = bytes;
	pthread_mutex_unlock(&m->lock);
}

static void render_sink(FILE *f, const struct agent_metrics *m)
{
	if (!m->sink)
		return;
	header(f, "faultline_sink_rows_total", "counter",
	       "Rows for the store, by table and what became of them.");
	for (int t = 0; t < SINK_TABLES; t++)
		for (int r = 0; r < SINK__RESULTS; r++)
			fprintf(f, "faultline_sink_rows_total{table=\"%s\",result=\"%s\"} %llu\n",
				sink_tables[t], sink_results[r],
				(unsigned long long)m->sink_rows[t][r]);
	header(f, "faultline_spool_bytes", "gauge",
	       "Bytes of batches waiting in the spool directory for the store.");
	fprintf(f, "faultline_spool_bytes %llu\n", (unsigned long long)m->spool_bytes);
}

static void render_process(FILE *f, const struct agent_procstat *ps)
{
	header(f, "process_cpu_seconds_total", "counter",
	       "Total user and system CPU time spent in seconds.");
	fprintf(f, "process_cpu_seconds_total %.2f\n", ps->cpu_seconds);
	header(f, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
	fprintf(f, "process_resident_memory_bytes %llu\n", (unsigned long long)ps->resident_bytes);
	header(f, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
	fprintf(f, "process_virtual_memory_bytes %llu\n", (unsigned long long)ps->virtual_bytes);
	header(f, "process_open_fds", "gauge", "Number of open file descriptors.");
	fprintf(f, "process_open_fds %ld\n", ps->open_fds);
	header(f, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
	fprintf(f, "process_max_fds %ld\n", ps->max_fds);
	header(f, "process_start_time_seconds", "gauge",
	       "Start time of the process since unix epoch in seconds.");
	fprintf(f, "process_start_time_seconds %.2f\n", ps->start_time_s);
}

char *agent_metrics__render(struct agent_metrics *m, const struct agent_procstat *ps)
{
	char *text = NULL;
	size_t len = 0;
	int *idx = calloc(MAX_COMMS, sizeof(*idx));
	FILE *f = open_memstream(&text, &len);
	bool bad;

	if (!f || !idx) {
		if (f)
			fclose(f);
		free(idx);
		free(text);
		return NULL;
	}
	pthread_mutex_lock(&m->lock);
	render_events(f, m, idx, top_comms(m, idx));
	render_own(f, m);
	render_sink(f, m);
	pthread_mutex_unlock(&m->lock);
	if (ps && ps->ok)
		render_process(f, ps);
	bad = ferror(f);
	if (fclose(f) || bad) {
		free(text);
		text = NULL;
	}
	free(idx);
	return text;
}
