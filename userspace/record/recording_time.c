// SPDX-License-Identifier: GPL-2.0
/* Record kinds and the one time format recordings use. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "record/recording.h"

static const char *const kind_names[] = {
	[REC_HEADER] = "header",   [REC_EVENT] = "event",     [REC_STACK] = "stack",
	[REC_PSTACK] = "pstack",   [REC_PROFILE] = "profile", [REC_OFFCPU] = "offcpu",
	[REC_PROCESS] = "process",
	[REC_LOSS] = "loss",	   [REC_TRAILER] = "trailer", [REC_UNKNOWN] = "unknown",
};

const char *rec_kind_name(enum rec_kind k)
{
	if ((unsigned int)k > REC_UNKNOWN)
		k = REC_UNKNOWN;
	return kind_names[k];
}

enum rec_kind rec_kind_parse(const char *name)
{
	if (!name)
		return REC_UNKNOWN;
	for (int k = 0; k < REC_UNKNOWN; k++)
		if (!strcmp(kind_names[k], name))
			return k;
	return REC_UNKNOWN;
}

void rec_time_format(int64_t wall_ns, char *buf, size_t len)
{
	time_t secs = (time_t)(wall_ns / 1000000000LL);
	long usec = (long)((wall_ns % 1000000000LL) / 1000);
	struct tm tm;

	if (wall_ns < 0 || !gmtime_r(&secs, &tm)) {
		snprintf(buf, len, "1970-01-01T00:00:00.000000Z");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
}

#define Y2262_S 9214646400LL	/* 2262-01-01T00:00:00Z */

/* Days since the epoch of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + doe - 719468;
}

static int parse_fraction(const char **p, int64_t *ns)
{
	int64_t scale = 100000000;

	*ns = 0;
	if (**p != '.')
		return 0;
	(*p)++;
	if (**p < '0' || **p > '9')
		return -EINVAL;
	for (; **p >= '0' && **p <= '9'; (*p)++) {
		*ns += (**p - '0') * scale;
		scale /= 10;
	}
	return 0;
}

static int parse_zone(const char *p, int64_t *offset_s)
{
	int hh, mm, n = 0;

	*offset_s = 0;
	if ((p[0] == 'Z' || p[0] == 'z') && !p[1])
		return 0;
	if ((p[0] != '+' && p[0] != '-') || sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 ||
	    p[1 + n])
		return -EINVAL;
	*offset_s = (hh * 3600 + mm * 60) * (p[0] == '-' ? -1 : 1);
	return 0;
}

/* @n decimal digits at @p, or -1: sscanf is a third of a million-event load. */
static int digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

int rec_time_parse(const char *s, int64_t *wall_ns)
{
	int y, mo, d, h, mi, sec;
	int64_t frac, zone, secs;
	const char *p;

	if (!s || strnlen(s, 20) < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return -EINVAL;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 60)
		return -EINVAL;
	p = s + 19;
	if (parse_fraction(&p, &frac) || parse_zone(p, &zone))
		return -EINVAL;
	secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - zone;
	/*
	 * Nanoseconds since the epoch fit an int64_t from 1970 to April 2262; up
	 * to 2261 only, so that adding a duration of days cannot wrap either.
	 */
	if (secs < 0 || secs >= Y2262_S)
		return -ERANGE;
	*wall_ns = secs * 1000000000LL + frac;
	return 0;
}
