/*
 * decompress.c - streaming, capped decompression of files inside the root
 * (see decompress.h).  One source (a file read through the bl_sys ops in
 * 64 KiB chunks, or bytes in memory), one decoder loop per format, one
 * capped output that hands decompressed chunks to the caller's sink.  The
 * libraries' own allocations (zlib's 32 KiB window, lz4's block buffers of
 * at most 4 MiB, liblzma's dictionary under a 128 MiB limit) and the lz4
 * ring (two blocks + 64 KiB) are bounded and freed before returning.
 * Each library is opened when its format is first decoded (util/
 * compress_api.h); where it is missing, that format's lists fail with
 * BL_EINTERNAL naming the package to install.
 */
#include "facts/decompress.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <lzma.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "util/arena.h"
#include "util/compress_api.h"   /* each library is loaded on first use */

#define MAX_OUT_DEFAULT (512ull << 20)
#define MAX_IN_DEFAULT (1ull << 30)
#define XZ_MEMLIMIT (128ull << 20)

enum bl_zfmt bl_zfmt_from_suffix(const char *suffix)
{
	if (!suffix[0])
		return BL_ZFMT_PLAIN;
	if (strcmp(suffix, "gz") == 0)
		return BL_ZFMT_GZIP;
	if (strcmp(suffix, "lz4") == 0)
		return BL_ZFMT_LZ4;
	if (strcmp(suffix, "xz") == 0 || strcmp(suffix, "lzma") == 0)
		return BL_ZFMT_XZ;
	return BL_ZFMT_UNKNOWN;
}

const char *bl_zfmt_name(enum bl_zfmt fmt)
{
	switch (fmt) {
	case BL_ZFMT_PLAIN: return "plain";
	case BL_ZFMT_GZIP: return "gzip";
	case BL_ZFMT_LZ4: return "lz4";
	case BL_ZFMT_XZ: return "xz";
	default: return "unknown";
	}
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

/* open_in_root, retried while a signal interrupts it (as sys.c does). */
static int open_retry(struct bl_sys *s, const char *rel, int flags)
{
	int fd;
	do
		fd = s->ops->open_in_root(s->rootfd, rel, flags, false);
	while (fd < 0 && errno == EINTR);
	return fd;
}

int bl_zfile_open(struct bl_sys *s, const char *path, int *out, bool *missing,
		  struct bl_error *err)
{
	if (missing)
		*missing = false;
	*out = -1;
	const char *rel = path;
	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
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
	if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino || !S_ISREG(st2.st_mode)) {
		s->ops->close(fd);
		return bl_error_set(err, BL_EIO, "", 0, 0, "%s: file replaced while being read", path);
	}
	*out = fd;
	return 0;
}

int bl_zfile_read(struct bl_sys *s, int fd, const char *path, void *buf, size_t n, size_t *got,
		  struct bl_error *err)
{
	ssize_t r;
	do
		r = s->ops->read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		*got = 0;
		if (errno == EAGAIN)
			return bl_error_set(err, BL_EIO, "", 0, 0, "%s: would block", path);
		return bl_error_set(err, BL_EIO, "", 0, 0, "%s: %s", path, reason(errno));
	}
	*got = (size_t)r > n ? n : (size_t)r;   /* a misbehaving read never overruns buf */
	return 0;
}

/* ---- source and capped output ----------------------------------------- */

struct source {
	struct bl_sys *s;       /* NULL: read from mem */
	int fd;
	const char *path;
	const unsigned char *mem;
	size_t memlen, mempos;
	uint64_t total, max;
};

/* Next input chunk into buf: *got = 0 at the end.  0 or BL_EIO/BL_ELIMIT. */
static int src_read(struct source *src, unsigned char *buf, size_t cap, size_t *got,
		    struct bl_error *err)
{
	if (!src->s) {
		size_t n = src->memlen - src->mempos;
		*got = n < cap ? n : cap;
		memcpy(buf, src->mem + src->mempos, *got);
		src->mempos += *got;
	} else {
		int rc = bl_zfile_read(src->s, src->fd, src->path, buf, cap, got, err);
		if (rc)
			return rc;
	}
	src->total += *got;
	if (src->total > src->max)
		return bl_error_set(err, BL_ELIMIT, "", 0, 0, "%s: larger than %llu bytes, not read",
				    src->path, (unsigned long long)src->max);
	return 0;
}

