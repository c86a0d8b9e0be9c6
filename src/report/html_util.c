/*
 * html_util.c - escaping, the page skeleton and inline SVG charts shared by
 * the HTML writers (see html_util.h).
 */
#include "report/html_util.h"

#include <sodium.h>
#include <string.h>

#include "util/error.h"

void bl_html_escn(struct bl_buf *b, const char *s, size_t n)
{
	if (!s)
		return;
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				rep = "\xef\xbf\xbd";
		}
		if (!rep)
			continue;
		bl_buf_add(b, s + start, i - start);
		bl_buf_adds(b, rep);
		start = i + 1;
	}
	bl_buf_add(b, s + start, n - start);
}

void bl_html_esc(struct bl_buf *b, const char *s)
{
	if (s)
		bl_html_escn(b, s, strlen(s));
}

static const char style[] =
	":root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#57606a;--line:#d0d7de;"
	"--bg:#f6f8fa;--exempt:#8250df}"
	"*{box-sizing:border-box}"
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;"
	"margin:0 auto;max-width:1200px;padding:1rem}"
	"h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:1px solid var(--line);"
	"padding-bottom:.3rem;margin-top:2rem}h3{font-size:1.05rem;margin:1rem 0 .3rem}"
	"code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;"
	"overflow-wrap:anywhere}"
	"header.top{border-bottom:3px solid #0969da;padding-bottom:.5rem}"
	"dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}"
	"dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}"
	"nav.toc{display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.9rem;margin:.5rem 0}"
	".cards{display:flex;flex-wrap:wrap;gap:1rem}"
	".card{border:1px solid var(--line);border-radius:6px;padding:.6rem .9rem;background:var(--bg);"
	"min-width:9rem}.card .big{font-size:1.8rem;font-weight:600}.card .lbl{color:var(--muted);"
	"font-size:.85rem}"
	".donuts{display:flex;flex-wrap:wrap;gap:1rem}figure.donut{margin:0;text-align:center;width:150px}"
	"figure.donut figcaption{font-size:.85rem;overflow-wrap:anywhere}"
	".tw{overflow-x:auto}"
	"table{border-collapse:collapse;width:100%;margin:.4rem 0;font-size:.9rem}"
	"th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:left;vertical-align:top}"
	"th{background:var(--bg)}th.num,td.num{text-align:right;white-space:nowrap}"
	"table.sortable th{cursor:pointer}"
	"svg.bar{width:6rem;height:.8rem;vertical-align:middle}"
	".st{display:inline-block;border-radius:1em;padding:0 .5em;font-size:.8rem;font-weight:600;"
	"white-space:nowrap;border:1px solid currentColor}"
	".st-pass{color:var(--ok)}.st-fail,.st-error,.st-expired,.st-critical,.st-high{color:var(--bad)}"
	".st-exempt{color:var(--exempt)}.st-not_covered,.st-not_applicable,.st-info,.st-low{color:var(--muted)}"
	".st-stale,.st-expiring,.st-medium{color:var(--warn)}"
	"tr.expired td{background:#ffebe9}tr.stale td{background:#fff8c5}tr.expiring td{background:#fff8c5}"
	"tr.not_covered td{color:var(--muted);font-style:italic}"
	"details>summary{cursor:pointer}"
	"article.ctl{border-left:4px solid var(--line);padding-left:.8rem;margin:1rem 0}"
	"article.sev-critical,article.sev-high{border-color:var(--bad)}article.sev-medium{border-color:"
	"var(--warn)}"
	".muted{color:var(--muted)}.note{background:var(--bg);border:1px solid var(--line);padding:.5rem}"
	"input.filter{padding:.3rem;width:100%;max-width:24rem;margin:.3rem 0}"
	"@media (max-width:640px){body{padding:.5rem;font-size:14px}figure.donut{width:120px}"
	"dl.meta{grid-template-columns:1fr}dl.meta dt{font-weight:600}}"
	"@media print{body{max-width:none;font-size:11px}nav.toc,input.filter{display:none}"
	"details::details-content{content-visibility:visible;display:block}"
	"h2{break-after:avoid}tr,article.ctl,figure{break-inside:avoid}"
	"a{color:inherit;text-decoration:none}.tw{overflow:visible}}";

/* Click a header of a .sortable table to sort by it; type in an input
 * .filter[data-table=ID] to hide rows of that table not containing the text.
 * Everything is readable without it. */
