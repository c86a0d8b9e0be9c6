/*
 * expr_fn_policy.c - the expression functions Azure Policy adds to ARM
 * template functions (or that policies use most): ipRangeContains, the
 * resource context (resourceGroup, subscription, requestContext), time
 * (utcNow, addDays), collections (union, intersection, createObject,
 * tryGet), base64 and arithmetic.  The table that names them is in
 * expr_fn.c; the contract of an implementation is there too.
 */
#include "rule/expr_fn.h"
#include "util/str.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* ipRangeContains                                                     */

struct iprange {
	int family;                  /* AF_INET or AF_INET6 */
	unsigned char lo[16], hi[16];
	size_t n;                    /* 4 or 16 bytes used */
};

static bool parse_ip(const char *s, size_t len, int *family, unsigned char addr[16])
{
	char buf[64];
	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (memchr(buf, ':', len)) {
		*family = AF_INET6;
		return inet_pton(AF_INET6, buf, addr) == 1;
	}
	*family = AF_INET;
	return inet_pton(AF_INET, buf, addr) == 1;
}

/* "a.b.c.d", "a.b.c.d/n", "start-end" and their IPv6 forms. */
static bool parse_range(const char *s, size_t len, struct iprange *r)
{
	const char *dash = memchr(s, '-', len);
	const char *slash = memchr(s, '/', len);
	memset(r, 0, sizeof(*r));
	if (dash) {
		int f2;
		if (!parse_ip(s, (size_t)(dash - s), &r->family, r->lo) ||
		    !parse_ip(dash + 1, len - (size_t)(dash - s) - 1, &f2, r->hi) ||
		    f2 != r->family)
			return false;
		r->n = r->family == AF_INET ? 4 : 16;
		return memcmp(r->lo, r->hi, r->n) <= 0;
	}
	size_t alen = slash ? (size_t)(slash - s) : len;
	if (!parse_ip(s, alen, &r->family, r->lo))
		return false;
	r->n = r->family == AF_INET ? 4 : 16;
	unsigned prefix = (unsigned)(r->n * 8);
	if (slash) {
		const char *p = slash + 1;
		size_t pl = len - alen - 1;
		if (!pl || pl > 3)
			return false;
		unsigned v = 0;
		for (size_t i = 0; i < pl; i++) {
			if (p[i] < '0' || p[i] > '9')
				return false;
			v = v * 10 + (unsigned)(p[i] - '0');
		}
		if (v > prefix)
			return false;
		prefix = v;
	}
	memcpy(r->hi, r->lo, r->n);
	for (size_t i = 0; i < r->n; i++) {
		unsigned bits = prefix > i * 8 ? (unsigned)(prefix - i * 8) : 0;
		unsigned char mask = bits >= 8 ? 0xFF : (unsigned char)(0xFF << (8 - bits));
		r->lo[i] &= mask;
		r->hi[i] |= (unsigned char)~mask;
	}
	return true;
}

int bl_xf_ipRangeContains(const struct bl_value **out, const struct bl_xnode *call,
			  struct bl_xcx *cx)
{
	const struct bl_value *a = NULL, *b = NULL;
	int rc = str_arg(&a, call, 0, cx);
	if (rc || (rc = str_arg(&b, call, 1, cx)))
		return rc;
	struct iprange ra, rb;
	if (!parse_range(a->u.str.s, a->u.str.len, &ra))
		return bl_xfail(cx, call->args[0], "ipRangeContains(): '%.*s' is not an IP address or range",
				(int)(a->u.str.len > 64 ? 64 : a->u.str.len), a->u.str.s);
	if (!parse_range(b->u.str.s, b->u.str.len, &rb))
		return bl_xfail(cx, call->args[1], "ipRangeContains(): '%.*s' is not an IP address or range",
				(int)(b->u.str.len > 64 ? 64 : b->u.str.len), b->u.str.s);
	if (ra.family != rb.family)
		return bl_xfail(cx, call, "ipRangeContains(): cannot mix IPv4 and IPv6");
	bool in = memcmp(rb.lo, ra.lo, ra.n) >= 0 && memcmp(rb.hi, ra.hi, ra.n) <= 0;
	return ret_bool(out, in, cx);
}

