/*
 * signature.h - detached Ed25519 signatures over baseline files (libsodium).
 *
 * keygen writes KEYBASE.sec and KEYBASE.pub; sign writes FILE.sig; verify
 * checks FILE against FILE.sig with a public key.  Key and signature files are
 * small text files (documented in docs/) so they can be reviewed and stored
 * next to the baseline in version control.  Secret key material is zeroed
 * after use (sodium_memzero).
 */
#ifndef BL_MODEL_SIGNATURE_H
#define BL_MODEL_SIGNATURE_H

#include "util/error.h"

/* Write KEYBASE.sec (mode 0600) and KEYBASE.pub.  Refuses to overwrite.
 * Returns 0, BL_EIO or BL_EINTERNAL. */
int bl_sig_keygen(const char *keybase, struct bl_error *err);

/* Sign the bytes of file with the secret key file; writes FILE.sig. */
int bl_sig_sign(const char *file, const char *seckey_path, struct bl_error *err);

/*
 * Verify file against FILE.sig with the public key file.  Returns 0 when the
 * signature is good, BL_EINVAL when it is bad, missing or malformed (err
 * says which), BL_EIO when the file or key cannot be read.
 */
int bl_sig_verify(const char *file, const char *pubkey_path, struct bl_error *err);

#endif
