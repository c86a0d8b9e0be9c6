/*
 * file.c - the `file` namespace: file["/etc/shadow"] is one path's
 * metadata and, for regular files, its hash and content.  The same file
 * object is what files["GLOB"] lists (files.c uses bl_facts_file_object).
 *
 * Metadata is the path's own (lstat: a link reports type "link" and its
 * target); sha256, lines and content follow a final link inside the root.
 * Owner and group names come from ROOT/etc/passwd and ROOT/etc/group,
 * parsed once per context (both optional: a name not found is null; an
 * unreadable file makes the names error values).  A run that says which
 * members its rules read (struct bl_fact_keys.omit) gets objects without
 * sha256, lines or content when no rule reads them: a file nobody reads the
 * content of is stat'ed, never read or hashed.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "facts/facts.h"
#include "facts/fileobj.h"

#define FILE_CONTENT_MAX (1024u * 1024u)   /* lines/content only up to 1 MiB */
#define NAMES_MAX_ENTRIES 1000000u


struct id_name {
	uint32_t id;
	uint32_t seq;           /* line order: the first entry for an id wins */
	const char *name;
};

struct id_table {
	struct id_name *items;
	size_t n;
	const char *error;      /* the file could not be read: why */
};

struct owner_names {
	struct id_table users, groups;
};

