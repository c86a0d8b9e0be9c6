/*
 * fuzz_host.c - the host-side readers (facts/) on a fuzzed offline root, as
 * `baseline assess -b builtin:linux-host --host --root DIR` reads it: the
 * input is split at lines "--" into up to NPATHS parts, part i becomes file
 * paths[i] of a small tree in a temporary folder (sshd_config and a drop-in,
 * login.defs, fstab, passwd/shadow/group/gshadow, pam.d, sysctl.conf and
 * sysctl.d, modprobe.d, the dpkg status, one apt list plain and one each as
 * .lz4, .gz and .xz, os-release, systemd units, audit, grub...).  The fact
 * requests are those engine/host.c makes for the built-in linux-host
 * baseline (compiled once), less the slow namespaces (see skipped), plus
 * every offline namespace whole, so that providers enumerate all they parse;
 * bl_facts_document resolves them on that root, commands never allowed.
 * Results are discarded: a crash, leak, hang or sanitizer report, or a
 * provider failing instead of returning an error value, is the finding.
 * The rules are not evaluated (other targets fuzz conditions): that and the
 * requests would be four fifths of each run.  Parts the input does not give
 * are absent, so missing files are exercised too: each input overwrites the
 * files of the one before and removes those it does not give; the folder
 * goes when the process ends.
 *
 * Not reached under --root, hence not here: the live-only readers
 * (/proc/self/mountinfo, /proc/modules, /proc/sys, /proc/net, processes).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/host.h"
#include "model/baseline.h"
#include "rule/rule.h"
#include "util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP "\n--\n"
#define SEPLEN 4

/* The order is the seed corpus's (fuzz/corpus/host): append only. */
static const char *const paths[] = {
	"etc/ssh/sshd_config",
	"etc/ssh/sshd_config.d/50-local.conf",
	"etc/login.defs",
	"etc/fstab",
	"etc/passwd",
	"etc/shadow",
	"etc/group",
	"etc/gshadow",
	"etc/pam.d/common-password",
	"etc/pam.d/common-auth",
	"etc/pam.d/su",
	"etc/sysctl.conf",
	"etc/sysctl.d/60-local.conf",
	"usr/lib/sysctl.d/50-default.conf",
	"etc/modprobe.d/60-local.conf",
	"var/lib/dpkg/status",
	"var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages",
	"var/lib/apt/lists/"
	"deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages.lz4",
	"var/lib/apt/lists/deb.debian.org_debian_dists_bookworm-updates_main_binary-amd64_Packages.gz",
	"var/lib/apt/lists/"
	"deb.debian.org_debian_dists_bookworm-backports_main_binary-amd64_Packages.xz",
	"etc/os-release",
	"etc/hostname",
	"usr/lib/systemd/system/ssh.service",
	"etc/systemd/system/auditd.service",
	"etc/systemd/journald.conf",
	"etc/audit/auditd.conf",
	"etc/audit/rules.d/50-local.rules",
	"etc/security/pwquality.conf",
	"etc/security/faillock.conf",
	"etc/default/grub",
	"boot/grub/grub.cfg",
	"etc/apt/sources.list.d/debian.sources",
	"etc/crontab",
	"var/lib/dpkg/arch",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

/*
 * Namespaces not asked for, to keep a run near 5 ms under ASan: files
 * (~200 globs), walk and dir_walk (they walk the tree, and stat what they
 * find: no format of their own, a third of the time of a run even on a tree
 * this small), and command (never run here).  file is asked only for the
 * paths above, not the ~340 of the baseline, most of which this tree lacks:
 * enough to read passwd and group for owner names and to hash and split
 * each file.  The live-only namespaces (mounts, kernel, sysctl, processes,
 * listening) stay: under a root they answer "not applicable" at once.
 */
static const char *const skipped[] = {"files", "walk", "dir_walk", "command"};

/* Asked for whole as well, so that providers enumerate all they parse, not
 * only the keys the baseline names. */
static const char *const whole[] = {
	"os", "sshd", "login_defs", "fstab", "users", "groups", "pam", "sysctl_conf",
	"modules", "packages", "packages_upgradable", "services",
};

/* The requests of one run, built once from the baseline. */
struct reqs {
	struct bl_fact_request *v;
	size_t n, cap;
};

static char dir[] = "/tmp/bl-fuzz-host-XXXXXX";
static struct bl_baseline *baseline;
static struct reqs reqs;

static void path_of(char *out, size_t cap, size_t i)
{
	snprintf(out, cap, "%s/%s", dir, paths[i]);
}

/* The folder goes when the process ends: files, then each path's parents,
 * deepest first; a parent shared with another path goes once that one's
 * subfolders have (a few passes cover the depth). */
static void remove_dir(void)
{
	char p[256];
	for (size_t i = 0; i < NPATHS; i++) {
		path_of(p, sizeof(p), i);
		unlink(p);
	}
	for (int pass = 0; pass < 8; pass++) {
		for (size_t i = 0; i < NPATHS; i++) {
			path_of(p, sizeof(p), i);
			char *slash;
			while ((slash = strrchr(p, '/')) && (size_t)(slash - p) > strlen(dir)) {
				*slash = '\0';
				rmdir(p);
			}
		}
	}
	rmdir(dir);
	free(reqs.v);
	bl_baseline_free(baseline);
}

static void add(const struct bl_fact_request *q)
{
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (bl_str_ieq(q->ns, q->nslen, skipped[i], strlen(skipped[i])))
			return;
	if (bl_str_ieq(q->ns, q->nslen, "file", 4)) {
		size_t i = 0;
		while (i < NPATHS && !(q->key && q->keylen == strlen(paths[i]) + 1 &&
				       q->key[0] == '/' && memcmp(q->key + 1, paths[i], q->keylen - 1) == 0))
			i++;
		if (i == NPATHS)
			return;
	}
	for (size_t i = 0; i < reqs.n; i++)
		if (bl_str_ieq(reqs.v[i].ns, reqs.v[i].nslen, q->ns, q->nslen) &&
		    reqs.v[i].keylen == q->keylen && !reqs.v[i].key == !q->key &&
		    (!q->key || memcmp(reqs.v[i].key, q->key, q->keylen) == 0))
			return;
	if (reqs.n == reqs.cap) {
		reqs.cap = reqs.cap ? reqs.cap * 2 : 256;
		reqs.v = realloc(reqs.v, reqs.cap * sizeof(*reqs.v));
		if (!reqs.v)
			abort();
	}
	reqs.v[reqs.n++] = *q;
}

/* What engine/host.c asks for, a path or a run-time field() name at a time. */
static void on_path(void *ctx, const struct bl_path *p, const char *key, size_t len)
{
	(void)ctx;
	struct bl_fact_request q;
	memset(&q, 0, sizeof(q));
	if (p) {
		if (bl_host_requests_for_path(p, &q) == 0)
			add(&q);
		return;
	}
	q.ns = key;
	q.nslen = len;
	add(&q);
}

static void setup(void)
{
	if (!mkdtemp(dir))
		abort();
	atexit(remove_dir);
	char p[256];
	for (size_t i = 0; i < NPATHS; i++) {
		path_of(p, sizeof(p), i);
		/* each parent, outermost first */
		for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
			*s = '\0';
			if (mkdir(p, 0755) != 0 && access(p, F_OK) != 0)
				abort();
			*s = '/';
		}
	}
	struct bl_diags diags;
	bl_diags_init(&diags);
	if (bl_baseline_load(&baseline, "builtin:linux-host", &diags))
		abort();
	bl_diags_free(&diags);
	/* every control of linux-host is scoped to linux.host */
	for (size_t i = 0; i < baseline->ncontrols; i++) {
		const struct bl_control *c = &baseline->controls[i];
		if (c->applies)
			bl_cond_paths(c->applies, on_path, NULL);
		if (c->cond)
			bl_cond_paths(c->cond, on_path, NULL);
	}
	for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		add(&(struct bl_fact_request){.ns = whole[i], .nslen = strlen(whole[i])});
}

