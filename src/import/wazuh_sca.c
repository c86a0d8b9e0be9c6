/*
 * wazuh_sca.c - Wazuh SCA policy -> baseline document (wazuh_sca.h).
 *
 * Reads the policy tree (every node carries file:line:col), checks its shape,
 * substitutes variables, parses each rule and writes the baseline as YAML:
 * block keys with JSON-quoted scalars, conditions as JSON flow mappings.  The
 * translation of one rule is documented in docs/wazuh-sca.md; in short, a
 * rule is a condition that is true when Wazuh says "found", false for "not
 * found", and unknown with a not-applicable reason when Wazuh says "invalid".
 */
#include "import/wazuh_sca.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "doc/json.h"
#include "doc/load.h"
#include "import/osregex.h"
#include "model/baseline.h"
#include "model/framework.h"

#define SCA_MAX_TERMS 32
#define SCA_MAX_FILES 64

struct ctx {
	struct bl_diags *diags;
	struct bl_arena *a;
	const struct bl_catalogs *cats;
	const struct bl_value *vars;   /* variables object or NULL */
	int version;                   /* 4 or 5 */
	bool pcre2;
	bool failed;                   /* a diagnostic was added */
	bool nomem;
	size_t ncommands, nregistry;
};

static void diag(struct ctx *c, const struct bl_value *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void diag(struct ctx *c, const struct bl_value *at, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->failed = true;
	if (bl_diag_add(c->diags, at ? at->file : NULL, at ? at->line : 0, at ? at->col : 0, "%s",
			msg) == BL_ENOMEM)
		c->nomem = true;
}

/* A scalar's text (strings as is, numbers as written), or NULL. */
static const char *scalar(const struct bl_value *v, size_t *len)
{
	if (v && v->type == BL_VSTR) {
		*len = v->u.str.len;
		return v->u.str.s;
	}
	if (v && v->type == BL_VNUM) {
		*len = v->u.num.len;
		return v->u.num.text;
	}
	return NULL;
}

/* Scalars of the YAML output: JSON-quoted, with what YAML forbids raw escaped. */
static void js(struct bl_buf *b, const char *s)
{
	bl_yaml_write_str(b, s, strlen(s));
}

static void jsn(struct bl_buf *b, const char *s, size_t len)
{
	bl_yaml_write_str(b, s, len);
}

bool bl_sca_detect(const struct bl_value *doc)
{
	return doc && doc->type == BL_VOBJ && bl_value_getz(doc, "policy") &&
	       bl_value_getz(doc, "checks");
}

/* ---- variables ------------------------------------------------------------ */

/* s with every variable ($name) replaced by its value, longest name first so
 * $dir does not eat $dir2; in the arena, NUL-terminated.  NULL on ENOMEM. */
static char *subst(struct ctx *c, const char *s, size_t len)
{
	struct bl_buf b;
	bl_buf_init(&b, 1u << 20);
	size_t i = 0;
	while (i < len) {
		const struct bl_member *best = NULL;
		if (s[i] == '$' && c->vars) {
			for (uint32_t k = 0; k < c->vars->u.obj.n; k++) {
				const struct bl_member *m = &c->vars->u.obj.items[k];
				/* only "$name" keys substitute (an empty or bare key would
				 * match without consuming input: a hang found by fuzzing) */
				if (m->klen >= 2 && m->key[0] == '$' && m->klen <= len - i &&
				    memcmp(s + i, m->key, m->klen) == 0 &&
				    (!best || m->klen > best->klen))
					best = m;
			}
		}
		if (best) {
			size_t vl;
			const char *vs = scalar(&best->val, &vl);
			if (vs)
				bl_buf_add(&b, vs, vl);
			else if (best->val.type == BL_VARR) {
				/* a list variable is the comma-separated list Wazuh builds */
				for (uint32_t k = 0; k < best->val.u.arr.n; k++) {
					const char *es = scalar(&best->val.u.arr.items[k], &vl);
					if (k)
						bl_buf_addc(&b, ',');
					if (es)
						bl_buf_add(&b, es, vl);
				}
			}
			i += best->klen;
		} else {
			bl_buf_addc(&b, s[i++]);
		}
	}
	char *out = b.failed ? NULL : bl_arena_strndup(c->a, b.data ? b.data : "", b.len);
	bl_buf_free(&b);
	if (!out)
		c->nomem = true;
	return out;
}

/* ---- content patterns ------------------------------------------------------ */

enum term_kind { T_REGEX, T_NUMERIC, T_LITERAL };

struct term {
	enum term_kind kind;
	bool neg;
	const char *text;        /* PCRE2 pattern (regex, numeric) or the literal */
	size_t len;
	const char *cmp;         /* numeric: "<" "<=" "==" "!=" ">=" ">" */
	const char *num;         /* numeric: the number as written */
};

/* Translate a pattern of the policy's dialect to PCRE2 and check that PCRE2
 * compiles it.  Arena string or NULL (diagnosed, or nomem). */
static const char *regex_of(struct ctx *c, const struct bl_value *at, const char *pat, size_t len,
			    const char *rule)
{
	struct bl_buf b;
	bl_buf_init(&b, 1u << 20);
	char msg[200];
	msg[0] = '\0';
	int rc = 0;
	if (c->pcre2) {
		bl_buf_adds(&b, "(?im)");
		bl_buf_add(&b, pat, len);
		rc = b.failed ? BL_ENOMEM : 0;
	} else {
		rc = bl_osregex_to_pcre2(&b, pat, len, msg, sizeof msg);
	}
	const char *out = NULL;
	if (rc == BL_ENOMEM) {
		c->nomem = true;
	} else if (rc) {
		diag(c, at, "rule \"%s\": %s", rule, msg);
	} else {
		int ec = 0;
		PCRE2_SIZE off = 0;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)(b.data ? b.data : ""), b.len,
					       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
		if (!re) {
			PCRE2_UCHAR eb[160];
			if (pcre2_get_error_message(ec, eb, sizeof eb) < 0)
				snprintf((char *)eb, sizeof eb, "error %d", ec);
			diag(c, at, "rule \"%s\": regex \"%.*s\" is invalid: %s", rule, (int)len, pat,
			     (const char *)eb);
		} else {
			pcre2_code_free(re);
			out = bl_arena_strndup(c->a, b.data ? b.data : "", b.len);
			if (!out)
				c->nomem = true;
		}
	}
	bl_buf_free(&b);
	return out;
}

