/*
 * dpkg.c - deb822 stanza reading for the dpkg database and apt package lists
 * (see dpkg.h): one line-at-a-time state machine fed either from memory or
 * from a file streamed in 64 KiB chunks through the bl_sys ops table.
 */
#include "facts/dpkg.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "util/arena.h"
#include "util/str.h"

#define CHUNK (64u * 1024u)

struct parser {
	struct bl_dpkg_stanza st;
	bool any;               /* the current stanza has a field */
	uint64_t line;
	bl_dpkg_fn fn;
	void *ctx;
};

static void parser_init(struct parser *p, bl_dpkg_fn fn, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->fn = fn;
	p->ctx = ctx;
}

/* End of a stanza: hand it over and start afresh.  Returns what fn returned. */
static int flush(struct parser *p)
{
	if (!p->any)
		return 0;
	int rc = p->fn(p->ctx, &p->st);
	p->st.package.set = p->st.status.set = p->st.version.set = p->st.arch.set = false;
	p->st.package.len = p->st.status.len = p->st.version.len = p->st.arch.len = 0;
	p->st.bad = false;
	p->any = false;
	return rc;
}

static struct bl_dpkg_field *pick(struct parser *p, const char *name, size_t n)
{
	if (bl_str_ieq(name, n, "Package", 7))
		return &p->st.package;
	if (bl_str_ieq(name, n, "Status", 6))
		return &p->st.status;
	if (bl_str_ieq(name, n, "Version", 7))
		return &p->st.version;
	if (bl_str_ieq(name, n, "Architecture", 12))
		return &p->st.arch;
	return NULL;
}

/* One line without its '\n'.  Infallible; returns what flush returned. */
static int feed(struct parser *p, const char *l, size_t n)
{
	p->line++;
	if (n && l[n - 1] == '\r')
		n--;
	size_t i = 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i == n)
		return flush(p);
	if (i > 0 || l[0] == '#')
		return 0;   /* continuation of a multi-line field, or a comment */
	const char *colon = memchr(l, ':', n);
	if (!colon)
		return 0;   /* not a field: dpkg would refuse the file; we skip the line */
	size_t nlen = (size_t)(colon - l);
	while (nlen && (l[nlen - 1] == ' ' || l[nlen - 1] == '\t'))
		nlen--;
	const char *v = colon + 1, *end = l + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (!p->any) {
		p->any = true;
		p->st.line = p->line;
	}
	struct bl_dpkg_field *fl = pick(p, l, nlen);
	if (!fl || fl->set)
		return 0;   /* a repeated field keeps its first value */
	size_t vlen = (size_t)(end - v);
	if (vlen >= BL_DPKG_FIELD_MAX) {
		p->st.bad = true;
		return 0;
	}
	memcpy(fl->s, v, vlen);
	fl->s[vlen] = '\0';
	fl->len = vlen;
	fl->set = true;
	return 0;
}

int bl_dpkg_parse(const char *data, size_t len, bl_dpkg_fn fn, void *ctx)
{
	struct parser p;
	parser_init(&p, fn, ctx);
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
		int rc = feed(&p, data + i, n);
		if (rc)
			return rc;
		i += n + 1;
	}
	return flush(&p);
}

static const char *reason(int e)
{
	switch (e) {
	case EACCES: case EPERM: return "permission denied";
	case ENOENT: return "no such file";
	case ELOOP: return "too many levels of symbolic links";
	case ENOTDIR: return "not a directory";
	case EIO: return "input/output error";
	default: return strerror(e);
	}
}

static const char *type_name(mode_t m)
{
	if (S_ISDIR(m)) return "directory";
	if (S_ISFIFO(m)) return "fifo";
	if (S_ISSOCK(m)) return "socket";
	if (S_ISCHR(m)) return "character device";
	if (S_ISBLK(m)) return "block device";
	return "special file";
}

/* Read the open fd chunk by chunk, feeding whole lines.  A line longer than
 * the chunk is dropped (no field we keep is that long). */
static int stream_fd(struct bl_sys *s, int fd, const char *path, uint64_t max_bytes,
		     struct parser *p, char *buf, struct bl_error *err)
{
	size_t have = 0;
	uint64_t total = 0;
	bool skipping = false;   /* inside an over-long line */
	for (;;) {
		ssize_t r;
		do
			r = s->ops->read(fd, buf + have, CHUNK - have);
		while (r < 0 && errno == EINTR);
		if (r < 0) {
			if (errno == EAGAIN)
				return bl_error_set(err, BL_EIO, "", 0, 0, "%s: would block", path);
			return bl_error_set(err, BL_EIO, "", 0, 0, "%s: %s", path, reason(errno));
		}
		total += (uint64_t)r;
		if (total > max_bytes)
			return bl_error_set(err, BL_ELIMIT, "", 0, 0,
					    "%s: larger than %llu bytes, not read", path,
					    (unsigned long long)max_bytes);
		have += (size_t)r;
		bool eof = r == 0;
		size_t i = 0;
		for (;;) {
			const char *nl = memchr(buf + i, '\n', have - i);
			if (!nl)
				break;
			size_t n = (size_t)(nl - (buf + i));
			if (skipping) {
				skipping = false;
				p->line++;
			} else {
				int rc = feed(p, buf + i, n);
				if (rc)
					return rc;
			}
			i += n + 1;
		}
		memmove(buf, buf + i, have - i);
		have -= i;
		if (eof) {
			if (have && !skipping) {
				int rc = feed(p, buf, have);
				if (rc)
					return rc;
			}
			return flush(p);
		}
		if (have == CHUNK) {   /* over-long line: drop it up to its newline */
			skipping = true;
			have = 0;
		}
	}
}

