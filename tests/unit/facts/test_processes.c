/* Unit tests for facts/processes.c: processes read from a fixture /proc
 * (tests/fixtures/hosts/hostsys-proc) and from the live host. */
#include <unistd.h>

#include "testutil.h"

#include "facts/facts.h"

extern const struct bl_provider bl_provider_processes;
int bl_processes_collect(struct bl_facts *f, const struct bl_value **out);

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


static void assert_special(const struct bl_value *v, int type, const char *want)
{
	assert_non_null(v);
	assert_int_equal(v->type, type);
	if (strlen(want) != v->u.str.len || memcmp(v->u.str.s, want, v->u.str.len) != 0)
		fail_msg("got '%.*s', want '%s'", (int)v->u.str.len, v->u.str.s, want);
}

static void proc(const struct bl_value *e, int pid, const char *name, const char *cmdline,
		 const char *user)
{
	const struct bl_value *p = bl_value_getz(e, "pid");
	assert_int_equal(p->type, BL_VNUM);
	assert_int_equal((int)p->u.num.d, pid);
	assert_str(e, "name", name);
	assert_str(e, "cmdline", cmdline);
	if (user) {
		assert_str(e, "user", user);
	} else {
		assert_int_equal(bl_value_getz(e, "user")->type, BL_VNULL);
	}
}

static void test_fixture(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-proc");
	const struct bl_value *v = NULL;
	assert_int_equal(bl_processes_collect(f, &v), 0);
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->u.arr.n, 3);   /* 99 has no status: it exited */
	proc(&v->u.arr.items[0], 1, "systemd", "/sbin/init splash", "root");
	proc(&v->u.arr.items[1], 42, "sshd", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups",
	     "alice");
	proc(&v->u.arr.items[2], 7, "kthreadd", "", NULL);   /* uid 4242 has no passwd line */
	bl_facts_close(f);
}

static void test_offline(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-proc");
	struct bl_fact_keys k = {.all = true};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_processes.resolve(f, &k, &v), 0);
	assert_int_equal(v->type, BL_VNA);
	bl_facts_close(f);
	f = open_root(FIX "hostsys-empty");
	assert_int_equal(bl_processes_collect(f, &v), 0);
	assert_special(v, BL_VERR, "/proc: not mounted");
	bl_facts_close(f);
}

/* Live: this very process is in the list with its name. */
static void test_live(void **state)
{
	(void)state;
	struct bl_facts *f = open_root("/");
	struct bl_fact_keys k = {.all = true};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_processes.resolve(f, &k, &v), 0);
	assert_int_equal(v->type, BL_VARR);
	bool found = false;
	for (uint32_t i = 0; i < v->u.arr.n; i++) {
		const struct bl_value *p = bl_value_getz(&v->u.arr.items[i], "pid");
		if ((int)p->u.num.d == (int)getpid()) {
			assert_str(&v->u.arr.items[i], "name", "test_processes");
			found = true;
		}
	}
	assert_true(found);
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_offline),
		cmocka_unit_test(test_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
