// SPDX-License-Identifier: GPL-2.0
/* faultline agent: watch and a low-rate profile until SIGTERM, served as Prometheus metrics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "agent/agent_http.h"
#include "agent/agent_samples.h"
#include "base/log.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "watch/watch_internal.h"

#define AGENT_INTRO								\
	"Usage: faultline agent [OPTION]...\n\n"					\
	"Runs watch (every source unless --events) and a low-rate CPU profile until\n"	\
	"SIGTERM or Ctrl-C, and serves what they count as Prometheus metrics on\n"	\
	"http://ADDR:PORT/metrics (names and labels: docs/fleet.md). Logs go to stderr.\n" \
	"SIGHUP re-reads --config: --top-comms, -F and --max-cpu-percent apply at once,\n" \
	"other changes are logged as needing a restart.\n"

/* The command line, and the config file merged in front of it. */
struct agent_cli {
	int argc;
	char **argv;
	const char *config_path;
	/* Read at start and kept for the run: the options point into it. */
	struct agent_config boot;
	char **boot_args;
};

static const struct cli_opt *config_key(const char *key)
{
	for (int id = 0; id < OPT__COUNT; id++) {
		const struct cli_opt *d = &cli_opts_table[id];

		if ((d->cmds & CLI_AGENT) && id != OPT_CONFIG && id != OPT_HELP &&
		    id != OPT_VERBOSE && !strcmp(d->name, key))
			return d;
	}
	return NULL;
}

/* One entry as an argument: "--key=value", "--key" (a true flag) or nothing (false). */
static int entry_arg(const char *path, const struct agent_config_entry *e, char **out)
{
	const struct cli_opt *d = config_key(e->key);

	*out = NULL;
	if (!d)
		return cli_usage_error("agent", "%s:%d: unknown key '%s'", path, e->line, e->key);
	if (d->arg) {
		if (!*e->value)
			return cli_usage_error("agent", "%s:%d: '%s' needs a value", path, e->line,
					       e->key);
		return asprintf(out, "--%s=%s", d->name, e->value) < 0 ? -ENOMEM : 0;
	}
	if (!strcmp(e->value, "false") || !strcmp(e->value, "no") || !strcmp(e->value, "0"))
		return 0;
	if (*e->value && strcmp(e->value, "true") && strcmp(e->value, "yes") &&
	    strcmp(e->value, "1"))
		return cli_usage_error("agent", "%s:%d: '%s' is true or false, not '%s'", path,
				       e->line, e->key, e->value);
	return asprintf(out, "--%s", d->name) < 0 ? -ENOMEM : 0;
}

static void free_args(char **args, int n)
{
	for (int i = 0; i < n; i++)
		free(args[i]);
	free(args);
}

/*
 * Parses @cfg's entries, then the command line (which wins), into @o. The
 * arguments made from @cfg are left in *@made (@cfg->n slots): @o points into them.
 */
static int parse_merged(struct agent_cli *a, const struct agent_config *cfg, struct cli_opts *o,
			char ***made)
{
	char **argv = calloc(cfg->n + a->argc + 1, sizeof(*argv));
	int argc = 0, err = 0;

	*made = calloc(cfg->n + 1, sizeof(**made));
	if (!argv || !*made) {
		free(argv);
		log_error("agent: %s", strerror(ENOMEM));
		return 1;
	}
	argv[argc++] = a->argv[0];
	for (int i = 0; i < cfg->n && !err; i++) {
		err = entry_arg(a->config_path, &cfg->entries[i], &(*made)[i]);
		if ((*made)[i])
			argv[argc++] = (*made)[i];
	}
	for (int i = 1; i < a->argc; i++)
		argv[argc++] = a->argv[i];
	if (err == -ENOMEM)
		log_error("agent: %s", strerror(ENOMEM));
	if (!err)
		err = cli_opts_parse(o, CLI_AGENT, AGENT_INTRO, argc, argv);
	free(argv);
	return err < 0 ? 1 : err;
}

static bool has_entry(const struct agent_config *c, const struct agent_config_entry *e)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->entries[i].key, e->key) && !strcmp(c->entries[i].value, e->value))
			return true;
	return false;
}

static bool has_key(const struct agent_config *c, const char *key)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->entries[i].key, key))
			return true;
	return false;
}

static bool live_key(const char *key)
{
	return !strcmp(key, "top-comms") || !strcmp(key, "frequency") ||
	       !strcmp(key, "max-cpu-percent");
}

/* What differs between @was and @now, and cannot change while running. */
static void log_restart_needed(const char *path, const struct agent_config *was,
			       const struct agent_config *now)
{
	const struct agent_config_entry *e;

	for (int i = 0; i < now->n; i++) {
		e = &now->entries[i];
		if (!live_key(e->key) && !has_entry(was, e))
			pr_warn("faultline agent: %s:%d: %s = %s: needs a restart (not applied)\n",
				path, e->line, e->key, e->value);
	}
	for (int i = 0; i < was->n; i++) {
		e = &was->entries[i];
		if (!live_key(e->key) && !has_key(now, e->key))
			pr_warn("faultline agent: %s: %s = %s removed: needs a restart (not "
				"applied)\n", path, e->key, e->value);
	}
}

