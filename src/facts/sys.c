/*
 * sys.c - every read of the host, rooted at "/" or at --root DIR (sys.h).
 *
 * Paths resolve inside the root with openat2(RESOLVE_IN_ROOT), or, on
 * kernels without it, with a component-by-component walk that does the same
 * (absolute link targets restart at the root, ".." stops at the root, at most
 * 40 links).  Regular files are checked (type, size) through an O_PATH
 * descriptor before they are opened for reading, so a FIFO or device is
 * never opened and a huge file is refused by its size without a read.
 * Every failure message names the path as seen inside the root, then
 * errno's text in lower case: "/etc/shadow: permission denied".
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "facts/sys.h"

#define SYS_MAX_FILE_DEFAULT (16u * 1024u * 1024u)
#define SYS_MAX_LINKS 40
#define SYS_MAX_DIR_ENTRIES 1000000u
#define SYS_MAX_GLOB 100000u
#define SYS_RETRIES 16

/* Exported for tests only (the walk is what kernels without openat2 get);
 * not part of sys.h. */

/* ---- the raw calls ----------------------------------------------------- */

/* Reopen a directory of the walk by its link-free relative path. */
static int walk_reopen(int rootfd, const char *cur)
{
	return openat(rootfd, cur[0] ? cur : ".", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/*
 * The openat2 fallback: resolve path one component at a time from rootfd,
 * never following a link out of the root.  cur holds the resolved, link-free
 * path so far (relative to the root) so ".." can be clamped there.
 * Returns an fd opened with flags, or -1 with errno.
 */
int bl_sys_open_in_root_walk(int rootfd, const char *path, int flags, bool nofollow_last)
{
	char rest[2 * PATH_MAX], cur[PATH_MAX], target[PATH_MAX];
	size_t plen = strlen(path);
	if (plen >= sizeof rest) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(rest, path, plen + 1);
	cur[0] = '\0';
	size_t curlen = 0, pos = 0;
	int links = 0;
	int dirfd = walk_reopen(rootfd, cur);
	if (dirfd < 0)
		return -1;
	for (;;) {
		while (rest[pos] == '/')
			pos++;
		if (!rest[pos]) {
			/* Ended on a directory (the root, "x/", "x/.."). */
			int fd = openat(dirfd, ".", flags | O_CLOEXEC);
			int e = errno;
			close(dirfd);
			errno = e;
			return fd;
		}
		size_t end = pos;
		while (rest[end] && rest[end] != '/')
			end++;
		size_t clen = end - pos;
		bool last = rest[end] == '\0';
		char comp[NAME_MAX + 1];
		if (clen > NAME_MAX) {
			close(dirfd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, rest + pos, clen);
		comp[clen] = '\0';
		pos = end;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			while (curlen > 0 && cur[curlen - 1] != '/')
				curlen--;
			if (curlen > 0)
				curlen--;       /* the separator */
			cur[curlen] = '\0';
			close(dirfd);
			dirfd = walk_reopen(rootfd, cur);
			if (dirfd < 0)
				return -1;
			continue;
		}
		int fd = openat(dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			close(dirfd);
			errno = e;
			return -1;
		}
		if (S_ISLNK(st.st_mode) && !(last && nofollow_last)) {
			if (++links > SYS_MAX_LINKS) {
				close(fd);
				close(dirfd);
				errno = ELOOP;
				return -1;
			}
			ssize_t tl = readlinkat(fd, "", target, sizeof target);
			int e = errno;
			close(fd);
			if (tl < 0 || (size_t)tl >= sizeof target) {
				close(dirfd);
				errno = tl < 0 ? e : ENAMETOOLONG;
				return -1;
			}
			size_t tlen = (size_t)tl, rlen = strlen(rest + pos);
			if (tlen + 1 + rlen >= sizeof rest) {
				close(dirfd);
				errno = ENAMETOOLONG;
				return -1;
			}
			/* The new remaining path: the target, then what followed the link. */
			memmove(rest + tlen, rest + pos, rlen + 1);
			memcpy(rest, target, tlen);
			pos = 0;
			if (target[0] == '/') {
				curlen = 0;
				cur[0] = '\0';
				close(dirfd);
				dirfd = walk_reopen(rootfd, cur);
				if (dirfd < 0)
					return -1;
			}
			continue;
		}
		if (last) {
			close(fd);
			/* O_NOFOLLOW: a link swapped in since the check fails with ELOOP. */
			int out = openat(dirfd, comp, flags | O_NOFOLLOW | O_CLOEXEC);
			int e = errno;
			close(dirfd);
			errno = e;
			return out;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			close(dirfd);
			errno = ENOTDIR;
			return -1;
		}
		if (curlen + 1 + clen >= sizeof cur) {
			close(fd);
			close(dirfd);
			errno = ENAMETOOLONG;
			return -1;
		}
		if (curlen)
			cur[curlen++] = '/';
		memcpy(cur + curlen, comp, clen + 1);
		curlen += clen;
		close(dirfd);
		dirfd = fd;
	}
}

static int default_open_in_root(int rootfd, const char *path, int flags, bool nofollow_last)
{
#ifdef SYS_openat2
	struct open_how how;
	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC | (nofollow_last ? O_NOFOLLOW : 0));
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	for (int i = 0; i < SYS_RETRIES; i++) {
		long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
		if (fd >= 0)
			return (int)fd;
		/* EAGAIN: a concurrent rename raced the ".." check; try again. */
		if (errno == EAGAIN || errno == EINTR)
			continue;
		if (errno != ENOSYS)
			return -1;
		break;
	}
	if (errno != ENOSYS)
		return -1;
#endif
	return bl_sys_open_in_root_walk(rootfd, path, flags, nofollow_last);
}

static int default_fstat(int fd, struct stat *st) { return fstat(fd, st); }
static int default_close(int fd) { return close(fd); }

const struct bl_sys_ops bl_sys_default_ops = {
	.open_in_root = default_open_in_root,
	.read = read,
	.fstat = default_fstat,
	.close = default_close,
	.readlinkat = readlinkat,
	.fdopendir = fdopendir,
	.readdir = readdir,
	.closedir = closedir,
};

/* ---- helpers ----------------------------------------------------------- */

/* errno's text with a lower-case first letter ("permission denied"). */
static const char *errtext(int e, char *buf, size_t n)
{
	const char *m = strerror_r(e, buf, n);
	if (m != buf) {
		snprintf(buf, n, "%s", m);
	}
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] + 32);
	return buf;
}

