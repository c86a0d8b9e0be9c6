/*
 * services.c - the `services` namespace (FORMATS.md §3): systemd units as
 * services["ssh"] = {exists, enabled, static, masked, active}, read from the
 * unit files (offline as well as live) the way `systemctl is-enabled` does,
 * without talking to systemd.
 *
 * A name without a unit suffix means NAME.service.  Unit files are looked up
 * in /etc/systemd/system, /run/systemd/system, /usr/local/lib/systemd/system,
 * /usr/lib/systemd/system, /lib/systemd/system; the first found wins, so a
 * file in /etc hides (and a /dev/null link there masks) the rest.  An
 * instance foo@bar.service falls back to its template foo@.service.
 *
 * enabled: the unit, its requested name or one of its Alias= names is linked
 * into a *.wants or *.requires directory of those directories, or an Alias=
 * (or the requested alias) is a symlink in /etc/systemd/system or
 * /run/systemd/system.  static: the [Install] section has no WantedBy,
 * RequiredBy, UpheldBy, Alias or Also (systemd's rule); a static unit is
 * never enabled.  A masked unit is neither enabled nor static.
 *
 * active (live only, else not_applicable): true when the unit has a control
 * group (/sys/fs/cgroup/system.slice/NAME, or under the v1 "systemd" or
 * "unified" hierarchies) or systemd exported an invocation id for it
 * (/run/systemd/units/invocation:NAME).  Both are files systemd itself
 * keeps; the invocation link may outlive a stopped unit, so doubt leans
 * towards "active" (a control fails rather than passes).  Without a running
 * systemd (no /run/systemd/system) active is an error value.
 *
 * Optional sources: every directory above may be missing.  A unit file that
 * cannot be read makes that unit's value an error value.
 */
#include <string.h>

#include "facts/facts.h"
#include "util/str.h"

#define MAX_LINKED 20000
#define MAX_UNITS 20000

static const char *const unit_dirs[] = {
	"/etc/systemd/system",
	"/run/systemd/system",
	"/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system",
	"/lib/systemd/system",
};
#define NDIRS (sizeof unit_dirs / sizeof *unit_dirs)

static const char *const unit_suffixes[] = {
	".service", ".socket", ".target", ".timer", ".mount", ".automount", ".path",
	".swap", ".slice", ".scope", ".device",
};

struct ctx {
	struct bl_facts *f;
	struct bl_arena *a;
	char **linked;          /* names found in *.wants / *.requires directories */
	size_t nlinked, caplinked;
	bool linked_done;
	const struct bl_value *linked_err;   /* a wants directory could not be read */
};

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);
	return n >= m && memcmp(s + n - m, suf, m) == 0;
}

static bool has_unit_suffix(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < sizeof unit_suffixes / sizeof *unit_suffixes; i++)
		if (has_suffix(s, n, unit_suffixes[i]))
			return true;
	return false;
}

/* ---- the *.wants / *.requires links, collected once per resolve ---------- */

static int add_linked(struct ctx *c, char *name)
{
	if (c->nlinked == MAX_LINKED)
		return 0;
	if (c->nlinked == c->caplinked) {
		size_t cap = c->caplinked ? c->caplinked * 2 : 64;
		char **p = bl_arena_alloc(c->a, cap * sizeof *p);
		if (!p)
			return BL_ENOMEM;
		if (c->nlinked)
			memcpy(p, c->linked, c->nlinked * sizeof *p);
		c->linked = p;
		c->caplinked = cap;
	}
	c->linked[c->nlinked++] = name;
	return 0;
}

/* Returns 0 or BL_ENOMEM; unreadable directories set c->linked_err. */
static int collect_linked(struct ctx *c)
{
	if (c->linked_done)
		return 0;
	c->linked_done = true;
	struct bl_sys *s = bl_facts_sys(c->f);
	for (size_t d = 0; d < NDIRS; d++) {
		char **names;
		size_t n;
		bool missing;
		struct bl_error err;
		int rc = bl_sys_list(s, unit_dirs[d], c->a, &names, &n, &missing, &err);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc != 0) {
			c->linked_err = bl_facts_error(c->f, "%s", err.msg);
			if (!c->linked_err)
				return BL_ENOMEM;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(names[i]);
			if (!has_suffix(names[i], len, ".wants") && !has_suffix(names[i], len, ".requires"))
				continue;
			char *dir = bl_arena_printf(c->a, "%s/%s", unit_dirs[d], names[i]);
			if (!dir)
				return BL_ENOMEM;
			char **sub;
			size_t m;
			rc = bl_sys_list(s, dir, c->a, &sub, &m, &missing, &err);
			if (rc == BL_ENOMEM)
				return rc;
			if (rc != 0) {
				/* a *.wants that is not a directory is not a wants directory */
				if (strstr(err.msg, "not a directory"))
					continue;
				c->linked_err = bl_facts_error(c->f, "%s", err.msg);
				if (!c->linked_err)
					return BL_ENOMEM;
				continue;
			}
			for (size_t j = 0; j < m; j++)
				if (add_linked(c, sub[j]) != 0)
					return BL_ENOMEM;
		}
	}
	return 0;
}