struct out {
	bl_zsink sink;
	void *ctx;
	const char *path;
	uint64_t total, max;
	bool plain;
};

/* Hand n bytes on, within the cap.  0, BL_ELIMIT, or what the sink returned. */
static int out_put(struct out *o, const unsigned char *d, size_t n, struct bl_error *err)
{
	if (n == 0)
		return 0;
	if (n > o->max - o->total) {
		if (o->plain)
			return bl_error_set(err, BL_ELIMIT, "", 0, 0,
					    "%s: larger than %llu bytes, not read", o->path,
					    (unsigned long long)o->max);
		return bl_error_set(err, BL_ELIMIT, "", 0, 0,
				    "%s: more than %llu bytes uncompressed, not read", o->path,
				    (unsigned long long)o->max);
	}
	o->total += n;
	return o->sink(o->ctx, (const char *)d, n);
}

static int corrupt(struct bl_error *err, const struct out *o, const char *fmt, const char *why)
{
	return bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: not valid %s data (%s)", o->path, fmt,
			    why);
}

/* ---- decoders: 0, or an error code with err set, or the sink's code ---- */

static int run_plain(struct source *src, struct out *o, unsigned char *in, unsigned char *outb,
		     struct bl_error *err)
{
	(void)outb;
	for (;;) {
		size_t got;
		int rc = src_read(src, in, BL_Z_CHUNK, &got, err);
		if (rc || got == 0)
			return rc;
		if ((rc = out_put(o, in, got, err)) != 0)
			return rc;
	}
}

static int run_gzip(struct source *src, struct out *o, unsigned char *in, unsigned char *outb,
		    struct bl_error *err)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	int rc = 0;
	bool in_member = false, any_member = false;
	for (;;) {
		if (z.avail_in == 0) {
			size_t got;
			if ((rc = src_read(src, in, BL_Z_CHUNK, &got, err)) != 0)
				break;
			if (got == 0) {
				if (in_member || !any_member)
					rc = bl_error_set(err, BL_EINVAL, "", 0, 0,
							  "%s: truncated gzip data", o->path);
				break;
			}
			z.next_in = in;
			z.avail_in = (uInt)got;
		}
		in_member = true;
		z.next_out = outb;
		z.avail_out = BL_Z_CHUNK;
		int zr = inflate(&z, Z_NO_FLUSH);
		if (zr == Z_MEM_ERROR) {
			rc = bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
			break;
		}
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			rc = corrupt(err, o, "gzip", z.msg ? z.msg : "bad data");
			break;
		}
		if ((rc = out_put(o, outb, BL_Z_CHUNK - z.avail_out, err)) != 0)
			break;
		if (zr == Z_STREAM_END) {
			/* a multi-member file goes on with the next member */
			in_member = false;
			any_member = true;
			if (inflateReset(&z) != Z_OK) {
				rc = corrupt(err, o, "gzip", "reset failed");
				break;
			}
		}
	}
	inflateEnd(&z);
	return rc;
}

/* The largest block an lz4 frame declares (its block size ID), 64 KiB for
 * the default and for values the format does not define. */
static size_t lz4_block_max(LZ4F_blockSizeID_t id)
{
	switch (id) {
	case LZ4F_max256KB: return 256u << 10;
	case LZ4F_max1MB: return 1u << 20;
	case LZ4F_max4MB: return 4u << 20;
	default: return 64u << 10;
	}
}

