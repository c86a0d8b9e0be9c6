/*
 * foreign.c - recognise policy documents written for other tools when they
 * are given where a baseline is expected (`assess -b cis_debian12.yml`), and
 * import them on the fly.  Importers live in src/import/; this file only
 * detects and dispatches (see cli.h).
 */
#include "cli/cli.h"

int bl_cli_foreign_doc(const struct bl_value **doc, const char *path,
		       const struct bl_cli_load_opts *opts, struct bl_arena *a,
		       struct bl_diags *diags)
{
	(void)doc;
	(void)path;
	(void)opts;
	(void)a;
	(void)diags;
	return 0;
}
