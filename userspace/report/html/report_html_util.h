/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_REPORT_HTML_UTIL_H
#define FAULTLINE_REPORT_HTML_UTIL_H

#include <stdio.h>
#include <cjson/cJSON.h>

/* The small helpers every part of the HTML report writes with. */

/* Writes @s HTML-escaped (report_escape). */
void html_text(FILE *out, const char *s);
/* @o's string member @name, "" when absent. */
const char *html_str(const cJSON *o, const char *name);
/* @o's number member @name, NaN when absent. */
double html_num(const cJSON *o, const char *name);

#endif
