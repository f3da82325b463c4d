// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/log.h"
#include "base/procfs.h"
#include "profile/profile_sampler.h"
#include "profile.skel.h"
#include "base/tracefs.h"
#include "profile/unwind_profile.h"
#include "profile/profile_python.h"
#include "unwind/unwind_kernel.h"
#include "offcpu.h"

#define PRELOAD_RUNNING_MAX 64	/* running processes whose tables load before sampling */

struct profile_sampler {
	struct profile_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link **perf_links;	/* one per possible CPU, NULL when not sampled */
	int ncpus_possible;
	int nattached;
	struct bpf_link *exit_link, *exec_link;
	profile_event_fn on_event;
	void *ctx;
	bool hardware;
	uint64_t period_ns;
	const bool *cpus;
	int ncpus;
	unsigned int freq_hz;
	uint64_t period;
	struct unwind_profile *dwarf;	/* --unwind dwarf: samples go there */
	struct unwind_kernel *kunwind;	/* in-kernel unwinding: tables loaded from here */
	bool kunwind_owned;		/* created here, not shared by the caller */
	struct profile_python *python;	/* CPython processes: where BPF finds their frames */
	bool off_cpu;			/* --off-cpu: sched_switch instead of perf events */
	bool wakers;			/* --wakers */
	bool wall;			/* --wall: perf events and sched_switch */
	struct bpf_link *offcpu_link, *waking_link;
};

static int on_ringbuf(void *ctx, void *data, size_t size)
{
	struct profile_sampler *s = ctx;
	const struct profile_event *e = data;

	if (size < sizeof(*e))
		return 0;
	/* Tables first: the process's next samples can use them at once. */
	if (s->kunwind && e->kind == PROFILE_EV_NEW)
		unwind_kernel__load_pid(s->kunwind, e->tgid);
	else if (s->kunwind && e->kind == PROFILE_EV_EXIT)
		unwind_kernel__forget_pid(s->kunwind, e->tgid);
	profile_python__on_event(s->python, e);
	if (s->on_event)
		s->on_event(s->ctx, e);
	return 0;
}

static void set_rodata(struct profile_bpf *skel, const struct profile_sampler_opts *o,
		       bool kunwind)
{
	skel->rodata->kunwind = kunwind;
	skel->rodata->filter_tgids = o->ntgids > 0;
	skel->rodata->targ_tid = o->tid;
	skel->rodata->filter_cgroup = o->filter_cgroup;
	skel->rodata->targ_cgroup_id = o->cgroup_id;
	skel->rodata->want_user = o->user;
	skel->rodata->want_kernel = o->kernel;
	skel->rodata->include_idle = o->include_idle;
	skel->rodata->self_tgid = getpid();
	/* --wall: every state, and every wait however short, or the sum falls short */
	skel->rodata->offcpu_states = o->wall ? OFFCPU_STATE_WALL : o->off_cpu_states;
	skel->rodata->offcpu_min_block_ns = o->wall ? 0 : o->min_block_ns;
	skel->rodata->wall = o->wall;
	/* Only what is used is verified and loaded: the unwinder makes each cost ~1 s. */
	bpf_program__set_autoload(skel->progs.profile_offcpu_switch, o->off_cpu || o->wall);
	bpf_program__set_autoload(skel->progs.profile_sample, !o->off_cpu);
	bpf_program__set_autoload(skel->progs.profile_wall_iter, o->wall);
	bpf_program__set_autoload(skel->progs.profile_offcpu_waking, o->off_cpu && o->off_cpu_wakers);
	skel->rodata->offcpu_wakers = o->off_cpu && o->off_cpu_wakers;
}

/* The in-kernel unwinder's maps: the run's shared ones, or none when it is off. */
static int set_kunwind_maps(struct profile_sampler *s, bool on)
{
	if (on)
		return unwind_kernel__share(s->kunwind, s->skel->obj);
	return unwind_kernel__shrink(s->skel->obj);
}

