/*
 * sys.h - every read of the host goes through struct bl_sys, rooted at "/"
 * (the live system) or at --root DIR (a mounted image, a container rootfs).
 *
 * In the spirit of SQLite's aSyscall[]: the raw calls live in a table of
 * function pointers that tests swap to inject EACCES, EIO, ENOENT between
 * stat and open, short reads and EINTR.  On top of it, the helpers every
 * probe uses enforce the collector's rules:
 *   - nothing is ever written; files are opened O_RDONLY|O_NOCTTY|O_NONBLOCK|O_CLOEXEC;
 *   - paths resolve inside the root: openat2(RESOLVE_IN_ROOT) treats an
 *     absolute symlink as relative to the root (as chroot would), so a link
 *     cannot escape it; on kernels without openat2 an equivalent walk with
 *     O_NOFOLLOW and readlinkat is used; symlink loops are an error (ELOOP);
 *   - reads are capped: a regular file larger than the cap is not read (the
 *     caller gets BL_ELIMIT and reports it as an error value), a FIFO, socket
 *     or device is never read (it could block or never end);
 *   - errors keep errno's reason for the message ("permission denied").
 */
#ifndef BL_FACTS_SYS_H
#define BL_FACTS_SYS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/arena.h"
#include "util/error.h"

/* The raw calls (all take paths relative to a directory fd). */
struct bl_sys_ops {
	int (*open_in_root)(int rootfd, const char *path, int flags, bool nofollow_last); /* -1/errno */
	ssize_t (*read)(int fd, void *buf, size_t n);
	int (*fstat)(int fd, struct stat *st);
	int (*close)(int fd);
	ssize_t (*readlinkat)(int dirfd, const char *path, char *buf, size_t n);
	DIR *(*fdopendir)(int fd);
	struct dirent *(*readdir)(DIR *d);
	int (*closedir)(DIR *d);
};

/* The default table: openat2(RESOLVE_IN_ROOT) with a manual fallback. */
extern const struct bl_sys_ops bl_sys_default_ops;

/* The fallback itself (kernels without openat2), exposed so tests run every
 * path case through both resolvers.  Same contract as open_in_root. */
int bl_sys_open_in_root_walk(int rootfd, const char *path, int flags, bool nofollow_last);

struct bl_sys {
	int rootfd;                 /* O_PATH|O_DIRECTORY of the root */
	char root[4096];            /* as given, for messages ("/" when live) */
	bool live;                  /* the root is the running system's "/" */
	size_t max_file;            /* read cap per file; 0 = 16 MiB */
	const struct bl_sys_ops *ops;
};

/* Open root ("/" or a directory).  live is true only when root is "/".
 * Returns 0 or BL_EIO (err names the directory and the reason). */
int bl_sys_open(struct bl_sys *s, const char *root, struct bl_error *err);
void bl_sys_close(struct bl_sys *s);

/* What a probe learns about one path (lstat semantics unless followed). */
struct bl_sys_stat {
	bool exists;
	char type[8];               /* "file" "dir" "link" "fifo" "socket" "char" "block" */
	uint32_t mode;              /* permission bits incl. setuid/setgid/sticky (07777) */
	uint32_t uid, gid;
	uint64_t size;
	int64_t mtime;
	uint64_t dev, ino;
};

/*
 * stat path (absolute, interpreted inside the root).  follow: resolve a final
 * symlink (inside the root).  A missing path is success with exists=false.
 * Other failures: BL_EIO with err->msg "PATH: permission denied" etc.
 */
int bl_sys_stat(struct bl_sys *s, const char *path, bool follow, struct bl_sys_stat *out,
		struct bl_error *err);

/*
 * Read a whole regular file (following a final symlink inside the root) into
 * arena a, NUL-terminated.  Missing: BL_EIO with *missing set (callers that
 * treat absence as a fact check it).  Not a regular file: BL_EINVAL "is a
 * fifo, not a regular file".  Larger than the cap: BL_ELIMIT.  st (optional)
 * receives the file's metadata.
 */
int bl_sys_read(struct bl_sys *s, const char *path, struct bl_arena *a, char **data,
		size_t *len, struct bl_sys_stat *st, bool *missing, struct bl_error *err);

/* Target of a symlink (not followed), into arena a.  BL_EIO on failure. */
int bl_sys_readlink(struct bl_sys *s, const char *path, struct bl_arena *a, char **target,
		    struct bl_error *err);

/*
 * Names in a directory (no "." or ".."), sorted, into arena a.  Missing
 * directory: 0 with *n = 0 and *missing = true.  Other failures: BL_EIO.
 */
int bl_sys_list(struct bl_sys *s, const char *dir, struct bl_arena *a, char ***names,
		size_t *n, bool *missing, struct bl_error *err);

/*
 * Expand a glob pattern ('*', '?', '[...]' per path component, no '**')
 * inside the root into sorted absolute paths in arena a.  Unreadable
 * directories on the way are skipped and counted in *unreadable.
 */
int bl_sys_glob(struct bl_sys *s, const char *pattern, struct bl_arena *a, char ***paths,
		size_t *n, size_t *unreadable, struct bl_error *err);

#endif
