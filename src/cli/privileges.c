/*
 * privileges.c - `assess --drop-privileges USER` (FORMATS.md §7).
 *
 * The host probes need root (/etc/shadow, /proc/<pid> of other users); what
 * comes after them - evaluation results, rendering reports, writing the
 * output and the store - does not, and is where a hostile document or a
 * hostile value read from the scanned host would do its damage.  So the
 * command looks the user up while it still can (before any work, so a typo
 * is a usage error, not a failure after a long scan), and once the host has
 * been read switches to that user for good: supplementary groups, then the
 * group, then the user (the order matters: once the uid is gone, setgid is
 * no longer allowed), all three ids (real, effective, saved) so nothing can
 * switch back, plus no_new_privs so no setuid binary can regain them.  It
 * then verifies that regaining root fails; if it does not, that is an error
 * and the caller stops (exit 3), never continues half-privileged.
 */
#include "cli/cli.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

/* getpwnam_r into a bounded buffer; 0 found, 1 absent, -errno on failure. */
static int lookup_user(const char *user, uid_t *uid, gid_t *gid)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 && hint < 1 << 20 ? (size_t)hint : 16384;
	char *buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	struct passwd pw, *res = NULL;
	int rc = getpwnam_r(user, &pw, buf, size, &res);
	if (rc == 0 && res) {
		*uid = pw.pw_uid;
		*gid = pw.pw_gid;
	}
	free(buf);
	if (rc != 0 && rc != ENOENT && rc != ESRCH)
		return -rc;
	return res ? 0 : 1;
}

int bl_privileges_lookup(struct bl_privdrop *out, const char *user, struct bl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!user || !*user || strlen(user) >= sizeof(out->user))
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "--drop-privileges: a user name is required (at most %zu bytes)",
				    sizeof(out->user) - 1);
	if (geteuid() != 0)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "--drop-privileges %s: not running as root, nothing to drop", user);
	uid_t uid = 0;
	gid_t gid = 0;
	int rc = lookup_user(user, &uid, &gid);
	if (rc == 1)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "--drop-privileges %s: no such user", user);
	if (rc < 0)
		return bl_error_set(err, rc == -ENOMEM ? BL_ENOMEM : BL_EIO, NULL, 0, 0,
				    "--drop-privileges %s: cannot look up the user: %s", user,
				    strerror(-rc));
	if (uid == 0 || gid == 0)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "--drop-privileges %s: user or group is root (uid %u, gid %u), "
				    "which would drop nothing", user, (unsigned)uid, (unsigned)gid);
	memcpy(out->user, user, strlen(user) + 1);
	out->uid = uid;
	out->gid = gid;
	return 0;
}

/* After the switch: every id is the target's, and getting root back fails. */
static int verify_dropped(const struct bl_privdrop *p, struct bl_error *err)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	if (getresuid(&ru, &eu, &su) || getresgid(&rg, &eg, &sg))
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0,
				    "--drop-privileges: cannot read back the ids: %s", strerror(errno));
	if (ru != p->uid || eu != p->uid || su != p->uid ||
	    rg != p->gid || eg != p->gid || sg != p->gid)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0,
				    "--drop-privileges %s: ids did not all change", p->user);
	gid_t groups[2];
	int ng = getgroups(2, groups);
	if (ng < 0 || ng > 1 || (ng == 1 && groups[0] != p->gid))
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0,
				    "--drop-privileges %s: supplementary groups remain", p->user);
	/* The real test: these must fail now. */
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 || setegid(0) == 0)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0,
				    "--drop-privileges %s: root could be regained", p->user);
	return 0;
}

int bl_privileges_drop(const struct bl_privdrop *p, struct bl_error *err)
{
	if (!p->uid || !p->gid)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0,
				    "--drop-privileges: no user was looked up");
	gid_t g = p->gid;
	if (setgroups(1, &g) != 0)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0,
				    "--drop-privileges %s: setgroups: %s", p->user, strerror(errno));
	if (setresgid(p->gid, p->gid, p->gid) != 0)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0,
				    "--drop-privileges %s: setresgid: %s", p->user, strerror(errno));
	if (setresuid(p->uid, p->uid, p->uid) != 0)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0,
				    "--drop-privileges %s: setresuid: %s", p->user, strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0,
				    "--drop-privileges %s: no_new_privs: %s", p->user, strerror(errno));
	return verify_dropped(p, err);
}
