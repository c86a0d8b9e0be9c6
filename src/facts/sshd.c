/*
 * sshd.c - the `sshd` namespace: the effective OpenSSH server configuration
 * for the global context, computed from the files the way sshd reads them
 * (never by running sshd), as `sshd -T` would print it.
 *
 * /etc/ssh/sshd_config is read with its Include directives (relative paths
 * under /etc/ssh, globs expanded in sorted order, at most 16 levels, a cycle
 * is an error value naming it).  Keywords are lower-cased; aliases map to
 * the name sshd -T prints (challengeresponseauthentication ->
 * kbdinteractiveauthentication ...).  For single-value keywords the first
 * value wins; list keywords collect arrays (see docs/facts/sshd.md).  Match
 * blocks do not apply to the global view: their lines are skipped and
 * counted in match_blocks.  Keywords the files omit take OpenSSH 9.2p1's
 * compiled-in defaults as Debian 12 builds it (captured from its `sshd -T`).
 *
 * sshd_config is optional: missing, the namespace is {"exists": false}.
 * Unreadable files (EACCES, a FIFO, over the cap), unterminated quotes,
 * include cycles and too-deep includes make the namespace an error value:
 * sshd itself would refuse such a configuration, so no default may pass.
 */
#include <string.h>

#include "facts/confparse.h"
#include "facts/facts.h"

#define SSHD_CONFIG "/etc/ssh/sshd_config"
#define SSHD_MAX_DEPTH 16
#define SSHD_MAX_FILES 256
#define SSHD_MAX_KEYS 512
#define SSHD_MAX_ARGS 256
#define SSHD_MAX_ITEMS 4096

enum kind {
	K_SINGLE,        /* first value wins; args joined by one space */
	K_WORDS,         /* every word of every line, in order (AllowUsers) */
	K_LINES,         /* one element per line (HostKey, Port, Subsystem) */
	K_WORDS_FIRST,   /* the words of the first line only (SetEnv) */
	K_ALGOS,         /* first value wins; +, - and ^ edit the default list */
};

static const struct {
	const char *name;
	enum kind kind;
} kinds[] = {
	{"acceptenv", K_WORDS},
	{"allowgroups", K_WORDS},
	{"allowusers", K_WORDS},
	{"denygroups", K_WORDS},
	{"denyusers", K_WORDS},
	{"hostcertificate", K_LINES},
	{"hostkey", K_LINES},
	{"listenaddress", K_LINES},
	{"port", K_LINES},
	{"subsystem", K_LINES},
	{"setenv", K_WORDS_FIRST},
	{"ciphers", K_ALGOS},
	{"macs", K_ALGOS},
	{"kexalgorithms", K_ALGOS},
	{"hostkeyalgorithms", K_ALGOS},
	{"pubkeyacceptedalgorithms", K_ALGOS},
	{"hostbasedacceptedalgorithms", K_ALGOS},
	{"casignaturealgorithms", K_ALGOS},
};

static const struct {
	const char *alias, *name;
} aliases[] = {
	{"challengeresponseauthentication", "kbdinteractiveauthentication"},
	{"skeyauthentication", "kbdinteractiveauthentication"},
	{"dsaauthentication", "pubkeyauthentication"},
	{"pubkeyacceptedkeytypes", "pubkeyacceptedalgorithms"},
	{"hostbasedacceptedkeytypes", "hostbasedacceptedalgorithms"},
	{"authorizedkeysfile2", "authorizedkeysfile"},
};

/* `sshd -T -f /dev/null` of Debian 12's OpenSSH 9.2p1, minus the lists
 * derived at the end (port, listenaddress, hostkey). */
