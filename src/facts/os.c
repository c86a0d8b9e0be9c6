/*
 * os.c - the `os` namespace: the operating system's identity.
 *
 *   id, version_id, name  os-release (/etc/os-release, else /usr/lib/os-release);
 *                         both optional: absent, the three are null
 *   kernel, arch          uname (live only: BL_VNA under --root, since the
 *                         running kernel says nothing about the image)
 *   hostname              live: uname's nodename; offline: /etc/hostname
 *                         (optional: null when absent or empty)
 *   machine_id            /etc/machine-id (optional: null when absent or empty)
 *
 * An os-release that exists but cannot be read makes id/version_id/name
 * error values; the other fields stay.
 */
#include <string.h>
#include <sys/utsname.h>

#include "facts/facts.h"

#define OS_MAX_LINES 10000

struct osrel {
	const char *id, *version_id, *name;   /* NUL-terminated, or NULL */
};

static bool is_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/*
 * Unquote one shell-style value s[0..n) (as os-release(5) allows: "double",
 * 'single', backslash escapes, a trailing comment after blanks) into out,
 * which has room for n+1 bytes.
 */
static void unquote(const char *s, size_t n, char *out)
{
	size_t i = 0, k = 0;
	while (i < n) {
		char c = s[i];
		if (c == '"') {
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n && strchr("\"\\$`", s[i + 1]))
					i++;
				out[k++] = s[i];
			}
			i++;
		} else if (c == '\'') {
			for (i++; i < n && s[i] != '\''; i++)
				out[k++] = s[i];
			i++;
		} else if (c == '\\' && i + 1 < n) {
			out[k++] = s[i + 1];
			i += 2;
		} else if (c == ' ' || c == '\t') {
			break;          /* unquoted blank ends the value (a comment may follow) */
		} else {
			out[k++] = c;
			i++;
		}
	}
	out[k] = '\0';
}

/* Parse os-release text; the last assignment of a key wins, as a shell's would. */
static int parse_osrel(struct bl_arena *a, const char *d, size_t len, struct osrel *r)
{
	size_t pos = 0;
	for (int lines = 0; pos < len && lines < OS_MAX_LINES; lines++) {
		size_t e = pos;
		while (e < len && d[e] != '\n')
			e++;
		size_t b = pos, end = e;
		pos = e + 1;
		if (end > b && d[end - 1] == '\r')
			end--;
		while (b < end && (d[b] == ' ' || d[b] == '\t'))
			b++;
		size_t k = b;
		while (k < end && is_key_char(d[k]))
			k++;
		if (k == b || k >= end || d[k] != '=')
			continue;   /* a comment, a blank line or garbage */
		char *v = bl_arena_alloc(a, end - k);
		if (!v)
			return BL_ENOMEM;
		unquote(d + k + 1, end - k - 1, v);
		size_t kl = k - b;
		if (kl == 2 && memcmp(d + b, "ID", 2) == 0)
			r->id = v;
		else if (kl == 10 && memcmp(d + b, "VERSION_ID", 10) == 0)
			r->version_id = v;
		else if (kl == 4 && memcmp(d + b, "NAME", 4) == 0)
			r->name = v;
	}
	return 0;
}

/* The first line of a small optional file, trimmed; NULL (a null value)
 * when absent or empty, an error value when unreadable. */
static const struct bl_value *first_line_value(struct bl_facts *f, const char *path)
{
	struct bl_arena *a = bl_facts_arena(f);
	char *data;
	size_t len;
	bool missing;
	struct bl_error err;
	if (bl_sys_read(bl_facts_sys(f), path, a, &data, &len, NULL, &missing, &err) != 0)
		return missing ? bl_value_new(a, BL_VNULL) : bl_facts_error(f, "%s", err.msg);
	size_t e = 0;
	while (e < len && data[e] != '\n' && data[e] != '\r')
		e++;
	size_t b = 0;
	while (b < e && (data[b] == ' ' || data[b] == '\t'))
		b++;
	while (e > b && (data[e - 1] == ' ' || data[e - 1] == '\t'))
		e--;
	return e > b ? bl_value_new_str(a, data + b, e - b) : bl_value_new(a, BL_VNULL);
}

static struct bl_value *str_or_null(struct bl_arena *a, const char *s)
{
	return s ? bl_value_new_str(a, s, strlen(s)) : bl_value_new(a, BL_VNULL);
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_obj_builder b;
	bl_ob_init(&b, a);

	/* os-release: /etc first, /usr/lib when /etc has none. */
	static const char *const osrel_paths[] = {"/etc/os-release", "/usr/lib/os-release"};
	struct osrel r = {0};
	const struct bl_value *osrel_err = NULL;
	for (size_t i = 0; i < 2; i++) {
		char *data;
		size_t len;
		bool missing;
		struct bl_error err;
		if (bl_sys_read(bl_facts_sys(f), osrel_paths[i], a, &data, &len, NULL, &missing,
				&err) != 0) {
			if (missing)
				continue;
			osrel_err = bl_facts_error(f, "%s", err.msg);
			if (!osrel_err)
				return BL_ENOMEM;
			break;
		}
		if (parse_osrel(a, data, len, &r) != 0)
			return BL_ENOMEM;
		break;
	}
	bl_ob_add(&b, "id", osrel_err ? osrel_err : str_or_null(a, r.id));
	bl_ob_add(&b, "version_id", osrel_err ? osrel_err : str_or_null(a, r.version_id));
	bl_ob_add(&b, "name", osrel_err ? osrel_err : str_or_null(a, r.name));

	if (bl_facts_live(f)) {
		struct utsname u;
		if (uname(&u) == 0) {
			bl_ob_str(&b, "kernel", u.release, strnlen(u.release, sizeof u.release));
			bl_ob_str(&b, "arch", u.machine, strnlen(u.machine, sizeof u.machine));
			bl_ob_str(&b, "hostname", u.nodename, strnlen(u.nodename, sizeof u.nodename));
		} else {
			const struct bl_value *e = bl_facts_error(f, "uname failed");
			bl_ob_add(&b, "kernel", e);
			bl_ob_add(&b, "arch", e);
			bl_ob_add(&b, "hostname", e);
		}
	} else {
		const struct bl_value *na = bl_facts_na_live(f);
		bl_ob_add(&b, "kernel", na);
		bl_ob_add(&b, "arch", na);
		bl_ob_add(&b, "hostname", first_line_value(f, "/etc/hostname"));
	}
	bl_ob_add(&b, "machine_id", first_line_value(f, "/etc/machine-id"));
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_os = {
	.version = BL_PROVIDER_VERSION,
	.name = "os",
	.keyed = false,
	.summary = "operating system identity from os-release and uname",
	.resolve = resolve,
};
