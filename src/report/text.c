/*
 * text.c - the terminal summary: counts, failing controls by severity with
 * their first few failing assets and evidence, errors, framework compliance.
 * Colour only when asked (the CLI asks when stdout is a terminal and
 * NO_COLOR is unset).  Keeps a few examples per control, nothing more.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define EXAMPLES 3

struct example {
	const char *asset;
	const char *message;
};

struct per_control {
	struct example ex[3][EXAMPLES];   /* [0] failures, [1] errors, [2] exempt */
	size_t nex[3];
};

struct text_state {
	struct per_control *pc;   /* [ncontrols] */
	struct bl_arena arena;
};

static int text_open(struct bl_report *r, struct bl_error *err)
{
	struct text_state *s = r->state;
	bl_arena_init(&s->arena, 0);
	s->pc = calloc(r->baseline->ncontrols + 1, sizeof(*s->pc));
	if (!s->pc)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	return 0;
}

static int text_result(struct bl_report *r, const struct bl_result *res)
{
	struct text_state *s = r->state;
	if (res->status != BL_FAIL && res->status != BL_ERROR && res->status != BL_EXEMPT)
		return 0;
	struct per_control *pc = &s->pc[res->control->index];
	int kind = res->status == BL_ERROR ? 1 : res->status == BL_EXEMPT ? 2 : 0;
	if (pc->nex[kind] == EXAMPLES)
		return 0;
	struct example *e = &pc->ex[kind][pc->nex[kind]];
	e->asset = bl_arena_strndup(&s->arena, res->asset->id, strlen(res->asset->id));
	e->message = bl_arena_strndup(&s->arena, res->message, strlen(res->message));
	if (!e->asset || !e->message)
		return BL_ENOMEM;
	pc->nex[kind]++;
	return 0;
}

struct style {
	const char *bold, *dim, *red, *yellow, *green, *cyan, *off;
};

static const struct style plain = {"", "", "", "", "", "", ""};
static const struct style ansi = {"\033[1m", "\033[2m", "\033[31m", "\033[33m",
				  "\033[32m", "\033[36m", "\033[0m"};

static const char *sev_colour(const struct style *st, enum bl_severity s)
{
	switch (s) {
	case BL_SEV_CRITICAL:
	case BL_SEV_HIGH:
		return st->red;
	case BL_SEV_MEDIUM:
		return st->yellow;
	default:
		return st->cyan;
	}
}

static void upper(char *dst, const char *src, size_t n)
{
	size_t i = 0;
	for (; src[i] && i + 1 < n; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 32) : src[i];
	dst[i] = '\0';
}

static void pct(char *buf, size_t n, const struct bl_tally *t)
{
	double c = bl_tally_compliance(t);
	if (c < 0)
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.1f%%", c);
}

static void list_controls(const struct bl_report *r, const struct bl_run_info *run, FILE *out,
			  const struct style *st, enum bl_status which)
{
	const struct bl_baseline *b = run->baseline;
	const struct text_state *s = r->state;
	for (int sev = BL_SEV_CRITICAL; sev >= BL_SEV_INFO; sev--) {
		for (size_t i = 0; i < b->ncontrols; i++) {
			const struct bl_control *c = &b->controls[i];
			const struct bl_tally *t = &run->stats->per_control[i];
			if ((int)c->severity != sev || t->n[which] == 0)
				continue;
			uint64_t assessed = t->n[BL_PASS] + t->n[BL_FAIL] + t->n[BL_ERROR] + t->n[BL_EXEMPT];
			char sv[16];
			upper(sv, bl_severity_name(c->severity), sizeof(sv));
			fprintf(out, "  %s%-8s%s  %s%s%s  %s  %s(%llu of %llu assets%s)%s\n",
				sev_colour(st, c->severity), sv, st->off, st->bold, c->id, st->off,
				c->title ? c->title : "", st->dim,
				(unsigned long long)t->n[which], (unsigned long long)assessed,
				c->effect == BL_EFFECT_DENY ? ", deny" : "", st->off);
			const struct per_control *pc = &s->pc[i];
			int kind = which == BL_ERROR ? 1 : which == BL_EXEMPT ? 2 : 0;
			size_t shown = pc->nex[kind];
			for (size_t k = 0; k < shown; k++)
				fprintf(out, "            %s%s%s\n              %s\n", st->dim,
					pc->ex[kind][k].asset, st->off, pc->ex[kind][k].message);
			if (t->n[which] > shown)
				fprintf(out, "            %s... and %llu more%s\n", st->dim,
					(unsigned long long)(t->n[which] - shown), st->off);
		}
	}
}

