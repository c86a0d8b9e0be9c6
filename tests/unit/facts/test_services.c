/* Unit tests for facts/services.c: systemd unit state from unit files and
 * links, against tests/fixtures/hosts/hostsys-systemd. */
#include "testutil.h"

#include "facts/facts.h"

extern const struct bl_provider bl_provider_services;

#define FIX "tests/fixtures/hosts/"

static struct bl_facts *open_root(const char *root)
{
	struct bl_facts *f = NULL;
	struct bl_error err;
	int rc = bl_facts_open(&f, &(struct bl_facts_opts){.root = root}, &err);
	if (rc != 0)
		fail_msg("bl_facts_open(%s): %s", root, err.msg);
	return f;
}

static const struct bl_value *resolve(struct bl_facts *f, bool all, const char **keys, size_t n)
{
	struct bl_fact_keys k = {.all = all, .keys = keys, .n = n};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_services.resolve(f, &k, &v), 0);
	assert_non_null(v);
	return v;
}




/* exists enabled static masked as a 4-char string of 0/1 */
static void unit(const struct bl_value *v, const char *key, const char *flags)
{
	const struct bl_value *u = bl_value_getz(v, key);
	if (!u || u->type != BL_VOBJ)
		fail_msg("%s: missing or not an object", key);
	static const char *const names[] = {"exists", "enabled", "static", "masked"};
	for (int i = 0; i < 4; i++) {
		const struct bl_value *b = bl_value_getz(u, names[i]);
		if (!b || b->type != BL_VBOOL || b->b != (flags[i] == '1'))
			fail_msg("%s.%s: want %c", key, names[i], flags[i]);
	}
	const struct bl_value *a = bl_value_getz(u, "active");
	assert_non_null(a);
	assert_int_equal(a->type, BL_VNA);   /* live-only under a root */
}

static void test_units(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-systemd");
	const char *keys[] = {
		"ssh", "sshd", "avahi-daemon", "systemd-journald.service", "getty@tty1",
		"getty@tty2.service", "getty@.service", "serial-getty@ttyS0", "cups", "chrony",
		"chronyd", "rsync", "cron", "nfs-server", "ghost", "x.timer", "nope",
	};
	size_t n = sizeof keys / sizeof *keys;
	const struct bl_value *v = resolve(f, false, keys, n);
	assert_int_equal(v->type, BL_VOBJ);
	assert_int_equal(v->u.obj.n, n);
	unit(v, "ssh", "1100");                      /* multi-user.target.wants link */
	unit(v, "sshd", "1100");                     /* the Alias= link in /etc */
	unit(v, "avahi-daemon", "1001");             /* /etc link to /dev/null */
	unit(v, "systemd-journald.service", "1010"); /* no [Install]: static, never enabled */
	unit(v, "getty@tty1", "1100");               /* instance linked into getty.target.wants */
	unit(v, "getty@tty2.service", "1000");       /* the template exists, no link */
	unit(v, "getty@.service", "1100");           /* a template with a linked instance */
	unit(v, "serial-getty@ttyS0", "1000");
	unit(v, "cups", "1000");                     /* WantedBy= but not linked */
	unit(v, "chrony", "1100");                   /* enabled through its Alias= link */
	unit(v, "chronyd", "1100");
	unit(v, "rsync", "1000");                    /* no final newline */
	unit(v, "cron", "1100");                     /* /usr/lib wants link */
	unit(v, "nfs-server", "1001");               /* masked in /run */
	unit(v, "ghost", "0000");                    /* dangling link */
	unit(v, "x.timer", "1100");
	unit(v, "nope", "0000");
	bl_facts_close(f);
}

static void test_all(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-systemd");
	const char *keys[] = {"ssh"};
	const struct bl_value *v = resolve(f, true, keys, 1);
	assert_int_equal(v->type, BL_VOBJ);
	/* /etc first: avahi-daemon chronyd ghost sshd; /run: nfs-server; /usr/lib: cron;
	 * /lib: the rest not seen yet; then the asked key */
	assert_string_equal(v->u.obj.items[0].key, "avahi-daemon.service");
	unit(v, "avahi-daemon.service", "1001");
	unit(v, "ghost.service", "0000");
	unit(v, "nfs-server.service", "1001");
	unit(v, "ssh.service", "1100");
	unit(v, "ssh", "1100");
	assert_null(bl_value_getz(v, "multi-user.target.wants"));
	assert_int_equal(v->u.obj.n, 15);
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
