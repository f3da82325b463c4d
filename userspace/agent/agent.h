/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_H
#define FAULTLINE_AGENT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "agent/agent_ch.h"
#include "agent/agent_flight.h"
#include "profile/profile_sampler.h"
#include "watch/watch_pipeline.h"

#define AGENT_DEFAULT_FREQ_HZ 19

/* What SIGHUP can change without a restart. */
struct agent_live {
	unsigned int top_comms;		/* comms with their own events_total series */
	unsigned int freq_hz;		/* the profile rate */
	unsigned int max_cpu_pct;	/* --max-cpu-percent, 0: no limit */
};

/* `faultline agent`: watch and a low-rate profile until SIGTERM, with /metrics. */
struct agent_opts {
	struct watch_opts watch;
	bool profile;			/* --no-profile clears it */
	/* Filters, rate, map sizes of the samples; its pointers outlive the run. */
	struct profile_sampler_opts sampler;
	struct sockaddr_storage addr;	/* --metrics */
	socklen_t addr_len;
	const char *addr_text;
	unsigned int top_comms;
	unsigned int max_cpu_pct;	/* lower the rate past this much of one CPU; 0: never */
	struct agent_ch_opts ch;	/* ch.url NULL: no ClickHouse sink */
	struct agent_flight_opts flight;	/* flight.dir NULL: no flight recorder */
	/*
	 * On SIGHUP (optional): re-reads the configuration and fills @live with
	 * what it says now, after logging what it changed that needs a restart.
	 * 0, or non-zero after a log line: the running configuration stays.
	 */
	int (*reload)(void *arg, struct agent_live *live);
	void *reload_arg;
};

/* Runs until SIGINT/SIGTERM (or -d); 0, or 1 after one error line. */
int agent_run(const struct agent_opts *o);

#endif
