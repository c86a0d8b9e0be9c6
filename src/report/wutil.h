/*
 * wutil.h - helpers shared by the SARIF, JUnit, CSV and OSCAL writers:
 * escaping for XML and CSV, strings shaped for OSCAL's datatypes, random
 * UUIDs, evidence as one line of text, and a "chain spool" that groups
 * records by key in a temporary file so a writer can emit them grouped
 * (per control) while memory stays O(keys), not O(results).
 */
#ifndef BL_REPORT_WUTIL_H
#define BL_REPORT_WUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/result.h"
#include "util/str.h"

/*
 * Append s[0..len) as XML 1.0 character data, also safe inside a quoted
 * attribute: & < > " ' become entities; TAB, LF and CR become character
 * references (attribute normalisation would otherwise turn them into
 * spaces); other C0 controls, U+FFFE/U+FFFF, UTF-16 surrogates and invalid
 * UTF-8 become U+FFFD, since XML 1.0 cannot carry them at all.  Infallible
 * apart from the buffer's sticky error.
 */
void bl_xml_put(struct bl_buf *b, const char *s, size_t len);
/* bl_xml_put of a NUL-terminated string; NULL appends nothing. */
void bl_xml_puts(struct bl_buf *b, const char *s);

/*
 * Append one RFC 4180 cell and its separator ("," or CRLF when last).
 * Quoted when it holds , " CR or LF (quotes doubled).  A cell starting with
 * = + - @ TAB or CR is prefixed with ' so spreadsheets never evaluate it.
 * Invalid UTF-8 becomes U+FFFD so the file always decodes as UTF-8.
 */
void bl_csv_cell(struct bl_buf *b, const char *s, size_t len, bool last);
/* bl_csv_cell of a NUL-terminated string; NULL is an empty cell. */
void bl_csv_str(struct bl_buf *b, const char *s, bool last);

/* A random (version 4) UUID, lower-case, from getrandom; falls back to
 * time, pid and a counter-free mix only when no entropy source answers. */
void bl_report_uuid4(char out[37]);

/*
 * Append s as a JSON string that satisfies OSCAL's StringDatatype and
 * MarkupLineDatatype: runs of whitespace (including LF, CR, U+2028/9) become
 * one space, leading and trailing ones are dropped, and an empty result
 * becomes fallback.  Control characters are dropped.
 */
void bl_oscal_str(struct bl_buf *b, const char *s, const char *fallback);

/*
 * Append s (no quotes) as an OSCAL TokenDatatype (an XML NCName): ASCII
 * letters are lower-cased, "(" becomes ".", ")" is dropped (so NIST's
 * "SC-8(1)" reads "sc-8.1" as in the OSCAL catalogs), any other character
 * outside [a-z0-9._-] becomes "-", and a token that would not start with a
 * letter is prefixed with prefix (e.g. "cis-v8-" + "3.10").
 */
void bl_oscal_token(struct bl_buf *b, const char *s, const char *prefix);

/* Namespace of the props Baseline adds to OSCAL documents. */
#define BL_OSCAL_NS "urn:baseline:oscal"
#define BL_OSCAL_VERSION "1.2.1"

/* Append {"name": name, "ns": BL_OSCAL_NS, "value": value} (value through
 * bl_oscal_str, "-" when empty), preceded by a comma unless first. */
void bl_oscal_prop(struct bl_buf *b, bool first, const char *name, const char *value);

/* Append r's evidence as text, items separated by sep:
 * "PATH: ACTUAL (expected EXPECTED)", ACTUAL as compact JSON or "missing". */
void bl_report_evidence_text(struct bl_buf *b, const struct bl_result *r, const char *sep);

/* ---- chain spool --------------------------------------------------------- */

struct bl_chain {
	FILE *f;                 /* unlinked temporary file (tmpfile), used through fd */
	int fd;
	uint64_t size;           /* bytes appended (file + write buffer) */
	uint64_t *head, *tail;   /* per key: offset + 1 of first/last record, 0 = none */
	size_t nkeys;
	char *wbuf;              /* appends not yet written; wbuf[0] is at file offset wstart */
	size_t wlen;
	uint64_t wstart;
	char *rbuf;              /* read window: rbuf[0] is at file offset rstart */
	size_t rlen, rcap;
	uint64_t rstart;
};

/* Returns 0, BL_EIO (no temporary file) or BL_ENOMEM.  Close either way. */
int bl_chain_open(struct bl_chain *c, size_t nkeys);
/* Append a record of key (< nkeys).  Returns 0, BL_EINVAL (bad key) or BL_EIO. */
int bl_chain_add(struct bl_chain *c, size_t key, const void *p, size_t len);
/*
 * Call cb with every record of key, in the order added (data valid only
 * during the call).  Stops at the first non-zero return of cb and returns it;
 * else 0, BL_EIO or BL_ENOMEM.
 */
int bl_chain_each(struct bl_chain *c, size_t key,
		  int (*cb)(void *ctx, const char *data, size_t len), void *ctx);
void bl_chain_close(struct bl_chain *c);

/* Copy the whole of spool (from its start) to out.  Returns 0 or BL_EIO. */
int bl_spool_copy(FILE *spool, FILE *out);

#endif
