// SPDX-License-Identifier: GPL-2.0
/* Learns what this kernel offers by loading and attaching tiny programs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "base/cgroup.h"
#include "probe/kernel_features.h"
#include "base/log.h"
#include "probe.skel.h"
#include "base/tracefs.h"

const char *const features_tracepoints[] = {
	"oom:mark_victim",
	"raw_syscalls:sys_enter",
	"raw_syscalls:sys_exit",
	"syscalls:sys_enter_connect",
	"syscalls:sys_exit_connect",
	"sock:inet_sk_error_report",
	"sock:inet_sock_set_state",
	"tcp:tcp_send_reset",
	"tcp:tcp_receive_reset",
	"signal:signal_deliver",
	"signal:signal_generate",
	"sched:sched_process_exec",
	"sched:sched_process_exit",
	"sched:sched_process_fork",
	"kmem:rss_stat",
	"sched:sched_switch",
	NULL,
};

/* The arguments counted are those the watch programs read (BPF_PROG's list). */
const struct tp_btf_need features_tp_btf[] = {
	{ "mark_victim", 2 },		/* before ~6.8 it passes an int pid only */
	{ "sys_enter", 2 },
	{ "sys_exit", 2 },
	{ "sched_process_exit", 2 },
	{ "signal_deliver", 3 },
	{ "signal_generate", 5 },
	{ "inet_sock_set_state", 3 },
	{ "rss_stat", 2 },
	{ "sched_switch", 4 },
	{},
};