static const struct {
	const char *name, *value;
} defaults[] = {
	{"addressfamily", "any"},
	{"usepam", "no"},
	{"logingracetime", "120"},
	{"x11displayoffset", "10"},
	{"maxauthtries", "6"},
	{"maxsessions", "10"},
	{"clientaliveinterval", "0"},
	{"clientalivecountmax", "3"},
	{"requiredrsasize", "1024"},
	{"streamlocalbindmask", "0177"},
	{"unusedconnectiontimeout", "none"},
	{"permitrootlogin", "prohibit-password"},
	{"ignorerhosts", "yes"},
	{"ignoreuserknownhosts", "no"},
	{"hostbasedauthentication", "no"},
	{"hostbasedusesnamefrompacketonly", "no"},
	{"pubkeyauthentication", "yes"},
	{"kerberosauthentication", "no"},
	{"kerberosorlocalpasswd", "yes"},
	{"kerberosticketcleanup", "yes"},
	{"gssapiauthentication", "no"},
	{"gssapicleanupcredentials", "yes"},
	{"gssapikeyexchange", "no"},
	{"gssapistrictacceptorcheck", "yes"},
	{"gssapistorecredentialsonrekey", "no"},
	{"gssapikexalgorithms", "gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,"
				"gss-curve25519-sha256-,gss-group14-sha1-,gss-gex-sha1-"},
	{"passwordauthentication", "yes"},
	{"kbdinteractiveauthentication", "yes"},
	{"printmotd", "yes"},
	{"printlastlog", "yes"},
	{"x11forwarding", "no"},
	{"x11uselocalhost", "yes"},
	{"permittty", "yes"},
	{"permituserrc", "yes"},
	{"strictmodes", "yes"},
	{"tcpkeepalive", "yes"},
	{"permitemptypasswords", "no"},
	{"compression", "yes"},
	{"gatewayports", "no"},
	{"usedns", "no"},
	{"allowtcpforwarding", "yes"},
	{"allowagentforwarding", "yes"},
	{"disableforwarding", "no"},
	{"allowstreamlocalforwarding", "yes"},
	{"streamlocalbindunlink", "no"},
	{"fingerprinthash", "SHA256"},
	{"exposeauthinfo", "no"},
	{"pidfile", "/run/sshd.pid"},
	{"modulifile", "/etc/ssh/moduli"},
	{"xauthlocation", "/usr/bin/xauth"},
	{"ciphers", "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
		    "aes128-gcm@openssh.com,aes256-gcm@openssh.com"},
	{"macs", "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
		 "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
		 "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"},
	{"banner", "none"},
	{"forcecommand", "none"},
	{"chrootdirectory", "none"},
	{"trustedusercakeys", "none"},
	{"revokedkeys", "none"},
	{"securitykeyprovider", "internal"},
	{"authorizedprincipalsfile", "none"},
	{"versionaddendum", "none"},
	{"authorizedkeyscommand", "none"},
	{"authorizedkeyscommanduser", "none"},
	{"authorizedprincipalscommand", "none"},
	{"authorizedprincipalscommanduser", "none"},
	{"hostkeyagent", "none"},
	{"kexalgorithms", "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
			  "curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
			  "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,"
			  "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"
			  "diffie-hellman-group14-sha256"},
	{"casignaturealgorithms", "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"
				  "ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,"
				  "sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256"},
#define SSHD_KEY_ALGOS                                                                             \
	"ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"              \
	"ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"      \
	"sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"        \
	"rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,"        \
	"ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com," \
	"sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256"
	{"hostbasedacceptedalgorithms", SSHD_KEY_ALGOS},
	{"hostkeyalgorithms", SSHD_KEY_ALGOS},
	{"pubkeyacceptedalgorithms", SSHD_KEY_ALGOS},
	{"loglevel", "INFO"},
	{"syslogfacility", "AUTH"},
	{"authorizedkeysfile", ".ssh/authorized_keys .ssh/authorized_keys2"},
	{"authenticationmethods", "any"},
	{"maxstartups", "10:30:100"},
	{"persourcemaxstartups", "none"},
	{"persourcenetblocksize", "32:128"},
	{"permittunnel", "no"},
	{"ipqos", "lowdelay throughput"},
	{"rekeylimit", "0 0"},
	{"permitopen", "any"},
	{"permitlisten", "any"},
	{"permituserenvironment", "no"},
	{"pubkeyauthoptions", "none"},
};

static const char *const default_hostkeys[] = {
	"/etc/ssh/ssh_host_rsa_key",
	"/etc/ssh/ssh_host_ecdsa_key",
	"/etc/ssh/ssh_host_ed25519_key",
};

struct entry {
	char *key;
	enum kind kind;
	char *text;                  /* K_SINGLE, K_ALGOS */
	size_t tlen;
	bool seen;                   /* K_WORDS_FIRST: a line was taken */
	struct bl_arr_builder arr;   /* list kinds */
};

