/*
 * wazuh_sca.h - import a Wazuh SCA policy (4.x or 5.x YAML) as a native
 * baseline document over host facts (docs/wazuh-sca.md).
 *
 * Every check becomes one control `<policy id>-<check id>` whose expect
 * condition is the check's rules translated into the condition language:
 * `f:` over file["P"], `d:` over dir_walk["D"], `p:` over processes[*], `c:`
 * over command["CMD"] (run only with --allow-commands), `r:` (Windows
 * registry) as not_applicable.  Wazuh's found / not found / invalid becomes
 * true / false / unknown-not-applicable, so its all/any/none aggregation is
 * the condition language's Kleene allOf/anyOf/not.  Requirements become
 * every control's `applies`.  Compliance entries we have a catalog for become
 * `maps`; the rest are kept as references ("cis: 1.1.1.1").
 */
#ifndef BL_IMPORT_WAZUH_SCA_H
#define BL_IMPORT_WAZUH_SCA_H

#include <stdbool.h>
#include <stddef.h>

#include "doc/value.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/str.h"

struct bl_catalogs;
struct bl_sca_opts {
	int version;          /* semantics to apply: 4 or 5; 0 = detect from the policy */
	const struct bl_catalogs *catalogs;   /* framework catalogs; NULL = load them per call */
};

/* What was imported, for the command's summary line. */
struct bl_sca_info {
	char policy_id[128];
	int version;          /* 4 or 5, as applied */
	bool pcre2;           /* regexes are PCRE2 (5.x or regex_type: pcre2), else OS_Regex */
	size_t nchecks;
	size_t ncommands;     /* c: rules (need --allow-commands) */
	size_t nregistry;     /* r: rules (always not_applicable) */
};

/* Is doc (a parsed document) an SCA policy?  Top-level object with `policy`
 * and `checks`.  Infallible. */
bool bl_sca_detect(const struct bl_value *doc);

/*
 * Translate the SCA policy doc into a baseline document (YAML text appended
 * to out).  source names the input in the header comment.  Every problem
 * in the policy goes to diags with its file:line:col (unknown or missing
 * keys, wrong types, duplicate check ids, unparsable rules, bad regexes, bad
 * `n:` comparisons).  Returns 0, BL_EINVAL (diags has every problem), or
 * BL_ENOMEM.  info (may be NULL) is filled on success.
 */
int bl_sca_translate(struct bl_buf *out, const struct bl_value *doc, const struct bl_sca_opts *opts,
		     const char *source, struct bl_sca_info *info, struct bl_diags *diags);

/*
 * bl_sca_translate, then parse the result into a document in arena a
 * (named "SOURCE (imported)").  Returns what bl_sca_translate returns, or
 * BL_EINTERNAL when the generated text does not parse (a bug; in diags).
 */
int bl_sca_import_doc(const struct bl_value **out, struct bl_arena *a, const struct bl_value *doc,
		      const struct bl_sca_opts *opts, const char *source, struct bl_sca_info *info,
		      struct bl_diags *diags);

#endif
