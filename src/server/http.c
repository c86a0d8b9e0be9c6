/*
 * http.c - the libmicrohttpd glue and nothing else: listen (loopback unless
 * allowed), accumulate request bodies up to the cap (413 beyond, answered
 * before the body is read when Content-Length says so), cap the URL (414)
 * and the header block (libmicrohttpd answers 431 when the headers do not fit
 * the per-connection memory limit), time idle connections out (slowloris),
 * cap connections, and hand each complete request to bl_server_handle.
 */
#include "server/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "server/mhd_api.h"   /* libmicrohttpd is loaded on first use */

#define MAX_PARAMS 32
#define MAX_URL 8192

struct bl_http {
	struct MHD_Daemon *d;
	struct bl_server *srv;
	size_t max_body;
	unsigned port;
};

struct conn_state {
	struct bl_buf body;
	bool refused;                /* a response was queued early (413, 414) */
	bool too_big;                /* the body passed the cap while being read */
	size_t discarded;
};

struct params {
	struct bl_http_param items[MAX_PARAMS];
	size_t n;
	bool too_many;
};

int bl_http_parse_listen(const char *listen, void *sa, size_t sa_size, size_t *sa_len,
			 bool *loopback, struct bl_error *err)
{
	char host[128];
	const char *colon, *port_s;
	if (sa_size < sizeof(struct sockaddr_in6))
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0, "address buffer too small");
	memset(sa, 0, sa_size);
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':')
			return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
					    "--listen '%s': expected [ADDR]:PORT", listen);
		colon = close + 1;
		if ((size_t)(close - listen - 1) >= sizeof(host))
			return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "--listen: address too long");
		memcpy(host, listen + 1, (size_t)(close - listen - 1));
		host[close - listen - 1] = 0;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || (size_t)(colon - listen) >= sizeof(host))
			return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
					    "--listen '%s': expected ADDR:PORT", listen);
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = 0;
	}
	port_s = colon + 1;
	unsigned long port = 0;
	if (!*port_s || strlen(port_s) > 5)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "--listen '%s': bad port", listen);
	for (const char *p = port_s; *p; p++) {
		if (*p < '0' || *p > '9')
			return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "--listen '%s': bad port",
					    listen);
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port > 65535)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "--listen '%s': bad port", listen);
	struct sockaddr_in *s4 = sa;
	struct sockaddr_in6 *s6 = sa;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sa_len = sizeof(*s4);
		*loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sa_len = sizeof(*s6);
		*loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
		return 0;
	}
	return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
			    "--listen '%s': '%s' is not an IPv4 or IPv6 address", listen, host);
}

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	(void)kind;
	struct params *p = cls;
	if (p->n == MAX_PARAMS) {
		p->too_many = true;
		return MHD_NO;
	}
	p->items[p->n].key = key;
	p->items[p->n].value = value;
	p->n++;
	return MHD_YES;
}

static enum MHD_Result send_buf(struct MHD_Connection *c, int status, const char *type,
				const char *data, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status == 401)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_error(struct bl_http *h, struct MHD_Connection *c, int status,
				  const char *msg)
{
	struct bl_http_response resp;
	bl_buf_init(&resp.body, 0);
	bl_server_error(&resp, status, msg);
	bl_server_count_transport(h->srv, status);
	enum MHD_Result ret = resp.body.failed ? MHD_NO
		: send_buf(c, status, "application/json", resp.body.data, resp.body.len);
	bl_buf_free(&resp.body);
	return ret;
}

