// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text_safe.h"

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the valid UTF-8 sequence at @p (1..4), 0 if it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned int cp;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* How many bytes at @p are kept as they are (0: escape the first byte). */
static size_t keep_len(const unsigned char *p, enum text_safe_mode mode)
{
	size_t n;

	if (p[0] == '\\')
		return p[1] == 'x' && is_hex(p[2]) && is_hex(p[3]) ? 0 : 1;
	n = utf8_len(p);
	if (mode == TEXT_SAFE_UTF8 || n == 0)
		return n;
	if (n == 1)
		return p[0] >= 0x20 && p[0] != 0x7f;
	/* C1 controls (U+0080..U+009F) act on terminals like C0 ones. */
	return p[0] == 0xc2 && p[1] < 0xa0 ? 0 : n;
}

bool text_is_safe(const char *in, enum text_safe_mode mode)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n;

	while (*p) {
		n = keep_len(p, mode);
		if (!n)
			return false;
		p += n;
	}
	return true;
}

size_t text_safe(const char *in, char *out, size_t outlen, enum text_safe_mode mode)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t used = 0, n;

	if (!outlen)
		return 0;
	while (*p) {
		n = keep_len(p, mode);
		if (n) {
			if (used + n >= outlen)
				break;
			memcpy(out + used, p, n);
			used += n;
			p += n;
			continue;
		}
		if (used + 4 >= outlen)
			break;
		snprintf(out + used, 5, "\\x%02x", *p++);
		used += 4;
	}
	out[used] = '\0';
	return used;
}

char *text_safe_dup(const char *in, enum text_safe_mode mode)
{
	size_t len = strlen(in) * 4 + 1;	/* every byte escaped, at worst */
	char *out = malloc(len);

	if (out)
		text_safe(in, out, len, mode);
	return out;
}

/* One JSON string's content from @p (after its opening quote) into @o. */
static void json_string_utf8(const unsigned char **pp, char **oo)
{
	const unsigned char *p = *pp;
	char *o = *oo;
	size_t n;

	while (*p && *p != '"') {
		if (p[0] == '\\' && p[1] == '\\' && p[2] == 'x' && is_hex(p[3]) && is_hex(p[4])) {
			o += sprintf(o, "\\\\x5c");	/* a decoded \xNN lookalike */
			p += 2;
		} else if (p[0] == '\\') {
			*o++ = *p++;
			if (*p)
				*o++ = *p++;
		} else if ((n = utf8_len(p))) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			o += sprintf(o, "\\\\x%02x", *p++);
		}
	}
	*pp = p;
	*oo = o;
}

char *text_safe_json(const char *json)
{
	const unsigned char *p = (const unsigned char *)json;
	char *out = malloc(strlen(json) * 5 + 1), *o = out;

	if (!out)
		return NULL;
	while (*p) {
		*o++ = *p;
		if (*p++ != '"')
			continue;
		json_string_utf8(&p, &o);
		if (*p)
			*o++ = *p++;	/* the closing quote */
	}
	*o = '\0';
	return out;
}
