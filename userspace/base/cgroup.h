/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_CGROUP_H
#define FAULTLINE_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/* Mount point of the cgroup v2 hierarchy (e.g. /sys/fs/cgroup/unified). */
int cgroup_v2_root(char *buf, size_t len);

/* Where the memory controller lives: a v1 mount or the v2 root listing it. */
int cgroup_memory_controller(char *buf, size_t len);

/*
 * The id BPF's bpf_get_current_cgroup_id() reports for the cgroup v2 directory
 * @path (absolute, or relative to the v2 root). -errno when it is not one.
 */
int cgroup_id_of_path(const char *path, uint64_t *id);

#endif
