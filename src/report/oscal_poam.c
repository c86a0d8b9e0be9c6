/*
 * oscal_poam.c - OSCAL 1.2.1 plan of action and milestones (JSON),
 * docs/formats.md "OSCAL POA&M".
 *
 * One poam-item per control with failing (gap) or exempt results.  A gap
 * carries one risk with status "open" (its failing assets, remediation as a
 * recommended response); each exception that exempted results of the
 * control carries a risk with status "deviation-approved", the exception's
 * justification, approver and ticket, and its expiry as the deadline.  An
 * exception that has expired leaves its results failing, so they are part
 * of the open risk.  A run without any gap or exemption still needs one
 * poam-item (the schema requires it): a single item says so.
 *
 * Items are ordered by severity (critical first), then baseline order.
 * Memory: per control, counts and the first few failing asset ids; per
 * (control, exception) pair a count.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "report/wutil.h"

#define POAM_ASSETS 10   /* failing asset ids named per gap */

struct poam_control {
	uint64_t fail, error;
	char *assets[POAM_ASSETS];
	size_t nassets;
};

struct poam_exempt {
	size_t control;
	const struct bl_exception *exc;
	uint64_t n;
};

struct poam_state {
	struct poam_control *per;   /* [ncontrols] */
	struct poam_exempt *ex;
	size_t nex, capex;
	struct bl_buf buf, tmp;
};

static int poam_open(struct bl_report *r, struct bl_error *err)
{
	struct poam_state *s = r->state;
	bl_buf_init(&s->buf, 0);
	bl_buf_init(&s->tmp, 0);
	size_t n = r->baseline->ncontrols;
	s->per = calloc(n ? n : 1, sizeof(*s->per));
	if (!s->per)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	return 0;
}

static int add_exempt(struct poam_state *s, size_t control, const struct bl_exception *e)
{
	for (size_t i = 0; i < s->nex; i++)
		if (s->ex[i].control == control && s->ex[i].exc == e) {
			s->ex[i].n++;
			return 0;
		}
	if (s->nex == s->capex) {
		size_t cap = s->capex ? s->capex * 2 : 8;
		struct poam_exempt *nx = realloc(s->ex, cap * sizeof(*nx));
		if (!nx)
			return BL_ENOMEM;
		s->ex = nx;
		s->capex = cap;
	}
	s->ex[s->nex++] = (struct poam_exempt){.control = control, .exc = e, .n = 1};
	return 0;
}

static int poam_result(struct bl_report *r, const struct bl_result *res)
{
	struct poam_state *s = r->state;
	size_t ci = res->control->index;
	if (ci >= r->baseline->ncontrols)
		return BL_EINTERNAL;
	struct poam_control *pc = &s->per[ci];
	if (res->status == BL_EXEMPT && res->exception)
		return add_exempt(s, ci, res->exception);
	if (res->status == BL_ERROR)
		pc->error++;
	if (res->status != BL_FAIL)
		return 0;
	pc->fail++;
	if (pc->nassets < POAM_ASSETS) {
		pc->assets[pc->nassets] = strdup(res->asset->id);
		if (!pc->assets[pc->nassets])
			return BL_ENOMEM;
		pc->nassets++;
	}
	return 0;
}

static void put_metadata(struct bl_buf *b, struct bl_buf *tmp, const struct bl_run_info *run)
{
	const struct bl_baseline *bl = run->baseline;
	bl_buf_adds(b, "    \"metadata\": {\"title\": ");
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "Plan of action for baseline %s %s", bl->id, bl->version);
	bl_oscal_str(b, tmp->data, "Plan of action");
	bl_buf_printf(b, ", \"last-modified\": \"%s\", \"version\": ", run->finished);
	bl_oscal_str(b, bl->version, "0");
	bl_buf_adds(b, ", \"oscal-version\": \"" BL_OSCAL_VERSION "\", \"props\": [");
	bl_oscal_prop(b, true, "tool", "baseline " BL_VERSION);
	bl_oscal_prop(b, false, "baseline", bl->id);
	bl_oscal_prop(b, false, "baseline-sha256", bl->sha256);
	bl_oscal_prop(b, false, "run", run->id);
	for (size_t i = 0; i < run->ntargets; i++)
		bl_oscal_prop(b, false, "target", run->targets[i]);
	bl_buf_adds(b, "]},\n");
}

static void put_framework_props(struct bl_buf *b, struct bl_buf *tmp, const struct bl_control *c)
{
	for (size_t m = 0; m < c->nmaps; m++)
		for (size_t i = 0; i < c->maps[m].nids; i++) {
			bl_buf_reset(tmp);
			bl_buf_printf(tmp, "%s:%s", c->maps[m].framework, c->maps[m].ids[i]);
			bl_oscal_prop(b, false, "framework-control", tmp->data);
		}
}

