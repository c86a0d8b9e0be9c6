/*
 * cli.h - the command table and what subcommands share: exit codes, usage
 * errors, printing diagnostics, opening the output file atomically.
 */
#ifndef BL_CLI_CLI_H
#define BL_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report.h"
#include "store/store.h"
#include "util/error.h"

enum {
	BL_EXIT_OK = 0,
	BL_EXIT_FINDINGS = 1,   /* something failed at or above --fail-on, ... */
	BL_EXIT_USAGE = 2,      /* bad usage or an invalid document */
	BL_EXIT_INTERNAL = 3,
};

struct bl_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int bl_cmd_assess(int argc, char **argv);
int bl_cmd_lint(int argc, char **argv);
int bl_cmd_list(int argc, char **argv);
int bl_cmd_facts(int argc, char **argv);
int bl_cmd_import(int argc, char **argv);
int bl_cmd_import_azure(int argc, char **argv);   /* import_azure.c */
int bl_cmd_import_wazuh_sca(int argc, char **argv);   /* import_sca.c */
int bl_cmd_exceptions(int argc, char **argv);
int bl_cmd_gaps(int argc, char **argv);
int bl_cmd_publish(int argc, char **argv);
int bl_cmd_diff(int argc, char **argv);
int bl_cmd_keygen(int argc, char **argv);
int bl_cmd_sign(int argc, char **argv);
int bl_cmd_verify(int argc, char **argv);
int bl_cmd_version(int argc, char **argv);
int bl_cmd_report(int argc, char **argv);
int bl_cmd_trend(int argc, char **argv);
int bl_cmd_drift(int argc, char **argv);
int bl_cmd_watch(int argc, char **argv);
int bl_cmd_fleet(int argc, char **argv);
int bl_cmd_gate(int argc, char **argv);
int bl_cmd_serve(int argc, char **argv);   /* serve.c */
int bl_cmd_token(int argc, char **argv);   /* token.c */

/* "baseline CMD: message" on stderr; returns BL_EXIT_USAGE. */
/* The stored runs of baseline_id, oldest first, up to and including the run
 * upto_id (NULL: all), as trend points in arena a.  (history.c) */
int bl_cli_trend_points(struct bl_store *st, const char *baseline_id, const char *upto_id,
			struct bl_arena *a, const struct bl_trend_point **out, size_t *n,
			struct bl_error *err);

/* The targets of a stored run (its JSON array), strings in a.  A run whose
 * targets cannot be read has none.  Returns 0 or BL_ENOMEM.  (history.c) */
int bl_cli_run_targets(const struct bl_stored_run *r, struct bl_arena *a, const char ***out,
		       size_t *n);
/* Is target one of r's targets? */
bool bl_cli_run_has_target(const struct bl_stored_run *r, const char *target, struct bl_arena *a);
/* The severity of control id in the `controls` array of a stored effective
 * baseline; medium when it is not there or has none.  (history.c) */
enum bl_severity bl_cli_control_severity(const struct bl_value *controls, const char *id);
/* Failing (fail + error) results of run r by control severity (index enum
 * bl_severity), read from the store.  Returns 0 or an error code, err set. */
int bl_cli_run_failing_by_severity(struct bl_store *st, const struct bl_stored_run *r,
				   struct bl_arena *a, uint64_t failing[5], struct bl_error *err);

/* Render the stored run ref ("latest", an id or a unique prefix) of the store
 * at store_url (NULL: the default) in format to output (NULL: stdout).
 * Returns 0 or an error code with err set.  (report.c) */
int bl_cli_render_stored(const char *ref, const char *store_url, const char *format,
			 const char *output, bool all, struct bl_error *err);

/* The drift between two stored runs (drift.c): ref_b NULL = "latest",
 * ref_a NULL = the run before B of the same baseline id.  Run strings live
 * in a; free d with bl_drift_free (also after an error).  Returns 0 or an
 * error code with err set (BL_EINVAL: no such run / nothing to compare). */
struct bl_drift;
int bl_cli_drift_load(struct bl_store *st, const char *ref_a, const char *ref_b,
		      struct bl_arena *a, struct bl_stored_run *ra, struct bl_stored_run *rb,
		      struct bl_drift *d, struct bl_error *err);

