/*
 * publish.c - `baseline publish`: the effective baseline as a document for
 * stakeholders (HTML or Markdown), so everyone knows what is expected before
 * they design: purpose and version, what each tier and environment must
 * meet, every control with its rationale, remediation and framework
 * mappings, the exception policy, and a mapping table per framework with
 * the framework controls the baseline does not cover.
 *
 * The HTML follows the report's rules (report/html_util.h): one file, inline
 * CSS, nothing fetched, every string from input escaped.  Markdown escapes
 * the characters that would turn input into markup or raw HTML.
 * Exit: 0 written, 2 bad usage or an invalid document, 3 internal errors.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/baseline.h"
#include "model/exceptions.h"
#include "model/framework.h"
#include "model/inventory.h"
#include "report/html_util.h"
#include "util/str.h"

static const char usage_text[] =
	"usage: baseline publish -b BASELINE [-i INVENTORY] [-f html|md] [-o FILE]\n"
	"                        [--max-exception-days N]\n"
	"\n"
	"Render the effective baseline (extends and tailor resolved) as a readable\n"
	"document: purpose and version, what each tier and environment must meet,\n"
	"each control's rationale, remediation and framework mappings, the exception\n"
	"policy, and a mapping table per framework listing the uncovered controls.\n"
	"\n"
	"  -b, --baseline FILE    baseline file or builtin:NAME\n"
	"  -i, --inventory FILE   inventory: adds the environments it names\n"
	"  -f, --format FORMAT    html (default; one self-contained file) or md\n"
	"  -o, --output FILE      write to FILE instead of stdout\n"
	"      --max-exception-days N  the policy's longest exception (default 365)\n"
	"  -h, --help             this help\n";

enum { OPT_MAX_EXC_DAYS = 256 };

static const struct option long_opts[] = {
	{"baseline", required_argument, NULL, 'b'},
	{"inventory", required_argument, NULL, 'i'},
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"max-exception-days", required_argument, NULL, OPT_MAX_EXC_DAYS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct pub_args {
	const char *baseline, *inventory, *format, *output;
	int max_days;
};

/* Returns 0, -1 (help printed) or an exit code. */
static int parse(struct pub_args *a, int argc, char **argv)
{
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:i:f:o:h", long_opts, NULL)) != -1) {
		char *end;
		unsigned long n;
		switch (c) {
		case 'b':
			if (a->baseline)
				return bl_cli_usage_error("publish", "only one -b BASELINE");
			a->baseline = optarg;
			break;
		case 'i':
			a->inventory = optarg;
			break;
		case 'f':
			a->format = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case OPT_MAX_EXC_DAYS:
			n = strtoul(optarg, &end, 10);
			if (*end || !*optarg || n < 1 || n > 36500)
				return bl_cli_usage_error("publish", "--max-exception-days takes a number "
							  "from 1 to 36500");
			a->max_days = (int)n;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case ':':
			return bl_cli_usage_error("publish", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("publish", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bl_cli_usage_error("publish", "unexpected argument '%s'", argv[optind]);
	if (!a->baseline)
		return bl_cli_usage_error("publish", "no baseline: give -b FILE");
	if (strcmp(a->format, "html") != 0 && strcmp(a->format, "md") != 0)
		return bl_cli_usage_error("publish", "unknown format '%s' (html, md)", a->format);
	return 0;
}

/* ---- one writer, two syntaxes -------------------------------------------- */

struct pub {
	struct bl_buf *b;
	bool md;
	const struct bl_baseline *bl;
	const struct bl_inventory *inv;
	const struct bl_catalogs *cats;
	int max_days;
	const char **envs;          /* environments named by controls and the inventory */
	size_t nenvs;
};

/* Markdown: input can neither start markup nor inject HTML; newlines become
 * spaces so a value stays inside its table cell or list item. */
static void md_esc(struct bl_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '<')
			bl_buf_adds(b, "&lt;");
		else if (c == '>')
			bl_buf_adds(b, "&gt;");
		else if (c == '&')
			bl_buf_adds(b, "&amp;");
		else if (c == '\n' || c == '\r' || c == '\t')
			bl_buf_addc(b, ' ');
		else if (c < 0x20 || c == 0x7f)
			bl_buf_adds(b, "\xef\xbf\xbd");
		else if (strchr("\\`*_[]|#!~", c)) {
			bl_buf_addc(b, '\\');
			bl_buf_addc(b, (char)c);
		} else {
			bl_buf_addc(b, (char)c);
		}
	}
}

static void text(struct pub *p, const char *s)
{
	if (p->md)
		md_esc(p->b, s);
	else
		bl_html_esc(p->b, s);
}

/* Raw markup, one string per syntax. */
static void raw(struct pub *p, const char *html, const char *md)
{
	bl_buf_adds(p->b, p->md ? md : html);
}

static void code(struct pub *p, const char *s)
{
	raw(p, "<code>", "`");
	if (p->md) {
		/* inside a code span nothing is markup; only ` and | need care */
		for (; s && *s; s++)
			bl_buf_addc(p->b, *s == '`' ? '\'' : *s == '|' ? '/' : (*s == '\n' ? ' ' : *s));
	} else {
		bl_html_esc(p->b, s);
	}
	raw(p, "</code>", "`");
}

static void heading(struct pub *p, int level, const char *id, const char *title)
{
	if (p->md) {
		bl_buf_printf(p->b, "\n%.*s ", level, "######");
		text(p, title);
		bl_buf_adds(p->b, "\n\n");
		return;
	}
	bl_buf_printf(p->b, "<h%d id=\"", level);
	bl_html_esc(p->b, id);
	bl_buf_adds(p->b, "\">");
	bl_html_esc(p->b, title);
	bl_buf_printf(p->b, "</h%d>\n", level);
}

static void para_start(struct pub *p)
{
	raw(p, "<p>", "");
}

static void para_end(struct pub *p)
{
	raw(p, "</p>\n", "\n\n");
}

static void table_start(struct pub *p, const char *id, const char *const *cols, size_t n)
{
	if (p->md) {
		bl_buf_adds(p->b, "|");
		for (size_t i = 0; i < n; i++)
			bl_buf_printf(p->b, " %s |", cols[i]);
		bl_buf_adds(p->b, "\n|");
		for (size_t i = 0; i < n; i++)
			bl_buf_adds(p->b, " --- |");
		bl_buf_addc(p->b, '\n');
		return;
	}
	bl_buf_printf(p->b, "<div class=\"tw\"><table class=\"sortable\" id=\"%s\"><thead><tr>", id);
	for (size_t i = 0; i < n; i++)
		bl_buf_printf(p->b, "<th>%s</th>", cols[i]);
	bl_buf_adds(p->b, "</tr></thead><tbody>\n");
}

static void table_end(struct pub *p)
{
	raw(p, "</tbody></table></div>\n", "\n");
}

static void row_start(struct pub *p)
{
	raw(p, "<tr><td>", "| ");
}

static void cell_next(struct pub *p)
{
	raw(p, "</td><td>", " | ");
}

static void row_end(struct pub *p)
{
	raw(p, "</td></tr>\n", " |\n");
}

/* ---- what applies where -------------------------------------------------- */

static bool enabled(const struct bl_control *c)
{
	return c->effect != BL_EFFECT_DISABLED;
}

static bool in_tier(const struct bl_control *c, int tier)
{
	if (!c->ntiers)
		return true;
	for (size_t i = 0; i < c->ntiers; i++)
		if (c->tiers[i] == tier)
			return true;
	return false;
}

static bool in_env(const struct bl_control *c, const char *env)
{
	if (!c->nenvironments)
		return true;
	for (size_t i = 0; i < c->nenvironments; i++)
		if (bl_str_ieq(c->environments[i], strlen(c->environments[i]), env, strlen(env)))
			return true;
	return false;
}

static void add_env(struct pub *p, const char *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < p->nenvs; i++)
		if (bl_str_ieq(p->envs[i], strlen(p->envs[i]), e, strlen(e)))
			return;
	p->envs[p->nenvs++] = e;
}

