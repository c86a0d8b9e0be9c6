/* Unit tests for facts/packages_upgradable.c and facts/decompress.c: newer
 * versions in the apt lists on disk, plain and compressed, against fake
 * roots (tests/fixtures/hosts/hostsys-*, pkgfacts-*) and roots built at run
 * time; the decoders against data compressed here with the same libraries. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "facts/decompress.h"
#include "facts/dpkg.h"
#include "facts/facts.h"

extern const struct bl_provider bl_provider_packages_upgradable;
extern const struct bl_provider bl_provider_packages;

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
	assert_int_equal(bl_provider_packages_upgradable.resolve(f, &k, &v), 0);
	assert_non_null(v);
	return v;
}

static void assert_str(const struct bl_value *obj, const char *key, const char *want)
{
	size_t len;
	const char *s = bl_value_strz(obj, key, &len);
	if (!s)
		fail_msg("%s: not a string", key);
	if (strlen(want) != len || memcmp(s, want, len) != 0)
		fail_msg("%s: got '%.*s', want '%s'", key, (int)len, s, want);
}

static void assert_bool(const struct bl_value *obj, const char *key, bool want)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	assert_non_null(v);
	assert_int_equal(v->type, BL_VBOOL);
	assert_int_equal(v->b, want);
}

static void assert_special(const struct bl_value *v, int type, const char *want)
{
	assert_non_null(v);
	assert_int_equal(v->type, type);
	if (strlen(want) != v->u.str.len || memcmp(v->u.str.s, want, v->u.str.len) != 0)
		fail_msg("got '%.*s', want '%s'", (int)v->u.str.len, v->u.str.s, want);
}

static void expect(const struct bl_value *e, const char *name, const char *arch,
		   const char *installed, const char *candidate, bool security)
{
	assert_str(e, "name", name);
	assert_str(e, "arch", arch);
	assert_str(e, "installed", installed);
	assert_str(e, "candidate", candidate);
	assert_bool(e, "security", security);
}

static void test_upgradable(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "pkgfacts-plain");
	const struct bl_value *v = resolve(f, true, NULL, 0);
	assert_int_equal(v->type, BL_VOBJ);
	const struct bl_value *n = bl_value_getz(v, "count");
	assert_int_equal(n->type, BL_VNUM);
	assert_int_equal((int)n->u.num.d, 5);
	assert_int_equal((int)bl_value_getz(v, "security_count")->u.num.d, 2);
	const struct bl_value *p = bl_value_getz(v, "packages");
	assert_int_equal(p->type, BL_VARR);
	assert_int_equal(p->u.arr.n, 5);
	/* the same version in the main and the security list: security */
	expect(&p->u.arr.items[0], "openssh-server", "amd64", "1:9.2p1-2+deb12u2",
	       "1:9.2p1-2+deb12u3", true);
	/* each architecture against its own list entries */
	expect(&p->u.arr.items[1], "libc6", "i386", "2.36-9+deb12u3", "2.36-9+deb12u9", false);
	expect(&p->u.arr.items[2], "libc6", "amd64", "2.36-9+deb12u3", "2.36-9+deb12u7", false);
	expect(&p->u.arr.items[3], "tzdata", "all", "2024a-0+deb12u1", "2024b-0+deb12u1", false);
	/* "~bpo1" sorts below the installed version; the CRLF security list wins */
	expect(&p->u.arr.items[4], "sudo", "amd64", "1.9.13p3-1+deb12u1", "1.9.13p3-1+deb12u2",
	       true);
	const struct bl_value *sk = bl_value_getz(v, "skipped_lists");
	assert_int_equal(sk->type, BL_VARR);
	assert_int_equal(sk->u.arr.n, 1);
	/* zstd is not read: named, not an error */
	assert_string_equal(sk->u.arr.items[0].u.str.s,
			    "deb.debian.org_debian_dists_bookworm-updates_main_binary-amd64_Packages.zst");
	bl_facts_close(f);
}

