/*
 * facts.h - host facts: the provider interface, the registry and the
 * per-run context that resolves namespaces lazily and at most once.
 *
 * A provider answers one namespace of the host document (FORMATS.md §3):
 * `file`, `sysctl`, `sshd`, ...  It is a static const struct bl_provider in
 * a file of its own (copy facts/template.c to start one) listed in
 * facts/registry.c.  Providers only collect values; comparing them is the
 * rule evaluator's job.  A provider never prints and never writes; it reads
 * the host only through struct bl_sys (facts/sys.h), so the same probe
 * assesses an offline root and runs in tests against fake roots under
 * tests/fixtures/hosts/.
 *
 * What cannot be read becomes an error value (bl_value_new_special
 * BL_VERR, with the reason) at the smallest place it applies: one file, one
 * key, or the whole namespace.  A fact that needs the running kernel under
 * --root becomes BL_VNA ("live-only fact: not available with --root").
 * Rules that reach such values yield `error` / `not_applicable`, never pass.
 */
#ifndef BL_FACTS_FACTS_H
#define BL_FACTS_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "facts/sys.h"
#include "util/arena.h"
#include "util/error.h"

#define BL_PROVIDER_VERSION 1

struct bl_facts;

/*
 * Members of a file object (file["P"], files["GLOB"][*]: FORMATS.md §3) that
 * a request may leave out because no rule reads them, each of which costs
 * reading the whole file (and hashing it, for sha256).  Zero, the default,
 * leaves out nothing: `baseline facts` and any reader that does not say
 * what it reads get the whole object.
 */
#define BL_FILE_OMIT_SHA256 0x1u
#define BL_FILE_OMIT_LINES 0x2u
#define BL_FILE_OMIT_CONTENT 0x4u
#define BL_FILE_OMIT_ALL 0x7u

/* Which parts of a namespace the compiled rules read. */
struct bl_fact_keys {
	bool all;               /* a rule reads the whole namespace (ns, ns[*], ns.x for unkeyed) */
	const char **keys;      /* keyed namespaces: the keys rules name, e.g. "/etc/shadow" */
	size_t n;
	const unsigned *omit;   /* per key: BL_FILE_OMIT_* bits (file, files); NULL = none */
};

struct bl_provider {
	int version;            /* BL_PROVIDER_VERSION */
	const char *name;       /* the namespace, lower case: "file", "sshd", "walk" */
	bool keyed;             /* addressed as name["key"]: file, files, sysctl, packages, ... */
	const char *summary;    /* one line for `baseline facts --list` and docs */
	/*
	 * Build the namespace value in bl_facts_arena(f): for a keyed namespace an
	 * object with one member per requested key (or every key when keys->all
	 * and the provider can enumerate them); otherwise the namespace object.
	 * Return 0 with *out set (it may itself be BL_VERR/BL_VNA), or BL_ENOMEM.
	 * Other failures are values, not return codes.
	 */
	int (*resolve)(struct bl_facts *f, const struct bl_fact_keys *keys,
		       const struct bl_value **out);
};

/* The registry (facts/registry.c): every provider, NULL-terminated. */
extern const struct bl_provider *const bl_providers[];
const struct bl_provider *bl_provider_find(const char *name, size_t len);

/* Per-run context. */
struct bl_facts_opts {
	const char *root;       /* NULL or "/" = the live system */
	size_t max_file;        /* read cap per file; 0 = 16 MiB */
	uint64_t walk_max_entries;   /* filesystem walk cap; 0 = 5,000,000 */
	double walk_max_seconds;     /* 0 = 300 */
	bool allow_commands;         /* command["..."] may run programs (--allow-commands) */
	double command_timeout;      /* seconds per command; 0 = 30 */
};

int bl_facts_open(struct bl_facts **out, const struct bl_facts_opts *opts, struct bl_error *err);
void bl_facts_close(struct bl_facts *f);

/* For providers. */
struct bl_sys *bl_facts_sys(struct bl_facts *f);
/* A per-run cache slot a provider may use for data it parses once (the
 * uid/gid name tables...), keyed by a static name; NULL when the small slot
 * table is full.  What it holds lives in the facts arena. */
void **bl_facts_slot(struct bl_facts *f, const char *name);
struct bl_arena *bl_facts_arena(struct bl_facts *f);
bool bl_facts_live(const struct bl_facts *f);
const struct bl_facts_opts *bl_facts_options(const struct bl_facts *f);

/* Value builders for providers (all in the facts arena; NULL on ENOMEM). */
struct bl_value *bl_facts_error(struct bl_facts *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct bl_value *bl_facts_na_live(struct bl_facts *f);   /* "live-only fact: not available with --root DIR" */

/* A small object builder: members appended in order. */
struct bl_obj_builder {
	struct bl_member *items;
	uint32_t n, cap;
	struct bl_arena *a;
	bool failed;
};
void bl_ob_init(struct bl_obj_builder *b, struct bl_arena *a);
void bl_ob_add(struct bl_obj_builder *b, const char *key, const struct bl_value *v); /* key copied */
void bl_ob_str(struct bl_obj_builder *b, const char *key, const char *s, size_t len);
void bl_ob_strz(struct bl_obj_builder *b, const char *key, const char *s);  /* NULL -> null */
void bl_ob_int(struct bl_obj_builder *b, const char *key, int64_t n);
void bl_ob_bool(struct bl_obj_builder *b, const char *key, bool v);
/* The object, or NULL when an append failed (ENOMEM). */
struct bl_value *bl_ob_finish(struct bl_obj_builder *b);

/* The same for arrays. */
struct bl_arr_builder {
	struct bl_value *items;
	uint32_t n, cap;
	struct bl_arena *a;
	bool failed;
};
void bl_ab_init(struct bl_arr_builder *b, struct bl_arena *a);
void bl_ab_add(struct bl_arr_builder *b, const struct bl_value *v);
struct bl_value *bl_ab_finish(struct bl_arr_builder *b);

/*
 * Resolve the namespaces a set of requests needs and return the host
 * document (an object with one member per namespace requested), each
 * provider run at most once per bl_facts (results are cached; a key cached
 * without a member that a later request needs is resolved again).  Unknown
 * namespaces are not an error here: the member is simply absent.
 */
struct bl_fact_request {
	const char *ns;         /* namespace name (any case) */
	size_t nslen;
	const char *key;        /* keyed namespaces: the key, or NULL for all */
	size_t keylen;
	unsigned omit;          /* BL_FILE_OMIT_* bits this request does not need (0: none);
				   requests for one key need what any of them needs */
};
int bl_facts_document(struct bl_facts *f, const struct bl_fact_request *reqs, size_t n,
		      const struct bl_value **doc, struct bl_error *err);

/* The host asset's id: "host:<hostname>" live; with a root, the hostname in
 * ROOT/etc/hostname, else "root:<ROOT>".  Into the facts arena. */
const char *bl_facts_host_id(struct bl_facts *f);

#endif