static const char *const CMPS[] = {"<=", ">=", "==", "!=", "<", ">"};

/* One term of a content pattern ("r:X", "!r:X", "n:X compare OP N", a literal). */
static bool parse_term(struct ctx *c, const struct bl_value *at, const char *s, size_t len,
		       const char *rule, struct term *t)
{
	memset(t, 0, sizeof(*t));
	if (len && s[0] == '!') {
		t->neg = true;
		s++;
		len--;
	}
	if (len >= 2 && s[0] == 'r' && s[1] == ':') {
		t->kind = T_REGEX;
		t->text = regex_of(c, at, s + 2, len - 2, rule);
		t->len = t->text ? strlen(t->text) : 0;
		return t->text != NULL;
	}
	if (len >= 2 && s[0] == 'n' && s[1] == ':') {
		t->kind = T_NUMERIC;
		/* the last " compare " splits the regex from "OP NUMBER" */
		const char *sep = NULL;
		for (size_t i = 2; i + 9 <= len; i++)
			if (memcmp(s + i, " compare ", 9) == 0)
				sep = s + i;
		if (!sep) {
			diag(c, at, "rule \"%s\": n: needs \"REGEX compare OP NUMBER\"", rule);
			return false;
		}
		const char *p = sep + 9, *end = s + len;
		while (p < end && *p == ' ')
			p++;
		size_t k = 0;
		for (; k < sizeof(CMPS) / sizeof(CMPS[0]); k++)
			if ((size_t)(end - p) >= strlen(CMPS[k]) && memcmp(p, CMPS[k], strlen(CMPS[k])) == 0)
				break;
		if (k == sizeof(CMPS) / sizeof(CMPS[0])) {
			diag(c, at, "rule \"%s\": n: comparison must be one of < <= == != >= >", rule);
			return false;
		}
		t->cmp = CMPS[k];
		p += strlen(CMPS[k]);
		while (p < end && *p == ' ')
			p++;
		const char *q = p;
		if (q < end && (*q == '-' || *q == '+'))
			q++;
		const char *digits = q;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == digits || q != end) {
			diag(c, at, "rule \"%s\": n: needs an integer after the comparison", rule);
			return false;
		}
		t->num = bl_arena_strndup(c->a, p, (size_t)(end - p));
		t->text = regex_of(c, at, s + 2, (size_t)(sep - s) - 2, rule);
		if (!t->text || !t->num)
			return false;
		t->len = strlen(t->text);
		int ec = 0;
		PCRE2_SIZE off = 0;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)t->text, t->len,
					       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
		uint32_t groups = 0;
		if (re)
			pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
		pcre2_code_free(re);
		if (groups < 1) {
			diag(c, at, "rule \"%s\": n: regex needs a group (...) capturing the number", rule);
			return false;
		}
		return true;
	}
	t->kind = T_LITERAL;
	t->text = s;
	t->len = len;
	return true;
}

/* Split "T1 && T2 && ..." into terms. */
static bool parse_pattern(struct ctx *c, const struct bl_value *at, const char *s, const char *rule,
			  struct term *terms, size_t *n)
{
	*n = 0;
	size_t len = strlen(s);
	size_t start = 0;
	bool ok = true;
	for (size_t i = 0; i <= len; i++) {
		bool sep = i + 4 <= len && memcmp(s + i, " && ", 4) == 0;
		if (!sep && i < len)
			continue;
		if (*n == SCA_MAX_TERMS) {
			diag(c, at, "rule \"%s\": more than %d terms joined with &&", rule, SCA_MAX_TERMS);
			return false;
		}
		ok = parse_term(c, at, s + start, i - start, rule, &terms[(*n)++]) && ok;
		if (sep) {
			i += 3;
			start = i + 1;
		}
	}
	return ok;
}

/* The leaf for one term on a field path; negate flips it. */
static void emit_leaf(struct ctx *c, struct bl_buf *b, const char *field, const struct term *t,
		      bool negate)
{
	bool pos = t->neg == negate;   /* the leaf asks for a match */
	bl_buf_adds(b, "{\"field\": ");
	js(b, field);
	switch (t->kind) {
	case T_REGEX:
		bl_buf_adds(b, pos ? ", \"regex\": " : ", \"notRegex\": ");
		jsn(b, t->text, t->len);
		break;
	case T_NUMERIC:
		bl_buf_adds(b, pos ? ", \"scaNumeric\": {\"regex\": " : ", \"notScaNumeric\": {\"regex\": ");
		jsn(b, t->text, t->len);
		bl_buf_printf(b, ", \"compare\": \"%s\", \"value\": %s}", t->cmp, t->num);
		break;
	case T_LITERAL:
		if (c->version == 4) {
			/* 4.x: the whole line, ignoring case: exactly Azure's equals */
			bl_buf_adds(b, pos ? ", \"equals\": " : ", \"notEquals\": ");
			jsn(b, t->text, t->len);
		} else {
			struct bl_buf q;
			bl_buf_init(&q, 1u << 20);
			bl_buf_addc(&q, '^');
			bl_pcre2_quote(&q, t->text, t->len);
			bl_buf_addc(&q, '$');
			bl_buf_adds(b, pos ? ", \"regex\": " : ", \"notRegex\": ");
			jsn(b, q.data ? q.data : "", q.len);
			if (q.failed)
				c->nomem = true;
			bl_buf_free(&q);
		}
		break;
	}
	bl_buf_addc(b, '}');
}

/*
 * "Some element of the array at path arr satisfies every term": Wazuh's
 * per-line match.  One term: not(every line fails it), so evidence names the
 * line that decided; several: a count over the lines.  5.x reads a lone
 * negated term as "no line matches".
 */
