/*
 * load.c - read a whole document file and parse it as JSON or YAML, chosen
 * by its first non-blank byte (see load.h).
 *
 * The bytes handed to the JSON reader live in the arena because JSON
 * strings point into them; YAML copies its strings, so for YAML the read
 * buffer is released right after parsing.
 */
#include "doc/load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc/json.h"
#include "doc/yaml.h"

#define READ_CHUNK ((size_t)64 * 1024)

static bool looks_like_json(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			continue;
		return ch == '{' || ch == '[';
	}
	return false;
}

/*
 * Parse buf[0..len) (BOM already allowed) with file already an arena copy.
 * When in_arena is false and the input is JSON, the bytes are first copied
 * into the arena so the tree may point into them.  Same codes as load.h.
 */
static int parse_bytes(const struct bl_value **out, struct bl_arena *a, const char *buf,
		       size_t len, bool in_arena, const char *file, struct bl_error *err)
{
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (!looks_like_json(buf, len))
		return bl_yaml_parse(out, a, buf, len, file, NULL, err);
	if (!in_arena) {
		char *copy = bl_arena_alloc(a, len ? len : 1);
		if (!copy)
			return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
		memcpy(copy, buf, len);
		buf = copy;
	}
	return bl_json_parse(out, a, buf, len, file, NULL, err);
}

static int io_error(struct bl_error *err, const char *file, const char *what, int e)
{
	return bl_error_set(err, BL_EIO, file, 0, 0, "%s: %s", what, strerror(e));
}

/*
 * Read fd to its end into a malloc'd buffer of at most BL_DOC_MAX_BYTES.
 * hint is the size fstat reported (0 when unknown).  0 with *data and *len set
 * (caller frees), or BL_EIO/BL_ELIMIT/BL_ENOMEM.
 */
static int read_all(int fd, size_t hint, char **data, size_t *len, const char *file,
		    struct bl_error *err)
{
	size_t cap = hint ? hint + 1 : READ_CHUNK, n = 0;
	char *b = malloc(cap);
	if (!b)
		return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	for (;;) {
		if (n == cap) {
			if (cap > BL_DOC_MAX_BYTES) {
				free(b);
				return bl_error_set(err, BL_ELIMIT, file, 0, 0,
						    "document larger than %zu MiB",
						    BL_DOC_MAX_BYTES >> 20);
			}
			size_t nc = cap * 2 > BL_DOC_MAX_BYTES + 1 ? BL_DOC_MAX_BYTES + 1 : cap * 2;
			char *nb = realloc(b, nc);
			if (!nb) {
				free(b);
				return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
			}
			b = nb;
			cap = nc;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(b);
			return io_error(err, file, "cannot read", e);
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > BL_DOC_MAX_BYTES) {
			free(b);
			return bl_error_set(err, BL_ELIMIT, file, 0, 0,
					    "document larger than %zu MiB", BL_DOC_MAX_BYTES >> 20);
		}
	}
	*data = b;
	*len = n;
	return 0;
}

/* Open path ("-" = stdin) and check it is something a document can be read
 * from.  0 with *fd set, or BL_EIO/BL_ELIMIT. */
static int open_doc(const char *path, const char *file, int *fd, size_t *hint,
		    struct bl_error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int f = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return io_error(err, file, "cannot open", errno);
	struct stat st;
	if (fstat(f, &st) != 0) {
		int e = errno;
		if (!is_stdin)
			close(f);
		return io_error(err, file, "cannot stat", e);
	}
	*hint = 0;
	const char *bad = NULL;
	if (S_ISDIR(st.st_mode))
		bad = "is a directory, not a document file";
	else if (!is_stdin && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
		 !S_ISCHR(st.st_mode))
		/* Pipes and terminals (/dev/stdin, <(...)) are fine; sockets and
		 * block devices are never documents. */
		bad = "not a regular file, pipe or terminal";
	if (!bad && S_ISREG(st.st_mode)) {
		if ((uintmax_t)st.st_size > BL_DOC_MAX_BYTES) {
			if (!is_stdin)
				close(f);
			return bl_error_set(err, BL_ELIMIT, file, 0, 0,
					    "document larger than %zu MiB",
					    BL_DOC_MAX_BYTES >> 20);
		}
		*hint = (size_t)st.st_size;
	}
	if (bad) {
		if (!is_stdin)
			close(f);
		return bl_error_set(err, BL_EIO, file, 0, 0, "cannot read: %s", bad);
	}
	*fd = f;
	return 0;
}

int bl_doc_load(const struct bl_value **out, struct bl_arena *a, const char *path,
		struct bl_error *err)
{
	*out = NULL;
	const char *file = bl_arena_strndup(a, path, strlen(path));
	if (!file)
		return bl_error_set(err, BL_ENOMEM, path, 0, 0, "out of memory");
	int fd = -1;
	size_t hint = 0;
	int rc = open_doc(path, file, &fd, &hint, err);
	if (rc)
		return rc;
	char *data = NULL;
	size_t len = 0;
	rc = read_all(fd, hint, &data, &len, file, err);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc)
		return rc;
	rc = parse_bytes(out, a, data, len, false, file, err);
	free(data);
	return rc;
}

int bl_doc_parse(const struct bl_value **out, struct bl_arena *a, const char *buf,
		 size_t len, const char *file, struct bl_error *err)
{
	*out = NULL;
	const char *name = NULL;
	if (file) {
		name = bl_arena_strndup(a, file, strlen(file));
		if (!name)
			return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	}
	return parse_bytes(out, a, buf, len, false, name, err);
}
