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

/* "baseline CMD: message" on stderr; returns BL_EXIT_USAGE. */
/* The stored runs of baseline_id, oldest first, up to and including the run
 * upto_id (NULL: all), as trend points in arena a.  (history.c) */
int bl_cli_trend_points(struct bl_store *st, const char *baseline_id, const char *upto_id,
			struct bl_arena *a, const struct bl_trend_point **out, size_t *n,
			struct bl_error *err);

/* Render the stored run ref ("latest", an id or a unique prefix) of the store
 * at store_url (NULL: the default) in format to output (NULL: stdout).
 * Returns 0 or an error code with err set.  (report.c) */
int bl_cli_render_stored(const char *ref, const char *store_url, const char *format,
			 const char *output, bool all, struct bl_error *err);

int bl_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print err as "file:line:col: message" on stderr; returns its exit code. */
int bl_cli_report_error(const struct bl_error *err);
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
};
int bl_cli_baseline_load(struct bl_baseline **out, const char *path,
			 const struct bl_cli_load_opts *opts, struct bl_diags *diags);

/*
 * Foreign policy documents (foreign.c): when path holds a document another
 * tool wrote (a Wazuh SCA policy...), import it in memory and return the
 * baseline document built from it: 1 with *doc set (in arena a), 0 when path
 * is not foreign (load it as a baseline), or a negative code with every
 * problem in diags.
 */
int bl_cli_foreign_doc(const struct bl_value **doc, const char *path,
		       const struct bl_cli_load_opts *opts, struct bl_arena *a,
		       struct bl_diags *diags);

#endif
