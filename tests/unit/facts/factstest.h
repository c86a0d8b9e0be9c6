/*
 * factstest.h - shared by the host provider tests: a facts context on a fake
 * root (optionally pretending to be live, optionally with EACCES injected
 * for paths containing a substring through the sys ops table, since the tests
 * run as root), running one provider, and assertions on the values.
 * Include after testutil.h.
 */
#ifndef BL_FACTSTEST_H
#define BL_FACTSTEST_H

#include <errno.h>
#include <stdbool.h>

#include "facts/facts.h"

/* Faults: opening a path containing deny_substr fails with EACCES. */
static const char *deny_substr;

__attribute__((unused)) static inline int deny_open(int rootfd, const char *path, int flags, bool nofollow_last)
{
	if (deny_substr && strstr(path, deny_substr)) {
		errno = EACCES;
		return -1;
	}
	return bl_sys_default_ops.open_in_root(rootfd, path, flags, nofollow_last);
}

static struct bl_sys_ops fault_ops;

/* A context on root; live pretends the fake root is the running system so
 * the live-only parsers can be tested against fixture /proc files. */
__attribute__((unused)) static inline struct bl_facts *open_root(const char *root, bool live, const char *deny)
{
	struct bl_error err;
	struct bl_facts *f = NULL;
	assert_int_equal(bl_facts_open(&f, &(struct bl_facts_opts){.root = root}, &err), 0);
	if (live)
		bl_facts_sys(f)->live = true;
	if (deny) {
		fault_ops = bl_sys_default_ops;
		fault_ops.open_in_root = deny_open;
		bl_facts_sys(f)->ops = &fault_ops;
	}
	deny_substr = deny;
	return f;
}

__attribute__((unused)) static inline const struct bl_value *run(struct bl_facts *f, const struct bl_provider *p, bool all,
				  const char **keys, size_t n)
{
	struct bl_fact_keys k = {.all = all, .keys = keys, .n = n};
	const struct bl_value *v = NULL;
	assert_int_equal(p->resolve(f, &k, &v), 0);
	assert_non_null(v);
	deny_substr = NULL;
	return v;
}

__attribute__((unused)) static inline void assert_str(const struct bl_value *v, const char *want)
{
	if (!v)
		fail_msg("missing, want \"%s\"", want);
	if (v->type != BL_VSTR)
		fail_msg("type %d, want string \"%s\"", v->type, want);
	if (v->u.str.len != strlen(want) || memcmp(v->u.str.s, want, v->u.str.len) != 0)
		fail_msg("\"%.*s\", want \"%s\"", (int)v->u.str.len, v->u.str.s, want);
}

__attribute__((unused)) static inline void assert_num(const struct bl_value *v, const char *want)
{
	assert_non_null(v);
	assert_int_equal(v->type, BL_VNUM);
	assert_string_equal(v->u.num.text, want);
}

__attribute__((unused)) static inline void assert_bool(const struct bl_value *v, bool want)
{
	assert_non_null(v);
	assert_int_equal(v->type, BL_VBOOL);
	assert_int_equal(v->b, want);
}

/* want: the string elements joined with '|'. */
__attribute__((unused)) static inline void assert_list(const struct bl_value *v, const char *want)
{
	if (!v || v->type != BL_VARR)
		fail_msg("not an array, want [%s]", want);
	char buf[2048] = "";
	size_t n = 0;
	for (uint32_t i = 0; i < v->u.arr.n; i++) {
		const struct bl_value *e = &v->u.arr.items[i];
		assert_int_equal(e->type, BL_VSTR);
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.*s", i ? "|" : "", (int)e->u.str.len,
				      e->u.str.s);
	}
	assert_string_equal(buf, want);
}

__attribute__((unused)) static inline void assert_special(const struct bl_value *v, int type, const char *needle)
{
	assert_non_null(v);
	assert_int_equal(v->type, type);
	char msg[1024];
	snprintf(msg, sizeof msg, "%.*s", (int)v->u.str.len, v->u.str.s);
	if (!strstr(msg, needle))
		fail_msg("reason \"%s\" lacks \"%s\"", msg, needle);
}

#endif
