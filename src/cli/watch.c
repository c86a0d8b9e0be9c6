/*
 * watch.c - `baseline watch [assess options] [--interval D] [--alert SPEC]...`:
 * assess again and again, store every run, and alert on what changed.
 *
 * Each cycle runs `baseline assess` as a child process of this same binary
 * (/proc/self/exe) with the assess options given, so a run is exactly what
 * `assess` does (same store transaction, same exit codes) and its memory is
 * returned to the system afterwards.  Then the new run is compared with the
 * previous run of the same baseline (the drift of `baseline drift`) and
 * every change at or above --alert-min-severity goes to the alert sinks
 * (src/alert/).  The first run of a baseline is the reference: it alerts
 * only on exceptions about to expire.
 *
 * Signals: SIGHUP starts the next cycle now; SIGTERM/SIGINT stop: a run in
 * progress gets SIGTERM (the store's run transaction is rolled back, so no
 * partial run is ever visible), queued webhook deliveries get a few seconds,
 * and watch exits 0.  Signals are taken synchronously (sigtimedwait): no
 * handler, no global state.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "cli/cli.h"
#include "doc/json.h"
#include "engine/drift.h"
#include "model/exceptions.h"
#include "store/store.h"

static const char usage_text[] =
	"usage: baseline watch [ASSESS OPTIONS] [--interval DURATION] [--alert SPEC]...\n"
	"                      [--alert-min-severity SEVERITY] [--expiring-days N] [--once]\n"
	"\n"
	"Assess on an interval (and at once on SIGHUP), store every run, and alert on\n"
	"each change since the previous run of the same baseline: results newly failing,\n"
	"fixed or exempted, assets new or removed, the baseline changed, a run that\n"
	"failed, and exceptions (-x) expiring within N days.  Every assess option is\n"
	"accepted and passed on (-b, --host, -s, -i, -x, --store, -f/-o ...).\n"
	"\n"
	"  --interval DURATION         time between runs: 90s, 15m, 1h, 1d (default 1h)\n"
	"  --alert syslog              one syslog(3) message per event (facility daemon)\n"
	"  --alert webhook=URL         POST a JSON document per run (retries, timeout;\n"
	"                              never delays the next run)\n"
	"  --alert jsonl=FILE          append one JSON object per event and line\n"
	"  --alert-min-severity SEV    alert at or above: critical high medium low info\n"
	"                              (default medium)\n"
	"  --expiring-days N           alert for exceptions expiring within N days (14)\n"
	"  --webhook-timeout SECONDS   per delivery attempt (default 10)\n"
	"  --webhook-attempts N        attempts per document, backoff 1 s doubling (4)\n"
	"  --once                      one cycle, then exit with the run's exit code\n"
	"  -h, --help                  this help\n"
	"\n"
	"SIGTERM ends watch cleanly: a run in progress is abandoned without a partial\n"
	"write.  contrib/ has systemd units for a long-running service or a timer.\n";

struct watch_opts {
	long interval;                 /* seconds */
	enum bl_severity min;
	long expiring_days;
	bool once;
	long max_runs;                 /* 0 = unlimited (tests: --max-runs) */
	const char *store;             /* --store, also passed on */
	const char **exc_files;        /* -x, also passed on */
	size_t nexc;
	bool has_output;
	char **child;                  /* argv for the assess child */
	size_t nchild;
};

/* "90", "90s", "15m", "1h", "1d" -> seconds; -1 when malformed. */
static long parse_duration(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || v <= 0)
		return -1;
	long mul = 1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60, end++;
	else if (*end == 'h')
		mul = 3600, end++;
	else if (*end == 'd')
		mul = 86400, end++;
	if (*end || v > 366L * 86400 / mul)
		return -1;
	return v * mul;
}