/* The same lists, compressed as lz4, gzip and xz, plus an updates list
 * (xz) and a bzip2 list that is skipped. */
static void test_compressed(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "pkgfacts-lists");
	const struct bl_value *v = resolve(f, true, NULL, 0);
	assert_int_equal(v->type, BL_VOBJ);
	assert_int_equal((int)bl_value_getz(v, "count")->u.num.d, 6);
	assert_int_equal((int)bl_value_getz(v, "security_count")->u.num.d, 2);
	const struct bl_value *p = bl_value_getz(v, "packages");
	assert_int_equal(p->u.arr.n, 6);
	expect(&p->u.arr.items[0], "openssh-server", "amd64", "1:9.2p1-2+deb12u2",
	       "1:9.2p1-2+deb12u3", true);
	expect(&p->u.arr.items[1], "libc6", "i386", "2.36-9+deb12u3", "2.36-9+deb12u9", false);
	expect(&p->u.arr.items[2], "libc6", "amd64", "2.36-9+deb12u3", "2.36-9+deb12u7", false);
	expect(&p->u.arr.items[3], "tzdata", "all", "2024a-0+deb12u1", "2024b-0+deb12u1", false);
	expect(&p->u.arr.items[4], "sudo", "amd64", "1.9.13p3-1+deb12u1", "1.9.13p3-1+deb12u2",
	       true);
	expect(&p->u.arr.items[5], "bash", "amd64", "5.2.15-2+b2", "5.2.15-2+b3", false);
	const struct bl_value *sk = bl_value_getz(v, "skipped_lists");
	assert_int_equal(sk->u.arr.n, 1);
	assert_string_equal(sk->u.arr.items[0].u.str.s,
			    "example.org_dists_x_main_binary-amd64_Packages.bz2");
	bl_facts_close(f);
}

static void test_errors(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-nolists");
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "no package lists on disk (run apt-get update)");
	bl_facts_close(f);
	/* a list that is not what its name says is an error, not a skip */
	f = open_root(FIX "hostsys-lz4only");
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "/var/lib/apt/lists/x_Packages.lz4: truncated lz4 data");
	bl_facts_close(f);
	f = open_root(FIX "hostsys-dpkg");
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm-updates_main_"
		       "binary-amd64_Packages.lz4: not valid lz4 data (ERROR_headerVersion_wrong)");
	bl_facts_close(f);
	f = open_root(FIX "pkgfacts-truncated");
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "/var/lib/apt/lists/a_Packages.gz: truncated gzip data");
	bl_facts_close(f);
	f = open_root(FIX "pkgfacts-zstonly");
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "no readable package lists on disk (1 skipped: only plain, .gz, .lz4, .xz "
		       "and .lzma lists are read)");
	bl_facts_close(f);
	f = open_root(FIX "hostsys-empty");
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "no dpkg database found (/var/lib/dpkg/status)");
	bl_facts_close(f);
}

/* ---- the decoders over memory ------------------------------------------ */

struct check {
	const char *want;
	size_t len, pos;
	size_t max_chunk;
	int stop_at;            /* return 42 once pos passes this (0 = never) */
};

static int check_sink(void *ctx, const char *d, size_t n)
{
	struct check *c = ctx;
	assert_true(n >= 1);
	if (n > c->max_chunk)
		c->max_chunk = n;
	assert_true(c->pos + n <= c->len);
	assert_memory_equal(c->want + c->pos, d, n);
	c->pos += n;
	if (c->stop_at && c->pos > (size_t)c->stop_at)
		return 42;
	return 0;
}

