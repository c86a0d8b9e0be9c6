/*
 * serve.c - `baseline serve`: the decision API, read API, exception workflow
 * and dashboard over HTTP (src/server/, docs/server.md).  Runs until SIGINT
 * or SIGTERM; SIGHUP reloads every baseline, and a baseline whose file
 * changed is reloaded within a second.  A reload that fails keeps the old
 * baseline and prints why on stderr.  Exit 0 on a clean stop; 2 bad usage, a
 * baseline that does not load, or an address it may not or cannot use; 3
 * internal.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#include "cli/cli.h"
#include "server/server.h"

static const char usage_text[] =
	"usage: baseline serve -b BASELINE... [--listen ADDR:PORT] [--store URL] [--allow-remote]\n"
	"                      [--max-body BYTES] [--max-header BYTES] [--timeout SECONDS]\n"
	"                      [--max-conns N] [--threads N]\n"
	"\n"
	"Serve the decision API (POST /v1/decide), the read API over the run store,\n"
	"the exception workflow, the HTML dashboard, /metrics and /healthz.\n"
	"Every route but /healthz needs a bearer token (baseline token create).\n"
	"\n"
	"  -b, --baseline FILE    a baseline (repeatable; the first is the default of\n"
	"                         /v1/decide); reloaded on SIGHUP or when the file changes\n"
	"      --listen ADDR:PORT where to listen (default 127.0.0.1:8443; port 0 picks one)\n"
	"      --allow-remote     allow a non-loopback --listen (put TLS in front)\n"
	"      --store URL        the run store (default $BASELINE_STORE or the user's)\n"
	"      --max-body BYTES   request body cap, 413 beyond (default 1048576)\n"
	"      --max-header BYTES request line and headers cap (default 16384)\n"
	"      --timeout SECONDS  close a connection idle that long (default 30)\n"
	"      --max-conns N      connection cap (default 256)\n"
	"      --threads N        worker threads (default 2)\n"
	"      --drop-privileges USER  when started as root, become USER before reading\n"
	"                         anything or listening (the store and baselines must be\n"
	"                         readable, and a SQLite store writable, by USER)\n"
	"  -h, --help             this help\n";

enum {
	OPT_LISTEN = 256, OPT_STORE, OPT_ALLOW_REMOTE, OPT_MAX_BODY, OPT_MAX_HEADER, OPT_TIMEOUT,
	OPT_MAX_CONNS, OPT_THREADS, OPT_DROP_PRIVS
};

static const struct option long_opts[] = {
	{"baseline", required_argument, NULL, 'b'},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"store", required_argument, NULL, OPT_STORE},
	{"allow-remote", no_argument, NULL, OPT_ALLOW_REMOTE},
	{"max-body", required_argument, NULL, OPT_MAX_BODY},
	{"max-header", required_argument, NULL, OPT_MAX_HEADER},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"max-conns", required_argument, NULL, OPT_MAX_CONNS},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"drop-privileges", required_argument, NULL, OPT_DROP_PRIVS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static volatile sig_atomic_t got_hup, got_stop;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

/* What the server's callbacks need. */
struct serve_ctx {
	const char *store_url;
	char self[4096];                 /* this binary, for the page renderer */
	char tmpdir[256];
	atomic_uint seq;
};

static int load_cb(void *ctx, const char *path, struct bl_baseline **out, struct bl_diags *d)
{
	(void)ctx;
	return bl_cli_baseline_load(out, path, NULL, d);
}

/*
 * The stored-run renderer (`baseline report`) writes files and opens its own
 * store connection; it runs as a child process of this very binary, so a
 * second SQLite connection is never opened and closed inside the server
 * (that left the server's connection reading a stale snapshot: new tokens
 * were not found).  The page goes to a private temporary file, read back.
 */
static int render_cb(void *vctx, const char *ref, struct bl_buf *out, struct bl_error *err)
{
	struct serve_ctx *ctx = vctx;
	char path[320];
	snprintf(path, sizeof(path), "%s/page-%u.html", ctx->tmpdir,
		 atomic_fetch_add(&ctx->seq, 1));
	char *argv[12];
	int n = 0;
	argv[n++] = ctx->self;
	argv[n++] = (char *)"report";
	argv[n++] = (char *)(uintptr_t)ref;
	argv[n++] = (char *)"-f";
	argv[n++] = (char *)"html";
	argv[n++] = (char *)"-o";
	argv[n++] = path;
	if (ctx->store_url) {
		argv[n++] = (char *)"--store";
		argv[n++] = (char *)(uintptr_t)ctx->store_url;
	}
	argv[n] = NULL;
	pid_t pid;
	int status = 0;
	if (posix_spawn(&pid, ctx->self, NULL, NULL, argv, environ) != 0)
		return bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot start the page renderer");
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		unlink(path);
		return bl_error_set(err, BL_EIO, NULL, 0, 0, "rendering run %s failed", ref);
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot read the rendered page");
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		bl_buf_add(out, chunk, got);
	fclose(f);
	unlink(path);
	return out->failed ? bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory") : 0;
}

static bool parse_size(const char *s, size_t min, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > (1ULL << 40))
		return false;
	*out = (size_t)v;
	return true;
}

static void report_reload(int rc, size_t n, struct bl_diags *d)
{
	if (rc) {
		fprintf(stderr, "baseline serve: a baseline failed to reload; the loaded one stays:\n");
		bl_cli_print_diags(d, stderr);
	} else if (n) {
		fprintf(stderr, "baseline serve: reloaded %zu baseline%s\n", n, n == 1 ? "" : "s");
	}
	bl_diags_free(d);
	bl_diags_init(d);
}