/* ------------------------------------------------------------------ */
/* Resource context, time, collections, numbers (Azure Policy's set)     */

/* The id of the resource being assessed: in an existenceCondition that is
 * the outer resource, not the related one (as field() there). */
static int asset_id(const char **id, size_t *len, const struct bl_xnode *call, struct bl_xcx *cx)
{
	if (!cx->e)
		return bl_xfail(cx, call, "%s() needs an asset", call->fn->name);
	const struct bl_value *doc = cx->e->outer ? cx->e->outer : cx->e->doc;
	const struct bl_value *v = bl_value_getz(doc, "id");
	if (!v || v->type != BL_VSTR)
		return bl_xfail(cx, call, "%s(): the resource has no id to take it from",
				call->fn->name);
	*id = v->u.str.s;
	*len = v->u.str.len;
	return 0;
}

/* The text after "/<seg>/" in id (case-insensitive), up to the next '/'. */
static bool id_part(const char *id, size_t len, const char *seg, size_t *off, size_t *n)
{
	size_t sl = strlen(seg);
	for (size_t i = 0; i + sl + 2 <= len; i++) {
		if (id[i] != '/' || id[i + sl + 1] != '/' || !bl_str_ieq(id + i + 1, sl, seg, sl))
			continue;
		size_t b = i + sl + 2, e = b;
		while (e < len && id[e] != '/')
			e++;
		if (e == b)
			return false;
		*off = b;
		*n = e - b;
		return true;
	}
	return false;
}

/* An object of n members (keys and values given), in cx's arena. */
static int ret_obj(const struct bl_value **out, const char *const *keys,
		   const struct bl_value *const *vals, uint32_t n, struct bl_xcx *cx)
{
	struct bl_value *o = bl_value_new(cx->arena, BL_VOBJ);
	struct bl_member *m = bl_arena_calloc(cx->arena, n ? n : 1, sizeof(*m));
	if (!o || !m)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if (!vals[i])
			return BL_ENOMEM;
		m[i].key = keys[i];
		m[i].klen = (uint32_t)strlen(keys[i]);
		m[i].val = *vals[i];
	}
	o->u.obj.items = m;
	o->u.obj.n = n;
	*out = o;
	return 0;
}

/*
 * *out (an object made by ret_obj from the resource id) completed with the
 * snapshot's resource of that id when the engine indexed it: every other
 * top-level member (tags, location, tenantId...), and displayName from
 * properties.displayName when only there (Resource Graph exports keep it
 * there for subscriptions).  Without the resource, *out stays as it is and
 * reading .tags reports the property as missing.
 */
static int with_snapshot(const struct bl_value **out, struct bl_xcx *cx)
{
	const struct bl_value *base = *out;
	const struct bl_value *id = bl_value_getz(base, "id");
	if (!cx->e->find_resource || !id)
		return 0;
	const struct bl_value *doc = cx->e->find_resource(cx->e->find_ctx, id->u.str.s,
							  id->u.str.len);
	if (!doc || doc->type != BL_VOBJ)
		return 0;
	const struct bl_value *props = bl_value_getz(doc, "properties");
	const struct bl_value *dn = props && props->type == BL_VOBJ
					    ? bl_value_getz(props, "displayName") : NULL;
	uint32_t n = base->u.obj.n, cap = n + doc->u.obj.n + 1;
	struct bl_member *m = bl_arena_calloc(cx->arena, cap, sizeof(*m));
	struct bl_value *o = bl_value_new(cx->arena, BL_VOBJ);
	if (!m || !o)
		return BL_ENOMEM;
	memcpy(m, base->u.obj.items, n * sizeof(*m));
	for (uint32_t i = 0; i < doc->u.obj.n; i++) {
		const struct bl_member *dm = &doc->u.obj.items[i];
		bool have = false;
		for (uint32_t k = 0; k < n && !have; k++)
			have = bl_str_ieq(m[k].key, m[k].klen, dm->key, dm->klen);
		if (!have)
			m[n++] = *dm;
	}
	bool have_dn = false;
	for (uint32_t k = 0; k < n && !have_dn; k++)
		have_dn = bl_str_ieq(m[k].key, m[k].klen, "displayName", 11);
	if (!have_dn && dn) {
		m[n].key = "displayName";
		m[n].klen = 11;
		m[n++].val = *dn;
	}
	o->u.obj.items = m;
	o->u.obj.n = n;
	*out = o;
	return 0;
}

