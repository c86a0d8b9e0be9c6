/*
 * json.h - strict RFC 8259 JSON reader and writer over the value tree.
 *
 * The reader is one pass with no per-node malloc: children are gathered on a
 * scratch stack and copied once, contiguously, into the arena when their
 * container closes.  It rejects trailing commas, bad escapes, invalid UTF-8
 * (overlongs, surrogates encoded in UTF-8, > U+10FFFF), lone surrogate
 * escapes, numbers outside the grammar or outside the range of a double,
 * duplicate keys (exact, case-sensitive duplicates) and nesting deeper than
 * opts->max_depth (an error, never a stack overflow: the reader does not
 * recurse).  NUL bytes are only accepted as the escape \u0000.
 *
 * Strings and number texts that need no unescaping point into buf: buf must
 * outlive the returned tree.
 */
#ifndef BL_DOC_JSON_H
#define BL_DOC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/str.h"

/*
 * A keep set: which object members a parse materializes (selective parse).
 * A trie of object keys, matched ASCII case-insensitively (as field paths
 * match keys); arrays are transparent (the children of a node apply to the
 * objects inside an array at that node, at any depth of arrays).  A node
 * marked "all" keeps everything below it.  Members that match no child of
 * their object's node are validated exactly as a full parse would (syntax,
 * UTF-8, escapes, numbers, duplicate keys, depth) but not built: the
 * parsed object simply lacks them.  The root is node 0; a keep set whose
 * root is "all" is a full parse.  Built once, then read-only: one keep set
 * may serve any number of concurrent parses.
 */
struct bl_json_keep;

/* A new keep set holding only the root (which keeps nothing yet).
 * Returns 0 or BL_ENOMEM. */
int bl_json_keep_new(struct bl_json_keep **out);
void bl_json_keep_free(struct bl_json_keep *k);

/* The child of node for key[0..len) (compared ASCII case-insensitively),
 * added if absent; *out is its node number.  Returns 0 or BL_ENOMEM. */
int bl_json_keep_child(struct bl_json_keep *k, uint32_t node, const char *key, size_t len,
		       uint32_t *out);

/* Keep everything below node (its children become irrelevant). */
void bl_json_keep_all(struct bl_json_keep *k, uint32_t node);

/* Does node keep everything below it? */
bool bl_json_keep_is_all(const struct bl_json_keep *k, uint32_t node);

/*
 * Bytes a caller that sets bl_json_opts.padded lets the reader read at
 * buf + len (stream chunks have them: stream.h).
 */
#define BL_JSON_PAD 64

struct bl_json_opts {
	uint32_t max_depth;   /* 0 = 512 */
	uint32_t line0, col0; /* position of buf[0] in its file; 0 = 1 */
	const struct bl_json_keep *keep;  /* NULL = materialize everything */
	/* buf[len .. len + BL_JSON_PAD) is readable (not part of the value).
	 * When buf[len] is then a control character (below 0x20: the newline
	 * after a JSON lines record, a NUL), which ends every token, the reader
	 * drops most of its end-of-input tests; any other byte there, or false,
	 * keeps every test.  The result and any error are the same either way. */
	bool padded;
};

/*
 * Parse exactly one JSON value from buf[0..len), surrounded by optional
 * whitespace.  On success *out points into arena a.  On failure returns
 * BL_EINVAL (syntax; err has file:line:col and a message naming what was
 * expected), BL_ELIMIT (nesting) or BL_ENOMEM.  file may be NULL.
 * With opts->keep the tree holds only the kept members; whether the parse
 * fails, and its error, are exactly those of the full parse.
 */
int bl_json_parse(const struct bl_value **out, struct bl_arena *a,
		  const char *buf, size_t len, const char *file,
		  const struct bl_json_opts *opts, struct bl_error *err);

/*
 * Append v as JSON.  indent 0 writes compact JSON; indent n > 0 pretty-prints
 * with n spaces.  Keys keep source order.  Strings are escaped (", \\, control
 * characters as \uXXXX or short escapes); invalid UTF-8 bytes (possible in
 * values read from hosts) become U+FFFD so the output is always valid JSON.
 * Numbers print their original text.  Returns 0 or the buffer's error.
 */
int bl_json_write(struct bl_buf *out, const struct bl_value *v, int indent);

/* Append s[0..len) as a quoted, escaped JSON string. */
int bl_json_write_str(struct bl_buf *out, const char *s, size_t len);

/*
 * The same bytes written in place, for writers on a hot path (the JSON
 * report, operand texts): s[0..len) quoted and escaped at o, exactly as
 * bl_json_write_str writes a string without non-ASCII bytes; NULL at the
 * first non-ASCII byte (the caller then uses bl_json_write_str, which
 * checks UTF-8 and U+2028/9).  Needs bl_json_ascii_room(len) bytes at o
 * (every byte escaped as \u00XX, the quotes, and BL_JSON_ASCII_SLACK bytes
 * that whole 16-byte blocks may store past the end); the bytes past the
 * returned end are garbage.
 */
#define BL_JSON_ASCII_SLACK 16
char *bl_json_put_ascii(char *o, const char *s, size_t len);
/* Room bl_json_put_ascii needs; (size_t)-1 when that does not fit a size_t. */
size_t bl_json_ascii_room(size_t len);
/* Length of the prefix of s[0..n) that JSON writes as it is (printable
 * ASCII other than the quote and the backslash). */
size_t bl_json_plain_prefix(const char *s, size_t n);

/*
 * s[0..len) (valid UTF-8) as a double-quoted string that JSON and YAML read
 * as the same text: JSON's escapes, plus \u escapes for what YAML forbids
 * raw or reads as a line break (DEL, the C1 controls U+0080-U+009F, U+2028,
 * U+2029, U+FEFF, U+FFFE, U+FFFF).  For the importers' YAML output.
 * Returns 0 or the buffer's error.
 */
int bl_yaml_write_str(struct bl_buf *out, const char *s, size_t len);

#endif