static bool is_linked(const struct ctx *c, const char *name)
{
	for (size_t i = 0; i < c->nlinked; i++)
		if (strcmp(c->linked[i], name) == 0)
			return true;
	return false;
}

/* Is any instance of template "foo@.service" linked ("foo@x.service")? */
static bool template_linked(const struct ctx *c, const char *tmpl)
{
	const char *at = strchr(tmpl, '@');
	const char *dot = strrchr(tmpl, '.');
	if (!at || !dot || dot < at)
		return false;
	size_t pre = (size_t)(at - tmpl) + 1;
	for (size_t i = 0; i < c->nlinked; i++) {
		const char *l = c->linked[i];
		size_t n = strlen(l);
		if (n > pre && memcmp(l, tmpl, pre) == 0 && has_suffix(l, n, dot))
			return true;
	}
	return false;
}

/* ---- one unit ------------------------------------------------------------ */

struct unit {
	bool exists, masked, is_static;
	const char *real;       /* the unit's own name (differs when name is an alias) */
	char *content;
	size_t len;
	const struct bl_value *err;
};

/* Look name up in the unit directories (first found wins).  0 or BL_ENOMEM;
 * read failures land in u->err. */
static int find_unit(struct ctx *c, const char *name, struct unit *u)
{
	struct bl_sys *s = bl_facts_sys(c->f);
	struct bl_error err;
	for (size_t d = 0; d < NDIRS; d++) {
		char *path = bl_arena_printf(c->a, "%s/%s", unit_dirs[d], name);
		if (!path)
			return BL_ENOMEM;
		struct bl_sys_stat st;
		if (bl_sys_stat(s, path, false, &st, &err) != 0) {
			u->err = bl_facts_error(c->f, "%s", err.msg);
			return u->err ? 0 : BL_ENOMEM;
		}
		if (!st.exists)
			continue;
		u->real = name;
		if (strcmp(st.type, "link") == 0) {
			char *target;
			if (bl_sys_readlink(s, path, c->a, &target, &err) != 0) {
				u->err = bl_facts_error(c->f, "%s", err.msg);
				return u->err ? 0 : BL_ENOMEM;
			}
			if (strcmp(target, "/dev/null") == 0) {
				u->exists = u->masked = true;
				return 0;
			}
			const char *base = strrchr(target, '/');
			base = base ? base + 1 : target;
			if (*base && strcmp(base, name) != 0 && has_unit_suffix(base))
				u->real = base;   /* an alias: the link names the real unit */
			struct bl_sys_stat ts;
			if (bl_sys_stat(s, path, true, &ts, &err) == 0 && !ts.exists)
				continue;   /* dangling link: systemd looks further */
		}
		bool missing;
		int rc = bl_sys_read(s, path, c->a, &u->content, &u->len, NULL, &missing, &err);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc != 0) {
			u->err = bl_facts_error(c->f, "%s", err.msg);
			return u->err ? 0 : BL_ENOMEM;
		}
		u->exists = true;
		return 0;
	}
	return 0;
}

/* Walk the [Install] section: *has_rules for WantedBy/RequiredBy/UpheldBy/
 * Alias/Also; each Alias= name is passed to fn (which returns true to stop). */
