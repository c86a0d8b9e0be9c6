/*
 * test_host.c - the host as one asset (engine/host.c): file objects carry
 * sha256, lines and content only when a rule reads them (or the object
 * whole, or anything through a run-time expression), so a file whose mode
 * alone is checked is never opened; results are the same either way.
 */
#include "enginetest.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/host.h"
#include "facts/facts.h"

static char ROOT[64];
static int opens;   /* opens of etc/x for reading */

static int counting_open(int rootfd, const char *path, int flags, bool nofollow_last)
{
	if (!(flags & O_PATH) && strcmp(path, "etc/x") == 0)
		opens++;
	return bl_sys_default_ops.open_in_root(rootfd, path, flags, nofollow_last);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(ROOT, sizeof ROOT, "/tmp/bl_host_XXXXXX");
	if (!mkdtemp(ROOT))
		return -1;
	char p[128];
	snprintf(p, sizeof p, "%s/etc", ROOT);
	if (mkdir(p, 0755) != 0)
		return -1;
	snprintf(p, sizeof p, "%s/etc/x", ROOT);
	FILE *fp = fopen(p, "w");
	if (!fp)
		return -1;
	fputs("hello\nworld\n", fp);
	fclose(fp);
	return chmod(p, 0640);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(ROOT, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static int last_status;

static int keep_status(void *ctx, const struct bl_result *r)
{
	(void)ctx;
	last_status = (int)r->status;
	return 0;
}

/* Assess ROOT with one control whose expect is cond (YAML flow text);
 * returns its status and sets opens. */
static int assess_one(const char *cond)
{
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
		 "baseline: h\nversion: 1.0.0\ncontrols:\n"
		 "  - {id: C1, title: c, severity: high, scope: {types: [linux.host]},"
		 " expect: %s}\n", cond);
	struct et t;
	et_load(&t, yaml);
	struct bl_facts *f = NULL;
	struct bl_error err;
	struct bl_facts_opts fo = {.root = ROOT};
	assert_int_equal(bl_facts_open(&f, &fo, &err), 0);
	struct bl_sys_ops ops = bl_sys_default_ops;
	ops.open_in_root = counting_open;
	bl_facts_sys(f)->ops = &ops;
	struct bl_sink sink = {.result = keep_status, .ctx = NULL};
	struct bl_run_stats stats;
	assert_int_equal(bl_run_stats_init(&stats, t.b), 0);
	opens = 0;
	last_status = -1;
	assert_int_equal(bl_assess_host(t.b, f, NULL, &sink, &stats, &err), 0);
	bl_run_stats_free(&stats);
	bl_facts_close(f);
	et_free(&t);
	return last_status;
}

#define SHA_X "\"4a1e67f2fe1d1cc7b31d0ca2ec441da4778203a036a77da10344c85e24ff0f92\""

static void test_file_members(void **state)
{
	(void)state;
	/* metadata only: the file is not read */
	assert_int_equal(assess_one("{field: 'file[\"/etc/x\"].mode', equals: '0640'}"), BL_PASS);
	assert_int_equal(opens, 0);
	assert_int_equal(assess_one("{field: 'files[\"/etc/*\"][*].mode', equals: '0640'}"),
			 BL_PASS);
	assert_int_equal(opens, 0);
	/* counting the objects needs no content */
	assert_int_equal(assess_one("{count: {field: 'files[\"/etc/*\"][*]'}, equals: 1}"),
			 BL_PASS);
	assert_int_equal(opens, 0);
	assert_int_equal(assess_one("{count: {field: 'files[\"/etc/*\"][*]', where: {field: "
				    "'files[\"/etc/*\"][*].type', equals: file}}, equals: 1}"),
			 BL_PASS);
	assert_int_equal(opens, 0);
	/* the members themselves, any case */
	assert_int_equal(assess_one("{field: 'file[\"/etc/x\"].SHA256', equals: " SHA_X "}"),
			 BL_PASS);
	assert_int_equal(opens, 1);
	assert_int_equal(assess_one("{field: 'files[\"/etc/*\"][0].sha256', equals: " SHA_X "}"),
			 BL_PASS);
	assert_int_equal(opens, 1);
	assert_int_equal(assess_one("{count: {field: 'files[\"/etc/*\"][*].lines[*]', where: "
				    "{field: 'files[\"/etc/*\"][*].lines[*]', equals: world}}, "
				    "equals: 1}"),
			 BL_PASS);
	assert_int_equal(opens, 1);
	assert_int_equal(assess_one("{field: 'file[\"/etc/x\"].content', regex: '^hello'}"),
			 BL_PASS);
	assert_int_equal(opens, 1);
}

/* What reads the object whole, or what cannot be listed, gets all of it. */
static void test_whole_objects(void **state)
{
	(void)state;
	assert_int_equal(assess_one("{field: 'file[\"/etc/x\"]', exists: true}"), BL_PASS);
	assert_int_equal(opens, 1);
	assert_int_equal(assess_one("{field: 'files[\"/etc/*\"][*]', exists: true}"), BL_PASS);
	assert_int_equal(opens, 1);
	assert_int_equal(assess_one("{field: 'file[\"/etc/x\"][*]', exists: true}"), BL_PASS);
	assert_int_equal(opens, 1);
	/* a run-time expression: the keep set is off, everything is built */
	assert_int_equal(assess_one("{allOf: [{field: 'file[\"/etc/x\"].mode', equals: '0640'},"
				    " {value: \"[field('os')]\", exists: true}]}"),
			 BL_PASS);
	assert_int_equal(opens, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_members),
		cmocka_unit_test(test_whole_objects),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
