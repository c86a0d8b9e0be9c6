/*
 * test_sshd.c - the sshd provider against fake roots: includes in glob
 * order, first value wins, Match blocks skipped and counted, defaults,
 * algorithm list edits, CRLF, include cycles and depth, a FIFO and an
 * unreadable sshd_config.
 */
#include "testutil.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/facts.h"

extern const struct bl_provider bl_provider_sshd;

static const struct bl_value *resolve_at(struct bl_facts **fp, const char *root)
{
	struct bl_error err;
	struct bl_facts *f = NULL;
	assert_int_equal(bl_facts_open(&f, &(struct bl_facts_opts){.root = root}, &err), 0);
	const struct bl_value *v = NULL;
	struct bl_fact_keys keys = {.all = true};
	assert_int_equal(bl_provider_sshd.resolve(f, &keys, &v), 0);
	assert_non_null(v);
	*fp = f;
	return v;
}

static void assert_text(const struct bl_value *obj, const char *key, const char *want)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	if (!v)
		fail_msg("sshd.%s missing", key);
	if (v->type != BL_VSTR)
		fail_msg("sshd.%s: type %d", key, v->type);
	if (v->u.str.len != strlen(want) || memcmp(v->u.str.s, want, v->u.str.len) != 0)
		fail_msg("sshd.%s = \"%.*s\", want \"%s\"", key, (int)v->u.str.len, v->u.str.s, want);
}

/* want: the elements joined with '|'. */
static void assert_list(const struct bl_value *obj, const char *key, const char *want)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	if (!v || v->type != BL_VARR)
		fail_msg("sshd.%s is not an array", key);
	char buf[1024] = "";
	size_t n = 0;
	for (uint32_t i = 0; i < v->u.arr.n; i++) {
		const struct bl_value *e = &v->u.arr.items[i];
		assert_int_equal(e->type, BL_VSTR);
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.*s", i ? "|" : "", (int)e->u.str.len,
				      e->u.str.s);
	}
	assert_string_equal(buf, want);
}

static void assert_error(const struct bl_value *v, const char *needle)
{
	assert_int_equal(v->type, BL_VERR);
	char msg[1024];
	snprintf(msg, sizeof msg, "%.*s", (int)v->u.str.len, v->u.str.s);
	if (!strstr(msg, needle))
		fail_msg("error \"%s\" lacks \"%s\"", msg, needle);
}

static void test_basic(void **state)
{
	(void)state;
	struct bl_facts *f;
	const struct bl_value *v = resolve_at(&f, "tests/fixtures/hosts/hostconf-basic");
	assert_int_equal(v->type, BL_VOBJ);
	assert_true(bl_value_getz(v, "exists")->b);
	assert_string_equal(bl_value_getz(v, "match_blocks")->u.num.text, "2");
	/* Includes come first; first value wins across files, in glob order. */
	assert_text(v, "x11forwarding", "no");
	assert_text(v, "clientaliveinterval", "300");
	assert_text(v, "clientalivecountmax", "0");
	assert_list(v, "hostkey", "/etc/ssh/ssh_host_ed25519_key");
	/* The README in sshd_config.d is not *.conf. */
	assert_text(v, "permitemptypasswords", "no");
	assert_text(v, "permitrootlogin", "no");
	assert_text(v, "passwordauthentication", "no");
	assert_text(v, "maxauthtries", "4");
	assert_text(v, "loglevel", "VERBOSE");
	assert_list(v, "acceptenv", "LANG|LC_*|XMODIFIERS");
	assert_list(v, "allowusers", "alice|bob|carol");
	assert_text(v, "banner", "/etc/issue net");
	assert_text(v, "ciphers", "chacha20-poly1305@openssh.com,aes256-ctr,aes128-gcm@openssh.com,"
				  "aes256-gcm@openssh.com");
	assert_text(v, "macs", "umac-64-etm@openssh.com,umac-128-etm@openssh.com,"
			       "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
			       "hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,"
			       "hmac-sha2-256,hmac-sha2-512,hmac-sha1,hmac-md5");
	/* The alias lands on the name sshd -T prints. */
	assert_text(v, "kbdinteractiveauthentication", "no");
	assert_null(bl_value_getz(v, "challengeresponseauthentication"));
	assert_list(v, "subsystem", "sftp /usr/lib/openssh/sftp-server");
	assert_list(v, "setenv", "A=1|B=2");
	assert_list(v, "port", "2222");
	assert_list(v, "listenaddress", "[::]:2222|0.0.0.0:2222");
	/* Inside Match blocks (and files included from them): not global. */
	assert_text(v, "maxsessions", "10");
	/* Defaults of OpenSSH 9.2p1. */
	assert_text(v, "logingracetime", "120");
	assert_text(v, "maxstartups", "10:30:100");
	assert_text(v, "usepam", "no");
	assert_text(v, "ignorerhosts", "yes");
	assert_text(v, "permituserenvironment", "no");
	assert_text(v, "allowtcpforwarding", "yes");
	assert_text(v, "hostbasedauthentication", "no");
	assert_null(bl_value_getz(v, "denyusers"));
	bl_facts_close(f);
}

