/*
 * version.h - Debian package version ordering (deb-version(7)), used by the
 * versionLess/versionGreater... operators of the condition language.
 */
#ifndef BL_RULE_VERSION_H
#define BL_RULE_VERSION_H

#include <stddef.h>

/*
 * Compare two versions "[epoch:]upstream[-revision]" the way dpkg does:
 * numeric epoch first, then upstream, then revision, each compared by
 * alternating non-digit runs (letters sort before non-letters, '~' before
 * everything, even the end of the string) and digit runs (numerically).
 * Returns <0, 0 or >0.  Infallible: any byte string is accepted (a
 * non-numeric epoch is compared as part of the upstream part); no allocation.
 */
int bl_version_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
