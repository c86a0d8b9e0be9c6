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

#include "facts/colonfile.h"
#include "facts/facts.h"
#include "util/str.h"

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
static void add_shadow(struct bl_obj_builder *b, const struct bl_colon_rec *pw, const struct bl_colon_rec *sh,
		       const struct bl_value *shadow_err)
{
	if (shadow_err) {
		for (size_t i = 0; i < sizeof shadow_keys / sizeof *shadow_keys; i++)
			bl_ob_add(b, shadow_keys[i], shadow_err);
		return;
	}
	if (sh) {
		add_password(b, bl_colon_field(sh, 1));
	} else {
		struct bl_str p = bl_colon_field(pw, 1);
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
		bl_colon_add_num(b, nums[i], sh ? bl_colon_field(sh, 2 + i) : none);
}

static struct bl_value *user_value(struct bl_arena *a, const struct bl_colon_rec *pw, const struct bl_colon_rec *sh,
				   const struct bl_value *shadow_err)
{
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	struct bl_str s = bl_colon_field(pw, 0);
	bl_ob_str(&b, "name", s.s, s.len);
	bl_colon_add_num(&b, "uid", bl_colon_field(pw, 2));
	bl_colon_add_num(&b, "gid", bl_colon_field(pw, 3));
	s = bl_colon_field(pw, 4);
	bl_ob_str(&b, "gecos", s.s, s.len);
	s = bl_colon_field(pw, 5);
	bl_ob_str(&b, "home", s.s, s.len);
	s = bl_colon_field(pw, 6);
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
	struct bl_colon_rec *pr, *sr = NULL;
	size_t pn, sn = 0;
	bool over;
	if (bl_colon_split(a, pd, pl, &pr, &pn, &over) != 0)
		return BL_ENOMEM;
	if (over) {
		*out = bl_facts_error(f, "/etc/passwd: more than %d accounts, not read", BL_COLON_MAX_RECORDS);
		return *out ? 0 : BL_ENOMEM;
	}
	const struct bl_value *shadow_err = NULL;
	bool have_shadow = false;
	struct bl_colon_index ix = {0};
	rc = bl_sys_read(s, "/etc/shadow", a, &sd, &sl, NULL, &missing, &err);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc == 0) {
		if (bl_colon_split(a, sd, sl, &sr, &sn, &over) != 0 || bl_colon_index_build(&ix, a, sr, sn) != 0)
			return BL_ENOMEM;
		have_shadow = true;
		if (over)
			shadow_err = bl_facts_error(f, "/etc/shadow: more than %d lines, not read",
						    BL_COLON_MAX_RECORDS);
	} else if (!missing) {
		shadow_err = bl_facts_error(f, "%s", err.msg);
	}
	if ((rc != 0 && !missing && !shadow_err) || (over && !shadow_err))
		return BL_ENOMEM;
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	for (size_t i = 0; i < pn; i++) {
		const struct bl_colon_rec *sh = have_shadow && !shadow_err ? bl_colon_index_find(&ix, sr, bl_colon_field(&pr[i], 0))
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
