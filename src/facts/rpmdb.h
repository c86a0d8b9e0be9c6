/*
 * rpmdb.h - the rpm package database for the `packages` namespace: modern
 * rpm (4.16+: Fedora 33+, RHEL 9, openSUSE) keeps it as SQLite, table
 * Packages(hnum, blob) where each blob is an rpm header as headerExport
 * writes it: big-endian index count and data size, the index entries
 * {tag, type, offset, count}, then the data store.
 *
 * Only NAME, VERSION, RELEASE, EPOCH and ARCH are read, with every offset,
 * count and string checked against the blob (the header parser is fuzzed:
 * fuzz/fuzz_rpmheader.c).  The old BerkeleyDB (/var/lib/rpm/Packages) and
 * ndb (Packages.db) formats are not read: they are errors, never "nothing
 * installed".
 */
#ifndef BL_FACTS_RPMDB_H
#define BL_FACTS_RPMDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts/dpkg.h"
#include "facts/sys.h"
#include "util/arena.h"
#include "util/error.h"

#define BL_RPMTAG_NAME 1000
#define BL_RPMTAG_VERSION 1001
#define BL_RPMTAG_RELEASE 1002
#define BL_RPMTAG_EPOCH 1003
#define BL_RPMTAG_ARCH 1022

/* The fields of one header; strings point into the blob (NUL-terminated
 * there), NULL when the tag is absent. */
struct bl_rpm_header {
	const char *name, *version, *release, *arch;
	uint32_t epoch;
	bool has_epoch;
};

/*
 * Parse one header blob (without the 8-byte magic, as the sqlite backend
 * stores it).  0, or BL_EINVAL with a short reason in *why (a static
 * string: "index out of bounds", "string not terminated", "no NAME", ...).
 * Never reads outside [blob, blob+len).  A tag of the wrong type is
 * malformed; a repeated tag keeps its first value.  Infallible otherwise.
 */
int bl_rpm_header_parse(const unsigned char *blob, size_t len, struct bl_rpm_header *out,
			const char **why);

/* "[EPOCH:]VERSION[-RELEASE]" into a; NULL on ENOMEM. */
char *bl_rpm_evr(const struct bl_rpm_header *h, struct bl_arena *a);

/*
 * Load the rpm database of the root into db (zeroed first; max_entries
 * kept, 0 = 200,000), everything in a: ROOT/var/lib/rpm/rpmdb.sqlite, else
 * ROOT/usr/lib/sysimage/rpm/rpmdb.sqlite, resolved inside the root by
 * bl_sys (a symlink cannot lead out of it) and served to SQLite, read-only
 * and immutable, from that descriptor through s->ops (never re-opened by
 * path; no journal, WAL or lock file).  Every entry is installed; the native
 * architecture is the `rpm` package's own.  No database: BL_EIO with
 * *missing.  A BerkeleyDB or ndb database: BL_EINVAL "rpm BerkeleyDB
 * databases are not supported" (or ndb).  A file that is not SQLite, has
 * no Packages table or holds a malformed header: BL_EINVAL with the path
 * and the reason.  BL_ENOMEM.
 */
int bl_rpmdb_load(struct bl_dpkg_db *db, struct bl_sys *s, struct bl_arena *a, bool *missing,
		  struct bl_error *err);

#endif