static void test_crlf_no_newline(void **state)
{
	(void)state;
	struct bl_facts *f;
	const struct bl_value *v = resolve_at(&f, "tests/fixtures/hosts/hostconf-crlf");
	assert_text(v, "permitrootlogin", "no");
	assert_list(v, "port", "22");
	assert_list(v, "allowgroups", "sshusers|admins");
	assert_text(v, "maxauthtries", "3");
	assert_string_equal(bl_value_getz(v, "match_blocks")->u.num.text, "0");
	assert_list(v, "hostkey", "/etc/ssh/ssh_host_rsa_key|/etc/ssh/ssh_host_ecdsa_key|"
				  "/etc/ssh/ssh_host_ed25519_key");
	assert_text(v, "permitrootlogin", "no");
	bl_facts_close(f);
}

static void test_missing(void **state)
{
	(void)state;
	struct bl_facts *f;
	const struct bl_value *v = resolve_at(&f, "tests/fixtures/hosts/hostconf-empty");
	assert_int_equal(v->type, BL_VOBJ);
	assert_int_equal(v->u.obj.n, 1);
	assert_false(bl_value_getz(v, "exists")->b);
	bl_facts_close(f);
}

static void test_cycle(void **state)
{
	(void)state;
	struct bl_facts *f;
	const struct bl_value *v = resolve_at(&f, "tests/fixtures/hosts/hostconf-cycle");
	assert_error(v, "Include cycle: /etc/ssh/sshd_config -> /etc/ssh/conf.d/a.conf -> "
			"/etc/ssh/conf.d/b.conf -> /etc/ssh/conf.d/a.conf");
	bl_facts_close(f);
}

static void test_depth(void **state)
{
	(void)state;
	struct bl_facts *f;
	const struct bl_value *v = resolve_at(&f, "tests/fixtures/hosts/hostconf-deep");
	assert_error(v, "Include nested deeper than 16: /etc/ssh/sshd_config -> /etc/ssh/d0.conf");
	assert_error(v, "/etc/ssh/d16.conf");
	bl_facts_close(f);
}

/* A temporary root with etc/ssh; the path of sshd_config in it. */
static char *temp_root(char *tmpl, char *cfg, size_t cfgsz)
{
	assert_non_null(mkdtemp(tmpl));
	char d[512];
	snprintf(d, sizeof d, "%s/etc", tmpl);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(d, sizeof d, "%s/etc/ssh", tmpl);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(cfg, cfgsz, "%s/etc/ssh/sshd_config", tmpl);
	return tmpl;
}

static void remove_root(const char *root, const char *cfg)
{
	char d[512];
	unlink(cfg);
	snprintf(d, sizeof d, "%s/etc/ssh", root);
	rmdir(d);
	snprintf(d, sizeof d, "%s/etc", root);
	rmdir(d);
	rmdir(root);
}

static void test_fifo(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/bl-sshd-XXXXXX", cfg[512];
	temp_root(tmpl, cfg, sizeof cfg);
	assert_int_equal(mkfifo(cfg, 0644), 0);
	struct bl_facts *f;
	const struct bl_value *v = resolve_at(&f, tmpl);   /* must not block */
	assert_error(v, "/etc/ssh/sshd_config");
	assert_error(v, "fifo");
	bl_facts_close(f);
	remove_root(tmpl, cfg);
}

static const char *deny_substr;

static int deny_open(int rootfd, const char *path, int flags, bool nofollow_last)
{
	if (deny_substr && strstr(path, deny_substr)) {
		errno = EACCES;
		return -1;
	}
	return bl_sys_default_ops.open_in_root(rootfd, path, flags, nofollow_last);
}

static void test_unreadable(void **state)
{
	(void)state;
	struct bl_sys_ops ops = bl_sys_default_ops;
	ops.open_in_root = deny_open;
	struct bl_error err;
	struct bl_facts *f = NULL;
	assert_int_equal(bl_facts_open(&f, &(struct bl_facts_opts){.root = "tests/fixtures/hosts/hostconf-basic"},
				       &err), 0);
	bl_facts_sys(f)->ops = &ops;
	deny_substr = "20-second.conf";
	const struct bl_value *v = NULL;
	struct bl_fact_keys keys = {.all = true};
	assert_int_equal(bl_provider_sshd.resolve(f, &keys, &v), 0);
	deny_substr = NULL;
	assert_error(v, "20-second.conf: permission denied");
	bl_facts_close(f);
}

static void test_quotes(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/bl-sshd-XXXXXX", cfg[512];
	temp_root(tmpl, cfg, sizeof cfg);
	FILE *fp = fopen(cfg, "w");
	assert_non_null(fp);
	fputs("PermitRootLogin without-password\nBanner \"/etc/unterminated\n", fp);
	fclose(fp);
	struct bl_facts *f;
	const struct bl_value *v = resolve_at(&f, tmpl);
	assert_error(v, "/etc/ssh/sshd_config:2: unterminated quote");
	bl_facts_close(f);
	fp = fopen(cfg, "w");
	assert_non_null(fp);
	fputs("PermitRootLogin without-password\nAllowUsers 'a b' c\\ d", fp);
	fclose(fp);
	v = resolve_at(&f, tmpl);
	assert_text(v, "permitrootlogin", "prohibit-password");
	assert_list(v, "allowusers", "a b|c d");
	bl_facts_close(f);
	remove_root(tmpl, cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_crlf_no_newline),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_quotes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
