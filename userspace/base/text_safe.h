/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_TEXT_SAFE_H
#define FAULTLINE_TEXT_SAFE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Names faultline prints are chosen by other users (comm via prctl, file and
 * symbol names, cgroup paths). One escaping policy for every output:
 *
 *  TEXT_SAFE_TERMINAL: control bytes (C0, DEL, C1) and bytes that are not
 *    UTF-8 become \xNN, so no name moves the cursor, clears the screen or
 *    starts a forged line. For human output.
 *  TEXT_SAFE_UTF8: only bytes that are not UTF-8 become \xNN, so JSON and
 *    protobuf strings are always valid UTF-8 (JSON escapes control characters
 *    itself).
 *
 * Both are reversible: a backslash that starts a \xNN-like sequence in the
 * original is written \x5c, so replacing every \xNN by byte NN gives back the
 * original bytes. Valid UTF-8 (non-ASCII names) is kept as it is.
 */
enum text_safe_mode { TEXT_SAFE_TERMINAL, TEXT_SAFE_UTF8 };

/*
 * Writes @in escaped into @out (always NUL-terminated when @outlen > 0),
 * never cutting an escape or a character in half. Returns the length written.
 */
size_t text_safe(const char *in, char *out, size_t outlen, enum text_safe_mode mode);
/* Whether text_safe() would leave @in as it is (the common case: no copy). */
bool text_is_safe(const char *in, enum text_safe_mode mode);
/* text_safe() into a new heap string; NULL when out of memory. */
char *text_safe_dup(const char *in, enum text_safe_mode mode);

/*
 * @json, a JSON text as cJSON prints it, with TEXT_SAFE_UTF8 applied to the
 * bytes of every string: the result is valid UTF-8 and each string decodes to
 * text_safe(original, TEXT_SAFE_UTF8). NULL when out of memory.
 */
char *text_safe_json(const char *json);

#endif