static void emit_content(struct ctx *c, struct bl_buf *b, const char *arr, const struct term *t,
			 size_t n)
{
	const char *f = bl_arena_printf(c->a, "%s[*]", arr);
	if (!f) {
		c->nomem = true;
		return;
	}
	if (n == 1 && t[0].neg && c->version == 5) {
		emit_leaf(c, b, f, &t[0], false);
		return;
	}
	if (n == 1) {
		bl_buf_adds(b, "{\"not\": ");
		emit_leaf(c, b, f, &t[0], true);
		bl_buf_addc(b, '}');
		return;
	}
	bl_buf_adds(b, "{\"count\": {\"field\": ");
	js(b, f);
	bl_buf_adds(b, ", \"where\": {\"allOf\": [");
	for (size_t i = 0; i < n; i++) {
		if (i)
			bl_buf_adds(b, ", ");
		emit_leaf(c, b, f, &t[i], false);
	}
	bl_buf_adds(b, "]}}, \"greater\": 0}");
}

/* ns["key"] with the key's double quotes doubled (path syntax); arena. */
static const char *keyed(struct ctx *c, const char *ns, const char *key, const char *tail)
{
	struct bl_buf b;
	bl_buf_init(&b, 1u << 20);
	bl_buf_printf(&b, "%s[\"", ns);
	for (const char *p = key; *p; p++) {
		if (*p == '"')
			bl_buf_addc(&b, '"');
		bl_buf_addc(&b, *p);
	}
	bl_buf_printf(&b, "\"]%s", tail);
	const char *out = b.failed ? NULL : bl_arena_strndup(c->a, b.data, b.len);
	bl_buf_free(&b);
	if (!out)
		c->nomem = true;
	return out ? out : "";
}

/*
 * guard(exists, reason) AND content, such that a false guard makes the whole
 * unknown (not applicable) whatever the content says: Kleene allOf would let
 * a false content decide, so the content is made true when the guard fails.
 */
static void emit_guarded(struct bl_buf *b, const char *exists, const char *reason,
			 const char *content)
{
	bl_buf_adds(b, "{\"allOf\": [{\"field\": ");
	js(b, exists);
	bl_buf_adds(b, ", \"notApplicableUnless\": ");
	js(b, reason);
	/* content first: when both are false, its evidence leads the message */
	bl_buf_adds(b, "}, {\"anyOf\": [");
	bl_buf_adds(b, content);
	bl_buf_adds(b, ", {\"field\": ");
	js(b, exists);
	bl_buf_adds(b, ", \"equals\": false}]}]}");
}