/* ~1.3 MB of stanzas: many chunks in and out. */
static char *make_text(size_t *len)
{
	size_t cap = 2u << 20, n = 0;
	char *t = malloc(cap);
	assert_non_null(t);
	for (int i = 0; i < 20000; i++) {
		int w = snprintf(t + n, cap - n, "Package: pkg-%d\nVersion: 1.%d-1\nArchitecture: "
				 "amd64\nDescription: package number %d\n\n", i, i * 7, i);
		n += (size_t)w;
	}
	*len = n;
	return t;
}

static unsigned char *gz(const char *in, size_t len, size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	size_t cap = deflateBound(&z, (uLong)len) + 64;
	unsigned char *o = malloc(cap);
	assert_non_null(o);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = o;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = cap - z.avail_out;
	deflateEnd(&z);
	return o;
}

static unsigned char *lz4(const char *in, size_t len, size_t *out_len)
{
	size_t cap = LZ4F_compressFrameBound(len, NULL);
	unsigned char *o = malloc(cap);
	assert_non_null(o);
	size_t r = LZ4F_compressFrame(o, cap, in, len, NULL);
	assert_false(LZ4F_isError(r));
	*out_len = r;
	return o;
}

static unsigned char *xz(const char *in, size_t len, size_t *out_len)
{
	size_t cap = lzma_stream_buffer_bound(len);
	unsigned char *o = malloc(cap);
	assert_non_null(o);
	size_t pos = 0;
	assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL,
						 (const uint8_t *)in, len, o, &pos, cap),
			 LZMA_OK);
	*out_len = pos;
	return o;
}

typedef unsigned char *(*compress_fn)(const char *, size_t, size_t *);

static void roundtrip(enum bl_zfmt fmt, compress_fn comp, const char *truncated_msg,
		      const char *corrupt_prefix)
{
	size_t len, clen;
	char *text = make_text(&len);
	unsigned char *c = comp(text, len, &clen);
	struct bl_error err;
	struct check ck = {.want = text, .len = len};
	assert_int_equal(bl_zstream_mem("mem", fmt, c, clen, 0, check_sink, &ck, &err), 0);
	assert_int_equal(ck.pos, len);
	assert_true(ck.max_chunk <= BL_Z_CHUNK);
	/* the cap: a bomb stops at max_out */
	ck = (struct check){.want = text, .len = len};
	assert_int_equal(bl_zstream_mem("mem", fmt, c, clen, 1000, check_sink, &ck, &err),
			 BL_ELIMIT);
	assert_string_equal(err.msg, "mem: more than 1000 bytes uncompressed, not read");
	/* the sink's own code comes back as is */
	ck = (struct check){.want = text, .len = len, .stop_at = 100000};
	assert_int_equal(bl_zstream_mem("mem", fmt, c, clen, 0, check_sink, &ck, &err), 42);
	/* cut in the middle */
	ck = (struct check){.want = text, .len = len};
	assert_int_equal(bl_zstream_mem("mem", fmt, c, clen / 2, 0, check_sink, &ck, &err),
			 BL_EINVAL);
	assert_string_equal(err.msg, truncated_msg);
	/* empty input is not a valid stream either */
	assert_int_equal(bl_zstream_mem("mem", fmt, c, 0, 0, check_sink, &ck, &err), BL_EINVAL);
	/* two streams back to back (gzip members, lz4 frames, xz streams) */
	unsigned char *two = malloc(2 * clen);
	assert_non_null(two);
	memcpy(two, c, clen);
	memcpy(two + clen, c, clen);
	char *text2 = malloc(2 * len);
	assert_non_null(text2);
	memcpy(text2, text, len);
	memcpy(text2 + len, text, len);
	ck = (struct check){.want = text2, .len = 2 * len};
	assert_int_equal(bl_zstream_mem("mem", fmt, two, 2 * clen, 0, check_sink, &ck, &err), 0);
	assert_int_equal(ck.pos, 2 * len);
	/* garbage after a valid stream */
	memset(two + clen, 'Z', 64);
	ck = (struct check){.want = text2, .len = 2 * len};
	assert_int_equal(bl_zstream_mem("mem", fmt, two, clen + 64, 0, check_sink, &ck, &err),
			 BL_EINVAL);
	assert_int_equal(strncmp(err.msg, corrupt_prefix, strlen(corrupt_prefix)), 0);
	/* a flipped header byte */
	c[0] ^= 0xff;
	assert_int_equal(bl_zstream_mem("mem", fmt, c, clen, 0, check_sink, &ck, &err), BL_EINVAL);
	assert_int_equal(strncmp(err.msg, corrupt_prefix, strlen(corrupt_prefix)), 0);
	free(two);
	free(text2);
	free(c);
	free(text);
}