int bl_xf_resourceGroup(const struct bl_value **out, const struct bl_xnode *call,
			struct bl_xcx *cx)
{
	const char *id;
	size_t len, so, sn, ro, rn;
	int rc = asset_id(&id, &len, call, cx);
	if (rc)
		return rc;
	if (!id_part(id, len, "subscriptions", &so, &sn) ||
	    !id_part(id, len, "resourceGroups", &ro, &rn))
		return bl_xfail(cx, call, "resourceGroup(): the resource id '%.*s' names no resource group",
				(int)(len > 200 ? 200 : len), id);
	static const char *const keys[] = {"id", "name", "type"};
	const struct bl_value *vals[] = {
		bl_value_new_str(cx->arena, id, ro + rn),
		bl_value_new_str(cx->arena, id + ro, rn),
		bl_value_new_str(cx->arena, "Microsoft.Resources/resourceGroups", 34),
	};
	rc = ret_obj(out, keys, vals, 3, cx);
	return rc ? rc : with_snapshot(out, cx);
}

int bl_xf_subscription(const struct bl_value **out, const struct bl_xnode *call,
		       struct bl_xcx *cx)
{
	const char *id;
	size_t len, so, sn;
	int rc = asset_id(&id, &len, call, cx);
	if (rc)
		return rc;
	if (!id_part(id, len, "subscriptions", &so, &sn))
		return bl_xfail(cx, call, "subscription(): the resource id '%.*s' names no subscription",
				(int)(len > 200 ? 200 : len), id);
	static const char *const keys[] = {"id", "subscriptionId"};
	const struct bl_value *vals[] = {
		bl_value_new_str(cx->arena, id, so + sn),
		bl_value_new_str(cx->arena, id + so, sn),
	};
	rc = ret_obj(out, keys, vals, 2, cx);
	return rc ? rc : with_snapshot(out, cx);
}

/* The API version a request would carry; offline there is no request, so
 * it is a constant (docs/expressions.md). */
#define BL_DEFAULT_API_VERSION "2024-01-01"

int bl_xf_requestContext(const struct bl_value **out, const struct bl_xnode *call,
			 struct bl_xcx *cx)
{
	(void)call;
	const char *v = getenv("BASELINE_REQUEST_API_VERSION");
	if (!v || !*v)
		v = BL_DEFAULT_API_VERSION;
	static const char *const keys[] = {"apiVersion"};
	const struct bl_value *vals[] = {bl_value_new_str(cx->arena, v, strlen(v))};
	return ret_obj(out, keys, vals, 1, cx);
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* An ISO 8601 date or date-time (YYYY-MM-DD[THH:MM[:SS[.fff...]]][Z|+hh:mm|-hh:mm])
 * as seconds since the epoch (UTC) and a fraction of up to 7 digits
 * (100-nanosecond ticks, as .NET keeps them). */
static bool parse_time(const char *s, size_t n, long long *secs, unsigned *ticks)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;
	*ticks = 0;
	if (n < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	size_t i = 10;
	long long off = 0;
	if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		if (n < i + 6 || !digits(s + i + 1, 2, &h) || s[i + 3] != ':' ||
		    !digits(s + i + 4, 2, &mi))
			return false;
		i += 6;
		if (i < n && s[i] == ':') {
			if (n < i + 3 || !digits(s + i + 1, 2, &se))
				return false;
			i += 3;
			if (i < n && s[i] == '.') {
				size_t k = 0;
				i++;
				while (i < n && s[i] >= '0' && s[i] <= '9') {
					if (k < 7)
						*ticks = *ticks * 10 + (unsigned)(s[i] - '0');
					k++;
					i++;
				}
				if (!k)
					return false;
				for (; k < 7; k++)
					*ticks *= 10;
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return false;
		if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			unsigned oh, om;
			if (n < i + 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
			    !digits(s + i + 4, 2, &om))
				return false;
			off = (long long)(oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
			i += 6;
		}
	}
	if (i != n)
		return false;
	*secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	return true;
}

/* yyyy-MM-ddTHH:mm:ss.fffffffZ, the format Azure Policy's utcNow() returns. */
static int ret_time(const struct bl_value **out, long long secs, unsigned ticks,
		    struct bl_xcx *cx)
{
	long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	long long rem = secs - days * 86400, y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 1 || y > 9999)
		return bl_xfail(cx, NULL, "date out of range (years 1 to 9999)");
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%07uZ", y, m, d,
			 rem / 3600, rem / 60 % 60, rem % 60, ticks);
	*out = bl_value_new_str(cx->arena, buf, (size_t)n);
	return *out ? 0 : BL_ENOMEM;
}