static void set_result(struct feature_result *r, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_result(struct feature_result *r, bool ok, const char *fmt, ...)
{
	va_list ap;

	r->available = ok;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* Opens the probe object with only @prog_name enabled and loads it. */
static struct probe_bpf *probe_load(const char *prog_name, struct feature_result *r)
{
	struct bpf_program *prog;
	struct probe_bpf *skel;
	int err;

	skel = probe_bpf__open();
	if (!skel) {
		set_result(r, false, "cannot open BPF object: %s", strerror(errno));
		return NULL;
	}
	prog = bpf_object__find_program_by_name(skel->obj, prog_name);
	bpf_program__set_autoload(prog, true);
	skel->bss->target_tgid = getpid();
	err = probe_bpf__load(skel);
	if (err) {
		set_result(r, false, "program load failed: %s", strerror(-err));
		probe_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static struct bpf_program *prog_of(struct probe_bpf *skel, const char *name)
{
	return bpf_object__find_program_by_name(skel->obj, name);
}

/* Appends @hint to a failure detail, so "no" comes with its likely reason. */
static void add_hint(struct feature_result *r, const char *hint)
{
	size_t used = strlen(r->detail);

	if (!r->available && hint)
		snprintf(r->detail + used, sizeof(r->detail) - used, " (%s)", hint);
}

/*
 * Loads @prog_name and attaches it where its SEC() says; nothing stays
 * attached. @hint explains a failure in the user's terms.
 */
static void probe_auto_attach(const char *prog_name, struct feature_result *r, const char *what,
			      const char *hint)
{
	struct probe_bpf *skel = probe_load(prog_name, r);
	struct bpf_link *link;

	if (!skel) {
		add_hint(r, hint);
		return;
	}
	link = bpf_program__attach(prog_of(skel, prog_name));
	if (!link)
		set_result(r, false, "attach failed: %s", strerror(errno));
	else
		set_result(r, true, "%s", what);
	add_hint(r, hint);
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
}

static void probe_btf(struct feature_result *r)
{
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf) {
		set_result(r, false, "/sys/kernel/btf/vmlinux: %s", strerror(errno));
		return;
	}
	set_result(r, true, "/sys/kernel/btf/vmlinux, %u types", btf__type_cnt(btf));
	btf__free(btf);
}

static void probe_tracefs(struct feature_result *r)
{
	bool mounted_now;
	int err = tracefs_ensure(&mounted_now);

	if (err)
		set_result(r, false, "not mounted and mount failed: %s", strerror(-err));
	else
		set_result(r, true, "%s%s", tracefs_root(),
			   mounted_now ? " (mounted by faultline)" : "");
}

static void probe_one_tracepoint(struct bpf_program *prog, struct tracepoint_result *tp)
{
	char category[64];
	const char *colon = strchr(tp->name, ':');
	struct bpf_link *link;

	snprintf(category, sizeof(category), "%.*s", (int)(colon - tp->name), tp->name);
	link = bpf_program__attach_tracepoint(prog, category, colon + 1);
	tp->available = link != NULL;
	snprintf(tp->detail, sizeof(tp->detail), "%s",
		 link ? "attached" : strerror(errno));
	bpf_link__destroy(link);
}

/* Attaches the tracepoint program to each of @names (NULL-terminated, deduplicated). */
static void probe_tracepoints(struct features *f, const char *const *names)
{
	struct feature_result *r = &f->feat[FEAT_TRACEPOINT];
	struct probe_bpf *skel;
	int i, ok = 0;

	f->tp_count = 0;
	for (i = 0; names[i] && f->tp_count < FEATURES_MAX_TRACEPOINTS; i++) {
		f->tp[f->tp_count].name = names[i];
		snprintf(f->tp[f->tp_count++].detail, sizeof(f->tp[0].detail), "not probed");
	}
	skel = probe_load("probe_tracepoint", r);
	if (!skel)
		return;
	for (i = 0; i < f->tp_count; i++) {
		probe_one_tracepoint(skel->progs.probe_tracepoint, &f->tp[i]);
		ok += f->tp[i].available;
	}
	set_result(r, ok > 0, "%d of %d needed tracepoints attach", ok, f->tp_count);
	probe_bpf__destroy(skel);
}

/* The FUNC_PROTO behind btf_trace_@name, with its first (context) parameter. */
static int tp_btf_proto(const struct btf *btf, const char *name, const struct btf_type **proto)
{
	char tname[128];
	const struct btf_type *t;
	int id;

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	id = btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF);
	if (id < 0)
		return id;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);	/* the pointer */
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	*proto = t;
	return id;
}

/*
 * Can a BTF-typed program attach to @need, reading its arguments? As
 * libbpf-tools' probe_tp_btf(): load and attach an empty tracing program.
 */
static void probe_one_tp_btf(const struct btf *btf, const struct tp_btf_need *need,
			     struct tracepoint_result *r)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP);
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	const struct btf_type *proto;
	int id, fd, link;

	r->name = need->name;
	id = btf ? tp_btf_proto(btf, need->name, &proto) : -ENOENT;
	if (id < 0) {
		snprintf(r->detail, sizeof(r->detail), "no BTF for btf_trace_%s", need->name);
		return;
	}
	if (btf_vlen(proto) < need->nargs + 1) {
		snprintf(r->detail, sizeof(r->detail), "%d arguments, %d needed",
			 btf_vlen(proto) - 1, need->nargs);
		return;
	}
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);
	link = fd < 0 ? -1 : bpf_raw_tracepoint_open(NULL, fd);
	r->available = link >= 0;
	snprintf(r->detail, sizeof(r->detail), "%s", fd < 0 ? "program load failed" :
		 link < 0 ? "attach failed" : "attached");
	if (link >= 0)
		close(link);
	if (fd >= 0)
		close(fd);
}

static bool capabilities_use_tp_btf(const struct hook_capability *const *caps, int n,
				    const char *name)
{
	for (int k = 0; k < n; k++)
		for (int i = 0; i < caps[k]->ncandidates; i++)
			for (int j = 0; j < HOOK_MAX_REQ && caps[k]->candidates[i].tp_btf[j]; j++)
				if (!strcmp(caps[k]->candidates[i].tp_btf[j], name))
					return true;
	return false;
}

/* Probes the entries of features_tp_btf that @caps[0..@n) use (@caps NULL: all). */
static void probe_tp_btfs(struct features *f, const struct hook_capability *const *caps, int n)
{
	struct btf *btf = btf__load_vmlinux_btf();

	f->tp_btf_count = 0;
	for (int i = 0; features_tp_btf[i].name && i < FEATURES_MAX_TRACEPOINTS; i++) {
		if (caps && !capabilities_use_tp_btf(caps, n, features_tp_btf[i].name))
			continue;
		probe_one_tp_btf(btf, &features_tp_btf[i], &f->tp_btf[f->tp_btf_count++]);
	}
	btf__free(btf);
}