/* The open risk of a gap. */
static void put_open_risk(struct bl_buf *b, struct bl_buf *tmp, const struct bl_control *c,
			  const struct poam_control *pc, const char *uuid)
{
	bl_buf_printf(b, "{\"uuid\": \"%s\", \"title\": ", uuid);
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "%s: %s", c->id, c->title ? c->title : "");
	bl_oscal_str(b, tmp->data, c->id);
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "%llu asset%s fail%s %s (%s):", (unsigned long long)pc->fail,
		      pc->fail == 1 ? "" : "s", pc->fail == 1 ? "s" : "", c->id,
		      bl_severity_name(c->severity));
	for (size_t i = 0; i < pc->nassets; i++)
		bl_buf_printf(tmp, "%s %s", i ? "," : "", pc->assets[i]);
	if (pc->fail > pc->nassets)
		bl_buf_printf(tmp, " and %llu more", (unsigned long long)(pc->fail - pc->nassets));
	bl_buf_adds(b, ", \"description\": ");
	bl_json_write_str(b, tmp->data ? tmp->data : "", tmp->len);
	bl_buf_adds(b, ", \"statement\": ");
	const char *st = c->rationale ? c->rationale : c->title ? c->title : c->id;
	bl_json_write_str(b, st, strlen(st));
	bl_buf_adds(b, ", \"props\": [");
	bl_oscal_prop(b, true, "control", c->id);
	bl_oscal_prop(b, false, "severity", bl_severity_name(c->severity));
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "%llu", (unsigned long long)pc->fail);
	bl_oscal_prop(b, false, "failing-assets", tmp->data);
	put_framework_props(b, tmp, c);
	bl_buf_adds(b, "], \"status\": \"open\"");
	if (c->remediation) {
		char ru[37];
		bl_report_uuid4(ru);
		bl_buf_printf(b, ", \"remediations\": [{\"uuid\": \"%s\", \"lifecycle\": "
				 "\"recommendation\", \"title\": ", ru);
		bl_buf_reset(tmp);
		bl_buf_printf(tmp, "Remediate %s", c->id);
		bl_oscal_str(b, tmp->data, "Remediation");
		bl_buf_adds(b, ", \"description\": ");
		bl_json_write_str(b, c->remediation, strlen(c->remediation));
		bl_buf_adds(b, "}]");
	}
	bl_buf_addc(b, '}');
}

/* An approved deviation: one exception's exempt results of a control. */
static void put_deviation(struct bl_buf *b, struct bl_buf *tmp, const struct bl_control *c,
			  const struct poam_exempt *x, const char *uuid)
{
	const struct bl_exception *e = x->exc;
	bl_buf_printf(b, "{\"uuid\": \"%s\", \"title\": ", uuid);
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "%s: %s (exception %s)", c->id, c->title ? c->title : "", e->id);
	bl_oscal_str(b, tmp->data, c->id);
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "%llu result%s exempt by %s (%s), approved by %s", (unsigned long long)x->n,
		      x->n == 1 ? "" : "s", e->id, bl_exc_category_name(e->category),
		      e->approved_by ? e->approved_by : "(unknown)");
	if (e->ticket)
		bl_buf_printf(tmp, ", ticket %s", e->ticket);
	bl_buf_printf(tmp, "; expires %s. Justification: %s", e->expires,
		      e->justification ? e->justification : "");
	bl_buf_adds(b, ", \"description\": ");
	bl_json_write_str(b, tmp->data ? tmp->data : "", tmp->len);
	bl_buf_adds(b, ", \"statement\": ");
	const char *j = e->justification ? e->justification : e->id;
	bl_json_write_str(b, j, strlen(j));
	bl_buf_adds(b, ", \"props\": [");
	bl_oscal_prop(b, true, "control", c->id);
	bl_oscal_prop(b, false, "severity", bl_severity_name(c->severity));
	bl_oscal_prop(b, false, "exception", e->id);
	bl_oscal_prop(b, false, "exception-category", bl_exc_category_name(e->category));
	bl_oscal_prop(b, false, "approved-by", e->approved_by);
	if (e->ticket)
		bl_oscal_prop(b, false, "ticket", e->ticket);
	bl_oscal_prop(b, false, "expires", e->expires);
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "%llu", (unsigned long long)x->n);
	bl_oscal_prop(b, false, "exempt-results", tmp->data);
	put_framework_props(b, tmp, c);
	/* in force through the whole UTC day of `expires` (exceptions.h) */
	bl_buf_printf(b, "], \"status\": \"deviation-approved\", \"deadline\": \"%sT23:59:59Z\"}",
		      e->expires);
}

static void put_item(struct bl_buf *b, struct bl_buf *tmp, const struct bl_control *c,
		     const char (*risks)[37], size_t nrisks, bool gap, bool first)
{
	char uuid[37];
	bl_report_uuid4(uuid);
	bl_buf_printf(b, "%s{\"uuid\": \"%s\", \"title\": ", first ? "\n      " : ",\n      ", uuid);
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "%s %s: %s", gap ? "Remediate" : "Approved deviation from", c->id,
		      c->title ? c->title : "");
	bl_oscal_str(b, tmp->data, c->id);
	bl_buf_adds(b, ", \"description\": ");
	const char *d = c->remediation ? c->remediation : c->rationale ? c->rationale : c->title;
	if (!d)
		d = c->id;
	bl_json_write_str(b, d, strlen(d));
	bl_buf_adds(b, ", \"props\": [");
	bl_oscal_prop(b, true, "control", c->id);
	bl_oscal_prop(b, false, "severity", bl_severity_name(c->severity));
	bl_oscal_prop(b, false, "effect", bl_effect_name(c->effect));
	bl_buf_adds(b, "], \"related-risks\": [");
	for (size_t i = 0; i < nrisks; i++)
		bl_buf_printf(b, "%s{\"risk-uuid\": \"%s\"}", i ? ", " : "", risks[i]);
	bl_buf_adds(b, "]}");
}

