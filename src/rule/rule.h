/*
 * rule.h - the condition language (FORMATS.md §2): compile once, evaluate
 * against one asset document at a time.
 *
 * Compilation splits paths, parses expressions, folds parameters() and other
 * constant expressions, interns and case-folds comparison strings and
 * compiles regexes (PCRE2, JIT) once.  The compiled program is immutable and
 * shared by all worker threads; everything an evaluation needs to write lives
 * in its struct bl_eval (one per thread).
 *
 * Evaluation is three-valued: true, false, or unknown (an ordering operator
 * on mismatched types, a regex hitting its match limit, an error value from a
 * host probe...).  An unknown is an error (e->error says why) unless it came
 * only from not-available facts (e->na, e->na_reason: a live-only fact under
 * --root), which the engine reports as not_applicable.  allOf/anyOf/not use Kleene logic: in allOf a false child
 * decides even beside an error, in anyOf a true child does; otherwise an
 * error propagates.  An error is never turned into a pass.
 */
#ifndef BL_RULE_RULE_H
#define BL_RULE_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "rule/path.h"
#include "util/arena.h"
#include "util/error.h"

struct bl_cond;    /* opaque compiled condition */

/* Compile-time environment. */
struct bl_rule_env {
	struct bl_arena *arena;               /* owns the compiled program */
	struct bl_diags *diags;               /* every compile error goes here */
	const struct bl_value *param_defs;    /* the baseline's `parameters` object, or NULL */
	const struct bl_value *param_values;  /* name -> value overriding defaults, or NULL */
	bool no_jit;                          /* do not JIT-compile regexes (conditions
						 evaluated a few times per run) */
	struct bl_compile_cache *cache;       /* what the conditions compiled into this
						 arena share: compiled regexes (a baseline
						 repeats patterns: linux-host has 221, 145
						 distinct), field paths, their leading
						 segments and leaf keys (the evaluator's
						 memo); NULL = none */
	bool lazy_regex;                      /* with cache: compile the literal
						 patterns of regex/notRegex on first use
						 instead of now, for documents whose
						 patterns are known to compile (shipped
						 content, checked at build time by
						 scripts/embed.c): most runs use few of
						 them, and compiling all was a fifth of
						 starting builtin:linux-host.  Patterns
						 from expressions are still compiled now. */
};

/* A cache for struct bl_rule_env.cache, in arena a (rule/ops.c); NULL
 * on ENOMEM, which only means no cache (nor lazy compiling).  A pattern
 * compiled lazily is compiled into a too, by whichever evaluating thread
 * needs it first (under the cache's lock): nothing else may allocate from a
 * once evaluation has started. */
struct bl_compile_cache *bl_compile_cache_new(struct bl_arena *a);

/*
 * Compile cond (an object node of a document).  Every problem is added to
 * env->diags with the file:line:col of the offending node: unknown keys,
 * unknown operators, a leaf with zero or two operators, wrong operand types
 * (in/notIn need an array, exists a boolean or "true"/"false", count an
 * integer...), bad regexes, bad expressions, unknown parameters.
 * Returns 0 with *out set, BL_EINVAL (diags filled), or BL_ENOMEM.
 */
int bl_cond_compile(const struct bl_cond **out, const struct bl_value *cond,
		    const struct bl_rule_env *env);

enum bl_truth {
	BL_FALSE = 0,
	BL_TRUE = 1,
	BL_UNKNOWN = 2,    /* evaluation error; struct bl_eval.error says why */
};

#define BL_EVIDENCE_MAX 8
#define BL_SCOPE_MAX 16

struct bl_evidence {
	const char *path;              /* concrete path, e.g. "properties.rules[2].access"
					  or "count(properties.rules[*])" (eval arena) */
	const struct bl_value *actual; /* NULL when the field is missing */
	const char *expected;          /* e.g. "equals true", "in [\"a\",\"b\"]" (eval arena) */
};