static const char *take_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool is_opt(const char *arg, const char *name)
{
	size_t n = strlen(name);
	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int child_add(struct watch_opts *w, const char *arg)
{
	char **na = realloc(w->child, (w->nchild + 2) * sizeof(*na));
	if (!na)
		return BL_ENOMEM;
	w->child = na;
	w->child[w->nchild++] = (char *)arg;
	w->child[w->nchild] = NULL;
	return 0;
}

/* Split argv into watch's own options and the assess options. */
static int parse(int argc, char **argv, struct watch_opts *w, struct bl_alerts **alerts)
{
	struct bl_alert_opts ao = {0};
	/* webhook settings apply to every webhook: read them before any --alert */
	for (int i = 1; i < argc; i++) {
		const char *v;
		char *end;
		if (is_opt(argv[i], "--webhook-timeout")) {
			if (!(v = take_value(argc, argv, &i, "--webhook-timeout")) ||
			    (ao.timeout_ms = strtol(v, &end, 10) * 1000L) < 1000 || *end ||
			    ao.timeout_ms > 600000)
				return bl_cli_usage_error("watch", "--webhook-timeout takes 1-600 seconds");
		} else if (is_opt(argv[i], "--webhook-attempts")) {
			long n;
			if (!(v = take_value(argc, argv, &i, "--webhook-attempts")) ||
			    (n = strtol(v, &end, 10)) < 1 || *end || n > 20)
				return bl_cli_usage_error("watch", "--webhook-attempts takes 1-20");
			ao.attempts = (int)n;
		}
	}
	if (bl_alerts_new(alerts, &ao))
		return bl_cli_usage_error("watch", "out of memory");
	w->interval = 3600;
	w->min = BL_SEV_MEDIUM;
	w->expiring_days = 14;
	if (child_add(w, "baseline") || child_add(w, "assess"))
		return bl_cli_usage_error("watch", "out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		struct bl_error err;
		bl_error_clear(&err);
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			return -1;
		} else if (is_opt(a, "--interval")) {
			if (!(v = take_value(argc, argv, &i, "--interval")) || (w->interval = parse_duration(v)) < 1)
				return bl_cli_usage_error("watch", "--interval takes a duration such as 90s, 15m, 1h or 1d");
		} else if (is_opt(a, "--alert")) {
			if (!(v = take_value(argc, argv, &i, "--alert")))
				return bl_cli_usage_error("watch", "--alert needs a value");
			if (bl_alerts_add(*alerts, v, &err))
				return bl_cli_report_error(&err);
		} else if (is_opt(a, "--alert-min-severity")) {
			int s;
			if (!(v = take_value(argc, argv, &i, "--alert-min-severity")) ||
			    (s = bl_severity_parse(v, strlen(v))) < 0)
				return bl_cli_usage_error("watch", "--alert-min-severity takes critical, high, medium, low or info");
			w->min = (enum bl_severity)s;
		} else if (is_opt(a, "--expiring-days")) {
			char *end;
			if (!(v = take_value(argc, argv, &i, "--expiring-days")) ||
			    (w->expiring_days = strtol(v, &end, 10)) < 0 || *end || w->expiring_days > 3650)
				return bl_cli_usage_error("watch", "--expiring-days takes a number of days (0-3650)");
		} else if (is_opt(a, "--webhook-timeout") || is_opt(a, "--webhook-attempts")) {
			if (!strchr(a, '='))
				i++;  /* read above */
		} else if (strcmp(a, "--once") == 0) {
			w->once = true;
		} else if (is_opt(a, "--max-runs")) {
			char *end;
			if (!(v = take_value(argc, argv, &i, "--max-runs")) ||
			    (w->max_runs = strtol(v, &end, 10)) < 1 || *end)
				return bl_cli_usage_error("watch", "--max-runs takes a positive number");
		} else if (strcmp(a, "--no-store") == 0) {
			return bl_cli_usage_error("watch", "--no-store: watch compares stored runs");
		} else {
			/* an assess option: note the ones watch reads too */
			if (child_add(w, a))
				return bl_cli_usage_error("watch", "out of memory");
			bool takes = is_opt(a, "--store") || strcmp(a, "-x") == 0 || is_opt(a, "--exceptions");
			if (strcmp(a, "-o") == 0 || is_opt(a, "--output") || strncmp(a, "-o", 2) == 0)
				w->has_output = true;
			if (takes) {
				const char *name = a[1] == '-' ? (strncmp(a, "--store", 7) == 0 ? "--store" : "--exceptions") : "-x";
				if (!(v = take_value(argc, argv, &i, name)))
					return bl_cli_usage_error("watch", "%s needs a value", a);
				if (!strchr(a, '=') && child_add(w, v))
					return bl_cli_usage_error("watch", "out of memory");
				if (strcmp(name, "--store") == 0) {
					w->store = v;
				} else {
					const char **nx = realloc(w->exc_files, (w->nexc + 1) * sizeof(*nx));
					if (!nx)
						return bl_cli_usage_error("watch", "out of memory");
					w->exc_files = nx;
					w->exc_files[w->nexc++] = v;
				}
			}
		}
	}
	if (child_add(w, "-q"))
		return bl_cli_usage_error("watch", "out of memory");
	if (!w->has_output && (child_add(w, "-o") || child_add(w, "/dev/null")))
		return bl_cli_usage_error("watch", "out of memory");
	return 0;
}

