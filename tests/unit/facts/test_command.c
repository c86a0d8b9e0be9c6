/*
 * test_command.c - the `command` namespace: nothing runs without
 * allow_commands or under a root; word splitting without a shell; output
 * lines, exit status, stderr captured, stdin empty; a missing program is
 * not applicable; a hanging command (and its children) is killed at the
 * timeout.
 */
#include "testutil.h"

#include <time.h>

#include "facts/facts.h"

extern const struct bl_provider bl_provider_command;

static struct bl_facts *open_facts(const char *root, bool allow, double timeout)
{
	struct bl_facts *f = NULL;
	struct bl_error err;
	struct bl_facts_opts o = {.root = root, .allow_commands = allow, .command_timeout = timeout};
	if (bl_facts_open(&f, &o, &err) != 0)
		fail_msg("%s", err.msg);
	return f;
}

static const struct bl_value *run(struct bl_facts *f, const char *cmd)
{
	const char *k[1] = {cmd};
	struct bl_fact_keys keys = {.keys = k, .n = 1};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_command.resolve(f, &keys, &v), 0);
	assert_int_equal(v->type, BL_VOBJ);
	assert_int_equal(v->u.obj.n, 1);
	return &v->u.obj.items[0].val;
}

static void expect_special(const struct bl_value *v, int type, const char *why)
{
	if (v->type != type || v->u.str.len != strlen(why) || memcmp(v->u.str.s, why, v->u.str.len))
		fail_msg("type %d \"%.*s\", want %d \"%s\"", v->type,
			 bl_value_special(v) ? (int)v->u.str.len : 0, bl_value_special(v) ? v->u.str.s : "",
			 type, why);
}

static void expect_lines(const struct bl_value *v, int64_t exit_code, const char **want, size_t n)
{
	assert_int_equal(v->type, BL_VOBJ);
	const struct bl_value *e = bl_value_getz(v, "exit");
	assert_non_null(e);
	assert_int_equal((int64_t)e->u.num.d, exit_code);
	const struct bl_value *l = bl_value_getz(v, "lines");
	assert_non_null(l);
	assert_int_equal(l->type, BL_VARR);
	if (l->u.arr.n != n)
		fail_msg("%u lines, want %zu", l->u.arr.n, n);
	for (size_t i = 0; i < n; i++) {
		const struct bl_value *s = &l->u.arr.items[i];
		assert_int_equal(s->type, BL_VSTR);
		if (s->u.str.len != strlen(want[i]) || memcmp(s->u.str.s, want[i], s->u.str.len))
			fail_msg("line %zu \"%.*s\", want \"%s\"", i, (int)s->u.str.len, s->u.str.s, want[i]);
	}
}

static void test_disabled(void **state)
{
	(void)state;
	struct bl_facts *f = open_facts(NULL, false, 0);
	expect_special(run(f, "echo hi"), BL_VNA, "commands disabled (run with --allow-commands)");
	bl_facts_close(f);
	f = open_facts("tests/fixtures/sca/root-ok", true, 0);
	expect_special(run(f, "echo hi"), BL_VNA, "commands are never run with --root");
	bl_facts_close(f);
}

static void test_output(void **state)
{
	(void)state;
	struct bl_facts *f = open_facts(NULL, true, 10);
	const char *w1[] = {"a  b", "c|d", "it's"};
	expect_lines(run(f, "printf \"%s\\n\" 'a  b' c|d it\\'s"), 0, w1, 3);
	const char *w2[] = {"one", "two"};
	expect_lines(run(f, "printf \"one\\ntwo\\r\\n\""), 0, w2, 2);
	expect_lines(run(f, "sh -c 'exit 3'"), 3, NULL, 0);
	const char *w3[] = {"err"};
	expect_lines(run(f, "sh -c 'echo err >&2'"), 0, w3, 1);
	/* stdin is /dev/null: cat ends at once */
	expect_lines(run(f, "cat"), 0, NULL, 0);
	const char *w4[] = {"$HOME"};
	expect_lines(run(f, "echo $HOME"), 0, w4, 1);   /* no shell: no expansion */
	bl_facts_close(f);
}

static void test_failures(void **state)
{
	(void)state;
	struct bl_facts *f = open_facts(NULL, true, 10);
	expect_special(run(f, "/nonexistent/program -x"), BL_VNA,
		       "/nonexistent/program: cannot run: no such file or directory");
	expect_special(run(f, "echo 'open"), BL_VERR, "echo 'open: unbalanced ' quote");
	expect_special(run(f, "   "), BL_VERR, "   : empty command");
	bl_facts_close(f);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_timeout(void **state)
{
	(void)state;
	struct bl_facts *f = open_facts(NULL, true, 0.3);
	double t0 = now();
	expect_special(run(f, "sleep 20"), BL_VERR, "sleep 20: timed out after 0.3 s (process group killed)");
	/* a child that keeps the output open is killed with the group */
	expect_special(run(f, "sh -c 'sleep 20 & exec sleep 20'"), BL_VERR,
		       "sh -c 'sleep 20 & exec sleep 20': timed out after 0.3 s (process group killed)");
	double took = now() - t0;
	if (took > 3.0)
		fail_msg("took %.1f s", took);
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
