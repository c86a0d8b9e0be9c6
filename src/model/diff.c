/*
 * diff.c - compare two effective baselines control by control and say which
 * changes weaken the baseline (see diff.h and docs/change-control.md).
 *
 * Weakening is judged on what the engine would do differently, not on the
 * text: a removed control, a lower severity, an effect that enforces less
 * (deny -> audit, anything -> disabled) and a scope that selects fewer asset
 * types, tiers or environments.  A changed condition is shown but not
 * judged: whether a new condition is stricter is undecidable in general.
 */
#include "model/diff.h"

#include <stdio.h>
#include <string.h>

#include "doc/json.h"

/* ---- comparison ------------------------------------------------------------ */

static bool str_in(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (bl_str_ieq(s, strlen(s), list[i], strlen(list[i])))
			return true;
	return false;
}

/* Same set of strings, ignoring case and order. */
static bool str_set_eq(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		if (!str_in(a[i], b, nb))
			return false;
	for (size_t i = 0; i < nb; i++)
		if (!str_in(b[i], a, na))
			return false;
	return true;
}

/* Does new select fewer entries than old?  An empty list selects all. */
static bool str_narrowed(const char *const *o, size_t no, const char *const *n, size_t nn)
{
	if (nn == 0)
		return false;
	if (no == 0)
		return true;
	for (size_t i = 0; i < no; i++)
		if (!str_in(o[i], n, nn))
			return true;
	return false;
}