static int call_getpid(void)
{
	return (int)getpid();
}

static void probe_uprobe(struct feature_result *r)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "getpid");
	struct probe_bpf *skel = probe_load("probe_uprobe", r);
	struct bpf_link *link;

	if (!skel)
		return;
	link = bpf_program__attach_uprobe_opts(skel->progs.probe_uprobe, getpid(), "libc.so.6",
					       0, &opts);
	if (!link) {
		set_result(r, false, "attach to libc getpid failed: %s", strerror(errno));
	} else {
		call_getpid();
		set_result(r, skel->bss->hits > 0, "%s",
			   skel->bss->hits ? "libc getpid probed and fired"
					   : "attached but never fired");
	}
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
}

static int open_perf_event(__u32 type, __u64 config)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = type,
		.config = config,
		.freq = 1,
		.sample_freq = 1000,
	};

	/* This thread on any CPU: enough to learn whether sampling works. */
	return syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static void probe_perf_hw(struct feature_result *r)
{
	int fd = open_perf_event(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES);

	if (fd < 0) {
		set_result(r, false, "cycles event: %s", strerror(errno));
		return;
	}
	set_result(r, true, "cycles event opens");
	close(fd);
}

static void burn_cpu_ms(long ms)
{
	struct timespec start, now;
	volatile unsigned long spin = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 100000; i++)
			spin++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