/*
 * Where lz4 decodes to.  Left to itself, LZ4F keeps the last 64 KiB of
 * output (the window of linked blocks) by copying it into a buffer of its
 * own after every call, or decodes there and copies out: a copy of every
 * byte, as much work as the decoding.  So once a frame's header is known,
 * blocks are decoded into a ring of 2 blocks + 64 KiB, with LZ4F's
 * stableDst pledge that the last 64 KiB of output stay where they were
 * written: each call gets room for one whole block (LZ4F decodes straight
 * into the caller's buffer only then), and the ring wraps before a block
 * would not fit.  Right after a wrap, the window may still lie partly at
 * the old end; the new block cannot reach it, since it started at least a
 * block + 64 KiB from the ring's start.
 */
struct lz4_ring {
	unsigned char *buf;     /* NULL until the frame's header is read */
	unsigned char *stock;   /* the largest ring allocated so far (size bytes) */
	size_t size, block, pos;
};

/* Size the ring for the frame whose header d has read (ring->buf NULL when
 * the header is not complete yet, or for a skippable frame).  Out of
 * memory is not an error: decoding goes on through LZ4F's own buffers. */
static void lz4_ring_size(LZ4F_dctx *d, const unsigned char *src, size_t *srclen,
			  struct lz4_ring *r, struct bl_arena *a)
{
	LZ4F_frameInfo_t fi;
	r->buf = NULL;
	/* decodes the header when src holds all of it (consuming it), or
	 * answers from one decoded already; fails when it is only partly in */
	if (LZ4F_isError(LZ4F_getFrameInfo(d, &fi, src, srclen))) {
		*srclen = 0;
		return;
	}
	if (fi.frameType != LZ4F_frame)
		return;
	size_t block = lz4_block_max(fi.blockSizeID);
	size_t size = 2 * block + (64u << 10);
	if (r->size < size) {
		unsigned char *p = bl_arena_alloc(a, size);
		if (!p)
			return;
		r->size = size;
		r->stock = p;
	}
	r->buf = r->stock;
	r->block = block;
	r->pos = 0;
}

static int run_lz4(struct source *src, struct out *o, unsigned char *in, unsigned char *outb,
		   struct bl_arena *a, struct bl_error *err)
{
	LZ4F_dctx *d = NULL;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	int rc = 0;
	size_t hint = 1;   /* 0 once a frame is complete */
	bool any = false, sized = false;
	struct lz4_ring ring = {0};
	for (;;) {
		size_t got;
		if ((rc = src_read(src, in, BL_Z_CHUNK, &got, err)) != 0)
			break;
		if (got == 0) {
			if (!any || hint != 0)
				rc = bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: truncated lz4 data",
						  o->path);
			break;
		}
		any = true;
		size_t pos = 0;
		bool full = false;
		/* go on while input is left or the last call filled the output
		 * (lz4 may hold decoded bytes back until asked again) */
		while (rc == 0 && (pos < got || full)) {
			if (!sized) {
				size_t hn = got - pos;
				lz4_ring_size(d, in + pos, &hn, &ring, a);
				pos += hn;
				sized = ring.buf != NULL;
			}
			unsigned char *dst = outb;
			size_t cap = BL_Z_CHUNK;
			LZ4F_decompressOptions_t opt = {.stableDst = sized};
			if (sized) {
				if (ring.size - ring.pos < ring.block)
					ring.pos = 0;
				dst = ring.buf + ring.pos;
				cap = ring.block;
			}
			size_t dn = cap, sn = got - pos;
			size_t r = LZ4F_decompress(d, dst, &dn, in + pos, &sn, &opt);
			if (LZ4F_isError(r)) {
				rc = corrupt(err, o, "lz4", LZ4F_getErrorName(r));
				break;
			}
			pos += sn;
			hint = r;
			full = dn == cap;
			if (sized)
				ring.pos += dn;
			if (hint == 0)
				sized = false;   /* the next frame sizes the ring again */
			rc = out_put(o, dst, dn, err);
			if (sn == 0 && dn == 0)
				break;   /* no progress: needs more input */
		}
		if (rc)
			break;
	}
	LZ4F_freeDecompressionContext(d);
	return rc;
}

