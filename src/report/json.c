/*
 * json.c - the result document of FORMATS.md §8 ("baseline.result/1").
 *
 * Results are spooled, one compact JSON object per line, to an unlinked
 * temporary file while the run streams; finish writes run, summary and
 * frameworks (known only at the end) and then copies the spool, so memory
 * stays bounded however many results a run has.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "doc/json.h"

struct json_state {
	FILE *spool;
	uint64_t n;
	struct bl_buf buf;
};

static int json_open(struct bl_report *r, struct bl_error *err)
{
	struct json_state *s = r->state;
	s->spool = tmpfile();
	if (!s->spool)
		return bl_error_set(err, BL_EIO, NULL, 0, 0,
				    "cannot create a temporary file for results (TMPDIR)");
	bl_buf_init(&s->buf, 0);
	return 0;
}

static int json_result(struct bl_report *r, const struct bl_result *res)
{
	struct json_state *s = r->state;
	if (res->status == BL_NA && !r->opts.all)
		return 0;
	bl_buf_reset(&s->buf);
	if (s->n)
		bl_buf_adds(&s->buf, ",\n    ");
	if (bl_report_result_json(&s->buf, res))
		return BL_ENOMEM;
	if (fwrite(s->buf.data, 1, s->buf.len, s->spool) != s->buf.len)
		return BL_EIO;
	s->n++;
	return 0;
}

static void put_str(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static void put_compliance(struct bl_buf *b, const struct bl_tally *t)
{
	double c = bl_tally_compliance(t);
	if (c < 0)
		bl_buf_adds(b, "null");
	else
		bl_buf_printf(b, "%.2f", c);
}

static int json_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		       struct bl_error *err)
{
	struct json_state *s = r->state;
	const struct bl_baseline *bl = run->baseline;
	const struct bl_run_stats *st = run->stats;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_buf_adds(&b, "{\n  \"schema\": \"baseline.result/1\",\n  \"run\": {\"id\": ");
	put_str(&b, run->id);
	bl_buf_adds(&b, ", \"started\": ");
	put_str(&b, run->started);
	bl_buf_adds(&b, ", \"finished\": ");
	put_str(&b, run->finished);
	bl_buf_adds(&b, ",\n          \"baseline\": {\"id\": ");
	put_str(&b, bl->id);
	bl_buf_adds(&b, ", \"version\": ");
	put_str(&b, bl->version);
	bl_buf_adds(&b, ", \"sha256\": ");
	put_str(&b, bl->sha256);
	bl_buf_adds(&b, "},\n          \"targets\": [");
	for (size_t i = 0; i < run->ntargets; i++) {
		if (i)
			bl_buf_adds(&b, ", ");
		put_str(&b, run->targets[i]);
	}
	bl_buf_adds(&b, "], \"tool\": {\"name\": \"baseline\", \"version\": \"" BL_VERSION "\"}},\n");
	bl_buf_printf(&b, "  \"summary\": {\"assets\": %llu, \"controls\": %llu, \"pass\": %llu, "
			  "\"fail\": %llu, \"error\": %llu, \"not_applicable\": %llu, \"exempt\": %llu, "
			  "\"compliance\": ",
		      (unsigned long long)st->assets, (unsigned long long)st->controls,
		      (unsigned long long)st->total.n[BL_PASS], (unsigned long long)st->total.n[BL_FAIL],
		      (unsigned long long)st->total.n[BL_ERROR], (unsigned long long)st->total.n[BL_NA],
		      (unsigned long long)st->total.n[BL_EXEMPT]);
	put_compliance(&b, &st->total);
	bl_buf_adds(&b, "},\n  \"frameworks\": [");
	for (size_t f = 0; run->rollup && f < run->rollup->n; f++) {
		const struct bl_fw *fw = &run->rollup->fws[f];
		bl_buf_adds(&b, f ? ",\n    {\"id\": " : "\n    {\"id\": ");
		put_str(&b, fw->id);
		bl_buf_adds(&b, ", \"compliance\": ");
		put_compliance(&b, &fw->tally);
		bl_buf_adds(&b, ", \"controls\": [");
		for (size_t k = 0; k < fw->ncontrols; k++) {
			const struct bl_fw_control *fc = &fw->controls[k];
			bl_buf_adds(&b, k ? ",\n      {\"id\": " : "\n      {\"id\": ");
			put_str(&b, fc->id);
			bl_buf_printf(&b, ", \"status\": \"%s\", \"pass\": %llu, \"fail\": %llu, "
					  "\"error\": %llu, \"exempt\": %llu}",
				      bl_fw_status_name(fc->status),
				      (unsigned long long)fc->tally.n[BL_PASS],
				      (unsigned long long)fc->tally.n[BL_FAIL],
				      (unsigned long long)fc->tally.n[BL_ERROR],
				      (unsigned long long)fc->tally.n[BL_EXEMPT]);
		}
		bl_buf_adds(&b, fw->ncontrols ? "\n    ]}" : "]}");
	}
	bl_buf_adds(&b, run->rollup && run->rollup->n ? "\n  ],\n  \"results\": [" : "],\n  \"results\": [");
	if (s->n)
		bl_buf_adds(&b, "\n    ");
	if (b.failed) {
		bl_buf_free(&b);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	int rc = 0;
	if (fwrite(b.data, 1, b.len, out) != b.len)
		rc = BL_EIO;
	bl_buf_free(&b);
	if (!rc && fflush(s->spool) == 0 && fseek(s->spool, 0, SEEK_SET) == 0) {
		char tmp[65536];
		size_t n;
		while ((n = fread(tmp, 1, sizeof(tmp), s->spool)) > 0)
			if (fwrite(tmp, 1, n, out) != n) {
				rc = BL_EIO;
				break;
			}
		if (ferror(s->spool))
			rc = BL_EIO;
	} else if (!rc) {
		rc = BL_EIO;
	}
	if (!rc && fputs(s->n ? "\n  ]\n}\n" : "]\n}\n", out) == EOF)
		rc = BL_EIO;
	if (rc)
		return bl_error_set(err, rc, NULL, 0, 0, "cannot write the JSON report");
	return 0;
}

static void json_free(struct bl_report *r)
{
	struct json_state *s = r->state;
	if (s->spool)
		fclose(s->spool);
	bl_buf_free(&s->buf);
}

const struct bl_report_ops bl_report_json = {
	.name = "json",
	.size = sizeof(struct json_state),
	.open = json_open,
	.result = json_result,
	.finish = json_finish,
	.free = json_free,
};