static const char script[] =
	"(function(){"
	"function key(r,i){var c=r.cells[i];if(!c)return'';var v=c.getAttribute('data-v');"
	"return v!==null?parseFloat(v):c.textContent.trim().toLowerCase();}"
	"document.querySelectorAll('table.sortable').forEach(function(t){"
	"t.querySelectorAll('th').forEach(function(th,i){var asc=true;"
	"th.addEventListener('click',function(){var tb=t.tBodies[0];"
	"var rows=Array.prototype.slice.call(tb.rows);rows.sort(function(a,b){"
	"var x=key(a,i),y=key(b,i);return (x<y?-1:x>y?1:0)*(asc?1:-1);});"
	"asc=!asc;rows.forEach(function(r){tb.appendChild(r);});});});});"
	"document.querySelectorAll('input.filter').forEach(function(inp){"
	"var t=document.getElementById(inp.getAttribute('data-table'));if(!t)return;"
	"inp.addEventListener('input',function(){var q=inp.value.toLowerCase();"
	"Array.prototype.forEach.call(t.tBodies[0].rows,function(r){"
	"r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});});"
	"window.addEventListener('beforeprint',function(){"
	"document.querySelectorAll('details').forEach(function(d){d.open=true;});});"
	"})();";

void bl_html_begin(struct bl_buf *b, const char *title, const char *extra_css)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[64];
	crypto_hash_sha256(h, (const unsigned char *)script, sizeof(script) - 1);
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	bl_buf_adds(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		       "style-src 'unsafe-inline'; img-src data:; script-src 'sha256-");
	bl_buf_adds(b, b64);
	/* an empty data: icon keeps browsers from asking the server for /favicon.ico */
	bl_buf_adds(b, "'\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
		       "<link rel=\"icon\" href=\"data:,\">\n<title>");
	bl_html_esc(b, title);
	bl_buf_adds(b, "</title>\n<style>");
	bl_buf_adds(b, style);
	if (extra_css)
		bl_buf_adds(b, extra_css);
	bl_buf_adds(b, "</style>\n</head>\n<body>\n");
}

void bl_html_end(struct bl_buf *b)
{
	bl_buf_adds(b, "<script>");
	bl_buf_adds(b, script);
	bl_buf_adds(b, "</script>\n</body>\n</html>\n");
}

void bl_html_pct(struct bl_buf *b, double pct)
{
	if (pct < 0)
		bl_buf_adds(b, "n/a");
	else
		bl_buf_printf(b, "%.1f%%", pct);
}

static const char *pct_colour(double pct)
{
	return pct >= 90 ? "#1a7f37" : pct >= 70 ? "#9a6700" : "#cf222e";
}

/* r = 15.9155 makes the circumference 100, so the dash length is the percentage. */
void bl_html_donut(struct bl_buf *b, double pct, const char *caption)
{
	bl_buf_adds(b, "<figure class=\"donut\"><svg viewBox=\"0 0 42 42\" width=\"120\" height=\"120\" "
		       "role=\"img\" aria-label=\"");
	bl_html_esc(b, caption);
	bl_buf_adds(b, " compliance ");
	bl_html_pct(b, pct);
	bl_buf_adds(b, "\"><circle cx=\"21\" cy=\"21\" r=\"15.9155\" fill=\"none\" stroke=\"#e6e8eb\" "
		       "stroke-width=\"5\"/>");
	if (pct > 0)
		bl_buf_printf(b, "<circle cx=\"21\" cy=\"21\" r=\"15.9155\" fill=\"none\" stroke=\"%s\" "
				 "stroke-width=\"5\" stroke-dasharray=\"%.2f %.2f\" "
				 "transform=\"rotate(-90 21 21)\"/>",
			      pct_colour(pct), pct, 100.0 - pct);
	bl_buf_adds(b, "<text x=\"21\" y=\"23.5\" text-anchor=\"middle\" font-size=\"7\" "
		       "font-weight=\"600\" fill=\"#1f2328\">");
	if (pct < 0)
		bl_buf_adds(b, "n/a");
	else
		bl_buf_printf(b, "%.0f%%", pct);
	bl_buf_adds(b, "</text></svg><figcaption>");
	bl_html_esc(b, caption);
	bl_buf_adds(b, "</figcaption></figure>");
}

void bl_html_bar(struct bl_buf *b, double pct)
{
	bl_buf_adds(b, "<svg class=\"bar\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" "
		       "aria-hidden=\"true\"><rect width=\"100\" height=\"10\" fill=\"#e6e8eb\"/>");
	if (pct > 0)
		bl_buf_printf(b, "<rect width=\"%.2f\" height=\"10\" fill=\"%s\"/>", pct, pct_colour(pct));
	bl_buf_adds(b, "</svg>");
}

void bl_html_ref(struct bl_buf *b, const char *url)
{
	if (!url)
		return;
	if (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0) {
		bl_buf_adds(b, "<a href=\"");
		bl_html_esc(b, url);
		bl_buf_adds(b, "\" rel=\"noopener noreferrer\">");
		bl_html_esc(b, url);
		bl_buf_adds(b, "</a>");
	} else {
		bl_html_esc(b, url);
	}
}

int bl_html_flush(struct bl_buf *b, FILE *out)
{
	if (b->failed)
		return BL_ENOMEM;
	if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
		return BL_EIO;
	bl_buf_reset(b);
	return 0;
}
