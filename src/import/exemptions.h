/*
 * exemptions.h - Azure Policy exemptions (Microsoft.Authorization/
 * policyExemptions) into an exception document (FORMATS.md §5; mapping in
 * docs/azure-policy.md, "Exemptions").
 *
 * Input: one exemption, an array of them, or an ARM list response
 * ({"value": [...]}).  One exception per exempted control
 * (policyDefinitionReferenceIds; "*" when the exemption covers the whole
 * assignment), assets `<scope>` and everything below it.  An exemption without
 * expiresOn is refused (our exceptions always expire): it is left out and
 * named in the notes, and the others are still written.
 */
#ifndef BL_IMPORT_EXEMPTIONS_H
#define BL_IMPORT_EXEMPTIONS_H

#include "import/azure_policy.h"

/*
 * Append the exception document for doc (read from file) to out; every
 * exemption written or refused becomes a note in imp.  Returns 0,
 * BL_EINVAL (doc holds no exemption; err has the position) or BL_ENOMEM.
 */
int bl_az_exemptions_write(struct bl_az_import *imp, struct bl_buf *out,
			   const struct bl_value *doc, const char *file, struct bl_error *err);

#endif
