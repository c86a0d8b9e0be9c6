/*
 * sqlite_api.h - SQLite, loaded on first use (util/dynlib.h).  Linked
 * normally, libsqlite3 made 1,600 of the 2,300 symbol bindings the dynamic
 * loader resolves before main() — for every command, including `gate`
 * and `assess --no-store`, which never open a database.  Include after
 * <sqlite3.h>; the macros route the including file's sqlite3_* calls
 * through the table.  bl_sqlite_load() must have succeeded before the first
 * call (the SQLite store and the RPM database reader call it when they open
 * a database).
 */
#ifndef BL_UTIL_SQLITE_API_H
#define BL_UTIL_SQLITE_API_H

#include <sqlite3.h>

#include "util/error.h"

#define BL_SQLITE_FUNCS(X) \
	X(sqlite3_bind_int) X(sqlite3_bind_int64) X(sqlite3_bind_null) X(sqlite3_bind_text) \
	X(sqlite3_busy_timeout) X(sqlite3_changes) X(sqlite3_clear_bindings) X(sqlite3_close) \
	X(sqlite3_column_blob) X(sqlite3_column_bytes) X(sqlite3_column_int) X(sqlite3_column_int64) \
	X(sqlite3_column_text) X(sqlite3_column_type) X(sqlite3_errmsg) X(sqlite3_exec) \
	X(sqlite3_extended_result_codes) X(sqlite3_finalize) X(sqlite3_free) X(sqlite3_last_insert_rowid) \
	X(sqlite3_open_v2) X(sqlite3_prepare_v2) X(sqlite3_prepare_v3) X(sqlite3_reset) \
	X(sqlite3_step) X(sqlite3_vfs_find) X(sqlite3_vfs_register) X(sqlite3_vfs_unregister)

struct bl_sqlite_api {
#define BL_SQLITE_MEMBER(f) __typeof__(f) *f;
	BL_SQLITE_FUNCS(BL_SQLITE_MEMBER)
#undef BL_SQLITE_MEMBER
};

/* Load libsqlite3.so.0 once per process.  Returns 0, or BL_EINTERNAL with
 * err saying what is missing (every later call returns the same). */
int bl_sqlite_load(struct bl_error *err);

/* The table; only after bl_sqlite_load returned 0. */
const struct bl_sqlite_api *bl_sqlite(void);

#ifndef BL_SQLITE_NO_MACROS
#define sqlite3_bind_int (bl_sqlite()->sqlite3_bind_int)
#define sqlite3_bind_int64 (bl_sqlite()->sqlite3_bind_int64)
#define sqlite3_bind_null (bl_sqlite()->sqlite3_bind_null)
#define sqlite3_bind_text (bl_sqlite()->sqlite3_bind_text)
#define sqlite3_busy_timeout (bl_sqlite()->sqlite3_busy_timeout)
#define sqlite3_changes (bl_sqlite()->sqlite3_changes)
#define sqlite3_clear_bindings (bl_sqlite()->sqlite3_clear_bindings)
#define sqlite3_close (bl_sqlite()->sqlite3_close)
#define sqlite3_column_blob (bl_sqlite()->sqlite3_column_blob)
#define sqlite3_column_bytes (bl_sqlite()->sqlite3_column_bytes)
#define sqlite3_column_int (bl_sqlite()->sqlite3_column_int)
#define sqlite3_column_int64 (bl_sqlite()->sqlite3_column_int64)
#define sqlite3_column_text (bl_sqlite()->sqlite3_column_text)
#define sqlite3_column_type (bl_sqlite()->sqlite3_column_type)
#define sqlite3_errmsg (bl_sqlite()->sqlite3_errmsg)
#define sqlite3_exec (bl_sqlite()->sqlite3_exec)
#define sqlite3_extended_result_codes (bl_sqlite()->sqlite3_extended_result_codes)
#define sqlite3_finalize (bl_sqlite()->sqlite3_finalize)
#define sqlite3_free (bl_sqlite()->sqlite3_free)
#define sqlite3_last_insert_rowid (bl_sqlite()->sqlite3_last_insert_rowid)
#define sqlite3_open_v2 (bl_sqlite()->sqlite3_open_v2)
#define sqlite3_prepare_v2 (bl_sqlite()->sqlite3_prepare_v2)
#define sqlite3_prepare_v3 (bl_sqlite()->sqlite3_prepare_v3)
#define sqlite3_reset (bl_sqlite()->sqlite3_reset)
#define sqlite3_step (bl_sqlite()->sqlite3_step)
#define sqlite3_vfs_find (bl_sqlite()->sqlite3_vfs_find)
#define sqlite3_vfs_register (bl_sqlite()->sqlite3_vfs_register)
#define sqlite3_vfs_unregister (bl_sqlite()->sqlite3_vfs_unregister)
#endif

#endif