/* n stanzas (~65 bytes each), numbered from 0. */
static char *make_text_n(int n, size_t *len)
{
	size_t cap = (size_t)n * 96 + 64, k = 0;
	char *t = malloc(cap);
	assert_non_null(t);
	for (int i = 0; i < n; i++)
		k += (size_t)snprintf(t + k, cap - k, "Package: pkg-%d\nVersion: 1.%d-1\n"
				      "Architecture: amd64\n\n", i, i * 7);
	*len = k;
	return t;
}

static unsigned char *lz4_with(const char *in, size_t len, size_t *out_len,
			       LZ4F_blockSizeID_t bs, LZ4F_blockMode_t mode, bool sums)
{
	LZ4F_preferences_t pr;
	memset(&pr, 0, sizeof pr);
	pr.frameInfo.blockSizeID = bs;
	pr.frameInfo.blockMode = mode;
	pr.frameInfo.contentChecksumFlag = sums ? LZ4F_contentChecksumEnabled : 0;
	pr.frameInfo.blockChecksumFlag = sums ? LZ4F_blockChecksumEnabled : 0;
	size_t cap = LZ4F_compressFrameBound(len, &pr);
	unsigned char *o = malloc(cap);
	assert_non_null(o);
	size_t r = LZ4F_compressFrame(o, cap, in, len, &pr);
	assert_false(LZ4F_isError(r));
	*out_len = r;
	return o;
}

/* Frames of every block size, linked or not, with and without checksums,
 * alone and back to back: blocks bigger than BL_Z_CHUNK are handed on whole
 * (decoded in place), never more than one block at a time, and the output
 * is the input.  ~9 MB: three 4 MiB blocks, so the ring wraps. */