/* SIGHUP: the file again, checked as at start; what changed against the running one. */
static int reload(void *arg, struct agent_live *live)
{
	struct agent_cli *a = arg;
	struct agent_config cfg;
	struct cli_opts *o;
	int verbosity = log_verbosity, err;
	char why[512], **made = NULL;

	if (!a->config_path) {
		pr_warn("faultline agent: started without --config: nothing to re-read\n");
		return 1;
	}
	if (agent_config_read(a->config_path, &cfg, why, sizeof(why))) {
		pr_warn("faultline agent: %s\n", why);
		return 1;
	}
	o = malloc(sizeof(*o));
	err = o ? parse_merged(a, &cfg, o, &made) : 1;
	log_verbosity = verbosity;	/* -v counted again */
	if (!err) {
		log_restart_needed(a->config_path, &a->boot, &cfg);
		live->top_comms = o->top_comms;
		live->freq_hz = o->prof.freq_hz;
		live->max_cpu_pct = o->max_cpu_pct;
	}
	if (made)
		free_args(made, cfg.n);
	agent_config_free(&cfg);
	free(o);
	return err;
}

/* The config file first, then the command line again over it. */
static int with_config(struct agent_cli *a, struct cli_opts *o, int verbosity)
{
	char why[512];
	int err;

	a->config_path = o->config;
	err = agent_config_read(a->config_path, &a->boot, why, sizeof(why));
	if (err == -EINVAL)
		return cli_usage_error("agent", "%s", why);
	if (err) {
		log_error("agent: %s", why);
		return 1;
	}
	log_verbosity = verbosity;
	return parse_merged(a, &a->boot, o, &a->boot_args);
}

static char hostname[256];

static int sink_opts(const struct cli_opts *o, struct agent_ch_opts *ch)
{
	ch->url = o->clickhouse;
	ch->host = o->host;
	if (!ch->host) {
		if (gethostname(hostname, sizeof(hostname) - 1))
			return cli_usage_error("agent", "cannot read the hostname (%s): give --host",
					       strerror(errno));
		ch->host = hostname;
	}
	ch->spool_dir = o->spool;
	ch->spool_max_bytes = (uint64_t)o->spool_max_mb << 20;
	ch->retain_days = o->retain_days;
	return 0;
}

/* -p for both halves: the processes watch resolved (threads to their process). */
static int setup(struct cli_opts *o, struct agent_opts *ao)
{
	struct watch_opts *w = &o->watch;

	if (agent_parse_addr(o->metrics, &ao->addr, &ao->addr_len))
		return cli_usage_error("agent", "invalid --metrics '%s' (ADDR:PORT, e.g. %s, or "
				       "[ADDR]:PORT)", o->metrics, AGENT_DEFAULT_METRICS);
	if (watch_resolve_pids(w))
		return 1;
	o->prof.npids = w->npids;
	for (int i = 0; i < w->npids; i++)
		o->prof.pids[i] = w->pids[i];
	ao->watch = o->watch;
	ao->addr_text = o->metrics;
	ao->top_comms = o->top_comms;
	ao->max_cpu_pct = o->max_cpu_pct;
	ao->profile = !o->no_profile;
	if (o->clickhouse && sink_opts(o, &ao->ch))
		return 1;
	ao->flight = (struct agent_flight_opts){ .dir = o->flight_dir,
		.retain_min = o->retain_local_min, .keep_incidents = o->keep_incidents,
		.segment_ns = o->flight_segment_s * 1000000000ULL,
		.command = "faultline agent", .bucket_ns = AGENT_SAMPLES_BUCKET_NS };
	if (ao->profile)
		return profile_opts_resolve("agent", &o->prof, &ao->sampler);
	return 0;
}

int cmd_agent(int argc, char **argv)
{
	struct agent_cli a = { .argc = argc, .argv = argv };
	struct agent_opts *ao = calloc(1, sizeof(*ao));
	struct cli_opts *o = malloc(sizeof(*o));
	int verbosity = log_verbosity, ret = 1;

	if (!ao || !o) {
		log_error("agent: %s", strerror(ENOMEM));
		goto out;
	}
	ret = cli_opts_parse(o, CLI_AGENT, AGENT_INTRO, argc, argv);
	if (ret == 1) {		/* --help */
		ret = 0;
		goto out;
	}
	if (!ret && o->config)
		ret = with_config(&a, o, verbosity);
	if (!ret)
		ret = setup(o, ao);
	if (ret)
		goto out;
	ao->reload = reload;
	ao->reload_arg = &a;
	ret = cli_prepare_kernel("agent", true) ? 1 : agent_run(ao);
out:
	if (a.boot_args)
		free_args(a.boot_args, a.boot.n);
	agent_config_free(&a.boot);
	free(ao);
	free(o);
	return ret;
}