/* ---- one cycle ---------------------------------------------------------- */

struct events {
	struct bl_alert_event *v;
	size_t n, cap;
	struct bl_arena *a;
};

static int event_add(struct events *e, const struct bl_alert_event *ev)
{
	if (e->n == e->cap) {
		size_t nc = e->cap ? e->cap * 2 : 64;
		struct bl_alert_event *nv = realloc(e->v, nc * sizeof(*nv));
		if (!nv)
			return BL_ENOMEM;
		e->v = nv;
		e->cap = nc;
	}
	e->v[e->n++] = *ev;
	return 0;
}

static const char *const kind_names[BL_DRIFT_NKINDS] = {
	[BL_DRIFT_NEWLY_FAILING] = "newly_failing", [BL_DRIFT_FIXED] = "fixed",
	[BL_DRIFT_EXEMPTED] = "exempted", [BL_DRIFT_STILL_FAILING] = "still_failing",
	[BL_DRIFT_NEW_ASSET] = "new_asset", [BL_DRIFT_REMOVED_ASSET] = "removed_asset",
	[BL_DRIFT_EXCEPTION_EXPIRED] = "exception_expired",
};

/* The drift events of the latest run; *run_id set to it (NULL when the store
 * has no run).  A first run of its baseline yields no drift events. */
