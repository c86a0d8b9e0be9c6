/* Unit tests for facts/listening.c: listening sockets parsed from fixture copies of
 * /proc/net (tests/fixtures/hosts/hostsys-proc). */
#include "testutil.h"

#include "facts/facts.h"

extern const struct bl_provider bl_provider_listening;
int bl_listening_collect(struct bl_facts *f, const struct bl_value **out);

#define FIX "tests/fixtures/hosts/"

static struct bl_facts *open_root(const char *root)
{
	struct bl_facts *f = NULL;
	struct bl_error err;
	int rc = bl_facts_open(&f, &(struct bl_facts_opts){.root = root}, &err);
	if (rc != 0)
		fail_msg("bl_facts_open(%s): %s", root, err.msg);
	return f;
}

static void assert_str(const struct bl_value *obj, const char *key, const char *want)
{
	size_t len;
	const char *s = bl_value_strz(obj, key, &len);
	if (!s)
		fail_msg("%s: not a string", key);
	if (strlen(want) != len || memcmp(s, want, len) != 0)
		fail_msg("%s: got '%.*s', want '%s'", key, (int)len, s, want);
}



static void sock(const struct bl_value *e, const char *proto, const char *addr, int port,
		 const char *process)
{
	assert_str(e, "proto", proto);
	assert_str(e, "address", addr);
	const struct bl_value *p = bl_value_getz(e, "port");
	assert_int_equal(p->type, BL_VNUM);
	assert_int_equal((int)p->u.num.d, port);
	if (process) {
		assert_str(e, "process", process);
	} else {
		assert_int_equal(bl_value_getz(e, "process")->type, BL_VNULL);
	}
}

/* The parser on fixture copies of /proc/net (the root is read as if live). */
static void test_tables(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-proc");
	const struct bl_value *v = NULL;
	assert_int_equal(bl_listening_collect(f, &v), 0);
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->u.arr.n, 6);
	const struct bl_value *e = v->u.arr.items;
	sock(&e[0], "tcp", "0.0.0.0", 22, "sshd");       /* owner found by socket inode */
	sock(&e[1], "tcp", "127.0.0.1", 631, NULL);      /* established line 2 skipped */
	sock(&e[2], "tcp6", "::", 22, "sshd");
	sock(&e[3], "tcp6", "::1", 631, NULL);
	sock(&e[4], "tcp6", "fe80::254:ff:c0a8:1", 8080, NULL);   /* CRLF, no final newline */
	sock(&e[5], "udp", "0.0.0.0", 68, NULL);         /* bound UDP (07); connected one skipped */
	bl_facts_close(f);
}

static void test_offline(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-proc");
	struct bl_fact_keys k = {.all = true};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_listening.resolve(f, &k, &v), 0);
	assert_int_equal(v->type, BL_VNA);
	bl_facts_close(f);
	/* no /proc/net at all: nothing listens (every table is optional) */
	f = open_root(FIX "hostsys-empty");
	assert_int_equal(bl_listening_collect(f, &v), 0);
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->u.arr.n, 0);
	bl_facts_close(f);
}

/* The live host: whatever listens, every element is well formed. */
static void test_live(void **state)
{
	(void)state;
	struct bl_facts *f = open_root("/");
	struct bl_fact_keys k = {.all = true};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_listening.resolve(f, &k, &v), 0);
	assert_int_equal(v->type, BL_VARR);
	for (uint32_t i = 0; i < v->u.arr.n; i++) {
		const struct bl_value *p = bl_value_getz(&v->u.arr.items[i], "port");
		assert_int_equal(p->type, BL_VNUM);
		assert_true(p->u.num.d >= 0 && p->u.num.d <= 65535);
	}
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_offline),
		cmocka_unit_test(test_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
