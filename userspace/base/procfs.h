/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROCFS_H
#define FAULTLINE_PROCFS_H

/*
 * The process (tgid) task @pid belongs to, itself for a process id, read from
 * /proc/PID/status (which exists for thread ids too); -ENOENT when gone.
 */
int proc_tgid(int pid);

/*
 * Processes with a thread running or runnable right now (state R), other than
 * @self: at most @max into @pids; how many. What a profile starting now will
 * sample first.
 */
int proc_running(int self, int *pids, int max);

#endif