/*
 * Split the input at SEP into the files of the tree; returns how many.  A
 * file of the previous input is overwritten in place, and those this input
 * does not give are removed: creating files anew costs ext4 more than the
 * whole assessment.
 */
static size_t write_tree(const uint8_t *data, size_t size, size_t before)
{
	size_t n = 0, start = 0;
	char p[256];
	for (size_t i = 0; i <= size && n < NPATHS; i++) {
		bool cut = i == size || (i + SEPLEN <= size && memcmp(data + i, SEP, SEPLEN) == 0);
		if (!cut)
			continue;
		path_of(p, sizeof(p), n);
		/* written over, then cut to length: truncating to zero first
		 * (O_TRUNC) makes ext4 write the blocks out at close */
		int fd = open(p, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			abort();
		for (size_t off = start; off < i;) {
			ssize_t w = write(fd, data + off, i - off);
			if (w <= 0)
				abort();
			off += (size_t)w;
		}
		if (ftruncate(fd, (off_t)(i - start)) != 0 || close(fd) != 0)
			abort();
		n++;
		if (i == size)
			break;
		/* "\n--\n--\n" is one separator and "--\n", not two overlapping */
		start = i + SEPLEN;
		i = start - 1;
	}
	for (size_t i = n; i < before; i++) {
		path_of(p, sizeof(p), i);
		unlink(p);
	}
	return n;
}

/* A provider must turn what it cannot read into values (facts.h): any
 * other failure is a finding, named before the abort. */
static void fail(const char *what, const struct bl_error *err)
{
	char buf[512];
	fprintf(stderr, "fuzz_host: %s: %s\n", what, bl_error_format(err, buf, sizeof(buf)));
	abort();
}

static void assess(void)
{
	struct bl_facts_opts fo = {.root = dir, .allow_commands = false};
	struct bl_facts *facts = NULL;
	struct bl_error err;
	bl_error_clear(&err);
	if (bl_facts_open(&facts, &fo, &err))
		fail("bl_facts_open", &err);
	const struct bl_value *doc = NULL;
	if (bl_facts_document(facts, reqs.v, reqs.n, &doc, &err) || !doc)
		fail("bl_facts_document", &err);
	if (!bl_facts_host_id(facts))
		abort();
	bl_facts_close(facts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t files;   /* how many of paths the previous input left */
	if (size > 1 << 20)
		return 0;
	if (!baseline)
		setup();
	files = write_tree(data, size, files);
	assess();
	return 0;
}