/* Split "a,b,c" into trimmed parts (arena copies). */
static size_t split_list(struct ctx *c, const char *s, const char **parts, size_t max)
{
	size_t n = 0;
	const char *p = s;
	while (*p && n < max) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *q = p;
		while (len && (*q == ' ' || *q == '\t')) {
			q++;
			len--;
		}
		while (len && (q[len - 1] == ' ' || q[len - 1] == '\t'))
			len--;
		if (len) {
			parts[n] = bl_arena_strndup(c->a, q, len);
			if (!parts[n]) {
				c->nomem = true;
				return n;
			}
			n++;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return n;
}

/* The content condition over an array path as a string (arena), or NULL. */
static const char *content_text(struct ctx *c, const char *arr, const struct term *t, size_t n)
{
	struct bl_buf b;
	bl_buf_init(&b, 1u << 22);
	emit_content(c, &b, arr, t, n);
	const char *out = b.failed ? NULL : bl_arena_strndup(c->a, b.data ? b.data : "", b.len);
	bl_buf_free(&b);
	if (!out)
		c->nomem = true;
	return out;
}

/* Translate one rule into b.  false when it was diagnosed. */
static bool emit_rule(struct ctx *c, struct bl_buf *b, const struct bl_value *at, const char *rule)
{
	const char *r = rule;
	bool negate = false;
	if (strncmp(r, "not ", 4) == 0) {
		negate = true;
		r += 4;
		while (*r == ' ')
			r++;
	}
	if (!(r[0] && r[1] == ':' && strchr("fdpcr", r[0]))) {
		diag(c, at, "rule \"%s\": expected [not ]f:, d:, p:, c: or r: followed by a target",
		     rule);
		return false;
	}
	char type = r[0];
	/* TARGET[ -> PART2[ -> PART3]] */
	const char *parts[3] = {NULL, NULL, NULL};
	size_t np = 0;
	const char *p = r + 2;
	while (np < 3) {
		const char *arrow = np < 2 ? strstr(p, " -> ") : NULL;
		size_t len = arrow ? (size_t)(arrow - p) : strlen(p);
		parts[np] = bl_arena_strndup(c->a, p, len);
		if (!parts[np])
			return c->nomem = true, false;
		np++;
		if (!arrow)
			break;
		p = arrow + 4;
	}
	if (!parts[0][0]) {
		diag(c, at, "rule \"%s\": empty target", rule);
		return false;
	}
	if (np == 3 && type != 'd' && type != 'r') {
		diag(c, at, "rule \"%s\": only d: (and r:) rules take a third part", rule);
		return false;
	}
	if (negate)
		bl_buf_adds(b, "{\"not\": ");
	struct term terms[SCA_MAX_TERMS];
	size_t nt = 0;
	bool ok = true;
	switch (type) {
	case 'r':
		c->nregistry++;
		bl_buf_adds(b, "{\"value\": \"registry\", \"notApplicableUnless\": ");
		js(b, "Windows registry rule (r:): no registry on this host");
		bl_buf_addc(b, '}');
		break;
	case 'p':
		if (np > 1) {
			diag(c, at, "rule \"%s\": p: takes a process name only", rule);
			ok = false;
			break;
		}
		bl_buf_adds(b, "{\"count\": {\"field\": \"processes[*]\", \"where\": {\"anyOf\": [");
		bl_buf_adds(b, "{\"field\": \"processes[*].name\", \"equals\": ");
		js(b, parts[0]);
		bl_buf_adds(b, "}, {\"field\": \"processes[*].cmdline\", \"equals\": ");
		js(b, parts[0]);
		bl_buf_adds(b, "}, {\"field\": \"processes[*].cmdline\", \"like\": ");
		js(b, bl_arena_printf(c->a, "%s *", parts[0]));
		bl_buf_adds(b, "}, {\"field\": \"processes[*].cmdline\", \"like\": ");
		js(b, bl_arena_printf(c->a, "*/%s", parts[0]));
		bl_buf_adds(b, "}, {\"field\": \"processes[*].cmdline\", \"like\": ");
		js(b, bl_arena_printf(c->a, "*/%s *", parts[0]));
		bl_buf_adds(b, "}]}}, \"greater\": 0}");
		break;
	case 'c':
		c->ncommands++;
		if (np == 1) {
			bl_buf_adds(b, "{\"field\": ");
			js(b, keyed(c, "command", parts[0], ".exit"));
			bl_buf_adds(b, ", \"exists\": true}");
			break;
		}
		if (!parse_pattern(c, at, parts[1], rule, terms, &nt)) {
			ok = false;
			break;
		}
		emit_content(c, b, keyed(c, "command", parts[0], ".lines"), terms, nt);
		break;
	case 'f': {
		const char *files[SCA_MAX_FILES];
		size_t nf = split_list(c, parts[0], files, SCA_MAX_FILES);
		for (size_t i = 0; i < nf; i++)
			if (files[i][0] != '/') {
				diag(c, at, "rule \"%s\": \"%s\" is not an absolute path", rule, files[i]);
				ok = false;
			}
		if (!nf) {
			diag(c, at, "rule \"%s\": no file named", rule);
			ok = false;
		}
		if (np > 1 && ok && !parse_pattern(c, at, parts[1], rule, terms, &nt))
			ok = false;
		if (!ok)
			break;
		if (nf > 1)
			bl_buf_adds(b, "{\"anyOf\": [");
		for (size_t i = 0; i < nf; i++) {
			if (i)
				bl_buf_adds(b, ", ");
			const char *ex = keyed(c, "file", files[i], ".exists");
			if (np == 1) {
				bl_buf_adds(b, "{\"field\": ");
				js(b, ex);
				bl_buf_adds(b, ", \"equals\": true}");
				continue;
			}
			const char *ct = content_text(c, keyed(c, "file", files[i], ".lines"), terms, nt);
			const char *why = bl_arena_printf(
				c->a, "%s does not exist (Wazuh: a content rule on a missing file is invalid)",
				files[i]);
			if (!ct || !why)
				return c->nomem = true, false;
			emit_guarded(b, ex, why, ct);
		}
		if (nf > 1)
			bl_buf_adds(b, "]}");
		break;
	}
	case 'd': {
		const char *dirs[SCA_MAX_FILES];
		size_t nd = split_list(c, parts[0], dirs, SCA_MAX_FILES);
		for (size_t i = 0; i < nd; i++)
			if (dirs[i][0] != '/') {
				diag(c, at, "rule \"%s\": \"%s\" is not an absolute path", rule, dirs[i]);
				ok = false;
			}
		if (!nd) {
			diag(c, at, "rule \"%s\": no directory named", rule);
			ok = false;
		}
		struct term name[SCA_MAX_TERMS];
		size_t nn = 0;
		if (np > 1 && ok) {
			ok = parse_pattern(c, at, parts[1], rule, name, &nn);
			if (ok && nn != 1) {
				diag(c, at, "rule \"%s\": d: takes one file name pattern", rule);
				ok = false;
			}
		}
		if (np > 2 && ok && !parse_pattern(c, at, parts[2], rule, terms, &nt))
			ok = false;
		if (!ok)
			break;
		if (nd > 1)
			bl_buf_adds(b, "{\"anyOf\": [");
		for (size_t i = 0; i < nd; i++) {
			if (i)
				bl_buf_adds(b, ", ");
			const char *ex = keyed(c, "dir_walk", dirs[i], ".exists");
			if (np == 1) {
				bl_buf_adds(b, "{\"field\": ");
				js(b, ex);
				bl_buf_adds(b, ", \"equals\": true}");
				continue;
			}
			const char *ct;
			if (np == 2) {
				/* some file's name matches: not (every name fails) */
				struct bl_buf w;
				bl_buf_init(&w, 1u << 22);
				bl_buf_adds(&w, "{\"not\": ");
				emit_leaf(c, &w, keyed(c, "dir_walk", dirs[i], ".files[*].name"), &name[0], true);
				bl_buf_adds(&w, "}");
				ct = w.failed ? NULL : bl_arena_strndup(c->a, w.data, w.len);
				bl_buf_free(&w);
			} else {
				const char *fs = keyed(c, "dir_walk", dirs[i], ".files[*]");
				struct bl_buf w;
				bl_buf_init(&w, 1u << 22);
				bl_buf_adds(&w, "{\"count\": {\"field\": ");
				js(&w, fs);
				bl_buf_adds(&w, ", \"where\": {\"allOf\": [");
				emit_leaf(c, &w, bl_arena_printf(c->a, "%s.name", fs), &name[0], false);
				bl_buf_adds(&w, ", ");
				emit_content(c, &w, bl_arena_printf(c->a, "%s.lines", fs), terms, nt);
				bl_buf_adds(&w, "]}}, \"greater\": 0}");
				ct = w.failed ? NULL : bl_arena_strndup(c->a, w.data, w.len);
				bl_buf_free(&w);
			}
			const char *why = bl_arena_printf(
				c->a, "%s is not a directory (Wazuh: a d: rule on a missing directory is invalid)",
				dirs[i]);
			if (!ct || !why)
				return c->nomem = true, false;
			emit_guarded(b, ex, why, ct);
		}
		if (nd > 1)
			bl_buf_adds(b, "]}");
		break;
	}
	}
	if (negate)
		bl_buf_addc(b, '}');
	return ok;
}

/* condition + rules -> allOf / anyOf / not anyOf. */
static bool emit_condition(struct ctx *c, struct bl_buf *b, const struct bl_value *owner,
			   const char *what)
{
	const struct bl_value *cond = bl_value_getz(owner, "condition");
	const struct bl_value *rules = bl_value_getz(owner, "rules");
	bool ok = true;
	const char *kind = NULL;
	if (!cond || cond->type != BL_VSTR) {
		diag(c, cond ? cond : owner, "%s: condition must be all, any or none", what);
		ok = false;
	} else {
		size_t l = cond->u.str.len;
		const char *s = cond->u.str.s;
		if ((l == 3 && !memcmp(s, "all", 3)) || (l == 12 && !memcmp(s, "all required", 12)))
			kind = "all";
		else if ((l == 3 && !memcmp(s, "any", 3)) || (l == 12 && !memcmp(s, "any required", 12)))
			kind = "any";
		else if (l == 4 && !memcmp(s, "none", 4))
			kind = "none";
		else {
			diag(c, cond, "%s: condition \"%.*s\" must be all, any or none", what, (int)l, s);
			ok = false;
		}
	}
	if (!rules || rules->type != BL_VARR || rules->u.arr.n == 0) {
		diag(c, rules ? rules : owner, "%s: rules must be a non-empty list of strings", what);
		return false;
	}
	if (!ok)
		kind = "all";
	if (rules->u.arr.n == 1 && kind[1] != 'o' && rules->u.arr.items[0].type == BL_VSTR) {
		/* one rule: all and any are the rule itself */
		char *s1 = subst(c, rules->u.arr.items[0].u.str.s, rules->u.arr.items[0].u.str.len);
		return s1 && emit_rule(c, b, &rules->u.arr.items[0], s1) && ok;
	}
	bl_buf_adds(b, kind[1] == 'o' ? "{\"not\": {\"anyOf\": [" : kind[1] == 'l' ? "{\"allOf\": ["
										 : "{\"anyOf\": [");
	for (uint32_t i = 0; i < rules->u.arr.n; i++) {
		const struct bl_value *r = &rules->u.arr.items[i];
		if (r->type != BL_VSTR) {
			diag(c, r, "%s: a rule must be a string", what);
			ok = false;
			continue;
		}
		char *s = subst(c, r->u.str.s, r->u.str.len);
		if (!s)
			return false;
		if (i)
			bl_buf_adds(b, ", ");
		ok = emit_rule(c, b, r, s) && ok;
	}
	bl_buf_adds(b, kind[1] == 'o' ? "]}}" : "]}");
	return ok;
}

/* ---- checks ------------------------------------------------------------------ */

static bool key_in(const char *k, size_t len, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (strlen(set[i]) == len && memcmp(set[i], k, len) == 0)
			return true;
	return false;
}

static void unknown_keys(struct ctx *c, const struct bl_value *obj, const char *const *known,
			 const char *what)
{
	for (uint32_t i = 0; i < obj->u.obj.n; i++) {
		const struct bl_member *m = &obj->u.obj.items[i];
		if (!key_in(m->key, m->klen, known)) {
			c->failed = true;
			if (bl_diag_add(c->diags, obj->file, m->line, m->col, "%s: unknown key \"%.*s\"",
					what, (int)m->klen, m->key) == BL_ENOMEM)
				c->nomem = true;
		}
	}
}

/* An optional string member: its text or NULL; a wrong type is diagnosed. */
static const char *opt_str(struct ctx *c, const struct bl_value *obj, const char *key,
			   const char *what, size_t *len)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	if (!v || v->type == BL_VNULL)
		return NULL;
	const char *s = scalar(v, len);
	if (!s)
		diag(c, v, "%s: %s must be a string", what, key);
	return s;
}

