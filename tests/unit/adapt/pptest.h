/* Shared by the Power Platform adapter tests: run an adapter, find an asset
 * by id and read a member by dotted path. */
#ifndef BL_PPTEST_H
#define BL_PPTEST_H

#include "testutil.h"
#include "adapt/adapt.h"

#define PP_TID "7f0c1d2e-3b4a-4c5d-8e9f-a0b1c2d3e4f5"
#define PP_DEF "Default-" PP_TID
#define PP_PROD "0d3b6a51-9c2e-4f17-a6b8-2e5f7c9d1a40"
#define PP_SBX "5e8f2c1b-7a4d-4b9e-93c6-1f0a2d4e6b8c"
#define PP_TENANT_ID "/providers/Microsoft.BusinessAppPlatform/tenants/" PP_TID
#define PP_ENV_ID(n) "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/" n
#define PP_DLP_ID(n) "/providers/PowerPlatform.Governance/v2/policies/" n
#define PP_API "/providers/Microsoft.PowerApps/apis/"

/* The member at a dotted path (no escaping needed in these tests). */
static inline const struct bl_value *pt_get(const struct bl_value *v, const char *path)
{
	const char *k = path;
	while (v && *k && !bl_value_special(v)) {   /* sticky, as rule paths are */
		const char *dot = strchr(k, '.');
		size_t len = dot ? (size_t)(dot - k) : strlen(k);
		if (v->type == BL_VARR && len && k[0] >= '0' && k[0] <= '9') {
			size_t i = (size_t)strtoul(k, NULL, 10);
			v = i < v->u.arr.n ? &v->u.arr.items[i] : NULL;
		} else {
			v = bl_value_get(v, k, len);
		}
		k += len + (dot ? 1 : 0);
	}
	return v;
}

static inline void pt_str(const struct bl_value *v, const char *path, const char *want)
{
	const struct bl_value *s = pt_get(v, path);
	if (!s || s->type != BL_VSTR)
		fail_msg("%s is not a string", path);
	if (s->u.str.len != strlen(want) || memcmp(s->u.str.s, want, s->u.str.len) != 0)
		fail_msg("%s is \"%.*s\", expected \"%s\"", path, (int)s->u.str.len, s->u.str.s, want);
}

static inline void pt_bool(const struct bl_value *v, const char *path, bool want)
{
	const struct bl_value *b = pt_get(v, path);
	if (!b || b->type != BL_VBOOL)
		fail_msg("%s is not a boolean", path);
	assert_int_equal(b->b, want);
}

/* A special value (BL_VERR / BL_VNA) with exactly this reason. */
static inline void pt_special(const struct bl_value *v, const char *path, int type, const char *why)
{
	const struct bl_value *s = pt_get(v, path);
	if (!s || s->type != type)
		fail_msg("%s is not a %s value", path, type == BL_VERR ? "error" : "not-available");
	if (s->u.str.len != strlen(why) || memcmp(s->u.str.s, why, s->u.str.len) != 0)
		fail_msg("%s reason is \"%.*s\", expected \"%s\"", path, (int)s->u.str.len, s->u.str.s, why);
}

/* An array of strings equal to want[0..n). */
static inline void pt_strs(const struct bl_value *v, const char *path, const char *const *want, size_t n)
{
	const struct bl_value *a = pt_get(v, path);
	if (!a || a->type != BL_VARR)
		fail_msg("%s is not an array", path);
	assert_int_equal(a->u.arr.n, n);
	for (size_t i = 0; i < n; i++) {
		const struct bl_value *s = &a->u.arr.items[i];
		assert_int_equal(s->type, BL_VSTR);
		if (s->u.str.len != strlen(want[i]) || memcmp(s->u.str.s, want[i], s->u.str.len) != 0)
			fail_msg("%s[%zu] is \"%.*s\", expected \"%s\"", path, i, (int)s->u.str.len, s->u.str.s, want[i]);
	}
}

/* The adapted resource with this id, checking its type. */
static inline const struct bl_value *pt_asset(const struct bl_adapted *ad, const char *id, const char *type)
{
	for (size_t i = 0; i < ad->n; i++) {
		const struct bl_value *s = bl_value_getz(ad->items[i], "id");
		if (s && s->type == BL_VSTR && s->u.str.len == strlen(id) && memcmp(s->u.str.s, id, s->u.str.len) == 0) {
			pt_str(ad->items[i], "type", type);
			return ad->items[i];
		}
	}
	fail_msg("no asset %s", id);
	return NULL;
}

#endif
