/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_USER_H
#define FAULTLINE_WATCH_USER_H

/*
 * `faultline watch`: sources, options and the event pipeline.
 *
 * A source is one capability (oom, fd, conn, slow, signal): one BPF object
 * with its own ring buffer and counters, described by a struct
 * watch_source_ops in the registry (watch_registry.c). The runner loads the
 * selected sources, adds every ring to one struct ring_buffer, and for each
 * record calls the source's handle(), which decodes it into a struct
 * watch_event (watch_event_begin() .. watch_emit()). watch_emit() renders the
 * event (human line or JSON line) and hands it to the sink (e.g. record).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include <linux/types.h>

#include "watch.h"	/* the event structs shared with BPF */

#define WATCH_MAX_SOURCES 10
#define WATCH_MAX_SLOW_OVERRIDES 32
#define WATCH_SYSCALL_MAX 512	/* syscall numbers tracked by slow (array map size) */

struct watch_slow_override {
	int nr;			/* syscall number */
	uint64_t threshold_ns;	/* 0: never report this syscall */
};

struct watch_opts {
	uint32_t pids[WATCH_MAX_PIDS];
	int npids;
	const char *cgroup_path;	/* as given */
	uint64_t cgroup_id;		/* kernfs id of cgroup_path, 0 = no filter */
	uint32_t cgroup_level;		/* v2: its depth below the root */
	int32_t cgroup_ssid;		/* v1: its controller (enum cgroup_subsys_id); v2: -1 */
	uint32_t sources;		/* bit i = registry entry i selected */
	uint64_t slow_threshold_ns;	/* default 100 ms */
	struct watch_slow_override slow_overrides[WATCH_MAX_SLOW_OVERRIDES];
	int nslow_overrides;
	bool slow_all;			/* include syscalls that block by design */
	bool hist;			/* per-syscall latency histograms at exit */
	bool stacks;			/* human output: symbolized stacks under each line */
	bool json;			/* JSON Lines on stdout */
	bool exits;			/* signal: also non-zero process exits */
	bool no_user_stacks, no_kernel_stacks;
	bool incidents;			/* --incidents: live incidents (report_live.c) */
	long duration_s;		/* 0: until Ctrl-C */
	int fd_warn_pct;		/* fd_pressure threshold, default 80 */
	uint32_t rate_limit;		/* events per second per process, 0 = unlimited */
	uint32_t ringbuf_kb;		/* per source ring buffer size */
	int unwind;			/* enum unwind_mode: --unwind fp|dwarf|auto|kernel */
	/* Set by the runner: the in-kernel walk's shared tables; NULL when it is off. */
	struct unwind_kernel *kunwind;
	uint32_t stack_bytes;		/* --stack-bytes: user stack copied per event (DWARF) */
	uint32_t heap_pids[WATCH_MAX_PIDS];	/* --heap: processes whose allocator is traced */
	int nheap_pids;
	uint32_t heap_interval_s;	/* --heap-interval: seconds between summaries */
	uint64_t heap_sample_bytes;	/* --heap-sample: 0 = every allocation */
	uint64_t rss_step_bytes;	/* --rss-step: anon RSS growth per stack sample */
};

void watch_opts_init(struct watch_opts *o);

struct watch_ctx;
struct unwind_kernel;
struct bpf_object_skeleton;
struct bpf_map;
struct watch_source;

/* Hook bookkeeping shown at -v and in the exit summary. */
#define WATCH_HOOKS_LEN 256