/* Samples ourselves with cpu-clock: proves perf_event programs and user stacks. */
static void probe_perf_sw(struct features *f)
{
	struct feature_result *r = &f->feat[FEAT_PERF_SW], *us = &f->feat[FEAT_USER_STACK];
	struct probe_bpf *skel = probe_load("probe_perf_event", r);
	struct bpf_link *link = NULL;
	int fd;

	set_result(us, false, "not probed: perf_event programs unavailable");
	if (!skel)
		return;
	fd = open_perf_event(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
	if (fd < 0) {
		set_result(r, false, "cpu-clock event: %s", strerror(errno));
		goto cleanup;
	}
	link = bpf_program__attach_perf_event(skel->progs.probe_perf_event, fd);
	if (!link) {
		set_result(r, false, "attach to cpu-clock failed: %s", strerror(errno));
		close(fd);
		goto cleanup;
	}
	burn_cpu_ms(50);
	set_result(r, skel->bss->hits > 0, "cpu-clock sampled %llu times in 50 ms",
		   (unsigned long long)skel->bss->hits);
	if (skel->bss->user_stack_bytes > 0)
		set_result(us, true, "bpf_get_stack(BPF_F_USER_STACK) returned %lld frames",
			   (long long)skel->bss->user_stack_bytes / 8);
	else
		set_result(us, false, "bpf_get_stack(BPF_F_USER_STACK) returned no frames");
cleanup:
	bpf_link__destroy(link);	/* closes the perf event fd too */
	probe_bpf__destroy(skel);
}

static void probe_iter_task(struct feature_result *r)
{
	struct probe_bpf *skel = probe_load("probe_iter_task", r);
	struct bpf_link *link;
	char buf[64];
	int fd;

	if (!skel)
		return;
	link = bpf_program__attach_iter(skel->progs.probe_iter_task, NULL);
	if (!link) {
		set_result(r, false, "attach failed: %s", strerror(errno));
		goto cleanup;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		set_result(r, false, "iterator create failed: %s", strerror(errno));
		goto cleanup;
	}
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	set_result(r, skel->bss->hits > 0, "walked %llu tasks",
		   (unsigned long long)skel->bss->hits);
cleanup:
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
}

static void probe_map_type(struct feature_result *r, enum bpf_map_type type)
{
	int ret = libbpf_probe_bpf_map_type(type, NULL);

	if (ret == 1)
		set_result(r, true, "map type supported");
	else
		set_result(r, false, "map type rejected%s%s", ret < 0 ? ": " : "",
			   ret < 0 ? strerror(-ret) : "");
}

static void probe_cgroups(struct features *f)
{
	char path[256];

	if (cgroup_v2_root(path, sizeof(path)) == 0)
		set_result(&f->feat[FEAT_CGROUP_V2], true, "%s", path);
	else
		set_result(&f->feat[FEAT_CGROUP_V2], false, "no cgroup2 mount");
	if (cgroup_memory_controller(path, sizeof(path)) == 0)
		set_result(&f->feat[FEAT_MEMCG], true, "%s", path);
	else
		set_result(&f->feat[FEAT_MEMCG], false, "no memory controller mounted");
}

void features__probe(struct features *f)
{
	memset(f, 0, sizeof(*f));
	probe_btf(&f->feat[FEAT_BTF]);
	probe_tracefs(&f->feat[FEAT_TRACEFS]);
	probe_tracepoints(f, features_tracepoints);
	probe_auto_attach("probe_tp_btf", &f->feat[FEAT_TP_BTF], "sched_process_exit attached",
			  NULL);
	probe_auto_attach("probe_raw_tp", &f->feat[FEAT_RAW_TP], "sched_process_exit attached",
			  NULL);
	probe_auto_attach("probe_kprobe", &f->feat[FEAT_KPROBE], "vfs_read attached",
			  "no kprobe PMU nor kprobe_events: kernel without CONFIG_KPROBES?");
	probe_auto_attach("probe_fentry", &f->feat[FEAT_FENTRY], "vfs_read attached",
			  "BPF trampolines refused by this kernel");
	probe_uprobe(&f->feat[FEAT_UPROBE]);
	probe_perf_hw(&f->feat[FEAT_PERF_HW]);
	probe_perf_sw(f);
	probe_map_type(&f->feat[FEAT_RINGBUF], BPF_MAP_TYPE_RINGBUF);
	probe_map_type(&f->feat[FEAT_TASK_STORAGE], BPF_MAP_TYPE_TASK_STORAGE);
	probe_iter_task(&f->feat[FEAT_ITER_TASK]);
	probe_cgroups(f);
	features__probe_kernel_unwind(&f->feat[FEAT_KERNEL_UNWIND]);
	probe_tp_btfs(f, NULL, 0);
}

/* The features a watch hook may need; the others are not probed for one capability. */
static void probe_feature(struct features *f, enum feature_id id)
{
	struct feature_result *r = &f->feat[id];

	if (r->available || r->detail[0])
		return;		/* probed already */
	switch (id) {
	case FEAT_TRACEPOINT:
		break;		/* with the tracepoints themselves */
	case FEAT_TP_BTF:
		probe_auto_attach("probe_tp_btf", r, "sched_process_exit attached", NULL);
		break;
	case FEAT_RAW_TP:
		probe_auto_attach("probe_raw_tp", r, "sched_process_exit attached", NULL);
		break;
	case FEAT_RINGBUF:
		probe_map_type(r, BPF_MAP_TYPE_RINGBUF);
		break;
	case FEAT_TASK_STORAGE:
		probe_map_type(r, BPF_MAP_TYPE_TASK_STORAGE);
		break;
	default:
		set_result(r, false, "not probed");
		break;
	}
}

/* Adds @name to the NULL-terminated @names (of @max) unless it is there. */
static void add_name(const char **names, int max, const char *name)
{
	int i;

	for (i = 0; i < max - 1 && names[i]; i++)
		if (!strcmp(names[i], name))
			return;
	if (i < max - 1)
		names[i] = name;
}

void features__probe_capabilities(struct features *f, const struct hook_capability *const *caps,
				  int n)
{
	const char *tps[FEATURES_MAX_TRACEPOINTS + 1] = {};

	memset(f, 0, sizeof(*f));
	for (int k = 0; k < n; k++) {
		for (int i = 0; i < caps[k]->ncandidates; i++) {
			const struct hook_candidate *c = &caps[k]->candidates[i];

			for (int j = 0; j < HOOK_MAX_REQ && c->tracepoints[j]; j++)
				add_name(tps, FEATURES_MAX_TRACEPOINTS + 1, c->tracepoints[j]);
			for (int j = 0; j < c->nfeatures; j++)
				probe_feature(f, c->features[j]);
		}
	}
	if (tps[0])
		probe_tracepoints(f, tps);
	probe_tp_btfs(f, caps, n);
}
