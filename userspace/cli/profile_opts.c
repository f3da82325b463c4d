// SPDX-License-Identifier: GPL-2.0
/* profile's options checked against the running system, then handed to the sampler. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "base/cgroup.h"
#include "base/log.h"
#include "base/procfs.h"
#include "cli/cli.h"
#include "cli/profile_opts.h"

/* -p takes a thread id too, as perf does: it stands for its whole process. */
static int check_targets(const char *cmd, struct profile_opts *o)
{
	for (int i = 0; i < o->npids; i++) {
		int tgid = proc_tgid(o->pids[i]);

		if (tgid < 0) {
			log_error("%s: -p %d: no such process", cmd, o->pids[i]);
			return 1;
		}
		if (tgid != o->pids[i])
			pr_info("%s: -p %d is a thread of process %d: profiling %d\n", cmd,
				o->pids[i], tgid, tgid);
		o->pids[i] = tgid;
	}
	if (o->tid && kill(o->tid, 0) && errno == ESRCH) {
		log_error("%s: --tid %d: no such thread", cmd, o->tid);
		return 1;
	}
	return 0;
}

static int resolve_cpus(const char *cmd, struct profile_opts *o, struct profile_sampler_opts *so)
{
	if (profile_parse_cpulist(o->cpulist, o->cpus, PROFILE_MAX_CPUS))
		return cli_usage_error(cmd, "-C '%s' is not a CPU list like 0-3,6", o->cpulist);
	for (int cpu = libbpf_num_possible_cpus(); cpu > 0 && cpu < PROFILE_MAX_CPUS; cpu++)
		if (o->cpus[cpu])
			return cli_usage_error(cmd, "-C: there is no CPU %d", cpu);
	so->cpus = o->cpus;
	so->ncpus = PROFILE_MAX_CPUS;
	return 0;
}

static void fill_sampler(const char *cmd, const struct profile_opts *o,
			 struct profile_sampler_opts *so)
{
	char why[256];

	so->tgids = o->pids;
	so->ntgids = o->npids;
	so->tid = o->tid;
	so->user = !o->kernel_only;
	so->kernel = !o->user_only;
	so->include_idle = o->include_idle;
	so->freq_hz = o->freq_hz;
	so->period_ns = o->period_ns;
	so->stack_map_size = o->stack_map_size;
	so->counts_map_size = o->counts_map_size;
	so->off_cpu = o->off_cpu;
	so->off_cpu_states = o->off_cpu_states;
	so->off_cpu_wakers = o->wakers;
	so->wall = o->wall;
	/* cpu-clock by period: each sample then stands for a known number of ns */
	if (o->wall && so->freq_hz) {
		so->period_ns = 1000000000ULL / so->freq_hz;
		so->freq_hz = 0;
	}
	so->min_block_ns = (uint64_t)o->min_block_us * 1000;
	so->unwind_kernel = unwind_mode_try_kernel(o->unwind);
	so->unwind_kernel_required = unwind_mode_kernel_required(o->unwind);
	/* stack copies come with perf event samples: off-CPU has the other walkers */
	so->unwind_dwarf = !o->off_cpu && !o->wall && unwind_mode_use_dwarf(o->unwind, o->pids, o->npids,
								 o->tid, why, sizeof(why));
	if (o->off_cpu || o->wall)
		snprintf(why, sizeof(why), "frame pointers");
	so->stack_bytes = o->stack_bytes;
	if (!so->unwind_kernel)
		pr_info("%s: user stacks: %s\n", cmd, why);
}

int profile_opts_resolve(const char *cmd, struct profile_opts *o,
			 struct profile_sampler_opts *so)
{
	int err;

	memset(so, 0, sizeof(*so));
	if (o->cgroup) {
		err = cgroup_id_of_path(o->cgroup, &so->cgroup_id);
		if (err)
			return cli_usage_error(cmd, "--cgroup %s: not a cgroup v2 directory: %s",
					       o->cgroup, strerror(-err));
		so->filter_cgroup = true;
	}
	if (o->cpulist) {
		err = resolve_cpus(cmd, o, so);
		if (err)
			return err;
	}
	err = check_targets(cmd, o);
	if (!err)
		fill_sampler(cmd, o, so);
	return err;
}
