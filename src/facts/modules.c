/*
 * modules.c - the `modules` namespace: kernel modules, whether they are
 * loaded (live, /proc/modules) and whether modprobe.d keeps them out.
 *
 * modules["cramfs"] = {loaded, disabled, blacklisted}.  Sources, all
 * optional: *.conf in /etc/modprobe.d, /run/modprobe.d,
 * /usr/local/lib/modprobe.d, /usr/lib/modprobe.d, /lib/modprobe.d (a name in
 * an earlier directory masks the same name later; survivors read in
 * file-name order, as kmod does), lines joined on a trailing '\'.
 * `disabled`: the first `install NAME CMD` line for the module (kmod uses
 * the first) runs /bin/false, /bin/true, /usr/bin/false or /usr/bin/true.
 * `blacklisted`: some `blacklist NAME` line.  Names compare with '-' and
 * '_' equivalent.  `loaded` is live-only (BL_VNA under --root); a kernel
 * without /proc/modules has nothing loaded.
 */
#include <string.h>

#include "facts/confparse.h"
#include "facts/facts.h"

#define MODULES_MAX_FILES 1024
#define MODULES_MAX_NAMES 20000
#define MODULES_MAX_LINE 65536

static const char *const dirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
	"/lib/modprobe.d",
};

struct mod {
	char *name;          /* normalized: '-' -> '_' */
	bool install_seen, disabled, blacklisted, loaded;
};

struct mods {
	struct mod *items;
	size_t n, cap;
	struct bl_arena *a;
};

/* Normalized copy of a module name; NULL on ENOMEM. */
static char *norm(struct bl_arena *a, const char *s, size_t len)
{
	char *n = bl_arena_strndup(a, s, len);
	if (n)
		for (char *p = n; *p; p++)
			if (*p == '-')
				*p = '_';
	return n;
}

/* The entry for a module, created if needed; NULL on ENOMEM or the cap. */
static struct mod *mod_get(struct mods *m, struct bl_str name, bool create)
{
	char *n = norm(m->a, name.s, name.len);
	if (!n)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->items[i].name, n) == 0)
			return &m->items[i];
	if (!create || m->n >= MODULES_MAX_NAMES)
		return NULL;
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		struct mod *ni = bl_arena_calloc(m->a, ncap, sizeof(*ni));
		if (!ni)
			return NULL;
		if (m->n)
			memcpy(ni, m->items, m->n * sizeof(*ni));
		m->items = ni;
		m->cap = ncap;
	}
	struct mod *e = &m->items[m->n++];
	*e = (struct mod){.name = n};
	return e;
}

static bool stops_load(struct bl_str cmd)
{
	return bl_cp_eq(cmd, "/bin/false") || bl_cp_eq(cmd, "/bin/true") ||
	       bl_cp_eq(cmd, "/usr/bin/false") || bl_cp_eq(cmd, "/usr/bin/true");
}

/* One logical line.  Returns 0 or BL_ENOMEM (the name cap silently drops). */
static int apply(struct mods *m, struct bl_str line)
{
	struct bl_str rest = line, cmd, name, prog;
	if (!bl_cp_word(&rest, &cmd) || cmd.s[0] == '#')
		return 0;
	bool install = bl_cp_eq(cmd, "install");
	if (!install && !bl_cp_eq(cmd, "blacklist"))
		return 0;
	if (!bl_cp_word(&rest, &name))
		return 0;
	struct mod *e = mod_get(m, name, true);
	if (!e)
		return m->n >= MODULES_MAX_NAMES ? 0 : BL_ENOMEM;
	if (!install) {
		e->blacklisted = true;
		return 0;
	}
	if (e->install_seen)
		return 0;
	e->install_seen = true;
	e->disabled = bl_cp_word(&rest, &prog) && stops_load(prog);
	return 0;
}

/* One file: comments, continuation lines.  Returns 0 or BL_ENOMEM. */
static int parse(struct mods *m, const char *data, size_t len)
{
	struct bl_cp_lines it;
	struct bl_str line;
	struct bl_buf joined;
	int rc = 0;
	bl_buf_init(&joined, MODULES_MAX_LINE);
	bl_cp_lines_init(&it, data, len);
	while (rc == 0 && bl_cp_line_next(&it, &line)) {
		struct bl_str t = bl_cp_trim(line);
		bool cont = t.len > 0 && t.s[t.len - 1] == '\\';
		if (cont) {
			bl_buf_add(&joined, t.s, t.len - 1);
			bl_buf_addc(&joined, ' ');
			continue;
		}
		if (joined.len > 0 || joined.failed) {
			bl_buf_add(&joined, t.s, t.len);
			if (!joined.failed)
				rc = apply(m, (struct bl_str){joined.data, joined.len});
			bl_buf_reset(&joined);
			joined.failed = false;
			continue;
		}
		rc = apply(m, t);
	}
	if (rc == 0 && joined.len > 0 && !joined.failed)
		rc = apply(m, (struct bl_str){joined.data, joined.len});
	bl_buf_free(&joined);
	return rc;
}

