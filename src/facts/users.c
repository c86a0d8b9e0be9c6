/*
 * users.c - the `users` namespace (FORMATS.md §3): users[*] from
 * ROOT/etc/passwd joined by name with ROOT/etc/shadow.
 *
 * Each element: {name, uid, gid, gecos, home, shell} and, from shadow,
 * {password_set, locked, password_empty, last_change, min_days, max_days,
 * warn_days, inactive, expire}.  /etc/passwd is required (missing or
 * unreadable: the namespace is an error value, since an empty account list
 * would pass "no other uid 0" controls).  /etc/shadow is optional: when it
 * is missing the password fields come from passwd's own password field;
 * when it cannot be read they are error values and the passwd fields stay.
 */
#include <string.h>

#include "facts/facts.h"
#include "util/str.h"

#define MAX_RECORDS 100000
#define NF 9

struct rec {
	const char *f[NF];
	size_t l[NF];
	size_t nf;
};

/*
 * Split a colon file into records: '#' comments, blank lines and NIS
 * "+"/"-" compat lines are skipped, CR before LF dropped, a missing final
 * newline accepted.  At most MAX_RECORDS kept (*over set beyond).
 * Returns 0 or BL_ENOMEM.
 */
static int split(struct bl_arena *a, const char *data, size_t len, struct rec **out, size_t *n,
		 bool *over)
{
	size_t cap = 64;
	*n = 0;
	*over = false;
	*out = bl_arena_alloc(a, cap * sizeof **out);
	if (!*out)
		return BL_ENOMEM;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (data + i)) : len - i;
		const char *l = data + i;
		i += ll + 1;
		if (ll && l[ll - 1] == '\r')
			ll--;
		size_t k = 0;
		while (k < ll && (l[k] == ' ' || l[k] == '\t'))
			k++;
		if (k == ll || l[k] == '#' || l[0] == '+' || l[0] == '-')
			continue;
		if (*n == MAX_RECORDS) {
			*over = true;
			break;
		}
		if (*n == cap) {
			struct rec *r = bl_arena_alloc(a, cap * 2 * sizeof *r);
			if (!r)
				return BL_ENOMEM;
			memcpy(r, *out, cap * sizeof *r);
			*out = r;
			cap *= 2;
		}
		struct rec *r = &(*out)[(*n)++];
		memset(r, 0, sizeof *r);
		size_t s = 0;
		for (size_t j = 0; j <= ll && r->nf < NF; j++) {
			if (j == ll || l[j] == ':') {
				r->f[r->nf] = l + s;
				r->l[r->nf++] = j - s;
				s = j + 1;
			}
		}
	}
	return 0;
}

/* A field (empty when the record is short). */
static struct bl_str fld(const struct rec *r, size_t i)
{
	struct bl_str s = {"", 0};
	if (i < r->nf) {
		s.s = r->f[i];
		s.len = r->l[i];
	}
	return s;
}

/* Decimal number; false when empty, not all digits, or too large. */
static bool num(struct bl_str s, int64_t *v)
{
	if (s.len == 0 || s.len > 18)
		return false;
	int64_t x = 0;
	size_t i = 0;
	bool neg = s.s[0] == '-';
	if (neg)
		i++;
	if (i == s.len)
		return false;
	for (; i < s.len; i++) {
		if (s.s[i] < '0' || s.s[i] > '9')
			return false;
		x = x * 10 + (s.s[i] - '0');
	}
	*v = neg ? -x : x;
	return true;
}

static void add_num(struct bl_obj_builder *b, const char *key, struct bl_str s)
{
	int64_t v;
	if (num(s, &v))
		bl_ob_int(b, key, v);
	else
		bl_ob_add(b, key, bl_value_new(b->a, BL_VNULL));
}

/* Index of records by their first field: open addressing, 0 = empty. */
struct index {
	uint32_t *slots;
	size_t mask;
};

static int index_build(struct index *ix, struct bl_arena *a, const struct rec *r, size_t n)
{
	size_t ns = 16;
	while (ns < n * 2)
		ns *= 2;
	ix->slots = bl_arena_calloc(a, ns, sizeof *ix->slots);
	if (!ix->slots)
		return BL_ENOMEM;
	ix->mask = ns - 1;
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)bl_hash(r[i].f[0], r[i].l[0], false) & ix->mask;
		while (ix->slots[k]) {
			const struct rec *q = &r[ix->slots[k] - 1];
			if (bl_str_cmp(q->f[0], q->l[0], r[i].f[0], r[i].l[0]) == 0)
				break;   /* a duplicate name: the first line counts */
			k = (k + 1) & ix->mask;
		}
		if (!ix->slots[k])
			ix->slots[k] = (uint32_t)(i + 1);
	}
	return 0;
}

static const struct rec *index_find(const struct index *ix, const struct rec *r, struct bl_str name)
{
	for (size_t k = (size_t)bl_hash(name.s, name.len, false) & ix->mask; ix->slots[k];
	     k = (k + 1) & ix->mask) {
		const struct rec *q = &r[ix->slots[k] - 1];
		if (bl_str_cmp(q->f[0], q->l[0], name.s, name.len) == 0)
			return q;
	}
	return NULL;
}

