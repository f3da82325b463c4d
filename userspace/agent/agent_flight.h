/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_FLIGHT_H
#define FAULTLINE_AGENT_FLIGHT_H

/*
 * The agent's local flight recorder: the last --retain-local minutes of
 * events and profile buckets as rotating recording segments (the format
 * `faultline report` reads), one per --flight-segment, in a directory of their own.
 * A segment holding an error or critical event is an incident's: it and its
 * neighbours are moved to DIR/incidents/, where the last --keep-incidents
 * incidents are kept whatever their age.
 */
#include <stdint.h>

#include <cjson/cJSON.h>

#include "output/stack_profile.h"
#include "watch/watch_pipeline.h"

#define AGENT_DEFAULT_FLIGHT_SEGMENT_S 60
#define AGENT_DEFAULT_RETAIN_LOCAL_MIN 30
#define AGENT_DEFAULT_KEEP_INCIDENTS 10

struct agent_flight_opts {
	const char *dir;		/* --flight-dir */
	unsigned int retain_min;	/* --retain-local MINUTES */
	unsigned int keep_incidents;	/* --keep-incidents N */
	uint64_t segment_ns;		/* --flight-segment */
	const char *command;		/* for the segments' header */
	uint64_t bucket_ns;		/* the profile buckets' length */
};

struct agent_flight;

/* Opens @o->dir (created 0700, refused when not ours alone). 0 or -errno, logged. */
int agent_flight__start(const struct agent_flight_opts *o, struct agent_flight **out);
void agent_flight__event(struct agent_flight *f, const struct watch_event *ev);
void agent_flight__bucket(struct agent_flight *f, int64_t start_wall_ns,
			  const struct profile_data *p);
/* Every poll: flushes, rotates the segment each minute, ages out old ones. */
void agent_flight__poll(struct agent_flight *f);
/* Closes the current segment (complete, so report reads it); NULL-safe. */
void agent_flight__stop(struct agent_flight *f);

#endif
