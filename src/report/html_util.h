/*
 * html_util.h - what the HTML writers (the run report, html.c, and the
 * published baseline, cli/publish.c) share: escaping every string that came
 * from input, the page skeleton with its Content-Security-Policy, and small
 * inline SVG charts.  Nothing here loads anything from the network: the
 * page's policy forbids it (default-src 'none') and the one inline script is
 * allowed by its hash only, so even a string that escaped escaping could not
 * run or fetch anything.
 *
 * Every function appends to a struct bl_buf; errors are sticky in the
 * buffer (b->failed) and reported by the caller when it flushes.
 */
#ifndef BL_REPORT_HTML_UTIL_H
#define BL_REPORT_HTML_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "util/str.h"

/* Text or attribute value: & < > " ' escaped; other C0 controls and DEL
 * become U+FFFD so nothing invisible reaches the page.  s NULL: nothing. */
void bl_html_esc(struct bl_buf *b, const char *s);
void bl_html_escn(struct bl_buf *b, const char *s, size_t n);

/* <!doctype html> ... <body>: charset, viewport, CSP, the shared style
 * sheet plus extra_css (may be NULL), and the escaped title. */
void bl_html_begin(struct bl_buf *b, const char *title, const char *extra_css);
/* The sorting/filtering script (allowed by hash) and </body></html>. */
void bl_html_end(struct bl_buf *b);

/* A donut chart of pct (0..100; negative = n/a) with a caption. */
void bl_html_donut(struct bl_buf *b, double pct, const char *caption);
/* A horizontal bar of pct (negative = n/a, drawn empty). */
void bl_html_bar(struct bl_buf *b, double pct);
/* "12.5%" or "n/a". */
void bl_html_pct(struct bl_buf *b, double pct);
/* A link only for http(s) URLs (never javascript: or data:); other
 * references are written as escaped text. */
void bl_html_ref(struct bl_buf *b, const char *url);

/* Write b to out and empty it.  Returns 0, BL_ENOMEM (b failed) or BL_EIO. */
int bl_html_flush(struct bl_buf *b, FILE *out);

#endif
