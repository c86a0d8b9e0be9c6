/*
 * colonfile.c - colon-separated account files (see colonfile.h).
 */
#include "facts/colonfile.h"

#include <string.h>
/*
 * Split a colon file into records: '#' comments, blank lines and NIS
 * "+"/"-" compat lines are skipped, CR before LF dropped, a missing final
 * newline accepted.  At most BL_COLON_MAX_RECORDS kept (*over set beyond).
 * Returns 0 or BL_ENOMEM.
 */
int bl_colon_split(struct bl_arena *a, const char *data, size_t len, struct bl_colon_rec **out, size_t *n,
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
		if (*n == BL_COLON_MAX_RECORDS) {
			*over = true;
			break;
		}
		if (*n == cap) {
			struct bl_colon_rec *r = bl_arena_alloc(a, cap * 2 * sizeof *r);
			if (!r)
				return BL_ENOMEM;
			memcpy(r, *out, cap * sizeof *r);
			*out = r;
			cap *= 2;
		}
		struct bl_colon_rec *r = &(*out)[(*n)++];
		memset(r, 0, sizeof *r);
		size_t s = 0;
		for (size_t j = 0; j <= ll && r->nf < BL_COLON_NF; j++) {
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
struct bl_str bl_colon_field(const struct bl_colon_rec *r, size_t i)
{
	struct bl_str s = {"", 0};
	if (i < r->nf) {
		s.s = r->f[i];
		s.len = r->l[i];
	}
	return s;
}

/* Decimal number; false when empty, not all digits, or too large. */
bool bl_colon_num(struct bl_str s, int64_t *v)
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

void bl_colon_add_num(struct bl_obj_builder *b, const char *key, struct bl_str s)
{
	int64_t v;
	if (bl_colon_num(s, &v))
		bl_ob_int(b, key, v);
	else
		bl_ob_add(b, key, bl_value_new(b->a, BL_VNULL));
}

/* Index of records by their first field: open addressing, 0 = empty. */

int bl_colon_index_build(struct bl_colon_index *ix, struct bl_arena *a, const struct bl_colon_rec *r, size_t n)
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
			const struct bl_colon_rec *q = &r[ix->slots[k] - 1];
			if (bl_str_cmp(q->f[0], q->l[0], r[i].f[0], r[i].l[0]) == 0)
				break;   /* a duplicate name: the first line counts */
			k = (k + 1) & ix->mask;
		}
		if (!ix->slots[k])
			ix->slots[k] = (uint32_t)(i + 1);
	}
	return 0;
}

const struct bl_colon_rec *bl_colon_index_find(const struct bl_colon_index *ix, const struct bl_colon_rec *r, struct bl_str name)
{
	for (size_t k = (size_t)bl_hash(name.s, name.len, false) & ix->mask; ix->slots[k];
	     k = (k + 1) & ix->mask) {
		const struct bl_colon_rec *q = &r[ix->slots[k] - 1];
		if (bl_str_cmp(q->f[0], q->l[0], name.s, name.len) == 0)
			return q;
	}
	return NULL;
}