struct ctx {
	struct bl_facts *f;
	struct bl_arena *a;
	struct entry *items;
	size_t n;
	uint32_t match_blocks;
	size_t files;
	const char *stack[SSHD_MAX_DEPTH + 1];
	size_t depth;
	const struct bl_value *err;  /* first error: the namespace's value */
};

/* Record the namespace error (first one wins).  0, or BL_ENOMEM. */
static int fail(struct ctx *c, const struct bl_value *v)
{
	if (!v)
		return BL_ENOMEM;
	if (!c->err)
		c->err = v;
	return 0;
}

static enum kind kind_of(const char *key)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, key) == 0)
			return kinds[i].kind;
	return K_SINGLE;
}

static const char *default_of(const char *key)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (strcmp(defaults[i].name, key) == 0)
			return defaults[i].value;
	return NULL;
}

/* The entry for key, created on first use; NULL on ENOMEM or the cap. */
static struct entry *entry_get(struct ctx *c, const char *key, bool create)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->items[i].key, key) == 0)
			return &c->items[i];
	if (!create || c->n >= SSHD_MAX_KEYS)
		return NULL;
	struct entry *e = &c->items[c->n++];
	*e = (struct entry){.key = (char *)key, .kind = kind_of(key)};
	bl_ab_init(&e->arr, c->a);
	return e;
}

/*
 * Split the arguments of a line the way OpenSSH's argv_split does: blanks
 * separate, "double" and 'single' quotes group, a backslash escapes a quote,
 * a backslash or a blank, and a word starting with '#' ends the line.
 * Returns the count, or -1 for an unterminated quote.  Words go into the
 * arena; at most max are kept.
 */
static long split_args(struct bl_arena *a, struct bl_str s, struct bl_str *argv, size_t max)
{
	size_t argc = 0, i = 0;
	char *buf = bl_arena_alloc(a, s.len + 1);
	size_t bn = 0;
	if (!buf)
		return -2;
	while (i < s.len) {
		while (i < s.len && bl_cp_isspace(s.s[i]))
			i++;
		if (i == s.len || s.s[i] == '#')
			break;
		size_t start = bn;
		char quote = 0;
		for (; i < s.len; i++) {
			char ch = s.s[i];
			if (!quote && bl_cp_isspace(ch))
				break;
			if (ch == '\\' && i + 1 < s.len &&
			    (s.s[i + 1] == '"' || s.s[i + 1] == '\'' || s.s[i + 1] == '\\' ||
			     (!quote && s.s[i + 1] == ' '))) {
				buf[bn++] = s.s[++i];
			} else if (!quote && (ch == '"' || ch == '\'')) {
				quote = ch;
			} else if (quote && ch == quote) {
				quote = 0;
			} else {
				buf[bn++] = ch;
			}
		}
		if (quote)
			return -1;
		if (argc < max)
			argv[argc++] = (struct bl_str){buf + start, bn - start};
	}
	return (long)argc;
}

/* The canonical lower-case keyword; NULL on ENOMEM. */
static char *keyword(struct bl_arena *a, struct bl_str w)
{
	char *k = bl_arena_strndup(a, w.s, w.len);
	if (!k)
		return NULL;
	for (char *p = k; *p; p++)
		*p = (char)bl_lower((unsigned char)*p);
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(k, aliases[i].alias) == 0)
			return (char *)aliases[i].name;
	return k;
}

/* Args joined by one space, into the arena; NULL on ENOMEM. */
static char *join(struct bl_arena *a, const struct bl_str *argv, size_t argc, size_t *len)
{
	size_t total = 1;
	for (size_t i = 0; i < argc; i++)
		total += argv[i].len + 1;
	char *out = bl_arena_alloc(a, total);
	if (!out)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < argc; i++) {
		if (i)
			out[n++] = ' ';
		memcpy(out + n, argv[i].s, argv[i].len);
		n += argv[i].len;
	}
	out[n] = '\0';
	*len = n;
	return out;
}

