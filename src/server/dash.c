/*
 * dash.c - GET / and GET /runs/{id}: the HTML report of a stored run (the
 * same page `baseline report -f html` writes, rendered by the cli's callback)
 * with a navigation bar to every other stored run inserted after <body>.
 */
#include "server/internal.h"

#include <string.h>

#include "report/wutil.h"

static void nav(struct bl_server *srv, const char *current, struct bl_arena *a,
		struct bl_buf *b)
{
	struct bl_stored_run *rs;
	size_t n;
	struct bl_error err;
	pthread_mutex_lock(&srv->smu);
	int rc = bl_store_runs(srv->cfg.store, a, &rs, &n, &err);
	pthread_mutex_unlock(&srv->smu);
	if (rc)
		return;
	bl_buf_adds(b, "<nav class=\"bl-runs\" style=\"font:14px sans-serif;padding:6px;"
		       "border-bottom:1px solid #ccc\">Runs:");
	/* newest first, the last 50 */
	size_t shown = 0;
	for (size_t i = n; i-- > 0 && shown < 50; shown++) {
		bool cur = current && strcmp(rs[i].id, current) == 0;
		bl_buf_adds(b, " <a href=\"/runs/");
		bl_xml_puts(b, rs[i].id);
		bl_buf_adds(b, cur ? "\" aria-current=\"page\"><b>" : "\">");
		bl_xml_puts(b, rs[i].started ? rs[i].started : rs[i].id);
		bl_buf_adds(b, cur ? "</b></a>" : "</a>");
	}
	bl_buf_adds(b, "</nav>\n");
}

int bl_srv_dashboard(struct bl_server *srv, const char *ref, struct bl_arena *a,
		     struct bl_http_response *resp)
{
	if (!srv->cfg.store || !srv->cfg.render) {
		bl_server_error(resp, 503, "the server has no store");
		return 0;
	}
	struct bl_stored_run run;
	struct bl_error err;
	bl_error_clear(&err);
	pthread_mutex_lock(&srv->smu);
	int rc = bl_store_run_find(srv->cfg.store, ref, a, &run, &err);
	pthread_mutex_unlock(&srv->smu);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		bl_server_error(resp, rc == BL_EINVAL ? 404 : 500, err.msg);
		return 0;
	}
	struct bl_buf page;
	bl_buf_init(&page, 0);
	/* the renderer opens the store itself: rendering by full id is exact */
	rc = srv->cfg.render(srv->cfg.cb_ctx, run.id, &page, &err);
	if (rc || page.failed) {
		bl_buf_free(&page);
		if (rc == BL_ENOMEM || (!rc && page.failed))
			return BL_ENOMEM;
		bl_server_error(resp, 500, err.msg);
		return 0;
	}
	const char *body = strstr(page.data, "<body");
	const char *end = body ? strchr(body, '>') : NULL;
	size_t cut = end ? (size_t)(end + 1 - page.data) : 0;
	bl_buf_add(&resp->body, page.data, cut);
	if (cut)
		bl_buf_addc(&resp->body, '\n');
	nav(srv, run.id, a, &resp->body);
	bl_buf_add(&resp->body, page.data + cut, page.len - cut);
	bl_buf_free(&page);
	resp->status = 200;
	resp->content_type = "text/html; charset=utf-8";
	return 0;
}
