/*
 * rpmdb.c - the rpm database (see rpmdb.h): a bounds-checked reader of rpm
 * header blobs and a read-only, immutable walk of rpm's SQLite Packages
 * table, served to SQLite from the descriptor that bl_sys resolved inside
 * the root by a small read-only VFS (never re-opened by path).
 */
#include "facts/rpmdb.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/decompress.h"
#include "util/sqlite_api.h"

#define TAGS_MAX 0xffffu             /* rpm's own limit on index entries */
#define DATA_MAX (256u << 20)        /* rpm's own limit on the data store */
#define BLOB_MAX (64u << 20)         /* larger headers are refused */

#define TYPE_INT32 4u
#define TYPE_STRING 6u
#define TYPE_STRING_ARRAY 8u
#define TYPE_I18NSTRING 9u

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The string at off in the data store, or NULL (why set) when it is not
 * a string type or not NUL-terminated inside the store. */
static const char *str_at(const unsigned char *data, uint32_t dl, uint32_t type, uint32_t off,
			  uint32_t count, const char **why)
{
	if (type != TYPE_STRING && type != TYPE_I18NSTRING && type != TYPE_STRING_ARRAY) {
		*why = "string tag of the wrong type";
		return NULL;
	}
	if (count == 0 || off >= dl) {
		*why = "string out of bounds";
		return NULL;
	}
	if (!memchr(data + off, '\0', dl - off)) {
		*why = "string not terminated";
		return NULL;
	}
	return (const char *)data + off;
}

int bl_rpm_header_parse(const unsigned char *blob, size_t len, struct bl_rpm_header *out,
			const char **why)
{
	memset(out, 0, sizeof *out);
	*why = NULL;
	if (len < 8) {
		*why = "shorter than a header";
		return BL_EINVAL;
	}
	uint32_t il = be32(blob), dl = be32(blob + 4);
	if (il == 0 || il > TAGS_MAX) {
		*why = "bad index count";
		return BL_EINVAL;
	}
	if (dl > DATA_MAX) {
		*why = "bad data size";
		return BL_EINVAL;
	}
	if (8u + 16u * (uint64_t)il + dl > len) {
		*why = "index or data out of bounds";
		return BL_EINVAL;
	}
	const unsigned char *data = blob + 8 + 16 * (size_t)il;
	for (uint32_t i = 0; i < il; i++) {
		const unsigned char *e = blob + 8 + 16 * (size_t)i;
		uint32_t tag = be32(e), type = be32(e + 4), off = be32(e + 8), count = be32(e + 12);
		const char **slot = NULL;
		switch (tag) {
		case BL_RPMTAG_NAME: slot = &out->name; break;
		case BL_RPMTAG_VERSION: slot = &out->version; break;
		case BL_RPMTAG_RELEASE: slot = &out->release; break;
		case BL_RPMTAG_ARCH: slot = &out->arch; break;
		case BL_RPMTAG_EPOCH:
			if (out->has_epoch)
				continue;
			if (type != TYPE_INT32 || count == 0 || dl < 4 || off > dl - 4) {
				*why = "bad EPOCH";
				return BL_EINVAL;
			}
			out->epoch = be32(data + off);
			out->has_epoch = true;
			continue;
		default:
			continue;
		}
		if (*slot)
			continue;   /* a repeated tag keeps its first value */
		*slot = str_at(data, dl, type, off, count, why);
		if (!*slot)
			return BL_EINVAL;
	}
	if (!out->name || !out->name[0]) {
		*why = "no NAME";
		return BL_EINVAL;
	}
	if (!out->version || !out->version[0]) {
		*why = "no VERSION";
		return BL_EINVAL;
	}
	return 0;
}

char *bl_rpm_evr(const struct bl_rpm_header *h, struct bl_arena *a)
{
	char ep[16] = "";
	if (h->has_epoch)
		snprintf(ep, sizeof ep, "%u:", (unsigned)h->epoch);
	bool rel = h->release && h->release[0];
	return bl_arena_printf(a, "%s%s%s%s", ep, h->version, rel ? "-" : "", rel ? h->release : "");
}

/* ---- the SQLite database ----------------------------------------------- */

static const char *const SQLITE_PATHS[] = {
	"/var/lib/rpm/rpmdb.sqlite",
	"/usr/lib/sysimage/rpm/rpmdb.sqlite",
};

/* Is path a file in the root?  Unreadable counts as present: the caller's
 * message then names the unsupported format rather than nothing. */
static bool present(struct bl_sys *s, const char *path)
{
	struct bl_sys_stat st;
	struct bl_error e;
	return bl_sys_stat(s, path, true, &st, &e) != 0 || st.exists;
}

