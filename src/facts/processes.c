/*
 * processes.c - the `processes` namespace (FORMATS.md §3, live only):
 * processes[*] = {pid, name, cmdline, user} from /proc.
 *
 * name is /proc/PID/comm; cmdline is /proc/PID/cmdline with its NUL
 * separators turned into spaces (empty for kernel threads); user is the
 * name of the real uid (/proc/PID/status "Uid:") in /etc/passwd, or null
 * when passwd has no such uid.  A process that exits while being read is
 * left out.  More than 100,000 processes make the namespace an error value
 * (a partial list could pass a "no such process" control).  Under --root
 * the namespace is not_applicable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts/facts.h"

#define MAX_PROCS 100000

struct uid_name {
	uint32_t uid;
	const char *name;
};

struct uid_map {
	struct uid_name *v;
	size_t n;
	const char *error;      /* passwd unreadable: why */
};

/* uid -> name from ROOT/etc/passwd (first line wins).  0 or BL_ENOMEM. */
static int load_users(struct bl_facts *f, struct bl_arena *a, struct uid_map *m)
{
	char *d;
	size_t len;
	bool missing;
	struct bl_error err;
	memset(m, 0, sizeof *m);
	int rc = bl_sys_read(bl_facts_sys(f), "/etc/passwd", a, &d, &len, NULL, &missing, &err);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc != 0) {
		m->error = missing ? NULL : bl_arena_strndup(a, err.msg, strlen(err.msg));
		return missing || m->error ? 0 : BL_ENOMEM;
	}
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += d[i] == '\n';
	m->v = bl_arena_calloc(a, lines, sizeof *m->v);
	if (!m->v)
		return BL_ENOMEM;
	for (char *l = d; l < d + len;) {
		char *nl = memchr(l, '\n', (size_t)(d + len - l));
		char *e = nl ? nl : d + len;
		char *c1 = memchr(l, ':', (size_t)(e - l));
		char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(e - c1 - 1)) : NULL;
		if (c2 && c1 > l && *l != '#' && *l != '+' && *l != '-') {
			char *end;
			unsigned long uid = strtoul(c2 + 1, &end, 10);
			if (end > c2 + 1 && *end == ':' && uid <= UINT32_MAX) {
				m->v[m->n].uid = (uint32_t)uid;
				m->v[m->n].name = bl_arena_strndup(a, l, (size_t)(c1 - l));
				if (!m->v[m->n++].name)
					return BL_ENOMEM;
			}
		}
		l = e + 1;
	}
	return 0;
}

static const struct bl_value *user_value(struct bl_facts *f, const struct uid_map *m, uint32_t uid)
{
	if (m->error)
		return bl_facts_error(f, "%s", m->error);
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].uid == uid)
			return bl_value_new_str(bl_facts_arena(f), m->v[i].name, strlen(m->v[i].name));
	return bl_value_new(bl_facts_arena(f), BL_VNULL);
}

/* The real uid on the "Uid:" line of /proc/PID/status; false if absent. */
static bool status_uid(const char *d, size_t len, uint32_t *uid)
{
	for (size_t i = 0; i + 4 < len;) {
		const char *nl = memchr(d + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (d + i)) : len - i;
		if (ll > 4 && memcmp(d + i, "Uid:", 4) == 0) {
			char buf[32];
			size_t n = ll - 4 < sizeof buf - 1 ? ll - 4 : sizeof buf - 1;
			memcpy(buf, d + i + 4, n);
			buf[n] = '\0';
			char *end;
			unsigned long v = strtoul(buf, &end, 10);
			if (end == buf || v > UINT32_MAX)
				return false;
			*uid = (uint32_t)v;
			return true;
		}
		i += ll + 1;
	}
	return false;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* One process's value, NULL with *gone when it exited (or its files cannot
 * be read); NULL without *gone on ENOMEM. */
