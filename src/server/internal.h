/*
 * internal.h - what the files of src/server/ share: the server object, the
 * reference-counted compiled baselines, the metrics counters and the small
 * JSON-writing helpers.  Not for use outside src/server/.
 */
#ifndef BL_SERVER_INTERNAL_H
#define BL_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "engine/evaluate.h"
#include "engine/index.h"
#include "rule/rule.h"
#include "server/server.h"

/* One compiled baseline; freed when the last reference goes. */
struct bl_srv_baseline {
	atomic_uint refs;
	struct bl_baseline *b;
	struct bl_index *ix;
	struct timespec mtime;           /* of the file when loaded; zero for builtin */
	pthread_mutex_t mu;              /* guards the cache free list */
	struct bl_index_cache **caches;  /* per-thread index caches, reused */
	size_t ncaches, capcaches;
};

/* A slot per -b argument; cur is swapped under srv->bmu. */
struct bl_srv_slot {
	const char *path;
	struct bl_srv_baseline *cur;
};

/* Per-request evaluation state, reused through a free list. */
struct bl_srv_worker {
	struct bl_eval ev;
	struct bl_arena arena;
	struct bl_results results;
	struct bl_srv_worker *next;
};

enum bl_srv_route {
	R_DECIDE = 0, R_RUNS, R_RUN, R_RESULTS, R_TREND, R_DRIFT, R_GAPS, R_BASELINES,
	R_FRAMEWORKS, R_EXC_CREATE, R_EXC_DECIDE, R_EXC_LIST, R_EXC_EXPORT, R_AUDIT,
	R_DASHBOARD, R_RUN_PAGE, R_METRICS, R_HEALTH, R_OTHER, R_NROUTES
};

#define BL_SRV_NCODES 14
#define BL_SRV_NBUCKETS 12

struct bl_srv_auth_entry {
	unsigned char hash[32];
	int64_t id;
	enum bl_role role;
	char name[64];
	int64_t until_ms;                /* trusted until then (monotonic ms) */
};
#define BL_SRV_AUTH_CACHE 32

struct bl_server {
	struct bl_server_config cfg;
	struct bl_srv_slot *slots;
	size_t nslots;
	pthread_mutex_t bmu;             /* slot pointers and refcount acquire */
	pthread_mutex_t reload_mu;       /* one reload at a time */
	pthread_mutex_t smu;             /* the store handle (SQLite: one thread at a time) */
	pthread_mutex_t wmu;             /* worker free list and auth cache */
	struct bl_srv_worker *free_workers;
	struct bl_srv_auth_entry auth[BL_SRV_AUTH_CACHE];
	size_t auth_next;
	/* metrics */
	atomic_uint_fast64_t requests[R_NROUTES][BL_SRV_NCODES];
	atomic_uint_fast64_t lat_bucket[BL_SRV_NBUCKETS];   /* cumulative at output time */
	atomic_uint_fast64_t lat_count, lat_sum_us;
	atomic_uint_fast64_t decisions_allow, decisions_deny;
};

/* Who is calling (after authentication). */
struct bl_srv_caller {
	int64_t id;
	enum bl_role role;
	const char *name;            /* points into namebuf */
	char namebuf[64];
};

/* A reference to the compiled baseline with id (NULL: the first); NULL when
 * none.  Release with bl_srv_baseline_put. */
struct bl_srv_baseline *bl_srv_baseline_get(struct bl_server *srv, const char *id);
void bl_srv_baseline_put(struct bl_srv_baseline *sb);
/* Take / give back an index cache of sb (NULL on ENOMEM). */
struct bl_index_cache *bl_srv_cache_take(struct bl_srv_baseline *sb);
void bl_srv_cache_give(struct bl_srv_baseline *sb, struct bl_index_cache *c);
struct bl_srv_worker *bl_srv_worker_take(struct bl_server *srv);
void bl_srv_worker_give(struct bl_server *srv, struct bl_srv_worker *w);

/* Index of a status code in the metrics table; the code of an index. */
size_t bl_srv_code_index(int status);
int bl_srv_code_of(size_t i);
const char *bl_srv_route_name(enum bl_srv_route r);
void bl_srv_observe(struct bl_server *srv, enum bl_srv_route r, int status, double seconds);

/* Query parameter key, or NULL. */
const char *bl_srv_param(const struct bl_http_request *req, const char *key);

/* JSON string (quoted, escaped) or null for NULL. */
void bl_srv_jstr(struct bl_buf *b, const char *s);
/* Parse the body as JSON: 0, or answers 400 with the position and returns
 * BL_EINVAL. */
int bl_srv_parse_body(const struct bl_http_request *req, struct bl_arena *a,
		      const struct bl_value **out, struct bl_http_response *resp);

/* Route handlers (each answers resp; returns 0 or BL_ENOMEM). */
int bl_srv_decide(struct bl_server *srv, const struct bl_http_request *req,
		  struct bl_http_response *resp);
int bl_srv_read(struct bl_server *srv, enum bl_srv_route r, const char *arg,
		const struct bl_http_request *req, struct bl_arena *a,
		struct bl_http_response *resp);
int bl_srv_exc(struct bl_server *srv, enum bl_srv_route r, const char *arg, const char *verb,
	       const struct bl_srv_caller *who, const struct bl_http_request *req,
	       struct bl_arena *a, struct bl_http_response *resp);
int bl_srv_metrics(struct bl_server *srv, struct bl_http_response *resp);
int bl_srv_dashboard(struct bl_server *srv, const char *ref, struct bl_arena *a,
		     struct bl_http_response *resp);

/* Monotonic milliseconds. */
int64_t bl_srv_now_ms(void);
/* RFC 3339 UTC now. */
void bl_srv_now_rfc3339(char out[32]);

#endif
