/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_CONN_LISTEN_H
#define FAULTLINE_WATCH_CONN_LISTEN_H

#include "watch/watch_pipeline.h"

/* conn_dropped events: listeners whose full accept queue dropped connections. */
struct conn_listen;

/* Takes the baseline (drops before the run are not reported). 0 or -errno. */
int watch_conn_listen_new(struct watch_ctx *ctx, const struct watch_opts *o,
			  struct conn_listen **out);
/* Polls the listeners once a second and emits what their counters gained. */
void watch_conn_listen_tick(struct conn_listen *l);
void watch_conn_listen_free(struct conn_listen *l);

#endif