/* Content-Length beyond the cap: refuse before reading the body. */
static bool declared_too_big(struct MHD_Connection *c, size_t max)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	if (!cl)
		return false;
	unsigned long long n = 0;
	for (const char *p = cl; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;     /* libmicrohttpd rejects it itself */
		if (n > (unsigned long long)max)
			return true;
		n = n * 10 + (unsigned long long)(*p - '0');
	}
	return n > (unsigned long long)max;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct bl_http *h = cls;
	struct conn_state *st = *con_cls;
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st)
			return MHD_NO;
		bl_buf_init(&st->body, h->max_body);
		*con_cls = st;
		if (strlen(url) > MAX_URL) {
			st->refused = true;
			return send_error(h, c, 414, "the URL is too long");
		}
		if (declared_too_big(c, h->max_body)) {
			st->refused = true;
			return send_error(h, c, 413, "the request body is larger than --max-body");
		}
		return MHD_YES;
	}
	if (*upload_size) {
		/* no response may be queued while body data is handed over: an
		 * oversize body (chunked, no Content-Length) is discarded and
		 * answered 413 at its end, or the connection is dropped once the
		 * discarded part alone exceeds 16 times the cap */
		size_t n = *upload_size;
		*upload_size = 0;
		if (st->too_big) {
			st->discarded += n;
			return st->discarded > 16 * h->max_body ? MHD_NO : MHD_YES;
		}
		if (st->body.len + n > h->max_body) {
			st->too_big = true;
			st->discarded = n;
			return MHD_YES;
		}
		if (bl_buf_add(&st->body, upload_data, n))
			return MHD_NO;
		return MHD_YES;
	}
	if (st->refused)
		return MHD_YES;
	if (st->too_big) {
		st->refused = true;
		return send_error(h, c, 413, "the request body is larger than --max-body");
	}
	struct params p = {.n = 0};
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_param, &p);
	if (p.too_many)
		return send_error(h, c, 400, "too many query parameters");
	struct bl_http_request req = {
		.method = method,
		.path = url,
		.params = p.items,
		.nparams = p.n,
		.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
		.body = st->body.len ? st->body.data : NULL,
		.body_len = st->body.len,
	};
	struct bl_http_response resp;
	bl_buf_init(&resp.body, 0);
	bl_server_handle(h->srv, &req, &resp);
	enum MHD_Result ret = send_buf(c, resp.status, resp.content_type ? resp.content_type
									 : "application/json",
				       resp.body.data ? resp.body.data : "", resp.body.len);
	bl_buf_free(&resp.body);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct conn_state *st = *con_cls;
	if (!st)
		return;
	bl_buf_free(&st->body);
	free(st);
	*con_cls = NULL;
}

int bl_http_start(struct bl_http **out, struct bl_server *srv, const struct bl_http_opts *o,
		  struct bl_error *err)
{
	*out = NULL;
	struct sockaddr_in6 sa;
	size_t sa_len = 0;
	bool loopback = false;
	const char *listen = o->listen ? o->listen : "127.0.0.1:8443";
	int rc = bl_http_parse_listen(listen, &sa, sizeof(sa), &sa_len, &loopback, err);
	if (rc)
		return rc;
	if (!loopback && !o->allow_remote)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "--listen %s is not a loopback address: refusing without "
				    "--allow-remote (put TLS in front: docs/server.md)", listen);
	rc = bl_mhd_load(err);
	if (rc)
		return rc;
	struct bl_http *h = calloc(1, sizeof(*h));
	if (!h)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	h->srv = srv;
	h->max_body = o->max_body ? o->max_body : 1024 * 1024;
	size_t max_header = o->max_header ? o->max_header : 16 * 1024;
	/* the connection's pool holds the request line and headers (plus some
	 * room libmicrohttpd needs for the reply's headers) */
	size_t mem = max_header + 4096;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	if (((struct sockaddr *)&sa)->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads ? o->threads : 2),
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)(o->max_conns ? o->max_conns : 256),
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(o->timeout_s ? o->timeout_s : 30),
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, mem,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				MHD_OPTION_END);
	if (!h->d) {
		free(h);
		return bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot listen on %s (in use?)", listen);
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : 0;
	*out = h;
	return 0;
}

unsigned bl_http_port(const struct bl_http *h)
{
	return h ? h->port : 0;
}

void bl_http_stop(struct bl_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
