/*
 * test_faults.c - every host provider under injected faults, end to end:
 * the shipped linux-host baseline assessed (bl_assess_host: fact requests,
 * bl_facts_document, evaluation) against a copy of the hardened fixture root
 * while struct bl_sys_ops injects one fault.
 *
 *   - benign faults (reads cut short to a few bytes, EINTR on every other
 *     open and read) must change nothing: the same status for every control;
 *   - for every path the reference run opened, one run each with EACCES on
 *     open, EIO on read, and ENOENT between stat and open (the O_PATH open
 *     behind stat succeeds, the open for reading fails): no crash, and every
 *     control keeps its reference status or becomes `error` (ENOENT after
 *     stat may also read as "missing": fail or not_applicable), never pass.
 *     The reference is all pass / not_applicable, so a pass that stayed a
 *     pass read only what did not fail (a file's mode when its content
 *     could not be read, the other branch of an anyOf); a control that
 *     needed the faulted source can only be error or fail.
 *
 * Copying the root with its owners needs root (scripts/fixture-root.sh);
 * without it the tests are skipped.  The fault hooks take no context (the
 * ops table is plain function pointers), so the fault lives in file statics.
 */
#include "testutil.h"

#include <pthread.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/host.h"
#include "facts/facts.h"
#include "model/baseline.h"

enum fault_kind { F_NONE, F_SHORT, F_EINTR, F_EACCES, F_EIO, F_ENOENT_REOPEN, F_RECORD };

#define MAX_FDS 4096
#define MAX_PATHS 1024

static struct {
	enum fault_kind kind;
	const char *target;          /* path (as passed to open_in_root) that is faulted */
	bool fd_faulted[MAX_FDS];    /* fds open on the target */
	unsigned long calls;
	bool hit;                    /* the fault was injected at least once */
	/* F_RECORD: every path opened for reading (not O_PATH), in first-open order */
	char *paths[MAX_PATHS];
	size_t npaths;
} F;

/* The filesystem walk opens directories from several threads at once. */
static pthread_mutex_t record_mu = PTHREAD_MUTEX_INITIALIZER;

static void record(const char *path)
{
	pthread_mutex_lock(&record_mu);
	bool seen = false;
	for (size_t i = 0; i < F.npaths && !seen; i++)
		seen = strcmp(F.paths[i], path) == 0;
	if (!seen && F.npaths < MAX_PATHS)
		F.paths[F.npaths++] = strdup(path);
	pthread_mutex_unlock(&record_mu);
}

static int f_open(int rootfd, const char *path, int flags, bool nofollow_last)
{
	unsigned long call = __atomic_add_fetch(&F.calls, 1, __ATOMIC_RELAXED);
	bool is_target = F.target && strcmp(path, F.target) == 0;
	bool reading = !(flags & O_PATH);
	if (F.kind == F_EINTR && call % 2 == 1) {
		errno = EINTR;
		return -1;
	}
	if (F.kind == F_EACCES && is_target) {
		F.hit = true;
		errno = EACCES;
		return -1;
	}
	if (F.kind == F_ENOENT_REOPEN && is_target && reading) {
		F.hit = true;
		errno = ENOENT;
		return -1;
	}
	int fd = bl_sys_default_ops.open_in_root(rootfd, path, flags, nofollow_last);
	if (fd >= 0 && fd < MAX_FDS)
		F.fd_faulted[fd] = is_target;
	if (fd >= 0 && F.kind == F_RECORD && reading && path[0])
		record(path);
	return fd;
}

static ssize_t f_read(int fd, void *buf, size_t n)
{
	unsigned long call = __atomic_add_fetch(&F.calls, 1, __ATOMIC_RELAXED);
	if (F.kind == F_EINTR && call % 2 == 1) {
		errno = EINTR;
		return -1;
	}
	if (F.kind == F_EIO && fd >= 0 && fd < MAX_FDS && F.fd_faulted[fd]) {
		F.hit = true;
		errno = EIO;
		return -1;
	}
	if (F.kind == F_SHORT && n > 3)
		n = 3;
	return read(fd, buf, n);
}