int bl_xf_utcNow(const struct bl_value **out, const struct bl_xnode *call,
		 struct bl_xcx *cx)
{
	/* BASELINE_NOW pins the clock (tests, reproducible reruns) */
	const char *pin = getenv("BASELINE_NOW");
	long long secs;
	unsigned ticks = 0;
	if (pin && *pin) {
		if (!parse_time(pin, strlen(pin), &secs, &ticks))
			return bl_xfail(cx, call, "utcNow(): BASELINE_NOW '%.40s' is not an ISO 8601 date-time",
					pin);
	} else {
		secs = (long long)time(NULL);
	}
	return ret_time(out, secs, ticks, cx);
}

int bl_xf_addDays(const struct bl_value **out, const struct bl_xnode *call,
		  struct bl_xcx *cx)
{
	const struct bl_value *s;
	long long days, secs;
	unsigned ticks;
	int rc = str_arg(&s, call, 0, cx);
	if (rc || (rc = int_arg(&days, call, 1, cx)))
		return rc;
	if (!parse_time(s->u.str.s, s->u.str.len, &secs, &ticks))
		return bl_xfail(cx, call->args[0], "addDays() expects an ISO 8601 date-time, got '%.*s'",
				(int)(s->u.str.len > 60 ? 60 : s->u.str.len), s->u.str.s);
	if (days > 3660000 || days < -3660000)
		return bl_xfail(cx, call->args[1], "addDays(): %lld days is out of range", days);
	return ret_time(out, secs + days * 86400, ticks, cx);
}

/* Arguments 0..n-1 must all be arrays or all objects. */
static int same_kind(bool *arrays, const struct bl_value **vs, const struct bl_xnode *call,
		     struct bl_xcx *cx)
{
	for (uint32_t i = 0; i < call->nargs; i++) {
		int rc = bl_xarg(&vs[i], call, i, cx);
		if (rc)
			return rc;
		if (vs[i]->type != BL_VARR && vs[i]->type != BL_VOBJ)
			return type_err(cx, call, i, "an array or object", vs[i]);
		if (vs[i]->type != vs[0]->type)
			return type_err(cx, call, i, vs[0]->type == BL_VARR ? "an array" : "an object",
					vs[i]);
	}
	*arrays = vs[0]->type == BL_VARR;
	return 0;
}

static bool arr_has(const struct bl_value *items, uint32_t n, const struct bl_value *v)
{
	for (uint32_t i = 0; i < n; i++)
		if (bl_xequal(&items[i], v))
			return true;
	return false;
}

static const struct bl_member *obj_find(const struct bl_member *m, uint32_t n,
					const char *k, uint32_t klen)
{
	for (uint32_t i = 0; i < n; i++)
		if (bl_str_ieq(m[i].key, m[i].klen, k, klen))
			return &m[i];
	return NULL;
}

