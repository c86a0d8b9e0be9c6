/*
 * decompress.h - streaming reads of (possibly compressed) files inside the
 * root, for apt's package lists: apt keeps them lz4- or gzip-compressed
 * when Acquire::GzipIndexes is set (Docker images), and a Debian main list
 * is ~50 MB uncompressed, so nothing here ever holds a whole file: input is
 * read through the bl_sys ops table in 64 KiB chunks and handed on, after
 * decompression, to a sink in chunks of at most BL_Z_CHUNK bytes (an lz4
 * frame of bigger blocks: at most one block, up to 4 MiB, decoded in place).
 *
 * Formats: plain, gzip (zlib, every member of a multi-member file), lz4
 * frames (liblz4's LZ4F API, concatenated frames and skippable frames) and
 * xz / lzma-alone (liblzma's auto decoder, concatenated streams).  Others
 * (bzip2, zstd) are BL_ZFMT_UNKNOWN: the caller reports them as skipped.
 *
 * The decompressed size is capped (a decompression bomb is an error, never
 * a memory or time sink), and a truncated or corrupt stream is an error:
 * a partial list must not pass as a complete one.
 */
#ifndef BL_FACTS_DECOMPRESS_H
#define BL_FACTS_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts/sys.h"
#include "util/error.h"

#define BL_Z_CHUNK (64u * 1024u)

enum bl_zfmt { BL_ZFMT_PLAIN, BL_ZFMT_GZIP, BL_ZFMT_LZ4, BL_ZFMT_XZ, BL_ZFMT_UNKNOWN };

/* The format a file-name suffix names, without the dot: "" plain, "gz",
 * "lz4", "xz" and "lzma"; anything else BL_ZFMT_UNKNOWN.  Infallible. */
enum bl_zfmt bl_zfmt_from_suffix(const char *suffix);

/* "plain", "gzip", "lz4", "xz", "unknown".  Infallible. */
const char *bl_zfmt_name(enum bl_zfmt fmt);

/* Receives decompressed bytes in order (n >= 1).  Return 0 to go on; any
 * other value stops the stream and is returned as is. */
typedef int (*bl_zsink)(void *ctx, const char *data, size_t n);

/*
 * Open a regular file inside the root for reading: looked at with O_PATH
 * first, so a FIFO, socket or device is never opened for reading, then
 * opened O_RDONLY|O_NONBLOCK and checked to be the same inode.  Missing:
 * BL_EIO with *missing = true (missing may be NULL).  Not a regular file:
 * BL_EINVAL "PATH: is a fifo, not a regular file".  Otherwise BL_EIO
 * "PATH: permission denied" etc.  On success *fd is to be closed with
 * s->ops->close.
 */
int bl_zfile_open(struct bl_sys *s, const char *path, int *fd, bool *missing,
		  struct bl_error *err);

/*
 * Read up to n bytes from fd through s->ops, retrying EINTR: *got = 0 at
 * end of file.  BL_EIO "PATH: input/output error" (or "would block").
 */
int bl_zfile_read(struct bl_sys *s, int fd, const char *path, void *buf, size_t n, size_t *got,
		  struct bl_error *err);

/*
 * Stream path (inside the root) decompressed as fmt to sink.  At most
 * max_out decompressed bytes (0 = 512 MiB) and max_in file bytes (0 =
 * 1 GiB) are accepted: beyond, BL_ELIMIT "PATH: more than N bytes
 * uncompressed, not read".  Corrupt or truncated data: BL_EINVAL "PATH:
 * not valid lz4 data (...)" / "PATH: truncated gzip data".  Open errors as
 * bl_zfile_open; BL_ENOMEM; BL_EINVAL for BL_ZFMT_UNKNOWN; BL_EINTERNAL
 * when the format's library cannot be loaded (the message names its
 * package).  A non-zero return of sink is passed back as is (err untouched).
 */
int bl_zstream_file(struct bl_sys *s, const char *path, enum bl_zfmt fmt, uint64_t max_out,
		    uint64_t max_in, bl_zsink sink, void *ctx, bool *missing, struct bl_error *err);

/* The same over bytes in memory (tests, fuzzing); messages name `name`. */
int bl_zstream_mem(const char *name, enum bl_zfmt fmt, const void *data, size_t len,
		   uint64_t max_out, bl_zsink sink, void *ctx, struct bl_error *err);

#endif