static void test_lz4_blocks(void **state)
{
	(void)state;
	size_t len;
	char *text = make_text_n(140000, &len);
	assert_true(len > 8u << 20);
	const LZ4F_blockSizeID_t ids[] = {LZ4F_max64KB, LZ4F_max256KB, LZ4F_max1MB, LZ4F_max4MB};
	const size_t sizes[] = {64u << 10, 256u << 10, 1u << 20, 4u << 20};
	struct bl_error err;
	for (size_t i = 0; i < 4; i++) {
		for (int linked = 0; linked < 2; linked++) {
			for (int sums = 0; sums < 2; sums++) {
				size_t clen;
				unsigned char *c = lz4_with(text, len, &clen, ids[i],
							    linked ? LZ4F_blockLinked
								   : LZ4F_blockIndependent,
							    sums);
				struct check ck = {.want = text, .len = len};
				assert_int_equal(bl_zstream_mem("mem", BL_ZFMT_LZ4, c, clen, 0,
								check_sink, &ck, &err), 0);
				assert_int_equal(ck.pos, len);
				assert_true(ck.max_chunk <= (sizes[i] > BL_Z_CHUNK ? sizes[i]
										   : BL_Z_CHUNK));
				if (sizes[i] > BL_Z_CHUNK)
					assert_true(ck.max_chunk > BL_Z_CHUNK);
				free(c);
			}
		}
	}
	/* a 64 KiB frame, a 4 MiB one, a 256 KiB one, back to back */
	size_t l1, l2, l3;
	unsigned char *c1 = lz4_with(text, len, &l1, LZ4F_max64KB, LZ4F_blockLinked, false);
	unsigned char *c2 = lz4_with(text, len, &l2, LZ4F_max4MB, LZ4F_blockLinked, true);
	unsigned char *c3 = lz4_with(text, len, &l3, LZ4F_max256KB, LZ4F_blockLinked, false);
	unsigned char *all = malloc(l1 + l2 + l3);
	char *want = malloc(3 * len);
	assert_non_null(all);
	assert_non_null(want);
	memcpy(all, c1, l1);
	memcpy(all + l1, c2, l2);
	memcpy(all + l1 + l2, c3, l3);
	for (int k = 0; k < 3; k++)
		memcpy(want + (size_t)k * len, text, len);
	struct check ck = {.want = want, .len = 3 * len};
	assert_int_equal(bl_zstream_mem("mem", BL_ZFMT_LZ4, all, l1 + l2 + l3, 0, check_sink, &ck,
					&err), 0);
	assert_int_equal(ck.pos, 3 * len);
	/* a corrupt byte in the checksummed 4 MiB frame */
	all[l1 + l2 / 2] ^= 0x55;
	ck = (struct check){.want = want, .len = 3 * len};
	int rc = bl_zstream_mem("mem", BL_ZFMT_LZ4, all, l1 + l2 + l3, 0, check_sink, &ck, &err);
	assert_int_equal(rc, BL_EINVAL);
	assert_int_equal(strncmp(err.msg, "mem: not valid lz4 data (", 25), 0);
	free(want);
	free(all);
	free(c1);
	free(c2);
	free(c3);
	free(text);
}

static void test_gzip(void **state)
{
	(void)state;
	roundtrip(BL_ZFMT_GZIP, gz, "mem: truncated gzip data", "mem: not valid gzip data (");
}

static void test_lz4(void **state)
{
	(void)state;
	roundtrip(BL_ZFMT_LZ4, lz4, "mem: truncated lz4 data", "mem: not valid lz4 data (");
}

static void test_xz(void **state)
{
	(void)state;
	roundtrip(BL_ZFMT_XZ, xz, "mem: truncated xz data", "mem: not valid xz data (");
}

static void test_formats(void **state)
{
	(void)state;
	assert_int_equal(bl_zfmt_from_suffix(""), BL_ZFMT_PLAIN);
	assert_int_equal(bl_zfmt_from_suffix("gz"), BL_ZFMT_GZIP);
	assert_int_equal(bl_zfmt_from_suffix("lz4"), BL_ZFMT_LZ4);
	assert_int_equal(bl_zfmt_from_suffix("xz"), BL_ZFMT_XZ);
	assert_int_equal(bl_zfmt_from_suffix("lzma"), BL_ZFMT_XZ);
	assert_int_equal(bl_zfmt_from_suffix("bz2"), BL_ZFMT_UNKNOWN);
	assert_int_equal(bl_zfmt_from_suffix("zst"), BL_ZFMT_UNKNOWN);
	assert_string_equal(bl_zfmt_name(BL_ZFMT_LZ4), "lz4");
	struct bl_error err;
	struct check ck = {.want = "", .len = 0};
	assert_int_equal(bl_zstream_mem("m", BL_ZFMT_UNKNOWN, "x", 1, 0, check_sink, &ck, &err),
			 BL_EINVAL);
	assert_string_equal(err.msg, "m: unsupported compression");
	/* plain data: the cap message of a plain file */
	ck = (struct check){.want = "abcdef", .len = 6};
	assert_int_equal(bl_zstream_mem("m", BL_ZFMT_PLAIN, "abcdef", 6, 4, check_sink, &ck, &err),
			 BL_ELIMIT);
	assert_string_equal(err.msg, "m: larger than 4 bytes, not read");
}

/* ---- a big compressed list through bl_sys, with faults ------------------ */