static int poam_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		       struct bl_error *err)
{
	struct poam_state *s = r->state;
	const struct bl_baseline *bl = run->baseline;
	struct bl_buf *b = &s->buf, *tmp = &s->tmp;
	struct bl_buf items;
	bl_buf_init(&items, 0);
	char doc_uuid[37];
	bl_report_uuid4(doc_uuid);
	bl_buf_reset(b);
	bl_buf_printf(b, "{\n  \"plan-of-action-and-milestones\": {\n    \"uuid\": \"%s\",\n", doc_uuid);
	put_metadata(b, tmp, run);
	bl_buf_adds(b, "    \"system-id\": {\"id\": ");
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "baseline:%s", bl->id);
	bl_oscal_str(b, tmp->data, "baseline");
	bl_buf_adds(b, "},\n");
	struct bl_buf risks;
	bl_buf_init(&risks, 0);
	size_t nrisk = 0, nitem = 0;
	char (*ru)[37] = NULL;
	size_t capru = 0;
	int rc = 0;
	/* most severe first, baseline order within a severity */
	for (size_t ord = 0; !rc && ord < bl->ncontrols * 5; ord++) {
		size_t ci = ord % bl->ncontrols;
		const struct bl_control *c = &bl->controls[ci];
		if ((size_t)(BL_SEV_CRITICAL - (int)c->severity) != ord / bl->ncontrols)
			continue;
		const struct poam_control *pc = &s->per[ci];
		size_t nx = 0;
		for (size_t i = 0; i < s->nex; i++)
			nx += s->ex[i].control == ci;
		size_t need = (pc->fail ? 1 : 0) + nx;
		if (!need)
			continue;
		if (need > capru) {
			char (*n2)[37] = realloc(ru, need * sizeof(*ru));
			if (!n2) {
				rc = BL_ENOMEM;
				break;
			}
			ru = n2;
			capru = need;
		}
		size_t k = 0;
		if (pc->fail) {
			bl_report_uuid4(ru[k]);
			bl_buf_adds(&risks, nrisk++ ? ",\n      " : "\n      ");
			put_open_risk(&risks, tmp, c, pc, ru[k]);
			k++;
		}
		for (size_t i = 0; i < s->nex; i++) {
			if (s->ex[i].control != ci)
				continue;
			bl_report_uuid4(ru[k]);
			bl_buf_adds(&risks, nrisk++ ? ",\n      " : "\n      ");
			put_deviation(&risks, tmp, c, &s->ex[i], ru[k]);
			k++;
		}
		put_item(&items, tmp, c, (const char(*)[37])ru, k, pc->fail > 0, nitem++ == 0);
	}
	free(ru);
	if (!rc) {
		/* risks, like every OSCAL array, must not be empty: left out when none */
		if (nrisk) {
			bl_buf_adds(b, "    \"risks\": [");
			bl_buf_add(b, risks.data, risks.len);
			bl_buf_adds(b, "\n    ],\n");
		}
		if (!nitem) {
			char uuid[37];
			bl_report_uuid4(uuid);
			bl_buf_printf(&items, "\n      {\"uuid\": \"%s\", \"title\": \"No open items\", "
					      "\"description\": \"No control failed and no result was "
					      "exempt in this run.\"}", uuid);
		}
		bl_buf_adds(b, "    \"poam-items\": [");
		bl_buf_add(b, items.data ? items.data : "", items.len);
		bl_buf_adds(b, "\n    ]\n  }\n}\n");
		if (b->failed || items.failed || risks.failed || tmp->failed)
			rc = BL_ENOMEM;
		else if (fwrite(b->data, 1, b->len, out) != b->len)
			rc = BL_EIO;
	}
	bl_buf_free(&items);
	bl_buf_free(&risks);
	if (rc)
		return bl_error_set(err, rc, NULL, 0, 0,
				    rc == BL_ENOMEM ? "out of memory" : "cannot write the OSCAL POA&M");
	return 0;
}

static void poam_free(struct bl_report *r)
{
	struct poam_state *s = r->state;
	if (s->per)
		for (size_t i = 0; i < r->baseline->ncontrols; i++)
			for (size_t k = 0; k < s->per[i].nassets; k++)
				free(s->per[i].assets[k]);
	free(s->per);
	free(s->ex);
	bl_buf_free(&s->buf);
	bl_buf_free(&s->tmp);
}

const struct bl_report_ops bl_report_oscal_poam = {
	.name = "oscal-poam",
	.size = sizeof(struct poam_state),
	.open = poam_open,
	.result = poam_result,
	.finish = poam_finish,
	.free = poam_free,
};
