/*
 * groups.c - the `groups` namespace (FORMATS.md §3): groups[*] from
 * ROOT/etc/group joined by name with ROOT/etc/gshadow.
 *
 * Each element: {name, gid, members[]} and, from gshadow, {password_set,
 * locked, admins[]}.  /etc/group is required (missing or unreadable: the
 * namespace is an error value).  /etc/gshadow is optional: when missing, the
 * password fields come from group's own password field ("x" = none); when
 * it cannot be read they are error values and the group fields stay.
 * members[] are the names listed in /etc/group (gshadow's member list is
 * normally the same and is not merged in).
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

/* A comma-separated name list as an array of strings; NULL on ENOMEM. */
static struct bl_value *name_list(struct bl_arena *a, struct bl_str s)
{
	struct bl_arr_builder b;
	bl_ab_init(&b, a);
	size_t i = 0;
	while (i <= s.len) {
		size_t j = i;
		while (j < s.len && s.s[j] != ',')
			j++;
		size_t x = i, y = j;
		while (x < y && (s.s[x] == ' ' || s.s[x] == '\t'))
			x++;
		while (y > x && (s.s[y - 1] == ' ' || s.s[y - 1] == '\t'))
			y--;
		if (y > x)
			bl_ab_add(&b, bl_value_new_str(a, s.s + x, y - x));
		i = j + 1;
	}
	return bl_ab_finish(&b);
}

static void add_password(struct bl_obj_builder *b, struct bl_str pw)
{
	bool locked = pw.len && (pw.s[0] == '!' || pw.s[0] == '*');
	bl_ob_bool(b, "password_set", pw.len && !locked);
	bl_ob_bool(b, "locked", locked);
}

static struct bl_value *group_value(struct bl_arena *a, const struct rec *gr, const struct rec *gs,
				    const struct bl_value *gshadow_err, bool have_gshadow)
{
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	struct bl_str s = fld(gr, 0);
	bl_ob_str(&b, "name", s.s, s.len);
	add_num(&b, "gid", fld(gr, 2));
	bl_ob_add(&b, "members", name_list(a, fld(gr, 3)));
	if (gshadow_err) {
		bl_ob_add(&b, "password_set", gshadow_err);
		bl_ob_add(&b, "locked", gshadow_err);
		bl_ob_add(&b, "admins", gshadow_err);
	} else if (gs) {
		add_password(&b, fld(gs, 1));
		bl_ob_add(&b, "admins", name_list(a, fld(gs, 2)));
	} else {
		struct bl_str p = fld(gr, 1);
		if (bl_str_cmp(p.s, p.len, "x", 1) == 0 || (have_gshadow && p.len == 0)) {
			bl_ob_bool(&b, "password_set", false);
			bl_ob_bool(&b, "locked", false);
		} else {
			add_password(&b, p);
		}
		bl_ob_add(&b, "admins", name_list(a, (struct bl_str){"", 0}));
	}
	return bl_ob_finish(&b);
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_sys *s = bl_facts_sys(f);
	struct bl_error err;
	char *gd, *sd;
	size_t gl, sl;
	bool missing, over;
	int rc = bl_sys_read(s, "/etc/group", a, &gd, &gl, NULL, &missing, &err);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc != 0) {
		*out = bl_facts_error(f, "%s", err.msg);
		return *out ? 0 : BL_ENOMEM;
	}
	struct rec *gr, *sr = NULL;
	size_t gn, sn = 0;
	if (split(a, gd, gl, &gr, &gn, &over) != 0)
		return BL_ENOMEM;
	if (over) {
		*out = bl_facts_error(f, "/etc/group: more than %d groups, not read", MAX_RECORDS);
		return *out ? 0 : BL_ENOMEM;
	}
	const struct bl_value *gshadow_err = NULL;
	bool have_gshadow = false;
	struct index ix = {0};
	rc = bl_sys_read(s, "/etc/gshadow", a, &sd, &sl, NULL, &missing, &err);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc == 0) {
		if (split(a, sd, sl, &sr, &sn, &over) != 0 || index_build(&ix, a, sr, sn) != 0)
			return BL_ENOMEM;
		have_gshadow = true;
		if (over && !(gshadow_err = bl_facts_error(f, "/etc/gshadow: more than %d lines, "
							   "not read", MAX_RECORDS)))
			return BL_ENOMEM;
	} else if (!missing && !(gshadow_err = bl_facts_error(f, "%s", err.msg))) {
		return BL_ENOMEM;
	}
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	for (size_t i = 0; i < gn; i++) {
		const struct rec *gs = have_gshadow && !gshadow_err
				       ? index_find(&ix, sr, fld(&gr[i], 0)) : NULL;
		const struct bl_value *v = group_value(a, &gr[i], gs, gshadow_err, have_gshadow);
		if (!v)
			return BL_ENOMEM;
		bl_ab_add(&ab, v);
	}
	*out = bl_ab_finish(&ab);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_groups = {
	.version = BL_PROVIDER_VERSION,
	.name = "groups",
	.keyed = false,
	.summary = "groups from group and gshadow",
	.resolve = resolve,
};