/* Does name match one of the comma-separated patterns ('*', '?')? */
static bool in_patterns(struct bl_str name, struct bl_str pats)
{
	size_t start = 0;
	for (size_t i = 0; i <= pats.len; i++) {
		if (i < pats.len && pats.s[i] != ',')
			continue;
		if (bl_glob_match(pats.s + start, i - start, name.s, name.len, false))
			return true;
		start = i + 1;
	}
	return false;
}

/* Append the items of list to out, skipping those matching skip (if any).
 * Infallible (out has room for both lists). */
static void append_items(struct bl_buf *out, struct bl_str list, const struct bl_str *skip)
{
	size_t start = 0;
	for (size_t i = 0; i <= list.len; i++) {
		if (i < list.len && list.s[i] != ',')
			continue;
		struct bl_str item = {list.s + start, i - start};
		start = i + 1;
		if (item.len == 0 || (skip && in_patterns(item, *skip)))
			continue;
		if (out->len)
			bl_buf_addc(out, ',');
		bl_buf_add(out, item.s, item.len);
	}
}

/*
 * An algorithm list as sshd resolves it against the default: "+a,b"
 * appends what is not there, "-pat" removes matches, "^a,b" puts them
 * first.  Returns the text in the arena, NULL on ENOMEM.
 */
static char *algos(struct bl_arena *a, const char *key, const char *val, size_t vlen, size_t *outlen)
{
	const char *def = default_of(key);
	if (!def || vlen == 0 || (val[0] != '+' && val[0] != '-' && val[0] != '^')) {
		*outlen = vlen;
		return bl_arena_strndup(a, val, vlen);
	}
	struct bl_str d = {def, strlen(def)}, v = {val + 1, vlen - 1};
	struct bl_buf b;
	bl_buf_init(&b, 0);
	if (val[0] == '+') {
		append_items(&b, d, NULL);
		append_items(&b, v, &d);
	} else if (val[0] == '-') {
		append_items(&b, d, &v);
	} else {
		append_items(&b, v, NULL);
		append_items(&b, d, &v);
	}
	char *r = b.failed ? NULL : bl_arena_strndup(a, b.data ? b.data : "", b.len);
	*outlen = b.len;
	bl_buf_free(&b);
	return r;
}

/* Apply one active keyword line.  0 or BL_ENOMEM. */
static int apply(struct ctx *c, char *key, const struct bl_str *argv, size_t argc)
{
	if (strcmp(key, "exists") == 0 || strcmp(key, "match_blocks") == 0)
		return 0;
	struct entry *e = entry_get(c, key, true);
	if (!e)
		return c->n >= SSHD_MAX_KEYS ? 0 : BL_ENOMEM;
	switch (e->kind) {
	case K_SINGLE:
	case K_ALGOS:
		if (e->text)
			return 0;
		if (e->kind == K_ALGOS)
			e->text = algos(c->a, key, argc ? argv[0].s : "", argc ? argv[0].len : 0, &e->tlen);
		else
			e->text = join(c->a, argv, argc, &e->tlen);
		if (!e->text)
			return BL_ENOMEM;
		if (strcmp(key, "permitrootlogin") == 0 && strcmp(e->text, "without-password") == 0) {
			e->text = (char *)"prohibit-password";
			e->tlen = strlen(e->text);
		}
		return 0;
	case K_WORDS_FIRST:
		if (e->seen)
			return 0;
		e->seen = true;
		/* fall through */
	case K_WORDS:
		for (size_t i = 0; i < argc && e->arr.n < SSHD_MAX_ITEMS; i++)
			bl_ab_add(&e->arr, bl_value_new_str(c->a, argv[i].s, argv[i].len));
		return e->arr.failed ? BL_ENOMEM : 0;
	case K_LINES: {
		size_t len = 0;
		char *t = join(c->a, argv, argc, &len);
		if (!t)
			return BL_ENOMEM;
		if (e->arr.n < SSHD_MAX_ITEMS)
			bl_ab_add(&e->arr, bl_value_new_str(c->a, t, len));
		return e->arr.failed ? BL_ENOMEM : 0;
	}
	}
	return 0;
}

static int parse_file(struct ctx *c, const char *path, bool active, bool top);