/* open_in_root, retried while a signal interrupts it (as sys.c does): an
 * interrupted open is no reason to report the package database unreadable. */
static int open_retry(struct bl_sys *s, const char *rel, int flags)
{
	int fd;
	do
		fd = s->ops->open_in_root(s->rootfd, rel, flags, false);
	while (fd < 0 && errno == EINTR);
	return fd;
}

int bl_dpkg_stream(struct bl_sys *s, const char *path, uint64_t max_bytes, bl_dpkg_fn fn,
		   void *ctx, bool *missing, struct bl_error *err)
{
	if (missing)
		*missing = false;
	if (max_bytes == 0)
		max_bytes = 1ull << 30;
	const char *rel = path;
	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	/* Look before opening for reading: a FIFO or a device is never opened. */
	struct stat st, st2;
	int fd = open_retry(s, rel, O_PATH | O_CLOEXEC);
	if (fd >= 0) {
		int frc = s->ops->fstat(fd, &st);
		int e = errno;
		s->ops->close(fd);
		errno = e;
		fd = frc == 0 ? 0 : -1;
	}
	if (fd < 0) {
		int e = errno;
		if ((e == ENOENT || e == ENOTDIR) && missing)
			*missing = true;
		return bl_error_set(err, BL_EIO, "", 0, 0, "%s: %s", path, reason(e));
	}
	if (!S_ISREG(st.st_mode))
		return bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: is a %s, not a regular file", path,
				    type_name(st.st_mode));
	fd = open_retry(s, rel, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return bl_error_set(err, BL_EIO, "", 0, 0, "%s: %s", path, reason(errno));
	if (s->ops->fstat(fd, &st2) != 0) {
		int e = errno;
		s->ops->close(fd);
		return bl_error_set(err, BL_EIO, "", 0, 0, "%s: %s", path, reason(e));
	}
	if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
		s->ops->close(fd);
		return bl_error_set(err, BL_EIO, "", 0, 0, "%s: file replaced while being read", path);
	}
	struct bl_arena a;
	bl_arena_init(&a, CHUNK + 256);
	char *buf = bl_arena_alloc(&a, CHUNK);
	int rc;
	if (!buf) {
		rc = bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	} else {
		struct parser p;
		parser_init(&p, fn, ctx);
		rc = stream_fd(s, fd, path, max_bytes, &p, buf, err);
	}
	bl_arena_free(&a);
	s->ops->close(fd);
	return rc;
}

bool bl_dpkg_status_installed(const char *status, size_t len)
{
	/* "want error state": the last word says whether the files are there */
	size_t end = len;
	while (end && (status[end - 1] == ' ' || status[end - 1] == '\t'))
		end--;
	size_t b = end;
	while (b && status[b - 1] != ' ' && status[b - 1] != '\t')
		b--;
	const char *w = status + b;
	size_t n = end - b;
	if (b == 0)
		return false;   /* one word: not a dpkg status */
	return bl_str_ieq(w, n, "installed", 9) || bl_str_ieq(w, n, "triggers-pending", 16) ||
	       bl_str_ieq(w, n, "triggers-awaited", 16);
}

/* ---- the database ------------------------------------------------------ */

struct load_ctx {
	struct bl_dpkg_db *db;
	struct bl_arena *a;
	const char *dpkg_arch;   /* Architecture of the `dpkg` package itself */
};

static const char *dup_field(struct bl_arena *a, const struct bl_dpkg_field *fl)
{
	return fl->set ? bl_arena_strndup(a, fl->s, fl->len) : "";
}

static int load_one(void *vctx, const struct bl_dpkg_stanza *st)
{
	struct load_ctx *c = vctx;
	struct bl_dpkg_db *db = c->db;
	if (st->bad || !st->package.set || st->package.len == 0)
		return 0;
	if (db->n >= db->max_entries) {
		db->truncated = true;
		return 0;
	}
	if (db->n == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 256;
		struct bl_dpkg_pkg *items = bl_arena_alloc(c->a, cap * sizeof(*items));
		if (!items)
			return BL_ENOMEM;
		if (db->n)
			memcpy(items, db->items, db->n * sizeof(*items));
		db->items = items;
		db->cap = cap;
	}
	struct bl_dpkg_pkg *p = &db->items[db->n];
	p->name = dup_field(c->a, &st->package);
	p->version = dup_field(c->a, &st->version);
	p->arch = dup_field(c->a, &st->arch);
	p->status = dup_field(c->a, &st->status);
	if (!p->name || !p->version || !p->arch || !p->status)
		return BL_ENOMEM;
	p->installed = st->status.set && bl_dpkg_status_installed(st->status.s, st->status.len);
	p->next = 0;
	if (!c->dpkg_arch && strcmp(p->name, "dpkg") == 0 && p->arch[0])
		c->dpkg_arch = p->arch;
	db->n++;
	return 0;
}