static char tmp_root[64];

static void write_file(const char *rel, const void *d, size_t n)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", tmp_root, rel);
	FILE *fp = fopen(p, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(d, 1, n, fp), n);
	fclose(fp);
}

static void make_dirs(void)
{
	snprintf(tmp_root, sizeof tmp_root, "/tmp/pkgfacts-up-XXXXXX");
	assert_non_null(mkdtemp(tmp_root));
	const char *dirs[] = {"var", "var/lib", "var/lib/dpkg", "var/lib/apt",
			      "var/lib/apt/lists"};
	for (size_t i = 0; i < 5; i++) {
		char p[256];
		snprintf(p, sizeof p, "%s/%s", tmp_root, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
}

static void remove_tree(void)
{
	const char *files[] = {"var/lib/dpkg/status", "var/lib/apt/lists/big_Packages.gz"};
	const char *dirs[] = {"var/lib/apt/lists", "var/lib/apt", "var/lib/dpkg", "var/lib", "var"};
	char p[256];
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof p, "%s/%s", tmp_root, files[i]);
		unlink(p);
	}
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "%s/%s", tmp_root, dirs[i]);
		rmdir(p);
	}
	rmdir(tmp_root);
}

/* Fault injection: the Nth read of the list fails (EIO), or every read is
 * first interrupted once (EINTR). */
static int read_calls, fail_at;
static bool eintr_each;

static ssize_t fault_read(int fd, void *buf, size_t n)
{
	read_calls++;
	if (fail_at && read_calls == fail_at) {
		errno = EIO;
		return -1;
	}
	if (eintr_each && read_calls % 2 == 1) {
		errno = EINTR;
		return -1;
	}
	return bl_sys_default_ops.read(fd, buf, n);
}

static struct bl_sys_ops fault_ops;

static void test_big_list(void **state)
{
	(void)state;
	make_dirs();
	/* an over-long Description (200 KB) in the middle, crossing chunks */
	size_t len;
	char *text = make_text(&len);
	size_t mid = len / 2;
	while (text[mid] != '\n')
		mid++;
	size_t long_len = 200000;
	char *all = malloc(len + long_len + 32);
	assert_non_null(all);
	memcpy(all, text, mid + 1);
	memcpy(all + mid + 1, "Description: ", 13);
	memset(all + mid + 14, 'x', long_len);
	all[mid + 14 + long_len] = '\n';
	memcpy(all + mid + 15 + long_len, text + mid + 1, len - mid - 1);
	size_t total = len + long_len + 14, clen;
	unsigned char *c = gz(all, total, &clen);
	write_file("var/lib/apt/lists/big_Packages.gz", c, clen);
	const char *status = "Package: pkg-19999\nStatus: install ok installed\nVersion: 1.0-1\n"
			     "Architecture: amd64\n\nPackage: pkg-5\nStatus: install ok installed\n"
			     "Version: 1.35-1\nArchitecture: amd64\n";
	write_file("var/lib/dpkg/status", status, strlen(status));

	struct bl_facts *f = open_root(tmp_root);
	const struct bl_value *v = resolve(f, true, NULL, 0);
	assert_int_equal((int)bl_value_getz(v, "count")->u.num.d, 1);
	const struct bl_value *p = bl_value_getz(v, "packages");
	expect(&p->u.arr.items[0], "pkg-19999", "amd64", "1.0-1", "1.139993-1", false);
	bl_facts_close(f);

	/* every read interrupted once: still the same answer */
	fault_ops = bl_sys_default_ops;
	fault_ops.read = fault_read;
	read_calls = 0;
	fail_at = 0;
	eintr_each = true;
	f = open_root(tmp_root);
	bl_facts_sys(f)->ops = &fault_ops;
	v = resolve(f, true, NULL, 0);
	assert_int_equal((int)bl_value_getz(v, "count")->u.num.d, 1);
	bl_facts_close(f);

	/* an I/O error half-way through the list: an error value, not a partial count */
	eintr_each = false;
	read_calls = 0;
	fail_at = 4;    /* the status file takes two reads, the list fails on its second */
	f = open_root(tmp_root);
	bl_facts_sys(f)->ops = &fault_ops;
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "/var/lib/apt/lists/big_Packages.gz: input/output error");
	bl_facts_close(f);
	free(c);
	free(all);
	free(text);
	remove_tree();
}

