/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROCFS_H
#define FAULTLINE_PROCFS_H

/*
 * The process (tgid) task @pid belongs to, itself for a process id, read from
 * /proc/PID/status (which exists for thread ids too); -ENOENT when gone.
 */
int proc_tgid(int pid);

#endif
