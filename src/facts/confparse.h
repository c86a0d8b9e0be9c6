/*
 * confparse.h - line and word helpers shared by the configuration-file
 * providers (sshd, login_defs, pam, sysctl_conf, modules, fstab, mounts,
 * kernel), plus the "drop-in directory" file list that systemd-sysctl and
 * kmod both use.
 *
 * Everything works on (pointer, length) text taken from a buffer that
 * bl_sys_read filled; nothing here allocates except where an arena is
 * passed.  Input is hostile: CRLF, a missing final newline, NUL bytes and
 * lines of any length are all handled without reading past the end.
 */
#ifndef BL_FACTS_CONFPARSE_H
#define BL_FACTS_CONFPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "facts/facts.h"
#include "facts/sys.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/str.h"

/* Iterates over lines: "\n" and "\r\n" end a line; the last line needs no
 * terminator; the terminator is not part of the line.  Infallible. */
struct bl_cp_lines {
	const char *p, *end;
	uint32_t lineno;        /* 1-based number of the line last returned */
};
void bl_cp_lines_init(struct bl_cp_lines *it, const char *data, size_t len);
bool bl_cp_line_next(struct bl_cp_lines *it, struct bl_str *line);

/* Blank for configuration files: space, tab, CR, VT, FF (not NUL). */
static inline bool bl_cp_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\n';
}

/* s without leading and trailing blanks. */
struct bl_str bl_cp_trim(struct bl_str s);

/* Take the next blank-separated word from *rest (advancing it past the word);
 * false when only blanks remain. */
bool bl_cp_word(struct bl_str *rest, struct bl_str *word);

/* Copy s into arena a with every run of blanks replaced by one space and the
 * ends trimmed; NULL on ENOMEM.  *outlen receives the length. */
char *bl_cp_squeeze(struct bl_arena *a, struct bl_str s, size_t *outlen);

/* Copy s into arena a decoding the octal escapes \NNN that fstab and
 * mountinfo use for blanks (\040, \011, \012, \134); NULL on ENOMEM. */
char *bl_cp_unoctal(struct bl_arena *a, struct bl_str s, size_t *outlen);

/* Is s a decimal integer -?[0-9]{1,15} (fits a double exactly)?  Sets *v. */
bool bl_cp_int(struct bl_str s, int64_t *v);

/* Does s equal the NUL-terminated z exactly? */
bool bl_cp_eq(struct bl_str s, const char *z);

/*
 * The drop-in file list of systemd-sysctl and kmod: every regular file named
 * *SUFFIX in dirs (in priority order); a name found in an earlier directory
 * masks the same name in later ones (a symlink to /dev/null masks and is not
 * listed); the result is sorted by file name.  Missing directories are
 * skipped (they are optional).  At most max files.
 * Returns 0, BL_ENOMEM, or BL_EIO with err naming the unreadable directory.
 * *paths are absolute paths in arena a.
 */
int bl_cp_dropins(struct bl_sys *s, struct bl_arena *a, const char *const *dirs, size_t ndirs,
		  const char *suffix, size_t max, char ***paths, size_t *n, struct bl_error *err);

/*
 * Read one file of the host through the facts context (into its arena).
 * Returns 0 with *data and *len set; 1 when the file does not exist (callers
 * decide whether that is a fact); BL_ENOMEM; or BL_EIO with *errv set to an
 * error value carrying sys.c's reason ("PATH: permission denied", "is a
 * fifo, not a regular file", "larger than the read cap").
 */
int bl_cp_read(struct bl_facts *f, const char *path, char **data, size_t *len,
	       const struct bl_value **errv);

/* A small ordered string table (key -> value) with replace-on-set, for
 * last-assignment-wins files.  Linear lookups: callers cap the entries. */
struct bl_cp_kv {
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
};
struct bl_cp_table {
	struct bl_cp_kv *items;
	size_t n, cap, max;
	struct bl_arena *a;
};
void bl_cp_table_init(struct bl_cp_table *t, struct bl_arena *a, size_t max);
/* Index of key, or -1. */
long bl_cp_table_find(const struct bl_cp_table *t, const char *key, size_t klen);
/* Set (replace or append); strings are not copied.  0, BL_ENOMEM, BL_ELIMIT. */
int bl_cp_table_set(struct bl_cp_table *t, const char *key, size_t klen, const char *val,
		    size_t vlen);

/* Has the object builder a member with exactly this key? */
bool bl_cp_ob_has(const struct bl_obj_builder *b, const char *key);

/* Append the comma-separated items of list (octal escapes decoded, empty
 * items and duplicates dropped) to b as strings.  0 or BL_ENOMEM. */
int bl_cp_add_opts(struct bl_arena *a, struct bl_arr_builder *b, struct bl_str list);

#endif