struct watch_source_ops {
	const char *name;		/* --events name: "oom", "slow", ... */
	const char *summary;		/* one line for --help */
	bool internal;			/* pipeline plumbing: not selectable, not an event kind */
	/*
	 * Opens the skeleton, sets rodata from @o (see watch_source_setup_rodata
	 * style helpers in each source), loads and attaches it; sets s->ring_fd,
	 * s->counters_fd and the attached/skipped hook lists. -errno on failure
	 * with a reason already logged.
	 */
	int (*load)(struct watch_source *s, const struct watch_opts *o);
	/* One ring buffer record: decode it and watch_emit() what it describes. */
	int (*handle)(struct watch_source *s, const void *data, size_t size);
	/* Optional: extra end-of-run output (histograms, leak sites). */
	void (*report)(struct watch_source *s, FILE *out, bool json);
	/* Optional: housekeeping after each poll (every ~100 ms), e.g. sweeping maps. */
	void (*tick)(struct watch_source *s);
	/* Optional: last events, once the rings are drained, before the sink closes. */
	void (*finish)(struct watch_source *s);
	/* Optional: the meaning of WATCH_CNT_SOURCE0..3 (NULL: unused). */
	const char *counter_names[4];
	/* Detaches and frees s->priv. */
	void (*free)(struct watch_source *s);
};

struct watch_source {
	const struct watch_source_ops *ops;
	struct watch_ctx *ctx;
	void *priv;			/* the source's skeleton and state */
	int ring_fd;			/* its "events" ring buffer map */
	int counters_fd;		/* its "counters" per-CPU array, -1 when none */
	char attached[WATCH_HOOKS_LEN];	/* "tracepoint oom:mark_victim, ..." */
	char skipped[WATCH_HOOKS_LEN];	/* "tp_btf sched_process_exit (no BTF)" */
	uint64_t decode_errors;		/* records handle() could not decode */
};

/* The registry, in --events order; NULL-terminated. */
extern const struct watch_source_ops *const watch_sources[];
int watch_source_count(void);
/* Index of the source named @name, -1 when unknown. */
int watch_source_find(const char *name);

/* Appends "what" to s->attached / "what (why)" to s->skipped. */
void watch_source_attached(struct watch_source *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void watch_source_skipped(struct watch_source *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sums the per-CPU counter @which of @s (0 when unavailable). */
uint64_t watch_source_counter(const struct watch_source *s, enum watch_counter which);

/*
 * Sets the rodata every watch BPF object has (see bpf/watch_common.bpf.h):
 * targ_tgids, targ_ntgids, self_tgid, targ_cgroup_id, targ_cgroup_level,
 * capture_*_stack, rate_limit_per_sec. Pass the skeleton's rodata members.
 */
struct watch_common_rodata {
	volatile __u32 *targ_tgids;
	volatile __u32 *targ_ntgids;
	volatile __u32 *self_tgid;
	volatile __u64 *targ_cgroup_id;
	volatile __u32 *targ_cgroup_level;
	volatile __s32 *targ_cgroup_ssid;
	volatile bool *capture_user_stack;
	volatile bool *capture_kernel_stack;
	volatile __u32 *rate_limit_per_sec;
	volatile bool *capture_snapshot;
	volatile __u32 *snapshot_bytes;
	volatile bool *kunwind;
};

#define WATCH_COMMON_RODATA(rodata) ((struct watch_common_rodata){			\
	.targ_tgids = (rodata)->targ_tgids,						\
	.targ_ntgids = &(rodata)->targ_ntgids,						\
	.self_tgid = &(rodata)->self_tgid,						\
	.targ_cgroup_id = &(rodata)->targ_cgroup_id,					\
	.targ_cgroup_level = &(rodata)->targ_cgroup_level,				\
	.targ_cgroup_ssid = &(rodata)->targ_cgroup_ssid,				\
	.capture_user_stack = &(rodata)->capture_user_stack,				\
	.capture_kernel_stack = &(rodata)->capture_kernel_stack,			\
	.rate_limit_per_sec = &(rodata)->rate_limit_per_sec,				\
	.capture_snapshot = &(rodata)->capture_snapshot,				\
	.snapshot_bytes = &(rodata)->snapshot_bytes,					\
	.kunwind = &(rodata)->kunwind })

void watch_set_common_rodata(const struct watch_common_rodata *r, const struct watch_opts *o);

struct bpf_object;
/*
 * Sizes the maps every watch object has but the ring buffer: the DWARF
 * snapshot scratch gets one slot per CPU when snapshots are sent; the
 * in-kernel walker's maps are the run's shared ones (o->kunwind), or shrunk
 * to nothing when the walk is off. 0 or -errno.
 */
int watch_size_common_maps(struct bpf_object *obj, const struct watch_opts *o);

