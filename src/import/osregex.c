/*
 * osregex.c - OS_Regex (Wazuh 4.x SCA) to PCRE2, character by character.
 * The classes become explicit PCRE2 sets rather than PCRE2's own \w \s \d,
 * whose meanings differ (PCRE2's \s takes tabs, its \w no '-' or '@').
 */
#include "import/osregex.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

/* PCRE2 for the class named by the letter after a backslash; NULL when the
 * letter names no class (then the escaped character is literal). */
static const char *class_of(char c)
{
	switch (c) {
	case 'w': return "[A-Za-z0-9\\-@_]";
	case 'W': return "[^A-Za-z0-9\\-@_]";
	case 'd': return "[0-9]";
	case 'D': return "[^0-9]";
	case 's': return "[ ]";
	case 'S': return "[^ ]";
	case 't': return "\\t";
	case 'p': return "[()*+,\\-.:;<=>?\\[\\]!\"'#$%&|{}]";
	case '.': return "[\\s\\S]";
	default: return NULL;
	}
}

int bl_pcre2_quote(struct bl_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (strchr("\\^$.|?*+()[]{}/#-", c) && c)
			bl_buf_addc(out, '\\');
		if (c == ' ')
			bl_buf_adds(out, "\\x20");   /* survives (?x) if someone adds it */
		else
			bl_buf_addc(out, (char)c);
	}
	return out->failed ? BL_ENOMEM : 0;
}

int bl_osregex_to_pcre2(struct bl_buf *out, const char *pat, size_t len, char *msg,
			size_t msgsize)
{
	bl_buf_adds(out, "(?i)");
	bool alt_start = true;    /* at the start of an alternative: '^' anchors */
	bool after_class = false; /* '+' / '*' modify the previous class */
	int depth = 0;
	for (size_t i = 0; i < len; i++) {
		char c = pat[i];
		bool was_start = alt_start;
		alt_start = false;
		if (c == '\\') {
			if (i + 1 >= len) {
				snprintf(msg, msgsize, "OS_Regex: lone backslash at the end (offset %zu)", i);
				return BL_EINVAL;
			}
			char n = pat[++i];
			const char *cls = class_of(n);
			if (cls) {
				bl_buf_adds(out, cls);
				after_class = true;
			} else {
				bl_pcre2_quote(out, &n, 1);
				after_class = false;
			}
			continue;
		}
		if ((c == '+' || c == '*') && after_class) {
			bl_buf_addc(out, c);
			after_class = false;
			continue;
		}
		after_class = false;
		if (c == '^' && was_start) {
			bl_buf_addc(out, '^');
			continue;
		}
		if (c == '$' && (i + 1 == len || pat[i + 1] == '|' || pat[i + 1] == ')')) {
			bl_buf_addc(out, '$');
			continue;
		}
		if (c == '|') {
			bl_buf_addc(out, '|');
			alt_start = true;
			continue;
		}
		if (c == '(') {
			bl_buf_addc(out, '(');
			depth++;
			alt_start = true;
			continue;
		}
		if (c == ')') {
			if (depth == 0) {
				snprintf(msg, msgsize, "OS_Regex: ')' without '(' (offset %zu)", i);
				return BL_EINVAL;
			}
			depth--;
			bl_buf_addc(out, ')');
			continue;
		}
		bl_pcre2_quote(out, &c, 1);
	}
	if (depth) {
		snprintf(msg, msgsize, "OS_Regex: '(' without ')'");
		return BL_EINVAL;
	}
	return out->failed ? BL_ENOMEM : 0;
}
