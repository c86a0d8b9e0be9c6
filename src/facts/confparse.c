/*
 * confparse.c - line and word helpers shared by the configuration-file
 * providers, and the systemd/kmod drop-in directory list (see confparse.h).
 */
#include "facts/confparse.h"

#include <stdlib.h>
#include <string.h>

void bl_cp_lines_init(struct bl_cp_lines *it, const char *data, size_t len)
{
	it->p = data;
	it->end = data ? data + len : data;
	it->lineno = 0;
}

/* Returns false at the end of the text.  A trailing "\n" does not start an
 * extra empty line, as text editors show it. */
bool bl_cp_line_next(struct bl_cp_lines *it, struct bl_str *line)
{
	if (!it->p || it->p >= it->end)
		return false;
	const char *start = it->p;
	const char *nl = memchr(start, '\n', (size_t)(it->end - start));
	const char *stop = nl ? nl : it->end;
	it->p = nl ? nl + 1 : it->end;
	size_t len = (size_t)(stop - start);
	if (len > 0 && start[len - 1] == '\r')
		len--;
	line->s = start;
	line->len = len;
	it->lineno++;
	return true;
}

struct bl_str bl_cp_trim(struct bl_str s)
{
	while (s.len > 0 && bl_cp_isspace(s.s[0])) {
		s.s++;
		s.len--;
	}
	while (s.len > 0 && bl_cp_isspace(s.s[s.len - 1]))
		s.len--;
	return s;
}

bool bl_cp_word(struct bl_str *rest, struct bl_str *word)
{
	size_t i = 0;
	while (i < rest->len && bl_cp_isspace(rest->s[i]))
		i++;
	if (i == rest->len) {
		rest->s += i;
		rest->len = 0;
		return false;
	}
	size_t j = i;
	while (j < rest->len && !bl_cp_isspace(rest->s[j]))
		j++;
	word->s = rest->s + i;
	word->len = j - i;
	rest->s += j;
	rest->len -= j;
	return true;
}

/* Failure: NULL when the arena is exhausted. */
char *bl_cp_squeeze(struct bl_arena *a, struct bl_str s, size_t *outlen)
{
	char *out = bl_arena_alloc(a, s.len + 1);
	if (!out)
		return NULL;
	size_t n = 0;
	struct bl_str w;
	while (bl_cp_word(&s, &w)) {
		if (n > 0)
			out[n++] = ' ';
		memcpy(out + n, w.s, w.len);
		n += w.len;
	}
	out[n] = '\0';
	if (outlen)
		*outlen = n;
	return out;
}

static bool is_odigit(char c)
{
	return c >= '0' && c <= '7';
}

/* Failure: NULL when the arena is exhausted.  A backslash not followed by
 * three octal digits is kept as it is, as util-linux does. */
char *bl_cp_unoctal(struct bl_arena *a, struct bl_str s, size_t *outlen)
{
	char *out = bl_arena_alloc(a, s.len + 1);
	if (!out)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (s.s[i] == '\\' && i + 3 < s.len && is_odigit(s.s[i + 1]) &&
		    is_odigit(s.s[i + 2]) && is_odigit(s.s[i + 3])) {
			unsigned v = (unsigned)(s.s[i + 1] - '0') * 64u + (unsigned)(s.s[i + 2] - '0') * 8u +
				     (unsigned)(s.s[i + 3] - '0');
			out[n++] = (char)(unsigned char)(v & 0xffu);
			i += 3;
		} else {
			out[n++] = s.s[i];
		}
	}
	out[n] = '\0';
	if (outlen)
		*outlen = n;
	return out;
}

bool bl_cp_int(struct bl_str s, int64_t *v)
{
	size_t i = 0;
	bool neg = false;
	if (s.len > 0 && s.s[0] == '-') {
		neg = true;
		i = 1;
	}
	size_t digits = s.len - i;
	if (digits == 0 || digits > 15)
		return false;
	int64_t n = 0;
	for (; i < s.len; i++) {
		if (s.s[i] < '0' || s.s[i] > '9')
			return false;
		n = n * 10 + (s.s[i] - '0');
	}
	*v = neg ? -n : n;
	return true;
}

bool bl_cp_eq(struct bl_str s, const char *z)
{
	size_t zl = strlen(z);
	return s.len == zl && memcmp(s.s, z, zl) == 0;
}

