/*
 * lint.c - `baseline lint FILE...`: validate documents and list every
 * problem with file:line:col.  Exit 0 when all are valid, 2 otherwise.
 */
#include <string.h>

#include "cli/cli.h"
#include "model/baseline.h"

static const char usage_text[] =
	"usage: baseline lint FILE...\n"
	"\n"
	"Validate baseline documents (YAML or JSON, or builtin:NAME) and print every\n"
	"problem as FILE:LINE:COL: message.  Exit 0 when all are valid, 2 otherwise.\n";

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
		int rc = bl_baseline_load(&b, argv[i], &d);
		if (rc == 0) {
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
			fprintf(stderr, "%s: %zu problem%s\n", argv[i], n, n == 1 ? "" : "s");
			if (rc == BL_ENOMEM)
				exit_code = BL_EXIT_INTERNAL;
			else if (exit_code == BL_EXIT_OK)
				exit_code = BL_EXIT_USAGE;
		}
		bl_diags_free(&d);
	}
	return exit_code;
}