static size_t slot_of(const struct bl_dpkg_db *db, const char *name, size_t len)
{
	return (size_t)bl_hash(name, len, false) & (db->nslots - 1);
}

static int build_index(struct bl_dpkg_db *db, struct bl_arena *a)
{
	db->nslots = 16;
	while (db->nslots < db->n * 2)
		db->nslots *= 2;
	db->slots = bl_arena_calloc(a, db->nslots, sizeof(*db->slots));
	if (!db->slots)
		return BL_ENOMEM;
	for (size_t i = 0; i < db->n; i++) {
		const char *name = db->items[i].name;
		size_t len = strlen(name);
		for (size_t k = slot_of(db, name, len);; k = (k + 1) & (db->nslots - 1)) {
			if (!db->slots[k]) {
				db->slots[k] = (uint32_t)(i + 1);
				break;
			}
			struct bl_dpkg_pkg *q = &db->items[db->slots[k] - 1];
			if (strcmp(q->name, name) == 0) {
				while (q->next)
					q = &db->items[q->next - 1];
				q->next = (uint32_t)(i + 1);
				break;
			}
		}
	}
	return 0;
}

/* The first line of /var/lib/dpkg/arch (optional file), or NULL. */
static const char *arch_file(struct bl_sys *s, struct bl_arena *a)
{
	char *data;
	size_t len;
	bool missing;
	struct bl_error e;
	if (bl_sys_read(s, "/var/lib/dpkg/arch", a, &data, &len, NULL, &missing, &e) != 0)
		return NULL;
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
		i++;
	size_t j = i;
	while (j < len && data[j] != ' ' && data[j] != '\t' && data[j] != '\n' && data[j] != '\r')
		j++;
	return j > i ? bl_arena_strndup(a, data + i, j - i) : NULL;
}

int bl_dpkg_db_load(struct bl_dpkg_db *db, struct bl_sys *s, struct bl_arena *a, bool *missing,
		    struct bl_error *err)
{
	size_t max = db->max_entries ? db->max_entries : 200000;
	memset(db, 0, sizeof(*db));
	db->max_entries = max;
	struct load_ctx c = {.db = db, .a = a, .dpkg_arch = NULL};
	int rc = bl_dpkg_stream(s, "/var/lib/dpkg/status", 0, load_one, &c, missing, err);
	if (rc == BL_ENOMEM)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	if (rc)
		return rc;
	if (build_index(db, a) != 0)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	db->native = c.dpkg_arch;
	if (!db->native)
		db->native = arch_file(s, a);
	for (size_t i = 0; !db->native && i < db->n; i++)
		if (db->items[i].arch[0] && strcmp(db->items[i].arch, "all") != 0)
			db->native = db->items[i].arch;
	if (!db->native)
		db->native = "";
	return 0;
}

const struct bl_dpkg_pkg *bl_dpkg_db_first(const struct bl_dpkg_db *db, const char *name,
					   size_t len)
{
	if (!db->nslots)
		return NULL;
	for (size_t k = slot_of(db, name, len);; k = (k + 1) & (db->nslots - 1)) {
		if (!db->slots[k])
			return NULL;
		const struct bl_dpkg_pkg *q = &db->items[db->slots[k] - 1];
		if (strlen(q->name) == len && memcmp(q->name, name, len) == 0)
			return q;
	}
}

const struct bl_dpkg_pkg *bl_dpkg_db_find(const struct bl_dpkg_db *db, const char *key,
					  size_t len)
{
	const char *colon = memchr(key, ':', len);
	size_t nlen = colon ? (size_t)(colon - key) : len;
	const char *arch = colon ? colon + 1 : NULL;
	size_t alen = colon ? len - nlen - 1 : 0;
	const struct bl_dpkg_pkg *best = NULL;
	int best_score = -1;
	for (const struct bl_dpkg_pkg *q = bl_dpkg_db_first(db, key, nlen); q;
	     q = q->next ? &db->items[q->next - 1] : NULL) {
		if (arch && !(strlen(q->arch) == alen && memcmp(q->arch, arch, alen) == 0))
			continue;
		int score = (q->installed ? 4 : 0) +
			    ((strcmp(q->arch, db->native) == 0 || strcmp(q->arch, "all") == 0) ? 2 : 0);
		if (score > best_score) {
			best = q;
			best_score = score;
		}
	}
	return best;
}
