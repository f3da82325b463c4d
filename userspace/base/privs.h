/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PRIVS_H
#define FAULTLINE_PRIVS_H

#include <stddef.h>
#include <stdint.h>

#define CAP_BIT(c) (1ULL << (c))

/*
 * Names the capabilities missing from @effective for loading and attaching
 * tracing BPF programs into @buf ("CAP_BPF, CAP_PERFMON"); returns how many are
 * missing. CAP_SYS_ADMIN alone is enough; so are CAP_BPF and CAP_PERFMON.
 */
int privs_missing(uint64_t effective, char *buf, size_t len);

/* Reads this process's effective capabilities; -errno on failure. */
int privs_effective(uint64_t *effective);

/* One error line naming what is missing and -EPERM, or 0 when @cmd may run. */
int privs_require_bpf(const char *cmd);



/* One error line naming /sys/kernel/btf/vmlinux and -ENOENT when it is absent. */
int privs_require_btf(const char *cmd);

#endif
