/*
 * signature.c - detached Ed25519 signatures over baseline files (see
 * signature.h and docs/change-control.md for the file formats).
 *
 * Every key and signature file is two lines, in the manner of OpenBSD
 * signify: a comment line naming what it is and the key id, then the
 * base64 of the binary material.  The key id (8 bytes, BLAKE2b of the public
 * key) lets verify say "signed with another key" instead of just "bad".
 * The signature covers the file's bytes exactly as stored.
 */
#include "model/signature.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc/load.h"

#define KEYID_BYTES 8
#define PUB_HEAD "baseline ed25519 public key "
#define SEC_HEAD "baseline ed25519 secret key "
#define SIG_HEAD "baseline ed25519 signature, key "
#define SMALL_MAX 4096   /* key and signature files are far smaller */

/* Read a whole file (up to max bytes) into a malloc'd, NUL-terminated
 * buffer.  Returns 0, BL_EIO (err says why) or BL_ENOMEM/BL_ELIMIT. */
static int read_all(unsigned char **out, size_t *len, const char *path, size_t max,
		    const char *what, struct bl_error *err)
{
	*out = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot open %s: %s", what, strerror(errno));
	size_t cap = 4096, n = 0;
	unsigned char *buf = malloc(cap + 1);
	if (!buf) {
		fclose(f);
		return bl_error_set(err, BL_ENOMEM, path, 0, 0, "out of memory");
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				free(buf);
				fclose(f);
				return bl_error_set(err, BL_ELIMIT, path, 0, 0, "%s is larger than %zu bytes",
						    what, max);
			}
			cap = cap * 2 > max ? max : cap * 2;
			unsigned char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				return bl_error_set(err, BL_ENOMEM, path, 0, 0, "out of memory");
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot read %s", what);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Write data to path: O_EXCL when exclusive (keys), else through a
 * temporary file renamed over path (signatures).  Returns 0 or BL_EIO. */
static int write_file(const char *path, const char *data, size_t len, mode_t mode, bool exclusive,
		      struct bl_error *err)
{
	char tmp[4096];
	const char *target = path;
	if (!exclusive) {
		int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
		if (n < 0 || (size_t)n >= sizeof(tmp))
			return bl_error_set(err, BL_EIO, path, 0, 0, "path too long");
		target = tmp;
	}
	int fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot create %s: %s", target,
				    errno == EEXIST && exclusive ? "file exists (refusing to overwrite a key)"
								 : strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(target);
			return bl_error_set(err, BL_EIO, path, 0, 0, "cannot write %s: %s", target, strerror(e));
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		unlink(target);
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot write %s: %s", target, strerror(errno));
	}
	if (!exclusive && rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot rename %s to %s: %s", tmp, path,
				    strerror(e));
	}
	return 0;
}

static void key_id(char hex[2 * KEYID_BYTES + 1], const unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
	unsigned char id[KEYID_BYTES];
	crypto_generichash(id, sizeof(id), pk, crypto_sign_PUBLICKEYBYTES, NULL, 0);
	sodium_bin2hex(hex, 2 * KEYID_BYTES + 1, id, sizeof(id));
}

/* "HEAD<keyid>\n<base64>\n" into out (size bytes). */
static int format_two_lines(char *out, size_t size, const char *head, const char *keyid,
			    const unsigned char *bin, size_t binlen)
{
	char b64[256];
	if (sodium_base64_ENCODED_LEN(binlen, sodium_base64_VARIANT_ORIGINAL) > sizeof(b64))
		return -1;
	sodium_bin2base64(b64, sizeof(b64), bin, binlen, sodium_base64_VARIANT_ORIGINAL);
	int n = snprintf(out, size, "%s%s\n%s\n", head, keyid, b64);
	return (n < 0 || (size_t)n >= size) ? -1 : n;
}

/*
 * Parse "HEAD<keyid>\n<base64>\n" from text into bin (exactly binlen bytes)
 * and keyid.  Returns 0 or BL_EINVAL with err naming path and line.
 */
static int parse_two_lines(const char *text, size_t len, const char *head, const char *path,
			   const char *what, char keyid[2 * KEYID_BYTES + 1], unsigned char *bin,
			   size_t binlen, struct bl_error *err)
{
	size_t hl = strlen(head);
	if (len < hl || memcmp(text, head, hl) != 0)
		return bl_error_set(err, BL_EINVAL, path, 1, 1, "not a %s: the first line must start with \"%s\"",
				    what, head);
	const char *p = text + hl;
	const char *nl = memchr(p, '\n', len - hl);
	if (!nl || (size_t)(nl - p) != 2 * KEYID_BYTES ||
	    strspn(p, "0123456789abcdef") < 2 * KEYID_BYTES)
		return bl_error_set(err, BL_EINVAL, path, 1, (uint32_t)hl + 1,
				    "malformed %s: expected a %d-digit hex key id", what, 2 * KEYID_BYTES);
	memcpy(keyid, p, 2 * KEYID_BYTES);
	keyid[2 * KEYID_BYTES] = '\0';
	const char *b = nl + 1;
	const char *end = text + len;
	const char *e2 = memchr(b, '\n', (size_t)(end - b));
	if (!e2)
		e2 = end;
	if (e2 < end && e2 + 1 != end)
		return bl_error_set(err, BL_EINVAL, path, 3, 1, "malformed %s: extra text after line 2", what);
	size_t got = 0;
	if (sodium_base642bin(bin, binlen, b, (size_t)(e2 - b), NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 || got != binlen)
		return bl_error_set(err, BL_EINVAL, path, 2, 1,
				    "malformed %s: line 2 must be the base64 of %zu bytes", what, binlen);
	return 0;
}

int bl_sig_keygen(const char *keybase, struct bl_error *err)
{
	char pubpath[4096], secpath[4096];
	int n1 = snprintf(pubpath, sizeof(pubpath), "%s.pub", keybase);
	int n2 = snprintf(secpath, sizeof(secpath), "%s.sec", keybase);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(pubpath) || (size_t)n2 >= sizeof(secpath))
		return bl_error_set(err, BL_EIO, keybase, 0, 0, "key path too long");
	if (sodium_init() < 0)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0, "libsodium could not be initialised");
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	char keyid[2 * KEYID_BYTES + 1], pubtext[512], sectext[512];
	crypto_sign_keypair(pk, sk);
	key_id(keyid, pk);
	int rc = 0;
	int pn = format_two_lines(pubtext, sizeof(pubtext), PUB_HEAD, keyid, pk, sizeof(pk));
	int sn = format_two_lines(sectext, sizeof(sectext), SEC_HEAD, keyid, sk, sizeof(sk));
	if (pn < 0 || sn < 0)
		rc = bl_error_set(err, BL_EINTERNAL, NULL, 0, 0, "key text does not fit");
	/* The secret key first: a pub without its sec is useless, the reverse
	 * is merely incomplete, and neither overwrites anything. */
	if (rc == 0)
		rc = write_file(secpath, sectext, (size_t)sn, 0600, true, err);
	if (rc == 0) {
		rc = write_file(pubpath, pubtext, (size_t)pn, 0644, true, err);
		if (rc)
			unlink(secpath);
	}
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(sectext, sizeof(sectext));
	return rc;
}