/* Environments named by control scopes and the inventory; returns BL_ENOMEM or 0. */
static int collect_envs(struct pub *p)
{
	size_t cap = 1;
	for (size_t i = 0; i < p->bl->ncontrols; i++)
		cap += p->bl->controls[i].nenvironments;
	if (p->inv)
		cap += 1 + p->inv->nrules + p->inv->nentries;
	p->envs = calloc(cap, sizeof(*p->envs));
	if (!p->envs)
		return BL_ENOMEM;
	if (p->inv) {
		add_env(p, p->inv->defaults.environment);
		for (size_t i = 0; i < p->inv->nrules; i++)
			add_env(p, p->inv->rules[i].set.environment);
		for (size_t i = 0; i < p->inv->nentries; i++)
			add_env(p, p->inv->entries[i].attrs.environment);
	}
	for (size_t i = 0; i < p->bl->ncontrols; i++)
		for (size_t k = 0; k < p->bl->controls[i].nenvironments; k++)
			add_env(p, p->bl->controls[i].environments[k]);
	return 0;
}

static void control_link(struct pub *p, const struct bl_control *c)
{
	if (p->md) {
		code(p, c->id);
		return;
	}
	bl_buf_adds(p->b, "<a href=\"#c-");
	bl_html_esc(p->b, c->id);
	bl_buf_adds(p->b, "\"><code>");
	bl_html_esc(p->b, c->id);
	bl_buf_adds(p->b, "</code></a>");
}

