/*
 * metrics.c - request counters, the latency histogram and the decision
 * counts (lock-free atomics), and GET /metrics in the Prometheus text format.
 */
#include "server/internal.h"

#include <string.h>

static const int codes[BL_SRV_NCODES] = {200, 201, 400, 401, 403, 404, 405,
					 409, 413, 414, 431, 500, 503, 0};
/* upper bounds in seconds; the last bucket is +Inf */
static const double bounds[BL_SRV_NBUCKETS - 1] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
						   0.05, 0.1, 0.25, 0.5, 1.0};
static const char *const bound_text[BL_SRV_NBUCKETS] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
	"0.05", "0.1", "0.25", "0.5", "1", "+Inf"};

static const char *const route_names[R_NROUTES] = {
	"/v1/decide", "/v1/runs", "/v1/runs/{id}", "/v1/runs/{id}/results", "/v1/trend",
	"/v1/drift", "/v1/gaps", "/v1/baselines", "/v1/frameworks", "POST /v1/exceptions",
	"/v1/exceptions/{id}/{decision}", "/v1/exceptions", "/v1/exceptions/export", "/v1/audit",
	"/", "/runs/{id}", "/metrics", "/healthz", "other"};

const char *bl_srv_route_name(enum bl_srv_route r)
{
	return r < R_NROUTES ? route_names[r] : "other";
}

size_t bl_srv_code_index(int status)
{
	for (size_t i = 0; i + 1 < BL_SRV_NCODES; i++)
		if (codes[i] == status)
			return i;
	return BL_SRV_NCODES - 1;   /* "other" */
}

int bl_srv_code_of(size_t i)
{
	return i < BL_SRV_NCODES ? codes[i] : 0;
}

void bl_srv_observe(struct bl_server *srv, enum bl_srv_route r, int status, double seconds)
{
	if (r >= R_NROUTES)
		r = R_OTHER;
	atomic_fetch_add(&srv->requests[r][bl_srv_code_index(status)], 1);
	size_t b = 0;
	while (b < BL_SRV_NBUCKETS - 1 && seconds > bounds[b])
		b++;
	atomic_fetch_add(&srv->lat_bucket[b], 1);
	atomic_fetch_add(&srv->lat_count, 1);
	atomic_fetch_add(&srv->lat_sum_us, (uint_fast64_t)(seconds * 1e6));
}

void bl_server_count_transport(struct bl_server *srv, int status)
{
	bl_srv_observe(srv, R_OTHER, status, 0.0);
}

int bl_srv_metrics(struct bl_server *srv, struct bl_http_response *resp)
{
	struct bl_buf *b = &resp->body;
	bl_buf_adds(b, "# HELP baseline_http_requests_total HTTP requests by route and status code.\n"
		       "# TYPE baseline_http_requests_total counter\n");
	for (size_t r = 0; r < R_NROUTES; r++)
		for (size_t c = 0; c < BL_SRV_NCODES; c++) {
			uint64_t v = atomic_load(&srv->requests[r][c]);
			if (!v)
				continue;
			int code = bl_srv_code_of(c);
			bl_buf_printf(b, "baseline_http_requests_total{route=\"%s\",code=\"",
				      route_names[r]);
			if (code)
				bl_buf_printf(b, "%d", code);
			else
				bl_buf_adds(b, "other");
			bl_buf_printf(b, "\"} %llu\n", (unsigned long long)v);
		}
	bl_buf_adds(b, "# HELP baseline_http_request_duration_seconds Time to answer a request.\n"
		       "# TYPE baseline_http_request_duration_seconds histogram\n");
	uint64_t cum = 0;
	for (size_t i = 0; i < BL_SRV_NBUCKETS; i++) {
		cum += atomic_load(&srv->lat_bucket[i]);
		bl_buf_printf(b, "baseline_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n",
			      bound_text[i], (unsigned long long)cum);
	}
	bl_buf_printf(b, "baseline_http_request_duration_seconds_sum %.6f\n",
		      (double)atomic_load(&srv->lat_sum_us) / 1e6);
	bl_buf_printf(b, "baseline_http_request_duration_seconds_count %llu\n",
		      (unsigned long long)atomic_load(&srv->lat_count));
	bl_buf_printf(b, "# HELP baseline_decisions_total Decisions of /v1/decide.\n"
			 "# TYPE baseline_decisions_total counter\n"
			 "baseline_decisions_total{decision=\"allow\"} %llu\n"
			 "baseline_decisions_total{decision=\"deny\"} %llu\n",
		      (unsigned long long)atomic_load(&srv->decisions_allow),
		      (unsigned long long)atomic_load(&srv->decisions_deny));
	if (srv->cfg.store) {
		struct bl_arena a;
		bl_arena_init(&a, 4096);
		struct bl_stored_run run;
		struct bl_error err;
		pthread_mutex_lock(&srv->smu);
		int rc = bl_store_run_find(srv->cfg.store, "latest", &a, &run, &err);
		pthread_mutex_unlock(&srv->smu);
		if (!rc) {
			double c = bl_tally_compliance(&run.total);
			bl_buf_adds(b, "# HELP baseline_compliance_ratio Compliance of the latest stored "
				       "run (pass / (pass + fail + error)).\n"
				       "# TYPE baseline_compliance_ratio gauge\n"
				       "baseline_compliance_ratio{baseline=");
			bl_srv_jstr(b, run.baseline_id);
			bl_buf_adds(b, ",run=");
			bl_srv_jstr(b, run.id);
			if (c < 0)
				bl_buf_adds(b, "} NaN\n");
			else
				bl_buf_printf(b, "} %.6f\n", c / 100.0);
		}
		bl_arena_free(&a);
	}
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4";
	return b->failed ? BL_ENOMEM : 0;
}