/* Every row of Packages into db.  0, BL_EINVAL (err set) or BL_ENOMEM. */
static int read_rows(sqlite3 *sq, const char *path, struct bl_dpkg_db *db, struct bl_arena *a,
		     const char **rpm_arch, struct bl_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(sq, "SELECT hnum, blob FROM Packages", -1, &st, NULL) != SQLITE_OK)
		return bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: %s", path, sqlite3_errmsg(sq));
	int rc = 0;
	for (;;) {
		int sr = sqlite3_step(st);
		if (sr == SQLITE_DONE)
			break;
		if (sr != SQLITE_ROW) {
			rc = bl_error_set(err, sr == SQLITE_NOMEM ? BL_ENOMEM : BL_EINVAL, "", 0, 0,
					  "%s: %s", path, sqlite3_errmsg(sq));
			break;
		}
		if (db->truncated)
			break;
		sqlite3_int64 hnum = sqlite3_column_int64(st, 0);
		int n = sqlite3_column_bytes(st, 1);
		const unsigned char *blob = sqlite3_column_blob(st, 1);
		struct bl_rpm_header h;
		const char *why = "empty";
		if (n < 0 || (size_t)n > BLOB_MAX) {
			why = "larger than 64 MiB";
		} else if (blob && bl_rpm_header_parse(blob, (size_t)n, &h, &why) == 0) {
			char *evr = bl_rpm_evr(&h, a);
			if (!evr || bl_dpkg_db_add(db, a, h.name, evr, h.arch ? h.arch : "", NULL,
						   true) != 0) {
				rc = bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
				break;
			}
			if (!*rpm_arch && strcmp(h.name, "rpm") == 0 && h.arch && h.arch[0])
				*rpm_arch = db->items[db->n - 1].arch;
			continue;
		}
		/* a package we cannot name must not read as "not installed" */
		rc = bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: package header %lld is malformed (%s)",
				  path, (long long)hnum, why);
		break;
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- a read-only SQLite VFS over one descriptor ------------------------
 * SQLite's unix VFS re-opens a database by path (it resolves the
 * /proc/self/fd/N link and opens the result O_NOFOLLOW), which a root that
 * changes under the scan could redirect.  This VFS, made per open on the
 * caller's stack and registered under its own name (never the default),
 * serves the main database from the descriptor bl_sys resolved inside the
 * root, through s->ops (lseek then read), and refuses everything else: no
 * journal, WAL or lock file can be created or opened. */

struct fd_src {
	struct bl_sys *s;
	int fd;
};

struct fd_file {
	sqlite3_file base;      /* first: SQLite casts */
	struct fd_src *src;
};

static int fd_close(sqlite3_file *f)
{
	(void)f;
	return SQLITE_OK;       /* the descriptor is the caller's */
}

static int fd_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	struct fd_src *src = ((struct fd_file *)f)->src;
	if (n < 0 || off < 0 || lseek(src->fd, (off_t)off, SEEK_SET) != (off_t)off)
		return SQLITE_IOERR_READ;
	size_t got = 0;
	while (got < (size_t)n) {
		ssize_t r;
		do
			r = src->s->ops->read(src->fd, (char *)buf + got, (size_t)n - got);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return SQLITE_IOERR_READ;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got < (size_t)n) {   /* SQLite wants the rest zeroed */
		memset((char *)buf + got, 0, (size_t)n - got);
		return SQLITE_IOERR_SHORT_READ;
	}
	return SQLITE_OK;
}

static int fd_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	(void)f, (void)buf, (void)n, (void)off;
	return SQLITE_READONLY;
}

static int fd_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	(void)f, (void)size;
	return SQLITE_READONLY;
}

static int fd_sync(sqlite3_file *f, int flags)
{
	(void)f, (void)flags;
	return SQLITE_OK;
}

static int fd_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct fd_src *src = ((struct fd_file *)f)->src;
	struct stat st;
	if (src->s->ops->fstat(src->fd, &st) != 0)
		return SQLITE_IOERR_FSTAT;
	*size = (sqlite3_int64)st.st_size;
	return SQLITE_OK;
}

static int fd_lock(sqlite3_file *f, int level)
{
	(void)f, (void)level;
	return SQLITE_OK;       /* immutable: nobody to lock against */
}

static int fd_reserved(sqlite3_file *f, int *out)
{
	(void)f;
	*out = 0;
	return SQLITE_OK;
}

static int fd_control(sqlite3_file *f, int op, void *arg)
{
	(void)f, (void)op, (void)arg;
	return SQLITE_NOTFOUND;
}

static int fd_sector(sqlite3_file *f)
{
	(void)f;
	return 4096;
}

static int fd_caps(sqlite3_file *f)
{
	(void)f;
	return SQLITE_IOCAP_IMMUTABLE;
}

static const sqlite3_io_methods FD_METHODS = {
	.iVersion = 1,
	.xClose = fd_close,
	.xRead = fd_read,
	.xWrite = fd_write,
	.xTruncate = fd_truncate,
	.xSync = fd_sync,
	.xFileSize = fd_size,
	.xLock = fd_lock,
	.xUnlock = fd_lock,
	.xCheckReservedLock = fd_reserved,
	.xFileControl = fd_control,
	.xSectorSize = fd_sector,
	.xDeviceCharacteristics = fd_caps,
};

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	(void)name;
	f->pMethods = NULL;
	if (!(flags & SQLITE_OPEN_MAIN_DB) || (flags & (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)))
		return SQLITE_CANTOPEN;
	struct fd_file *ff = (struct fd_file *)f;
	ff->src = vfs->pAppData;
	ff->base.pMethods = &FD_METHODS;
	if (out)
		*out = SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB;
	return SQLITE_OK;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs, (void)name, (void)sync;
	return SQLITE_IOERR_DELETE;
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int what, int *out)
{
	(void)vfs, (void)name, (void)what;
	*out = 0;               /* no journal, no WAL: nothing else exists */
	return SQLITE_OK;
}