/* A binding made by count: the element being counted. */
struct bl_scope {
	const char *name;               /* value count: its `name`; field count: NULL */
	const struct bl_path *array;    /* field count: the counted "...[*]" path */
	const struct bl_value *current; /* the current element */
	const char *concrete;           /* concrete path of the element, for evidence */
};

/*
 * Per-thread evaluation state.  bl_eval_init once per thread, bl_eval_reset
 * per asset, bl_eval_fini at the end.  Not shared between threads.
 */
#define BL_KEY_HINTS 2048

struct bl_eval_memo;   /* eval.c */

struct bl_eval {
	const struct bl_value *doc;     /* the asset document */
	struct bl_arena *arena;         /* scratch for this asset (caller resets) */
	struct bl_scope scopes[BL_SCOPE_MAX];
	size_t nscopes;
	char error[256];                /* why the last BL_UNKNOWN happened; "" when every
					   unknown came from a not-available fact */
	bool na;                        /* an unknown came from a BL_VNA fact */
	char na_reason[256];            /* its reason ("live-only fact: ...") */
	struct bl_evidence ev[BL_EVIDENCE_MAX];
	size_t nev;
	void *regex_scratch;            /* PCRE2 match data, created lazily */
	uint32_t regex_match_limit;     /* 0 = 1,000,000 */
	const struct bl_value *outer;   /* set while a related resource is evaluated: field()
					   in expressions reads this document (Azure's
					   existenceCondition); NULL otherwise */
	/* The snapshot's resource with this id (ASCII case-insensitive), for
	   what subscription() and resourceGroup() return beyond the id (their
	   tags, displayName...); NULL when the run keeps no such index or the
	   export holds no such resource.  Set by the engine, may be NULL. */
	const struct bl_value *(*find_resource)(const void *ctx, const char *id, size_t len);
	const void *find_ctx;
	/* Where each path segment last found its key (eval.c): documents of
	 * one export list their members in the same order, so the member at
	 * the remembered index is almost always the one asked for, and
	 * checking it is one compare instead of a scan ("properties" is often
	 * the last of an Azure resource's 17 keys).  Two-way, by segment
	 * address (eval.c key_scan); a hint is only ever a guess, re-checked against the key on
	 * every use, so a stale or colliding entry costs a scan, never a wrong
	 * answer. */
	struct bl_key_hint {
		const void *seg;
		uint32_t idx;
	} hints[BL_KEY_HINTS];
	/* What the current document gave the conditions evaluated so far
	 * (eval.c): the values of path prefixes (struct bl_pfx), results of
	 * leaves that other leaves share (struct bl_leaf_key) and of
	 * top-level counts.  The controls of a baseline read the same
	 * "properties.x" again and again, repeat leaves (most of all inside
	 * the `where` of counts over one array), and explaining a failure
	 * evaluates its parts once more.  An entry holds for one document
	 * between resets: it is current when its gen is memo_gen, which
	 * bl_eval_reset advances, as does evaluating with another e->doc than
	 * memo_doc (the related-resource pass swaps documents), so nothing is
	 * ever cleared in bulk.  The contract this needs: a document does not
	 * change while it is being evaluated (between two bl_eval_reset
	 * calls).  The tables are allocated by the first condition that can
	 * use them (compiled through a cache, for many documents) and freed
	 * by bl_eval_fini; without them (none yet, or no memory) everything
	 * is evaluated as it is read. */
	uint32_t memo_gen;
	const struct bl_value *memo_doc;
	struct bl_eval_memo *memo;
	/* The lengths of ev[i].path ([i][0]) and ev[i].expected ([i][1]) where
	 * the evaluator knew them (compile-time texts, paths it built), so the
	 * failure message need not measure them; 0 = unknown, use strlen.
	 * Kept here, not in struct bl_evidence: results copy evidence and
	 * some writers replace its path (related.c prefixes the control). */
	uint32_t evlen[BL_EVIDENCE_MAX][2];
};

void bl_eval_init(struct bl_eval *e);
void bl_eval_reset(struct bl_eval *e, const struct bl_value *doc, struct bl_arena *arena);
void bl_eval_fini(struct bl_eval *e);
/* Forget the error and not-available state (call before each control:
 * inline, as a call was ~5 instructions of every result). */
