/*
 * osregex.h - translate Wazuh/OSSEC OS_Regex patterns (the regex dialect of
 * Wazuh 4.x SCA policies without `regex_type: pcre2`) into PCRE2 patterns
 * with the same meaning, so the condition language's `regex` operator can
 * run them (docs/wazuh-sca.md, "Regex dialects").
 *
 * OS_Regex: \w [A-Za-z0-9-@_], \d, \s (a space only), \t, \p (punctuation
 * ()*+,-.:;<=>?[]!"'#$%&|{}), \W \D \S their complements, \. any character;
 * `+` and `*` are modifiers only right after one of those classes (elsewhere
 * they are literal); `^` anchors only at the start of an alternative and `$`
 * only at its end; `|` separates alternatives; `(` `)` group (capture);
 * \$ \( \) \\ \| and any other escaped character are literal; every other
 * character is literal; matching ignores case.
 */
#ifndef BL_IMPORT_OSREGEX_H
#define BL_IMPORT_OSREGEX_H

#include <stddef.h>

#include "util/str.h"

/*
 * Append to out the PCRE2 pattern for the OS_Regex pattern (pat, len),
 * starting with "(?i)".  Returns 0; BL_EINVAL when the pattern cannot be an
 * OS_Regex (a trailing lone backslash, unbalanced parentheses) with a message
 * naming the byte offset in msg; or the buffer's error (BL_ENOMEM,
 * BL_ELIMIT).  out is appended to even on failure (callers discard it).
 */
int bl_osregex_to_pcre2(struct bl_buf *out, const char *pat, size_t len, char *msg,
			size_t msgsize);

/*
 * Append a PCRE2 pattern that matches exactly the literal text (s, len):
 * every character that PCRE2 treats specially is escaped.  Returns 0 or the
 * buffer's error.
 */
int bl_pcre2_quote(struct bl_buf *out, const char *s, size_t len);

#endif
