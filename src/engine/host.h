/*
 * host.h - assess the local host (or an offline root) as one asset of type
 * linux.host.
 *
 * The compiled baseline says which facts it reads (bl_cond_paths): only
 * those namespaces, and for keyed namespaces only those keys, are resolved
 * (file["/etc/shadow"] stats one file; walk runs only if a control reads it),
 * each at most once per run.  File objects (file, files) carry sha256, lines
 * and content only when some rule reads them, or reads the object whole, as
 * the run's keep set (engine/keep.h) says: a file whose mode alone is checked
 * is never read.
 */
#ifndef BL_ENGINE_HOST_H
#define BL_ENGINE_HOST_H

#include "engine/engine.h"
#include "facts/facts.h"

#define BL_HOST_TYPE "linux.host"

/*
 * Evaluate every enabled control of b whose scope.types match linux.host
 * against the host behind f, sending results to sink and adding to stats
 * (which bl_run_stats_init prepared).  opts (may be NULL) gives the
 * inventory, exceptions and "now", as for bl_assess; threads and progress
 * are ignored.  Returns 0, BL_ENOMEM, a facts error, or the sink's code.
 */
int bl_assess_host(const struct bl_baseline *b, struct bl_facts *f,
		   const struct bl_assess_opts *opts, const struct bl_sink *sink,
		   struct bl_run_stats *stats, struct bl_error *err);

/*
 * The host (when f is not NULL) and then every snapshot in paths, into one
 * sink and one stats.  Returns what bl_assess_host or bl_assess returns.
 */
int bl_assess_targets(const struct bl_baseline *b, struct bl_facts *f, const char *const *paths,
		      size_t npaths, const struct bl_assess_opts *opts, const struct bl_sink *sink,
		      struct bl_run_stats *stats, struct bl_error *err);

/*
 * The fact requests for a set of paths as written in rules, e.g.
 * 'file["/etc/shadow"].mode' -> (file, /etc/shadow); 'sshd.permitrootlogin'
 * -> (sshd, all).  Exposed for `baseline facts PATH`.
 */
int bl_host_requests_for_path(const struct bl_path *p, struct bl_fact_request *out);

#endif
