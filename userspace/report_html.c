// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "report.h"

int report_html(const cJSON *doc, const struct report_model *m, FILE *out)
{
	(void)doc;
	(void)m;
	(void)out;
	return -ENOTSUP;
}
