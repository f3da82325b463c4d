/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_INTERNAL_H
#define FAULTLINE_WATCH_INTERNAL_H

/* The runner's state, shared by the watch_*.c files of the pipeline only. */
#include "unwind/unwind_dwarf.h"
#include "watch/watch_pipeline.h"

struct symbolizer;
struct watch_unwind;
struct watch_deferred;
struct watch_kunwind;
struct unwind_kernel;
struct features;

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
	uint64_t stacks_cut;		/* user stacks ended at an address that is not code */
	int write_errno;		/* the first write failure; stops the run */
	bool stop_requested;		/* by the sink: see watch_ctx_request_stop() */
	struct watch_source sources[WATCH_MAX_SOURCES];
	int nsources;
	struct watch_cgroup_cache_entry cg_cache[WATCH_CGROUP_CACHE];
	int cg_next;
	struct watch_opts opts_run;	/* the options with --unwind auto resolved */
	struct watch_unwind *unw;	/* DWARF mode state, NULL with frame pointers */
	struct watch_kunwind *kunwind;	/* in-kernel walk: the run's tables, NULL when off */
	struct watch_deferred *deferred, *deferred_tail;	/* events held until batch end */
	struct features *hook_features;	/* what the sources' hooks need, probed once */
};

/* ---- DWARF-unwound user stacks (watch_unwind.c) ---- */

struct watch_unwind_stats {
	uint64_t dwarf;			/* events whose user stack was DWARF-unwound */
	uint64_t fp;			/* auto: events of processes with frame pointers */
	uint64_t no_snapshot;		/* no snapshot paired: kept the frame-pointer walk */
	uint64_t failed[UNWIND_STATUS_NR];	/* unwinds stopped early, by reason */
	uint64_t evicted;		/* snapshots whose event never came (e.g. a connect
					 * that succeeded) dropped to make room */
	uint64_t no_memory;		/* snapshots not kept: out of memory */
	uint64_t snapshots;		/* snapshot records received */
	uint64_t snapshot_bytes;	/* their total size */
};

/*
 * Resolves --unwind for this run into @o (auto with -p: dwarf or fp by the
 * targets' binaries; without -p auto stays, decided per process) and says
 * which at -v.
 */
void watch_unwind_resolve(struct watch_opts *o);
/* Sets up c->unw when the run unwinds with DWARF (0 and NULL otherwise); -ENOMEM. */
int watch_unwind_new(struct watch_ctx *c);
void watch_unwind_free(struct watch_unwind *w);	/* NULL-safe */
/* Keeps a WATCH_EV_SNAPSHOT record for its event; -EINVAL when malformed. */
int watch_unwind_store(struct watch_ctx *c, const void *data, size_t size);
/*
 * The user stack of an event into @out (WATCH_MAX_FRAMES): DWARF-unwound
 * when a snapshot pairs and unwinds (*@dwarf set), else the frame-pointer
 * walk with the leaf-caller fixup (*@inferred as watch_leaf_fixup's).
 */
int watch_unwind_user(struct watch_ctx *c, const struct watch_header *h,
		      const struct watch_stacks *s, __u64 *out, int *inferred, bool *dwarf);
/* Process lifecycle: snapshot @pid's maps while it lives; drop them later. */
void watch_unwind_capture(struct watch_ctx *c, uint32_t pid);
void watch_unwind_forget(struct watch_ctx *c, uint32_t pid);
/* NULL when not in DWARF mode. */
const struct watch_unwind_stats *watch_unwind_stats(const struct watch_ctx *c);

/* ---- user stacks walked in the kernel (watch_kunwind.c) ---- */

struct watch_kunwind_stats {
	uint64_t tables;	/* events whose user stack was walked with the tables */
	uint64_t whole;		/* ... and reached the outermost frame */
	uint64_t fp;		/* walked before the process's tables were loaded */
	uint64_t first;		/* first events of a process */
	uint64_t first_fp;	/* ... walked before its tables were loaded */
	uint64_t asked;		/* notices from BPF: a process's tables were missing */
};

/*
 * Sets up the in-kernel walk for the run: @shared tables (record's) or new
 * ones, in c->kunwind and c->opts_run.kunwind; loads the -p targets. -errno.
 */
int watch_kunwind_new(struct watch_ctx *c, struct unwind_kernel *shared);
void watch_kunwind_free(struct watch_kunwind *w);	/* NULL-safe */
/*
 * (Re)loads @pid's tables; no-op when off. @speculative (at exec, when its
 * libraries are mapped): big files not compiled yet wait until asked for.
 */
void watch_kunwind_load(struct watch_ctx *c, uint32_t pid, bool speculative);
/*
 * Whether @pid's main binary keeps frame pointers (the auto rule's sample of
 * its prologues), so a frame-pointer walk of its stacks is sound and cheaper.
 */
bool watch_kunwind_fp_sound(uint32_t pid);
void watch_kunwind_forget(struct watch_ctx *c, uint32_t pid);
/* A WATCH_NOTICE_UNWIND record: loads its process; false for other notices. */
bool watch_kunwind_notice(struct watch_ctx *c, const void *data, size_t size);
/* Counts the user stack of an event (@n frames of @user) by how it was walked. */
void watch_kunwind_note(struct watch_ctx *c, const struct watch_header *h, const __u64 *user,
			int n);
/* NULL when the walk is off. */
const struct watch_kunwind_stats *watch_kunwind_stats(const struct watch_ctx *c);
/* The summary's lines about it (and the tables' at -v). */
void watch_kunwind_print(const struct watch_ctx *c, FILE *f);

/* Holds a record until watch_deferred_run() (DWARF mode); -ENOMEM. */
int watch_defer(struct watch_ctx *c, struct watch_source *s, const void *data, size_t size);
/* Decodes the held records in arrival order. */
void watch_deferred_run(struct watch_ctx *c);

/* Flushes the output: false (and the error kept in c->write_errno) when it failed. */
bool watch_output_ok(struct watch_ctx *c);

/* Exited: no /proc entry, or a zombie waiting for its parent. */
bool watch_process_gone(uint32_t pid);

/* True when -p was given and every target process has exited. */
bool watch_targets_gone(const struct watch_opts *o);

/* Pure helpers, unit-tested. */


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

#endif
