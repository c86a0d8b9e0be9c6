/*
 * foreign.c - recognise policy documents written for other tools when they
 * are given where a baseline is expected (`assess -b cis_debian12.yml`), and
 * import them on the fly.  Importers live in src/import/; this file only
 * detects and dispatches (see cli.h).
 *
 * Detection is by content, never by file name: a Wazuh SCA policy is a map
 * with top-level `policy` and `checks`, an Azure Policy definition or
 * initiative has `properties.policyRule` or `properties.policyDefinitions`
 * (bl_az_detect); a document with `baseline` is always ours, and is
 * returned as read.
 */
#include <string.h>

#include "cli/cli.h"
#include "doc/load.h"
#include "import/azure_policy.h"
#include "import/wazuh_sca.h"

int bl_cli_foreign_doc(const struct bl_value **doc, const char *path,
		       const struct bl_cli_load_opts *opts, struct bl_arena *a,
		       struct bl_diags *diags)
{
	*doc = NULL;
	if (strncmp(path, "builtin:", 8) == 0)
		return 0;
	struct bl_error err;
	const struct bl_value *src = NULL;
	/* a file that does not load is the baseline loader's to report */
	if (bl_doc_load(&src, a, path, &err) != 0 || !src)
		return 0;
	if (bl_value_getz(src, "baseline")) {
		/* ours: built from this reading (parsing the file again was most
		 * of loading a 100-control baseline) */
		*doc = src;
		return 1;
	}
	if (bl_az_detect(src)) {  /* an Azure Policy definition or initiative */
		int r = bl_az_import_doc(doc, a, src, path, diags);
		return r ? r : 1;
	}
	if (!bl_sca_detect(src))
		return 0;
	struct bl_sca_opts so = {.version = opts ? opts->sca_version : 0};
	int rc = bl_sca_import_doc(doc, a, src, &so, path, NULL, diags);
	return rc ? rc : 1;
}
