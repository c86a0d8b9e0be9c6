/*
 * exceptions.c - exception documents (FORMATS.md §5): validation with
 * file:line:col for every problem, matching, and whole-UTC-day expiry (see
 * exceptions.h and docs/exceptions.md).
 */
#include "model/exceptions.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/load.h"
#include "model/schema.h"
#include "util/str.h"

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))
#define AT(v) (v)->line, (v)->col

static const char *const category_names[] = {"waiver", "mitigated", "risk-accepted"};

const char *bl_exc_category_name(enum bl_exc_category c)
{
	return (unsigned)c < COUNT(category_names) ? category_names[c] : "unknown";
}

/* ---- dates (proleptic Gregorian, UTC) ---------------------------------- */

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool bl_date_parse(const char *s, size_t len, int64_t *days)
{
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return false;
	unsigned maxd = mdays[m - 1] + (m == 2 && leap(y));
	if (d > maxd)
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

int64_t bl_day_of(int64_t t)
{
	/* floor division: a time before 1970 still lands on its own day */
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

void bl_date_format(int64_t z, char out[11])
{
	/* civil_from_days */
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	unsigned yy = (unsigned)(y < 0 ? 0 : y % 10000);
	out[0] = (char)('0' + yy / 1000);
	out[1] = (char)('0' + yy / 100 % 10);
	out[2] = (char)('0' + yy / 10 % 10);
	out[3] = (char)('0' + yy % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

bool bl_exception_active(const struct bl_exception *e, int64_t now)
{
	return bl_day_of(now) <= e->expires_day;
}

int64_t bl_exception_days_left(const struct bl_exception *e, int64_t now)
{
	return e->expires_day - bl_day_of(now);
}

bool bl_exception_matches(const struct bl_exception *e, const char *control, const char *asset)
{
	if (!e->control || !bl_glob_match(e->control, strlen(e->control), control, strlen(control), false))
		return false;
	size_t alen = strlen(asset);
	for (size_t i = 0; i < e->nassets; i++)
		if (bl_glob_match(e->assets[i], strlen(e->assets[i]), asset, alen, true))
			return true;
	return false;
}

const struct bl_exception *bl_exceptions_find(const struct bl_exceptions *x, const char *control,
					      const char *asset, int64_t now)
{
	const struct bl_exception *expired = NULL;
	for (size_t i = 0; x && i < x->n; i++) {
		const struct bl_exception *e = &x->items[i];
		if (!bl_exception_matches(e, control, asset))
			continue;
		if (bl_exception_active(e, now))
			return e;
		if (!expired)
			expired = e;
	}
	return expired;
}

/* ---- validation ---------------------------------------------------------- */

struct ctx {
	struct bl_exceptions *x;
	struct bl_arena *a;
	struct bl_diags *d;
	const char *file;
	int64_t today;
	int max_days;
	size_t bad;
	bool oom;
};

static void diag(struct ctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void diag(struct ctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
{
	char msg[640];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->bad++;
	if (bl_diag_add(c->d, c->file, line, col, "%s", msg) == BL_ENOMEM)
		c->oom = true;
}


#define SHOWV(v) bl_schema_show((v)->u.str.s, (v)->u.str.len).s

static char *copy_str(struct ctx *c, const struct bl_value *v)
{
	char *p = bl_arena_strndup(c->a, v->u.str.s, v->u.str.len);
	if (!p)
		c->oom = true;
	return p;
}

enum {
	EK_ID, EK_CONTROL, EK_ASSETS, EK_CATEGORY, EK_JUSTIFICATION, EK_APPROVED_BY,
	EK_TICKET, EK_CREATED, EK_EXPIRES,
};
static const struct bl_schema_key exc_keys[] = {
	[EK_ID] = {"id", BL_T_STR, BL_SK_REQUIRED},
	[EK_CONTROL] = {"control", BL_T_STR, BL_SK_REQUIRED},
	[EK_ASSETS] = {"assets", BL_T_ARR, BL_SK_REQUIRED},
	[EK_CATEGORY] = {"category", BL_T_STR, BL_SK_REQUIRED},
	[EK_JUSTIFICATION] = {"justification", BL_T_STR, BL_SK_REQUIRED},
	[EK_APPROVED_BY] = {"approved_by", BL_T_STR, BL_SK_REQUIRED},
	[EK_TICKET] = {"ticket", BL_T_STR, 0},
	[EK_CREATED] = {"created", BL_T_STR, 0},
	[EK_EXPIRES] = {"expires", BL_T_STR, BL_SK_REQUIRED},
};
static const struct bl_schema exc_schema = {"exception", exc_keys, COUNT(exc_keys)};

static bool blank(const struct bl_value *v)
{
	for (uint32_t i = 0; i < v->u.str.len; i++)
		if (v->u.str.s[i] != ' ' && v->u.str.s[i] != '\t')
			return false;
	return true;
}

/* A required free-text field: present (schema checked) and not blank. */
static const char *text_field(struct ctx *c, const struct bl_member *m)
{
	if (!m)
		return NULL;
	if (blank(&m->val)) {
		diag(c, AT(&m->val), "%.*s must not be empty", (int)m->klen, m->key);
		return NULL;
	}
	return copy_str(c, &m->val);
}

static bool date_field(struct ctx *c, const struct bl_member *m, char out[11], int64_t *days)
{
	const struct bl_value *v = &m->val;
	if (!bl_date_parse(v->u.str.s, v->u.str.len, days)) {
		diag(c, AT(v), "%.*s must be a date YYYY-MM-DD (UTC), not \"%s\"", (int)m->klen,
		     m->key, SHOWV(v));
		return false;
	}
	memcpy(out, v->u.str.s, 10);
	out[10] = '\0';
	return true;
}

static bool exc_id_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
		if (!alnum && (i == 0 || ch == '\0' || !strchr("._:-", ch)))
			return false;
	}
	return true;
}

static void check_exception(struct ctx *c, const struct bl_value *v, struct bl_exception *e)
{
	e->line = v->line;
	e->col = v->col;
	if (v->type != BL_VOBJ) {
		diag(c, AT(v), "an exception must be an object, not %s", bl_schema_value_desc(v));
		return;
	}
	const struct bl_member *f[COUNT(exc_keys)];
	int n = bl_schema_check(f, v, &exc_schema, c->d);
	if (n < 0) {
		c->oom = true;
		return;
	}
	c->bad += (size_t)n;
	if (f[EK_ID]) {
		const struct bl_value *id = &f[EK_ID]->val;
		if (!exc_id_ok(id->u.str.s, id->u.str.len))
			diag(c, AT(id), "exception id \"%s\" is invalid: use letters, digits, \".\", \"_\", "
					"\":\" and \"-\", starting with a letter or digit", SHOWV(id));
		else
			e->id = copy_str(c, id);
	}
	if (f[EK_CONTROL]) {
		const struct bl_value *cv = &f[EK_CONTROL]->val;
		if (blank(cv))
			diag(c, AT(cv), "control must name a control id or a glob such as \"AZ-ST-*\"");
		else
			e->control = copy_str(c, cv);
	}
	if (f[EK_ASSETS]) {
		const struct bl_value *arr = &f[EK_ASSETS]->val;
		if (arr->u.arr.n == 0)
			diag(c, AT(arr), "assets must list at least one asset id or glob (\"*\" for every asset)");
		e->assets = bl_arena_calloc(c->a, arr->u.arr.n + 1, sizeof(*e->assets));
		if (!e->assets) {
			c->oom = true;
			return;
		}
		for (uint32_t i = 0; i < arr->u.arr.n; i++) {
			const struct bl_value *g = &arr->u.arr.items[i];
			if (g->type != BL_VSTR)
				diag(c, AT(g), "assets entries must be strings, not %s", bl_schema_value_desc(g));
			else if (g->u.str.len == 0)
				diag(c, AT(g), "assets entries must not be empty");
			else
				e->assets[e->nassets++] = copy_str(c, g);
		}
	}
	if (f[EK_CATEGORY]) {
		const struct bl_value *cv = &f[EK_CATEGORY]->val;
		int k = -1;
		for (size_t i = 0; i < COUNT(category_names); i++)
			if (cv->u.str.len == strlen(category_names[i]) &&
			    memcmp(cv->u.str.s, category_names[i], cv->u.str.len) == 0)
				k = (int)i;
		if (k < 0)
			diag(c, AT(cv), "category must be waiver, mitigated or risk-accepted, not \"%s\"",
			     SHOWV(cv));
		else
			e->category = (enum bl_exc_category)k;
	}
	e->justification = text_field(c, f[EK_JUSTIFICATION]);
	e->approved_by = text_field(c, f[EK_APPROVED_BY]);
	if (f[EK_TICKET])
		e->ticket = text_field(c, f[EK_TICKET]);
	int64_t created = 0;
	bool have_created = f[EK_CREATED] && date_field(c, f[EK_CREATED], e->created, &created);
	if (f[EK_EXPIRES] && date_field(c, f[EK_EXPIRES], e->expires, &e->expires_day)) {
		const struct bl_value *ev = &f[EK_EXPIRES]->val;
		int64_t ahead = e->expires_day - c->today;
		if (ahead > c->max_days) {
			char limit[11];
			bl_date_format(c->today + c->max_days, limit);
			diag(c, AT(ev), "expires %s is %lld days ahead: an exception may last at most %d "
					"days (until %s; see --max-exception-days)",
			     e->expires, (long long)ahead, c->max_days, limit);
		}
		if (have_created && created > e->expires_day)
			diag(c, AT(&f[EK_CREATED]->val), "created %s is after expires %s", e->created,
			     e->expires);
	}
}

static void check_doc(struct ctx *c, const struct bl_value *doc)
{
	if (!doc || doc->type != BL_VOBJ) {
		uint32_t line = doc && doc->line ? doc->line : 1, col = doc && doc->col ? doc->col : 1;
		diag(c, line, col, "not an exception document: it must be a mapping with "
				   "\"exceptions: [...]\", not %s",
		     doc ? bl_schema_value_desc(doc) : "empty");
		return;
	}
	if (doc->u.obj.n > 0) {
		const struct bl_member *m = &doc->u.obj.items[0];
		if ((m->klen == 8 && memcmp(m->key, "baseline", 8) == 0) ||
		    (m->klen == 9 && memcmp(m->key, "inventory", 9) == 0)) {
			diag(c, m->line, m->col, "not an exception document (a %.*s document)",
			     (int)m->klen, m->key);
			return;
		}
	}
	static const struct bl_schema_key top_keys[] = {{"exceptions", BL_T_ARR, BL_SK_REQUIRED}};
	static const struct bl_schema top = {"exception document", top_keys, 1};
	const struct bl_member *f[1];
	int n = bl_schema_check(f, doc, &top, c->d);
	if (n < 0) {
		c->oom = true;
		return;
	}
	c->bad += (size_t)n;
	if (!f[0])
		return;
	const struct bl_value *arr = &f[0]->val;
	struct bl_exceptions *x = c->x;
	x->items = bl_arena_calloc(c->a, arr->u.arr.n + 1, sizeof(*x->items));
	if (!x->items) {
		c->oom = true;
		return;
	}
	x->n = arr->u.arr.n;
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		x->items[i].index = i;
		check_exception(c, &arr->u.arr.items[i], &x->items[i]);
	}
	for (size_t i = 0; i < x->n; i++)
		for (size_t j = 0; j < i; j++)
			if (x->items[i].id && x->items[j].id &&
			    strcmp(x->items[i].id, x->items[j].id) == 0) {
				diag(c, x->items[i].line, x->items[i].col,
				     "duplicate exception id \"%s\" (first at line %u)",
				     bl_schema_show(x->items[i].id, strlen(x->items[i].id)).s, x->items[j].line);
				break;
			}
}

static struct bl_exceptions *exceptions_new(void)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_exceptions *x = bl_arena_calloc(&a, 1, sizeof(*x));
	if (!x) {
		bl_arena_free(&a);
		return NULL;
	}
	x->arena = a;
	return x;
}

void bl_exceptions_free(struct bl_exceptions *x)
{
	if (!x)
		return;
	struct bl_arena a = x->arena;
	bl_arena_free(&a);
}

static int build(struct bl_exceptions *x, const struct bl_value *doc,
		 const struct bl_exc_opts *opts, struct bl_diags *diags)
{
	struct ctx c = {.x = x, .a = &x->arena, .d = diags};
	c.today = bl_day_of(opts ? opts->now : 0);
	c.max_days = opts && opts->max_days > 0 ? opts->max_days : BL_EXC_MAX_DAYS_DEFAULT;
	if (doc && doc->file) {
		c.file = bl_arena_strndup(c.a, doc->file, strlen(doc->file));
		if (!c.file)
			return BL_ENOMEM;
		x->file = c.file;
	}
	check_doc(&c, doc);
	if (c.oom)
		return BL_ENOMEM;
	return c.bad ? BL_EINVAL : 0;
}

int bl_exceptions_from_doc(struct bl_exceptions **out, const struct bl_value *doc,
			   const struct bl_exc_opts *opts, struct bl_diags *diags)
{
	*out = NULL;
	struct bl_exceptions *x = exceptions_new();
	if (!x)
		return BL_ENOMEM;
	int rc = build(x, doc, opts, diags);
	if (rc) {
		bl_exceptions_free(x);
		return rc;
	}
	*out = x;
	return 0;
}

int bl_exceptions_load(struct bl_exceptions **out, const char *path,
		       const struct bl_exc_opts *opts, struct bl_diags *diags)
{
	*out = NULL;
	struct bl_exceptions *x = exceptions_new();
	if (!x)
		return BL_ENOMEM;
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *doc = NULL;
	int rc = bl_doc_load(&doc, &x->arena, path, &err);
	if (rc) {
		if (bl_diag_add_error(diags, &err) == BL_ENOMEM)
			rc = BL_ENOMEM;
	} else {
		rc = build(x, doc, opts, diags);
	}
	if (rc) {
		bl_exceptions_free(x);
		return rc;
	}
	*out = x;
	return 0;
}
