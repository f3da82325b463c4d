// SPDX-License-Identifier: GPL-2.0
/* One escaping policy for names other users choose. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "base/text_safe.h"

static const char *esc(const char *in, enum text_safe_mode mode)
{
	static char out[256];

	text_safe(in, out, sizeof(out), mode);
	return out;
}

/* The documented reversal: every \xNN back to byte NN. */
static char *unescape(const char *in)
{
	char *out = malloc(strlen(in) + 1), *o = out;

	while (*in) {
		if (in[0] == '\\' && in[1] == 'x' && isxdigit((unsigned char)in[2]) &&
		    isxdigit((unsigned char)in[3])) {
			char hex[3] = { in[2], in[3], 0 };

			*o++ = (char)strtoul(hex, NULL, 16);
			in += 4;
		} else {
			*o++ = *in++;
		}
	}
	*o = '\0';
	return out;
}

static void test_terminal_escapes_controls(void **state)
{
	(void)state;
	assert_string_equal(esc("nginx", TEXT_SAFE_TERMINAL), "nginx");
	assert_string_equal(esc("a\x1b[2Jb", TEXT_SAFE_TERMINAL), "a\\x1b[2Jb");
	assert_string_equal(esc("x\nforged line", TEXT_SAFE_TERMINAL), "x\\x0aforged line");
	assert_string_equal(esc("del\x7f", TEXT_SAFE_TERMINAL), "del\\x7f");
	assert_string_equal(esc("c1\xc2\x9b", TEXT_SAFE_TERMINAL), "c1\\xc2\\x9b");
	assert_string_equal(esc("caf\xc3\xa9", TEXT_SAFE_TERMINAL), "caf\xc3\xa9");
	assert_string_equal(esc("C:\\dir", TEXT_SAFE_TERMINAL), "C:\\dir");
	assert_true(text_is_safe("caf\xc3\xa9 /usr/bin/x", TEXT_SAFE_TERMINAL));
	assert_false(text_is_safe("a\tb", TEXT_SAFE_TERMINAL));
}

static void test_utf8_keeps_controls_escapes_invalid(void **state)
{
	(void)state;
	assert_string_equal(esc("a\tb", TEXT_SAFE_UTF8), "a\tb");
	assert_string_equal(esc("bad\xff\xfe", TEXT_SAFE_UTF8), "bad\\xff\\xfe");
	assert_string_equal(esc("\xc3", TEXT_SAFE_UTF8), "\\xc3");	/* cut sequence */
	assert_string_equal(esc("\xc0\xaf", TEXT_SAFE_UTF8), "\\xc0\\xaf");	/* overlong */
	assert_string_equal(esc("\xed\xa0\x80", TEXT_SAFE_UTF8), "\\xed\\xa0\\x80");
	assert_string_equal(esc("\xf0\x9f\x94\xa5", TEXT_SAFE_UTF8), "\xf0\x9f\x94\xa5");
	assert_true(text_is_safe("\xe2\x82\xac", TEXT_SAFE_UTF8));
}

static void test_reversible(void **state)
{
	const char *in[] = { "lit\\x41eral", "\xff\\x\\xzz\n\x1b", "plain", "\\\\x00" };

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		for (int m = 0; m < 2; m++) {
			char *back = unescape(esc(in[i], m));

			assert_string_equal(back, in[i]);
			free(back);
		}
	}
	assert_string_equal(esc("lit\\x41", TEXT_SAFE_UTF8), "lit\\x5cx41");
}

static void test_never_cuts_an_escape_or_character(void **state)
{
	char out[6];

	(void)state;
	assert_int_equal(text_safe("ab\x1b", out, sizeof(out), TEXT_SAFE_TERMINAL), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(text_safe("abc\xe2\x82\xac", out, sizeof(out), TEXT_SAFE_UTF8), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(text_safe("x", out, 0, TEXT_SAFE_UTF8), 0);
}

static void test_dup(void **state)
{
	char *s = text_safe_dup("\xff\xff\xff", TEXT_SAFE_UTF8);

	(void)state;
	assert_string_equal(s, "\\xff\\xff\\xff");
	free(s);
}

static void test_json_text(void **state)
{
	cJSON *j;
	char *out = text_safe_json("{\"a\":\"x\xffy\",\"b\":\"lit\\\\x41\",\"c\":\"\\u001b\","
				   "\"\xfe\":[\"\\\"\xc3\xa9\"]}");

	(void)state;
	assert_non_null(out);
	assert_string_equal(out, "{\"a\":\"x\\\\xffy\",\"b\":\"lit\\\\x5cx41\",\"c\":\"\\u001b\","
			    "\"\\\\xfe\":[\"\\\"\xc3\xa9\"]}");
	/* Each string decodes to its escaped form. */
	j = cJSON_Parse(out);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "a")), "x\\xffy");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "b")), "lit\\x5cx41");
	cJSON_Delete(j);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terminal_escapes_controls),
		cmocka_unit_test(test_utf8_keeps_controls_escapes_invalid),
		cmocka_unit_test(test_reversible),
		cmocka_unit_test(test_never_cuts_an_escape_or_character),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_json_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