static void write_intro(struct pub *p)
{
	const struct bl_baseline *bl = p->bl;
	size_t on = 0, sev[5] = {0};
	for (size_t i = 0; i < bl->ncontrols; i++)
		if (enabled(&bl->controls[i])) {
			on++;
			sev[bl->controls[i].severity]++;
		}
	if (!p->md) {
		bl_buf_adds(p->b, "<header class=\"top\" id=\"about\"><h1>");
		bl_html_esc(p->b, bl->title ? bl->title : bl->id);
		bl_buf_adds(p->b, "</h1>\n");
	} else {
		bl_buf_adds(p->b, "# ");
		text(p, bl->title ? bl->title : bl->id);
		bl_buf_adds(p->b, "\n\n");
	}
	para_start(p);
	raw(p, "This document publishes the security baseline ", "This document publishes the security baseline ");
	code(p, bl->id);
	raw(p, " version ", " version ");
	code(p, bl->version);
	raw(p, ": the configuration every system in scope must meet, published so that everyone "
	       "who designs, builds or runs a system knows what is expected before they start. "
	       "Each control below says why it exists, how to comply and which framework "
	       "requirements it answers to; a deviation needs an approved, expiring exception.",
	    ": the configuration every system in scope must meet, published so that everyone "
	    "who designs, builds or runs a system knows what is expected before they start. "
	    "Each control below says why it exists, how to comply and which framework "
	    "requirements it answers to; a deviation needs an approved, expiring exception.");
	para_end(p);
	raw(p, "<dl class=\"meta\"><dt>Baseline</dt><dd>", "- Baseline: ");
	code(p, bl->id);
	raw(p, " ", " ");
	code(p, bl->version);
	raw(p, "</dd><dt>SHA-256</dt><dd>", "\n- SHA-256: ");
	code(p, bl->sha256);
	raw(p, "</dd><dt>Sources</dt><dd>", "\n- Sources: ");
	for (size_t i = 0; i < bl->nsources; i++) {
		if (i)
			raw(p, " extends ", " extends ");
		code(p, bl->sources[i]);
	}
	bl_buf_printf(p->b, p->md ? "\n- Controls: %zu enforced (%zu critical, %zu high, %zu medium, "
				    "%zu low, %zu info), %zu disabled\n"
				  : "</dd><dt>Controls</dt><dd id=\"control-counts\">%zu enforced (%zu "
				    "critical, %zu high, %zu medium, %zu low, %zu info), %zu disabled</dd>",
		      on, sev[BL_SEV_CRITICAL], sev[BL_SEV_HIGH], sev[BL_SEV_MEDIUM], sev[BL_SEV_LOW],
		      sev[BL_SEV_INFO], bl->ncontrols - on);
	if (p->inv) {
		raw(p, "<dt>Inventory</dt><dd>", "- Inventory: ");
		code(p, p->inv->id);
		raw(p, "</dd>", "\n");
	}
	raw(p, "</dl>\n", "\n");
	if (!p->md)
		bl_buf_adds(p->b, "<nav class=\"toc\"><a href=\"#scope\">Tiers and environments</a>"
				  "<a href=\"#controls\">Controls</a><a href=\"#exception-policy\">"
				  "Exception policy</a><a href=\"#mappings\">Framework mappings</a></nav>"
				  "\n</header>\n<main>\n");
}

static const char yes[] = "&#10003;";

