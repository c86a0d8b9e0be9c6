/*
 * handle.c - bl_server_handle: match the route, check the method, the token
 * and the role, then hand over to the route's file.
 *
 * Tokens: "Authorization: Bearer SECRET"; the SHA-256 of SECRET is looked up
 * in the store (never the secret itself), and the hash the store returns is
 * compared again in constant time.  A verified token is trusted for
 * auth_cache_ms (revocation takes effect within that time) so that the
 * decision path does not query the store on every request.
 */
#include "server/internal.h"

#include <sodium.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

struct route_match {
	enum bl_srv_route route;
	const char *method;          /* expected method */
	enum bl_role role;           /* 0: no token needed */
	char arg[128];               /* {id} */
	char verb[16];               /* approve | reject */
};

/* Copy one path segment (up to '/' or end) into out; false when too long or empty. */
static bool segment(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n = strcspn(s, "/");
	if (n == 0 || n >= size)
		return false;
	memcpy(out, s, n);
	out[n] = 0;
	*p = s + n;
	return true;
}

static bool match(const char *path, struct route_match *m)
{
	static const struct {
		const char *path;
		enum bl_srv_route route;
		const char *method;
		enum bl_role role;
	} fixed[] = {
		{"/v1/decide", R_DECIDE, "POST", BL_ROLE_VIEWER},
		{"/v1/runs", R_RUNS, "GET", BL_ROLE_VIEWER},
		{"/v1/trend", R_TREND, "GET", BL_ROLE_VIEWER},
		{"/v1/drift", R_DRIFT, "GET", BL_ROLE_VIEWER},
		{"/v1/gaps", R_GAPS, "GET", BL_ROLE_VIEWER},
		{"/v1/baselines", R_BASELINES, "GET", BL_ROLE_VIEWER},
		{"/v1/frameworks", R_FRAMEWORKS, "GET", BL_ROLE_VIEWER},
		{"/v1/exceptions/export", R_EXC_EXPORT, "GET", BL_ROLE_VIEWER},
		{"/v1/audit", R_AUDIT, "GET", BL_ROLE_ADMIN},
		{"/", R_DASHBOARD, "GET", BL_ROLE_VIEWER},
		{"/metrics", R_METRICS, "GET", BL_ROLE_VIEWER},
		{"/healthz", R_HEALTH, "GET", 0},
	};
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(path, fixed[i].path) == 0) {
			m->route = fixed[i].route;
			m->method = fixed[i].method;
			m->role = fixed[i].role;
			return true;
		}
	const char *p;
	if (strcmp(path, "/v1/exceptions") == 0) {
		m->route = R_EXC_LIST;     /* GET lists, POST requests (checked later) */
		m->method = "GET";
		m->role = BL_ROLE_VIEWER;
		return true;
	}
	if (strncmp(path, "/v1/runs/", 9) == 0) {
		p = path + 9;
		if (!segment(&p, m->arg, sizeof(m->arg)))
			return false;
		m->method = "GET";
		m->role = BL_ROLE_VIEWER;
		if (!*p) {
			m->route = R_RUN;
			return true;
		}
		if (strcmp(p, "/results") == 0) {
			m->route = R_RESULTS;
			return true;
		}
		return false;
	}
	if (strncmp(path, "/runs/", 6) == 0) {
		p = path + 6;
		if (!segment(&p, m->arg, sizeof(m->arg)) || *p)
			return false;
		m->route = R_RUN_PAGE;
		m->method = "GET";
		m->role = BL_ROLE_VIEWER;
		return true;
	}
	if (strncmp(path, "/v1/exceptions/", 15) == 0) {
		p = path + 15;
		if (!segment(&p, m->arg, sizeof(m->arg)) || *p != '/')
			return false;
		p++;
		if (!segment(&p, m->verb, sizeof(m->verb)) || *p ||
		    (strcmp(m->verb, "approve") != 0 && strcmp(m->verb, "reject") != 0))
			return false;
		m->route = R_EXC_DECIDE;
		m->method = "POST";
		m->role = BL_ROLE_APPROVER;
		return true;
	}
	return false;
}