/* Expired and stale exceptions: a deviation that no longer holds, or one
 * that no longer names anything, is something to act on. */
static void print_exceptions(const struct bl_run_info *run, FILE *out, const struct style *st)
{
	const struct bl_exceptions *x = run->exceptions;
	const struct bl_run_stats *rs = run->stats;
	if (!x)
		return;
	size_t active = 0, expired = 0, stale = 0;
	for (size_t i = 0; i < x->n; i++) {
		bool on = bl_exception_active(&x->items[i], run->now);
		active += on;
		expired += !on;
		stale += i < rs->nexceptions && rs->per_exception[i] == 0;
	}
	fprintf(out, "\n%sExceptions%s %s: %zu active, %zu expired, %zu stale\n", st->bold, st->off,
		x->file ? x->file : "", active, expired, stale);
	for (size_t i = 0; i < x->n; i++) {
		const struct bl_exception *e = &x->items[i];
		uint64_t m = i < rs->nexceptions ? rs->per_exception[i] : 0;
		bool on = bl_exception_active(e, run->now);
		if (!on && m)
			fprintf(out, "  %sexpired%s  %s (%s on %s) expired on %s: %llu result%s fail again\n",
				st->red, st->off, e->id, e->control, e->nassets ? e->assets[0] : "",
				e->expires, (unsigned long long)m, m == 1 ? "" : "s");
		else if (!on)
			fprintf(out, "  %sexpired%s  %s (%s) expired on %s and matched no failing result "
				     "(stale): remove it\n", st->red, st->off, e->id, e->control, e->expires);
		else if (m == 0)
			fprintf(out, "  %sstale%s    %s (%s) matched no failing result in this run: "
				     "remove it or fix its globs\n", st->yellow, st->off, e->id, e->control);
		else if (bl_exception_days_left(e, run->now) <= BL_EXC_WARN_DAYS)
			fprintf(out, "  %sexpiring%s %s (%s) expires on %s, in %lld days\n", st->yellow,
				st->off, e->id, e->control, e->expires,
				(long long)bl_exception_days_left(e, run->now));
	}
}

static void print_tally_line(FILE *out, const char *label, const struct bl_tally *t)
{
	char c[32];
	pct(c, sizeof(c), t);
	fprintf(out, "  %-24s %7s   pass %llu  fail %llu  error %llu  exempt %llu\n", label, c,
		(unsigned long long)t->n[BL_PASS], (unsigned long long)t->n[BL_FAIL],
		(unsigned long long)t->n[BL_ERROR], (unsigned long long)t->n[BL_EXEMPT]);
}

static bool scored(const struct bl_tally *t)
{
	return t->n[BL_PASS] || t->n[BL_FAIL] || t->n[BL_ERROR] || t->n[BL_EXEMPT];
}

static void print_groups(FILE *out, const char *what, const struct bl_score_groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		if (!scored(&g->items[i].t))
			continue;
		char label[64];
		snprintf(label, sizeof(label), "%s %s", what, g->items[i].key ? g->items[i].key : "(unknown)");
		print_tally_line(out, label, &g->items[i].t);
	}
}

static void print_scores(const struct bl_run_info *run, FILE *out, const struct style *st)
{
	const struct bl_scores *sc = run->scores;
	const struct bl_run_stats *rs = run->stats;
	if (run->inventory)
		fprintf(out, "\n%sInventory%s %s: %llu of %llu assets had no tier of their own%s",
			st->bold, st->off, run->inventory->id, (unsigned long long)rs->untiered,
			(unsigned long long)rs->assets,
			run->inventory->defaults.tier ? " (default tier applied)" : "");
	if (run->inventory && rs->rule_errors)
		fprintf(out, "; a classify rule could not be evaluated for %llu",
			(unsigned long long)rs->rule_errors);
	if (run->inventory)
		fputc('\n', out);
	if (!sc)
		return;
	fprintf(out, "\n%sScores%s\n", st->bold, st->off);
	char c[32];
	double w = bl_scores_weighted(sc);
	if (w < 0)
		snprintf(c, sizeof(c), "n/a");
	else
		snprintf(c, sizeof(c), "%.1f%%", w);
	fprintf(out, "  %-24s %7s   (weights: critical 10, high 5, medium 3, low 1, info 0)\n",
		"severity-weighted", c);
	static const char *const tier_names[4] = {"tier unknown", "tier 1", "tier 2", "tier 3"};
	for (int k = 1; k <= 4; k++) {
		int t = k == 4 ? 0 : k;
		if (scored(&sc->tiers[t]))
			print_tally_line(out, tier_names[t], &sc->tiers[t]);
	}
	print_groups(out, "environment", &sc->envs);
	print_groups(out, "owner", &sc->owners);
}