static int vfs_fullname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	size_t len = strlen(name);
	if (n <= 0 || len >= (size_t)n)
		return SQLITE_CANTOPEN;
	memcpy(out, name, len + 1);
	return SQLITE_OK;
}

/* Open the regular file path inside the root and read it.  Same contract
 * as bl_rpmdb_load, for one path. */
static int load_sqlite(struct bl_dpkg_db *db, struct bl_sys *s, const char *path,
		       struct bl_arena *a, bool *missing, struct bl_error *err)
{
	int fd;
	int rc = bl_zfile_open(s, path, &fd, missing, err);
	if (rc)
		return rc;
	if ((rc = bl_sqlite_load(err))) {   /* opened on first use (util/sqlite_api.h) */
		s->ops->close(fd);
		return rc;
	}
	sqlite3_vfs *base = sqlite3_vfs_find(NULL);   /* for time and randomness only */
	struct fd_src src = {.s = s, .fd = fd};
	char vname[48];
	sqlite3_vfs vfs;
	memset(&vfs, 0, sizeof vfs);
	snprintf(vname, sizeof vname, "bl-rpmdb-%p", (void *)&vfs);
	vfs.iVersion = 1;
	vfs.szOsFile = (int)sizeof(struct fd_file);
	vfs.mxPathname = 512;
	vfs.zName = vname;
	vfs.pAppData = &src;
	vfs.xOpen = vfs_open;
	vfs.xDelete = vfs_delete;
	vfs.xAccess = vfs_access;
	vfs.xFullPathname = vfs_fullname;
	if (base) {
		vfs.xDlOpen = base->xDlOpen;
		vfs.xDlError = base->xDlError;
		vfs.xDlSym = base->xDlSym;
		vfs.xDlClose = base->xDlClose;
		vfs.xRandomness = base->xRandomness;
		vfs.xSleep = base->xSleep;
		vfs.xCurrentTime = base->xCurrentTime;
		vfs.xGetLastError = base->xGetLastError;
	}
	if (!base || sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) {
		s->ops->close(fd);
		return bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: SQLite is not usable", path);
	}
	/* the name only labels the file: vfs_open serves the descriptor */
	char uri[64];
	snprintf(uri, sizeof uri, "file:rpmdb-fd-%d?mode=ro&immutable=1", fd);
	sqlite3 *sq = NULL;
	int sr = sqlite3_open_v2(uri, &sq, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
				 SQLITE_OPEN_NOMUTEX, vname);
	if (sr != SQLITE_OK) {
		rc = bl_error_set(err, sr == SQLITE_NOMEM ? BL_ENOMEM : BL_EINVAL, "", 0, 0,
				  "%s: %s", path, sq ? sqlite3_errmsg(sq) : "cannot open");
	} else {
		const char *rpm_arch = NULL;
		rc = read_rows(sq, path, db, a, &rpm_arch, err);
		for (size_t i = 0; rc == 0 && !rpm_arch && i < db->n; i++)
			if (db->items[i].arch[0] && strcmp(db->items[i].arch, "noarch") != 0)
				rpm_arch = db->items[i].arch;
		if (rc == 0 && bl_dpkg_db_index(db, a, rpm_arch) != 0)
			rc = bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	}
	sqlite3_close(sq);
	sqlite3_vfs_unregister(&vfs);
	s->ops->close(fd);
	return rc;
}

int bl_rpmdb_load(struct bl_dpkg_db *db, struct bl_sys *s, struct bl_arena *a, bool *missing,
		  struct bl_error *err)
{
	size_t max = db->max_entries ? db->max_entries : 200000;
	memset(db, 0, sizeof *db);
	db->max_entries = max;
	*missing = false;
	for (size_t i = 0; i < sizeof SQLITE_PATHS / sizeof SQLITE_PATHS[0]; i++) {
		bool gone = false;
		int rc = load_sqlite(db, s, SQLITE_PATHS[i], a, &gone, err);
		if (!gone)
			return rc;
	}
	if (present(s, "/var/lib/rpm/Packages") || present(s, "/usr/lib/sysimage/rpm/Packages"))
		return bl_error_set(err, BL_EINVAL, "", 0, 0,
				    "rpm BerkeleyDB databases are not supported");
	if (present(s, "/var/lib/rpm/Packages.db") ||
	    present(s, "/usr/lib/sysimage/rpm/Packages.db"))
		return bl_error_set(err, BL_EINVAL, "", 0, 0, "rpm ndb databases are not supported");
	*missing = true;
	return bl_error_set(err, BL_EIO, "", 0, 0, "no rpm database found");
}
