/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_RUN_H
#define FAULTLINE_RECORDING_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "profile/profile_sampler.h"
#include "unwind/unwind_mode.h"
#include "watch/watch_pipeline.h"

/* `faultline record`: watch and profile together, into one recording. */
struct record_opts {
	const char *out_path;
	struct watch_opts watch;	/* -d, -p and the watch options live here */
	bool profile;			/* --no-profile clears it */
	/* Filters, rate, map sizes and unwinding of the samples; on_event/ctx are ours. */
	struct profile_sampler_opts sampler;
	uint64_t bucket_ns;		/* --bucket MS */
	enum unwind_mode unwind;	/* --unwind as given, for the header */
	char command[1024];		/* for the header */
	/* Optional: every scan (~2 s) and at the end, once the file is flushed. */
	void (*on_flush)(void *arg, const char *partial_path, bool last);
	void *flush_arg;
	bool no_summary;		/* the recording is someone's temporary file */
};

/* Runs until -d or SIGINT/SIGTERM; 0, or 1 after one error line. */
int record_run(const struct record_opts *o);

#endif