static int drift_events(const struct watch_opts *w, struct events *ev, const char *now,
			const char *last_seen, const char **run_id, struct bl_error *err)
{
	struct bl_store *st = NULL;
	*run_id = NULL;
	int rc = bl_store_open(&st, w->store, err);
	if (rc)
		return rc;
	struct bl_stored_run ra, rb;
	struct bl_drift d;
	rc = bl_store_run_find(st, "latest", ev->a, &rb, err);
	if (rc || (last_seen && strcmp(rb.id, last_seen) == 0)) {
		bl_store_close(st);
		return rc;  /* no new run */
	}
	*run_id = rb.id;
	rc = bl_cli_drift_load(st, NULL, rb.id, ev->a, &ra, &rb, &d, err);
	if (rc == BL_EINVAL) {  /* the first run of this baseline: the reference */
		bl_drift_free(&d);
		bl_store_close(st);
		bl_error_clear(err);
		return 0;
	}
	const char *json = NULL;
	size_t len = 0;
	const struct bl_value *doc = NULL, *controls = NULL;
	if (!rc && bl_store_baseline_json(st, rb.baseline_sha256, ev->a, &json, &len, err) == 0 &&
	    bl_json_parse(&doc, ev->a, json, len, "stored baseline", NULL, err) == 0)
		controls = bl_value_getz(doc, "controls");
	bl_error_clear(err);
	for (size_t i = 0; !rc && i < d.n; i++) {
		const struct bl_drift_item *it = &d.items[i];
		if (it->kind == BL_DRIFT_STILL_FAILING)
			continue;
		struct bl_alert_event e = {
			.kind = kind_names[it->kind], .control = it->control, .asset = it->asset,
			.run = rb.id, .baseline = rb.baseline_id, .time = now,
			.severity = it->control ? bl_cli_control_severity(controls, it->control) : BL_SEV_INFO,
		};
		if (e.severity < w->min)
			continue;
		char line[900];
		if (it->control)
			snprintf(line, sizeof(line), "%s %s on %s (%s -> %s)", it->control,
				 it->kind == BL_DRIFT_NEWLY_FAILING ? "newly failing" :
				 it->kind == BL_DRIFT_FIXED ? "fixed" :
				 it->kind == BL_DRIFT_EXCEPTION_EXPIRED ? "failing again, exception expired," :
				 "exempted", it->asset,
				 it->from < BL_NSTATUS ? bl_status_name(it->from) : "absent",
				 it->to < BL_NSTATUS ? bl_status_name(it->to) : "absent");
		else
			snprintf(line, sizeof(line), "%s %s",
				 it->kind == BL_DRIFT_NEW_ASSET ? "new asset" : "asset removed:", it->asset);
		e.message = bl_arena_strndup(ev->a, line, strlen(line));
		if (!e.message || event_add(ev, &e))
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	if (!rc && strcmp(ra.baseline_sha256, rb.baseline_sha256) != 0 && BL_SEV_MEDIUM >= w->min) {
		char line[300];
		snprintf(line, sizeof(line), "baseline %s changed: version %s -> %s", rb.baseline_id,
			 ra.baseline_version ? ra.baseline_version : "?",
			 rb.baseline_version ? rb.baseline_version : "?");
		struct bl_alert_event e = {.kind = "baseline_changed", .severity = BL_SEV_MEDIUM,
					   .run = rb.id, .baseline = rb.baseline_id, .time = now,
					   .message = bl_arena_strndup(ev->a, line, strlen(line))};
		if (!e.message || event_add(ev, &e))
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	bl_drift_free(&d);
	bl_store_close(st);
	return rc;
}

/* Exceptions expiring within the window, each announced once per watch. */
static int expiry_events(const struct watch_opts *w, struct events *ev, const char *now,
			 char ***announced, size_t *nannounced, struct bl_error *err)
{
	if (BL_SEV_MEDIUM < w->min)
		return 0;
	for (size_t f = 0; f < w->nexc; f++) {
		struct bl_exceptions *x = NULL;
		struct bl_diags d;
		bl_diags_init(&d);
		struct bl_exc_opts o = {.now = (int64_t)time(NULL)};
		int rc = bl_exceptions_load(&x, w->exc_files[f], &o, &d);
		bl_diags_free(&d);
		if (rc)
			continue;  /* the assess child reports an invalid file */
		for (size_t i = 0; i < x->n; i++) {
			const struct bl_exception *e = &x->items[i];
			int64_t left = bl_exception_days_left(e, o.now);
			if (left < 0 || left > w->expiring_days)
				continue;
			bool seen = false;
			for (size_t k = 0; k < *nannounced && !seen; k++)
				seen = strcmp((*announced)[k], e->id) == 0;
			if (seen)
				continue;
			char **na = realloc(*announced, (*nannounced + 1) * sizeof(*na));
			char *id = strdup(e->id);
			if (!na || !id) {
				free(id);
				if (na)
					*announced = na;
				bl_exceptions_free(x);
				return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
			}
			*announced = na;
			(*announced)[(*nannounced)++] = id;
			char line[400];
			snprintf(line, sizeof(line), "exception %s (%s) expires on %s, in %lld days", e->id,
				 e->control, e->expires, (long long)left);
			struct bl_alert_event a = {
				.kind = "exception_expiring", .severity = BL_SEV_MEDIUM,
				.control = bl_arena_strndup(ev->a, e->control, strlen(e->control)),
				.time = now, .message = bl_arena_strndup(ev->a, line, strlen(line))};
			if (!a.message || !a.control || event_add(ev, &a)) {
				bl_exceptions_free(x);
				return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
			}
		}
		bl_exceptions_free(x);
	}
	return 0;
}

/* ---- the loop ------------------------------------------------------------ */

enum wake { WAKE_TIMEOUT, WAKE_HUP, WAKE_STOP, WAKE_CHILD };

static enum wake wait_signal(const sigset_t *set, long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	int sig = sigtimedwait(set, NULL, ms < 0 ? NULL : &ts);
	if (sig == SIGHUP)
		return WAKE_HUP;
	if (sig == SIGTERM || sig == SIGINT)
		return WAKE_STOP;
	if (sig == SIGCHLD)
		return WAKE_CHILD;
	return WAKE_TIMEOUT;
}

/* Run one assess child; *status its wait status.  *stop set on SIGTERM,
 * *hup on SIGHUP (the next cycle then starts without waiting). */
static int run_child(const struct watch_opts *w, const sigset_t *set, const sigset_t *old,
		     int *status, bool *stop, bool *hup)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, old, NULL);
		execv("/proc/self/exe", w->child);
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		enum wake k = wait_signal(set, 1000);
		if (k == WAKE_HUP)
			*hup = true;
		if (k == WAKE_STOP && !*stop) {
			*stop = true;
			kill(pid, SIGTERM);
		}
	}
}