/*
 * True when FAULTLINE_WATCH_FORCE_TP=1: sources skip their tp_btf hooks and
 * load the classic tracepoint fallback, as on kernels without them (tests).
 */
bool watch_force_tracepoints(void);

/*
 * Chooses the hook of capability @cap (probe/hook_plan.c) for source @s:
 * with what the selected sources need probed once per run, enables only the chosen candidate's
 * programs in @obj (call between open and load) and notes the ones skipped.
 * Returns the chosen hook's label, to pass to watch_source_attached() once
 * attached; NULL (logged) when there is none.
 */
const char *watch_choose_hook(struct watch_source *s, struct bpf_object *obj, const char *cap);

/* Ring buffer size in bytes for bpf_map__set_max_entries (a power of two). */
uint32_t watch_ringbuf_bytes(const struct watch_opts *o);

/*
 * What every source does with its opened skeleton before its own settings:
 * sizes the common maps and the ring buffer @events, and chooses the hook
 * of @cap (watch_choose_hook()). The hook's label, or NULL (logged).
 */
const char *watch_source_prepare(struct watch_source *s, const struct watch_opts *o,
				 struct bpf_object *obj, struct bpf_map *events, const char *cap);
/*
 * Loads and attaches @sk, notes @hook as attached and takes the ring
 * buffer and counters of @s from @events and @counters. 0 or -errno.
 */
int watch_source_start(struct watch_source *s, const struct bpf_object_skeleton *sk,
		       const char *hook, struct bpf_map *events, struct bpf_map *counters);

/* ---- options: parsing and resolving, for the watch and record commands ---- */

/* Parses "--events oom,slow" into a source mask; -EINVAL naming @bad. */
int watch_parse_events(const char *list, uint32_t *mask, char *bad, size_t badlen);

/* Option values shared by watch and record for --unwind and --stack-bytes. */
#define WATCH_OPT_UNWIND 1000
#define WATCH_OPT_STACK_BYTES 1001
#define WATCH_UNWIND_LONGOPTS						\
	{ "unwind", required_argument, NULL, WATCH_OPT_UNWIND },	\
	{ "stack-bytes", required_argument, NULL, WATCH_OPT_STACK_BYTES }
#define WATCH_UNWIND_HELP						\
	"      --unwind MODE        user stacks: auto (default: .eh_frame walked in the\n" \
	"                           kernel), kernel, fp (frame pointers) or dwarf\n"	\
	"                           (stack copies unwound in userspace)\n"		\
	"      --stack-bytes N      dwarf: user stack bytes copied per event (default 8192)\n"

/* Parses WATCH_OPT_UNWIND / WATCH_OPT_STACK_BYTES (@c) for command @cmd; 0 or exit status. */
int watch_parse_unwind(struct watch_opts *o, const char *cmd, int c, const char *arg);

/*
 * Parses one --slow-threshold value: "MS" (the default threshold) or
 * "NAME=MS" (an override; MS 0 excludes NAME). -EINVAL when malformed.
 */
int watch_parse_slow_threshold(struct watch_opts *o, const char *arg);

/*
 * Checks every -p target exists (-ESRCH, logged, when one does not) and
 * replaces a thread id by its process id (with a note).
 */
int watch_resolve_pids(struct watch_opts *o);

/*
 * Resolves --cgroup @path (v2 directory, or a v1 directory of a controller
 * hierarchy) into @o's cgroup_id, cgroup_level, cgroup_ssid. -EMEDIUMTYPE
 * when it is no cgroup directory (or one of a hierarchy without controller).
 */
int watch_cgroup_target(const char *path, struct watch_opts *o);

/* ---- events ---- */

enum watch_severity {
	WATCH_SEV_INFO,
	WATCH_SEV_WARNING,
	WATCH_SEV_ERROR,
	WATCH_SEV_CRITICAL,
};

const char *watch_severity_name(enum watch_severity sev);
/* "oom_kill", "slow_syscall", ...: the JSON `type`. */
const char *watch_event_type_name(enum watch_event_type type);

