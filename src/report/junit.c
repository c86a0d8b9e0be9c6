/*
 * junit.c - JUnit XML (docs/formats.md "JUnit") for CI test dashboards.
 *
 * A <testsuite> per control that has at least one test case, a <testcase>
 * per asset (classname = control id, name = asset id): fail as <failure>
 * with the evidence in its body, error as <error>, exempt as <skipped
 * message="exempt: EX-...">, not_applicable only with --all (as skipped).
 * Results arrive interleaved across controls; each test case is appended to
 * its control's chain in a temporary file (wutil.h) and the suites are
 * written control by control at finish, so memory holds only per-control
 * counts.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "report/wutil.h"

struct junit_counts {
	uint64_t tests, failures, errors, skipped;
};

struct junit_state {
	struct bl_chain chain;
	struct junit_counts *per;   /* [ncontrols] */
	struct bl_buf buf, tmp;
};

static int junit_open(struct bl_report *r, struct bl_error *err)
{
	struct junit_state *s = r->state;
	bl_buf_init(&s->buf, 0);
	bl_buf_init(&s->tmp, 0);
	size_t n = r->baseline->ncontrols;
	s->per = calloc(n ? n : 1, sizeof(*s->per));
	int rc = s->per ? bl_chain_open(&s->chain, n) : BL_ENOMEM;
	if (rc == BL_EIO)
		return bl_error_set(err, rc, NULL, 0, 0,
				    "cannot create a temporary file for results (TMPDIR)");
	if (rc)
		return bl_error_set(err, rc, NULL, 0, 0, "out of memory");
	return 0;
}

static int junit_result(struct bl_report *r, const struct bl_result *res)
{
	struct junit_state *s = r->state;
	if (res->status == BL_NA && !r->opts.all)
		return 0;
	const struct bl_control *c = res->control;
	if (c->index >= r->baseline->ncontrols)
		return BL_EINTERNAL;
	struct junit_counts *k = &s->per[c->index];
	struct bl_buf *b = &s->buf;
	bl_buf_reset(b);
	bl_buf_adds(b, "    <testcase classname=\"");
	bl_xml_puts(b, c->id);
	bl_buf_adds(b, "\" name=\"");
	bl_xml_puts(b, res->asset->id);
	bl_buf_addc(b, '"');
	if (res->asset->file && res->asset->line > 0) {
		bl_buf_adds(b, " file=\"");
		bl_xml_puts(b, res->asset->file);
		bl_buf_printf(b, "\" line=\"%u\"", res->asset->line);
	}
	k->tests++;
	switch (res->status) {
	case BL_PASS:
		bl_buf_adds(b, "/>\n");
		break;
	case BL_FAIL:
	case BL_ERROR:
		if (res->status == BL_FAIL)
			k->failures++;
		else
			k->errors++;
		bl_buf_adds(b, res->status == BL_FAIL ? ">\n      <failure type=\"" : ">\n      <error type=\"");
		bl_buf_adds(b, bl_severity_name(c->severity));
		bl_buf_adds(b, "\" message=\"");
		bl_xml_puts(b, res->message);
		bl_buf_adds(b, "\">");
		bl_buf_reset(&s->tmp);
		bl_report_evidence_text(&s->tmp, res, "\n");
		if (res->exception && res->exc_state == BL_EXC_EXPIRED)
			bl_buf_printf(&s->tmp, "%sexception %s expired on %s", s->tmp.len ? "\n" : "",
				      res->exception->id, res->exception->expires);
		if (s->tmp.failed)
			return BL_ENOMEM;
		bl_xml_put(b, s->tmp.data ? s->tmp.data : "", s->tmp.len);
		bl_buf_adds(b, res->status == BL_FAIL ? "</failure>\n    </testcase>\n"
						      : "</error>\n    </testcase>\n");
		break;
	case BL_EXEMPT:
	case BL_NA:
	default:
		k->skipped++;
		bl_buf_adds(b, ">\n      <skipped message=\"");
		if (res->status == BL_EXEMPT) {
			bl_buf_adds(b, "exempt: ");
			bl_xml_puts(b, res->exception ? res->exception->id : res->message);
		} else {
			bl_buf_adds(b, "not applicable: ");
			bl_xml_puts(b, res->message);
		}
		bl_buf_adds(b, "\"/>\n    </testcase>\n");
		break;
	}
	if (b->failed)
		return BL_ENOMEM;
	return bl_chain_add(&s->chain, c->index, b->data, b->len);
}

