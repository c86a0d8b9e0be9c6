/*
 * pam.c - the `pam` namespace: PAM configuration files, as Linux-PAM reads
 * them.
 *
 * pam["common-password"] reads /etc/pam.d/common-password; an absolute key
 * ("/etc/pam.conf") is read as that path.  Value: {exists, lines[], rules[]}:
 * lines are the logical lines with comments ('#' to the end of the line, as
 * Linux-PAM strips them) and blank lines removed, '\' continuations joined
 * and blanks squeezed to one space; rules are {type, control, module,
 * args[]} for each line: type without the '-' that means "ignore a missing
 * module" (recorded as quiet: true), control either a keyword or the whole
 * [value=action ...] group, module the path or name, args the rest (an arg
 * written [a b] is one arg without the brackets).  "@include NAME" lines
 * become {type: "@include", control: "", module: NAME, args: []}; included
 * files are not expanded (ask for them by name).
 * A missing file is {exists: false, lines: [], rules: []}; an unreadable one
 * is an error value for that key; a key that is neither a plain name nor an
 * absolute path (e.g. "../x") is an error value.
 */
#include <string.h>

#include "facts/confparse.h"
#include "facts/facts.h"

#define PAM_MAX_LINES 10000
#define PAM_MAX_LINE 65536
#define PAM_MAX_SERVICES 1000

/* Next token of a PAM line: a word, or a [...] group kept whole (with its
 * brackets when keep_brackets; "\]" inside does not close it). */
static bool token(struct bl_str *rest, struct bl_str *tok, bool keep_brackets)
{
	size_t i = 0;
	while (i < rest->len && bl_cp_isspace(rest->s[i]))
		i++;
	if (i == rest->len)
		return false;
	size_t start = i;
	if (rest->s[i] == '[') {
		size_t j = i + 1;
		while (j < rest->len && !(rest->s[j] == ']' && rest->s[j - 1] != '\\'))
			j++;
		size_t end = j < rest->len ? j + 1 : j;
		if (keep_brackets)
			*tok = (struct bl_str){rest->s + start, end - start};
		else
			*tok = (struct bl_str){rest->s + start + 1, j - start - 1};
		rest->s += end;
		rest->len -= end;
		return true;
	}
	while (i < rest->len && !bl_cp_isspace(rest->s[i]))
		i++;
	*tok = (struct bl_str){rest->s + start, i - start};
	rest->s += i;
	rest->len -= i;
	return true;
}

static struct bl_value *str(struct bl_arena *a, struct bl_str s)
{
	return bl_value_new_str(a, s.s, s.len);
}

/* The rule object of one normalized line; NULL on ENOMEM. */
static struct bl_value *rule(struct bl_arena *a, struct bl_str line)
{
	struct bl_obj_builder b;
	struct bl_arr_builder args;
	struct bl_str rest = line, type = {"", 0}, control = {"", 0}, module = {"", 0}, t;
	bool quiet = false;
	bl_ob_init(&b, a);
	bl_ab_init(&args, a);
	token(&rest, &type, true);
	if (bl_cp_eq(type, "@include")) {
		token(&rest, &module, true);
	} else {
		if (type.len > 0 && type.s[0] == '-') {
			quiet = true;
			type.s++;
			type.len--;
		}
		token(&rest, &control, true);
		token(&rest, &module, true);
		while (token(&rest, &t, false)) {
			struct bl_value *v = str(a, t);
			if (!v)
				return NULL;
			bl_ab_add(&args, v);
		}
	}
	struct bl_value *av = bl_ab_finish(&args);
	if (!av)
		return NULL;
	bl_ob_str(&b, "type", type.s, type.len);
	bl_ob_str(&b, "control", control.s, control.len);
	bl_ob_str(&b, "module", module.s, module.len);
	bl_ob_add(&b, "args", av);
	bl_ob_bool(&b, "quiet", quiet);
	return bl_ob_finish(&b);
}

/* Add one logical line (comment already cut) to the arrays.  0 or ENOMEM. */
static int add_line(struct bl_arena *a, struct bl_arr_builder *lines, struct bl_arr_builder *rules,
		    struct bl_str raw)
{
	size_t nl = 0;
	char *norm = bl_cp_squeeze(a, raw, &nl);
	if (!norm)
		return BL_ENOMEM;
	if (nl == 0 || lines->n >= PAM_MAX_LINES)
		return 0;
	struct bl_value *lv = bl_value_new_str(a, norm, nl);
	struct bl_value *rv = rule(a, (struct bl_str){norm, nl});
	if (!lv || !rv)
		return BL_ENOMEM;
	bl_ab_add(lines, lv);
	bl_ab_add(rules, rv);
	return 0;
}