static void write_scope(struct pub *p)
{
	const struct bl_baseline *bl = p->bl;
	raw(p, "<section id=\"scope\">\n", "");
	heading(p, 2, "scope", "What each tier and environment must meet");
	para_start(p);
	raw(p, "Tier 1 is the most critical. A control applies to every tier and environment "
	       "unless its scope names some; the inventory decides each asset's tier and "
	       "environment.",
	    "Tier 1 is the most critical. A control applies to every tier and environment "
	    "unless its scope names some; the inventory decides each asset's tier and "
	    "environment.");
	para_end(p);
	const char *cols[] = {"Tier", "Controls", "Critical", "High", "Medium", "Low", "Info"};
	table_start(p, "tier-table", cols, 7);
	for (int t = 1; t <= 3; t++) {
		size_t n = 0, sev[5] = {0};
		for (size_t i = 0; i < bl->ncontrols; i++)
			if (enabled(&bl->controls[i]) && in_tier(&bl->controls[i], t)) {
				n++;
				sev[bl->controls[i].severity]++;
			}
		row_start(p);
		bl_buf_printf(p->b, "tier %d", t);
		cell_next(p);
		bl_buf_printf(p->b, "%zu", n);
		for (int s = BL_SEV_CRITICAL; s >= BL_SEV_INFO; s--) {
			cell_next(p);
			bl_buf_printf(p->b, "%zu", sev[s]);
		}
		row_end(p);
	}
	table_end(p);
	/* the matrix: one row per enforced control */
	if (p->md) {
		bl_buf_adds(p->b, "| Control | Severity | Tier 1 | Tier 2 | Tier 3 |");
		for (size_t e = 0; e < p->nenvs; e++) {
			bl_buf_adds(p->b, " ");
			md_esc(p->b, p->envs[e]);
			bl_buf_adds(p->b, " |");
		}
		bl_buf_adds(p->b, "\n| --- | --- | --- | --- | --- |");
		for (size_t e = 0; e < p->nenvs; e++)
			bl_buf_adds(p->b, " --- |");
		bl_buf_addc(p->b, '\n');
	} else {
		bl_buf_adds(p->b, "<div class=\"tw\"><table class=\"sortable\" id=\"scope-matrix\"><thead>"
				  "<tr><th>Control</th><th>Severity</th><th>Tier 1</th><th>Tier 2</th>"
				  "<th>Tier 3</th>");
		for (size_t e = 0; e < p->nenvs; e++) {
			bl_buf_adds(p->b, "<th>");
			bl_html_esc(p->b, p->envs[e]);
			bl_buf_adds(p->b, "</th>");
		}
		bl_buf_adds(p->b, "</tr></thead><tbody>\n");
	}
	for (size_t i = 0; i < bl->ncontrols; i++) {
		const struct bl_control *c = &bl->controls[i];
		if (!enabled(c))
			continue;
		row_start(p);
		control_link(p, c);
		raw(p, " ", " ");
		text(p, c->title);
		cell_next(p);
		bl_buf_adds(p->b, bl_severity_name(c->severity));
		for (int t = 1; t <= 3; t++) {
			cell_next(p);
			raw(p, in_tier(c, t) ? yes : "", in_tier(c, t) ? "yes" : "");
		}
		for (size_t e = 0; e < p->nenvs; e++) {
			cell_next(p);
			raw(p, in_env(c, p->envs[e]) ? yes : "", in_env(c, p->envs[e]) ? "yes" : "");
		}
		row_end(p);
	}
	table_end(p);
	raw(p, "</section>\n", "");
}

static void list_strs(struct pub *p, const char *const *v, size_t n, const char *none)
{
	if (!n)
		raw(p, none, none);
	for (size_t i = 0; i < n; i++) {
		if (i)
			raw(p, ", ", ", ");
		code(p, v[i]);
	}
}

static void field(struct pub *p, const char *label)
{
	if (p->md)
		bl_buf_printf(p->b, "- **%s:** ", label);
	else
		bl_buf_printf(p->b, "<dt>%s</dt><dd>", label);
}

static void field_end(struct pub *p)
{
	raw(p, "</dd>", "\n");
}