static int copy_case(void *ctx, const char *data, size_t len)
{
	return fwrite(data, 1, len, ctx) == len ? 0 : BL_EIO;
}

static int junit_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		       struct bl_error *err)
{
	struct junit_state *s = r->state;
	const struct bl_baseline *bl = run->baseline;
	struct junit_counts all = {0};
	for (size_t i = 0; i < bl->ncontrols; i++) {
		all.tests += s->per[i].tests;
		all.failures += s->per[i].failures;
		all.errors += s->per[i].errors;
		all.skipped += s->per[i].skipped;
	}
	struct bl_buf *b = &s->buf;
	bl_buf_reset(b);
	bl_buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"baseline ");
	bl_xml_puts(b, bl->id);
	bl_buf_addc(b, ' ');
	bl_xml_puts(b, bl->version);
	bl_buf_printf(b, "\" tests=\"%llu\" failures=\"%llu\" errors=\"%llu\" skipped=\"%llu\" "
			 "timestamp=\"",
		      (unsigned long long)all.tests, (unsigned long long)all.failures,
		      (unsigned long long)all.errors, (unsigned long long)all.skipped);
	bl_xml_puts(b, run->started);
	bl_buf_adds(b, "\">\n");
	int rc = b->failed ? BL_ENOMEM : 0;
	if (!rc && fwrite(b->data, 1, b->len, out) != b->len)
		rc = BL_EIO;
	for (size_t i = 0; !rc && i < bl->ncontrols; i++) {
		const struct bl_control *c = &bl->controls[i];
		const struct junit_counts *k = &s->per[i];
		if (!k->tests)
			continue;
		bl_buf_reset(b);
		bl_buf_adds(b, "  <testsuite name=\"");
		bl_xml_puts(b, c->id);
		bl_buf_printf(b, "\" tests=\"%llu\" failures=\"%llu\" errors=\"%llu\" skipped=\"%llu\">\n"
				 "    <properties>\n      <property name=\"title\" value=\"",
			      (unsigned long long)k->tests, (unsigned long long)k->failures,
			      (unsigned long long)k->errors, (unsigned long long)k->skipped);
		bl_xml_puts(b, c->title);
		bl_buf_printf(b, "\"/>\n      <property name=\"severity\" value=\"%s\"/>\n"
				 "      <property name=\"effect\" value=\"%s\"/>\n",
			      bl_severity_name(c->severity), bl_effect_name(c->effect));
		if (c->remediation) {
			bl_buf_adds(b, "      <property name=\"remediation\" value=\"");
			bl_xml_puts(b, c->remediation);
			bl_buf_adds(b, "\"/>\n");
		}
		bl_buf_adds(b, "    </properties>\n");
		if (b->failed)
			rc = BL_ENOMEM;
		else if (fwrite(b->data, 1, b->len, out) != b->len)
			rc = BL_EIO;
		if (!rc)
			rc = bl_chain_each(&s->chain, i, copy_case, out);
		if (!rc && fputs("  </testsuite>\n", out) == EOF)
			rc = BL_EIO;
	}
	if (!rc && fputs("</testsuites>\n", out) == EOF)
		rc = BL_EIO;
	if (rc)
		return bl_error_set(err, rc, NULL, 0, 0,
				    rc == BL_ENOMEM ? "out of memory" : "cannot write the JUnit report");
	return 0;
}

static void junit_free(struct bl_report *r)
{
	struct junit_state *s = r->state;
	bl_chain_close(&s->chain);
	free(s->per);
	bl_buf_free(&s->buf);
	bl_buf_free(&s->tmp);
}

const struct bl_report_ops bl_report_junit = {
	.name = "junit",
	.size = sizeof(struct junit_state),
	.open = junit_open,
	.result = junit_result,
	.finish = junit_finish,
	.free = junit_free,
};
