/*
 * dpkg.h - deb822 stanza reading for the dpkg database (/var/lib/dpkg/status)
 * and apt's package lists (the _Packages files in /var/lib/apt/lists), shared by the
 * `packages` and `packages_upgradable` providers.
 *
 * Only the fields those providers need are kept (Package, Status, Version,
 * Architecture); every other field and every continuation line is skipped.
 * Lists are streamed in chunks through the bl_sys ops table, because a
 * Debian main Packages list is ~50 MB: reading it whole would break the
 * collector's memory budget, and skipping it would hide pending updates.
 */
#ifndef BL_FACTS_DPKG_H
#define BL_FACTS_DPKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts/decompress.h"
#include "facts/sys.h"
#include "util/arena.h"
#include "util/error.h"

#define BL_DPKG_FIELD_MAX 256   /* longer values mark the stanza `bad` */

struct bl_dpkg_field {
	char s[BL_DPKG_FIELD_MAX];
	size_t len;
	bool set;
};

struct bl_dpkg_stanza {
	struct bl_dpkg_field package, status, version, arch;
	uint64_t line;          /* 1-based line of the stanza's first field */
	bool bad;               /* a kept field was over-long: skip this stanza */
};

/* Called once per stanza that has at least one field.  Return 0 to go on;
 * any other value stops the parse and is returned by the parser. */
typedef int (*bl_dpkg_fn)(void *ctx, const struct bl_dpkg_stanza *st);

/* Asked when a stanza's Package field is read (name: its value, trimmed and
 * NUL-terminated, len < BL_DPKG_FIELD_MAX): false declines the stanza, whose
 * remaining lines are then passed over unparsed and which never reaches the
 * bl_dpkg_fn.  Lets a reader of a 60,000-stanza package list look only at the
 * packages it knows.  Must not fail. */
typedef bool (*bl_dpkg_want_fn)(void *ctx, const char *name, size_t len);

/*
 * Parse deb822 text held in memory: stanzas separated by blank (or
 * whitespace-only) lines, CRLF or LF, '#' comment lines, continuation lines
 * (starting with space or tab) skipped, field names case-insensitive, a
 * missing final newline accepted.  Returns 0 or what fn returned.
 * Infallible otherwise: any byte string is accepted.
 */
int bl_dpkg_parse(const char *data, size_t len, bl_dpkg_fn fn, void *ctx);

/* The same with a want filter (NULL: every stanza; ctx goes to both). */
int bl_dpkg_parse_want(const char *data, size_t len, bl_dpkg_want_fn want, bl_dpkg_fn fn,
		       void *ctx);

/*
 * The same over a file inside the root, read in chunks through s->ops (never
 * held whole; at most max_bytes are read, 0 = 1 GiB).  A line of 64 KiB or
 * more is skipped whole.  A missing file:
 * BL_EIO with *missing = true.  Not a regular file: BL_EINVAL.  Unreadable:
 * BL_EIO with err->msg "PATH: permission denied".  Over max_bytes: BL_ELIMIT.
 * A non-zero return of fn is passed back as is.
 */
int bl_dpkg_stream(struct bl_sys *s, const char *path, uint64_t max_bytes, bl_dpkg_fn fn,
		   void *ctx, bool *missing, struct bl_error *err);

/*
 * The same over a file compressed as fmt (apt's *_Packages.lz4, .gz, .xz
 * lists), decompressed while streaming, with a want filter (may be NULL;
 * ctx goes to want and fn); max_bytes caps both the file and the
 * decompressed text (0 = 1 GiB).  Corrupt or truncated data: BL_EINVAL (see
 * bl_zstream_file); otherwise as bl_dpkg_stream.
 */
int bl_dpkg_stream_z(struct bl_sys *s, const char *path, enum bl_zfmt fmt, uint64_t max_bytes,
		     bl_dpkg_want_fn want, bl_dpkg_fn fn, void *ctx, bool *missing,
		     struct bl_error *err);

/* The Status field's third word is one where the package's files are on
 * disk: installed, triggers-pending or triggers-awaited. */
bool bl_dpkg_status_installed(const char *status, size_t len);

/* The dpkg database loaded from ROOT/var/lib/dpkg/status, indexed by name. */
struct bl_dpkg_pkg {
	const char *name, *version, *arch;   /* NUL-terminated; "" when absent */
	const char *status;     /* dpkg's Status ("" when absent); NULL for rpm entries */
	bool installed;                               /* bl_dpkg_status_installed */
	uint32_t next;                                /* next entry of the same name + 1, or 0 */
};

struct bl_dpkg_db {
	struct bl_dpkg_pkg *items;
	size_t n, cap;
	uint32_t *slots;        /* open addressing: first entry of a name + 1, or 0 */
	size_t nslots;
	const char *native;     /* native architecture ("" when unknown) */
	size_t max_entries;     /* cap on stanzas kept (0 = 200,000) */
	bool truncated;         /* the cap was hit */
};

/*
 * Load ROOT/var/lib/dpkg/status into db (zero it first; db->max_entries is
 * kept, 0 = default), everything allocated in a.  The
 * native architecture is the one of the `dpkg` package itself, else the
 * first line of /var/lib/dpkg/arch, else the first entry's that is not
 * "all".  Errors as bl_dpkg_stream (a missing database: BL_EIO with
 * *missing); BL_ENOMEM.
 */
int bl_dpkg_db_load(struct bl_dpkg_db *db, struct bl_sys *s, struct bl_arena *a, bool *missing,
		    struct bl_error *err);

struct bl_facts;

/*
 * bl_dpkg_db_load of the facts context f, done once per context and kept
 * in its arena for every namespace that reads the database (packages,
 * packages_upgradable): one parse of the status file per run, and both
 * namespaces see the same database.  The outcome is kept as well (a
 * missing or unreadable database reports the same error each time);
 * BL_ENOMEM is not kept.  *out is never NULL on 0; it must not be changed.
 */
int bl_dpkg_db_shared(struct bl_facts *f, const struct bl_dpkg_db **out, bool *missing,
		      struct bl_error *err);

/*
 * Build a database from another source (the rpm reader): start from a
 * zeroed db (max_entries kept), append entries with bl_dpkg_db_add (strings
 * copied into a; status may be NULL), then call bl_dpkg_db_index once.
 * Past max_entries an entry is dropped and db->truncated set.  Both return
 * 0 or BL_ENOMEM.
 */
int bl_dpkg_db_add(struct bl_dpkg_db *db, struct bl_arena *a, const char *name,
		   const char *version, const char *arch, const char *status, bool installed);
int bl_dpkg_db_index(struct bl_dpkg_db *db, struct bl_arena *a, const char *native);

/* First entry of that name (follow ->next - 1 for the others), or NULL. */
const struct bl_dpkg_pkg *bl_dpkg_db_first(const struct bl_dpkg_db *db, const char *name,
					   size_t len);

/*
 * The entry a rule means by packages["name"] (or "name:arch"): an installed
 * one before one that is not, then the native architecture or "all", then
 * the first seen.  NULL when the database has no such name.  Infallible.
 */
const struct bl_dpkg_pkg *bl_dpkg_db_find(const struct bl_dpkg_db *db, const char *key,
					  size_t len);

#endif