struct maps {
	struct bl_buf nist, cis8, refs;
	size_t nnist, ncis8, nrefs;
};

static void ref_add(struct maps *m, const char *s, size_t len)
{
	bl_buf_adds(&m->refs, m->nrefs++ ? ", " : "");
	jsn(&m->refs, s, len);
}

/* One compliance framework with its ids (a list or a scalar). */
static void compliance_one(struct ctx *c, struct maps *m, const char *key, size_t klen,
			   const struct bl_value *ids)
{
	bool nist = (klen == 11 && !memcmp(key, "nist_800_53", 11)) ||
		    (klen == 14 && (!memcmp(key, "nist_sp_800-53", 14) || !memcmp(key, "nist_sp_800_53", 14)));
	bool cis8 = klen == 10 && !memcmp(key, "cis_csc_v8", 10);
	const struct bl_catalog *cat = nist ? bl_catalog_find(c->cats, "nist-800-53-r5")
				      : cis8 ? bl_catalog_find(c->cats, "cis-v8") : NULL;
	struct bl_buf kept;
	bl_buf_init(&kept, 1u << 20);
	uint32_t n = ids->type == BL_VARR ? ids->u.arr.n : 1;
	size_t nkept = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct bl_value *v = ids->type == BL_VARR ? &ids->u.arr.items[i] : ids;
		size_t len;
		const char *s = scalar(v, &len);
		if (!s) {
			diag(c, v, "compliance %.*s: ids must be strings", (int)klen, key);
			continue;
		}
		char raw[64], canon[64];
		if (cat && len < sizeof raw) {
			memcpy(raw, s, len);
			raw[len] = '\0';
			if (bl_fw_canonical_id(canon, sizeof canon, raw) && bl_catalog_accepts(cat, canon)) {
				struct bl_buf *to = nist ? &m->nist : &m->cis8;
				size_t *cnt = nist ? &m->nnist : &m->ncis8;
				bl_buf_adds(to, (*cnt)++ ? ", " : "");
				js(to, canon);
				continue;
			}
		}
		bl_buf_printf(&kept, "%s%.*s", nkept++ ? ", " : "", (int)len, s);
	}
	if (nkept) {
		char *r = bl_arena_printf(c->a, "%.*s: %.*s", (int)klen, key, (int)kept.len,
					  kept.data ? kept.data : "");
		if (r)
			ref_add(m, r, strlen(r));
		else
			c->nomem = true;
	}
	bl_buf_free(&kept);
}