static int f_close(int fd)
{
	if (fd >= 0 && fd < MAX_FDS)
		F.fd_faulted[fd] = false;
	return close(fd);
}

static const struct bl_sys_ops fault_ops = {
	.open_in_root = f_open,
	.read = f_read,
	.fstat = fstat,
	.close = f_close,
	.readlinkat = readlinkat,
	.fdopendir = fdopendir,
	.readdir = readdir,
	.closedir = closedir,
};

struct fixture {
	char dir[64];
	char root[96];
	struct bl_baseline *b;
	int *ref;             /* reference status per control index; -1 = no result */
};

struct collect {
	const struct bl_baseline *b;
	int *status;
};

static int collect_result(void *ctx, const struct bl_result *r)
{
	struct collect *c = ctx;
	size_t i = (size_t)(r->control - c->b->controls);
	assert_true(i < c->b->ncontrols);
	c->status[i] = (int)r->status;
	if (r->status == BL_ERROR && getenv("BL_FAULTS_VERBOSE"))
		print_message("  %s: error: %s\n", r->control->id, r->message);
	return 0;
}

/* Assess the root with the current fault; statuses into out[ncontrols]. */
static int assess(struct fixture *fx, int *out)
{
	for (size_t i = 0; i < fx->b->ncontrols; i++)
		out[i] = -1;
	struct bl_facts *f = NULL;
	struct bl_error err;
	struct bl_facts_opts fo = {.root = fx->root};
	assert_int_equal(bl_facts_open(&f, &fo, &err), 0);
	bl_facts_sys(f)->ops = &fault_ops;
	struct collect c = {fx->b, out};
	struct bl_sink sink = {.result = collect_result, .ctx = &c};
	struct bl_run_stats stats;
	assert_int_equal(bl_run_stats_init(&stats, fx->b), 0);
	int rc = bl_assess_host(fx->b, f, NULL, &sink, &stats, &err);
	bl_run_stats_free(&stats);
	bl_facts_close(f);
	return rc;
}

static void set_fault(enum fault_kind k, const char *target)
{
	F.kind = k;
	F.target = target;
	F.calls = 0;
	F.hit = false;
	memset(F.fd_faulted, 0, sizeof(F.fd_faulted));
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	memcpy(fx->dir, "/tmp/bl-faults-XXXXXX", sizeof("/tmp/bl-faults-XXXXXX"));
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->root, sizeof(fx->root), "%s/root", fx->dir);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2);
		execl("scripts/fixture-root.sh", "fixture-root.sh", "tests/fixtures/hosts/hardened",
		      fx->root, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 0) {
		struct bl_diags d;
		bl_diags_init(&d);
		assert_int_equal(bl_baseline_load(&fx->b, "builtin:linux-host", &d), 0);
		bl_diags_free(&d);
		fx->ref = calloc(fx->b->ncontrols, sizeof(int));
		assert_non_null(fx->ref);
		set_fault(F_RECORD, NULL);
		assert_int_equal(assess(fx, fx->ref), 0);
		set_fault(F_NONE, NULL);
	} else {
		assert_int_equal(WEXITSTATUS(st), 77);   /* not root: skipped */
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	if (fx->b) {
		/* the copy is ours: remove it (nothing in it is followed) */
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			execl("/bin/rm", "rm", "-rf", fx->dir, (char *)NULL);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	} else {
		rmdir(fx->dir);
	}
	bl_baseline_free(fx->b);
	free(fx->ref);
	for (size_t i = 0; i < F.npaths; i++)
		free(F.paths[i]);
	F.npaths = 0;
	free(fx);
	return 0;
}

static struct fixture *need_root(void **state)
{
	struct fixture *fx = *state;
	if (!fx->b)
		skip();
	return fx;
}

