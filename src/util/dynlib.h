/*
 * dynlib.h - optional libraries loaded on first use.
 *
 * libcurl (webhook alerts), libpq (PostgreSQL stores) and libmicrohttpd (the
 * server) bring some thirty shared libraries with them (TLS stacks,
 * Kerberos, LDAP...).  Linked normally, loading and relocating them cost
 * every command ~20 M instructions before main() — ten times a whole
 * `assess` of a small snapshot, and the guardrail `gate` runs in CI on every
 * commit.  So they are opened with dlopen() only by the code that needs
 * them, and their functions are called through a table filled once.
 *
 * Each library has an API header (e.g. alert/curl_api.h) with the table, a
 * loader that fills it under pthread_once, and macros that route the usual
 * names (curl_easy_init...) through the table, so the calling code reads
 * like ordinary libcurl code.  The table is the one piece of process-wide
 * state here: written once, before any use, then only read — what the
 * dynamic linker itself would have done at start-up.
 *
 * Small libraries that only some runs need are opened the same way, since
 * each one linked costs every start ~0.1 ms (mapping, relocations, page
 * faults): libyaml (util/yaml_api.h: YAML documents only; the built-in
 * baselines are compiled in as value trees) and zlib, liblz4 and liblzma
 * (util/compress_api.h: compressed apt package lists only).
 */
#ifndef BL_UTIL_DYNLIB_H
#define BL_UTIL_DYNLIB_H

#include <stddef.h>

#include "util/error.h"

struct bl_dynsym {
	const char *name;     /* symbol */
	size_t offset;        /* of its function pointer in the table */
};

/*
 * dlopen soname (RTLD_NOW | RTLD_LOCAL; never closed) and store each symbol
 * at its offset in table.  Returns 0, or BL_EINTERNAL with err naming the
 * library or symbol that is missing (the package to install is the caller's
 * message to add).
 */
int bl_dynlib_load(const char *soname, const struct bl_dynsym *syms, size_t n, void *table,
		   struct bl_error *err);

#endif
