/*
 * lint.c - `baseline lint FILE...`: validate documents and list every
 * problem with file:line:col.  Exit 0 when all are valid, 2 otherwise.
 */
#include <string.h>

#include <time.h>

#include "cli/cli.h"
#include "import/azure_policy.h"
#include "doc/load.h"
#include "model/baseline.h"
#include "model/exceptions.h"
#include "model/inventory.h"

static const char usage_text[] =
	"usage: baseline lint FILE...\n"
	"\n"
	"Validate documents (YAML or JSON): baselines (or builtin:NAME), inventories\n"
	"and exception documents, told apart by their first key (baseline:,\n"
	"inventory:, exceptions:).  Print every problem as FILE:LINE:COL: message.\n"
	"Exit 0 when all are valid, 2 otherwise.\n";

enum doc_kind { KIND_BASELINE, KIND_INVENTORY, KIND_EXCEPTIONS, KIND_AZURE_POLICY };

/* Which kind of document path holds; a file that does not parse is left to
 * the baseline loader, whose diagnostics say why. */
static enum doc_kind kind_of(const char *path)
{
	if (strncmp(path, "builtin:", 8) == 0)
		return KIND_BASELINE;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	const struct bl_value *doc = NULL;
	enum doc_kind k = KIND_BASELINE;
	if (bl_doc_load(&doc, &a, path, &err) == 0 && doc && doc->type == BL_VOBJ &&
	    !bl_value_getz(doc, "baseline")) {
		if (bl_value_getz(doc, "inventory"))
			k = KIND_INVENTORY;
		else if (bl_value_getz(doc, "exceptions"))
			k = KIND_EXCEPTIONS;
		else if (bl_az_detect(doc))
			k = KIND_AZURE_POLICY;   /* loaded as a baseline: a foreign-document importer may take it */
	}
	bl_arena_free(&a);
	return k;
}

static int lint_inventory(const char *path, struct bl_diags *d)
{
	struct bl_inventory *inv = NULL;
	int rc = bl_inventory_load(&inv, path, d);
	if (rc == 0) {
		printf("%s: ok: inventory %s, %zu classification rules, %zu assets\n", path,
		       inv->id ? inv->id : "", inv->nrules, inv->nentries);
		bl_inventory_free(inv);
	}
	return rc;
}

static int lint_exceptions(const char *path, struct bl_diags *d)
{
	struct bl_exceptions *x = NULL;
	struct bl_exc_opts o = {.now = (int64_t)time(NULL)};
	int rc = bl_exceptions_load(&x, path, &o, d);
	if (rc == 0) {
		printf("%s: ok: %zu exceptions\n", path, x->n);
		bl_exceptions_free(x);
	}
	return rc;
}

int bl_cmd_lint(int argc, char **argv)
{
	int nfiles = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return BL_EXIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return bl_cli_usage_error("lint", "unknown option '%s' (see --help)", argv[i]);
		nfiles++;
	}
	if (nfiles == 0)
		return bl_cli_usage_error("lint", "no files to check (see --help)");
	int exit_code = BL_EXIT_OK;
	for (int i = 1; i < argc; i++) {
		struct bl_diags d;
		bl_diags_init(&d);
		struct bl_baseline *b = NULL;
		enum doc_kind kind = kind_of(argv[i]);
		int rc;
		if (kind == KIND_INVENTORY)
			rc = lint_inventory(argv[i], &d);
		else if (kind == KIND_EXCEPTIONS)
			rc = lint_exceptions(argv[i], &d);
		else
			rc = bl_cli_baseline_load(&b, argv[i], NULL, &d);
		if (rc == 0 && !b) {
			/* inventory or exceptions: already reported ok */
		} else if (rc == 0) {
			size_t disabled = 0;
			for (size_t k = 0; k < b->ncontrols; k++)
				disabled += b->controls[k].effect == BL_EFFECT_DISABLED;
			printf("%s: ok: baseline %s %s, %zu controls", argv[i], b->id, b->version,
			       b->ncontrols);
			if (disabled)
				printf(" (%zu disabled)", disabled);
			printf("\n");
			bl_baseline_free(b);
		} else {
			size_t n = bl_cli_print_diags(&d, stderr);
			if (n == 0)
				fprintf(stderr, "%s: invalid\n", argv[i]);
			if (kind == KIND_AZURE_POLICY)
				fprintf(stderr, "%s: this is an Azure Policy definition, not a baseline: import it with `baseline import azure-policy %s -o baseline.yaml` (docs/azure-policy.md)\n",
					argv[i], argv[i]);
			fprintf(stderr, "%s: %zu problem%s\n", argv[i], n, n == 1 ? "" : "s");
			if (bl_cli_load_exit(rc, 0, 0) == BL_EXIT_INTERNAL)
				exit_code = BL_EXIT_INTERNAL;
			else if (exit_code == BL_EXIT_OK)
				exit_code = BL_EXIT_USAGE;
		}
		bl_diags_free(&d);
	}
	return exit_code;
}
