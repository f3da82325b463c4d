/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_SLOW_CFG_H
#define FAULTLINE_WATCH_SLOW_CFG_H

#include "watch/watch_pipeline.h"
#include "watch_slow.h"

/*
 * Fills @cfg[0..@max) from the options: the default threshold, the syscalls
 * that wait by design excluded (unless --slow-all), per-syscall overrides,
 * fd flags, path arguments. Returns the smallest non-zero threshold (UINT64_MAX if none).
 */
uint64_t watch_slow_build_cfg(const struct watch_opts *o, struct watch_slow_cfg *cfg, int max);

#endif
