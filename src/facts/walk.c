/*
 * walk.c - the `walk` namespace (FORMATS.md §3): one shared walk of the
 * local filesystems per run, run only when a rule reads `walk`.
 *
 * walk = {world_writable[], sticky_missing[], unowned[], suid[], sgid[],
 * unreadable, unreadable_paths[], entries}; each list element is a file
 * object {path, type, mode, uid, gid, owner, group, size, mtime}, sorted by
 * path.  world_writable: regular files and directories writable by others
 * (symlinks, devices, sockets and FIFOs are not: /dev/null is meant to be);
 * sticky_missing: world-writable directories without the sticky bit;
 * unowned: anything whose uid has no line in ROOT/etc/passwd or whose gid
 * has none in ROOT/etc/group; suid / sgid: regular files with the bit.
 *
 * How (bench/HOST.md has the measurements): directories are opened
 * relative to their parent through the bl_sys ops (O_DIRECTORY, never
 * following a final symlink) and read with getdents64 into one buffer per
 * open directory (64 KiB, growing to 1 MiB; bigger directories are read in
 * parts), not through fdopendir/readdir, which cost an fstat and two fcntl
 * per directory.  Every entry is lstat'ed once with fstatat(AT_SYMLINK_NOFOLLOW)
 * on its directory's fd: unowned needs the uid and gid of everything,
 * symlinks included (as `find -nouser` reports them), so the dirent type
 * cannot spare the call; statx with a small mask measured the same.  Symlinks
 * are recorded, never followed.  Only matches are copied out (path and
 * metadata); nothing is allocated per entry.  One worker per online CPU (at
 * most 8) walks depth first with its own stack of open directories; a worker
 * out of work raises a flag and a busy one hands it the shallowest directory
 * not yet walked on its stack (visited by the giver, walked by the taker),
 * so the work stays balanced and changes hands rarely.  A worker holds one
 * descriptor per level of its stack (MAX_DEPTH at most; deeper directories
 * are counted unreadable).  getdents64 and fstatat are called directly: the
 * ops table has neither, and the opens, which it does have (tests inject
 * failures there), are what decides what is read.
 *
 * What is skipped: live, a directory whose st_dev differs from its parent's
 * is looked up in /proc/self/mountinfo and not entered when its filesystem
 * is a pseudo or network one (the list below; tmpfs and overlay are walked:
 * they hold real files, /tmp and container roots).  Under --root, the
 * root's own /proc, /sys, /dev and /run are skipped and nothing else.
 *
 * Caps (bl_facts_options: walk_max_entries, walk_max_seconds): hitting one
 * makes the whole value an error value ("filesystem walk stopped after N
 * entries ..."), since a partial list must never pass.  Each list holds at
 * most 10,000 elements; beyond, that list is an error value.  Directories
 * that cannot be opened are counted (unreadable) and the first 100 listed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "facts/facts.h"
#include "util/str.h"

#define MAX_THREADS 8
#define LIST_CAP 10000
#define UNREADABLE_PATHS 100
#define MAX_DEPTH 512
#define MAX_MOUNTS 10000

enum { L_WW, L_STICKY, L_UNOWNED, L_SUID, L_SGID, NLISTS };
static const char *const list_names[NLISTS] = {
	"world_writable", "sticky_missing", "unowned", "suid", "sgid",
};

/* Filesystems never entered on a live walk. */
static const char *const skip_fs[] = {
	"proc", "sysfs", "cgroup", "cgroup2", "devtmpfs", "devpts", "securityfs",
	"debugfs", "tracefs", "bpf", "pstore", "configfs", "fusectl", "mqueue",
	"hugetlbfs", "binfmt_misc", "autofs", "rpc_pipefs", "nfsd", "efivarfs",
	"selinuxfs", "nsfs", "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "9p",
	"virtiofs", "ceph", "glusterfs", "lustre", "afs", "fuse", "fuseblk",
};

struct id_name {
	uint32_t id;
	const char *name;
};

struct ids {
	struct id_name *v;      /* sorted by id */
	size_t n;
	const char *error;      /* the file could not be read: why */
};

/* One finding, kept by a worker until the merge. */
struct hit {
	char *path;
	uint32_t mode;          /* st_mode incl. type */
	uint32_t uid, gid;
	int64_t size, mtime;
	uint8_t lists;          /* bit per L_* */
};