static inline void bl_eval_clear(struct bl_eval *e)
{
	e->error[0] = '\0';
	e->na = false;
	e->na_reason[0] = '\0';
}
/* Record that evaluation reached a BL_VERR/BL_VNA fact (for providers of
 * unknowns: ops, counts, expressions).  Errors win over not-available. */
void bl_eval_special(struct bl_eval *e, const struct bl_value *v);

/*
 * Azure Policy's `fullName` of doc (the resource name prefixed by its
 * parents' names, "server/database"), which exports do not carry: derived
 * from the id (the names after the last "/providers/<namespace>/"), else
 * `name`.  `field: fullName` and field('fullName') fall back to it when the
 * document has no fullName.  In e->arena; NULL when there is no id.
 */
const struct bl_value *bl_eval_full_name(struct bl_eval *e, const struct bl_value *doc);

/* Evaluate c against e->doc. */
enum bl_truth bl_cond_eval(const struct bl_cond *c, struct bl_eval *e);

/*
 * Fill e->ev with the leaves that made c come out as `outcome` (call after
 * bl_cond_eval returned it): for allOf=false the first false child, for
 * anyOf=false every child, for allOf=true every child, for anyOf=true the
 * first true child, through `not` with the outcome flipped; a [*] leaf names
 * the first element that decided.  Capped at BL_EVIDENCE_MAX.
 *
 * Each piece of evidence says what would have flipped its leaf: a leaf that
 * was false is described as written ("equals true"); a leaf that was true (a
 * violation leaf, or one under an odd number of `not`s) is negated
 * ("notEquals \"Enabled\"", "exists true", "not (count of ... greater 0)").
 * When explaining a failure, that is exactly the compliant requirement,
 * for `expect` and `violation` conditions alike.
 */
void bl_cond_explain(const struct bl_cond *c, struct bl_eval *e, enum bl_truth outcome);

/* Describe the condition for people, e.g. "properties.x equals true" (arena). */
const char *bl_cond_describe(const struct bl_cond *c, struct bl_arena *a);

/*
 * The top-level keys of the document that c reads (the first segment of every
 * field path, lower-cased), so a caller can resolve only those namespaces.
 * Calls cb once per distinct key.  Expressions using field() are included.
 */
typedef void (*bl_cond_key_cb)(void *ctx, const char *key, size_t len);
void bl_cond_keys(const struct bl_cond *c, bl_cond_key_cb cb, void *ctx);

/*
 * Every document path c reads, for callers that resolve data lazily (host
 * facts: file["/etc/shadow"] means "stat that one file").  cb gets each field
 * path as written (count-relative paths are written in full, so they too
 * start at the document root), and, for field() inside expressions whose path
 * is only known at run time, path NULL and the first segment in key.
 */
typedef void (*bl_cond_path_cb)(void *ctx, const struct bl_path *path, const char *key,
				size_t keylen);
void bl_cond_paths(const struct bl_cond *c, bl_cond_path_cb cb, void *ctx);

/*
 * Does c call the expression function fn (matched case-insensitively, e.g.
 * "subscription")?  Read from the expressions' text (rule/calls.c): a name
 * inside a string literal also counts, which only costs the caller work.
 */
bool bl_cond_calls(const struct bl_cond *c, const char *fn);
bool bl_expr_text_calls(const char *text, const char *fn);

/*
 * Add to k (a keep set for the selective JSON parse, doc/json.h) every
 * document path c reads: the field paths of its leaves, counts and their
 * `where` ([*] and [n] pass through arrays; what a leaf compares is kept
 * whole).  Returns 0, BL_ENOMEM, or 1 when c reads what cannot be listed
 * (an expression evaluated at run time): the caller must then parse
 * documents in full.  rule/paths.c.
 */
struct bl_json_keep;
int bl_cond_keep(const struct bl_cond *c, struct bl_json_keep *k);

#endif
