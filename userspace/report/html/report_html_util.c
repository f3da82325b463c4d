// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by report_html.c and the parts it assembles (overview, incidents). */
#include <stdio.h>

#include "report/report_flame.h"
#include "report/html/report_html_util.h"

void html_text(FILE *out, const char *s)
{
	report_escape(out, s);
}

const char *html_str(const cJSON *o, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));

	return s ? s : "";
}

double html_num(const cJSON *o, const char *name)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, name));
}
