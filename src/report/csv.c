/*
 * csv.c - one row per result (docs/formats.md "CSV"), for spreadsheets and
 * GRC imports.
 *
 * RFC 4180 with CRLF line ends; every cell goes through bl_csv_cell, which
 * quotes and neutralises formulas (a cell starting with = + - @ TAB or CR
 * gets a leading apostrophe).  Rows are spooled to an unlinked temporary
 * file while the run streams and copied out at finish, so nothing reaches
 * `out` for a run that fails midway and memory does not grow with results.
 */
#include "report/report.h"

#include <string.h>

#include "doc/json.h"
#include "report/wutil.h"

struct csv_state {
	FILE *spool;
	struct bl_buf row, cell;
};

static int csv_open(struct bl_report *r, struct bl_error *err)
{
	struct csv_state *s = r->state;
	bl_buf_init(&s->row, 0);
	bl_buf_init(&s->cell, 0);
	s->spool = tmpfile();
	if (!s->spool)
		return bl_error_set(err, BL_EIO, NULL, 0, 0,
				    "cannot create a temporary file for results (TMPDIR)");
	return 0;
}

/* The evidence column: the result's evidence as a compact JSON array. */
static void evidence_json(struct bl_buf *b, const struct bl_result *res)
{
	bl_buf_addc(b, '[');
	for (size_t i = 0; i < res->nevidence; i++) {
		const struct bl_evidence *e = &res->evidence[i];
		bl_buf_adds(b, i ? ",{\"path\":" : "{\"path\":");
		if (e->path)
			bl_json_write_str(b, e->path, strlen(e->path));
		else
			bl_buf_adds(b, "null");
		bl_buf_adds(b, ",\"actual\":");
		if (e->actual)
			bl_json_write(b, e->actual, 0);
		else
			bl_buf_adds(b, "null");
		bl_buf_adds(b, ",\"expected\":");
		if (e->expected)
			bl_json_write_str(b, e->expected, strlen(e->expected));
		else
			bl_buf_adds(b, "null");
		bl_buf_addc(b, '}');
	}
	bl_buf_addc(b, ']');
}

static int csv_result(struct bl_report *r, const struct bl_result *res)
{
	struct csv_state *s = r->state;
	if (res->status == BL_NA && !r->opts.all)
		return 0;
	const struct bl_control *c = res->control;
	const struct bl_asset *a = res->asset;
	struct bl_buf *b = &s->row;
	bl_buf_reset(b);
	bl_csv_str(b, c->id, false);
	bl_csv_str(b, c->title, false);
	bl_csv_str(b, bl_severity_name(c->severity), false);
	bl_csv_str(b, bl_effect_name(c->effect), false);
	bl_csv_str(b, bl_status_name(res->status), false);
	bl_csv_str(b, a->id, false);
	bl_csv_str(b, a->type, false);
	if (a->tier)
		bl_buf_printf(b, "%d,", a->tier);
	else
		bl_buf_addc(b, ',');
	bl_csv_str(b, a->environment, false);
	bl_csv_str(b, a->owner, false);
	bl_csv_str(b, res->message, false);
	bl_buf_reset(&s->cell);
	evidence_json(&s->cell, res);
	bl_csv_cell(b, s->cell.data, s->cell.len, false);
	/* only exceptions that took part: active (exempt) or expired (still fail) */
	bool exc = res->exception &&
		   (res->exc_state == BL_EXC_ACTIVE || res->exc_state == BL_EXC_EXPIRED);
	bl_csv_str(b, exc ? res->exception->id : NULL, true);
	if (b->failed || s->cell.failed)
		return BL_ENOMEM;
	if (fwrite(b->data, 1, b->len, s->spool) != b->len)
		return BL_EIO;
	return 0;
}

static int csv_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		      struct bl_error *err)
{
	struct csv_state *s = r->state;
	(void)run;
	if (fputs("control,title,severity,effect,status,asset,asset_type,tier,environment,owner,"
		  "message,evidence,exception\r\n", out) == EOF ||
	    bl_spool_copy(s->spool, out))
		return bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot write the CSV report");
	return 0;
}

static void csv_free(struct bl_report *r)
{
	struct csv_state *s = r->state;
	if (s->spool)
		fclose(s->spool);
	bl_buf_free(&s->row);
	bl_buf_free(&s->cell);
}

const struct bl_report_ops bl_report_csv = {
	.name = "csv",
	.size = sizeof(struct csv_state),
	.open = csv_open,
	.result = csv_result,
	.finish = csv_finish,
	.free = csv_free,
};