/* A directory handed from a busy worker to an idle one. */
struct task {
	struct task *next;
	char *path;             /* relative to the root, no leading '/' */
	uint64_t dev;           /* st_dev of the directory */
	size_t depth;           /* depth of its entries (the root's are 0) */
};

enum { STOP_ENTRIES = 1, STOP_TIME, STOP_NOMEM };

struct shared {
	struct bl_sys *sys;
	const struct ids *users, *groups;
	const uint64_t *skip_devs;   /* sorted */
	size_t nskip_devs;
	bool live;
	uint64_t max_entries;
	double max_seconds;
	struct timespec start;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct task *queue;          /* guarded by mu, as are the four below */
	size_t nqueue;
	size_t nidle;
	size_t nworkers;
	bool done;
	atomic_bool hungry;          /* nidle > nqueue, read without the lock */
	atomic_uint_fast64_t entries;
	atomic_bool stop;
	atomic_int stop_reason;      /* STOP_* */
	atomic_size_t list_count[NLISTS];
};

/* A getdents64 record, as the kernel lays it out. */
struct dent {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

#define DT_GIVEN 0xff           /* record type once donated to another worker */
#define DIRBUF_MIN (64u << 10)
#define DIRBUF_FREE (32u << 10) /* room asked of each getdents64 call */
#define DIRBUF_MAX (1u << 20)   /* a bigger directory is read in parts */
#define PATH_BUF (PATH_MAX + 256)

/* One open directory on a worker's stack. */
struct frame {
	int fd;
	size_t plen;            /* w->path[0..plen) names it */
	size_t depth;           /* depth of its entries */
	uint64_t dev;
	bool eof;
	char *buf;              /* its records (malloc'd, reused, freed with the worker) */
	size_t len, cap;
	size_t pos;             /* next record to visit */
	size_t dscan;           /* next record donate() looks at */
};

struct worker {
	struct shared *sh;
	struct bl_arena a;
	struct hit *hits;
	size_t nhits, caphits;
	uint64_t unreadable;
	char **unreadable_paths;
	size_t nunreadable_paths;
	uint64_t local_entries;
	bool nomem;
	uint32_t last_uid, last_gid;  /* last ids found in passwd / group */
	bool have_uid, have_gid;
	struct frame frames[MAX_DEPTH];
	char path[PATH_BUF];    /* the entry being visited */
	char dpath[PATH_BUF];   /* the entry being donated */
};

/* ---- id tables ----------------------------------------------------------- */

static int cmp_id(const void *a, const void *b)
{
	const struct id_name *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* ROOT/etc/passwd or group: name is field 1, id field 3.  A missing or
 * unreadable file sets t->error.  0 or BL_ENOMEM. */
static int load_ids(struct bl_facts *f, const char *path, struct ids *t)
{
	struct bl_arena *a = bl_facts_arena(f);
	char *d;
	size_t len;
	bool missing;
	struct bl_error err;
	memset(t, 0, sizeof *t);
	int rc = bl_sys_read(bl_facts_sys(f), path, a, &d, &len, NULL, &missing, &err);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc != 0) {
		t->error = bl_arena_strndup(a, err.msg, strlen(err.msg));
		return t->error ? 0 : BL_ENOMEM;
	}
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += d[i] == '\n';
	t->v = bl_arena_calloc(a, lines, sizeof *t->v);
	if (!t->v)
		return BL_ENOMEM;
	for (char *l = d; l < d + len;) {
		char *nl = memchr(l, '\n', (size_t)(d + len - l));
		char *e = nl ? nl : d + len;
		char *c1 = memchr(l, ':', (size_t)(e - l));
		char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(e - c1 - 1)) : NULL;
		if (c2 && c1 > l && *l != '#' && *l != '+' && *l != '-') {
			char *end;
			unsigned long id = strtoul(c2 + 1, &end, 10);
			if (end > c2 + 1 && (*end == ':' || end == e || *end == '\r') && id <= UINT32_MAX) {
				t->v[t->n].id = (uint32_t)id;
				t->v[t->n].name = bl_arena_strndup(a, l, (size_t)(c1 - l));
				if (!t->v[t->n++].name)
					return BL_ENOMEM;
			}
		}
		l = e + 1;
	}
	qsort(t->v, t->n, sizeof *t->v, cmp_id);
	return 0;
}