static void install_section(const char *data, size_t len, bool *has_rules,
			    bool (*fn)(void *ctx, const char *alias, size_t n), void *fctx)
{
	bool in_install = false;
	*has_rules = false;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (data + i)) : len - i;
		const char *l = data + i;
		i += ll + 1;
		while (ll && (l[ll - 1] == '\r' || l[ll - 1] == ' ' || l[ll - 1] == '\t'))
			ll--;
		while (ll && (*l == ' ' || *l == '\t')) {
			l++;
			ll--;
		}
		if (!ll || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			in_install = ll == 9 && memcmp(l, "[Install]", 9) == 0;
			continue;
		}
		if (!in_install)
			continue;
		const char *eq = memchr(l, '=', ll);
		if (!eq)
			continue;
		size_t kl = (size_t)(eq - l);
		while (kl && (l[kl - 1] == ' ' || l[kl - 1] == '\t'))
			kl--;
		const char *v = eq + 1, *end = l + ll;
		bool alias = kl == 5 && memcmp(l, "Alias", 5) == 0;
		if (alias || (kl == 8 && memcmp(l, "WantedBy", 8) == 0) ||
		    (kl == 10 && memcmp(l, "RequiredBy", 10) == 0) ||
		    (kl == 8 && memcmp(l, "UpheldBy", 8) == 0) ||
		    (kl == 4 && memcmp(l, "Also", 4) == 0)) {
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			if (v < end)
				*has_rules = true;
		}
		while (alias && v < end) {
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			const char *w = v;
			while (v < end && *v != ' ' && *v != '\t')
				v++;
			if (v > w && fn(fctx, w, (size_t)(v - w)))
				return;
		}
	}
}

struct alias_ctx {
	struct ctx *c;
	bool enabled;
	int rc;
};

/* Is a name an enabling symlink in /etc or /run (not a mask)? */
static bool alias_link(struct ctx *c, const char *name)
{
	struct bl_sys *s = bl_facts_sys(c->f);
	struct bl_error err;
	for (size_t d = 0; d < 2; d++) {
		char *path = bl_arena_printf(c->a, "%s/%s", unit_dirs[d], name);
		struct bl_sys_stat st;
		if (!path || bl_sys_stat(s, path, false, &st, &err) != 0 || !st.exists ||
		    strcmp(st.type, "link") != 0)
			continue;
		char *target;
		if (bl_sys_readlink(s, path, c->a, &target, &err) == 0 &&
		    strcmp(target, "/dev/null") != 0)
			return true;
	}
	return false;
}

static bool check_alias(void *vctx, const char *alias, size_t n)
{
	struct alias_ctx *ac = vctx;
	char *name = bl_arena_strndup(ac->c->a, alias, n);
	if (!name) {
		ac->rc = BL_ENOMEM;
		return true;
	}
	if (is_linked(ac->c, name) || alias_link(ac->c, name))
		ac->enabled = true;
	return ac->enabled;
}

/* Active (live): see the file comment.  NULL on ENOMEM. */
static const struct bl_value *active_value(struct ctx *c, const char *real)
{
	struct bl_facts *f = c->f;
	if (!bl_facts_live(f))
		return bl_facts_na_live(f);
	struct bl_sys *s = bl_facts_sys(f);
	struct bl_sys_stat st;
	struct bl_error err;
	if (bl_sys_stat(s, "/run/systemd/system", false, &st, &err) != 0 || !st.exists)
		return bl_facts_error(f, "systemd is not running here (no /run/systemd/system): "
				      "unit activity is unknown");
	static const char *const where[] = {
		"/sys/fs/cgroup/system.slice/",
		"/sys/fs/cgroup/unified/system.slice/",
		"/sys/fs/cgroup/systemd/system.slice/",
		"/run/systemd/units/invocation:",
	};
	for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
		char *p = bl_arena_printf(c->a, "%s%s", where[i], real);
		if (!p)
			return NULL;
		if (bl_sys_stat(s, p, false, &st, &err) == 0 && st.exists)
			return bl_value_new_bool(c->a, true);
	}
	return bl_value_new_bool(c->a, false);
}

/* The full unit name for a key: "ssh" -> "ssh.service".  NULL on ENOMEM. */
static const char *unit_name(struct bl_arena *a, const char *key)
{
	if (has_unit_suffix(key))
		return key;
	return bl_arena_printf(a, "%s.service", key);
}

/* The template of an instance ("foo@bar.service" -> "foo@.service"), or NULL. */
static const char *template_of(struct bl_arena *a, const char *name)
{
	const char *at = strchr(name, '@');
	const char *dot = strrchr(name, '.');
	if (!at || !dot || dot <= at + 1)
		return NULL;
	return bl_arena_printf(a, "%.*s%s", (int)(at - name + 1), name, dot);
}