static int run_xz(struct source *src, struct out *o, unsigned char *in, unsigned char *outb,
		  struct bl_error *err)
{
	lzma_stream z = LZMA_STREAM_INIT;
	lzma_ret lr = lzma_auto_decoder(&z, XZ_MEMLIMIT, LZMA_CONCATENATED);
	if (lr != LZMA_OK)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	int rc = 0;
	lzma_action act = LZMA_RUN;
	for (;;) {
		if (z.avail_in == 0 && act == LZMA_RUN) {
			size_t got;
			if ((rc = src_read(src, in, BL_Z_CHUNK, &got, err)) != 0)
				break;
			if (got == 0)
				act = LZMA_FINISH;
			z.next_in = in;
			z.avail_in = got;
		}
		z.next_out = outb;
		z.avail_out = BL_Z_CHUNK;
		lr = lzma_code(&z, act);
		if ((rc = out_put(o, outb, BL_Z_CHUNK - z.avail_out, err)) != 0)
			break;
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_OK)
			continue;
		if (lr == LZMA_MEM_ERROR)
			rc = bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
		else if (lr == LZMA_MEMLIMIT_ERROR)
			rc = corrupt(err, o, "xz", "needs more than 128 MiB to decode");
		else if (lr == LZMA_BUF_ERROR)
			rc = bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: truncated xz data", o->path);
		else
			rc = corrupt(err, o, "xz", lr == LZMA_FORMAT_ERROR ? "bad header" : "bad data");
		break;
	}
	lzma_end(&z);
	return rc;
}

static int run(struct source *src, enum bl_zfmt fmt, uint64_t max_out, bl_zsink sink,
	       void *ctx, struct bl_error *err)
{
	struct out o = {.sink = sink, .ctx = ctx, .path = src->path, .total = 0,
			.max = max_out ? max_out : MAX_OUT_DEFAULT, .plain = fmt == BL_ZFMT_PLAIN};
	struct bl_arena a;
	bl_arena_init(&a, 2 * BL_Z_CHUNK + 256);
	unsigned char *in = bl_arena_alloc(&a, BL_Z_CHUNK);
	unsigned char *outb = bl_arena_alloc(&a, BL_Z_CHUNK);
	int rc;
	if (!in || !outb) {
		rc = bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	} else {
		/* the format's library is opened when first needed (util/compress_api.h) */
		switch (fmt) {
		case BL_ZFMT_PLAIN: rc = run_plain(src, &o, in, outb, err); break;
		case BL_ZFMT_GZIP:
			if ((rc = bl_zlib_load(err)) == 0)
				rc = run_gzip(src, &o, in, outb, err);
			break;
		case BL_ZFMT_LZ4:
			if ((rc = bl_lz4_load(err)) == 0)
				rc = run_lz4(src, &o, in, outb, &a, err);
			break;
		case BL_ZFMT_XZ:
			if ((rc = bl_lzma_load(err)) == 0)
				rc = run_xz(src, &o, in, outb, err);
			break;
		default:
			rc = bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: unsupported compression",
					  src->path);
			break;
		}
	}
	bl_arena_free(&a);
	return rc;
}

int bl_zstream_file(struct bl_sys *s, const char *path, enum bl_zfmt fmt, uint64_t max_out,
		    uint64_t max_in, bl_zsink sink, void *ctx, bool *missing, struct bl_error *err)
{
	if (fmt == BL_ZFMT_UNKNOWN)
		return bl_error_set(err, BL_EINVAL, "", 0, 0, "%s: unsupported compression", path);
	int fd;
	int rc = bl_zfile_open(s, path, &fd, missing, err);
	if (rc)
		return rc;
	struct source src = {.s = s, .fd = fd, .path = path,
			     .max = max_in ? max_in : MAX_IN_DEFAULT};
	rc = run(&src, fmt, max_out, sink, ctx, err);
	s->ops->close(fd);
	return rc;
}

int bl_zstream_mem(const char *name, enum bl_zfmt fmt, const void *data, size_t len,
		   uint64_t max_out, bl_zsink sink, void *ctx, struct bl_error *err)
{
	struct source src = {.s = NULL, .fd = -1, .path = name, .mem = data, .memlen = len,
			     .max = UINT64_MAX};
	return run(&src, fmt, max_out, sink, ctx, err);
}
