/*
 * schema.c - allowed keys and their types for model documents (see schema.h).
 */
#include "model/schema.h"

#include <string.h>

#include "util/str.h"

bool bl_schema_type_ok(const struct bl_value *v, unsigned mask)
{
	if (!v)
		return false;
	if (mask & (1u << v->type))
		return true;
	return (mask & BL_T_INT) && v->type == BL_VNUM && (v->flags & BL_VF_INT);
}

const char *bl_schema_type_desc(unsigned mask)
{
	switch (mask) {
	case BL_T_NULL: return "null";
	case BL_T_BOOL: return "a boolean";
	case BL_T_NUM: return "a number";
	case BL_T_INT: return "an integer";
	case BL_T_STR: return "a string";
	case BL_T_ARR: return "an array";
	case BL_T_OBJ: return "an object";
	case BL_T_STR | BL_T_NUM: return "a string";
	case BL_T_STR | BL_T_ARR: return "a string or an array";
	case BL_T_OBJ | BL_T_ARR: return "an object or an array";
	default: return "a value";
	}
}

const char *bl_schema_value_desc(const struct bl_value *v)
{
	if (!v)
		return "missing";
	switch (v->type) {
	case BL_VNULL: return "null";
	case BL_VBOOL: return "a boolean";
	case BL_VNUM: return (v->flags & BL_VF_INT) ? "an integer" : "a number";
	case BL_VSTR: return "a string";
	case BL_VARR: return "an array";
	case BL_VOBJ: return "an object";
	default: return "a value";
	}
}

/* Capped at 3 (we only suggest within 2), on short keys. */
unsigned bl_edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	enum { MAXK = 40 };
	if (alen > MAXK || blen > MAXK)
		return 3;
	unsigned prev[MAXK + 1], cur[MAXK + 1];
	for (size_t j = 0; j <= blen; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= alen; i++) {
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= blen; j++) {
			unsigned cost = bl_lower((unsigned char)a[i - 1]) ==
					bl_lower((unsigned char)b[j - 1]) ? 0u : 1u;
			unsigned best = prev[j - 1] + cost;
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
		memcpy(prev, cur, (blen + 1) * sizeof(prev[0]));
	}
	return prev[blen] > 3 ? 3 : prev[blen];
}

/* The known key closest to k (case difference first, then typos), or NULL. */
static const char *suggest(const struct bl_schema *s, const char *k, size_t klen)
{
	const char *best = NULL;
	unsigned bestd = 3;
	for (size_t i = 0; i < s->nkeys; i++) {
		const char *n = s->keys[i].name;
		size_t nlen = strlen(n);
		if (bl_str_ieq(n, nlen, k, klen))
			return n;
		/* Short keys are too easy to confuse: only suggest within 1 there. */
		unsigned limit = nlen < 5 ? 1u : 2u;
		unsigned dist = bl_edit_distance(k, klen, n, nlen);
		if (dist <= limit && dist < bestd) {
			best = n;
			bestd = dist;
		}
	}
	return best;
}