int bl_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print err as "file:line:col: message" on stderr; returns its exit code. */
int bl_cli_report_error(const struct bl_error *err);
/* The exit code when loading documents failed (each rc 0 or the loader's
 * code): 3 when one failed for want of memory or of a library (BL_ENOMEM,
 * BL_EINTERNAL), else 2 (the document or its file is the problem). */
int bl_cli_load_exit(int rc1, int rc2, int rc3);
/* Print every diagnostic, sorted, one per line; returns the count. */
size_t bl_cli_print_diags(struct bl_diags *d, FILE *to);

/*
 * Output that appears only when complete: path NULL or "-" is stdout; a
 * regular (or new) file is written as a temporary file next to path and
 * renamed over it by commit; a device or pipe is written in place.
 */
struct bl_output {
	FILE *f;
	char *path;
	char *tmp;
};
int bl_output_open(struct bl_output *o, const char *path, struct bl_error *err);
int bl_output_commit(struct bl_output *o, struct bl_error *err);
void bl_output_abort(struct bl_output *o);

/* A random RFC 4122 version-4 UUID. */
void bl_uuid4(char out[37]);
/* Current time as RFC 3339 UTC ("2026-11-28T20:34:56Z"). */
void bl_now_rfc3339(char out[32]);

/*
 * --drop-privileges USER (cli/privileges.c).  lookup: call before any work;
 * BL_EINVAL when not root, when USER does not exist or is root (uid/gid 0).
 * drop: once the host has been read and before evaluating results further,
 * rendering or writing anything; sets groups, gid and uid (real, effective,
 * saved) and no_new_privs, then verifies root cannot be regained.  Any
 * failure is BL_EINTERNAL: the caller must stop (exit 3), never continue.
 */
#include <sys/types.h>
struct bl_privdrop {
	char user[64];
	uid_t uid;
	gid_t gid;
};
int bl_privileges_lookup(struct bl_privdrop *out, const char *user, struct bl_error *err);
int bl_privileges_drop(const struct bl_privdrop *p, struct bl_error *err);


/*
 * Load the baseline a command was given (-b): a baseline document or
 * "builtin:NAME", or a foreign policy document that is imported on the fly
 * (detected by content, e.g. a Wazuh SCA policy).  opts may be NULL.
 * Returns what bl_baseline_load returns; every problem is in diags.
 * (common.c)
 */
struct bl_cli_load_opts {
	int sca_version;             /* --sca-version: 4 or 5; 0 = detect */
	const char *parameters;      /* --parameters FILE (ARM-style) or NULL */
	bool parameters_partial;     /* the file also serves other baselines (gate with
					several -b): names this one does not define are
					skipped; the caller checks each name is defined by one */
};
int bl_cli_baseline_load(struct bl_baseline **out, const char *path,
			 const struct bl_cli_load_opts *opts, struct bl_diags *diags);

/*
 * Foreign policy documents (foreign.c): when path holds a document another
 * tool wrote (a Wazuh SCA policy...), import it in memory and return the
 * baseline document built from it: 1 with *doc set (in arena a); a baseline
 * document (top-level `baseline`) is returned as read, also 1.  0 when path
 * is a builtin or does not load, or holds a document that is neither (load
 * it as a baseline: the loader reports why), or a negative code with every
 * problem in diags.
 */
int bl_cli_foreign_doc(const struct bl_value **doc, const char *path,
		       const struct bl_cli_load_opts *opts, struct bl_arena *a,
		       struct bl_diags *diags);

/*
 * --parameters FILE (parameters.c): an object name -> value node (positions
 * kept) in arena a, from {"name": {"value": ...}} or a deployment parameter
 * file.  Shape problems go to diags with file:line:col.  Returns 0,
 * BL_EINVAL, BL_EIO or BL_ENOMEM.  (bl_cli_baseline_load calls it; with
 * opts, assess and gate, every baseline parameter must then have a value.)
 */
int bl_cli_parameters_load(const struct bl_value **out, const char *path, struct bl_arena *a,
			   struct bl_diags *diags);
int bl_cli_parameters_from_doc(const struct bl_value **out, const struct bl_value *doc,
			       struct bl_arena *a, struct bl_diags *diags);

#endif