/* union(): every element once, in order of appearance; for objects every
 * key, the last argument's value winning.  intersection(): the elements of
 * the first argument that every other has (once each); for objects the
 * members of the first that every other has with an equal value. */
static int setop(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx,
		 bool is_union)
{
	const struct bl_value **vs = bl_arena_alloc(cx->arena, call->nargs * sizeof(*vs));
	if (!vs)
		return BL_ENOMEM;
	bool arrays = true;
	int rc = same_kind(&arrays, vs, call, cx);
	if (rc)
		return rc;
	size_t total = 0;
	for (uint32_t i = 0; i < (is_union ? call->nargs : 1); i++)
		total += arrays ? vs[i]->u.arr.n : vs[i]->u.obj.n;
	if (total > UINT32_MAX / 2)
		return bl_xfail(cx, call, "%s(): result too large", call->fn->name);
	struct bl_value *r = bl_value_new(cx->arena, arrays ? BL_VARR : BL_VOBJ);
	if (!r)
		return BL_ENOMEM;
	uint32_t n = 0;
	if (arrays) {
		struct bl_value *items = bl_arena_alloc(cx->arena, (total ? total : 1) * sizeof(*items));
		if (!items)
			return BL_ENOMEM;
		for (uint32_t i = 0; i < (is_union ? call->nargs : 1); i++) {
			for (uint32_t j = 0; j < vs[i]->u.arr.n; j++) {
				const struct bl_value *e = &vs[i]->u.arr.items[j];
				bool keep = !arr_has(items, n, e);
				for (uint32_t k = 1; keep && !is_union && k < call->nargs; k++)
					keep = arr_has(vs[k]->u.arr.items, vs[k]->u.arr.n, e);
				if (keep)
					items[n++] = *e;
			}
		}
		r->u.arr.items = items;
		r->u.arr.n = n;
	} else {
		struct bl_member *items = bl_arena_alloc(cx->arena, (total ? total : 1) * sizeof(*items));
		if (!items)
			return BL_ENOMEM;
		for (uint32_t i = 0; i < (is_union ? call->nargs : 1); i++) {
			for (uint32_t j = 0; j < vs[i]->u.obj.n; j++) {
				const struct bl_member *m = &vs[i]->u.obj.items[j];
				struct bl_member *old = (struct bl_member *)obj_find(items, n, m->key, m->klen);
				if (is_union) {
					if (old)
						old->val = m->val;
					else
						items[n++] = *m;
					continue;
				}
				bool keep = !old;
				for (uint32_t k = 1; keep && k < call->nargs; k++) {
					const struct bl_member *o = obj_find(vs[k]->u.obj.items, vs[k]->u.obj.n,
									     m->key, m->klen);
					keep = o && bl_xequal(&o->val, &m->val);
				}
				if (keep)
					items[n++] = *m;
			}
		}
		r->u.obj.items = items;
		r->u.obj.n = n;
	}
	*out = r;
	return 0;
}

int bl_xf_union(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return setop(out, call, cx, true);
}

int bl_xf_intersection(const struct bl_value **out, const struct bl_xnode *call,
		       struct bl_xcx *cx)
{
	return setop(out, call, cx, false);
}

int bl_xf_createObject(const struct bl_value **out, const struct bl_xnode *call,
		       struct bl_xcx *cx)
{
	if (call->nargs % 2)
		return bl_xfail(cx, call, "createObject() expects key and value pairs, got %u arguments",
				call->nargs);
	uint32_t n = call->nargs / 2, k = 0;
	struct bl_member *m = bl_arena_calloc(cx->arena, n ? n : 1, sizeof(*m));
	struct bl_value *o = bl_value_new(cx->arena, BL_VOBJ);
	if (!m || !o)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		const struct bl_value *key, *val;
		int rc = str_arg(&key, call, 2 * i, cx);
		if (rc || (rc = bl_xarg(&val, call, 2 * i + 1, cx)))
			return rc;
		struct bl_member *old = (struct bl_member *)obj_find(m, k, key->u.str.s, key->u.str.len);
		if (old)
			return bl_xfail(cx, call->args[2 * i], "createObject(): key '%.*s' is given twice",
					(int)(key->u.str.len > 60 ? 60 : key->u.str.len), key->u.str.s);
		m[k].key = key->u.str.s;
		m[k].klen = key->u.str.len;
		m[k].val = *val;
		k++;
	}
	o->u.obj.items = m;
	o->u.obj.n = k;
	*out = o;
	return 0;
}