static bool int_in(int v, const int *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

static bool tiers_narrowed(const int *o, size_t no, const int *n, size_t nn)
{
	if (nn == 0)
		return false;
	if (no == 0)
		return true;
	for (size_t i = 0; i < no; i++)
		if (!int_in(o[i], n, nn))
			return true;
	return false;
}

static bool tiers_eq(const int *a, size_t na, const int *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		if (!int_in(a[i], b, nb))
			return false;
	for (size_t i = 0; i < nb; i++)
		if (!int_in(b[i], a, na))
			return false;
	return true;
}

static bool maps_eq(const struct bl_control *a, const struct bl_control *b)
{
	if (a->nmaps != b->nmaps)
		return false;
	for (size_t i = 0; i < a->nmaps; i++) {
		const struct bl_mapping *m = &a->maps[i], *o = NULL;
		for (size_t k = 0; k < b->nmaps && !o; k++)
			if (strcmp(b->maps[k].framework, m->framework) == 0)
				o = &b->maps[k];
		if (!o || !str_set_eq(m->ids, m->nids, o->ids, o->nids))
			return false;
	}
	return true;
}

static bool opt_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The condition as people read it: applies (if any) and expect/violation. */
static const char *cond_text(const struct bl_control *c, struct bl_arena *a)
{
	const char *applies = c->applies ? bl_cond_describe(c->applies, a) : NULL;
	const char *cond = bl_control_cond_text(c, a);
	return bl_arena_printf(a, "%s%s%s%s", applies ? "applies: " : "", applies ? applies : "",
			       applies ? "\n" : "", cond ? cond : "");
}

static void compare(struct bl_diff_change *ch, struct bl_arena *a)
{
	const struct bl_control *o = ch->old, *n = ch->new_;
	if (o->severity != n->severity)
		ch->fields |= BL_DF_SEVERITY;
	if (n->severity < o->severity)
		ch->weakening |= BL_DW_SEVERITY;
	if (o->effect != n->effect)
		ch->fields |= BL_DF_EFFECT;
	if ((o->effect == BL_EFFECT_DENY && n->effect == BL_EFFECT_AUDIT) ||
	    (o->effect != BL_EFFECT_DISABLED && n->effect == BL_EFFECT_DISABLED))
		ch->weakening |= BL_DW_EFFECT;
	if (!str_set_eq(o->types, o->ntypes, n->types, n->ntypes) ||
	    !tiers_eq(o->tiers, o->ntiers, n->tiers, n->ntiers) ||
	    !str_set_eq(o->environments, o->nenvironments, n->environments, n->nenvironments))
		ch->fields |= BL_DF_SCOPE;
	if (str_narrowed(o->types, o->ntypes, n->types, n->ntypes))
		ch->weakening |= BL_DW_TYPES;
	if (tiers_narrowed(o->tiers, o->ntiers, n->tiers, n->ntiers))
		ch->weakening |= BL_DW_TIERS;
	if (str_narrowed(o->environments, o->nenvironments, n->environments, n->nenvironments))
		ch->weakening |= BL_DW_ENVS;
	if (o->violation != n->violation || !opt_streq(cond_text(o, a), cond_text(n, a)))
		ch->fields |= BL_DF_CONDITION;
	if (!opt_streq(o->title, n->title))
		ch->fields |= BL_DF_TITLE;
	if (!maps_eq(o, n))
		ch->fields |= BL_DF_MAPS;
	/* A disabled control is not enforced: weakening it further is moot. */
	if (o->effect == BL_EFFECT_DISABLED)
		ch->weakening = 0;
}

static const struct bl_control *find(const struct bl_baseline *b, const char *id)
{
	for (size_t i = 0; i < b->ncontrols; i++)
		if (b->controls[i].id && bl_str_ieq(b->controls[i].id, strlen(b->controls[i].id), id, strlen(id)))
			return &b->controls[i];
	return NULL;
}

int bl_diff_compute(struct bl_diff *d, const struct bl_baseline *old, const struct bl_baseline *new_)
{
	memset(d, 0, sizeof(*d));
	bl_arena_init(&d->arena, 0);
	d->old = old;
	d->new_ = new_;
	d->version_cmp = bl_semver_cmp(new_->version, old->version);
	d->items = bl_arena_calloc(&d->arena, old->ncontrols + new_->ncontrols + 1, sizeof(*d->items));
	if (!d->items)
		return BL_ENOMEM;
	for (size_t i = 0; i < old->ncontrols; i++) {
		const struct bl_control *o = &old->controls[i];
		if (!o->id)
			continue;
		const struct bl_control *n = find(new_, o->id);
		struct bl_diff_change *ch = &d->items[d->n];
		*ch = (struct bl_diff_change){.id = o->id, .old = o, .new_ = n};
		if (!n) {
			ch->kind = BL_DIFF_REMOVED;
			ch->weakening = o->effect == BL_EFFECT_DISABLED ? 0 : BL_DW_REMOVED;
		} else {
			ch->kind = BL_DIFF_CHANGED;
			compare(ch, &d->arena);
			if (!ch->fields)
				continue;
		}
		d->nweakening += ch->weakening != 0;
		d->n++;
	}
	for (size_t i = 0; i < new_->ncontrols; i++) {
		const struct bl_control *n = &new_->controls[i];
		if (!n->id || find(old, n->id))
			continue;
		d->items[d->n++] = (struct bl_diff_change){.kind = BL_DIFF_ADDED, .id = n->id, .new_ = n};
	}
	return 0;
}

void bl_diff_free(struct bl_diff *d)
{
	bl_arena_free(&d->arena);
	memset(d, 0, sizeof(*d));
}

bool bl_diff_warn(const struct bl_diff *d, const struct bl_diff_change *c)
{
	return c->weakening && d->version_cmp <= 0;
}

/* ---- condition text as lines ---------------------------------------------- */

/* Lay "allOf(a; anyOf(b; c))" out one leaf per line, indented by nesting,
 * so that a line diff shows which leaf changed.  Quoted text and the
 * parentheses of a leaf are left alone. */
static void layout(struct bl_buf *out, const char *s)
{
	char stack[64];
	size_t depth = 0, sdepth = 0;
	bool quote = false;
	for (size_t i = 0; s[i]; i++) {
		char ch = s[i];
		if (quote) {
			bl_buf_addc(out, ch);
			if (ch == '\\' && s[i + 1])
				bl_buf_addc(out, s[++i]);
			else if (ch == '"')
				quote = false;
			continue;
		}
		if (ch == '"') {
			quote = true;
			bl_buf_addc(out, ch);
		} else if (ch == '(') {
			bool structural = (i >= 5 && (strncmp(s + i - 5, "allOf", 5) == 0 ||
						      strncmp(s + i - 5, "anyOf", 5) == 0)) ||
					  (i >= 3 && strncmp(s + i - 3, "not", 3) == 0);
			if (depth < sizeof(stack))
				stack[depth] = structural ? 'S' : 'L';
			depth++;
			bl_buf_addc(out, ch);
			if (structural) {
				sdepth++;
				bl_buf_addc(out, '\n');
				for (size_t k = 0; k < sdepth; k++)
					bl_buf_adds(out, "  ");
			}
		} else if (ch == ')' && depth) {
			depth--;
			if (depth < sizeof(stack) && stack[depth] == 'S' && sdepth) {
				sdepth--;
				bl_buf_addc(out, '\n');
				for (size_t k = 0; k < sdepth; k++)
					bl_buf_adds(out, "  ");
			}
			bl_buf_addc(out, ch);
		} else if (ch == ';' && s[i + 1] == ' ' && sdepth && depth &&
			   (depth > sizeof(stack) || stack[depth - 1] == 'S')) {
			bl_buf_adds(out, ";\n");
			for (size_t k = 0; k < sdepth; k++)
				bl_buf_adds(out, "  ");
			i++;
		} else {
			bl_buf_addc(out, ch);
		}
	}
}

struct lines {
	const char **l;
	size_t n;
};

static int split_lines(struct lines *out, const char *text, struct bl_arena *a)
{
	struct bl_buf b;
	bl_buf_init(&b, 1u << 20);
	layout(&b, text ? text : "");
	if (b.failed) {
		bl_buf_free(&b);
		return BL_ENOMEM;
	}
	char *copy = bl_arena_strndup(a, b.data ? b.data : "", b.len);
	bl_buf_free(&b);
	if (!copy)
		return BL_ENOMEM;
	size_t n = 1;
	for (const char *p = copy; *p; p++)
		n += *p == '\n';
	out->l = bl_arena_calloc(a, n, sizeof(*out->l));
	if (!out->l)
		return BL_ENOMEM;
	out->n = 0;
	char *p = copy;
	for (;;) {
		out->l[out->n++] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return 0;
}

/* A line diff (longest common subsequence); long conditions fall back to
 * "all old lines removed, all new lines added". */
static int line_diff(struct bl_buf *out, const char *old, const char *new_, struct bl_arena *a)
{
	struct lines x, y;
	if (split_lines(&x, old, a) || split_lines(&y, new_, a))
		return BL_ENOMEM;
	enum { MAXL = 300 };
	if (x.n > MAXL || y.n > MAXL) {
		for (size_t i = 0; i < x.n; i++)
			bl_buf_printf(out, "    - %s\n", x.l[i]);
		for (size_t j = 0; j < y.n; j++)
			bl_buf_printf(out, "    + %s\n", y.l[j]);
		return 0;
	}
	unsigned *t = bl_arena_calloc(a, (x.n + 1) * (y.n + 1), sizeof(*t));
	if (!t)
		return BL_ENOMEM;
#define T(i, j) t[(i) * (y.n + 1) + (j)]
	for (size_t i = x.n; i-- > 0;)
		for (size_t j = y.n; j-- > 0;)
			T(i, j) = strcmp(x.l[i], y.l[j]) == 0 ? T(i + 1, j + 1) + 1
				  : (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	size_t i = 0, j = 0;
	while (i < x.n || j < y.n) {
		if (i < x.n && j < y.n && strcmp(x.l[i], y.l[j]) == 0) {
			bl_buf_printf(out, "      %s\n", x.l[i]);
			i++;
			j++;
		} else if (i < x.n && (j == y.n || T(i + 1, j) >= T(i, j + 1))) {
			/* Removals first, as diff -u shows them. */
			bl_buf_printf(out, "    - %s\n", x.l[i++]);
		} else {
			bl_buf_printf(out, "    + %s\n", y.l[j++]);
		}
	}
#undef T
	return 0;
}

/* ---- text ------------------------------------------------------------------ */

static void str_list(struct bl_buf *o, const char *const *l, size_t n)
{
	if (!n) {
		bl_buf_adds(o, "(all)");
		return;
	}
	bl_buf_addc(o, '[');
	for (size_t i = 0; i < n; i++)
		bl_buf_printf(o, "%s%s", i ? ", " : "", l[i]);
	bl_buf_addc(o, ']');
}

static void tier_list(struct bl_buf *o, const int *l, size_t n)
{
	if (!n) {
		bl_buf_adds(o, "(all)");
		return;
	}
	bl_buf_addc(o, '[');
	for (size_t i = 0; i < n; i++)
		bl_buf_printf(o, "%s%d", i ? ", " : "", l[i]);
	bl_buf_addc(o, ']');
}

static const char *version_of(const struct bl_baseline *b)
{
	return b->version ? b->version : "?";
}

/* One line per weakening reason of c. */
static void warnings_of(struct bl_buf *o, const struct bl_diff *d, const struct bl_diff_change *c)
{
	if (!bl_diff_warn(d, c))
		return;
	char tail[160];
	snprintf(tail, sizeof(tail), " (version %.60s is not greater than %.60s)",
		 version_of(d->new_), version_of(d->old));
	const struct bl_control *old = c->old, *n = c->new_;
	if (c->weakening & BL_DW_REMOVED)
		bl_buf_printf(o, "warning: weakening: %s: control removed%s\n", c->id, tail);
	if (c->weakening & BL_DW_SEVERITY)
		bl_buf_printf(o, "warning: weakening: %s: severity lowered from %s to %s%s\n", c->id,
			      bl_severity_name(old->severity), bl_severity_name(n->severity), tail);
	if (c->weakening & BL_DW_EFFECT)
		bl_buf_printf(o, "warning: weakening: %s: effect %s -> %s%s\n", c->id,
			      bl_effect_name(old->effect), bl_effect_name(n->effect), tail);
	if (c->weakening & BL_DW_TYPES)
		bl_buf_printf(o, "warning: weakening: %s: scope narrowed: fewer asset types%s\n", c->id, tail);
	if (c->weakening & BL_DW_TIERS)
		bl_buf_printf(o, "warning: weakening: %s: scope narrowed: fewer tiers%s\n", c->id, tail);
	if (c->weakening & BL_DW_ENVS)
		bl_buf_printf(o, "warning: weakening: %s: scope narrowed: fewer environments%s\n", c->id, tail);
}

int bl_diff_write_warnings(struct bl_buf *o, const struct bl_diff *d)
{
	for (size_t i = 0; i < d->n; i++)
		warnings_of(o, d, &d->items[i]);
	return o->failed ? BL_ENOMEM : 0;
}

static void control_line(struct bl_buf *o, const char *what, const struct bl_control *c)
{
	bl_buf_printf(o, "%s %-16s %-8s %-8s %s\n", what, c->id, bl_severity_name(c->severity),
		      bl_effect_name(c->effect), c->title ? c->title : "");
}

static int changed_block(struct bl_buf *o, const struct bl_diff_change *c, struct bl_arena *a)
{
	const struct bl_control *old = c->old, *n = c->new_;
	bl_buf_printf(o, "changed: %s\n", c->id);
	if (c->fields & BL_DF_TITLE)
		bl_buf_printf(o, "  title: %s -> %s\n", old->title ? old->title : "", n->title ? n->title : "");
	if (c->fields & BL_DF_SEVERITY)
		bl_buf_printf(o, "  severity: %s -> %s\n", bl_severity_name(old->severity),
			      bl_severity_name(n->severity));
	if (c->fields & BL_DF_EFFECT)
		bl_buf_printf(o, "  effect: %s -> %s\n", bl_effect_name(old->effect), bl_effect_name(n->effect));
	if (c->fields & BL_DF_SCOPE) {
		if (!str_set_eq(old->types, old->ntypes, n->types, n->ntypes)) {
			bl_buf_adds(o, "  scope.types: ");
			str_list(o, old->types, old->ntypes);
			bl_buf_adds(o, " -> ");
			str_list(o, n->types, n->ntypes);
			bl_buf_addc(o, '\n');
		}
		if (!tiers_eq(old->tiers, old->ntiers, n->tiers, n->ntiers)) {
			bl_buf_adds(o, "  scope.tiers: ");
			tier_list(o, old->tiers, old->ntiers);
			bl_buf_adds(o, " -> ");
			tier_list(o, n->tiers, n->ntiers);
			bl_buf_addc(o, '\n');
		}
		if (!str_set_eq(old->environments, old->nenvironments, n->environments, n->nenvironments)) {
			bl_buf_adds(o, "  scope.environments: ");
			str_list(o, old->environments, old->nenvironments);
			bl_buf_adds(o, " -> ");
			str_list(o, n->environments, n->nenvironments);
			bl_buf_addc(o, '\n');
		}
	}
	if (c->fields & BL_DF_MAPS)
		bl_buf_adds(o, "  maps changed\n");
	if (c->fields & BL_DF_CONDITION) {
		bl_buf_printf(o, "  condition (%s -> %s):\n", old->violation ? "violation" : "expect",
			      n->violation ? "violation" : "expect");
		int rc = line_diff(o, cond_text(old, a), cond_text(n, a), a);
		if (rc)
			return rc;
	}
	return 0;
}

int bl_diff_write_text(struct bl_buf *o, const struct bl_diff *d)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	size_t counts[3] = {0, 0, 0};
	bl_buf_printf(o, "baseline diff: %s %s -> %s %s\n", d->old->id ? d->old->id : "?",
		      version_of(d->old), d->new_->id ? d->new_->id : "?", version_of(d->new_));
	int rc = 0;
	for (size_t i = 0; i < d->n && rc == 0; i++) {
		const struct bl_diff_change *c = &d->items[i];
		counts[c->kind]++;
		if (c->kind == BL_DIFF_ADDED)
			control_line(o, "added:  ", c->new_);
		else if (c->kind == BL_DIFF_REMOVED)
			control_line(o, "removed:", c->old);
		else
			rc = changed_block(o, c, &a);
	}
	bl_buf_printf(o, "%zu added, %zu removed, %zu changed\n", counts[BL_DIFF_ADDED],
		      counts[BL_DIFF_REMOVED], counts[BL_DIFF_CHANGED]);
	bl_arena_free(&a);
	if (rc)
		return rc;
	return bl_diff_write_warnings(o, d);
}

/* ---- JSON ------------------------------------------------------------------ */

static void jstr(struct bl_buf *o, const char *s)
{
	if (s)
		bl_json_write_str(o, s, strlen(s));
	else
		bl_buf_adds(o, "null");
}

static void jstrs(struct bl_buf *o, const char *const *l, size_t n)
{
	bl_buf_addc(o, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			bl_buf_addc(o, ',');
		jstr(o, l[i]);
	}
	bl_buf_addc(o, ']');
}

static void jscope(struct bl_buf *o, const struct bl_control *c)
{
	bl_buf_adds(o, "{\"types\":");
	jstrs(o, c->types, c->ntypes);
	bl_buf_adds(o, ",\"tiers\":[");
	for (size_t i = 0; i < c->ntiers; i++)
		bl_buf_printf(o, "%s%d", i ? "," : "", c->tiers[i]);
	bl_buf_adds(o, "],\"environments\":");
	jstrs(o, c->environments, c->nenvironments);
	bl_buf_addc(o, '}');
}

static void jside(struct bl_buf *o, const char *key, const struct bl_baseline *b)
{
	bl_buf_printf(o, "\"%s\":{\"id\":", key);
	jstr(o, b->id);
	bl_buf_adds(o, ",\"version\":");
	jstr(o, b->version);
	bl_buf_printf(o, ",\"sha256\":\"%s\"}", b->sha256);
}

static void jcontrol(struct bl_buf *o, const struct bl_control *c)
{
	bl_buf_adds(o, "{\"id\":");
	jstr(o, c->id);
	bl_buf_printf(o, ",\"severity\":\"%s\",\"effect\":\"%s\",\"title\":",
		      bl_severity_name(c->severity), bl_effect_name(c->effect));
	jstr(o, c->title);
	bl_buf_addc(o, '}');
}

static void jchanged(struct bl_buf *o, const struct bl_diff_change *c, struct bl_arena *a)
{
	const struct bl_control *old = c->old, *n = c->new_;
	bl_buf_adds(o, "{\"id\":");
	jstr(o, c->id);
	bl_buf_adds(o, ",\"changes\":{");
	const char *sep = "";
	if (c->fields & BL_DF_TITLE) {
		bl_buf_adds(o, "\"title\":{\"old\":");
		jstr(o, old->title);
		bl_buf_adds(o, ",\"new\":");
		jstr(o, n->title);
		bl_buf_addc(o, '}');
		sep = ",";
	}
	if (c->fields & BL_DF_SEVERITY) {
		bl_buf_printf(o, "%s\"severity\":{\"old\":\"%s\",\"new\":\"%s\"}", sep,
			      bl_severity_name(old->severity), bl_severity_name(n->severity));
		sep = ",";
	}
	if (c->fields & BL_DF_EFFECT) {
		bl_buf_printf(o, "%s\"effect\":{\"old\":\"%s\",\"new\":\"%s\"}", sep,
			      bl_effect_name(old->effect), bl_effect_name(n->effect));
		sep = ",";
	}
	if (c->fields & BL_DF_SCOPE) {
		bl_buf_printf(o, "%s\"scope\":{\"old\":", sep);
		jscope(o, old);
		bl_buf_adds(o, ",\"new\":");
		jscope(o, n);
		bl_buf_addc(o, '}');
		sep = ",";
	}
	if (c->fields & BL_DF_MAPS) {
		bl_buf_printf(o, "%s\"maps\":true", sep);
		sep = ",";
	}
	if (c->fields & BL_DF_CONDITION) {
		bl_buf_printf(o, "%s\"condition\":{\"old\":", sep);
		jstr(o, cond_text(old, a));
		bl_buf_adds(o, ",\"new\":");
		jstr(o, cond_text(n, a));
		bl_buf_addc(o, '}');
	}
	bl_buf_adds(o, "}}");
}

int bl_diff_write_json(struct bl_buf *o, const struct bl_diff *d)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	bl_buf_adds(o, "{");
	jside(o, "old", d->old);
	bl_buf_addc(o, ',');
	jside(o, "new", d->new_);
	bl_buf_printf(o, ",\"version_increased\":%s", d->version_cmp > 0 ? "true" : "false");
	static const char *const kinds[] = {"added", "removed", "changed"};
	for (int k = 0; k < 3; k++) {
		bl_buf_printf(o, ",\"%s\":[", kinds[k]);
		size_t shown = 0;
		for (size_t i = 0; i < d->n; i++) {
			const struct bl_diff_change *c = &d->items[i];
			if ((int)c->kind != k)
				continue;
			if (shown++)
				bl_buf_addc(o, ',');
			if (c->kind == BL_DIFF_CHANGED)
				jchanged(o, c, &a);
			else
				jcontrol(o, c->kind == BL_DIFF_ADDED ? c->new_ : c->old);
		}
		bl_buf_addc(o, ']');
	}
	bl_buf_adds(o, ",\"warnings\":[");
	struct bl_buf w;
	bl_buf_init(&w, 0);
	bl_diff_write_warnings(&w, d);
	size_t shown = 0;
	for (char *p = w.data; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (shown++)
			bl_buf_addc(o, ',');
		bl_json_write_str(o, p, len);
		p = nl ? nl + 1 : p + len;
	}
	bool wfailed = w.failed;
	bl_buf_free(&w);
	bl_buf_adds(o, "]}\n");
	bl_arena_free(&a);
	return (o->failed || wfailed) ? BL_ENOMEM : 0;
}