int bl_cmd_watch(int argc, char **argv)
{
	struct watch_opts w;
	memset(&w, 0, sizeof(w));
	struct bl_alerts *alerts = NULL;
	/* Signals are blocked before any thread starts, so every thread inherits
	 * the mask and only sigtimedwait below ever takes them. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	int code = parse(argc, argv, &w, &alerts);
	if (code) {
		bl_alerts_free(alerts, 0, NULL);
		free(w.child);
		free(w.exc_files);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return code < 0 ? BL_EXIT_OK : code;
	}
	char *last_seen = NULL;
	char **announced = NULL;
	size_t nannounced = 0;
	bool stop = false, hup = false;
	int last_code = BL_EXIT_OK;
	for (long runs = 0; !stop; runs++) {
		time_t started = time(NULL);
		char now[32];
		bl_now_rfc3339(now);
		int status = 0;
		struct bl_arena a;
		bl_arena_init(&a, 0);
		struct events ev = {.a = &a};
		struct bl_error err;
		bl_error_clear(&err);
		hup = false;
		if (run_child(&w, &set, &old, &status, &stop, &hup) != 0) {
			fprintf(stderr, "baseline watch: cannot run assess: %s\n", strerror(errno));
			last_code = BL_EXIT_INTERNAL;
			bl_arena_free(&a);
			break;
		}
		if (stop) {
			bl_arena_free(&a);
			break;
		}
		int rc = 0;
		last_code = WIFEXITED(status) ? WEXITSTATUS(status) : BL_EXIT_INTERNAL;
		const char *run_id = NULL;
		if (last_code == BL_EXIT_OK || last_code == BL_EXIT_FINDINGS) {
			rc = drift_events(&w, &ev, now, last_seen, &run_id, &err);
		} else if (BL_SEV_HIGH >= w.min) {
			char line[200];
			if (WIFEXITED(status))
				snprintf(line, sizeof(line), "assess failed with exit code %d", last_code);
			else
				snprintf(line, sizeof(line), "assess was killed by signal %d", WTERMSIG(status));
			struct bl_alert_event e = {.kind = "run_failed", .severity = BL_SEV_HIGH,
						   .time = now,
						   .message = bl_arena_strndup(&a, line, strlen(line))};
			if (!e.message || event_add(&ev, &e))
				rc = bl_error_set(&err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		}
		if (!rc)
			rc = expiry_events(&w, &ev, now, &announced, &nannounced, &err);
		if (!rc)
			rc = bl_alerts_send(alerts, ev.v, ev.n, &err);
		if (rc)
			bl_cli_report_error(&err);
		if (run_id) {
			free(last_seen);
			last_seen = strdup(run_id);
		}
		fprintf(stderr, "baseline watch: %s run %s: exit %d, %zu alert%s\n", now,
			run_id ? run_id : "(none stored)", last_code, ev.n, ev.n == 1 ? "" : "s");
		struct bl_buf problems;
		bl_buf_init(&problems, 0);
		if (bl_alerts_take_errors(alerts, &problems) && !problems.failed)
			fprintf(stderr, "%s", problems.data);
		bl_buf_free(&problems);
		free(ev.v);
		bl_arena_free(&a);
		if (w.once || (w.max_runs && runs + 1 >= w.max_runs))
			break;
		long left_ms = hup ? 0 : ((long)started + w.interval - (long)time(NULL)) * 1000L;
		while (left_ms > 0) {
			enum wake k = wait_signal(&set, left_ms);
			if (k == WAKE_STOP)
				stop = true;
			if (k != WAKE_CHILD)
				break;
			left_ms = ((long)started + w.interval - (long)time(NULL)) * 1000L;
		}
	}
	/* queued webhook documents get a little time, never a long one */
	struct bl_buf problems;
	bl_buf_init(&problems, 0);
	bl_alerts_free(alerts, stop ? 5000 : 10000, &problems);
	if (problems.len && !problems.failed)
		fprintf(stderr, "%s", problems.data);
	bl_buf_free(&problems);
	free(last_seen);
	for (size_t i = 0; i < nannounced; i++)
		free(announced[i]);
	free(announced);
	free(w.child);
	free(w.exc_files);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (stop)
		return BL_EXIT_OK;
	return last_code;
}
