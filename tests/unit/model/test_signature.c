/*
 * test_signature.c - keygen/sign/verify: a good signature verifies; one byte
 * changed in the baseline or in the signature, a missing signature or
 * another key's signature is bad (BL_EINVAL); keys are never overwritten and
 * the secret key is private to its owner.
 */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "model/signature.h"

struct tmp {
	char dir[64];
	char file[128], key[128], key2[128], pub[128], sec[128], pub2[128], sig[160];
};

static void setup_tmp(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/bl-sig-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->file, sizeof(t->file), "%s/b.yaml", t->dir);
	snprintf(t->key, sizeof(t->key), "%s/k", t->dir);
	snprintf(t->key2, sizeof(t->key2), "%s/other", t->dir);
	snprintf(t->pub, sizeof(t->pub), "%s/k.pub", t->dir);
	snprintf(t->sec, sizeof(t->sec), "%s/k.sec", t->dir);
	snprintf(t->pub2, sizeof(t->pub2), "%s/other.pub", t->dir);
	snprintf(t->sig, sizeof(t->sig), "%s/b.yaml.sig", t->dir);
	FILE *f = fopen(t->file, "wb");
	assert_non_null(f);
	fputs("baseline: x\nversion: 1.0.0\ncontrols: []\n", f);
	fclose(f);
}

static void cleanup_tmp(struct tmp *t)
{
	const char *files[] = {t->file, t->pub, t->sec, t->pub2, t->sig};
	for (size_t i = 0; i < 5; i++)
		unlink(files[i]);
	char other_sec[140];
	snprintf(other_sec, sizeof(other_sec), "%s/other.sec", t->dir);
	unlink(other_sec);
	rmdir(t->dir);
}

/* Flip one bit of the byte at off in path (off < 0: from the end). */
static void flip(const char *path, long off)
{
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, off, off < 0 ? SEEK_END : SEEK_SET), 0);
	int c = fgetc(f);
	assert_true(c != EOF);
	assert_int_equal(fseek(f, -1, SEEK_CUR), 0);
	fputc(c ^ 0x01, f);
	fclose(f);
}

static void test_sign_verify(void **state)
{
	(void)state;
	struct tmp t;
	setup_tmp(&t);
	struct bl_error err;
	bl_error_clear(&err);
	assert_int_equal(bl_sig_keygen(t.key, &err), 0);
	struct stat st;
	assert_int_equal(stat(t.sec, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* Never overwrite a key. */
	assert_int_equal(bl_sig_keygen(t.key, &err), BL_EIO);
	assert_non_null(strstr(err.msg, "refusing to overwrite"));

	/* Unsigned: missing signature is a verification failure. */
	assert_int_equal(bl_sig_verify(t.file, t.pub, &err), BL_EINVAL);
	assert_non_null(strstr(err.msg, "missing signature"));

	assert_int_equal(bl_sig_sign(t.file, t.sec, &err), 0);
	assert_int_equal(bl_sig_verify(t.file, t.pub, &err), 0);

	/* One byte changed in the baseline. */
	flip(t.file, 5);
	assert_int_equal(bl_sig_verify(t.file, t.pub, &err), BL_EINVAL);
	assert_non_null(strstr(err.msg, "bad signature"));
	flip(t.file, 5);
	assert_int_equal(bl_sig_verify(t.file, t.pub, &err), 0);

	/* One byte changed in the signature (inside the base64, before the
	 * final newline and padding). */
	flip(t.sig, -6);
	assert_int_equal(bl_sig_verify(t.file, t.pub, &err), BL_EINVAL);
	flip(t.sig, -6);
	assert_int_equal(bl_sig_verify(t.file, t.pub, &err), 0);

	/* The comment line is part of the format: a changed key id is refused. */
	flip(t.sig, 33);
	assert_int_equal(bl_sig_verify(t.file, t.pub, &err), BL_EINVAL);
	flip(t.sig, 33);

	/* Another key's public key. */
	assert_int_equal(bl_sig_keygen(t.key2, &err), 0);
	assert_int_equal(bl_sig_verify(t.file, t.pub2, &err), BL_EINVAL);
	assert_non_null(strstr(err.msg, "signed with another key"));

	/* Unreadable key: an I/O problem, not a verdict. */
	assert_int_equal(bl_sig_verify(t.file, "/nonexistent/k.pub", &err), BL_EIO);
	/* A secret key is not a public key. */
	assert_int_equal(bl_sig_verify(t.file, t.sec, &err), BL_EINVAL);
	assert_non_null(strstr(err.msg, "not a public key file"));
	cleanup_tmp(&t);
}

static void test_formats(void **state)
{
	(void)state;
	struct tmp t;
	setup_tmp(&t);
	struct bl_error err;
	bl_error_clear(&err);
	assert_int_equal(bl_sig_keygen(t.key, &err), 0);
	assert_int_equal(bl_sig_sign(t.file, t.sec, &err), 0);
	char buf[512];
	FILE *f = fopen(t.pub, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "baseline ed25519 public key <16 hex>\n<44 base64>\n" */
	assert_int_equal(n, 28 + 16 + 1 + 44 + 1);
	assert_memory_equal(buf, "baseline ed25519 public key ", 28);
	f = fopen(t.sig, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_int_equal(n, 32 + 16 + 1 + 88 + 1);
	assert_memory_equal(buf, "baseline ed25519 signature, key ", 32);
	/* Signing with a public key is refused. */
	assert_int_equal(bl_sig_sign(t.file, t.pub, &err), BL_EINVAL);
	cleanup_tmp(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
