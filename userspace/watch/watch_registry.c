// SPDX-License-Identifier: GPL-2.0
/*
 * The watch sources, one line each, in `--events` order. A source is a struct
 * watch_source_ops defined next to its BPF object's loader (watch_NAME.c).
 */
#include "watch/watch_pipeline.h"

extern const struct watch_source_ops watch_oom_ops;
extern const struct watch_source_ops watch_fd_ops;
extern const struct watch_source_ops watch_conn_ops;
extern const struct watch_source_ops watch_slow_ops;
extern const struct watch_source_ops watch_signal_ops;
extern const struct watch_source_ops watch_heap_ops;
extern const struct watch_source_ops watch_rss_ops;

const struct watch_source_ops *const watch_sources[] = {
	&watch_oom_ops,
	&watch_fd_ops,
	&watch_conn_ops,
	&watch_slow_ops,
	&watch_signal_ops,
	&watch_heap_ops,
	&watch_rss_ops,
	NULL,
};