static int sys_fail(struct bl_error *err, int code, const char *path, int e)
{
	char tmp[128];
	return bl_error_set(err, code, "", 0, 0, "%s: %s", path, errtext(e, tmp, sizeof tmp));
}

static size_t sys_cap(const struct bl_sys *s)
{
	return s->max_file ? s->max_file : SYS_MAX_FILE_DEFAULT;
}

/* path as the raw op wants it: relative to the root, "." for the root. */
static const char *rel_path(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* Open path inside the root, retrying EINTR/EAGAIN; -1 with errno. */
static int sys_open(struct bl_sys *s, const char *path, int flags, bool nofollow_last)
{
	if (!path || !*path) {
		errno = ENOENT;
		return -1;
	}
	if (strlen(path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (int i = 0; i < SYS_RETRIES; i++) {
		int fd = s->ops->open_in_root(s->rootfd, rel_path(path), flags, nofollow_last);
		if (fd >= 0 || (errno != EINTR && errno != EAGAIN))
			return fd;
	}
	return -1;
}

static void sys_close(struct bl_sys *s, int fd)
{
	int saved = errno;
	s->ops->close(fd);
	errno = saved;
}

static const char *type_name(mode_t m)
{
	if (S_ISREG(m)) return "file";
	if (S_ISDIR(m)) return "dir";
	if (S_ISLNK(m)) return "link";
	if (S_ISFIFO(m)) return "fifo";
	if (S_ISSOCK(m)) return "socket";
	if (S_ISCHR(m)) return "char";
	if (S_ISBLK(m)) return "block";
	return "unknown";
}

static void fill_stat(struct bl_sys_stat *out, const struct stat *st)
{
	memset(out, 0, sizeof *out);
	out->exists = true;
	snprintf(out->type, sizeof out->type, "%s", type_name(st->st_mode));
	out->mode = (uint32_t)(st->st_mode & 07777);
	out->uid = (uint32_t)st->st_uid;
	out->gid = (uint32_t)st->st_gid;
	out->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	out->mtime = (int64_t)st->st_mtime;
	out->dev = (uint64_t)st->st_dev;
	out->ino = (uint64_t)st->st_ino;
}

static bool is_missing_errno(int e)
{
	return e == ENOENT || e == ENOTDIR;
}

/* ---- public ------------------------------------------------------------ */

int bl_sys_open(struct bl_sys *s, const char *root, struct bl_error *err)
{
	memset(s, 0, sizeof *s);
	s->rootfd = -1;
	s->ops = &bl_sys_default_ops;
	if (!root || !*root)
		root = "/";
	size_t len = strlen(root);
	if (len >= sizeof s->root)
		return bl_error_set(err, BL_EIO, "", 0, 0, "%s: file name too long", root);
	memcpy(s->root, root, len + 1);
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sys_fail(err, BL_EIO, root, errno);
	/* "/", "//" or "/." are the live system; any other directory is offline. */
	struct stat a, b;
	s->live = fstat(fd, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev &&
		  a.st_ino == b.st_ino;
	s->rootfd = fd;
	return 0;
}

void bl_sys_close(struct bl_sys *s)
{
	if (s->rootfd >= 0)
		close(s->rootfd);
	s->rootfd = -1;
}

int bl_sys_stat(struct bl_sys *s, const char *path, bool follow, struct bl_sys_stat *out,
		struct bl_error *err)
{
	memset(out, 0, sizeof *out);
	int fd = sys_open(s, path, O_PATH, !follow);
	if (fd < 0) {
		if (is_missing_errno(errno))
			return 0;
		return sys_fail(err, BL_EIO, path ? path : "", errno);
	}
	struct stat st;
	if (s->ops->fstat(fd, &st) != 0) {
		int e = errno;
		sys_close(s, fd);
		return sys_fail(err, BL_EIO, path, e);
	}
	sys_close(s, fd);
	fill_stat(out, &st);
	return 0;
}

/* Refuse what is not a regular file or is over the cap (st from fstat). */
static int check_regular(struct bl_sys *s, const char *path, const struct stat *st,
			 struct bl_error *err)
{
	if (!S_ISREG(st->st_mode)) {
		const char *what = S_ISDIR(st->st_mode) ? "directory" :
				   S_ISCHR(st->st_mode) ? "character device" :
				   S_ISBLK(st->st_mode) ? "block device" : type_name(st->st_mode);
		return bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: is a %s, not a regular file", path,
				    what);
	}
	if (st->st_size > 0 && (uint64_t)st->st_size > (uint64_t)sys_cap(s))
		return bl_error_set(err, BL_ELIMIT, "", 0, 0,
				    "%s: file too large (%lld bytes, limit %zu)", path,
				    (long long)st->st_size, sys_cap(s));
	return 0;
}

/* Read fd to its end into the arena, refusing more than the cap.  The
 * buffer starts at the stat size plus room to notice growth. */
static int read_all(struct bl_sys *s, const char *path, int fd, uint64_t hint,
		    struct bl_arena *a, char **data, size_t *len, struct bl_error *err)
{
	size_t cap = sys_cap(s);
	size_t bufcap = (hint < cap ? (size_t)hint : cap) + 2;
	if (bufcap < 256)
		bufcap = 256;
	char *buf = bl_arena_alloc(a, bufcap);
	if (!buf)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	size_t used = 0;
	int again = 0;
	for (;;) {
		if (used + 1 == bufcap) {
			if (used > cap)
				return bl_error_set(err, BL_ELIMIT, "", 0, 0,
						    "%s: file too large (more than %zu bytes)", path, cap);
			size_t ncap = bufcap * 2;
			if (ncap > cap + 2 || ncap < bufcap)
				ncap = cap + 2;
			char *nb = bl_arena_alloc(a, ncap);
			if (!nb)
				return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
			memcpy(nb, buf, used);
			buf = nb;
			bufcap = ncap;
		}
		ssize_t r = s->ops->read(fd, buf + used, bufcap - 1 - used);
		if (r < 0) {
			if (errno == EINTR || (errno == EAGAIN && ++again < SYS_RETRIES))
				continue;
			return sys_fail(err, BL_EIO, path, errno);
		}
		if (r == 0)
			break;
		if ((size_t)r > bufcap - 1 - used)   /* a broken read op */
			return bl_error_set(err, BL_EIO, "", 0, 0, "%s: read returned too much", path);
		used += (size_t)r;
	}
	if (used > cap)
		return bl_error_set(err, BL_ELIMIT, "", 0, 0, "%s: file too large (more than %zu bytes)",
				    path, cap);
	buf[used] = '\0';
	*data = buf;
	*len = used;
	return 0;
}

int bl_sys_read(struct bl_sys *s, const char *path, struct bl_arena *a, char **data,
		size_t *len, struct bl_sys_stat *st, bool *missing, struct bl_error *err)
{
	*data = NULL;
	*len = 0;
	if (missing)
		*missing = false;
	if (st)
		memset(st, 0, sizeof *st);
	const char *p = path ? path : "";
	/* Look before opening for reading: FIFOs and devices are never opened. */
	int fd = sys_open(s, path, O_PATH, false);
	if (fd < 0) {
		if (missing && is_missing_errno(errno))
			*missing = true;
		return sys_fail(err, BL_EIO, p, errno);
	}
	struct stat st1, st2;
	if (s->ops->fstat(fd, &st1) != 0) {
		int e = errno;
		sys_close(s, fd);
		return sys_fail(err, BL_EIO, p, e);
	}
	sys_close(s, fd);
	if (st)
		fill_stat(st, &st1);
	int rc = check_regular(s, p, &st1, err);
	if (rc != 0)
		return rc;
	fd = sys_open(s, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, false);
	if (fd < 0) {
		if (missing && is_missing_errno(errno))
			*missing = true;
		return sys_fail(err, BL_EIO, p, errno);
	}
	if (s->ops->fstat(fd, &st2) != 0) {
		int e = errno;
		sys_close(s, fd);
		return sys_fail(err, BL_EIO, p, e);
	}
	rc = check_regular(s, p, &st2, err);
	if (rc == 0 && (st1.st_dev != st2.st_dev || st1.st_ino != st2.st_ino))
		rc = bl_error_set(err, BL_EIO, "", 0, 0, "%s: file replaced while being read", p);
	if (rc == 0) {
		if (st)
			fill_stat(st, &st2);
		rc = read_all(s, p, fd, st2.st_size > 0 ? (uint64_t)st2.st_size : 0, a, data, len,
			      err);
	}
	sys_close(s, fd);
	return rc;
}

int bl_sys_readlink(struct bl_sys *s, const char *path, struct bl_arena *a, char **target,
		    struct bl_error *err)
{
	*target = NULL;
	const char *p = path ? path : "";
	int fd = sys_open(s, path, O_PATH, true);
	if (fd < 0)
		return sys_fail(err, BL_EIO, p, errno);
	struct stat st;
	if (s->ops->fstat(fd, &st) != 0) {
		int e = errno;
		sys_close(s, fd);
		return sys_fail(err, BL_EIO, p, e);
	}
	if (!S_ISLNK(st.st_mode)) {
		sys_close(s, fd);
		return sys_fail(err, BL_EIO, p, EINVAL);
	}
	char buf[PATH_MAX];
	ssize_t n = s->ops->readlinkat(fd, "", buf, sizeof buf);
	int e = errno;
	sys_close(s, fd);
	if (n < 0)
		return sys_fail(err, BL_EIO, p, e);
	if ((size_t)n >= sizeof buf)
		return sys_fail(err, BL_EIO, p, ENAMETOOLONG);
	*target = bl_arena_strndup(a, buf, (size_t)n);
	return *target ? 0 : bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append s to an arena array of strings, doubling it as needed. */
static int push_name(struct bl_arena *a, char ***arr, size_t *n, size_t *cap, char *s)
{
	if (!s)
		return BL_ENOMEM;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **p = bl_arena_alloc(a, ncap * sizeof *p);
		if (!p)
			return BL_ENOMEM;
		if (*n)
			memcpy(p, *arr, *n * sizeof *p);
		*arr = p;
		*cap = ncap;
	}
	(*arr)[(*n)++] = s;
	return 0;
}

/*
 * The sorted names in dir.  Returns 0, -1 with *eno set (the open or read
 * failed), BL_ENOMEM or BL_ELIMIT.
 */
static int list_dir(struct bl_sys *s, const char *dir, struct bl_arena *a, char ***names,
		    size_t *n, int *eno)
{
	*names = NULL;
	*n = 0;
	*eno = 0;
	int fd = sys_open(s, dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK, false);
	if (fd < 0) {
		*eno = errno;
		return -1;
	}
	DIR *d = s->ops->fdopendir(fd);
	if (!d) {
		*eno = errno;
		sys_close(s, fd);
		return -1;
	}
	size_t cap = 0;
	int rc = 0;
	for (;;) {
		errno = 0;
		struct dirent *e = s->ops->readdir(d);
		if (!e) {
			if (errno) {
				*eno = errno;
				rc = -1;
			}
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*n >= SYS_MAX_DIR_ENTRIES) {
			rc = BL_ELIMIT;
			break;
		}
		rc = push_name(a, names, n, &cap, bl_arena_strndup(a, e->d_name, strlen(e->d_name)));
		if (rc != 0)
			break;
	}
	s->ops->closedir(d);
	if (rc == 0 && *n > 1)
		qsort(*names, *n, sizeof **names, cmp_names);
	return rc;
}

int bl_sys_list(struct bl_sys *s, const char *dir, struct bl_arena *a, char ***names,
		size_t *n, bool *missing, struct bl_error *err)
{
	if (missing)
		*missing = false;
	int eno = 0;
	int rc = list_dir(s, dir, a, names, n, &eno);
	if (rc == 0)
		return 0;
	*names = NULL;
	*n = 0;
	const char *p = dir ? dir : "";
	if (rc == -1 && eno == ENOENT) {
		if (missing)
			*missing = true;
		return 0;
	}
	if (rc == -1)
		return sys_fail(err, BL_EIO, p, eno);
	if (rc == BL_ELIMIT)
		return bl_error_set(err, BL_ELIMIT, "", 0, 0, "%s: more than %u directory entries", p,
				    SYS_MAX_DIR_ENTRIES);
	return bl_error_set(err, rc, "", 0, 0, "out of memory");
}

/* dir + "/" + name without doubling the root's slash. */
static char *join(struct bl_arena *a, const char *dir, const char *name, size_t nlen)
{
	size_t dlen = strlen(dir);
	bool slash = dlen > 0 && dir[dlen - 1] == '/';
	char *p = bl_arena_alloc(a, dlen + 1 + nlen + 1);
	if (!p)
		return NULL;
	memcpy(p, dir, dlen);
	size_t k = dlen;
	if (!slash)
		p[k++] = '/';
	memcpy(p + k, name, nlen);
	p[k + nlen] = '\0';
	return p;
}

int bl_sys_glob(struct bl_sys *s, const char *pattern, struct bl_arena *a, char ***paths,
		size_t *n, size_t *unreadable, struct bl_error *err)
{
	*paths = NULL;
	*n = 0;
	size_t unread = 0;
	if (unreadable)
		*unreadable = 0;
	const char *pat = pattern ? pattern : "";
	if (pat[0] != '/')
		return bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: not an absolute path", pat);
	if (strlen(pat) >= PATH_MAX)
		return sys_fail(err, BL_EINVAL, pat, ENAMETOOLONG);
	char **cur = NULL;
	size_t ncur = 0, capcur = 0;
	if (push_name(a, &cur, &ncur, &capcur, bl_arena_strndup(a, "/", 1)) != 0)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	bool last_literal = false;
	const char *p = pat;
	while (*p && ncur > 0) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t clen = (size_t)(e - p);
		char comp[NAME_MAX + 1];
		if (clen > NAME_MAX)
			return sys_fail(err, BL_EINVAL, pat, ENAMETOOLONG);
		memcpy(comp, p, clen);
		comp[clen] = '\0';
		p = e;
		char **next = NULL;
		size_t nnext = 0, capnext = 0;
		bool meta = strpbrk(comp, "*?[\\") != NULL;
		last_literal = !meta;
		for (size_t i = 0; i < ncur; i++) {
			if (!meta) {
				if (push_name(a, &next, &nnext, &capnext, join(a, cur[i], comp, clen)) != 0)
					return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
				continue;
			}
			char **names;
			size_t nn;
			int eno;
			int rc = list_dir(s, cur[i], a, &names, &nn, &eno);
			if (rc == -1) {
				/* Missing or not a directory: no match there. */
				if (!is_missing_errno(eno))
					unread++;
				continue;
			}
			if (rc == BL_ELIMIT) {
				unread++;
				continue;
			}
			if (rc != 0)
				return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
			for (size_t j = 0; j < nn; j++) {
				if (fnmatch(comp, names[j], FNM_PATHNAME | FNM_PERIOD) != 0)
					continue;
				if (nnext >= SYS_MAX_GLOB)
					return bl_error_set(err, BL_ELIMIT, "", 0, 0,
							    "%s: more than %u matches", pat, SYS_MAX_GLOB);
				if (push_name(a, &next, &nnext, &capnext,
					      join(a, cur[i], names[j], strlen(names[j]))) != 0)
					return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
			}
		}
		cur = next;
		ncur = nnext;
		capcur = capnext;
	}
	/* Literal components were appended unchecked: keep what exists. */
	if (last_literal) {
		size_t k = 0;
		for (size_t i = 0; i < ncur; i++) {
			struct bl_sys_stat st;
			struct bl_error e2;
			if (bl_sys_stat(s, cur[i], false, &st, &e2) != 0) {
				unread++;
				continue;
			}
			if (st.exists)
				cur[k++] = cur[i];
		}
		ncur = k;
	}
	if (ncur > 1)
		qsort(cur, ncur, sizeof *cur, cmp_names);
	*paths = cur;
	*n = ncur;
	if (unreadable)
		*unreadable = unread;
	return 0;
}
