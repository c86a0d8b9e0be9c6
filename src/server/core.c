/*
 * core.c - the server object: compiled baselines with reference counts and
 * atomic reload, reusable evaluation state, and the helpers the route files
 * share.  See server.h.
 *
 * A request takes a reference to the current compiled baseline under bmu and
 * drops it when done; reload compiles outside any lock, swaps the pointer
 * under bmu and drops the server's reference, so the old baseline is freed by
 * whichever request finishes last with it.
 */
#include "server/internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "doc/json.h"

int64_t bl_srv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bl_srv_now_rfc3339(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void sb_free(struct bl_srv_baseline *sb)
{
	if (!sb)
		return;
	for (size_t i = 0; i < sb->ncaches; i++)
		bl_index_cache_free(sb->caches[i]);
	free(sb->caches);
	bl_index_free(sb->ix);
	bl_baseline_free(sb->b);
	pthread_mutex_destroy(&sb->mu);
	free(sb);
}

void bl_srv_baseline_put(struct bl_srv_baseline *sb)
{
	if (sb && atomic_fetch_sub(&sb->refs, 1) == 1)
		sb_free(sb);
}

struct bl_srv_baseline *bl_srv_baseline_get(struct bl_server *srv, const char *id)
{
	struct bl_srv_baseline *found = NULL;
	pthread_mutex_lock(&srv->bmu);
	for (size_t i = 0; i < srv->nslots && !found; i++) {
		struct bl_srv_baseline *sb = srv->slots[i].cur;
		if (!id || !*id || (sb->b->id && strcmp(sb->b->id, id) == 0))
			found = sb;
	}
	if (found)
		atomic_fetch_add(&found->refs, 1);
	pthread_mutex_unlock(&srv->bmu);
	return found;
}

struct bl_index_cache *bl_srv_cache_take(struct bl_srv_baseline *sb)
{
	struct bl_index_cache *c = NULL;
	pthread_mutex_lock(&sb->mu);
	if (sb->ncaches)
		c = sb->caches[--sb->ncaches];
	pthread_mutex_unlock(&sb->mu);
	if (!c && bl_index_cache_new(&c))
		return NULL;
	return c;
}

void bl_srv_cache_give(struct bl_srv_baseline *sb, struct bl_index_cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&sb->mu);
	if (sb->ncaches == sb->capcaches) {
		size_t cap = sb->capcaches ? sb->capcaches * 2 : 8;
		struct bl_index_cache **p = realloc(sb->caches, cap * sizeof(*p));
		if (!p) {
			pthread_mutex_unlock(&sb->mu);
			bl_index_cache_free(c);
			return;
		}
		sb->caches = p;
		sb->capcaches = cap;
	}
	sb->caches[sb->ncaches++] = c;
	pthread_mutex_unlock(&sb->mu);
}

struct bl_srv_worker *bl_srv_worker_take(struct bl_server *srv)
{
	pthread_mutex_lock(&srv->wmu);
	struct bl_srv_worker *w = srv->free_workers;
	if (w)
		srv->free_workers = w->next;
	pthread_mutex_unlock(&srv->wmu);
	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	bl_eval_init(&w->ev);
	bl_arena_init(&w->arena, 0);
	return w;
}

void bl_srv_worker_give(struct bl_server *srv, struct bl_srv_worker *w)
{
	if (!w)
		return;
	/* a huge request must not pin its memory forever: keep one block */
	bl_arena_reset(&w->arena);
	w->results.n = 0;
	w->results.untiered = w->results.unknown_tier = w->results.rule_errors = 0;
	pthread_mutex_lock(&srv->wmu);
	w->next = srv->free_workers;
	srv->free_workers = w;
	pthread_mutex_unlock(&srv->wmu);
}

static struct timespec file_mtime(const char *path)
{
	struct timespec z = {0, 0};
	struct stat st;
	if (strncmp(path, "builtin:", 8) == 0 || stat(path, &st) != 0)
		return z;
	return st.st_mtim;
}

/* Load and compile path into a new reference (refs 1). */
static int sb_load(struct bl_server *srv, const char *path, struct bl_srv_baseline **out,
		   struct bl_diags *diags)
{
	*out = NULL;
	struct bl_srv_baseline *sb = calloc(1, sizeof(*sb));
	if (!sb)
		return BL_ENOMEM;
	pthread_mutex_init(&sb->mu, NULL);
	atomic_init(&sb->refs, 1);
	sb->mtime = file_mtime(path);
	int rc = srv->cfg.load ? srv->cfg.load(srv->cfg.cb_ctx, path, &sb->b, diags)
			       : bl_baseline_load(&sb->b, path, diags);
	if (!rc && !sb->b)
		rc = BL_EINTERNAL;
	if (!rc)
		rc = bl_index_build(&sb->ix, sb->b);
	if (rc) {
		sb_free(sb);
		return rc;
	}
	*out = sb;
	return 0;
}