static void write_control(struct pub *p, const struct bl_control *c)
{
	struct bl_buf *b = p->b;
	if (p->md) {
		bl_buf_adds(b, "\n#### ");
		md_esc(b, c->id);
		bl_buf_adds(b, " ");
		md_esc(b, c->title);
		bl_buf_adds(b, "\n\n");
	} else {
		bl_buf_printf(b, "<article class=\"ctl sev-%s\" id=\"c-", bl_severity_name(c->severity));
		bl_html_esc(b, c->id);
		bl_buf_adds(b, "\"><h4><code>");
		bl_html_esc(b, c->id);
		bl_buf_adds(b, "</code> ");
		bl_html_esc(b, c->title);
		bl_buf_printf(b, " <span class=\"st st-%s\">%s</span></h4>\n<dl class=\"meta\">",
			      bl_severity_name(c->severity), bl_severity_name(c->severity));
	}
	field(p, "Severity / effect");
	bl_buf_printf(b, "%s / %s", bl_severity_name(c->severity), bl_effect_name(c->effect));
	if (c->effect == BL_EFFECT_DENY)
		raw(p, " (blocks deployments in CI)", " (blocks deployments in CI)");
	field_end(p);
	field(p, "Applies to");
	list_strs(p, c->types, c->ntypes, "every asset type");
	raw(p, "; tiers ", "; tiers ");
	if (!c->ntiers)
		raw(p, "all", "all");
	for (size_t i = 0; i < c->ntiers; i++)
		bl_buf_printf(b, "%s%d", i ? ", " : "", c->tiers[i]);
	raw(p, "; environments ", "; environments ");
	list_strs(p, c->environments, c->nenvironments, "all");
	field_end(p);
	struct bl_arena ta;
	bl_arena_init(&ta, 0);
	const char *cond = bl_control_cond_text(c, &ta);
	if (cond) {
		field(p, c->violation ? "Non-compliant when" : "Requirement");
		code(p, cond);
		field_end(p);
	}
	bl_arena_free(&ta);
	field(p, "Rationale");
	text(p, c->rationale ? c->rationale : "(none given)");
	field_end(p);
	field(p, "Remediation");
	text(p, c->remediation ? c->remediation : "(none given)");
	field_end(p);
	field(p, "Framework mappings");
	if (!c->nmaps)
		raw(p, "none", "none");
	for (size_t m = 0; m < c->nmaps; m++) {
		if (m)
			raw(p, "; ", "; ");
		text(p, c->maps[m].framework);
		raw(p, " ", " ");
		list_strs(p, c->maps[m].ids, c->maps[m].nids, "");
	}
	field_end(p);
	if (c->nreferences) {
		field(p, "References");
		for (size_t i = 0; i < c->nreferences; i++) {
			if (i)
				raw(p, ", ", ", ");
			if (p->md)
				code(p, c->references[i]);
			else
				bl_html_ref(b, c->references[i]);
		}
		field_end(p);
	}
	if (c->inherited || c->noverrides) {
		field(p, "Origin");
		code(p, c->origin);
		for (size_t i = 0; i < c->noverrides; i++) {
			raw(p, "; tailored by ", "; tailored by ");
			code(p, c->overrides[i].baseline);
			raw(p, ": ", ": ");
			text(p, c->overrides[i].what);
		}
		field_end(p);
	}
	raw(p, "</dl></article>\n", "");
}

static void write_controls(struct pub *p)
{
	const struct bl_baseline *bl = p->bl;
	raw(p, "<section id=\"controls\">\n", "");
	heading(p, 2, "controls", "Controls by category");
	for (size_t i = 0; i < bl->ncontrols; i++) {
		const char *cat = bl->controls[i].category;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++) {
			const char *o = bl->controls[k].category;
			seen = (o == NULL && cat == NULL) || (o && cat && strcmp(o, cat) == 0);
		}
		if (seen)
			continue;
		const char *name = cat ? cat : "uncategorised";
		if (p->md) {
			heading(p, 3, "", name);
		} else {
			bl_buf_adds(p->b, "<h3 class=\"category\" id=\"cat-");
			bl_html_esc(p->b, name);
			bl_buf_adds(p->b, "\">");
			bl_html_esc(p->b, name);
			bl_buf_adds(p->b, "</h3>\n");
		}
		for (size_t k = i; k < bl->ncontrols; k++) {
			const char *o = bl->controls[k].category;
			if ((o == NULL && cat == NULL) || (o && cat && strcmp(o, cat) == 0))
				write_control(p, &bl->controls[k]);
		}
	}
	raw(p, "</section>\n", "");
}

