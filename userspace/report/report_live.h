/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_REPORT_LIVE_H
#define FAULTLINE_REPORT_LIVE_H

#include "watch/watch_pipeline.h"

/* `faultline watch --incidents`: 0, or 1 after one error line. */
int report_live_run(const struct watch_opts *o);

#endif