int bl_server_new(struct bl_server **out, const struct bl_server_config *cfg,
		  struct bl_diags *diags)
{
	*out = NULL;
	if (!cfg->nbaselines)
		return bl_diag_add(diags, NULL, 0, 0, "serve needs at least one baseline (-b)");
	struct bl_server *srv = calloc(1, sizeof(*srv));
	if (!srv)
		return BL_ENOMEM;
	srv->cfg = *cfg;
	pthread_mutex_init(&srv->bmu, NULL);
	pthread_mutex_init(&srv->reload_mu, NULL);
	pthread_mutex_init(&srv->smu, NULL);
	pthread_mutex_init(&srv->wmu, NULL);
	srv->slots = calloc(cfg->nbaselines, sizeof(*srv->slots));
	if (!srv->slots) {
		bl_server_free(srv);
		return BL_ENOMEM;
	}
	int rc = 0;
	for (size_t i = 0; i < cfg->nbaselines; i++) {
		srv->slots[i].path = cfg->baselines[i];
		int r = sb_load(srv, cfg->baselines[i], &srv->slots[i].cur, diags);
		if (r && !rc)
			rc = r;
		srv->nslots = i + 1;
	}
	if (rc) {
		bl_server_free(srv);
		return rc;
	}
	*out = srv;
	return 0;
}

void bl_server_free(struct bl_server *srv)
{
	if (!srv)
		return;
	for (size_t i = 0; i < srv->nslots; i++)
		bl_srv_baseline_put(srv->slots[i].cur);
	free(srv->slots);
	while (srv->free_workers) {
		struct bl_srv_worker *w = srv->free_workers;
		srv->free_workers = w->next;
		bl_eval_fini(&w->ev);
		bl_arena_free(&w->arena);
		bl_results_free(&w->results);
		free(w);
	}
	pthread_mutex_destroy(&srv->bmu);
	pthread_mutex_destroy(&srv->reload_mu);
	pthread_mutex_destroy(&srv->smu);
	pthread_mutex_destroy(&srv->wmu);
	free(srv);
}

int bl_server_reload(struct bl_server *srv, bool force, size_t *reloaded,
		     struct bl_diags *diags)
{
	size_t n = 0;
	int rc = 0;
	pthread_mutex_lock(&srv->reload_mu);
	for (size_t i = 0; i < srv->nslots; i++) {
		struct bl_srv_slot *sl = &srv->slots[i];
		struct timespec mt = file_mtime(sl->path);
		/* only reload_mu holders write cur, so reading it here is safe */
		struct timespec old = sl->cur->mtime;
		if (!force && (strncmp(sl->path, "builtin:", 8) == 0 ||
			       (mt.tv_sec == old.tv_sec && mt.tv_nsec == old.tv_nsec)))
			continue;
		struct bl_srv_baseline *nb = NULL;
		int r = sb_load(srv, sl->path, &nb, diags);
		if (r) {
			/* remember the broken file's mtime so it is not retried every
			 * second; an edit that fixes it changes the mtime again */
			pthread_mutex_lock(&srv->bmu);
			sl->cur->mtime = mt;
			pthread_mutex_unlock(&srv->bmu);
			rc = BL_EINVAL;
			continue;
		}
		pthread_mutex_lock(&srv->bmu);
		struct bl_srv_baseline *prev = sl->cur;
		sl->cur = nb;
		pthread_mutex_unlock(&srv->bmu);
		bl_srv_baseline_put(prev);
		n++;
	}
	pthread_mutex_unlock(&srv->reload_mu);
	if (reloaded)
		*reloaded = n;
	return rc;
}

/* ---- shared helpers ---------------------------------------------------- */

const char *bl_srv_param(const struct bl_http_request *req, const char *key)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (req->params[i].key && strcmp(req->params[i].key, key) == 0)
			return req->params[i].value ? req->params[i].value : "";
	return NULL;
}

void bl_srv_jstr(struct bl_buf *b, const char *s)
{
	if (!s)
		bl_buf_adds(b, "null");
	else
		bl_json_write_str(b, s, strlen(s));
}

void bl_server_error(struct bl_http_response *resp, int status, const char *msg)
{
	resp->status = status;
	resp->content_type = "application/json";
	bl_buf_reset(&resp->body);
	bl_buf_adds(&resp->body, "{\"error\":");
	bl_srv_jstr(&resp->body, msg);
	bl_buf_adds(&resp->body, "}\n");
}

int bl_srv_parse_body(const struct bl_http_request *req, struct bl_arena *a,
		      const struct bl_value **out, struct bl_http_response *resp)
{
	struct bl_error err;
	bl_error_clear(&err);
	const char *body = req->body ? req->body : "";
	int rc = bl_json_parse(out, a, body, req->body_len, "request", NULL, &err);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		resp->status = 400;
		resp->content_type = "application/json";
		bl_buf_reset(&resp->body);
		bl_buf_adds(&resp->body, "{\"error\":");
		bl_srv_jstr(&resp->body, err.msg);
		bl_buf_printf(&resp->body, ",\"line\":%u,\"col\":%u}\n", err.line, err.col);
		return BL_EINVAL;
	}
	return 0;
}
