/*
 * server.h - `baseline serve`: the decision API, the read API over the run
 * store, the exception workflow, tokens and roles, metrics (docs/server.md).
 *
 * The request path is a pure function, bl_server_handle: a parsed request in,
 * a status, content type and body out, no sockets.  http.c is the only file
 * that knows libmicrohttpd; the fuzz target and the unit tests call the
 * handler directly.  Compiled baselines are reference counted and swapped
 * atomically by bl_server_reload; in-flight requests keep the baseline they
 * started with.  Nothing here prints: reload problems come back as diags.
 */
#ifndef BL_SERVER_SERVER_H
#define BL_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/baseline.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/str.h"

struct bl_server;

struct bl_http_param {
	const char *key, *value;     /* already URL-decoded */
};

struct bl_http_request {
	const char *method;          /* "GET", "POST", ... */
	const char *path;            /* decoded path without the query, e.g. "/v1/runs" */
	const struct bl_http_param *params;   /* query parameters */
	size_t nparams;
	const char *authorization;   /* the Authorization header or NULL */
	const char *body;            /* bytes (not NUL-terminated), NULL when none */
	size_t body_len;
};

struct bl_http_response {
	int status;
	const char *content_type;    /* static string */
	struct bl_buf body;          /* caller inits (bl_buf_init) and frees */
};

/* Loads a baseline for the server (the cli passes its loader, which also
 * reads foreign policy documents); same contract as bl_baseline_load. */
typedef int (*bl_server_load_fn)(void *ctx, const char *path, struct bl_baseline **out,
				 struct bl_diags *diags);
/* Renders stored run ref as the HTML report into out.  Returns 0 or an error
 * code with err set (BL_EINVAL: no such run). */
typedef int (*bl_server_render_fn)(void *ctx, const char *ref, struct bl_buf *out,
				   struct bl_error *err);

struct bl_server_config {
	const char *const *baselines;    /* paths or builtin:NAME, at least one */
	size_t nbaselines;
	struct bl_store *store;          /* shared handle; the server serialises its use */
	bl_server_load_fn load;          /* NULL: bl_baseline_load */
	bl_server_render_fn render;      /* NULL: GET / answers 503 */
	void *cb_ctx;
	unsigned auth_cache_ms;          /* how long a verified token is trusted; 0 = 1000 */
};

/*
 * Create a server: loads and compiles every baseline.  Returns 0, BL_EINVAL
 * (a baseline does not load: every problem in diags; or no baseline),
 * BL_EIO or BL_ENOMEM.  cfg's strings and store must outlive the server.
 */
int bl_server_new(struct bl_server **out, const struct bl_server_config *cfg,
		  struct bl_diags *diags);
/* Free (NULL is fine); no request may be in flight. */
void bl_server_free(struct bl_server *srv);

/*
 * Reload baselines: every one with force, else only those whose file's mtime
 * changed (builtin ones never).  A baseline that fails to load keeps the old
 * compiled one; its problems are added to diags.  *reloaded counts the
 * swapped ones.  Returns 0, or BL_EINVAL when at least one reload failed.
 * Safe while requests are served; calls are serialised internally.
 */
int bl_server_reload(struct bl_server *srv, bool force, size_t *reloaded,
		     struct bl_diags *diags);

/*
 * Answer one request: routes, authenticates, answers.  resp->body must be
 * initialised.  Returns 0 (resp filled, including 4xx/5xx answers) or
 * BL_ENOMEM (resp is a 500 with an empty body).  Never crashes on any input.
 * Thread-safe.
 */
int bl_server_handle(struct bl_server *srv, const struct bl_http_request *req,
		     struct bl_http_response *resp);

/* Count a response the HTTP layer made itself (413, 431...) in the metrics. */
void bl_server_count_transport(struct bl_server *srv, int status);

/* Write a JSON error body {"error": msg} with status into resp. */
void bl_server_error(struct bl_http_response *resp, int status, const char *msg);

/* ---- the HTTP listener (http.c) ------------------------------------------ */

struct bl_http_opts {
	const char *listen;          /* "ADDR:PORT" or "[ADDR6]:PORT"; NULL 127.0.0.1:8443 */
	bool allow_remote;           /* refuse non-loopback addresses without it */
	size_t max_body;             /* 0 = 1 MiB */
	size_t max_header;           /* bytes of request line + headers; 0 = 16 KiB */
	unsigned timeout_s;          /* idle connection timeout; 0 = 30 */
	unsigned max_conns;          /* 0 = 256 */
	unsigned threads;            /* 0 = 2 */
};

struct bl_http;

/*
 * Parse a listen address.  Returns 0 (*loopback says whether it is
 * 127.0.0.0/8 or ::1), BL_EINVAL (err says why).  sa must hold a
 * struct sockaddr_in6.
 */
int bl_http_parse_listen(const char *listen, void *sa, size_t sa_size, size_t *sa_len,
			 bool *loopback, struct bl_error *err);

/* Start listening (threads inside libmicrohttpd).  Returns 0, BL_EINVAL
 * (bad or non-loopback address without allow_remote), BL_EIO (cannot bind). */
int bl_http_start(struct bl_http **out, struct bl_server *srv, const struct bl_http_opts *o,
		  struct bl_error *err);
/* The port actually bound (for --listen 127.0.0.1:0). */
unsigned bl_http_port(const struct bl_http *h);
/* Stop (waits for in-flight requests) and free; NULL is fine. */
void bl_http_stop(struct bl_http *h);

#endif