int bl_sig_sign(const char *file, const char *seckey_path, struct bl_error *err)
{
	if (sodium_init() < 0)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0, "libsodium could not be initialised");
	unsigned char *keytext = NULL, *data = NULL;
	size_t keylen = 0, len = 0;
	unsigned char sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
	char keyid[2 * KEYID_BYTES + 1], sigpath[4096], sigtext[512];
	int rc = read_all(&keytext, &keylen, seckey_path, SMALL_MAX, "secret key", err);
	if (rc == 0)
		rc = parse_two_lines((const char *)keytext, keylen, SEC_HEAD, seckey_path, "secret key file",
				     keyid, sk, sizeof(sk), err);
	if (keytext) {
		sodium_memzero(keytext, keylen);
		free(keytext);
	}
	if (rc == 0)
		rc = read_all(&data, &len, file, BL_DOC_MAX_BYTES, "file to sign", err);
	if (rc == 0) {
		crypto_sign_detached(sig, NULL, data, len, sk);
		int n = snprintf(sigpath, sizeof(sigpath), "%s.sig", file);
		int sn = format_two_lines(sigtext, sizeof(sigtext), SIG_HEAD, keyid, sig, sizeof(sig));
		if (n < 0 || (size_t)n >= sizeof(sigpath) || sn < 0)
			rc = bl_error_set(err, BL_EIO, file, 0, 0, "path too long");
		else
			rc = write_file(sigpath, sigtext, (size_t)sn, 0644, false, err);
	}
	sodium_memzero(sk, sizeof(sk));
	free(data);
	return rc;
}

int bl_sig_verify(const char *file, const char *pubkey_path, struct bl_error *err)
{
	if (sodium_init() < 0)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0, "libsodium could not be initialised");
	char sigpath[4096];
	int n = snprintf(sigpath, sizeof(sigpath), "%s.sig", file);
	if (n < 0 || (size_t)n >= sizeof(sigpath))
		return bl_error_set(err, BL_EIO, file, 0, 0, "path too long");
	unsigned char *keytext = NULL, *sigtext = NULL, *data = NULL;
	size_t keylen = 0, siglen = 0, len = 0;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	char pubid[2 * KEYID_BYTES + 1], sigid[2 * KEYID_BYTES + 1], realid[2 * KEYID_BYTES + 1];
	int rc = read_all(&keytext, &keylen, pubkey_path, SMALL_MAX, "public key", err);
	if (rc == 0)
		rc = parse_two_lines((const char *)keytext, keylen, PUB_HEAD, pubkey_path, "public key file",
				     pubid, pk, sizeof(pk), err);
	if (rc == 0) {
		key_id(realid, pk);
		if (strcmp(realid, pubid) != 0)
			rc = bl_error_set(err, BL_EINVAL, pubkey_path, 1, 1,
					  "public key file: the key id does not match the key");
	}
	if (rc == 0) {
		rc = read_all(&sigtext, &siglen, sigpath, SMALL_MAX, "signature", err);
		/* A missing signature is a verification failure, not an I/O
		 * problem: an unsigned baseline must fail verify with 1. */
		if (rc == BL_EIO && access(sigpath, F_OK) != 0)
			rc = bl_error_set(err, BL_EINVAL, sigpath, 0, 0, "missing signature: %s does not exist",
					  sigpath);
	}
	if (rc == 0)
		rc = parse_two_lines((const char *)sigtext, siglen, SIG_HEAD, sigpath, "signature file", sigid,
				     sig, sizeof(sig), err);
	if (rc == 0 && strcmp(sigid, pubid) != 0)
		rc = bl_error_set(err, BL_EINVAL, sigpath, 1, 1,
				  "signed with another key (key id %s, the public key's is %s)", sigid, pubid);
	if (rc == 0)
		rc = read_all(&data, &len, file, BL_DOC_MAX_BYTES, "file to verify", err);
	if (rc == 0 && crypto_sign_verify_detached(sig, data, len, pk) != 0)
		rc = bl_error_set(err, BL_EINVAL, file, 0, 0,
				  "bad signature: %s does not match %s (changed after signing?)", file, sigpath);
	if (rc == BL_ELIMIT)
		rc = BL_EINVAL;
	free(keytext);
	free(sigtext);
	free(data);
	return rc;
}