static const struct id_name *ids_find(const struct ids *t, uint32_t id)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->v[lo].id == id ? &t->v[lo] : NULL;
}

/* ---- mount table (live) -------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool skipped_fs(const char *t, size_t n)
{
	if (n > 5 && memcmp(t, "fuse.", 5) == 0)
		return true;    /* sshfs, gvfs, rclone...: remote or slow */
	for (size_t i = 0; i < sizeof skip_fs / sizeof *skip_fs; i++)
		if (strlen(skip_fs[i]) == n && memcmp(skip_fs[i], t, n) == 0)
			return true;
	return false;
}

/*
 * Devices of the mounts not to enter, from mountinfo text ("36 35 98:0 /
 * /mnt rw - ext3 /dev/root rw": field 3 is major:minor, the type follows
 * " - ").  Returns the count stored in devs (at most max).
 */
static size_t parse_mountinfo(const char *d, size_t len, uint64_t *devs, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n < max;) {
		const char *nl = memchr(d + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (d + i)) : len - i;
		const char *l = d + i, *e = l + ll;
		i += ll + 1;
		const char *p = l;
		for (int k = 0; k < 2 && p; k++) {
			p = memchr(p, ' ', (size_t)(e - p));
			if (p)
				p++;
		}
		if (!p)
			continue;
		char *end;
		unsigned long maj = strtoul(p, &end, 10);
		if (*end != ':')
			continue;
		unsigned long min = strtoul(end + 1, &end, 10);
		const char *sep = NULL;
		for (const char *q = end; q + 3 <= e; q++)
			if (q[0] == ' ' && q[1] == '-' && q[2] == ' ') {
				sep = q + 3;
				break;
			}
		if (!sep)
			continue;
		const char *te = memchr(sep, ' ', (size_t)(e - sep));
		size_t tl = te ? (size_t)(te - sep) : (size_t)(e - sep);
		if (skipped_fs(sep, tl))
			devs[n++] = (uint64_t)makedev((unsigned)maj, (unsigned)min);
	}
	qsort(devs, n, sizeof *devs, cmp_u64);
	return n;
}

static bool dev_skipped(const struct shared *sh, uint64_t dev)
{
	size_t lo = 0, hi = sh->nskip_devs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sh->skip_devs[mid] < dev)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sh->nskip_devs && sh->skip_devs[lo] == dev;
}

/* ---- the walk ------------------------------------------------------------ */

