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

#include "facts/colonfile.h"
#include "facts/facts.h"
#include "util/str.h"

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

static struct bl_value *group_value(struct bl_arena *a, const struct bl_colon_rec *gr, const struct bl_colon_rec *gs,
				    const struct bl_value *gshadow_err, bool have_gshadow)
{
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	struct bl_str s = bl_colon_field(gr, 0);
	bl_ob_str(&b, "name", s.s, s.len);
	bl_colon_add_num(&b, "gid", bl_colon_field(gr, 2));
	bl_ob_add(&b, "members", name_list(a, bl_colon_field(gr, 3)));
	if (gshadow_err) {
		bl_ob_add(&b, "password_set", gshadow_err);
		bl_ob_add(&b, "locked", gshadow_err);
		bl_ob_add(&b, "admins", gshadow_err);
	} else if (gs) {
		add_password(&b, bl_colon_field(gs, 1));
		bl_ob_add(&b, "admins", name_list(a, bl_colon_field(gs, 2)));
	} else {
		struct bl_str p = bl_colon_field(gr, 1);
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
	struct bl_colon_rec *gr, *sr = NULL;
	size_t gn, sn = 0;
	if (bl_colon_split(a, gd, gl, &gr, &gn, &over) != 0)
		return BL_ENOMEM;
	if (over) {
		*out = bl_facts_error(f, "/etc/group: more than %d groups, not read", BL_COLON_MAX_RECORDS);
		return *out ? 0 : BL_ENOMEM;
	}
	const struct bl_value *gshadow_err = NULL;
	bool have_gshadow = false;
	struct bl_colon_index ix = {0};
	rc = bl_sys_read(s, "/etc/gshadow", a, &sd, &sl, NULL, &missing, &err);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc == 0) {
		if (bl_colon_split(a, sd, sl, &sr, &sn, &over) != 0 || bl_colon_index_build(&ix, a, sr, sn) != 0)
			return BL_ENOMEM;
		have_gshadow = true;
		if (over && !(gshadow_err = bl_facts_error(f, "/etc/gshadow: more than %d lines, "
							   "not read", BL_COLON_MAX_RECORDS)))
			return BL_ENOMEM;
	} else if (!missing && !(gshadow_err = bl_facts_error(f, "%s", err.msg))) {
		return BL_ENOMEM;
	}
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	for (size_t i = 0; i < gn; i++) {
		const struct bl_colon_rec *gs = have_gshadow && !gshadow_err
				       ? bl_colon_index_find(&ix, sr, bl_colon_field(&gr[i], 0)) : NULL;
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