/* "A -> B -> A" for messages; NULL on ENOMEM. */
static char *chain(struct ctx *c, const char *last)
{
	struct bl_buf b;
	bl_buf_init(&b, 8192);
	for (size_t i = 0; i < c->depth; i++) {
		bl_buf_adds(&b, c->stack[i]);
		bl_buf_adds(&b, " -> ");
	}
	bl_buf_adds(&b, last);
	char *r = bl_arena_strndup(c->a, b.data ? b.data : "", b.len);
	bl_buf_free(&b);
	return r;
}

/* Follow one Include line.  0 or BL_ENOMEM (other failures go to c->err). */
static int include(struct ctx *c, const char *file, uint32_t line, const struct bl_str *argv,
		   size_t argc, bool active)
{
	for (size_t i = 0; i < argc && !c->err; i++) {
		char *pat = argv[i].len && argv[i].s[0] == '/'
				    ? bl_arena_strndup(c->a, argv[i].s, argv[i].len)
				    : bl_arena_printf(c->a, "/etc/ssh/%.*s", (int)argv[i].len, argv[i].s);
		if (!pat)
			return BL_ENOMEM;
		char **paths = NULL;
		size_t n = 0, unreadable = 0;
		struct bl_error e;
		bl_error_clear(&e);
		int rc = bl_sys_glob(bl_facts_sys(c->f), pat, c->a, &paths, &n, &unreadable, &e);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc)
			return fail(c, bl_facts_error(c->f, "%s:%u: Include %s: %s", file, line, pat, e.msg));
		if (unreadable)
			return fail(c, bl_facts_error(c->f, "%s:%u: Include %s: a directory cannot be read",
						      file, line, pat));
		for (size_t j = 0; j < n && !c->err; j++) {
			rc = parse_file(c, paths[j], active, false);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* One line of a file.  0 or BL_ENOMEM (other failures go to c->err). */
static int parse_line(struct ctx *c, const char *file, uint32_t lineno, struct bl_str line,
		      bool *active)
{
	struct bl_str s = bl_cp_trim(line);
	if (s.len == 0 || s.s[0] == '#')
		return 0;
	/* The keyword ends at a blank or '='; one '=' may separate it from the value. */
	size_t i = 0;
	while (i < s.len && !bl_cp_isspace(s.s[i]) && s.s[i] != '=')
		i++;
	struct bl_str kw = {s.s, i};
	while (i < s.len && bl_cp_isspace(s.s[i]))
		i++;
	if (i < s.len && s.s[i] == '=')
		i++;
	struct bl_str argv[SSHD_MAX_ARGS];
	long argc = split_args(c->a, (struct bl_str){s.s + i, s.len - i}, argv, SSHD_MAX_ARGS);
	if (argc == -2)
		return BL_ENOMEM;
	if (argc < 0)
		return fail(c, bl_facts_error(c->f, "%s:%u: unterminated quote", file, lineno));
	char *key = keyword(c->a, kw);
	if (!key)
		return BL_ENOMEM;
	if (strcmp(key, "match") == 0) {
		c->match_blocks++;
		*active = false;
		return 0;
	}
	if (strcmp(key, "include") == 0)
		return include(c, file, lineno, argv, (size_t)argc, *active);
	return *active ? apply(c, key, argv, (size_t)argc) : 0;
}

/*
 * Read and apply one file.  top: the main sshd_config (its absence is the
 * caller's business).  An included file that is missing matched nothing,
 * as in sshd.  0 or BL_ENOMEM; other failures go to c->err.
 */
static int parse_file(struct ctx *c, const char *path, bool active, bool top)
{
	for (size_t i = 0; i < c->depth; i++) {
		if (strcmp(c->stack[i], path) == 0) {
			char *ch = chain(c, path);
			return ch ? fail(c, bl_facts_error(c->f, "sshd_config: Include cycle: %s", ch))
				  : BL_ENOMEM;
		}
	}
	if (c->depth > SSHD_MAX_DEPTH) {
		char *ch = chain(c, path);
		return ch ? fail(c, bl_facts_error(c->f, "sshd_config: Include nested deeper than %d: %s",
						   SSHD_MAX_DEPTH, ch))
			  : BL_ENOMEM;
	}
	if (++c->files > SSHD_MAX_FILES)
		return fail(c, bl_facts_error(c->f, "sshd_config: more than %d included files",
					      SSHD_MAX_FILES));
	char *data = NULL;
	size_t len = 0;
	const struct bl_value *errv = NULL;
	int rc = bl_cp_read(c->f, path, &data, &len, &errv);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc == BL_EIO)
		return fail(c, errv);
	if (rc == 1)
		return top ? 1 : 0;
	c->stack[c->depth++] = path;
	struct bl_cp_lines it;
	struct bl_str line;
	bl_cp_lines_init(&it, data, len);
	/* A Match block ends at the end of the file that opened it. */
	bool act = active;
	while (!c->err && bl_cp_line_next(&it, &line)) {
		rc = parse_line(c, path, it.lineno, line, &act);
		if (rc)
			break;
	}
	c->depth--;
	return rc;
}

/* Port and ListenAddress defaults derive from each other, as in sshd. */
static int add_derived(struct ctx *c, struct bl_obj_builder *b)
{
	struct entry *port = entry_get(c, "port", false);
	struct entry *listen = entry_get(c, "listenaddress", false);
	struct entry *hostkey = entry_get(c, "hostkey", false);
	struct bl_arr_builder ab;
	if (!port) {
		bl_ab_init(&ab, c->a);
		bl_ab_add(&ab, bl_value_new_str(c->a, "22", 2));
		bl_ob_add(b, "port", bl_ab_finish(&ab));
	}
	if (!listen) {
		bl_ab_init(&ab, c->a);
		size_t np = port ? port->arr.n : 1;
		for (size_t i = 0; i < np; i++) {
			const char *p = port ? port->arr.items[i].u.str.s : "22";
			int pl = port ? (int)port->arr.items[i].u.str.len : 2;
			char *v6 = bl_arena_printf(c->a, "[::]:%.*s", pl, p);
			char *v4 = bl_arena_printf(c->a, "0.0.0.0:%.*s", pl, p);
			bl_ab_add(&ab, v6 ? bl_value_new_str(c->a, v6, strlen(v6)) : NULL);
			bl_ab_add(&ab, v4 ? bl_value_new_str(c->a, v4, strlen(v4)) : NULL);
		}
		bl_ob_add(b, "listenaddress", bl_ab_finish(&ab));
	}
	if (!hostkey) {
		bl_ab_init(&ab, c->a);
		for (size_t i = 0; i < sizeof(default_hostkeys) / sizeof(default_hostkeys[0]); i++)
			bl_ab_add(&ab, bl_value_new_str(c->a, default_hostkeys[i],
							strlen(default_hostkeys[i])));
		bl_ob_add(b, "hostkey", bl_ab_finish(&ab));
	}
	return b->failed ? BL_ENOMEM : 0;
}

/* Failure: BL_ENOMEM only; everything else is a value. */
static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	struct ctx c = {.f = f, .a = bl_facts_arena(f)};
	c.items = bl_arena_calloc(c.a, SSHD_MAX_KEYS, sizeof(*c.items));
	if (!c.items)
		return BL_ENOMEM;
	struct bl_obj_builder b;
	bl_ob_init(&b, c.a);
	int rc = parse_file(&c, SSHD_CONFIG, true, true);
	if (rc == BL_ENOMEM)
		return rc;
	if (c.err) {
		*out = c.err;
		return 0;
	}
	if (rc == 1) {
		bl_ob_bool(&b, "exists", false);
		*out = bl_ob_finish(&b);
		return *out ? 0 : BL_ENOMEM;
	}
	bl_ob_bool(&b, "exists", true);
	bl_ob_int(&b, "match_blocks", c.match_blocks);
	for (size_t i = 0; i < c.n; i++) {
		struct entry *e = &c.items[i];
		if (e->kind == K_SINGLE || e->kind == K_ALGOS)
			bl_ob_str(&b, e->key, e->text, e->tlen);
		else
			bl_ob_add(&b, e->key, bl_ab_finish(&e->arr));
	}
	if (add_derived(&c, &b))
		return BL_ENOMEM;
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!entry_get(&c, defaults[i].name, false))
			bl_ob_strz(&b, defaults[i].name, defaults[i].value);
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_sshd = {
	.version = BL_PROVIDER_VERSION,
	.name = "sshd",
	.keyed = false,
	.summary = "effective OpenSSH server configuration (includes, defaults, first value wins)",
	.resolve = resolve,
};