static const char *base_name(const char *p)
{
	const char *slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

static int cmp_base(const void *x, const void *y)
{
	const char *const *a = x;
	const char *const *b = y;
	return strcmp(base_name(*a), base_name(*b));
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t nl = strlen(name), sl = strlen(suffix);
	return nl > sl && memcmp(name + nl - sl, suffix, sl) == 0;
}

/* Has an earlier directory (or an earlier masking link) claimed this name? */
static bool seen_name(char **seen, size_t nseen, const char *name)
{
	for (size_t i = 0; i < nseen; i++)
		if (strcmp(seen[i], name) == 0)
			return true;
	return false;
}

/* Failure contract in confparse.h.  Files that vanish between listing and
 * stat are skipped; entries that are not regular files (directories, FIFOs)
 * are skipped as systemd does, a symlink is followed inside the root. */
int bl_cp_dropins(struct bl_sys *s, struct bl_arena *a, const char *const *dirs, size_t ndirs,
		  const char *suffix, size_t max, char ***paths, size_t *n, struct bl_error *err)
{
	size_t cap = max ? max : 1;
	char **out = bl_arena_calloc(a, cap, sizeof(*out));
	char **seen = bl_arena_calloc(a, cap, sizeof(*seen));
	if (!out || !seen)
		return BL_ENOMEM;
	size_t nout = 0, nseen = 0;
	for (size_t d = 0; d < ndirs; d++) {
		char **names = NULL;
		size_t nn = 0;
		bool missing = false;
		int rc = bl_sys_list(s, dirs[d], a, &names, &nn, &missing, err);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc != 0)
			return BL_EIO;
		for (size_t i = 0; i < nn; i++) {
			if (!has_suffix(names[i], suffix) || seen_name(seen, nseen, names[i]))
				continue;
			if (nseen >= cap)
				return bl_error_set(err, BL_ELIMIT, "", 0, 0,
						    "more than %zu files in %s", max, dirs[d]);
			char *path = bl_arena_printf(a, "%s/%s", dirs[d], names[i]);
			if (!path)
				return BL_ENOMEM;
			struct bl_sys_stat st;
			rc = bl_sys_stat(s, path, false, &st, err);
			if (rc == BL_ENOMEM)
				return rc;
			if (rc != 0)
				return BL_EIO;
			if (!st.exists)
				continue;
			if (strcmp(st.type, "link") == 0) {
				char *target = NULL;
				rc = bl_sys_readlink(s, path, a, &target, err);
				if (rc == BL_ENOMEM)
					return rc;
				if (rc == 0 && strcmp(target, "/dev/null") == 0) {
					seen[nseen++] = names[i];
					continue;
				}
				rc = bl_sys_stat(s, path, true, &st, err);
				if (rc == BL_ENOMEM)
					return rc;
				if (rc != 0)
					return BL_EIO;
			}
			if (!st.exists || strcmp(st.type, "file") != 0)
				continue;
			seen[nseen++] = names[i];
			out[nout++] = path;
		}
	}
	qsort(out, nout, sizeof(*out), cmp_base);
	*paths = out;
	*n = nout;
	return 0;
}

/* Failure contract in confparse.h. */
int bl_cp_read(struct bl_facts *f, const char *path, char **data, size_t *len,
	       const struct bl_value **errv)
{
	struct bl_error e;
	bool missing = false;
	bl_error_clear(&e);
	*errv = NULL;
	int rc = bl_sys_read(bl_facts_sys(f), path, bl_facts_arena(f), data, len, NULL, &missing, &e);
	if (rc == 0)
		return 0;
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (missing)
		return 1;
	*errv = e.msg[0] ? bl_facts_error(f, "%s", e.msg) : bl_facts_error(f, "%s: cannot read", path);
	return *errv ? BL_EIO : BL_ENOMEM;
}

void bl_cp_table_init(struct bl_cp_table *t, struct bl_arena *a, size_t max)
{
	t->items = NULL;
	t->n = t->cap = 0;
	t->max = max;
	t->a = a;
}

long bl_cp_table_find(const struct bl_cp_table *t, const char *key, size_t klen)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->items[i].klen == klen && memcmp(t->items[i].key, key, klen) == 0)
			return (long)i;
	return -1;
}

/* Failure: BL_ENOMEM (arena), BL_ELIMIT (more than max distinct keys). */
int bl_cp_table_set(struct bl_cp_table *t, const char *key, size_t klen, const char *val,
		    size_t vlen)
{
	long i = bl_cp_table_find(t, key, klen);
	if (i >= 0) {
		t->items[i].val = val;
		t->items[i].vlen = vlen;
		return 0;
	}
	if (t->max && t->n >= t->max)
		return BL_ELIMIT;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 32;
		struct bl_cp_kv *ni = bl_arena_alloc(t->a, ncap * sizeof(*ni));
		if (!ni)
			return BL_ENOMEM;
		if (t->n)
			memcpy(ni, t->items, t->n * sizeof(*ni));
		t->items = ni;
		t->cap = ncap;
	}
	t->items[t->n++] = (struct bl_cp_kv){key, klen, val, vlen};
	return 0;
}

bool bl_cp_ob_has(const struct bl_obj_builder *b, const char *key)
{
	size_t kl = strlen(key);
	for (uint32_t i = 0; i < b->n; i++)
		if (b->items[i].klen == kl && memcmp(b->items[i].key, key, kl) == 0)
			return true;
	return false;
}

/* Failure contract in confparse.h. */
int bl_cp_add_opts(struct bl_arena *a, struct bl_arr_builder *b, struct bl_str list)
{
	size_t start = 0;
	for (size_t i = 0; i <= list.len; i++) {
		if (i < list.len && list.s[i] != ',')
			continue;
		struct bl_str o = {list.s + start, i - start};
		start = i + 1;
		if (o.len == 0)
			continue;
		size_t dl = 0;
		char *d = bl_cp_unoctal(a, o, &dl);
		if (!d)
			return BL_ENOMEM;
		bool dup = false;
		for (uint32_t j = 0; j < b->n && !dup; j++)
			dup = b->items[j].u.str.len == dl && memcmp(b->items[j].u.str.s, d, dl) == 0;
		if (dup)
			continue;
		struct bl_value *v = bl_value_new_str(a, d, dl);
		if (!v)
			return BL_ENOMEM;
		bl_ab_add(b, v);
	}
	return 0;
}