/* {exists, lines, rules} for file text (NULL data: missing).  NULL on ENOMEM. */
static struct bl_value *parse(struct bl_arena *a, const char *data, size_t len)
{
	struct bl_arr_builder lines, rules;
	struct bl_obj_builder b;
	struct bl_buf joined;
	struct bl_cp_lines it;
	struct bl_str line;
	int rc = 0;
	bl_ab_init(&lines, a);
	bl_ab_init(&rules, a);
	bl_ob_init(&b, a);
	bl_buf_init(&joined, PAM_MAX_LINE);
	bl_cp_lines_init(&it, data, len);
	while (rc == 0 && bl_cp_line_next(&it, &line)) {
		const char *hash = memchr(line.s, '#', line.len);
		bool cont = false;
		if (hash) {
			line.len = (size_t)(hash - line.s);
		} else {
			struct bl_str t = bl_cp_trim(line);
			cont = t.len > 0 && t.s[t.len - 1] == '\\';
			if (cont)
				line.len = (size_t)(t.s + t.len - 1 - line.s);
		}
		bl_buf_add(&joined, line.s, line.len);
		if (cont) {
			bl_buf_addc(&joined, ' ');
			continue;
		}
		if (!joined.failed)
			rc = add_line(a, &lines, &rules, (struct bl_str){joined.data, joined.len});
		bl_buf_reset(&joined);
	}
	if (rc == 0 && joined.len > 0 && !joined.failed)
		rc = add_line(a, &lines, &rules, (struct bl_str){joined.data, joined.len});
	bl_buf_free(&joined);
	if (rc)
		return NULL;
	struct bl_value *lv = bl_ab_finish(&lines), *rv = bl_ab_finish(&rules);
	if (!lv || !rv)
		return NULL;
	bl_ob_bool(&b, "exists", data != NULL);
	bl_ob_add(&b, "lines", lv);
	bl_ob_add(&b, "rules", rv);
	return bl_ob_finish(&b);
}

/* The value for one key.  NULL on ENOMEM. */
static const struct bl_value *service(struct bl_facts *f, const char *key)
{
	struct bl_arena *a = bl_facts_arena(f);
	const char *path;
	if (key[0] == '/')
		path = key;
	else if (key[0] == '\0' || strchr(key, '/') || strcmp(key, ".") == 0 ||
		 strcmp(key, "..") == 0)
		return bl_facts_error(f, "pam: \"%s\" is neither a service name nor an absolute path",
				      key);
	else
		path = bl_arena_printf(a, "/etc/pam.d/%s", key);
	if (!path)
		return NULL;
	char *data = NULL;
	size_t len = 0;
	const struct bl_value *errv = NULL;
	int rc = bl_cp_read(f, path, &data, &len, &errv);
	if (rc == BL_ENOMEM)
		return NULL;
	if (rc == BL_EIO)
		return errv;
	return parse(a, rc == 1 ? NULL : data, rc == 1 ? 0 : len);
}

/* Failure: BL_ENOMEM only; everything else is a value. */
static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	if (keys->all) {
		char **names = NULL;
		size_t n = 0;
		bool missing = false;
		struct bl_error e;
		int rc = bl_sys_list(bl_facts_sys(f), "/etc/pam.d", a, &names, &n, &missing, &e);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc) {
			*out = bl_facts_error(f, "%s", e.msg);
			return *out ? 0 : BL_ENOMEM;
		}
		for (size_t i = 0; i < n && i < PAM_MAX_SERVICES; i++) {
			const struct bl_value *v = service(f, names[i]);
			if (!v)
				return BL_ENOMEM;
			bl_ob_add(&b, names[i], v);
		}
	}
	for (size_t i = 0; i < keys->n; i++) {
		if (bl_cp_ob_has(&b, keys->keys[i]))
			continue;
		const struct bl_value *v = service(f, keys->keys[i]);
		if (!v)
			return BL_ENOMEM;
		bl_ob_add(&b, keys->keys[i], v);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_pam = {
	.version = BL_PROVIDER_VERSION,
	.name = "pam",
	.keyed = true,
	.summary = "PAM files in /etc/pam.d: normalized lines and parsed rules",
	.resolve = resolve,
};