/* tryGet(item, keyOrIndex, ...): the value, or null when any step is missing. */
int bl_xf_tryGet(const struct bl_value **out, const struct bl_xnode *call,
		 struct bl_xcx *cx)
{
	const struct bl_value *v;
	int rc = bl_xarg(&v, call, 0, cx);
	if (rc)
		return rc;
	if (v->type != BL_VARR && v->type != BL_VOBJ)
		return type_err(cx, call, 0, "an array or object", v);
	for (uint32_t i = 1; i < call->nargs; i++) {
		const struct bl_value *k;
		if ((rc = bl_xarg(&k, call, i, cx)))
			return rc;
		if (k->type != BL_VSTR && !is_integral(k))
			return type_err(cx, call, i, "a key (string) or an index (integer)", k);
		const struct bl_value *next = NULL;
		if (v->type == BL_VOBJ && k->type == BL_VSTR) {
			const struct bl_member *m = obj_find(v->u.obj.items, v->u.obj.n, k->u.str.s,
							     k->u.str.len);
			next = m ? &m->val : NULL;
		} else if (v->type == BL_VARR && k->type == BL_VNUM && k->u.num.d >= 0 &&
			   k->u.num.d < v->u.arr.n) {
			next = &v->u.arr.items[(uint32_t)k->u.num.d];
		}
		if (!next) {
			*out = &bl_xnull;
			return 0;
		}
		v = next;
	}
	*out = v;
	return 0;
}

int bl_xf_base64(const struct bl_value **out, const struct bl_xnode *call,
		 struct bl_xcx *cx)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const struct bl_value *s;
	int rc = str_arg(&s, call, 0, cx);
	if (rc)
		return rc;
	const unsigned char *p = (const unsigned char *)s->u.str.s;
	size_t n = s->u.str.len;
	if (n > XSTR_MAX / 2)
		return bl_xfail(cx, call, "base64(): string too long");
	char *o = bl_arena_alloc(cx->arena, (n + 2) / 3 * 4 + 1);
	if (!o)
		return BL_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		o[k++] = tab[v >> 18 & 63];
		o[k++] = tab[v >> 12 & 63];
		o[k++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		o[k++] = i + 2 < n ? tab[v & 63] : '=';
	}
	return ret_strref(out, o, k, cx);
}

/* add sub mul div mod: integers, as ARM's; a result beyond 2^53 is an error. */
static int arith(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx,
		 char op)
{
	long long a, b;
	int rc = int_arg(&a, call, 0, cx);
	if (rc || (rc = int_arg(&b, call, 1, cx)))
		return rc;
	if ((op == '/' || op == '%') && b == 0)
		return bl_xfail(cx, call->args[1], "%s(): division by zero", call->fn->name);
	double r;
	switch (op) {
	case '+': r = (double)a + (double)b; break;
	case '-': r = (double)a - (double)b; break;
	case '*': r = (double)a * (double)b; break;
	case '/': r = (double)(a / b); break;   /* truncates toward zero, as C# */
	default: r = (double)(a % b); break;
	}
	if (fabs(r) > 9007199254740992.0)
		return bl_xfail(cx, call, "%s(): result out of range", call->fn->name);
	return ret_num(out, r, cx);
}

int bl_xf_add(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return arith(out, call, cx, '+');
}

int bl_xf_sub(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return arith(out, call, cx, '-');
}

int bl_xf_mul(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return arith(out, call, cx, '*');
}

int bl_xf_div(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return arith(out, call, cx, '/');
}

int bl_xf_mod(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return arith(out, call, cx, '%');
}