/* modprobe.d into m.  Returns 0 or BL_ENOMEM; a read failure sets *errv. */
static int load_conf(struct bl_facts *f, struct mods *m, const struct bl_value **errv)
{
	struct bl_error e;
	char **paths = NULL;
	size_t n = 0;
	bl_error_clear(&e);
	*errv = NULL;
	int rc = bl_cp_dropins(bl_facts_sys(f), bl_facts_arena(f), dirs, sizeof(dirs) / sizeof(dirs[0]),
			       ".conf", MODULES_MAX_FILES, &paths, &n, &e);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		*errv = bl_facts_error(f, "%s", e.msg);
		return *errv ? 0 : BL_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		char *data = NULL;
		size_t len = 0;
		rc = bl_cp_read(f, paths[i], &data, &len, errv);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc == BL_EIO)
			return 0;
		if (rc == 1)
			continue;
		rc = parse(m, data, len);
		if (rc)
			return rc;
	}
	return 0;
}

/* /proc/modules into m (live only).  0 or BL_ENOMEM; failure sets *errv. */
static int load_live(struct bl_facts *f, struct mods *m, const struct bl_value **errv)
{
	char *data = NULL;
	size_t len = 0;
	*errv = NULL;
	int rc = bl_cp_read(f, "/proc/modules", &data, &len, errv);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc)
		return 0;   /* missing: no module support, nothing loaded */
	struct bl_cp_lines it;
	struct bl_str line, name;
	bl_cp_lines_init(&it, data, len);
	while (bl_cp_line_next(&it, &line)) {
		if (!bl_cp_word(&line, &name))
			continue;
		struct mod *e = mod_get(m, name, true);
		if (!e) {
			if (m->n >= MODULES_MAX_NAMES)
				break;
			return BL_ENOMEM;
		}
		e->loaded = true;
	}
	return 0;
}

/* {loaded, disabled, blacklisted} for one module; NULL on ENOMEM. */
static struct bl_value *entry(struct bl_facts *f, const struct mod *e, const struct bl_value *conf_err,
			      const struct bl_value *live_err)
{
	struct bl_obj_builder b;
	bl_ob_init(&b, bl_facts_arena(f));
	if (live_err)
		bl_ob_add(&b, "loaded", live_err);
	else
		bl_ob_bool(&b, "loaded", e && e->loaded);
	if (conf_err) {
		bl_ob_add(&b, "disabled", conf_err);
		bl_ob_add(&b, "blacklisted", conf_err);
	} else {
		bl_ob_bool(&b, "disabled", e && e->disabled);
		bl_ob_bool(&b, "blacklisted", e && e->blacklisted);
	}
	return bl_ob_finish(&b);
}

/* Failure: BL_ENOMEM only; everything else is a value. */
static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	struct bl_arena *a = bl_facts_arena(f);
	struct mods m = {.a = a};
	const struct bl_value *conf_err = NULL, *live_err = NULL;
	int rc = load_conf(f, &m, &conf_err);
	if (rc)
		return rc;
	if (bl_facts_live(f)) {
		rc = load_live(f, &m, &live_err);
		if (rc)
			return rc;
	} else {
		live_err = bl_facts_na_live(f);
		if (!live_err)
			return BL_ENOMEM;
	}
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	if (keys->all) {
		for (size_t i = 0; i < m.n; i++) {
			struct bl_value *v = entry(f, &m.items[i], conf_err, live_err);
			if (!v)
				return BL_ENOMEM;
			bl_ob_add(&b, m.items[i].name, v);
		}
	}
	for (size_t i = 0; i < keys->n; i++) {
		const char *key = keys->keys[i];
		if (bl_cp_ob_has(&b, key))
			continue;
		const struct mod *e = mod_get(&m, (struct bl_str){key, strlen(key)}, false);
		struct bl_value *v = entry(f, e, conf_err, live_err);
		if (!v)
			return BL_ENOMEM;
		bl_ob_add(&b, key, v);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_modules = {
	.version = BL_PROVIDER_VERSION,
	.name = "modules",
	.keyed = true,
	.summary = "kernel modules: loaded (live), disabled and blacklisted in modprobe.d",
	.resolve = resolve,
};
