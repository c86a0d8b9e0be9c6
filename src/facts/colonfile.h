/*
 * colonfile.h - records of colon-separated account files (/etc/passwd,
 * shadow, group, gshadow), shared by the users and groups namespaces: the
 * splitting rules, numeric fields and a name index for the shadow joins.
 */
#ifndef BL_FACTS_COLONFILE_H
#define BL_FACTS_COLONFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts/facts.h"
#include "util/str.h"

#define BL_COLON_MAX_RECORDS 100000

#define BL_COLON_NF 9

struct bl_colon_rec {
	const char *f[BL_COLON_NF];
	size_t l[BL_COLON_NF];
	size_t nf;
};

struct bl_colon_index {
	uint32_t *slots;
	size_t mask;
};

/* Split a colon file into records ('#' comments, blank lines and NIS +/-
 * lines skipped, CRLF and a missing final newline accepted), at most
 * BL_COLON_MAX_RECORDS (*over set beyond).  Returns 0 or BL_ENOMEM. */
int bl_colon_split(struct bl_arena *a, const char *data, size_t len, struct bl_colon_rec **out, size_t *n, bool *over);
/* Field i of a record ("" when the record is shorter). */
struct bl_str bl_colon_field(const struct bl_colon_rec *r, size_t i);
/* A decimal field as a number; false when empty or not a number. */
bool bl_colon_num(struct bl_str s, int64_t *v);
/* Add key: the field as a number, or null when it is empty or not a number. */
void bl_colon_add_num(struct bl_obj_builder *b, const char *key, struct bl_str s);
/* A hash index of records by their first field (the name), in arena a;
 * 0 or BL_ENOMEM.  bl_colon_index_find: the record named name, or NULL. */
int bl_colon_index_build(struct bl_colon_index *ix, struct bl_arena *a, const struct bl_colon_rec *r, size_t n);
const struct bl_colon_rec *bl_colon_index_find(const struct bl_colon_index *ix, const struct bl_colon_rec *r, struct bl_str name);

#endif
