/*
 * storebench.c - the store half of `make bench` (bench/store.sh): stores one
 * synthetic run of N results (N/10 assets x 10 controls, a fifth failing
 * with evidence and a message, as assess would produce them) into the store
 * at URL and prints the results per second of bl_store_run_begin..finish.
 *
 *   storebench URL N
 *
 * Built by bench/store.sh against build/libbaseline.a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc/json.h"
#include "doc/load.h"
#include "model/baseline.h"
#include "store/store.h"

#define NCONTROLS 10
#define BATCH 1000

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int die(const char *what, const struct bl_error *err)
{
	fprintf(stderr, "storebench: %s: %s\n", what, err ? err->msg : "failed");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: storebench URL N\n");
		return 2;
	}
	const char *url = argv[1];
	size_t n = (size_t)strtoull(argv[2], NULL, 10);
	size_t nassets = (n + NCONTROLS - 1) / NCONTROLS;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	struct bl_buf doc;
	bl_buf_init(&doc, 0);
	bl_buf_adds(&doc, "baseline: store-bench\nversion: 1.0.0\ntitle: bench\ncontrols:\n");
	for (int i = 0; i < NCONTROLS; i++)
		bl_buf_printf(&doc, "  - {id: SB-%02d, title: control %d, severity: high, "
				    "expect: {field: properties.p%d, equals: true}}\n", i, i, i);
	const struct bl_value *v = NULL, *actual = NULL;
	struct bl_baseline *b = NULL;
	struct bl_diags d;
	bl_diags_init(&d);
	if (bl_doc_parse(&v, &a, doc.data, doc.len, "bench.yaml", &err))
		return die("baseline", &err);
	if (bl_baseline_from_doc(&b, v, &d))
		return die("baseline", NULL);
	if (bl_json_parse(&actual, &a, "false", 5, "bench.json", NULL, &err))
		return die("value", &err);

	struct bl_asset *assets = calloc(nassets, sizeof(*assets));
	struct bl_result *res = calloc(BATCH, sizeof(*res));
	if (!assets || !res)
		return die("out of memory", NULL);
	for (size_t i = 0; i < nassets; i++) {
		assets[i].id = bl_arena_printf(&a, "/subscriptions/s1/resourceGroups/rg%zu/providers/"
						   "Microsoft.Compute/virtualMachines/vm%07zu", i % 100, i);
		assets[i].name = bl_arena_printf(&a, "vm%07zu", i);
		assets[i].type = "Microsoft.Compute/virtualMachines";
		assets[i].tier = (int)(i % 3) + 1;
		assets[i].environment = i % 2 ? "prod" : "dev";
		assets[i].file = "snapshot.json";
		assets[i].line = (uint32_t)(i * 7 + 2);
		assets[i].col = 5;
	}
	struct bl_evidence ev[NCONTROLS];
	char *msgs[NCONTROLS];
	for (int k = 0; k < NCONTROLS; k++) {
		ev[k].path = bl_arena_printf(&a, "properties.p%d", k);
		ev[k].actual = actual;
		ev[k].expected = "equals true";
		msgs[k] = bl_arena_printf(&a, "properties.p%d is false, expected equals true", k);
	}

	struct bl_store *s = NULL;
	if (bl_store_open(&s, url, &err))
		return die("open", &err);
	const char *targets[] = {"snapshot.json"};
	char id[64];
	snprintf(id, sizeof(id), "5b0e0000-0000-4000-8000-%012lld", (long long)time(NULL));
	struct bl_store_run_meta m = {.id = id, .started = "2026-11-29T00:00:00Z", .baseline = b,
				      .targets = targets, .ntargets = 1, .now = 1764374400};
	struct bl_store_run_end e = {.finished = "2026-11-29T00:01:00Z", .assets = nassets,
				     .controls = NCONTROLS};
	double t0 = now_s();
	struct bl_store_run *w = NULL;
	if (bl_store_run_begin(&w, s, &m, &err))
		return die("begin", &err);
	for (size_t done = 0; done < n;) {
		size_t k = 0;
		for (; k < BATCH && done + k < n; k++) {
			size_t i = done + k;
			int c = (int)(i % NCONTROLS);
			struct bl_result *r = &res[k];
			memset(r, 0, sizeof(*r));
			r->control = &b->controls[c];
			r->asset = &assets[i / NCONTROLS];
			bool fail = (i * 2654435761u) % 5 == 0;
			r->status = fail ? BL_FAIL : i % 13 == 0 ? BL_NA : BL_PASS;
			if (fail) {
				r->evidence = &ev[c];
				r->nevidence = 1;
				r->message = msgs[c];
			} else {
				r->message = "";
			}
			e.total.n[r->status]++;
		}
		if (bl_store_run_add(w, res, k, &err))
			return die("add", &err);
		done += k;
	}
	if (bl_store_run_finish(w, &e, &err))
		return die("finish", &err);
	double dt = now_s() - t0;
	printf("%zu %.3f %.0f\n", n, dt, (double)n / dt);
	bl_store_close(s);
	bl_baseline_free(b);
	bl_diags_free(&d);
	bl_buf_free(&doc);
	free(assets);
	free(res);
	bl_arena_free(&a);
	return 0;
}
