/*
 * report.c - the table of writers and the dispatch (see report.h).
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "doc/json.h"

static const struct bl_report_ops *const writers[] = {
	&bl_report_text,
	&bl_report_json,
	&bl_report_sarif,
	&bl_report_junit,
	&bl_report_csv,
	&bl_report_oscal_ar,
	&bl_report_oscal_poam,
	&bl_report_html,
	&bl_report_gaps_text,   /* unlisted: the backlog of a stored run (gaps.c) */
	&bl_report_gaps_json,
	&bl_report_gaps_csv,
};

const char *const bl_report_formats[] = {"text", "json", "sarif", "junit", "csv", "oscal-ar", "oscal-poam", "html", NULL};

int bl_report_open(struct bl_report **out, const char *format,
		   const struct bl_baseline *b, const struct bl_report_opts *opts,
		   struct bl_error *err)
{
	const struct bl_report_ops *ops = NULL;
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(writers[i]->name, format) == 0)
			ops = writers[i];
	if (!ops) {
		char list[256] = "";
		size_t used = 0;
		for (size_t i = 0; bl_report_formats[i] && used < sizeof(list); i++) {
			int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 bl_report_formats[i]);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "unknown format '%s' (available: %s)", format, list);
	}
	struct bl_report *r = calloc(1, sizeof(*r));
	if (!r)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	r->ops = ops;
	r->baseline = b;
	if (opts)
		r->opts = *opts;
	r->state = calloc(1, ops->size ? ops->size : 1);
	if (!r->state) {
		free(r);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	int rc = ops->open ? ops->open(r, err) : 0;
	if (rc) {
		bl_report_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int bl_report_result(void *ctx, const struct bl_result *res)
{
	struct bl_report *r = ctx;
	return r->ops->result ? r->ops->result(r, res) : 0;
}

int bl_report_results(void *ctx, const struct bl_result *items, size_t n)
{
	struct bl_report *r = ctx;
	if (r->ops->results)
		return r->ops->results(r, items, n);
	if (!r->ops->result)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int rc = r->ops->result(r, &items[i]);
		if (rc)
			return rc;
	}
	return 0;
}

const struct bl_sink_fmt *bl_report_fmt(struct bl_report *r, struct bl_sink_fmt *buf)
{
	if (!r->ops->fmt)
		return NULL;
	*buf = *r->ops->fmt;
	buf->ctx = r;
	return buf;
}

int bl_report_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		     struct bl_error *err)
{
	int rc = r->ops->finish(r, run, out, err);
	if (!rc && (fflush(out) != 0 || ferror(out)))
		rc = bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot write the report");
	return rc;
}

void bl_report_free(struct bl_report *r)
{
	if (!r)
		return;
	if (r->ops->free)
		r->ops->free(r);
	free(r->state);
	free(r);
}

const char *bl_report_exc_state(const struct bl_exception *e, int64_t now)
{
	return bl_exception_active(e, now) ? "active" : "expired";
}

static int str_or_null(struct bl_buf *b, const char *s)
{
	if (!s)
		return bl_buf_adds(b, "null");
	return bl_json_write_str(b, s, strlen(s));
}

int bl_report_result_json(struct bl_buf *b, const struct bl_result *r)
{
	const struct bl_control *c = r->control;
	const struct bl_asset *a = r->asset;
	bl_buf_adds(b, "{\"control\":");
	bl_json_write_str(b, c->id, strlen(c->id));
	bl_buf_adds(b, ",\"asset\":");
	bl_json_write_str(b, a->id, strlen(a->id));
	bl_buf_adds(b, ",\"asset_type\":");
	bl_json_write_str(b, a->type, strlen(a->type));
	bl_buf_printf(b, ",\"status\":\"%s\",\"severity\":\"%s\",\"effect\":\"%s\",\"tier\":",
		      bl_status_name(r->status), bl_severity_name(c->severity),
		      bl_effect_name(c->effect));
	if (a->tier)
		bl_buf_printf(b, "%d", a->tier);
	else
		bl_buf_adds(b, "null");
	bl_buf_adds(b, ",\"environment\":");
	str_or_null(b, a->environment);
	bl_buf_adds(b, ",\"owner\":");
	str_or_null(b, a->owner);
	bl_buf_adds(b, ",\"classification\":");
	str_or_null(b, r->classification);
	bl_buf_adds(b, ",\"tags\":");
	if (r->tags)
		bl_json_write(b, r->tags, 0);
	else
		bl_buf_adds(b, "null");
	bl_buf_adds(b, ",\"evidence\":[");
	for (size_t i = 0; i < r->nevidence; i++) {
		const struct bl_evidence *e = &r->evidence[i];
		bl_buf_adds(b, i ? ",{\"path\":" : "{\"path\":");
		str_or_null(b, e->path);
		bl_buf_adds(b, ",\"actual\":");
		if (e->actual)
			bl_json_write(b, e->actual, 0);
		else
			bl_buf_adds(b, "null");
		bl_buf_adds(b, ",\"expected\":");
		str_or_null(b, e->expected);
		bl_buf_addc(b, '}');
	}
	bl_buf_adds(b, "],\"exception\":");
	if (r->exception && (r->exc_state == BL_EXC_ACTIVE || r->exc_state == BL_EXC_EXPIRED)) {
		const struct bl_exception *e = r->exception;
		bl_buf_adds(b, "{\"id\":");
		str_or_null(b, e->id);
		bl_buf_printf(b, ",\"state\":\"%s\",\"expires\":\"%s\",\"category\":\"%s\"}",
			      r->exc_state == BL_EXC_ACTIVE ? "active" : "expired", e->expires,
			      bl_exc_category_name(e->category));
	} else {
		bl_buf_adds(b, "null");
	}
	bl_buf_adds(b, ",\"message\":");
	str_or_null(b, r->message);
	bl_buf_addc(b, '}');
	return b->failed ? BL_ENOMEM : 0;
}