/* "Bearer X" → X, or NULL. */
static const char *bearer(const char *h)
{
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

/*
 * Who holds the token: 1 found (*who set, name in a), 0 unknown or missing,
 * or a negative code (the store failed).
 */
static int authenticate(struct bl_server *srv, const char *authz, struct bl_arena *a,
			struct bl_srv_caller *who)
{
	const char *tok = bearer(authz);
	if (!tok || !srv->cfg.store)
		return 0;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)tok, strlen(tok));
	int64_t now = bl_srv_now_ms();
	unsigned ttl = srv->cfg.auth_cache_ms ? srv->cfg.auth_cache_ms : 1000;
	pthread_mutex_lock(&srv->wmu);
	for (size_t i = 0; i < BL_SRV_AUTH_CACHE; i++) {
		const struct bl_srv_auth_entry *e = &srv->auth[i];
		if (e->until_ms > now && sodium_memcmp(e->hash, h, sizeof(h)) == 0) {
			who->id = e->id;
			who->role = e->role;
			memcpy(who->namebuf, e->name, sizeof(who->namebuf));
			who->name = who->namebuf;
			pthread_mutex_unlock(&srv->wmu);
			return 1;
		}
	}
	pthread_mutex_unlock(&srv->wmu);

	struct bl_token_info ti;
	bool found = false;
	struct bl_error err;
	pthread_mutex_lock(&srv->smu);
	int rc = bl_store_token_find(srv->cfg.store, h, a, &ti, &found, &err);
	pthread_mutex_unlock(&srv->smu);
	if (rc)
		return rc;
	if (!found || ti.revoked)
		return 0;
	who->id = ti.id;
	who->role = ti.role;
	const char *nm = ti.name ? ti.name : "";
	size_t nl = strlen(nm);
	if (nl >= sizeof(who->namebuf))
		nl = sizeof(who->namebuf) - 1;   /* token names are at most 63 bytes */
	memcpy(who->namebuf, nm, nl);
	who->namebuf[nl] = 0;
	who->name = who->namebuf;
	pthread_mutex_lock(&srv->wmu);
	struct bl_srv_auth_entry *e = &srv->auth[srv->auth_next++ % BL_SRV_AUTH_CACHE];
	memcpy(e->hash, h, sizeof(h));
	e->id = ti.id;
	e->role = ti.role;
	memcpy(e->name, who->namebuf, sizeof(e->name));
	e->until_ms = now + (int64_t)ttl;
	pthread_mutex_unlock(&srv->wmu);
	sodium_memzero(h, sizeof(h));
	return 1;
}

static int dispatch(struct bl_server *srv, struct route_match *m,
		    const struct bl_http_request *req, struct bl_arena *a,
		    struct bl_http_response *resp)
{
	struct bl_srv_caller who = {0, 0, NULL, {0}};
	if (m->role) {
		int rc = authenticate(srv, req->authorization, a, &who);
		if (rc < 0) {
			if (rc == BL_ENOMEM)
				return rc;
			bl_server_error(resp, 500, "the store could not be read");
			return 0;
		}
		if (rc == 0) {
			bl_server_error(resp, 401, "a valid bearer token is needed");
			return 0;
		}
		if (who.role < m->role) {
			bl_server_error(resp, 403, "this token's role may not do that");
			return 0;
		}
	}
	switch (m->route) {
	case R_HEALTH:
		resp->status = 200;
		resp->content_type = "application/json";
		bl_buf_adds(&resp->body, "{\"status\":\"ok\"}\n");
		return 0;
	case R_DECIDE:
		return bl_srv_decide(srv, req, resp);
	case R_METRICS:
		return bl_srv_metrics(srv, resp);
	case R_DASHBOARD:
		return bl_srv_dashboard(srv, "latest", a, resp);
	case R_RUN_PAGE:
		return bl_srv_dashboard(srv, m->arg, a, resp);
	case R_EXC_CREATE:
	case R_EXC_DECIDE:
	case R_EXC_LIST:
	case R_EXC_EXPORT:
	case R_AUDIT:
		return bl_srv_exc(srv, m->route, m->arg, m->verb, &who, req, a, resp);
	default:
		return bl_srv_read(srv, m->route, m->arg, req, a, resp);
	}
}

int bl_server_handle(struct bl_server *srv, const struct bl_http_request *req,
		     struct bl_http_response *resp)
{
	struct timespec ts0;
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	resp->status = 500;
	resp->content_type = "application/json";
	bl_buf_reset(&resp->body);
	struct route_match m;
	int rc = 0;
	const char *method = req->method ? req->method : "";
	const char *path = req->path ? req->path : "";
	bool ok = match(path, &m);
	if (ok && m.route == R_EXC_LIST && strcmp(method, "POST") == 0) {
		m.route = R_EXC_CREATE;
		m.method = "POST";
		m.role = BL_ROLE_OWNER;
	}
	if (!ok) {
		m.route = R_OTHER;
		bl_server_error(resp, 404, "no such route");
	} else if (strcmp(method, m.method) != 0 &&
		   !(strcmp(method, "HEAD") == 0 && strcmp(m.method, "GET") == 0)) {
		bl_server_error(resp, 405, "method not allowed on this route");
	} else {
		struct bl_arena a;
		bl_arena_init(&a, 16384);
		rc = dispatch(srv, &m, req, &a, resp);
		bl_arena_free(&a);
		if (rc || resp->body.failed) {
			rc = BL_ENOMEM;
			resp->status = 500;
			resp->content_type = "application/json";
			size_t max = resp->body.max;
			bl_buf_free(&resp->body);
			bl_buf_init(&resp->body, max);
		}
	}
	struct timespec ts1;
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	double secs = (double)(ts1.tv_sec - ts0.tv_sec) + (double)(ts1.tv_nsec - ts0.tv_nsec) / 1e9;
	bl_srv_observe(srv, m.route, resp->status, secs);
	return rc;
}
