// SPDX-License-Identifier: GPL-2.0
/* --max-cpu-percent: the agent's own CPU use, and the profile rate that fits under it. */
#include <sys/resource.h>

#include "agent/agent_cpu.h"

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double agent_cpu_check(struct agent_cpu *c, int64_t now_ns)
{
	double cpu = cpu_seconds(), pct;

	if (cpu < 0)
		return -1;
	if (!c->start_ns || now_ns - c->start_ns < AGENT_CPU_WINDOW_NS) {
		if (!c->start_ns) {
			c->start_ns = now_ns;
			c->start_cpu_s = cpu;
		}
		return -1;
	}
	pct = (cpu - c->start_cpu_s) * 100.0 / ((now_ns - c->start_ns) / 1e9);
	c->start_ns = now_ns;
	c->start_cpu_s = cpu;
	return pct;
}

void agent_cpu_reset(struct agent_cpu *c)
{
	c->start_ns = 0;
}

unsigned int agent_rate_for_cpu(unsigned int hz, double pct, double max)
{
	double want;

	if (max <= 0 || pct <= max || hz <= 1)
		return hz;
	/* Not all of the agent's CPU grows with the rate: aim below the limit. */
	want = hz * (max / pct) * 0.8;
	if (want < 1)
		return 1;
	return want < hz ? (unsigned int)want : hz - 1;
}