/* One decoded event on its way out. */
struct watch_event {
	cJSON *json;		/* owns the object until watch_emit() */
	enum watch_event_type type;
	enum watch_severity severity;
	uint64_t wall_ns;	/* CLOCK_REALTIME of the event */
	uint32_t pid;
	char comm[WATCH_COMM_LEN];
	char facts[512];	/* the human line's key facts */
};

/*
 * Starts an event from the BPF header: type, time, pid, tid, comm, uid,
 * cgroup (+ container). -ENOMEM on allocation failure.
 */
/* Ends the run after the current poll, as -d would (e.g. the recording's disk is full). */
void watch_ctx_request_stop(struct watch_ctx *c);

int watch_event_begin(struct watch_ctx *c, struct watch_event *ev,
		      const struct watch_header *h, enum watch_severity sev);

/* Appends to the human line's facts (printf-style). */
void watch_event_facts(struct watch_event *ev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Adds "@key": [frames] for the stacks of process @pid (leaf first, kernel
 * frames first then user frames, as the call chain reads). Each frame is
 * {"addr": "0x..", "module", "symbol", "offset"}. @obj may be ev->json or a
 * nested object.
 */
int watch_event_add_stack(struct watch_ctx *c, cJSON *obj, const char *key, uint32_t pid,
			  const __u64 *kernel, int nkernel, const __u64 *user, int nuser);

/*
 * A key naming the functions of a stack as events print it: "module!function;"
 * per frame, the address for a frame without a name, truncated to @len.
 * Stacks through the same functions, at other offsets, share it.
 */
void watch_stack_key(const cJSON *stack, char *buf, size_t len);

/* Convenience: the header's own stacks as "stack" on the event. */
int watch_event_add_header_stack(struct watch_ctx *c, struct watch_event *ev,
				 const struct watch_header *h, const struct watch_stacks *s);

/* Renders, passes to the sink, counts and frees the event. */
void watch_emit(struct watch_ctx *c, struct watch_event *ev);

/* Drops an event that could not be completed (frees its JSON). */
void watch_event_discard(struct watch_event *ev);

/* The cgroup path to show for @pid (or, when it is gone, for cgroup v2 @cgid). */
int watch_cgroup_path(struct watch_ctx *c, uint32_t pid, uint64_t cgid, char *buf, size_t len);

/* The process's symbolizer (shared by all sources) */
struct symbolizer *watch_symbolizer(struct watch_ctx *c);
/* The BPF program and the tracepoint plumbing that ran it (a kernel frame): not the story. */
bool watch_tracing_symbol(const char *symbol);
const struct watch_opts *watch_ctx_opts(const struct watch_ctx *c);

/* What one loaded source has dropped so far, by reason (record's loss records). */
enum watch_loss_kind {
	WATCH_LOSS_RINGBUF_FULL,
	WATCH_LOSS_RATE_LIMITED,
	WATCH_LOSS_MAP_FULL,
	WATCH_LOSS_UNDECODABLE,
	WATCH_LOSS__COUNT,
};

/*
 * The loss counters of the @i-th loaded source (0 up to WATCH_MAX_SOURCES)
 * into @lost and its name into *@name; -ENOENT past the last one.
 */
int watch_source_losses(const struct watch_ctx *c, int i, const char **name,
			uint64_t lost[WATCH_LOSS__COUNT]);

/* Receives every finished event (before it is freed); must not keep @json. */
typedef void (*watch_sink_fn)(void *arg, const struct watch_event *ev);

/* ---- the runner ---- */

struct watch_run_cfg {
	const struct watch_opts *opts;
	FILE *out;		/* stdout */
	watch_sink_fn sink;	/* optional */
	void *sink_arg;
	bool quiet_render;	/* record: only the sink, no live output */
	/* Optional (record): the in-kernel walk's tables, shared with its profiler. */
	struct unwind_kernel *kunwind;
	/* Optional (record): after each poll (~100 ms) and once more at the end (@last). */
	void (*on_poll)(void *arg, struct watch_ctx *c, bool last);
};

/* Loads the selected sources, polls until -d or a stop signal, reports. */
int watch_run(const struct watch_run_cfg *cfg);

#endif