static int set_map_sizes(struct profile_sampler *s, const struct profile_sampler_opts *o,
			 bool kunwind)
{
	struct profile_bpf *skel = s->skel;
	int err;

	err = set_kunwind_maps(s, kunwind);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.stacks, o->stack_map_size);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.overflow, o->stack_map_size);
	/* The counts map of the mode in use gets the room; the other stays empty. */
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.counts,
					       o->off_cpu || o->wall ? 1 : o->counts_map_size);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.wall_counts,
					       o->wall ? o->counts_map_size : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.offcpu_counts,
					       o->off_cpu && !o->off_cpu_wakers ? o->counts_map_size : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.offcpu_waker_counts,
					       o->off_cpu && o->off_cpu_wakers ? o->counts_map_size : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.target_tgids,
					       o->ntgids > 0 ? o->ntgids : 1);
	return err;
}

static int fill_targets(struct profile_sampler *s, const struct profile_sampler_opts *o)
{
	int fd = bpf_map__fd(s->skel->maps.target_tgids);
	__u8 one = 1;

	for (int i = 0; i < o->ntgids; i++) {
		__u32 tgid = o->tgids[i];

		if (bpf_map_update_elem(fd, &tgid, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

static void copy_opts(struct profile_sampler *s, const struct profile_sampler_opts *o)
{
	s->on_event = o->on_event;
	s->ctx = o->ctx;
	s->cpus = o->cpus;
	s->ncpus = o->ncpus;
	s->freq_hz = o->freq_hz;
	s->period = o->period_ns;
}

/* Opens and loads; @quiet: a failure is the caller's to report. */
static int load(struct profile_sampler *s, const struct profile_sampler_opts *o, bool kunwind,
		bool quiet)
{
	int err;

	s->skel = profile_bpf__open();
	if (!s->skel) {
		err = -errno;
		log_error("profile: opening the BPF object failed: %s", strerror(-err));
		return err;
	}
	set_rodata(s->skel, o, kunwind);
	err = set_map_sizes(s, o, kunwind);
	if (!err && o->unwind_dwarf && !kunwind)
		err = unwind_profile__idle_fp(s->skel->progs.profile_sample,
					      (struct bpf_map *[]){ s->skel->maps.stacks,
								    s->skel->maps.counts,
								    s->skel->maps.overflow }, 3);
	if (!err)
		err = profile_bpf__load(s->skel);
	if (err) {
		if (!quiet)
			log_error("profile: loading the BPF programs failed: %s", strerror(-err));
		return err;
	}
	err = fill_targets(s, o);
	if (err)
		log_error("profile: filling the pid filter failed: %s", strerror(-err));
	return err;
}

/* The caller's tables (record shares watch's), else tables of our own. */
static int get_kunwind(struct profile_sampler *s, const struct profile_sampler_opts *o)
{
	int err;

	if (o->kunwind) {
		s->kunwind = o->kunwind;
		return 0;
	}
	err = unwind_kernel__new(&s->kunwind);
	if (err)
		return err;
	s->kunwind_owned = true;
	return 0;
}

static void put_kunwind(struct profile_sampler *s)
{
	if (s->kunwind_owned)
		unwind_kernel__free(s->kunwind);
	s->kunwind = NULL;
	s->kunwind_owned = false;
}

/*
 * Without targets, the processes running now are the ones the first samples
 * will hit: their tables are loaded before sampling starts rather than after
 * their first samples were walked with frame pointers.
 */
static void load_running(struct profile_sampler *s)
{
	int pids[PRELOAD_RUNNING_MAX];
	int n = proc_running(getpid(), pids, PRELOAD_RUNNING_MAX);

	for (int i = 0; i < n; i++)
		unwind_kernel__load_pid(s->kunwind, pids[i]);
}

/*
 * In-kernel unwinding when asked for; when it does not load here (no
 * bpf_loop, a stricter verifier) and was not required, the other modes.
 */
static int load_any(struct profile_sampler *s, const struct profile_sampler_opts *o)
{
	int err;

	if (!o->unwind_kernel)
		return load(s, o, false, false);
	err = get_kunwind(s, o);
	if (!err)
		err = load(s, o, true, !o->unwind_kernel_required);
	if (!err) {
		pr_info("profile: user stacks: walked in the kernel with .eh_frame tables\n");
		/* The targets now: their first samples need not wait for a notification. */
		for (int i = 0; i < o->ntgids; i++)
			unwind_kernel__load_pid(s->kunwind, o->tgids[i]);
		if (!o->ntgids && !o->tid)
			load_running(s);
		return 0;
	}
	put_kunwind(s);
	if (o->unwind_kernel_required) {
		log_error("profile: in-kernel unwinding does not load here: %s", strerror(-err));
		return err;
	}
	pr_warn("profile: in-kernel unwinding does not load here (%s): user stacks use %s\n",
		strerror(-err), o->unwind_dwarf ? "DWARF stack copies" : "frame pointers");
	profile_bpf__destroy(s->skel);
	s->skel = NULL;
	return load(s, o, false, false);
}

int profile_sampler__new(const struct profile_sampler_opts *o, struct profile_sampler **out)
{
	struct profile_sampler *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	copy_opts(s, o);
	s->ncpus_possible = libbpf_num_possible_cpus();
	if (s->ncpus_possible <= 0) {
		err = s->ncpus_possible;
		log_error("profile: cannot count CPUs: %s", strerror(-err));
		goto fail;
	}
	s->perf_links = calloc(s->ncpus_possible, sizeof(*s->perf_links));
	if (!s->perf_links) {
		log_error("profile: out of memory");
		err = -ENOMEM;
		goto fail;
	}
	s->off_cpu = o->off_cpu;
	s->wakers = o->off_cpu && o->off_cpu_wakers;
	s->wall = o->wall;
	err = load_any(s, o);
	if (err)
		goto fail;
	if (o->unwind_dwarf && !s->kunwind && !o->off_cpu && !o->wall) {
		err = unwind_profile__new(o, &s->dwarf);
		if (err)
			goto fail;
	}
	/* Python frames are walked by the perf event program, which those modes replace. */
	if (!s->dwarf && !o->off_cpu) {
		s->python = profile_python__new(bpf_map__fd(s->skel->maps.py_procs),
						bpf_map__fd(s->skel->maps.py_stacks), o->tgids,
						o->ntgids);
		if (!s->python) {
			log_error("profile: out of memory");
			err = -ENOMEM;
			goto fail;
		}
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_ringbuf, s, NULL);
	if (!s->rb) {
		err = -errno;
		log_error("profile: ring buffer setup failed: %s", strerror(-err));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	profile_sampler__free(s);
	return err;
}

static int open_event(struct profile_sampler *s, int cpu, bool hardware)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = hardware ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE,
		.config = hardware ? PERF_COUNT_HW_CPU_CYCLES : PERF_COUNT_SW_CPU_CLOCK,
		/* Samples of the idle task never reach BPF unless they are wanted. */
		.exclude_idle = !s->skel->rodata->include_idle,
	};

	if (s->freq_hz) {
		attr.freq = 1;
		attr.sample_freq = s->freq_hz;
	} else {
		attr.sample_period = s->period;
	}
	return syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/*
 * Hardware cycles where the CPU has a PMU (they also see code running with
 * interrupts off); cpu-clock otherwise. Sampling by --period is always
 * cpu-clock so the period is in nanoseconds. Decided on the first CPU.
 */
static int open_first(struct profile_sampler *s, int cpu)
{
	int fd = -1;

	if (s->freq_hz) {
		fd = open_event(s, cpu, true);
		s->hardware = fd >= 0;
		if (fd < 0)
			pr_info("profile: no hardware cycles event (%s): sampling cpu-clock\n",
				strerror(errno));
	}
	if (fd < 0)
		fd = open_event(s, cpu, false);
	return fd;
}

static int attach_cpu(struct profile_sampler *s, int cpu)
{
	int fd = s->nattached ? open_event(s, cpu, s->hardware) : open_first(s, cpu);
	struct bpf_link *link;
	int err;

	if (fd < 0)
		return -errno;
	link = s->dwarf ? unwind_profile__attach_perf(s->dwarf, fd) :
			  bpf_program__attach_perf_event(s->skel->progs.profile_sample, fd);
	if (!link) {
		err = -errno;
		close(fd);
		return err;
	}
	s->perf_links[cpu] = link;	/* owns fd now */
	s->nattached++;
	return 0;
}

static bool cpu_online(int cpu, const bool *online, int n)
{
	return online ? cpu < n && online[cpu] : true;
}

static int attach_perf(struct profile_sampler *s)
{
	bool *online = calloc(s->ncpus_possible, sizeof(bool));
	char *list = NULL;
	size_t len = 0;
	FILE *f;
	int err = 0;

	f = fopen("/sys/devices/system/cpu/online", "r");
	if (online && f && getline(&list, &len, f) > 0 &&
	    profile_parse_cpulist(list, online, s->ncpus_possible)) {
		free(online);
		online = NULL;	/* unreadable: try every possible CPU */
	}
	if (f)
		fclose(f);
	free(list);
	for (int cpu = 0; cpu < s->ncpus_possible && !err; cpu++) {
		bool wanted = s->cpus ? cpu < s->ncpus && s->cpus[cpu] :
					cpu_online(cpu, online, s->ncpus_possible);

		if (!wanted)
			continue;
		err = attach_cpu(s, cpu);
		if (err)
			log_error("profile: sampling CPU %d failed: %s", cpu, strerror(-err));
	}
	free(online);
	return err;
}

/* Optional: without them, short-lived processes may lose their names. */
static void attach_notifications(struct profile_sampler *s)
{
	bool mounted = false;
	int err = tracefs_ensure(&mounted);

	if (err) {
		pr_warn("profile: tracefs unavailable (%s): exiting processes are not "
			"noticed, short-lived ones may show unnamed frames\n", strerror(-err));
		return;
	}
	s->exit_link = bpf_program__attach(s->skel->progs.profile_exit);
	if (!s->exit_link)
		pr_warn("profile: attaching sched_process_exit failed: %s\n", strerror(errno));
	s->exec_link = bpf_program__attach(s->skel->progs.profile_exec);
	if (!s->exec_link)
		pr_warn("profile: attaching sched_process_exec failed: %s\n", strerror(errno));
}

/* --off-cpu: one tracepoint for every CPU instead of perf events. */
static int attach_off_cpu(struct profile_sampler *s)
{
	s->offcpu_link = bpf_program__attach(s->skel->progs.profile_offcpu_switch);
	if (!s->offcpu_link) {
		log_error("profile: attaching tp_btf/sched_switch failed: %s", strerror(errno));
		return -errno;
	}
	if (s->wakers) {
		s->waking_link = bpf_program__attach(s->skel->progs.profile_offcpu_waking);
		if (!s->waking_link) {
			log_error("profile: attaching tp_btf/sched_waking failed: %s",
				  strerror(errno));
			return -errno;
		}
	}
	if (!s->wall)
		s->nattached = s->ncpus_possible;
	return 0;
}

/*
 * --wall: runs the task iterator once, to time the waits going on at the
 * start (@end_ns 0), or to charge those still going on at @end_ns.
 */
static int run_wall_iter(struct profile_sampler *s, uint64_t end_ns)
{
	struct bpf_link *link;
	char buf[64];
	int fd, err = 0;

	s->skel->bss->wall_end_ns = end_ns;
	link = bpf_program__attach_iter(s->skel->progs.profile_wall_iter, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		err = -errno;
	while (fd >= 0 && (err = read(fd, buf, sizeof(buf))) > 0)
		;
	if (err < 0)
		err = -errno;
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	return err;
}

/* --wall: running samples, then every switch, then the waits already going on. */
static int attach_wall(struct profile_sampler *s)
{
	int err = attach_perf(s);

	if (!err)
		err = attach_off_cpu(s);
	if (!err) {
		err = run_wall_iter(s, 0);
		if (err)
			log_error("profile: timing the waits going on failed: %s", strerror(-err));
	}
	return err;
}

int profile_sampler__attach(struct profile_sampler *s)
{
	int err;

	attach_notifications(s);
	err = s->wall ? attach_wall(s) : s->off_cpu ? attach_off_cpu(s) : attach_perf(s);
	if (!err && !s->nattached) {
		log_error("profile: no CPU to sample");
		err = -ENODEV;
	}
	if (err)
		profile_sampler__detach(s);
	/* In frequency mode cycles adapt their period to the rate, like cpu-clock. */
	s->period_ns = s->freq_hz ? 1000000000ULL / s->freq_hz : s->period;
	if (s->off_cpu || s->wall)
		s->period_ns = 1000;	/* off-CPU and wall time are counted in microseconds */
	return err;
}

int profile_sampler__poll(struct profile_sampler *s, int timeout_ms)
{
	/* DWARF mode: its samples wake us, notifications wait for the next round */
	int n = s->dwarf ? unwind_profile__poll(s->dwarf, timeout_ms) : 0;

	if (n >= 0)
		n = ring_buffer__poll(s->rb, s->dwarf ? 0 : timeout_ms);
	profile_python__refresh(s->python, false);

	return n == -EINTR ? 0 : n;
}

void profile_sampler__flush(struct profile_sampler *s)
{
	if (s->dwarf)
		unwind_profile__flush(s->dwarf);
}

void profile_sampler__detach(struct profile_sampler *s)
{
	bool flush = s->wall && s->offcpu_link;
	struct timespec now;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &now);	/* bpf_ktime_get_ns()'s clock */
	for (int cpu = 0; cpu < s->ncpus_possible; cpu++) {
		bpf_link__destroy(s->perf_links[cpu]);
		s->perf_links[cpu] = NULL;
	}
	bpf_link__destroy(s->exit_link);
	bpf_link__destroy(s->exec_link);
	s->exit_link = s->exec_link = NULL;
	bpf_link__destroy(s->offcpu_link);
	bpf_link__destroy(s->waking_link);
	s->offcpu_link = s->waking_link = NULL;
	err = flush ? run_wall_iter(s, now.tv_sec * 1000000000ULL + now.tv_nsec) : 0;
	if (err)
		pr_warn("profile: the waits going on at the end are not counted: %s\n",
			strerror(-err));
	if (s->dwarf)
		unwind_profile__finish(s->dwarf);	/* what was sampled before the detach */
}

void profile_sampler__free(struct profile_sampler *s)
{
	if (!s)
		return;
	if (s->perf_links)
		profile_sampler__detach(s);
	ring_buffer__free(s->rb);
	unwind_profile__free(s->dwarf);
	put_kunwind(s);
	profile_python__free(s->python);
	profile_bpf__destroy(s->skel);
	free(s->perf_links);
	free(s);
}

int profile_sampler__add_target(struct profile_sampler *s, int tgid)
{
	__u32 key = tgid;
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.target_tgids), &key, &one, BPF_ANY))
		return -errno;
	return 0;
}

int profile_sampler__counts_fd(const struct profile_sampler *s)
{
	if (s->wall)
		return bpf_map__fd(s->skel->maps.wall_counts);
	if (s->off_cpu)
		return bpf_map__fd(s->wakers ? s->skel->maps.offcpu_waker_counts :
				   s->skel->maps.offcpu_counts);
	return s->dwarf ? unwind_profile__counts_fd(s->dwarf) : bpf_map__fd(s->skel->maps.counts);
}

int profile_sampler__stacks_fd(const struct profile_sampler *s)
{
	return s->dwarf ? unwind_profile__stacks_fd(s->dwarf) : bpf_map__fd(s->skel->maps.stacks);
}

int profile_sampler__overflow_fd(const struct profile_sampler *s)
{
	return bpf_map__fd(s->skel->maps.overflow);
}

int profile_sampler__counters(const struct profile_sampler *s, uint64_t *out)
{
	int fd;
	__u64 *vals;

	fd = bpf_map__fd(s->skel->maps.counters);
	vals = calloc(s->ncpus_possible, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < PC__COUNT; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (int cpu = 0; cpu < s->ncpus_possible; cpu++)
			out[k] += vals[cpu];
	}
	free(vals);
	if (s->dwarf)
		unwind_profile__add_counters(s->dwarf, out);
	return 0;
}

const char *profile_sampler__event(const struct profile_sampler *s)
{
	if (s->wall)
		return "cpu-clock and sched_switch";
	return s->off_cpu ? "sched_switch" : s->hardware ? "cycles" : "cpu-clock";
}

bool profile_sampler__wakers(const struct profile_sampler *s)
{
	return s->wakers;
}

bool profile_sampler__wall(const struct profile_sampler *s)
{
	return s->wall;
}

bool profile_sampler__off_cpu(const struct profile_sampler *s)
{
	return s->off_cpu;
}

uint64_t profile_sampler__short_waits(const struct profile_sampler *s)
{
	uint64_t c[PC__COUNT];

	return s->off_cpu && !profile_sampler__counters(s, c) ? c[PC_OFF_SHORT] : 0;
}

struct unwind_kernel *profile_sampler__kernel_unwinder(const struct profile_sampler *s)
{
	return s->kunwind;
}

struct unwind_profile *profile_sampler__dwarf(const struct profile_sampler *s)
{
	return s->dwarf;
}

uint64_t profile_sampler__period_ns(const struct profile_sampler *s)
{
	return s->period_ns;
}

int profile_sampler__ncpus_attached(const struct profile_sampler *s)
{
	return s->nattached;
}

struct profile_python *profile_sampler__python(const struct profile_sampler *s)
{
	return s->python;
}
