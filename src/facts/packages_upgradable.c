/*
 * packages_upgradable.c - the `packages_upgradable` namespace (FORMATS.md
 * §3): installed packages for which the package lists already on disk
 * (ROOT/var/lib/apt/lists/ *_Packages) hold a newer version, in Debian
 * version order.  Never touches the network, never runs apt.
 *
 * Value: {count, security_count, packages: [{name, arch, installed,
 * candidate, security}], skipped_lists: [file names]}.  Lists are read
 * plain or compressed (.lz4, .gz, .xz, .lzma: facts/decompress.h), streamed
 * and capped at 512 MiB of text each; only lists in other formats (.bz2,
 * .zst) are named in skipped_lists.  No readable list at all is an error
 * value: a count of 0 computed from nothing would pass a "no pending
 * security updates" control silently.
 */
#include <string.h>

#include "facts/dpkg.h"
#include "facts/facts.h"
#include "rule/version.h"
#include "util/str.h"

#define LISTS_DIR "/var/lib/apt/lists"
#define MAX_LISTS 4096
#define LIST_MAX (512ull << 20)    /* per list, decompressed */

struct cand {
	const char *version;    /* best newer version seen, or NULL */
	bool security;
};

#define SEEN_BITS (1u << 16)

struct scan {
	const struct bl_dpkg_db *db;
	struct cand *cand;      /* one per db entry */
	struct bl_arena *a;
	bool security_list;     /* the list being read is a security one */
	uint64_t *seen;         /* SEEN_BITS bits: seen_bit of every installed name */
};

/* A cheap fingerprint of a name (its length and three of its bytes): most
 * names of a list are told apart from the few hundred installed ones by a
 * clear bit, without hashing the whole name for the database's index. */
static uint32_t seen_bit(const char *name, size_t len)
{
	const unsigned char *u = (const unsigned char *)name;
	uint32_t h = (uint32_t)len * 0x9e37u;
	if (len) {
		h ^= (uint32_t)u[0] * 0x2f1u;
		h ^= (uint32_t)u[len / 2] << 4;
		h ^= (uint32_t)u[len - 1] << 9;
	}
	return (h ^ (h >> 16)) & (SEEN_BITS - 1);
}

static bool arch_match(const char *installed, const struct bl_dpkg_field *list)
{
	if (!list->set)
		return true;    /* a list stanza without Architecture: trust the name */
	return strcmp(list->s, installed) == 0 || strcmp(list->s, "all") == 0 ||
	       strcmp(installed, "all") == 0;
}

/* bl_dpkg_want_fn: only a name with an installed entry can be upgradable,
 * so the stanzas of the ~60,000 other packages of a list are passed over
 * after their Package line. */
static bool want_installed(void *vctx, const char *name, size_t len)
{
	const struct scan *sc = vctx;
	const struct bl_dpkg_db *db = sc->db;
	uint32_t bit = seen_bit(name, len);
	if (!(sc->seen[bit / 64] & (1ull << (bit % 64))))
		return false;
	for (const struct bl_dpkg_pkg *p = bl_dpkg_db_first(db, name, len); p;
	     p = p->next ? &db->items[p->next - 1] : NULL)
		if (p->installed)
			return true;
	return false;
}

/* One stanza of a list: does it beat an installed version?  0 or BL_ENOMEM. */
static int scan_one(void *vctx, const struct bl_dpkg_stanza *st)
{
	struct scan *sc = vctx;
	if (st->bad || !st->package.set || !st->version.set || st->version.len == 0)
		return 0;
	const struct bl_dpkg_db *db = sc->db;
	for (const struct bl_dpkg_pkg *p = bl_dpkg_db_first(db, st->package.s, st->package.len); p;
	     p = p->next ? &db->items[p->next - 1] : NULL) {
		if (!p->installed || !arch_match(p->arch, &st->arch))
			continue;
		const char *v = st->version.s;
		size_t vl = st->version.len;
		if (bl_version_cmp(v, vl, p->version, strlen(p->version)) <= 0)
			continue;
		struct cand *c = &sc->cand[p - db->items];
		int cmp = c->version ? bl_version_cmp(v, vl, c->version, strlen(c->version)) : 1;
		if (cmp > 0) {
			c->version = bl_arena_strndup(sc->a, v, vl);
			if (!c->version)
				return BL_ENOMEM;
			c->security = sc->security_list;
		} else if (cmp == 0 && sc->security_list) {
			c->security = true;
		}
	}
	return 0;
}

/* The format of a package list from its file name: "..._Packages" plain,
 * "..._Packages.lz4" and friends compressed (apt keeps lists compressed
 * when Acquire::GzipIndexes is set, as Docker images do); *is_list false
 * for every other file (InRelease, ..._Packages.diff_Index, lock). */
static enum bl_zfmt list_format(const char *name, bool *is_list)
{
	const char *p = strstr(name, "_Packages");
	*is_list = false;
	if (!p)
		return BL_ZFMT_UNKNOWN;
	p += 9;
	if (*p == '\0') {
		*is_list = true;
		return BL_ZFMT_PLAIN;
	}
	if (*p != '.' || p[1] == '\0' || strchr(p + 1, '_'))
		return BL_ZFMT_UNKNOWN;
	*is_list = true;
	return bl_zfmt_from_suffix(p + 1);
}