static int run_loop(struct bl_server *srv)
{
	struct bl_diags d;
	bl_diags_init(&d);
	unsigned ticks = 0;
	while (!got_stop) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		size_t n = 0;
		bool force = got_hup != 0;
		if (!force && ++ticks % 10 != 0)
			continue;
		got_hup = 0;
		int rc = bl_server_reload(srv, force, &n, &d);
		report_reload(rc, n, &d);
	}
	bl_diags_free(&d);
	return BL_EXIT_OK;
}

int bl_cmd_serve(int argc, char **argv)
{
	const char *paths[64];
	size_t npaths = 0;
	const char *store_url = NULL;
	struct bl_http_opts ho = {0};
	size_t v;
	int c;
	const char *drop_user = NULL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (npaths == sizeof(paths) / sizeof(paths[0]))
				return bl_cli_usage_error("serve", "at most 64 baselines");
			paths[npaths++] = optarg;
			break;
		case OPT_LISTEN:
			ho.listen = optarg;
			break;
		case OPT_STORE:
			store_url = optarg;
			break;
		case OPT_ALLOW_REMOTE:
			ho.allow_remote = true;
			break;
		case OPT_DROP_PRIVS:
			drop_user = optarg;
			break;
		case OPT_MAX_BODY:
		case OPT_MAX_HEADER:
		case OPT_TIMEOUT:
		case OPT_MAX_CONNS:
		case OPT_THREADS:
			if (!parse_size(optarg, 1, &v) ||
			    (c != OPT_MAX_BODY && c != OPT_MAX_HEADER && v > 100000))
				return bl_cli_usage_error("serve", "%s takes a positive number, not '%s'",
							  argv[optind - 1], optarg);
			if (c == OPT_MAX_BODY)
				ho.max_body = v;
			else if (c == OPT_MAX_HEADER)
				ho.max_header = v;
			else if (c == OPT_TIMEOUT)
				ho.timeout_s = (unsigned)v;
			else if (c == OPT_MAX_CONNS)
				ho.max_conns = (unsigned)v;
			else
				ho.threads = (unsigned)v;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("serve", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("serve", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bl_cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if (!npaths)
		return bl_cli_usage_error("serve", "give at least one baseline with -b");
	if (sodium_init() < 0) {
		fprintf(stderr, "baseline serve: libsodium failed to initialise\n");
		return BL_EXIT_INTERNAL;
	}
	struct bl_error err;
	bl_error_clear(&err);
	/* The server never needs root: become USER before reading a baseline,
	 * opening the store or listening, so nothing it does runs privileged. */
	if (drop_user) {
		struct bl_privdrop pd;
		if (bl_privileges_lookup(&pd, drop_user, &err))
			return bl_cli_report_error(&err);
		if (bl_privileges_drop(&pd, &err)) {
			bl_cli_report_error(&err);
			return BL_EXIT_INTERNAL;
		}
	}
	/* refuse a remote address before loading anything */
	{
		unsigned char sa[128];
		size_t sl;
		bool loop = false;
		int rc = bl_http_parse_listen(ho.listen ? ho.listen : "127.0.0.1:8443", sa, sizeof(sa),
					      &sl, &loop, &err);
		if (rc)
			return bl_cli_report_error(&err);
		if (!loop && !ho.allow_remote)
			return bl_cli_usage_error("serve", "--listen %s is not a loopback address: "
						  "refusing without --allow-remote (put TLS in front, "
						  "see docs/server.md)", ho.listen);
	}
	struct serve_ctx ctx = {.store_url = store_url};
	atomic_init(&ctx.seq, 0);
	ssize_t sl = readlink("/proc/self/exe", ctx.self, sizeof(ctx.self) - 1);
	if (sl <= 0) {
		fprintf(stderr, "baseline serve: cannot find its own binary: %s\n", strerror(errno));
		return BL_EXIT_INTERNAL;
	}
	ctx.self[sl] = 0;
	const char *tmp = getenv("TMPDIR");
	snprintf(ctx.tmpdir, sizeof(ctx.tmpdir), "%s/baseline-serve-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(ctx.tmpdir)) {
		fprintf(stderr, "baseline serve: cannot create a temporary folder: %s\n",
			strerror(errno));
		return BL_EXIT_INTERNAL;
	}
	struct bl_store *st = NULL;
	int rc = bl_store_open(&st, store_url, &err);
	if (rc) {
		rmdir(ctx.tmpdir);
		return bl_cli_report_error(&err);
	}
	struct bl_server_config cfg = {
		.baselines = paths, .nbaselines = npaths, .store = st,
		.load = load_cb, .render = render_cb, .cb_ctx = &ctx,
	};
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_server *srv = NULL;
	rc = bl_server_new(&srv, &cfg, &d);
	if (rc) {
		bl_cli_print_diags(&d, stderr);
		bl_diags_free(&d);
		bl_store_close(st);
		rmdir(ctx.tmpdir);
		return bl_cli_load_exit(rc, 0, 0);
	}
	bl_diags_free(&d);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct bl_http *h = NULL;
	rc = bl_http_start(&h, srv, &ho, &err);
	int exit_code;
	if (rc) {
		exit_code = bl_cli_report_error(&err);
	} else {
		printf("baseline serve: listening on %s (port %u)\n",
		       ho.listen ? ho.listen : "127.0.0.1:8443", bl_http_port(h));
		fflush(stdout);
		exit_code = run_loop(srv);
		bl_http_stop(h);
	}
	bl_server_free(srv);
	bl_store_close(st);
	rmdir(ctx.tmpdir);
	return exit_code;
}
