/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_CPU_H
#define FAULTLINE_AGENT_CPU_H

#include <stdint.h>

/*
 * --max-cpu-percent: the agent's own CPU time (all its threads, as the kernel
 * charges it) over windows of AGENT_CPU_WINDOW_NS.
 */
#define AGENT_CPU_WINDOW_NS (5 * 1000000000LL)

struct agent_cpu {
	int64_t start_ns;	/* CLOCK_MONOTONIC at the window's start; 0: none yet */
	double start_cpu_s;
};

/*
 * The agent's CPU use in percent of one CPU over the window that ends at
 * @now_ns, once AGENT_CPU_WINDOW_NS have passed (a new window starts then);
 * -1 before that or when it cannot be read.
 */
double agent_cpu_check(struct agent_cpu *c, int64_t now_ns);
/* Starts a new window, e.g. after the rate changed. */
void agent_cpu_reset(struct agent_cpu *c);

/*
 * The rate to use when @pct went over @max at @hz: scaled down by how far it
 * went over, at least 1; @hz itself when within.
 */
unsigned int agent_rate_for_cpu(unsigned int hz, double pct, double max);

#endif