static const struct bl_value *one(struct bl_facts *f, const struct uid_map *m, const char *pid,
				  struct bl_arena *tmp, bool *gone)
{
	struct bl_sys *s = bl_facts_sys(f);
	char path[64];
	char *comm, *cmd, *st;
	size_t cl, ml, sl;
	bool missing;
	struct bl_error err;
	*gone = true;
	snprintf(path, sizeof path, "/proc/%s/comm", pid);
	if (bl_sys_read(s, path, tmp, &comm, &cl, NULL, &missing, &err) != 0)
		return NULL;
	snprintf(path, sizeof path, "/proc/%s/cmdline", pid);
	if (bl_sys_read(s, path, tmp, &cmd, &ml, NULL, &missing, &err) != 0)
		return NULL;
	snprintf(path, sizeof path, "/proc/%s/status", pid);
	uint32_t uid;
	if (bl_sys_read(s, path, tmp, &st, &sl, NULL, &missing, &err) != 0 ||
	    !status_uid(st, sl, &uid))
		return NULL;
	*gone = false;
	while (cl && (comm[cl - 1] == '\n' || comm[cl - 1] == '\r'))
		cl--;
	while (ml && cmd[ml - 1] == '\0')
		ml--;
	for (size_t i = 0; i < ml; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
	struct bl_obj_builder b;
	bl_ob_init(&b, bl_facts_arena(f));
	bl_ob_int(&b, "pid", strtoll(pid, NULL, 10));
	bl_ob_str(&b, "name", comm, cl);
	bl_ob_str(&b, "cmdline", cmd, ml);
	bl_ob_add(&b, "user", user_value(f, m, uid));
	return bl_ob_finish(&b);
}

/*
 * List the processes under f's root /proc as if the root were live (tests
 * call it on fixture roots).  Returns 0 with *out set (an error value when
 * /proc cannot be listed or holds too many processes) or BL_ENOMEM.
 */
int bl_processes_collect(struct bl_facts *f, const struct bl_value **out);

int bl_processes_collect(struct bl_facts *f, const struct bl_value **out)
{
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_arena tmp;
	bl_arena_init(&tmp, 0);
	int rc = 0;
	struct uid_map m;
	char **names;
	size_t n;
	bool missing;
	struct bl_error err;
	*out = NULL;
	if ((rc = load_users(f, &tmp, &m)) != 0)
		goto done;
	if (bl_sys_list(bl_facts_sys(f), "/proc", &tmp, &names, &n, &missing, &err) != 0 ||
	    missing) {
		*out = missing ? bl_facts_error(f, "/proc: not mounted") : bl_facts_error(f, "%s", err.msg);
		goto done;
	}
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	size_t count = 0;
	struct bl_arena per;
	bl_arena_init(&per, 0);
	for (size_t i = 0; i < n; i++) {
		if (!all_digits(names[i]))
			continue;
		if (++count > MAX_PROCS) {
			*out = bl_facts_error(f, "more than %d processes", MAX_PROCS);
			break;
		}
		bool gone;
		const struct bl_value *v = one(f, &m, names[i], &per, &gone);
		bl_arena_reset(&per);
		if (!v && !gone) {
			rc = BL_ENOMEM;
			break;
		}
		if (v)
			bl_ab_add(&ab, v);
	}
	bl_arena_free(&per);
	if (!rc && !*out)
		*out = bl_ab_finish(&ab);
done:
	bl_arena_free(&tmp);
	if (rc)
		return rc;
	return *out ? 0 : BL_ENOMEM;
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	if (!bl_facts_live(f)) {
		*out = bl_facts_na_live(f);
		return *out ? 0 : BL_ENOMEM;
	}
	return bl_processes_collect(f, out);
}

const struct bl_provider bl_provider_processes = {
	.version = BL_PROVIDER_VERSION,
	.name = "processes",
	.keyed = false,
	.summary = "running processes (live only)",
	.resolve = resolve,
};