static int text_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		       struct bl_error *err)
{
	(void)err;
	const struct style *st = r->opts.color ? &ansi : &plain;
	const struct bl_baseline *b = run->baseline;
	const struct bl_run_stats *rs = run->stats;
	const struct bl_tally *t = &rs->total;
	char c[32];
	pct(c, sizeof(c), t);
	fprintf(out, "%sBaseline%s %s %s  %s(%s, sha256 %.12s)%s\n", st->bold, st->off, b->id,
		b->version, st->dim, b->file ? b->file : "", b->sha256, st->off);
	fprintf(out, "Assessed %llu assets against %llu controls from ",
		(unsigned long long)rs->assets, (unsigned long long)rs->controls);
	for (size_t i = 0; i < run->ntargets; i++)
		fprintf(out, "%s%s", i ? ", " : "", run->targets[i]);
	fprintf(out, "\n\n  %sCompliance %s%s   %spass %llu%s   %sfail %llu%s   error %llu   "
		     "exempt %llu   not applicable %llu\n",
		st->bold, c, st->off, st->green, (unsigned long long)t->n[BL_PASS], st->off,
		t->n[BL_FAIL] ? st->red : "", (unsigned long long)t->n[BL_FAIL],
		t->n[BL_FAIL] ? st->off : "", (unsigned long long)t->n[BL_ERROR],
		(unsigned long long)t->n[BL_EXEMPT], (unsigned long long)t->n[BL_NA]);
	if (t->n[BL_FAIL]) {
		fprintf(out, "\n%sFailing controls%s\n", st->bold, st->off);
		list_controls(r, run, out, st, BL_FAIL);
	}
	if (t->n[BL_ERROR]) {
		fprintf(out, "\n%sControls that could not be evaluated%s\n", st->bold, st->off);
		list_controls(r, run, out, st, BL_ERROR);
	}
	if (t->n[BL_EXEMPT]) {
		fprintf(out, "\n%sExempt (covered by an active exception)%s\n", st->bold, st->off);
		list_controls(r, run, out, st, BL_EXEMPT);
	}
	print_exceptions(run, out, st);
	if (run->rollup && run->rollup->n) {
		fprintf(out, "\n%sFrameworks%s\n", st->bold, st->off);
		for (size_t f = 0; f < run->rollup->n; f++) {
			const struct bl_fw *fw = &run->rollup->fws[f];
			size_t failing = 0, assessed = 0;
			for (size_t k = 0; k < fw->ncontrols; k++) {
				enum bl_fw_status s = fw->controls[k].status;
				if (s == BL_FW_FAIL || s == BL_FW_ERROR)
					failing++;
				if (s != BL_FW_NA && s != BL_FW_NOT_COVERED)
					assessed++;
			}
			pct(c, sizeof(c), &fw->tally);
			fprintf(out, "  %-18s %7s   %zu of %zu mapped controls failing\n", fw->id, c,
				failing, assessed);
		}
	}
	print_scores(run, out, st);
	if (t->n[BL_FAIL] == 0 && t->n[BL_ERROR] == 0)
		fprintf(out, "\n%sNo failures.%s\n", st->green, st->off);
	return 0;
}

static void text_free(struct bl_report *r)
{
	struct text_state *s = r->state;
	free(s->pc);
	bl_arena_free(&s->arena);
}

const struct bl_report_ops bl_report_text = {
	.name = "text",
	.size = sizeof(struct text_state),
	.open = text_open,
	.result = text_result,
	.finish = text_finish,
	.free = text_free,
};