/* Show at most 64 bytes of a key, printable ASCII only, for messages. */
static void show_key(char *out, size_t size, const char *k, size_t klen)
{
	size_t o = 0;
	for (size_t i = 0; i < klen && o + 4 < size; i++) {
		unsigned char c = (unsigned char)k[i];
		if (i == 64) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		out[o++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
	}
	out[o] = '\0';
}

int bl_schema_index(const struct bl_schema *s, const char *name)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (strcmp(s->keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int count(int rc, int *n)
{
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	(*n)++;
	return 0;
}

/* Index of the key named (k, klen) in s, or s->nkeys, looked for from
 * index `from` on, wrapping around: documents mostly list their keys in
 * the schema's order, so starting after the previous member's key finds
 * most at the first try.  The first byte is compared before the rest:
 * most keys are rejected without measuring the name. */
static size_t key_index(const struct bl_schema *s, const char *k, size_t klen, size_t from)
{
	if (klen == 0 || s->nkeys == 0)
		return s->nkeys;
	size_t i = from < s->nkeys ? from : 0;
	for (size_t t = 0; t < s->nkeys; t++, i = i + 1 == s->nkeys ? 0 : i + 1) {
		const char *n = s->keys[i].name;
		if (n[0] != k[0])
			continue;
		/* a byte loop: names are short, and strnlen + memcmp calls were a
		 * third of checking a clean object (n's NUL stops it: a key with
		 * a NUL byte never matches) */
		size_t j = 1;
		while (j < klen && n[j] != '\0' && n[j] == k[j])
			j++;
		if (j == klen && n[j] == '\0')
			return i;
	}
	return s->nkeys;
}

int bl_schema_check(const struct bl_member **found, const struct bl_value *obj,
		    const struct bl_schema *s, struct bl_diags *d)
{
	int n = 0;
	/* keys 0..63 that are required, gathered while clearing found */
	uint64_t required = 0;
	for (size_t i = 0; i < s->nkeys; i++) {
		found[i] = NULL;
		if (i < 64 && (s->keys[i].flags & BL_SK_REQUIRED))
			required |= (uint64_t)1 << i;
	}
	if (!obj || obj->type != BL_VOBJ)
		return 0;
	/* Keys 0..63 seen with any type, for the required-key pass (a key of
	 * the wrong type is present: it was reported already). */
	uint64_t present = 0;
	size_t next = 0;
	for (uint32_t i = 0; i < obj->u.obj.n; i++) {
		const struct bl_member *m = &obj->u.obj.items[i];
		size_t k = key_index(s, m->key, m->klen, next);
		next = k + 1;
		/* the key as shown in messages: only built for a message (it
		 * was most of the cost of checking a clean object) */
		char shown[80];
		if (k == s->nkeys) {
			show_key(shown, sizeof(shown), m->key, m->klen);
			const char *hint = suggest(s, m->key, m->klen);
			int rc = hint ? bl_diag_add(d, obj->file, m->line, m->col,
						    "unknown key \"%s\" in %s (did you mean \"%s\"?)",
						    shown, s->what, hint)
				      : bl_diag_add(d, obj->file, m->line, m->col,
						    "unknown key \"%s\" in %s", shown, s->what);
			if (count(rc, &n))
				return BL_ENOMEM;
			continue;
		}
		if (k < 64)
			present |= (uint64_t)1 << k;
		if (!bl_schema_type_ok(&m->val, s->keys[k].types)) {
			show_key(shown, sizeof(shown), m->key, m->klen);
			int rc = bl_diag_add(d, obj->file, m->val.line, m->val.col,
					     "%s must be %s, not %s", shown,
					     bl_schema_type_desc(s->keys[k].types),
					     bl_schema_value_desc(&m->val));
			if (count(rc, &n))
				return BL_ENOMEM;
			continue;
		}
		found[k] = m;
	}
	/* the usual case: every required key among the first 64 is there */
	if (!(required & ~present) && s->nkeys <= 64)
		return n;
	for (size_t k = 0; k < s->nkeys; k++) {
		if (!(s->keys[k].flags & BL_SK_REQUIRED))
			continue;
		bool there = k < 64 && ((present >> k) & 1u);
		const char *name = s->keys[k].name;
		for (uint32_t i = 0; k >= 64 && i < obj->u.obj.n && !there; i++) {
			const struct bl_member *m = &obj->u.obj.items[i];
			there = strlen(name) == m->klen && memcmp(name, m->key, m->klen) == 0;
		}
		/* A present key of the wrong type was already reported. */
		if (there)
			continue;
		int rc = bl_diag_add(d, obj->file, obj->line, obj->col,
				     "%s is missing required key \"%s\"", s->what, name);
		if (count(rc, &n))
			return BL_ENOMEM;
	}
	return n;
}

struct bl_shown bl_schema_show(const char *s, size_t len)
{
	struct bl_shown r;
	size_t o = 0, max = 64;
	size_t i;
	for (i = 0; i < len && o < max; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			r.s[o++] = '\\';
			r.s[o++] = (char)ch;
		} else {
			r.s[o++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
		}
	}
	if (i < len) {
		/* Do not cut a UTF-8 sequence in half. */
		while (o > 0 && ((unsigned char)r.s[o - 1] & 0xc0) == 0x80)
			o--;
		if (o > 0 && ((unsigned char)r.s[o - 1] & 0xc0) == 0xc0)
			o--;
		memcpy(r.s + o, "...", 3);
		o += 3;
	}
	r.s[o] = '\0';
	return r;
}
