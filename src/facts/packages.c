/*
 * packages.c - the `packages` namespace (FORMATS.md §3): packages["name"] =
 * {installed, version, arch, status} from the dpkg database
 * (ROOT/var/lib/dpkg/status), else {installed, version, arch} from the rpm
 * SQLite database (facts/rpmdb.h), read offline as well as live.
 *
 * A name the database does not know is {installed: false}.  With
 * packages[*] every package of the database is listed.  Duplicates
 * (multi-arch, several kernels) resolve as bl_dpkg_db_find says (installed,
 * then the native architecture, then the first seen); "name:arch" picks
 * one architecture.  An rpm database in a format not read (BerkeleyDB,
 * ndb) is an error value, never "nothing installed".
 */
#include <string.h>

#include "facts/dpkg.h"
#include "facts/rpmdb.h"
#include "facts/facts.h"

/* One package as a value; p NULL = not in the database.  NULL on ENOMEM. */
static struct bl_value *pkg_value(struct bl_arena *a, const struct bl_dpkg_pkg *p)
{
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	bl_ob_bool(&b, "installed", p && p->installed);
	if (p) {
		bl_ob_strz(&b, "version", p->version);
		bl_ob_strz(&b, "arch", p->arch);
		if (p->status)   /* dpkg only */
			bl_ob_strz(&b, "status", p->status);
	}
	return bl_ob_finish(&b);
}

/* No dpkg database: the rpm one, else why there is none.  0 with *out an
 * error value or NULL (db loaded), or BL_ENOMEM. */
static int try_rpm(struct bl_facts *f, struct bl_dpkg_db *db, const struct bl_value **out)
{
	struct bl_error err;
	bool missing = false;
	*out = NULL;
	int rc = bl_rpmdb_load(db, bl_facts_sys(f), bl_facts_arena(f), &missing, &err);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc == 0)
		return 0;
	*out = missing ? bl_facts_error(f, "no package database found")
		       : bl_facts_error(f, "%s", err.msg);
	return *out ? 0 : BL_ENOMEM;
}

/* Every package, once per name (the entry bl_dpkg_db_find prefers), in
 * database order.  Returns 0 or BL_ENOMEM. */
static int add_all(struct bl_obj_builder *b, const struct bl_dpkg_db *db, struct bl_arena *a)
{
	for (size_t i = 0; i < db->n; i++) {
		const struct bl_dpkg_pkg *p = &db->items[i];
		if (bl_dpkg_db_first(db, p->name, strlen(p->name)) != p)
			continue;   /* a later duplicate: the name was listed at its first entry */
		const struct bl_value *v = pkg_value(a, bl_dpkg_db_find(db, p->name, strlen(p->name)));
		if (!v)
			return BL_ENOMEM;
		bl_ob_add(b, p->name, v);
	}
	return b->failed ? BL_ENOMEM : 0;
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	struct bl_arena *a = bl_facts_arena(f);
	const struct bl_dpkg_db *shared;
	struct bl_error err;
	bool missing = false;
	int rc = bl_dpkg_db_shared(f, &shared, &missing, &err);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	struct bl_dpkg_db db = *shared;   /* the rpm reader below fills a copy, never the shared one */
	if (rc != 0 && !missing) {
		*out = bl_facts_error(f, "%s", err.msg);
		return *out ? 0 : BL_ENOMEM;
	}
	const char *source = "/var/lib/dpkg/status";
	if (rc != 0) {
		if (try_rpm(f, &db, out) != 0)
			return BL_ENOMEM;
		if (*out)
			return 0;
		source = "rpm database";
	}
	if (db.truncated) {
		*out = bl_facts_error(f, "%s: more than %zu packages, not read", source,
				      db.max_entries);
		return *out ? 0 : BL_ENOMEM;
	}
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	if (keys->all && add_all(&b, &db, a) != 0)
		return BL_ENOMEM;
	for (size_t i = 0; i < keys->n; i++) {
		const char *k = keys->keys[i];
		const struct bl_dpkg_pkg *p = bl_dpkg_db_find(&db, k, strlen(k));
		if (keys->all && p && !strchr(k, ':'))
			continue;   /* already listed under its name */
		const struct bl_value *v = pkg_value(a, p);
		if (!v)
			return BL_ENOMEM;
		bl_ob_add(&b, k, v);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_packages = {
	.version = BL_PROVIDER_VERSION,
	.name = "packages",
	.keyed = true,
	.summary = "installed packages from the dpkg or rpm database",
	.resolve = resolve,
};