static void reference_is_the_expected_one(void **state)
{
	struct fixture *fx = need_root(state);
	size_t pass = 0, na = 0, other = 0;
	for (size_t i = 0; i < fx->b->ncontrols; i++) {
		if (fx->ref[i] == BL_PASS)
			pass++;
		else if (fx->ref[i] == BL_NA)
			na++;
		else if (fx->ref[i] != -1)
			other++;
	}
	/* tests/fixtures/hosts/expected-hardened.tsv: 244 pass, 41 not_applicable */
	assert_int_equal(pass, 244);
	assert_int_equal(na, 41);
	assert_int_equal(other, 0);
	assert_true(F.npaths > 20);
}

static void benign_faults_change_nothing(void **state)
{
	struct fixture *fx = need_root(state);
	int *got = calloc(fx->b->ncontrols, sizeof(int));
	assert_non_null(got);
	const enum fault_kind kinds[] = {F_SHORT, F_EINTR};
	size_t wrong = 0;
	for (size_t k = 0; k < 2; k++) {
		set_fault(kinds[k], NULL);
		assert_int_equal(assess(fx, got), 0);
		for (size_t i = 0; i < fx->b->ncontrols; i++)
			if (got[i] != fx->ref[i])
				fail_msg("%s: control %s: %d instead of %d",
					 kinds[k] == F_SHORT ? "short reads" : "EINTR",
					 fx->b->controls[i].id, got[i], fx->ref[i]);
	}
	set_fault(F_NONE, NULL);
	free(got);
	assert_int_equal(wrong, 0);
}

static const char *kind_name(enum fault_kind k)
{
	return k == F_EACCES ? "EACCES" : k == F_EIO ? "EIO" : "ENOENT after stat";
}

static void targeted_faults_never_pass(void **state)
{
	struct fixture *fx = need_root(state);
	int *got = calloc(fx->b->ncontrols, sizeof(int));
	assert_non_null(got);
	const enum fault_kind kinds[] = {F_EACCES, F_EIO, F_ENOENT_REOPEN};
	size_t runs = 0, silent = 0, wrong = 0;
	for (size_t p = 0; p < F.npaths; p++) {
		for (size_t k = 0; k < 3; k++) {
			set_fault(kinds[k], F.paths[p]);
			int rc = assess(fx, got);
			runs++;
			if (rc == BL_ENOMEM || rc == BL_EINTERNAL)
				fail_msg("%s on %s: run failed with %d", kind_name(kinds[k]),
					 F.paths[p], rc);
			if (rc != 0)
				continue;   /* a run-level error: no result can be a pass */
			size_t errors = 0;
			for (size_t i = 0; i < fx->b->ncontrols; i++) {
				if (got[i] == fx->ref[i])
					continue;
				/* ENOENT after stat: the file vanished; reading it as
				 * missing (fail, not_applicable) is right too. */
				bool ok = got[i] == BL_ERROR ||
					  (kinds[k] == F_ENOENT_REOPEN && got[i] != BL_PASS &&
					   got[i] != BL_EXEMPT);
				if (!ok) {
					print_error("%s on %s: control %s became %d (reference %d), "
						    "not error\n", kind_name(kinds[k]), F.paths[p],
						    fx->b->controls[i].id, got[i], fx->ref[i]);
					wrong++;
				}
				errors++;
			}
			if (F.hit && errors == 0)
				silent++;
		}
	}
	set_fault(F_NONE, NULL);
	free(got);
	/* A fault that changes nothing is not by itself a bug: the control may
	 * read only what succeeded (a file's mode when its content failed), or
	 * an anyOf branch that did not need the faulted one.  Shown, not failed. */
	print_message("fault runs: %zu over %zu paths; %zu changed no result\n", runs, F.npaths,
		      silent);
	assert_true(runs - silent > F.npaths);
	assert_int_equal(wrong, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_is_the_expected_one),
		cmocka_unit_test(benign_faults_change_nothing),
		cmocka_unit_test(targeted_faults_never_pass),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