static void compliance(struct ctx *c, struct maps *m, const struct bl_value *v)
{
	if (!v || v->type == BL_VNULL)
		return;
	if (v->type == BL_VOBJ) {
		for (uint32_t i = 0; i < v->u.obj.n; i++)
			compliance_one(c, m, v->u.obj.items[i].key, v->u.obj.items[i].klen,
				       &v->u.obj.items[i].val);
		return;
	}
	if (v->type != BL_VARR) {
		diag(c, v, "compliance must be a list of single-key maps (4.x) or a map (5.x)");
		return;
	}
	for (uint32_t i = 0; i < v->u.arr.n; i++) {
		const struct bl_value *e = &v->u.arr.items[i];
		if (e->type != BL_VOBJ || e->u.obj.n != 1) {
			diag(c, e, "compliance: each entry must be a map with one key");
			continue;
		}
		compliance_one(c, m, e->u.obj.items[0].key, e->u.obj.items[0].klen,
			       &e->u.obj.items[0].val);
	}
}

/* mitre (5.x): {tactic: [...], technique: [...], subtechnique: [...]} or a list. */
static void mitre(struct ctx *c, struct maps *m, const struct bl_value *v)
{
	if (!v || v->type == BL_VNULL)
		return;
	if (v->type == BL_VOBJ) {
		for (uint32_t i = 0; i < v->u.obj.n; i++) {
			char *k = bl_arena_printf(c->a, "mitre_%.*s", (int)v->u.obj.items[i].klen,
						  v->u.obj.items[i].key);
			if (!k) {
				c->nomem = true;
				return;
			}
			compliance_one(c, m, k, strlen(k), &v->u.obj.items[i].val);
		}
		return;
	}
	compliance_one(c, m, "mitre", 5, v);
}

static void references(struct ctx *c, struct maps *m, const struct bl_value *v)
{
	if (!v || v->type == BL_VNULL)
		return;
	uint32_t n = v->type == BL_VARR ? v->u.arr.n : 1;
	for (uint32_t i = 0; i < n; i++) {
		const struct bl_value *e = v->type == BL_VARR ? &v->u.arr.items[i] : v;
		size_t len;
		const char *s = scalar(e, &len);
		if (!s) {
			diag(c, e, "references must be strings");
			continue;
		}
		ref_add(m, s, len);
	}
}

/* A control id piece: characters outside [A-Za-z0-9._:-] become '-'. */
static void id_piece(struct bl_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
		if (!alnum && b->len == 0)
			continue;  /* an id starts with a letter or digit (fuzzing found "-x") */
		bool ok = alnum || ch == '.' || ch == '_' || ch == ':' || ch == '-';
		bl_buf_addc(b, ok ? ch : '-');
	}
}

static const char *const CHECK_KEYS[] = {
	"id", "title", "name", "description", "rationale", "remediation", "impact", "references",
	"compliance", "mitre", "condition", "rules", "regex_type", NULL,
};

static void emit_check(struct ctx *c, struct bl_buf *out, const struct bl_value *chk,
		       const char *pid, const char *applies)
{
	if (chk->type != BL_VOBJ) {
		diag(c, chk, "a check must be a map");
		return;
	}
	unknown_keys(c, chk, CHECK_KEYS, "check");
	size_t idl = 0, tl = 0, dl = 0, rl = 0, reml = 0, il = 0;
	const struct bl_value *idv = bl_value_getz(chk, "id");
	const char *id = scalar(idv, &idl);
	if (!id || !idl) {
		diag(c, idv ? idv : chk, "check: id is required (a number or a string)");
		return;
	}
	const char *what = bl_arena_printf(c->a, "check %.*s", (int)idl, id);
	if (!what) {
		c->nomem = true;
		return;
	}
	const char *title = opt_str(c, chk, "title", what, &tl);
	if (!title)
		title = opt_str(c, chk, "name", what, &tl);
	if (!title)
		diag(c, chk, "%s: title (4.x) or name (5.x) is required", what);
	const char *desc = opt_str(c, chk, "description", what, &dl);
	const char *rat = opt_str(c, chk, "rationale", what, &rl);
	const char *rem = opt_str(c, chk, "remediation", what, &reml);
	const char *imp = opt_str(c, chk, "impact", what, &il);
	const struct bl_value *rx = bl_value_getz(chk, "regex_type");
	bool saved = c->pcre2;
	if (rx && rx->type == BL_VSTR)
		c->pcre2 = rx->u.str.len == 5 && !memcmp(rx->u.str.s, "pcre2", 5);

	struct maps m;
	memset(&m, 0, sizeof m);
	bl_buf_init(&m.nist, 1u << 20);
	bl_buf_init(&m.cis8, 1u << 20);
	bl_buf_init(&m.refs, 1u << 22);
	compliance(c, &m, bl_value_getz(chk, "compliance"));
	mitre(c, &m, bl_value_getz(chk, "mitre"));
	references(c, &m, bl_value_getz(chk, "references"));

	struct bl_buf cond;
	bl_buf_init(&cond, 1u << 24);
	emit_condition(c, &cond, chk, what);
	c->pcre2 = saved;

	bl_buf_adds(out, "  - id: ");
	struct bl_buf cid;
	bl_buf_init(&cid, 512);
	id_piece(&cid, pid, strlen(pid));
	if (cid.len == 0)
		bl_buf_adds(&cid, "sca");   /* a policy id with no letter or digit */
	bl_buf_addc(&cid, '-');
	id_piece(&cid, id, idl);
	jsn(out, cid.data ? cid.data : "", cid.len);
	bl_buf_free(&cid);
	bl_buf_adds(out, "\n    title: ");
	jsn(out, title ? title : "", title ? tl : 0);
	bl_buf_adds(out, "\n    severity: medium\n    scope: {types: [linux.host]}\n");
	if (m.nnist || m.ncis8) {
		bl_buf_adds(out, "    maps: {");
		if (m.nnist)
			bl_buf_printf(out, "nist-800-53-r5: [%.*s]", (int)m.nist.len, m.nist.data);
		if (m.ncis8)
			bl_buf_printf(out, "%scis-v8: [%.*s]", m.nnist ? ", " : "", (int)m.cis8.len,
				      m.cis8.data);
		bl_buf_adds(out, "}\n");
	}
	if (applies) {
		bl_buf_adds(out, "    applies: ");
		bl_buf_adds(out, applies);
		bl_buf_addc(out, '\n');
	}
	bl_buf_adds(out, "    expect: ");
	bl_buf_add(out, cond.data ? cond.data : "{}", cond.data ? cond.len : 2);
	bl_buf_addc(out, '\n');
	if (desc || rat) {
		char *t = bl_arena_printf(c->a, "%.*s%s%.*s", (int)(desc ? dl : 0), desc ? desc : "",
					  desc && rat ? "\n\n" : "", (int)(rat ? rl : 0), rat ? rat : "");
		if (!t)
			c->nomem = true;
		bl_buf_adds(out, "    rationale: ");
		js(out, t ? t : "");
		bl_buf_addc(out, '\n');
	}
	if (rem || imp) {
		char *t = bl_arena_printf(c->a, "%.*s%sImpact: %.*s", (int)(rem ? reml : 0),
					  rem ? rem : "", rem ? "\n\n" : "", (int)(imp ? il : 0), imp ? imp : "");
		if (t && !imp)
			t[rem ? reml : 0] = '\0';   /* no impact: the remediation alone */
		if (!t)
			c->nomem = true;
		bl_buf_adds(out, "    remediation: ");
		js(out, t ? t : "");
		bl_buf_addc(out, '\n');
	}
	if (m.nrefs)
		bl_buf_printf(out, "    references: [%.*s]\n", (int)m.refs.len, m.refs.data);
	if (m.nist.failed || m.cis8.failed || m.refs.failed || cond.failed)
		c->nomem = true;
	bl_buf_free(&m.nist);
	bl_buf_free(&m.cis8);
	bl_buf_free(&m.refs);
	bl_buf_free(&cond);
}