/* One unit's value.  NULL on ENOMEM. */
static const struct bl_value *unit_value(struct ctx *c, const char *key)
{
	const char *name = unit_name(c->a, key);
	if (!name)
		return NULL;
	struct unit u;
	memset(&u, 0, sizeof u);
	if (find_unit(c, name, &u) != 0)
		return NULL;
	const char *tmpl = template_of(c->a, name);
	bool instance = tmpl && strcmp(tmpl, name) != 0;
	if (!u.exists && !u.err && instance) {
		if (find_unit(c, tmpl, &u) != 0)
			return NULL;
		u.real = name;   /* the instance runs under its own name */
	}
	if (u.err)
		return u.err;
	struct bl_obj_builder b;
	bl_ob_init(&b, c->a);
	bl_ob_bool(&b, "exists", u.exists);
	bool enabled = false, is_static = false;
	if (u.exists && !u.masked) {
		if (collect_linked(c) != 0)
			return NULL;
		bool rules;
		struct alias_ctx ac = {.c = c, .enabled = false, .rc = 0};
		install_section(u.content, u.len, &rules, check_alias, &ac);
		if (ac.rc)
			return NULL;
		is_static = !rules;
		const char *at = strchr(name, '@');
		bool is_template = at && at[1] == '.';
		enabled = !is_static &&
			  (ac.enabled || is_linked(c, u.real) || is_linked(c, name) ||
			   (strcmp(u.real, name) != 0 && alias_link(c, name)) ||
			   (is_template && template_linked(c, name)));
		if (!enabled && !is_static && c->linked_err)
			bl_ob_add(&b, "enabled", c->linked_err);
		else
			bl_ob_bool(&b, "enabled", enabled);
	} else {
		bl_ob_bool(&b, "enabled", false);
	}
	bl_ob_bool(&b, "static", is_static);
	bl_ob_bool(&b, "masked", u.masked);
	if (u.exists) {
		bl_ob_add(&b, "active", active_value(c, u.real ? u.real : name));
	} else if (bl_facts_live(c->f)) {
		bl_ob_bool(&b, "active", false);
	} else {
		bl_ob_add(&b, "active", bl_facts_na_live(c->f));
	}
	return bl_ob_finish(&b);
}

static bool has_member(const struct bl_obj_builder *b, const char *key)
{
	size_t n = strlen(key);
	for (uint32_t i = 0; i < b->n; i++)
		if (bl_str_cmp(b->items[i].key, b->items[i].klen, key, n) == 0)
			return true;
	return false;
}

/* Every unit file name in the unit directories, first directory first,
 * without duplicates.  0 or BL_ENOMEM; unreadable directories are skipped
 * (their units still answer when asked by name). */
static int add_all(struct ctx *c, struct bl_obj_builder *b)
{
	struct bl_sys *s = bl_facts_sys(c->f);
	size_t seen = 0;
	for (size_t d = 0; d < NDIRS; d++) {
		char **names;
		size_t n;
		bool missing;
		struct bl_error err;
		int rc = bl_sys_list(s, unit_dirs[d], c->a, &names, &n, &missing, &err);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc != 0)
			continue;
		for (size_t i = 0; i < n && seen < MAX_UNITS; i++) {
			if (!has_unit_suffix(names[i]) || has_member(b, names[i]))
				continue;
			const struct bl_value *v = unit_value(c, names[i]);
			if (!v)
				return BL_ENOMEM;
			bl_ob_add(b, names[i], v);
			seen++;
		}
	}
	return b->failed ? BL_ENOMEM : 0;
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.f = f;
	c.a = bl_facts_arena(f);
	struct bl_obj_builder b;
	bl_ob_init(&b, c.a);
	if (keys->all && add_all(&c, &b) != 0)
		return BL_ENOMEM;
	for (size_t i = 0; i < keys->n; i++) {
		if (keys->all && has_member(&b, keys->keys[i]))
			continue;
		const struct bl_value *v = unit_value(&c, keys->keys[i]);
		if (!v)
			return BL_ENOMEM;
		bl_ob_add(&b, keys->keys[i], v);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_services = {
	.version = BL_PROVIDER_VERSION,
	.name = "services",
	.keyed = true,
	.summary = "systemd units: exists, enabled, static, masked, active (live)",
	.resolve = resolve,
};