static int cmp_id(const void *a, const void *b)
{
	const struct id_name *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* A decimal id of at most 10 digits that fits 32 bits, or false. */
static bool parse_id(const char *s, size_t n, uint32_t *out)
{
	if (n == 0 || n > 10)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/*
 * Read a passwd(5) or group(5) file: field 1 the name, field 3 the id.  A
 * missing file is an empty table; an unreadable one records why.  Lines
 * that do not parse (comments, NIS "+" entries, garbage) are skipped.
 * Returns 0 or BL_ENOMEM.
 */
static int load_ids(struct bl_facts *f, const char *path, struct id_table *t)
{
	struct bl_arena *a = bl_facts_arena(f);
	char *d;
	size_t len;
	bool missing;
	struct bl_error err;
	memset(t, 0, sizeof *t);
	if (bl_sys_read(bl_facts_sys(f), path, a, &d, &len, NULL, &missing, &err) != 0) {
		if (!missing) {
			t->error = bl_arena_strndup(a, err.msg, strlen(err.msg));
			if (!t->error)
				return BL_ENOMEM;
		}
		return 0;
	}
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += d[i] == '\n';
	lines++;
	if (lines > NAMES_MAX_ENTRIES)
		lines = NAMES_MAX_ENTRIES;
	t->items = bl_arena_calloc(a, lines, sizeof *t->items);
	if (!t->items)
		return BL_ENOMEM;
	size_t pos = 0;
	while (pos < len && t->n < lines) {
		size_t e = pos;
		while (e < len && d[e] != '\n')
			e++;
		size_t end = e;
		if (end > pos && d[end - 1] == '\r')
			end--;
		/* name:x:id:... */
		const char *fld[3];
		size_t flen[3], k = 0, s = pos;
		for (size_t i = pos; i <= end && k < 3; i++) {
			if (i == end || d[i] == ':') {
				fld[k] = d + s;
				flen[k] = i - s;
				k++;
				s = i + 1;
			}
		}
		pos = e + 1;
		uint32_t id;
		if (k < 3 || flen[0] == 0 || fld[0][0] == '#' || fld[0][0] == '+' ||
		    fld[0][0] == '-' || !parse_id(fld[2], flen[2], &id))
			continue;
		char *name = bl_arena_strndup(a, fld[0], flen[0]);
		if (!name)
			return BL_ENOMEM;
		t->items[t->n] = (struct id_name){.id = id, .seq = (uint32_t)t->n, .name = name};
		t->n++;
	}
	if (t->n > 1)
		qsort(t->items, t->n, sizeof *t->items, cmp_id);
	return 0;
}

/* The context's owner names, loaded on first use; NULL on ENOMEM. */
static struct owner_names *owner_names(struct bl_facts *f)
{
	void **slot = bl_facts_slot(f, "file.owner_names");
	if (slot && *slot)
		return *slot;
	struct owner_names *on = bl_arena_calloc(bl_facts_arena(f), 1, sizeof *on);
	if (!on || load_ids(f, "/etc/passwd", &on->users) != 0 ||
	    load_ids(f, "/etc/group", &on->groups) != 0)
		return NULL;
	if (slot)
		*slot = on;
	return on;
}

/* The name for id: a string, null when unknown, an error when unreadable. */
static const struct bl_value *id_value(struct bl_facts *f, const struct id_table *t, uint32_t id)
{
	if (t->error)
		return bl_facts_error(f, "%s", t->error);
	size_t lo = 0, hi = t->n;
	while (lo < hi) {   /* the first entry with this id */
		size_t mid = lo + (hi - lo) / 2;
		if (t->items[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->n && t->items[lo].id == id)
		return bl_value_new_str(bl_facts_arena(f), t->items[lo].name,
					strlen(t->items[lo].name));
	return bl_value_new(bl_facts_arena(f), BL_VNULL);
}

/* lines[]: split on LF, a CR before it dropped, no empty last line for a
 * final newline.  NULL on ENOMEM. */
static struct bl_value *split_lines(struct bl_arena *a, const char *d, size_t len)
{
	struct bl_arr_builder b;
	bl_ab_init(&b, a);
	size_t pos = 0;
	while (pos < len) {
		size_t e = pos;
		while (e < len && d[e] != '\n')
			e++;
		size_t end = e;
		if (end > pos && d[end - 1] == '\r')
			end--;
		bl_ab_add(&b, bl_value_new_str(a, d + pos, end - pos));
		pos = e + 1;
	}
	return bl_ab_finish(&b);
}

/* Every member of omitted names (BL_FILE_OMIT_* order) is the error e. */
static void add_errors(struct bl_obj_builder *b, const struct bl_value *e, unsigned omit)
{
	if (!(omit & BL_FILE_OMIT_SHA256))
		bl_ob_add(b, "sha256", e);
	if (!(omit & BL_FILE_OMIT_LINES))
		bl_ob_add(b, "lines", e);
	if (!(omit & BL_FILE_OMIT_CONTENT))
		bl_ob_add(b, "content", e);
}

/* sha256, lines and content of a regular file (following links), but for
 * the members in omit; the file is not read at all when omit has them all. */
static void add_content(struct bl_facts *f, struct bl_obj_builder *b, const char *path,
			unsigned omit)
{
	if ((omit & BL_FILE_OMIT_ALL) == BL_FILE_OMIT_ALL)
		return;
	struct bl_arena *a = bl_facts_arena(f);
	char *d;
	size_t len;
	bool missing;
	struct bl_error err;
	if (bl_sys_read(bl_facts_sys(f), path, a, &d, &len, NULL, &missing, &err) != 0) {
		add_errors(b, bl_facts_error(f, "%s", err.msg), omit);
		return;
	}
	if (!(omit & BL_FILE_OMIT_SHA256)) {
		unsigned char h[crypto_hash_sha256_BYTES];
		char hex[crypto_hash_sha256_BYTES * 2 + 1];
		crypto_hash_sha256(h, (const unsigned char *)d, len);
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		bl_ob_str(b, "sha256", hex, strlen(hex));
	}
	if (len > FILE_CONTENT_MAX) {
		const struct bl_value *e = bl_facts_error(f, "file larger than 1 MiB: content not read");
		add_errors(b, e, omit | BL_FILE_OMIT_SHA256);
		return;
	}
	if (!(omit & BL_FILE_OMIT_LINES))
		bl_ob_add(b, "lines", split_lines(a, d, len));
	if (!(omit & BL_FILE_OMIT_CONTENT))
		bl_ob_str(b, "content", d, len);
}

/*
 * The file object for one absolute path (a path that is not absolute is an
 * error value); with_path adds a leading "path" member (files[] lists need
 * it, file["P"] is keyed by it).  Returns NULL only on ENOMEM.
 */
const struct bl_value *bl_facts_file_object(struct bl_facts *f, const char *path, bool with_path)
{
	return bl_facts_file_object_omit(f, path, with_path, 0);
}

const struct bl_value *bl_facts_file_object_omit(struct bl_facts *f, const char *path,
						 bool with_path, unsigned omit)
{
	struct bl_sys *s = bl_facts_sys(f);
	struct bl_arena *a = bl_facts_arena(f);
	if (!path || path[0] != '/')
		return bl_facts_error(f, "%s: not an absolute path", path ? path : "");
	struct bl_sys_stat st;
	struct bl_error err;
	if (bl_sys_stat(s, path, false, &st, &err) != 0)
		return bl_facts_error(f, "%s", err.msg);
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	if (with_path)
		bl_ob_strz(&b, "path", path);
	bl_ob_bool(&b, "exists", st.exists);
	if (!st.exists)
		return bl_ob_finish(&b);
	struct owner_names *on = owner_names(f);
	if (!on)
		return NULL;
	char mode[8];
	snprintf(mode, sizeof mode, "%04o", (unsigned)(st.mode & 07777));
	bl_ob_strz(&b, "type", st.type);
	bl_ob_strz(&b, "mode", mode);
	bl_ob_int(&b, "uid", st.uid);
	bl_ob_int(&b, "gid", st.gid);
	bl_ob_add(&b, "owner", id_value(f, &on->users, st.uid));
	bl_ob_add(&b, "group", id_value(f, &on->groups, st.gid));
	bl_ob_int(&b, "size", (int64_t)st.size);
	bl_ob_int(&b, "mtime", st.mtime);
	bool regular = strcmp(st.type, "file") == 0;
	const struct bl_value *follow_err = NULL;
	if (strcmp(st.type, "link") == 0) {
		/* The content is the target's, resolved inside the root. */
		struct bl_sys_stat tst;
		if (bl_sys_stat(s, path, true, &tst, &err) != 0)
			follow_err = bl_facts_error(f, "%s", err.msg);
		else
			regular = tst.exists && strcmp(tst.type, "file") == 0;
	}
	if (follow_err)
		add_errors(&b, follow_err, omit);
	else if (regular)
		add_content(f, &b, path, omit);
	if (strcmp(st.type, "link") == 0) {
		char *target;
		if (bl_sys_readlink(s, path, a, &target, &err) == 0)
			bl_ob_strz(&b, "target", target);
		else
			bl_ob_add(&b, "target", bl_facts_error(f, "%s", err.msg));
	}
	return bl_ob_finish(&b);
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	/* Files cannot be enumerated: keys->all still answers only the keys named. */
	struct bl_obj_builder b;
	bl_ob_init(&b, bl_facts_arena(f));
	for (size_t i = 0; i < keys->n; i++)
		bl_ob_add(&b, keys->keys[i],
			  bl_facts_file_object_omit(f, keys->keys[i], false,
						    keys->omit ? keys->omit[i] : 0));
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_file = {
	.version = BL_PROVIDER_VERSION,
	.name = "file",
	.keyed = true,
	.summary = "one path: existence, type, mode, owner, size, mtime, sha256, content",
	.resolve = resolve,
};