static struct bl_value *build(struct bl_facts *f, const struct bl_dpkg_db *db,
			      const struct cand *cand, const struct bl_value *skipped)
{
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_arr_builder pk;
	bl_ab_init(&pk, a);
	int64_t count = 0, sec = 0;
	for (size_t i = 0; i < db->n; i++) {
		if (!cand[i].version)
			continue;
		struct bl_obj_builder o;
		bl_ob_init(&o, a);
		bl_ob_strz(&o, "name", db->items[i].name);
		bl_ob_strz(&o, "arch", db->items[i].arch);
		bl_ob_strz(&o, "installed", db->items[i].version);
		bl_ob_strz(&o, "candidate", cand[i].version);
		bl_ob_bool(&o, "security", cand[i].security);
		const struct bl_value *v = bl_ob_finish(&o);
		if (!v)
			return NULL;
		bl_ab_add(&pk, v);
		count++;
		sec += cand[i].security;
	}
	const struct bl_value *list = bl_ab_finish(&pk);
	if (!list)
		return NULL;
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	bl_ob_int(&b, "count", count);
	bl_ob_int(&b, "security_count", sec);
	bl_ob_add(&b, "packages", list);
	bl_ob_add(&b, "skipped_lists", skipped);
	return bl_ob_finish(&b);
}

/* Read every list in a format we decompress into cand; the others (.bz2,
 * .zst) are named in skipped.  0, BL_ENOMEM, or another code with *why set
 * to an error value (a list that cannot be read, a corrupt or truncated
 * one: a partial list must not hide pending updates). */
static int scan_lists(struct bl_facts *f, struct scan *sc, char **names, size_t n,
		      struct bl_arr_builder *skipped, size_t *read, struct bl_value **why)
{
	struct bl_arena *a = bl_facts_arena(f);
	for (size_t i = 0; i < n; i++) {
		bool is_list;
		enum bl_zfmt fmt = list_format(names[i], &is_list);
		if (!is_list)
			continue;
		if (fmt == BL_ZFMT_UNKNOWN) {
			bl_ab_add(skipped, bl_value_new_str(a, names[i], strlen(names[i])));
			if (skipped->failed)
				return BL_ENOMEM;
			continue;
		}
		char *path = bl_arena_printf(a, LISTS_DIR "/%s", names[i]);
		if (!path)
			return BL_ENOMEM;
		sc->security_list = bl_str_icontains(names[i], strlen(names[i]), "security", 8);
		struct bl_error err;
		int rc = bl_dpkg_stream_z(bl_facts_sys(f), path, fmt, LIST_MAX, want_installed,
					  scan_one, sc, NULL, &err);
		if (rc == BL_ENOMEM)
			return BL_ENOMEM;
		if (rc != 0) {
			*why = bl_facts_error(f, "%s", err.msg);
			return *why ? BL_EIO : BL_ENOMEM;
		}
		(*read)++;
	}
	return 0;
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_sys *s = bl_facts_sys(f);
	const struct bl_dpkg_db *dbp;
	struct bl_error err;
	bool missing = false;
	int rc = bl_dpkg_db_shared(f, &dbp, &missing, &err);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc != 0 || dbp->truncated) {
		*out = missing ? bl_facts_error(f, "no dpkg database found (/var/lib/dpkg/status)")
		       : dbp->truncated ? bl_facts_error(f, "/var/lib/dpkg/status: too many packages")
		       : bl_facts_error(f, "%s", err.msg);
		return *out ? 0 : BL_ENOMEM;
	}
	const struct bl_dpkg_db db = *dbp;
	char **names = NULL;
	size_t n = 0;
	rc = bl_sys_list(s, LISTS_DIR, a, &names, &n, &missing, &err);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc != 0) {
		*out = bl_facts_error(f, "%s", err.msg);
		return *out ? 0 : BL_ENOMEM;
	}
	if (n > MAX_LISTS) {
		*out = bl_facts_error(f, LISTS_DIR ": more than %d files, not read", MAX_LISTS);
		return *out ? 0 : BL_ENOMEM;
	}
	struct scan sc = {.db = &db, .a = a, .security_list = false};
	sc.cand = bl_arena_calloc(a, db.n ? db.n : 1, sizeof *sc.cand);
	sc.seen = bl_arena_calloc(a, SEEN_BITS / 64, sizeof *sc.seen);
	if (!sc.cand || !sc.seen)
		return BL_ENOMEM;
	for (size_t i = 0; i < db.n; i++) {
		if (!db.items[i].installed)
			continue;
		uint32_t bit = seen_bit(db.items[i].name, strlen(db.items[i].name));
		sc.seen[bit / 64] |= 1ull << (bit % 64);
	}
	struct bl_arr_builder skipped;
	bl_ab_init(&skipped, a);
	size_t nread = 0;
	struct bl_value *why = NULL;
	rc = scan_lists(f, &sc, names, n, &skipped, &nread, &why);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc != 0) {
		*out = why;
		return 0;
	}
	if (nread == 0) {
		*out = skipped.n
			? bl_facts_error(f, "no readable package lists on disk (%u skipped: "
					 "only plain, .gz, .lz4, .xz and .lzma lists are read)",
					 skipped.n)
			: bl_facts_error(f, "no package lists on disk (run apt-get update)");
		return *out ? 0 : BL_ENOMEM;
	}
	const struct bl_value *sk = bl_ab_finish(&skipped);
	if (!sk)
		return BL_ENOMEM;
	*out = build(f, &db, sc.cand, sk);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_packages_upgradable = {
	.version = BL_PROVIDER_VERSION,
	.name = "packages_upgradable",
	.keyed = false,
	.summary = "packages with a newer version in the package lists on disk",
	.resolve = resolve,
};