/* ---- the want filter over streamed lists -------------------------------- */

struct seen {
	char *buf;
	size_t n, cap;
	bool filter;            /* also drop what want_7 declines */
};

/* Names ending in 7: a tenth of the stanzas. */
static bool want_7(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	return len > 0 && name[len - 1] == '7';
}

static int seen_cb(void *ctx, const struct bl_dpkg_stanza *st)
{
	struct seen *sn = ctx;
	if (sn->filter && st->package.set && !want_7(NULL, st->package.s, st->package.len))
		return 0;
	if (sn->cap - sn->n < 1024) {
		sn->cap = sn->cap * 2 + 4096;
		sn->buf = realloc(sn->buf, sn->cap);
		assert_non_null(sn->buf);
	}
	sn->n += (size_t)snprintf(sn->buf + sn->n, sn->cap - sn->n, "%s|%s|%s|%d|%llu\n",
				  st->package.set ? st->package.s : "-",
				  st->version.set ? st->version.s : "-",
				  st->arch.set ? st->arch.s : "-", st->bad,
				  (unsigned long long)st->line);
	return 0;
}

/* Declining stanzas changes nothing about the others, line numbers
 * included, over plain (64 KiB chunks) and lz4 (4 MiB chunks) alike: with
 * over-long lines inside declined and wanted stanzas, across chunk ends, a
 * whitespace-only one among them (dropped, so it does not end its stanza),
 * CRLF, continuation lines. */
static void test_want_stream(void **state)
{
	(void)state;
	make_dirs();
	size_t len;
	char *text = make_text_n(100000, &len);
	size_t cap = len + 600000, n = 0;
	char *all = malloc(cap);
	assert_non_null(all);
	size_t cut[3] = {len / 5, len / 2, (len / 5) * 4};
	size_t from = 0;
	for (int k = 0; k < 3; k++) {
		size_t at = cut[k];
		while (text[at - 1] != '\n')
			at++;
		memcpy(all + n, text + from, at - from);
		n += at - from;
		from = at;
		/* the line after the cut belongs to the stanza cut (a Version,
		 * an Architecture or the blank line): put odd lines before it */
		n += (size_t)snprintf(all + n, cap - n, " continued\r\nX-Odd: 1\r\n \t\r\n"
				      "Package: ws%d7\r\n", k);
		memset(all + n, k == 1 ? ' ' : 'y', 150000);
		n += 150000;
		all[n++] = '\n';
	}
	memcpy(all + n, text + from, len - from);
	n += len - from;
	const char *tail = "Package: last7\r\nVersion: 9\r\n";
	memcpy(all + n, tail, strlen(tail));
	n += strlen(tail);
	write_file("var/lib/apt/lists/big_Packages", all, n);
	size_t clen;
	unsigned char *c = lz4_with(all, n, &clen, LZ4F_max4MB, LZ4F_blockLinked, false);
	write_file("var/lib/apt/lists/big_Packages.lz4", c, clen);

	struct bl_facts *f = open_root(tmp_root);
	struct bl_sys *sys = bl_facts_sys(f);
	const char *paths[] = {"/var/lib/apt/lists/big_Packages",
			       "/var/lib/apt/lists/big_Packages.lz4"};
	const enum bl_zfmt fmts[] = {BL_ZFMT_PLAIN, BL_ZFMT_LZ4};
	for (int k = 0; k < 2; k++) {
		struct seen a = {.filter = true}, b = {.filter = false};
		struct bl_error err;
		assert_int_equal(bl_dpkg_stream_z(sys, paths[k], fmts[k], 0, NULL, seen_cb, &a,
						  NULL, &err), 0);
		assert_int_equal(bl_dpkg_stream_z(sys, paths[k], fmts[k], 0, want_7, seen_cb, &b,
						  NULL, &err), 0);
		assert_true(b.n > 100000);
		assert_int_equal(a.n, b.n);
		assert_memory_equal(a.buf, b.buf, a.n);
		/* the last stanza, without a final newline, is there */
		assert_non_null(strstr(b.buf, "last7|9|-|0|"));
		free(a.buf);
		free(b.buf);
	}
	bl_facts_close(f);
	char p[256];
	snprintf(p, sizeof p, "%s/var/lib/apt/lists/big_Packages", tmp_root);
	unlink(p);
	snprintf(p, sizeof p, "%s/var/lib/apt/lists/big_Packages.lz4", tmp_root);
	unlink(p);
	remove_tree();
	free(c);
	free(all);
	free(text);
}

