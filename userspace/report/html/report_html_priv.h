/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_REPORT_HTML_PRIV_H
#define FAULTLINE_REPORT_HTML_PRIV_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "report/report_model.h"

/* The parts report_html() assembles; their shared helpers: report_html_util.h. */

/* An SVG strip: each incident's span, its root cause, losses, the truncation. */
void html_overview(const cJSON *doc, const struct report_model *m, FILE *out);
/* One incident card: the answer, the timeline, the flame graphs. */
void html_incident(const cJSON *inc, const struct report_model *m, FILE *out);

#endif
