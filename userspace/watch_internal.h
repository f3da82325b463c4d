/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_INTERNAL_H
#define FAULTLINE_WATCH_INTERNAL_H

/* The runner's state, shared by the watch_*.c files of the pipeline only. */
#include "watch.h"

struct symbolizer;

#define WATCH_CGROUP_CACHE 64

struct watch_cgroup_cache_entry {
	uint64_t id;
	char path[WATCH_PATH_LEN];
};

struct watch_ctx {
	const struct watch_opts *opts;
	FILE *out;
	watch_sink_fn sink;
	void *sink_arg;
	void (*on_poll)(void *arg, struct watch_ctx *c, bool last);	/* see watch_run_cfg */
	bool render;
	struct symbolizer *sym;
	int64_t mono_to_real_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint64_t emitted[WATCH_EV__COUNT];
	uint64_t render_errors;
	uint64_t write_errors;		/* events lost because writing the output failed */
	int write_errno;		/* the first write failure; stops the run */
	struct watch_source sources[WATCH_MAX_SOURCES];
	int nsources;
	struct watch_cgroup_cache_entry cg_cache[WATCH_CGROUP_CACHE];
	int cg_next;
};

/* Flushes the output: false (and the error kept in c->write_errno) when it failed. */
bool watch_output_ok(struct watch_ctx *c);

/*
 * Checks every -p target exists (-ESRCH, logged, when one does not) and
 * replaces a thread id by its process id (with a note).
 */
int watch_resolve_pids(struct watch_opts *o);

/* True when -p was given and every target process has exited. */
bool watch_targets_gone(const struct watch_opts *o);

/* Pure helpers, unit-tested. */

/*
 * Copies @in to @out with every byte outside printable ASCII, and the
 * backslash, escaped (\x0a, \\), for human output; truncates at an escape
 * boundary. Returns the length written. Buffers of 4 * strlen(@in) + 1 fit.
 */
size_t watch_escape(const char *in, char *out, size_t outlen);

/* Formats @wall_ns as RFC 3339 UTC with microseconds ("...T12:34:56.123456Z"). */
void watch_format_rfc3339(uint64_t wall_ns, char *buf, size_t len);

/*
 * Picks the cgroup path to show from the text of /proc/PID/cgroup: the
 * unified (v2) path when it is not the root, else the memory controller's,
 * else the first non-root one, else "/". -ENOENT when @text has no line.
 */
int watch_pick_cgroup(const char *text, char *buf, size_t len);

/*
 * The container id a cgroup path carries (docker, containerd, cri-o,
 * kubepods patterns): 64 hex digits; @runtime gets "docker", "containerd",
 * "cri-o" or "kubernetes". False when the path has none.
 */
bool watch_container_id(const char *path, char *id, size_t idlen, char *runtime,
			size_t rtlen);

/* True when the @n bytes ending at a return address end with a call instruction. */
bool watch_is_call_site(const uint8_t *b, size_t n);

/*
 * Copies the user stack @user[0..@n) to @out, putting back the caller of a
 * frameless leaf function found among @sp_words (see watch_leaf.c); returns
 * the new frame count, *@inferred the index of the frame put back or -1.
 */
int watch_leaf_fixup(struct watch_ctx *c, uint32_t pid, const __u64 *user, int n,
		     const __u64 *sp_words, __u64 *out, int *inferred);

/*
 * Resolves --cgroup @path (v2 directory, or a v1 directory of a controller
 * hierarchy) into @o's cgroup_id, cgroup_level, cgroup_ssid. -EMEDIUMTYPE
 * when it is no cgroup directory (or one of a hierarchy without controller).
 */
int watch_cgroup_target(const char *path, struct watch_opts *o);

/* Parses "--events oom,slow" into a source mask; -EINVAL naming @bad. */
int watch_parse_events(const char *list, uint32_t *mask, char *bad, size_t badlen);

/*
 * Parses one --slow-threshold value: "MS" (the default threshold) or
 * "NAME=MS" (an override; MS 0 excludes NAME). -EINVAL when malformed.
 */
int watch_parse_slow_threshold(struct watch_opts *o, const char *arg);

#endif