/* The packages namespace's entry for one name. */
static const struct bl_value *package(struct bl_facts *f, const char *name)
{
	const char *keys[] = {name};
	struct bl_fact_keys k = {.keys = keys, .n = 1};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_packages.resolve(f, &k, &v), 0);
	assert_non_null(v);
	return bl_value_getz(v, name);
}

/* packages and packages_upgradable read the dpkg database once per facts
 * context (bl_dpkg_db_shared): rewritten between the two, the second
 * namespace still sees the first read, and a new context the new file. */
static void test_shared_db(void **state)
{
	(void)state;
	make_dirs();
	const char *list = "Package: pkg-5\nVersion: 2.0-1\nArchitecture: amd64\n";
	write_file("var/lib/apt/lists/x_Packages", list, strlen(list));
	char p[256];
	const char *v1 = "Package: pkg-5\nStatus: install ok installed\nVersion: 1.0-1\n"
			 "Architecture: amd64\n";
	const char *v2 = "Package: pkg-5\nStatus: install ok installed\nVersion: 3.0-1\n"
			 "Architecture: amd64\n";
	write_file("var/lib/dpkg/status", v1, strlen(v1));

	struct bl_facts *f = open_root(tmp_root);
	assert_str(package(f, "pkg-5"), "version", "1.0-1");
	write_file("var/lib/dpkg/status", v2, strlen(v2));
	const struct bl_value *up = resolve(f, true, NULL, 0);
	assert_int_equal((int)bl_value_getz(up, "count")->u.num.d, 1);
	expect(&bl_value_getz(up, "packages")->u.arr.items[0], "pkg-5", "amd64", "1.0-1", "2.0-1",
	       false);
	assert_str(package(f, "pkg-5"), "version", "1.0-1");
	bl_facts_close(f);

	f = open_root(tmp_root);
	up = resolve(f, true, NULL, 0);
	assert_int_equal((int)bl_value_getz(up, "count")->u.num.d, 0);
	assert_str(package(f, "pkg-5"), "version", "3.0-1");
	bl_facts_close(f);

	/* no database: each namespace says so, the second time too */
	snprintf(p, sizeof p, "%s/var/lib/dpkg/status", tmp_root);
	unlink(p);
	f = open_root(tmp_root);
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "no dpkg database found (/var/lib/dpkg/status)");
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "no dpkg database found (/var/lib/dpkg/status)");
	bl_facts_close(f);
	snprintf(p, sizeof p, "%s/var/lib/apt/lists/x_Packages", tmp_root);
	unlink(p);
	remove_tree();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upgradable),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_lz4),
		cmocka_unit_test(test_xz),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_big_list),
		cmocka_unit_test(test_shared_db),
		cmocka_unit_test(test_lz4_blocks),
		cmocka_unit_test(test_want_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