static void write_policy(struct pub *p)
{
	raw(p, "<section id=\"exception-policy\">\n", "");
	heading(p, 2, "exception-policy", "Exception policy");
	para_start(p);
	bl_buf_printf(p->b,
		      "A system that cannot meet a control needs a documented exception, approved "
		      "before the deviation and expiring at most %d days after it is recorded. An "
		      "exception exempts only failing results of the controls and assets it names; "
		      "an asset that cannot be read is never exempted. The day after it expires, "
		      "the failures count again, and an exception that matches no failing result "
		      "is reported as stale.", p->max_days);
	para_end(p);
	const char *cols[] = {"Field", "Required", "Meaning"};
	table_start(p, "policy-fields", cols, 3);
	static const char *const rows[][3] = {
		{"id", "yes", "unique identifier, e.g. EX-2026-014"},
		{"control", "yes", "control id or glob"},
		{"assets", "yes", "globs over asset ids (at least one)"},
		{"category", "yes", "waiver, mitigated or risk-accepted"},
		{"justification", "yes", "why the control cannot be met and what reduces the risk"},
		{"approved_by", "yes", "who accepted the risk"},
		{"expires", "yes", "YYYY-MM-DD (UTC); at most the maximum duration ahead"},
		{"ticket", "no", "tracking reference"},
		{"created", "no", "YYYY-MM-DD; not after expires"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		row_start(p);
		code(p, rows[i][0]);
		cell_next(p);
		text(p, rows[i][1]);
		cell_next(p);
		text(p, strcmp(rows[i][0], "expires") == 0 ? "YYYY-MM-DD (UTC), at most the maximum "
							     "duration after today" : rows[i][2]);
		row_end(p);
	}
	table_end(p);
	raw(p, "</section>\n", "");
}

/* Baseline controls mapped to (framework, entry id), enabled ones only. */
static size_t mapped_to(struct pub *p, const struct bl_catalog *cat, const char *fw,
			const char *id, bool write)
{
	size_t n = 0;
	for (size_t i = 0; i < p->bl->ncontrols; i++) {
		const struct bl_control *c = &p->bl->controls[i];
		if (!enabled(c))
			continue;
		for (size_t m = 0; m < c->nmaps; m++) {
			if (bl_str_icmp(c->maps[m].framework, strlen(c->maps[m].framework), fw,
					strlen(fw)) != 0)
				continue;
			bool hit = false;
			for (size_t k = 0; k < c->maps[m].nids && !hit; k++) {
				const struct bl_fw_entry *e = cat ? bl_catalog_entry(cat, c->maps[m].ids[k])
								  : NULL;
				char canon[128];
				hit = e ? strcmp(e->id, id) == 0
					: bl_fw_canonical_id(canon, sizeof(canon), c->maps[m].ids[k]) &&
						  strcmp(canon, id) == 0;
			}
			if (!hit)
				continue;
			if (write) {
				if (n)
					raw(p, ", ", ", ");
				control_link(p, c);
			}
			n++;
			break;
		}
	}
	return n;
}

/*
 * Mapped ids of framework fw that the catalog data does not list (NIST ids
 * of known families outside the LOW/MODERATE/HIGH selections), canonical
 * and distinct, into out (caller frees).  Returns the count; 0 when none or
 * out of memory (then they are simply not listed separately).
 */
static size_t extra_ids(struct pub *p, const struct bl_catalog *cat, const char *fw, char ***out)
{
	size_t cap = 0, n = 0;
	for (size_t i = 0; i < p->bl->ncontrols; i++)
		for (size_t m = 0; m < p->bl->controls[i].nmaps; m++)
			cap += p->bl->controls[i].maps[m].nids;
	*out = cap ? calloc(cap, sizeof(**out)) : NULL;
	if (!*out)
		return 0;
	for (size_t i = 0; i < p->bl->ncontrols; i++) {
		const struct bl_control *c = &p->bl->controls[i];
		if (!enabled(c))
			continue;
		for (size_t m = 0; m < c->nmaps; m++) {
			if (strcmp(c->maps[m].framework, fw) != 0)
				continue;
			for (size_t k = 0; k < c->maps[m].nids; k++) {
				char canon[128];
				if (bl_catalog_entry(cat, c->maps[m].ids[k]) ||
				    !bl_fw_canonical_id(canon, sizeof(canon), c->maps[m].ids[k]))
					continue;
				bool dup = false;
				for (size_t j = 0; j < n && !dup; j++)
					dup = strcmp((*out)[j], canon) == 0;
				if (!dup && !((*out)[n] = strdup(canon)))
					return n;
				n += !dup;
			}
		}
	}
	return n;
}

static void write_mapping(struct pub *p, const char *fw)
{
	const struct bl_catalog *cat = bl_catalog_find(p->cats, fw);
	struct bl_buf *b = p->b;
	if (p->md) {
		bl_buf_adds(b, "\n### ");
		md_esc(b, fw);
		if (cat && cat->title) {
			bl_buf_adds(b, ": ");
			md_esc(b, cat->title);
		}
		bl_buf_adds(b, "\n\n");
	} else {
		bl_buf_adds(b, "<h3 class=\"fw\" id=\"fw-");
		bl_html_esc(b, fw);
		bl_buf_adds(b, "\"><code>");
		bl_html_esc(b, fw);
		bl_buf_adds(b, "</code>");
		if (cat && cat->title) {
			bl_buf_adds(b, " ");
			bl_html_esc(b, cat->title);
		}
		bl_buf_adds(b, "</h3>\n");
	}
	if (!cat) {
		para_start(p);
		raw(p, "No catalog of this framework ships with baseline: the mapped ids are listed "
		       "as written.", "No catalog of this framework ships with baseline: the mapped ids "
		       "are listed as written.");
		para_end(p);
		return;
	}
	size_t covered = 0;
	for (size_t i = 0; i < cat->n; i++)
		covered += mapped_to(p, cat, fw, cat->entries[i].id, false) > 0;
	char **extra = NULL;
	size_t nextra = extra_ids(p, cat, fw, &extra);
	para_start(p);
	bl_buf_printf(b, p->md ? "%zu of %zu framework controls covered, %zu not covered."
			       : "<span class=\"fw-counts\">%zu of %zu framework controls covered, "
				 "%zu not covered</span>.", covered + nextra, cat->n + nextra,
		      cat->n - covered);
	if (nextra)
		raw(p, " Controls marked * are valid framework controls outside the catalog data "
		       "shipped with baseline.", " Controls marked \\* are valid framework controls "
		       "outside the catalog data shipped with baseline.");
	para_end(p);
	const char *cols[] = {"Framework control", "Title", "Baseline controls"};
	char id[128];
	snprintf(id, sizeof(id), "map-%s", fw);
	/* the id goes into an attribute: framework ids are [a-z0-9-] (validated
	 * by the baseline loader against the catalogs), escape anyway */
	struct bl_buf tid;
	bl_buf_init(&tid, 0);
	bl_html_esc(&tid, id);
	table_start(p, tid.failed ? "map" : tid.data, cols, 3);
	bl_buf_free(&tid);
	for (size_t i = 0; i < cat->n; i++) {
		const struct bl_fw_entry *e = &cat->entries[i];
		if (!mapped_to(p, cat, fw, e->id, false))
			continue;
		row_start(p);
		code(p, e->id);
		cell_next(p);
		text(p, e->title);
		cell_next(p);
		mapped_to(p, cat, fw, e->id, true);
		row_end(p);
	}
	for (size_t i = 0; i < nextra; i++) {
		row_start(p);
		code(p, extra[i]);
		raw(p, " *", " \\*");
		cell_next(p);
		cell_next(p);
		mapped_to(p, NULL, fw, extra[i], true);
		row_end(p);
		free(extra[i]);
	}
	free(extra);
	table_end(p);
	if (p->md) {
		bl_buf_printf(b, "Not covered (%zu): ", cat->n - covered);
	} else {
		bl_buf_printf(b, "<details class=\"uncovered\"><summary>Not covered (%zu)</summary><p>",
			      cat->n - covered);
	}
	size_t k = 0;
	for (size_t i = 0; i < cat->n; i++) {
		if (mapped_to(p, cat, fw, cat->entries[i].id, false))
			continue;
		if (k++)
			raw(p, ", ", ", ");
		code(p, cat->entries[i].id);
	}
	if (!k)
		raw(p, "none", "none");
	raw(p, "</p></details>\n", "\n\n");
}

static void write_mappings(struct pub *p)
{
	const struct bl_baseline *bl = p->bl;
	raw(p, "<section id=\"mappings\">\n", "");
	heading(p, 2, "mappings", "Framework mappings");
	para_start(p);
	raw(p, "For each framework the baseline maps to: which baseline controls answer to each "
	       "framework control, then the framework controls no enforced baseline control "
	       "covers. An uncovered control is not met by this baseline and needs another answer.",
	    "For each framework the baseline maps to: which baseline controls answer to each "
	    "framework control, then the framework controls no enforced baseline control "
	    "covers. An uncovered control is not met by this baseline and needs another answer.");
	para_end(p);
	size_t nfw = 0;
	for (size_t i = 0; i < bl->ncontrols; i++)
		for (size_t m = 0; m < bl->controls[i].nmaps; m++) {
			const char *fw = bl->controls[i].maps[m].framework;
			bool seen = false;
			for (size_t j = 0; j <= i && !seen; j++)
				for (size_t n = 0; n < bl->controls[j].nmaps && !seen; n++) {
					if (j == i && n == m)
						break;
					seen = strcmp(bl->controls[j].maps[n].framework, fw) == 0;
				}
			if (!seen) {
				write_mapping(p, fw);
				nfw++;
			}
		}
	if (!nfw) {
		para_start(p);
		raw(p, "The baseline maps to no framework.", "The baseline maps to no framework.");
		para_end(p);
	}
	raw(p, "</section>\n", "");
}

static int render(struct pub *p, FILE *out)
{
	if (!p->md) {
		char title[256];
		snprintf(title, sizeof(title), "%s %s", p->bl->title ? p->bl->title : p->bl->id,
			 p->bl->version);
		bl_html_begin(p->b, title, NULL);
	}
	write_intro(p);
	write_scope(p);
	int rc = bl_html_flush(p->b, out);
	if (!rc) {
		write_controls(p);
		rc = bl_html_flush(p->b, out);
	}
	if (!rc) {
		write_policy(p);
		write_mappings(p);
		if (!p->md) {
			bl_buf_adds(p->b, "</main>\n");
			bl_html_end(p->b);
		}
		rc = bl_html_flush(p->b, out);
	}
	return rc;
}

int bl_cmd_publish(int argc, char **argv)
{
	struct pub_args a = {.format = "html", .max_days = BL_EXC_MAX_DAYS_DEFAULT};
	int prc = parse(&a, argc, argv);
	if (prc)
		return prc < 0 ? BL_EXIT_OK : prc;
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	struct bl_inventory *inv = NULL;
	struct bl_catalogs cats;
	memset(&cats, 0, sizeof(cats));
	struct bl_buf buf;
	bl_buf_init(&buf, 0);
	struct pub p = {.b = &buf, .md = strcmp(a.format, "md") == 0, .max_days = a.max_days,
			.cats = &cats};
	int exit_code = BL_EXIT_OK;
	int rc1 = bl_cli_baseline_load(&b, a.baseline, NULL, &d);
	int rc2 = a.inventory ? bl_inventory_load(&inv, a.inventory, &d) : 0;
	if (rc1 || rc2) {
		bl_cli_print_diags(&d, stderr);
		exit_code = bl_cli_load_exit(rc1, rc2, 0);
		goto out;
	}
	if (bl_catalogs_load(&cats, &err)) {
		exit_code = bl_cli_report_error(&err);
		goto out;
	}
	p.bl = b;
	p.inv = inv;
	if (collect_envs(&p)) {
		exit_code = BL_EXIT_INTERNAL;
		goto out;
	}
	struct bl_output o;
	if (bl_output_open(&o, a.output, &err)) {
		exit_code = bl_cli_report_error(&err);
		goto out;
	}
	int rc = render(&p, o.f);
	if (rc) {
		bl_output_abort(&o);
		bl_error_set(&err, rc, NULL, 0, 0,
			     rc == BL_ENOMEM ? "out of memory" : "cannot write the document");
		exit_code = bl_cli_report_error(&err);
	} else if (bl_output_commit(&o, &err)) {
		exit_code = bl_cli_report_error(&err);
	}
out:
	free(p.envs);
	bl_buf_free(&buf);
	bl_diags_free(&d);
	bl_catalogs_free(&cats);
	bl_inventory_free(inv);
	bl_baseline_free(b);
	return exit_code;
}