/* ---- the policy ----------------------------------------------------------------- */

static const char *const TOP_KEYS[] = {"policy", "requirements", "variables", "checks", NULL};
static const char *const POLICY_KEYS[] = {"id", "file", "name", "description", "references",
					  "regex_type", NULL};
static const char *const REQ_KEYS[] = {"title", "description", "condition", "rules", NULL};

/* Decide 4.x or 5.x: 5.x when a check has `name` or an object `compliance`. */
static int detect_version(const struct bl_value *checks)
{
	for (uint32_t i = 0; checks && checks->type == BL_VARR && i < checks->u.arr.n; i++) {
		const struct bl_value *k = &checks->u.arr.items[i];
		const struct bl_value *comp = bl_value_getz(k, "compliance");
		if (bl_value_getz(k, "name") || (comp && comp->type == BL_VOBJ))
			return 5;
	}
	return 4;
}

int bl_sca_translate(struct bl_buf *out, const struct bl_value *doc, const struct bl_sca_opts *opts,
		     const char *source, struct bl_sca_info *info, struct bl_diags *diags)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_catalogs cats;
	memset(&cats, 0, sizeof cats);
	struct bl_error err;
	bl_error_clear(&err);
	struct ctx c = {.diags = diags, .a = &a, .cats = &cats};
	int rc = 0;
	if (opts && opts->catalogs)
		c.cats = opts->catalogs;
	else if (bl_catalogs_load(&cats, &err)) {
		bl_diag_add_error(diags, &err);
		rc = BL_EINTERNAL;
		goto done;
	}
	if (!doc || doc->type != BL_VOBJ) {
		diag(&c, doc, "not a Wazuh SCA policy: expected a map with policy and checks");
		goto done;
	}
	unknown_keys(&c, doc, TOP_KEYS, "policy file");
	const struct bl_value *pol = bl_value_getz(doc, "policy");
	const struct bl_value *checks = bl_value_getz(doc, "checks");
	const struct bl_value *req = bl_value_getz(doc, "requirements");
	const struct bl_value *vars = bl_value_getz(doc, "variables");
	if (!pol || pol->type != BL_VOBJ) {
		diag(&c, pol ? pol : doc, "policy: required, a map with id and name");
		goto done;
	}
	unknown_keys(&c, pol, POLICY_KEYS, "policy");
	size_t pidl = 0, pnl = 0, pdl = 0;
	const struct bl_value *pidv = bl_value_getz(pol, "id");
	const char *pid = scalar(pidv, &pidl);
	if (!pid || !pidl) {
		diag(&c, pidv ? pidv : pol, "policy: id is required");
		goto done;
	}
	const char *pname = opt_str(&c, pol, "name", "policy", &pnl);
	const char *pdesc = opt_str(&c, pol, "description", "policy", &pdl);
	if (vars && vars->type != BL_VOBJ && vars->type != BL_VNULL)
		diag(&c, vars, "variables must be a map of $name: value");
	else if (vars && vars->type == BL_VOBJ)
		c.vars = vars;
	for (uint32_t i = 0; c.vars && i < c.vars->u.obj.n; i++)
		if (c.vars->u.obj.items[i].key[0] != '$' || c.vars->u.obj.items[i].klen < 2)
			bl_diag_add(diags, vars->file, c.vars->u.obj.items[i].line,
				    c.vars->u.obj.items[i].col, "variables: \"%.*s\" must start with $",
				    (int)c.vars->u.obj.items[i].klen, c.vars->u.obj.items[i].key),
				c.failed = true;
	if (!checks || checks->type != BL_VARR) {
		diag(&c, checks ? checks : doc, "checks: required, a list of checks");
		goto done;
	}
	c.version = opts && opts->version ? opts->version : detect_version(checks);
	const struct bl_value *rx = bl_value_getz(pol, "regex_type");
	if (rx && !(rx->type == BL_VSTR && ((rx->u.str.len == 5 && !memcmp(rx->u.str.s, "pcre2", 5)) ||
					     (rx->u.str.len == 7 && !memcmp(rx->u.str.s, "osregex", 7)))))
		diag(&c, rx, "policy: regex_type must be pcre2 or osregex");
	c.pcre2 = c.version == 5 || (rx && rx->type == BL_VSTR && rx->u.str.len == 5);

	char *pid0 = bl_arena_strndup(&a, pid, pidl);
	if (!pid0) {
		rc = BL_ENOMEM;
		goto done;
	}
	/* requirements -> applies */
	const char *applies = NULL;
	if (req && req->type != BL_VNULL) {
		if (req->type != BL_VOBJ) {
			diag(&c, req, "requirements must be a map with condition and rules");
		} else {
			unknown_keys(&c, req, REQ_KEYS, "requirements");
			size_t rtl = 0;
			const char *rt = opt_str(&c, req, "title", "requirements", &rtl);
			struct bl_buf rb;
			bl_buf_init(&rb, 1u << 22);
			bl_buf_adds(&rb, "{\"anyOf\": [");
			emit_condition(&c, &rb, req, "requirements");
			bl_buf_adds(&rb, ", {\"value\": \"requirement\", \"notApplicableUnless\": ");
			char *why = bl_arena_printf(&a, "policy requirement not met: %.*s", (int)(rt ? rtl : 12),
						    rt ? rt : "requirements");
			js(&rb, why ? why : "policy requirement not met");
			bl_buf_adds(&rb, "}]}");
			applies = rb.failed ? NULL : bl_arena_strndup(&a, rb.data, rb.len);
			if (!applies)
				c.nomem = true;
			bl_buf_free(&rb);
		}
	}

	/* the baseline id: the policy id in lower case, [a-z0-9._-] */
	struct bl_buf bid;
	bl_buf_init(&bid, 256);
	for (size_t i = 0; i < pidl && i < 100; i++) {
		char ch = pid[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		if (!alnum && bid.len == 0)
			continue;  /* a baseline id starts with a letter or digit */
		bool ok = alnum || ch == '.' || ch == '_' || ch == '-';
		bl_buf_addc(&bid, ok ? ch : '-');
	}
	if (bid.len == 0)
		bl_buf_adds(&bid, "sca");
	bl_buf_printf(out, "# Imported from the Wazuh SCA policy %s (%s) with SCA %d.x semantics and\n"
			   "# %s regexes by `baseline import wazuh-sca`; see docs/wazuh-sca.md.\n",
		      pid0, source ? source : "-", c.version, c.pcre2 ? "PCRE2" : "OS_Regex");
	if (pdesc) {
		bl_buf_adds(out, "# ");
		for (size_t i = 0; i < pdl && i < 400; i++)
			bl_buf_addc(out, pdesc[i] == '\n' ? ' ' : pdesc[i]);
		bl_buf_addc(out, '\n');
	}
	bl_buf_printf(out, "baseline: %.*s\nversion: 1.0.0\ntitle: ", (int)bid.len, bid.data);
	bl_buf_free(&bid);
	if (pname)
		jsn(out, pname, pnl);
	else
		js(out, pid0);
	bl_buf_adds(out, "\ncontrols:\n");

	/* checks, with duplicate ids refused */
	for (uint32_t i = 0; i < checks->u.arr.n; i++) {
		const struct bl_value *k = &checks->u.arr.items[i];
		size_t l1, l2;
		const char *id1 = scalar(bl_value_getz(k, "id"), &l1);
		for (uint32_t j = 0; id1 && j < i; j++) {
			const char *id2 = scalar(bl_value_getz(&checks->u.arr.items[j], "id"), &l2);
			if (id2 && l1 == l2 && !memcmp(id1, id2, l1)) {
				const struct bl_value *first = bl_value_getz(&checks->u.arr.items[j], "id");
				diag(&c, bl_value_getz(k, "id"), "check id %.*s is a duplicate (first at line %u)",
				     (int)l1, id1, first->line);
				break;
			}
		}
		emit_check(&c, out, k, pid0, applies);
		if (c.nomem)
			break;
	}
	if (!checks->u.arr.n)
		diag(&c, checks, "checks: the list is empty");
	if (info && !c.failed) {
		memset(info, 0, sizeof(*info));
		snprintf(info->policy_id, sizeof info->policy_id, "%s", pid0);
		info->version = c.version;
		info->pcre2 = c.pcre2;
		info->nchecks = checks->u.arr.n;
		info->ncommands = c.ncommands;
		info->nregistry = c.nregistry;
	}
done:
	if (!rc)
		rc = c.nomem || out->failed ? BL_ENOMEM : c.failed ? BL_EINVAL : 0;
	bl_catalogs_free(&cats);
	bl_arena_free(&a);
	return rc;
}

int bl_sca_import_doc(const struct bl_value **out, struct bl_arena *a, const struct bl_value *doc,
		      const struct bl_sca_opts *opts, const char *source, struct bl_sca_info *info,
		      struct bl_diags *diags)
{
	*out = NULL;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	int rc = bl_sca_translate(&b, doc, opts, source, info, diags);
	if (!rc) {
		struct bl_error err;
		bl_error_clear(&err);
		char *name = bl_arena_printf(a, "%s (imported)", source ? source : "-");
		if (!name)
			rc = BL_ENOMEM;
		else if ((rc = bl_doc_parse(out, a, b.data ? b.data : "", b.len, name, &err))) {
			if (rc != BL_ENOMEM) {
				bl_diag_add_error(diags, &err);
				rc = BL_EINTERNAL;
			}
		}
	}
	if (!rc) {
		/* what is accepted must load as a baseline (ids made valid, no
		 * duplicates after that...): check it here, once, for every caller */
		struct bl_baseline *bl = NULL;
		rc = bl_baseline_from_doc(&bl, *out, diags);
		bl_baseline_free(bl);
		if (rc)
			*out = NULL;
	}
	bl_buf_free(&b);
	return rc;
}