/* Password state of a password field (shadow's, or passwd's own). */
static void add_password(struct bl_obj_builder *b, struct bl_str pw)
{
	bool locked = pw.len && (pw.s[0] == '!' || pw.s[0] == '*');
	bl_ob_bool(b, "password_set", pw.len && !locked);
	bl_ob_bool(b, "locked", locked);
	bl_ob_bool(b, "password_empty", pw.len == 0);
}

static const char *const shadow_keys[] = {
	"password_set", "locked", "password_empty", "last_change", "min_days",
	"max_days", "warn_days", "inactive", "expire",
};

/* The shadow half of one user.  sh: the shadow record or NULL; shadow_err:
 * an error value for every field, or NULL. */
static void add_shadow(struct bl_obj_builder *b, const struct rec *pw, const struct rec *sh,
		       const struct bl_value *shadow_err)
{
	if (shadow_err) {
		for (size_t i = 0; i < sizeof shadow_keys / sizeof *shadow_keys; i++)
			bl_ob_add(b, shadow_keys[i], shadow_err);
		return;
	}
	if (sh) {
		add_password(b, fld(sh, 1));
	} else {
		struct bl_str p = fld(pw, 1);
		if (bl_str_cmp(p.s, p.len, "x", 1) == 0) {
			/* "x" points at shadow, which has no line (or no file): no password */
			bl_ob_bool(b, "password_set", false);
			bl_ob_bool(b, "locked", false);
			bl_ob_bool(b, "password_empty", false);
		} else {
			add_password(b, p);
		}
	}
	static const char *const nums[] = {"last_change", "min_days", "max_days",
					   "warn_days", "inactive", "expire"};
	struct bl_str none = {"", 0};
	for (size_t i = 0; i < 6; i++)
		add_num(b, nums[i], sh ? fld(sh, 2 + i) : none);
}

static struct bl_value *user_value(struct bl_arena *a, const struct rec *pw, const struct rec *sh,
				   const struct bl_value *shadow_err)
{
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	struct bl_str s = fld(pw, 0);
	bl_ob_str(&b, "name", s.s, s.len);
	add_num(&b, "uid", fld(pw, 2));
	add_num(&b, "gid", fld(pw, 3));
	s = fld(pw, 4);
	bl_ob_str(&b, "gecos", s.s, s.len);
	s = fld(pw, 5);
	bl_ob_str(&b, "home", s.s, s.len);
	s = fld(pw, 6);
	bl_ob_str(&b, "shell", s.s, s.len);
	add_shadow(&b, pw, sh, shadow_err);
	return bl_ob_finish(&b);
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_sys *s = bl_facts_sys(f);
	struct bl_error err;
	char *pd, *sd;
	size_t pl, sl;
	bool missing;
	int rc = bl_sys_read(s, "/etc/passwd", a, &pd, &pl, NULL, &missing, &err);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc != 0) {
		*out = bl_facts_error(f, "%s", err.msg);
		return *out ? 0 : BL_ENOMEM;
	}
	struct rec *pr, *sr = NULL;
	size_t pn, sn = 0;
	bool over;
	if (split(a, pd, pl, &pr, &pn, &over) != 0)
		return BL_ENOMEM;
	if (over) {
		*out = bl_facts_error(f, "/etc/passwd: more than %d accounts, not read", MAX_RECORDS);
		return *out ? 0 : BL_ENOMEM;
	}
	const struct bl_value *shadow_err = NULL;
	bool have_shadow = false;
	struct index ix = {0};
	rc = bl_sys_read(s, "/etc/shadow", a, &sd, &sl, NULL, &missing, &err);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc == 0) {
		if (split(a, sd, sl, &sr, &sn, &over) != 0 || index_build(&ix, a, sr, sn) != 0)
			return BL_ENOMEM;
		have_shadow = true;
		if (over)
			shadow_err = bl_facts_error(f, "/etc/shadow: more than %d lines, not read",
						    MAX_RECORDS);
	} else if (!missing) {
		shadow_err = bl_facts_error(f, "%s", err.msg);
	}
	if ((rc != 0 && !missing && !shadow_err) || (over && !shadow_err))
		return BL_ENOMEM;
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	for (size_t i = 0; i < pn; i++) {
		const struct rec *sh = have_shadow && !shadow_err ? index_find(&ix, sr, fld(&pr[i], 0))
				       : NULL;
		const struct bl_value *v = user_value(a, &pr[i], sh, shadow_err);
		if (!v)
			return BL_ENOMEM;
		bl_ab_add(&ab, v);
	}
	*out = bl_ab_finish(&ab);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_users = {
	.version = BL_PROVIDER_VERSION,
	.name = "users",
	.keyed = false,
	.summary = "accounts from passwd and shadow",
	.resolve = resolve,
};