static double elapsed(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Stop every worker (a cap was hit, or memory ran out) and wake the idle. */
static void stop_all(struct shared *sh, int reason)
{
	int none = 0;
	atomic_compare_exchange_strong(&sh->stop_reason, &none, reason);
	atomic_store(&sh->stop, true);
	pthread_mutex_lock(&sh->mu);
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
}

/* Publish the entries counted since the last call; check both caps. */
static void flush_count(struct worker *w)
{
	struct shared *sh = w->sh;
	uint64_t total = atomic_fetch_add(&sh->entries, w->local_entries) + w->local_entries;
	w->local_entries = 0;
	if (total > sh->max_entries)
		stop_all(sh, STOP_ENTRIES);
	else if (elapsed(&sh->start) > sh->max_seconds)
		stop_all(sh, STOP_TIME);
}

static void out_of_memory(struct worker *w)
{
	w->nomem = true;
	stop_all(w->sh, STOP_NOMEM);
}

/* Count a directory (or entry) that could not be read; list the first ones. */
static void note_unreadable(struct worker *w, const char *path, size_t len)
{
	w->unreadable++;
	if (w->nunreadable_paths >= UNREADABLE_PATHS)
		return;
	if (!w->unreadable_paths) {
		w->unreadable_paths = bl_arena_alloc(&w->a, UNREADABLE_PATHS * sizeof(char *));
		if (!w->unreadable_paths) {
			out_of_memory(w);
			return;
		}
	}
	char *p = bl_arena_printf(&w->a, "/%.*s", (int)len, path);
	if (!p) {
		out_of_memory(w);
		return;
	}
	w->unreadable_paths[w->nunreadable_paths++] = p;
}

/* Is id named in t?  Most files share a few owners (root), so the last id
 * found is remembered per worker and the table searched only on a change. */
static bool known_id(const struct ids *t, uint32_t id, uint32_t *last, bool *have_last)
{
	if (*have_last && *last == id)
		return true;
	if (!ids_find(t, id))
		return false;
	*last = id;
	*have_last = true;
	return true;
}

/* Which lists an entry belongs to (bits per L_*). */
static uint8_t classify(struct worker *w, const struct stat *st)
{
	const struct shared *sh = w->sh;
	uint8_t bits = 0;
	mode_t m = st->st_mode;
	bool reg = S_ISREG(m), dir = S_ISDIR(m);
	if ((reg || dir) && (m & S_IWOTH)) {
		bits |= 1u << L_WW;
		if (dir && !(m & S_ISVTX))
			bits |= 1u << L_STICKY;
	}
	if ((!sh->users->error &&
	     !known_id(sh->users, (uint32_t)st->st_uid, &w->last_uid, &w->have_uid)) ||
	    (!sh->groups->error &&
	     !known_id(sh->groups, (uint32_t)st->st_gid, &w->last_gid, &w->have_gid)))
		bits |= 1u << L_UNOWNED;
	if (reg && (m & S_ISUID))
		bits |= 1u << L_SUID;
	if (reg && (m & S_ISGID))
		bits |= 1u << L_SGID;
	return bits;
}

static void record(struct worker *w, const char *path, size_t len, const struct stat *st,
		   uint8_t bits)
{
	uint8_t keep = 0;
	for (int l = 0; l < NLISTS; l++)
		if ((bits & (1u << l)) && atomic_fetch_add(&w->sh->list_count[l], 1) < LIST_CAP)
			keep |= (uint8_t)(1u << l);
	if (!keep)
		return;
	if (w->nhits == w->caphits) {
		size_t cap = w->caphits ? w->caphits * 2 : 256;
		struct hit *h = bl_arena_alloc(&w->a, cap * sizeof *h);
		if (!h) {
			out_of_memory(w);
			return;
		}
		if (w->nhits)
			memcpy(h, w->hits, w->nhits * sizeof *h);
		w->hits = h;
		w->caphits = cap;
	}
	struct hit *h = &w->hits[w->nhits];
	h->path = bl_arena_printf(&w->a, "/%.*s", (int)len, path);
	if (!h->path) {
		out_of_memory(w);
		return;
	}
	h->mode = (uint32_t)st->st_mode;
	h->uid = (uint32_t)st->st_uid;
	h->gid = (uint32_t)st->st_gid;
	h->size = (int64_t)st->st_size;
	h->mtime = (int64_t)st->st_mtime;
	h->lists = keep;
	w->nhits++;
}

/* Should the walk enter directory st (at path, entries of depth `depth` of
 * the root list it, below a directory on parent_dev)? */
static bool enter(const struct shared *sh, const char *path, size_t depth, const struct stat *st,
		  uint64_t parent_dev)
{
	if (!sh->live && depth == 0) {
		static const char *const skip[] = {"proc", "sys", "dev", "run"};
		for (size_t i = 0; i < 4; i++)
			if (strcmp(path, skip[i]) == 0)
				return false;
	}
	if (sh->live && (uint64_t)st->st_dev != parent_dev && dev_skipped(sh, (uint64_t)st->st_dev))
		return false;
	return true;
}

static bool is_dot(const char *n)
{
	return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'));
}

/*
 * (Re)fill fr's buffer with the directory's next records: getdents64 into
 * one buffer until it ends or DIRBUF_MAX bytes are held, so a huge directory
 * costs bounded memory and a small one a single call plus the end-of-
 * directory call.  0, or -1 with errno (ENOMEM when the buffer cannot grow).
 */
static int fill(struct frame *fr)
{
	fr->len = fr->pos = fr->dscan = 0;
	while (!fr->eof && fr->len < DIRBUF_MAX) {
		if (fr->cap - fr->len < DIRBUF_FREE) {
			size_t cap = fr->cap ? fr->cap * 2 : DIRBUF_MIN;
			char *b = realloc(fr->buf, cap);
			if (!b) {
				errno = ENOMEM;
				return -1;
			}
			fr->buf = b;
			fr->cap = cap;
		}
		ssize_t n = getdents64(fr->fd, fr->buf + fr->len, fr->cap - fr->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			fr->eof = true;
		fr->len += (size_t)n;
	}
	return 0;
}

static struct dent *rec_at(const struct frame *fr, size_t pos)
{
	return (struct dent *)(void *)(fr->buf + pos);
}

/*
 * Stat entry name of frame fr (its path built in buf after fr's own path,
 * which buf already holds), classify and record it.  True when it is a
 * directory the walk must enter; *len receives the entry's path length and
 * *st its metadata.  Failures are counted, never returned.
 */
static bool visit(struct worker *w, const struct frame *fr, const char *name, char *buf,
		  size_t *len, struct stat *st)
{
	size_t nlen = strlen(name), n = fr->plen;
	if (n + 1 + nlen >= PATH_BUF - 1) {
		note_unreadable(w, buf, n);    /* too long to name: counted, not entered */
		return false;
	}
	if (n)
		buf[n++] = '/';
	memcpy(buf + n, name, nlen + 1);
	n += nlen;
	*len = n;
	if (fstatat(fr->fd, name, st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			note_unreadable(w, buf, n);
		return false;
	}
	if (++w->local_entries >= 1024)
		flush_count(w);
	bool dir = S_ISDIR(st->st_mode);
	if (dir && !enter(w->sh, buf, fr->depth, st, fr->dev))
		return false;
	uint8_t bits = classify(w, st);
	if (bits)
		record(w, buf, n, st, bits);
	if (dir && fr->depth + 1 >= MAX_DEPTH) {
		note_unreadable(w, buf, n);
		return false;
	}
	return dir;
}

/* Keep the hungry flag true while idle workers outnumber queued tasks.
 * Called with sh->mu held. */
static void set_hungry(struct shared *sh)
{
	atomic_store_explicit(&sh->hungry, sh->nidle > sh->nqueue, memory_order_relaxed);
}

/*
 * Another worker has nothing to do: give it the shallowest directory not
 * yet walked among this worker's open frames (a shallow directory is likely
 * a big subtree, so work changes hands rarely).  The entry is visited here,
 * where its parent is open, and only the walk of its subtree moves.
 */
static void donate(struct worker *w, size_t top)
{
	for (size_t k = 0; k <= top; k++) {
		struct frame *fr = &w->frames[k];
		if (fr->dscan < fr->pos)
			fr->dscan = fr->pos;
		while (fr->dscan < fr->len) {
			struct dent *d = rec_at(fr, fr->dscan);
			fr->dscan += d->reclen;
			if (d->type != DT_DIR || is_dot(d->name))
				continue;
			d->type = DT_GIVEN;
			memcpy(w->dpath, w->path, fr->plen);
			struct stat st;
			size_t len;
			if (!visit(w, fr, d->name, w->dpath, &len, &st))
				continue;
			struct task *t = bl_arena_alloc(&w->a, sizeof *t);
			char *p = bl_arena_strndup(&w->a, w->dpath, len);
			if (!t || !p) {
				out_of_memory(w);
				return;
			}
			t->path = p;
			t->dev = (uint64_t)st.st_dev;
			t->depth = fr->depth + 1;
			struct shared *sh = w->sh;
			pthread_mutex_lock(&sh->mu);
			t->next = sh->queue;
			sh->queue = t;
			sh->nqueue++;
			set_hungry(sh);
			pthread_cond_signal(&sh->cv);
			pthread_mutex_unlock(&sh->mu);
			return;
		}
	}
}

/* The next record of fr to visit, or NULL at its end (or when it cannot be
 * read further: counted). */
static struct dent *next_entry(struct worker *w, struct frame *fr)
{
	for (;;) {
		if (fr->pos >= fr->len) {
			if (fr->eof)
				return NULL;
			if (fill(fr) != 0) {
				if (errno == ENOMEM)
					out_of_memory(w);
				else
					note_unreadable(w, w->path, fr->plen);
				return NULL;
			}
			continue;
		}
		struct dent *d = rec_at(fr, fr->pos);
		fr->pos += d->reclen;
		if (d->type != DT_GIVEN && !is_dot(d->name))
			return d;
	}
}

/* Open a directory through the ops table, retried while a signal interrupts
 * the open: an interrupted open must not count as an unreadable directory
 * (that would turn a complete walk into an error result).  -1 with errno. */
static int open_dir(const struct bl_sys_ops *ops, int dirfd, const char *name, bool nofollow)
{
	int fd;
	do
		fd = ops->open_in_root(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC, nofollow);
	while (fd < 0 && errno == EINTR);
	return fd;
}

/*
 * Walk the subtree of the open directory fd (closed here) whose path,
 * relative to the root, is w->path[0..plen); its entries are at depth
 * `depth` and it lives on device dev.  Depth first with an explicit stack of
 * open directories, each read whole (up to DIRBUF_MAX) before its entries
 * are visited, so donate() can see what is left to do at every level.
 */
static void walk_from(struct worker *w, int fd, size_t plen, size_t depth, uint64_t dev)
{
	struct shared *sh = w->sh;
	const struct bl_sys_ops *ops = sh->sys->ops;
	size_t top = 0;
	struct frame *fr = &w->frames[0];
	fr->fd = fd;
	fr->plen = plen;
	fr->depth = depth;
	fr->dev = dev;
	fr->eof = false;
	fr->len = fr->pos = fr->dscan = 0;
	for (;;) {
		struct dent *d = NULL;
		if (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
			if (atomic_load_explicit(&sh->hungry, memory_order_relaxed))
				donate(w, top);
			d = next_entry(w, fr);
		}
		if (!d) {
			ops->close(fr->fd);
			if (top == 0)
				return;
			fr = &w->frames[--top];
			continue;
		}
		struct stat st;
		size_t len;
		if (!visit(w, fr, d->name, w->path, &len, &st))
			continue;
		if (top + 1 >= MAX_DEPTH) {
			note_unreadable(w, w->path, len);
			continue;
		}
		int cfd = open_dir(ops, fr->fd, d->name, true);
		if (cfd < 0) {
			if (errno != ENOENT)
				note_unreadable(w, w->path, len);
			continue;
		}
		struct frame *c = &w->frames[++top];
		c->fd = cfd;
		c->plen = len;
		c->depth = fr->depth + 1;
		c->dev = (uint64_t)st.st_dev;
		c->eof = false;
		c->len = c->pos = c->dscan = 0;
		fr = c;
	}
}

/* Walk one donated directory. */
static void walk_task(struct worker *w, const struct task *t)
{
	size_t plen = strlen(t->path);
	if (plen >= PATH_BUF)
		return;
	memcpy(w->path, t->path, plen + 1);
	struct bl_sys *sys = w->sh->sys;
	int fd = open_dir(sys->ops, sys->rootfd, t->path, true);
	if (fd < 0) {
		if (errno != ENOENT)
			note_unreadable(w, t->path, plen);
		return;
	}
	walk_from(w, fd, plen, t->depth, t->dev);
}

/* The next donated directory, waiting for one while another worker is busy;
 * NULL when every worker is idle and nothing is queued, or on a stop. */
static struct task *take(struct shared *sh)
{
	struct task *t = NULL;
	pthread_mutex_lock(&sh->mu);
	sh->nidle++;
	for (;;) {
		if (atomic_load(&sh->stop) || sh->done)
			break;
		if (sh->queue) {
			t = sh->queue;
			sh->queue = t->next;
			sh->nqueue--;
			break;
		}
		if (sh->nidle == sh->nworkers) {
			sh->done = true;
			pthread_cond_broadcast(&sh->cv);
			break;
		}
		set_hungry(sh);
		pthread_cond_wait(&sh->cv, &sh->mu);
	}
	sh->nidle--;
	set_hungry(sh);
	pthread_mutex_unlock(&sh->mu);
	return t;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct task *t;
	while ((t = take(w->sh)) != NULL)
		walk_task(w, t);
	flush_count(w);
	return NULL;
}

/* ---- building the value --------------------------------------------------- */

static const struct bl_value *name_value(struct bl_facts *f, const struct ids *t, uint32_t id)
{
	if (t->error)
		return bl_facts_error(f, "%s", t->error);
	const struct id_name *e = ids_find(t, id);
	return e ? bl_value_new_str(bl_facts_arena(f), e->name, strlen(e->name))
		 : bl_value_new(bl_facts_arena(f), BL_VNULL);
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

static const struct bl_value *hit_value(struct bl_facts *f, const struct shared *sh,
					const struct hit *h)
{
	struct bl_obj_builder b;
	bl_ob_init(&b, bl_facts_arena(f));
	char mode[8];
	snprintf(mode, sizeof mode, "%04o", (unsigned)(h->mode & 07777));
	bl_ob_strz(&b, "path", h->path);
	bl_ob_strz(&b, "type", type_name((mode_t)h->mode));
	bl_ob_strz(&b, "mode", mode);
	bl_ob_int(&b, "uid", h->uid);
	bl_ob_int(&b, "gid", h->gid);
	bl_ob_add(&b, "owner", name_value(f, sh->users, h->uid));
	bl_ob_add(&b, "group", name_value(f, sh->groups, h->gid));
	bl_ob_int(&b, "size", h->size);
	bl_ob_int(&b, "mtime", h->mtime);
	return bl_ob_finish(&b);
}

static int cmp_hit(const void *a, const void *b)
{
	return strcmp((*(const struct hit *const *)a)->path, (*(const struct hit *const *)b)->path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The walk value from the workers' findings.  NULL on ENOMEM. */
static struct bl_value *build(struct bl_facts *f, struct shared *sh, struct worker *ws, size_t nw)
{
	struct bl_arena *a = bl_facts_arena(f);
	size_t total = 0, nun = 0;
	uint64_t unreadable = 0;
	for (size_t i = 0; i < nw; i++) {
		total += ws[i].nhits;
		nun += ws[i].nunreadable_paths;
		unreadable += ws[i].unreadable;
	}
	const struct hit **all = bl_arena_alloc(a, (total ? total : 1) * sizeof *all);
	char **up = bl_arena_alloc(a, (nun ? nun : 1) * sizeof *up);
	if (!all || !up)
		return NULL;
	size_t k = 0, u = 0;
	for (size_t i = 0; i < nw; i++) {
		for (size_t j = 0; j < ws[i].nhits; j++)
			all[k++] = &ws[i].hits[j];
		for (size_t j = 0; j < ws[i].nunreadable_paths; j++)
			up[u++] = ws[i].unreadable_paths[j];
	}
	qsort(all, total, sizeof *all, cmp_hit);
	qsort(up, nun, sizeof *up, cmp_str);
	struct bl_obj_builder ob;
	bl_ob_init(&ob, a);
	for (int l = 0; l < NLISTS; l++) {
		size_t n = atomic_load(&sh->list_count[l]);
		if (l == L_UNOWNED && (sh->users->error || sh->groups->error)) {
			bl_ob_add(&ob, list_names[l], bl_facts_error(f, "%s", sh->users->error
								     ? sh->users->error
								     : sh->groups->error));
			continue;
		}
		if (n > LIST_CAP) {
			bl_ob_add(&ob, list_names[l],
				  bl_facts_error(f, "%zu entries, more than the %d a list holds", n,
						 LIST_CAP));
			continue;
		}
		struct bl_arr_builder ab;
		bl_ab_init(&ab, a);
		for (size_t j = 0; j < total; j++)
			if (all[j]->lists & (1u << l))
				bl_ab_add(&ab, hit_value(f, sh, all[j]));
		bl_ob_add(&ob, list_names[l], bl_ab_finish(&ab));
	}
	bl_ob_int(&ob, "unreadable", (int64_t)unreadable);
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	for (size_t j = 0; j < nun && j < UNREADABLE_PATHS; j++)
		bl_ab_add(&ab, bl_value_new_str(a, up[j], strlen(up[j])));
	bl_ob_add(&ob, "unreadable_paths", bl_ab_finish(&ab));
	bl_ob_int(&ob, "entries", (int64_t)atomic_load(&sh->entries));
	return bl_ob_finish(&ob);
}

/* ---- the provider --------------------------------------------------------- */

/* Live: the devices not to enter.  0 or BL_ENOMEM; an unreadable mountinfo
 * leaves the list empty and *why set (the walk is then an error value, as it
 * could wander into /proc or a network share). */
static int load_mounts(struct bl_facts *f, struct shared *sh, const char **why)
{
	struct bl_arena *a = bl_facts_arena(f);
	char *d;
	size_t len;
	bool missing;
	struct bl_error err;
	*why = NULL;
	int rc = bl_sys_read(bl_facts_sys(f), "/proc/self/mountinfo", a, &d, &len, NULL, &missing,
			     &err);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc != 0) {
		*why = bl_arena_strndup(a, err.msg, strlen(err.msg));
		return *why ? 0 : BL_ENOMEM;
	}
	uint64_t *devs = bl_arena_calloc(a, MAX_MOUNTS, sizeof *devs);
	if (!devs)
		return BL_ENOMEM;
	sh->skip_devs = devs;
	sh->nskip_devs = parse_mountinfo(d, len, devs, MAX_MOUNTS);
	return 0;
}


/*
 * Run the walk over f's root and build its value (live walks consult
 * mountinfo).  0 with *out set, or BL_ENOMEM.
 */
static int run(struct bl_facts *f, const struct bl_value **out)
{
	struct bl_sys *sys = bl_facts_sys(f);
	const struct bl_facts_opts *o = bl_facts_options(f);
	struct ids users, groups;
	if (load_ids(f, "/etc/passwd", &users) != 0 || load_ids(f, "/etc/group", &groups) != 0)
		return BL_ENOMEM;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS : (size_t)ncpu;
	struct shared *sh = calloc(1, sizeof *sh);
	struct worker *ws = calloc(nthreads, sizeof *ws);
	if (!sh || !ws) {
		free(sh);
		free(ws);
		return BL_ENOMEM;
	}
	int rc = 0;
	sh->sys = sys;
	sh->users = &users;
	sh->groups = &groups;
	sh->live = bl_facts_live(f);
	sh->max_entries = o->walk_max_entries ? o->walk_max_entries : 5000000;
	sh->max_seconds = o->walk_max_seconds > 0 ? o->walk_max_seconds : 300;
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	clock_gettime(CLOCK_MONOTONIC, &sh->start);
	for (size_t i = 0; i < nthreads; i++) {
		ws[i].sh = sh;
		bl_arena_init(&ws[i].a, 0);
	}
	if (sh->live) {
		const char *why;
		if ((rc = load_mounts(f, sh, &why)) != 0)
			goto done;
		if (why) {
			*out = bl_facts_error(f, "cannot tell local from pseudo filesystems: %s", why);
			goto done;
		}
	}
	struct stat rst;
	int fd = open_dir(sys->ops, sys->rootfd, ".", false);
	if (fd < 0 || fstat(fd, &rst) != 0) {
		*out = bl_facts_error(f, "%s: cannot open the root: %s", sys->root, strerror(errno));
		if (fd >= 0)
			sys->ops->close(fd);
		goto done;
	}
	/* The first worker starts at the root; the others wait for donations. */
	sh->nworkers = nthreads;
	pthread_t th[MAX_THREADS];
	bool started[MAX_THREADS] = {false};
	for (size_t i = 1; i < nthreads; i++) {
		started[i] = pthread_create(&th[i], NULL, worker_main, &ws[i]) == 0;
		if (!started[i]) {
			pthread_mutex_lock(&sh->mu);
			sh->nworkers--;
			pthread_mutex_unlock(&sh->mu);
		}
	}
	ws[0].path[0] = '\0';
	walk_from(&ws[0], fd, 0, 0, (uint64_t)rst.st_dev);
	worker_main(&ws[0]);
	for (size_t i = 1; i < nthreads; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	for (size_t i = 0; i < nthreads; i++)
		if (ws[i].nomem)
			rc = BL_ENOMEM;
	if (rc)
		goto done;
	if (atomic_load(&sh->stop)) {
		unsigned long long n = (unsigned long long)atomic_load(&sh->entries);
		*out = atomic_load(&sh->stop_reason) == STOP_ENTRIES
		       ? bl_facts_error(f, "filesystem walk stopped after %llu entries (cap of %llu "
					"entries)", n, (unsigned long long)sh->max_entries)
		       : bl_facts_error(f, "filesystem walk stopped after %llu entries (cap of %g "
					"seconds)", n, sh->max_seconds);
		goto done;
	}
	*out = build(f, sh, ws, nthreads);
done:
	for (size_t i = 0; i < nthreads; i++) {
		for (size_t k = 0; k < MAX_DEPTH; k++)
			free(ws[i].frames[k].buf);
		bl_arena_free(&ws[i].a);
	}
	pthread_cond_destroy(&sh->cv);
	pthread_mutex_destroy(&sh->mu);
	free(ws);
	free(sh);
	if (rc)
		return rc;
	return *out ? 0 : BL_ENOMEM;
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	*out = NULL;
	return run(f, out);
}

const struct bl_provider bl_provider_walk = {
	.version = BL_PROVIDER_VERSION,
	.name = "walk",
	.keyed = false,
	.summary = "one shared filesystem walk: world-writable, sticky-missing, unowned, suid, sgid",
	.resolve = resolve,
};
