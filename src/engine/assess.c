/*
 * assess.c - the snapshot pipeline: read and split (this thread), parse and
 * evaluate (worker pool), emit in input order (this thread).  See engine.h.
 *
 * A fixed ring of slots bounds memory: each slot holds one chunk of raw
 * records, the arena their value trees and results live in, and the results.
 * The reading thread fills free slots in sequence order, workers take ready
 * slots, and results are handed to the sink strictly by sequence number, so
 * the output does not depend on the number of threads.
 */
#include "engine/engine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapt/adapt.h"
#include "doc/json.h"
#include "doc/load.h"
#include "doc/stream.h"
#include "doc/yaml.h"
#include "engine/evaluate.h"
#include "engine/index.h"
#include "engine/keep.h"
#include "engine/related.h"
#include "facts/resource.h"

enum slot_state { SLOT_FREE = 0, SLOT_READY, SLOT_RUNNING, SLOT_DONE };

struct slot {
	enum slot_state state;
	uint64_t seq;
	const char *file;
	struct bl_chunk chunk;
	struct bl_arena arena;
	struct bl_results results;
	struct bl_bytes bytes;    /* the results as the sink's fmt made them, or empty */
	uint64_t nassets;
	int rc;
	struct bl_error err;
};

struct worker {
	struct bl_eval ev;
	struct bl_index_cache *cache;
	pthread_t tid;
	struct pool *pool;
	uint64_t serial;          /* the next asset's serial (model/asset.h); 0: none */
	void *fmt;                /* the sink's per-worker formatting state, or NULL */
};

struct pool {
	const struct bl_baseline *b;
	const struct bl_index *ix;
	struct slot *slots;
	size_t nslots;
	pthread_mutex_t mu;
	pthread_cond_t work;      /* a slot became READY, or stop */
	pthread_cond_t done;      /* a slot became DONE */
	bool stop;
	uint64_t fill_seq, emit_seq;
	struct worker *workers;
	unsigned nworkers;        /* 0: the calling thread evaluates */
	unsigned started;         /* workers running (started with the second chunk) */
	struct slot *held;        /* the first chunk while it may be the only one */
	struct worker inline_worker;
	const struct bl_sink *sink;
	const struct bl_sink_fmt *fmt;  /* sink->fmt when the run has workers (they, or
					   this thread for an input of one chunk, format
					   with it), else NULL */
	struct bl_run_stats *stats;
	const struct bl_progress *progress;
	const struct bl_assess_opts *opts;
	const struct bl_relidx *rx;   /* related resources (read-only), or NULL */
	struct bl_json_keep *keep;    /* what to build of each record; NULL = all */
	bool keep_built;              /* keep is built on the first JSON chunk: runs
					 with none (host, YAML, empty input) skip it */
	int stdin_fd;                 /* "-": 0, or stdin spooled to a file */
};

double bl_tally_compliance(const struct bl_tally *t)
{
	uint64_t d = t->n[BL_PASS] + t->n[BL_FAIL] + t->n[BL_ERROR];
	if (d == 0)
		return -1.0;
	return 100.0 * (double)t->n[BL_PASS] / (double)d;
}

const char *bl_status_name(enum bl_status s)
{
	switch (s) {
	case BL_PASS: return "pass";
	case BL_FAIL: return "fail";
	case BL_ERROR: return "error";
	case BL_NA: return "not_applicable";
	case BL_EXEMPT: return "exempt";
	default: return "?";
	}
}

int bl_run_stats_init(struct bl_run_stats *s, const struct bl_baseline *b)
{
	memset(s, 0, sizeof(*s));
	s->per_control = calloc(b->ncontrols + 1, sizeof(*s->per_control));
	if (!s->per_control)
		return BL_ENOMEM;
	for (size_t i = 0; i < b->ncontrols; i++)
		if (b->controls[i].effect != BL_EFFECT_DISABLED)
			s->controls++;
	return 0;
}

/* items[0..n) to one sink, batched where it can take them so. */
static int sink_results(const struct bl_sink *k, const struct bl_result *items, size_t n)
{
	if (k->results)
		return k->results(k->ctx, items, n);
	if (k->result == bl_tee_result)
		return bl_tee_results(k->ctx, items, n);
	if (!k->result)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int rc = k->result(k->ctx, &items[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int bl_tee_results(void *ctx, const struct bl_result *items, size_t n)
{
	const struct bl_tee *t = ctx;
	for (size_t i = 0; i < t->n; i++) {
		int rc = sink_results(&t->sinks[i], items, n);
		if (rc)
			return rc;
	}
	return 0;
}

int bl_tee_result(void *ctx, const struct bl_result *r)
{
	const struct bl_tee *t = ctx;
	for (size_t i = 0; i < t->n; i++) {
		int rc = t->sinks[i].result ? t->sinks[i].result(t->sinks[i].ctx, r) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

int bl_run_stats_track_exceptions(struct bl_run_stats *s, const struct bl_exceptions *x)
{
	free(s->per_exception);
	s->per_exception = NULL;
	s->nexceptions = 0;
	if (!x)
		return 0;
	s->per_exception = calloc(x->n + 1, sizeof(*s->per_exception));
	if (!s->per_exception)
		return BL_ENOMEM;
	s->nexceptions = x->n;
	return 0;
}

void bl_run_stats_add(struct bl_run_stats *s, const struct bl_result *r)
{
	s->total.n[r->status]++;
	s->per_control[r->control->index].n[r->status]++;
	if (r->exception && r->exception->index < s->nexceptions)
		s->per_exception[r->exception->index]++;
}

/* bl_run_stats_add for a chunk's results; without exceptions to count, the
 * loop does not look at each result's (a tenth of counting a result). */
static void stats_add_batch(struct bl_run_stats *s, const struct bl_result *items, size_t n)
{
	if (s->nexceptions) {
		for (size_t i = 0; i < n; i++)
			bl_run_stats_add(s, &items[i]);
		return;
	}
	uint64_t *total = s->total.n;
	struct bl_tally *per_control = s->per_control;
	for (size_t i = 0; i < n; i++) {
		total[items[i].status]++;
		per_control[items[i].control->index].n[items[i].status]++;
	}
}

/* Move the per-asset inventory counts of a batch of results into s. */
static void stats_take_assets(struct bl_run_stats *s, struct bl_results *r)
{
	s->untiered += r->untiered;
	s->unknown_tier += r->unknown_tier;
	s->rule_errors += r->rule_errors;
	r->untiered = r->unknown_tier = r->rule_errors = 0;
}

void bl_run_stats_free(struct bl_run_stats *s)
{
	free(s->per_control);
	s->per_control = NULL;
	free(s->per_exception);
	s->per_exception = NULL;
	s->nexceptions = 0;
}

/* ---- evaluation of one chunk (any thread) ---------------------------- */

/* Identify and evaluate one resource document into results. */
static int eval_resource(struct pool *p, struct worker *w, struct bl_arena *arena,
			 struct bl_results *results, const struct bl_value *v, const char *file,
			 uint64_t index, struct bl_error *err)
{
	struct bl_asset *a = bl_arena_alloc(arena, sizeof(*a));
	if (!a)
		return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	int rc = bl_resource_identify(a, v, file, index, arena, err);
	if (rc)
		return rc;
	/* the slot's count stops short of the next slot's serials */
	if (w->serial && (uint32_t)w->serial != UINT32_MAX)
		a->serial = w->serial++;
	const uint32_t *ctrl;
	size_t n;
	if (bl_index_lookup(p->ix, w->cache, a->type, strlen(a->type), &ctrl, &n) ||
	    bl_evaluate_asset_rel(p->b, ctrl, n, a, p->opts, p->rx, &w->ev, arena, results))
		return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	return 0;
}

/* One top-level record: a resource, or a container an adapter unpacks
 * (adapt.h).  *nassets counts the resources evaluated. */
static int eval_record(struct pool *p, struct worker *w, struct bl_arena *arena,
		       struct bl_results *results, const struct bl_value *v, const char *file,
		       uint64_t index, uint64_t *nassets, struct bl_error *err)
{
	struct bl_adapted ad = {.arena = arena};
	int rc = bl_adapt_record(v, file, &ad, err);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		rc = eval_resource(p, w, arena, results, v, file, index, err);
		if (!rc)
			(*nassets)++;
		return rc;
	}
	for (size_t i = 0; i < ad.n; i++) {
		rc = eval_resource(p, w, arena, results, ad.items[i], file, index, err);
		if (rc)
			return rc;
		(*nassets)++;
	}
	return 0;
}

static void process_slot(struct pool *p, struct worker *w, struct slot *s)
{
	const struct bl_chunk *c = &s->chunk;
	s->rc = 0;
	/* asset serials: the slot's sequence number above a count in the slot,
	 * unique in the run however many threads evaluate */
	w->serial = s->seq < UINT32_MAX ? (s->seq + 1) << 32 : 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct bl_record *r = &c->recs[i];
		const struct bl_value *v = NULL;
		struct bl_json_opts jo = {.line0 = r->line, .col0 = r->col, .keep = p->keep,
					  .padded = true};  /* stream.h */
		int rc = bl_json_parse(&v, &s->arena, c->buf + r->off, r->len, s->file, &jo, &s->err);
		bool plain = false;
		if (!rc && p->keep) {
			if (bl_keep_needs_full(v)) {
				/* an adapter's container: it reads what no control names */
				jo.keep = NULL;
				rc = bl_json_parse(&v, &s->arena, c->buf + r->off, r->len, s->file,
						   &jo, &s->err);
			} else {
				plain = true;   /* no adapter's key: a resource as it is */
			}
		}
		if (!rc && plain) {
			rc = eval_resource(p, w, &s->arena, &s->results, v, s->file, r->index, &s->err);
			s->nassets += !rc;
		} else if (!rc) {
			rc = eval_record(p, w, &s->arena, &s->results, v, s->file, r->index,
					 &s->nassets, &s->err);
		}
		if (rc) {
			s->rc = rc;
			return;
		}
	}
	if (p->fmt && s->results.n &&
	    (s->rc = p->fmt->format(w->fmt, s->results.items, s->results.n, &s->bytes)))
		bl_error_set(&s->err, s->rc, NULL, 0, 0, "out of memory writing results");
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct slot *pick = NULL;
		for (size_t i = 0; i < p->nslots; i++) {
			struct slot *s = &p->slots[i];
			if (s->state == SLOT_READY && (!pick || s->seq < pick->seq))
				pick = s;
		}
		if (!pick) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		pick->state = SLOT_RUNNING;
		pthread_mutex_unlock(&p->mu);
		process_slot(p, w, pick);
		pthread_mutex_lock(&p->mu);
		pick->state = SLOT_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- emission, in sequence order (calling thread) --------------------- */

static void slot_recycle(struct slot *s)
{
	bl_arena_reset(&s->arena);
	s->results.n = 0;
	s->bytes.len = s->bytes.n = 0;
	s->results.untiered = s->results.unknown_tier = s->results.rule_errors = 0;
	s->nassets = 0;
	s->chunk.n = 0;
	s->chunk.len = 0;
	s->rc = 0;
	s->state = SLOT_FREE;
}

static int emit_slot(struct pool *p, struct slot *s, struct bl_error *err)
{
	if (s->rc) {
		*err = s->err;
		return s->rc;
	}
	struct bl_run_stats *st = p->stats;
	st->assets += s->nassets;
	st->bytes += s->chunk.len;
	stats_take_assets(st, &s->results);
	if (p->fmt && s->results.n) {
		int rc = p->fmt->emit(p->fmt->ctx, &s->bytes);
		if (rc)
			return bl_error_set(err, rc, NULL, 0, 0, "writing results failed");
	}
	/* counted first, then to the sink as one batch: a failing sink stops
	 * the run, whose counts are then discarded with its results */
	stats_add_batch(st, s->results.items, s->results.n);
	if (p->sink && s->results.n) {
		int rc = sink_results(p->sink, s->results.items, s->results.n);
		if (rc)
			return bl_error_set(err, rc, NULL, 0, 0, "writing results failed");
	}
	if (p->progress && p->progress->update)
		p->progress->update(p->progress->ctx, st->assets, st->bytes, false);
	return 0;
}

/*
 * Emit every DONE slot that is next in sequence.  With wait, block until at
 * least the next one is done (or nothing is outstanding).  Called with the
 * mutex held; drops it around the sink calls.
 */
static int emit_ready(struct pool *p, bool wait, struct bl_error *err)
{
	for (;;) {
		struct slot *next = NULL;
		for (size_t i = 0; i < p->nslots; i++)
			if (p->slots[i].state != SLOT_FREE && p->slots[i].seq == p->emit_seq)
				next = &p->slots[i];
		if (!next)
			return 0;
		if (next->state != SLOT_DONE) {
			if (!wait)
				return 0;
			pthread_cond_wait(&p->done, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		int rc = emit_slot(p, next, err);
		pthread_mutex_lock(&p->mu);
		if (rc)
			return rc;
		slot_recycle(next);
		p->emit_seq++;
		wait = false;  /* one emitted: the caller has a free slot now */
	}
}

/* Emit everything outstanding. */
static int drain(struct pool *p, struct bl_error *err)
{
	while (p->emit_seq < p->fill_seq) {
		int rc = emit_ready(p, true, err);
		if (rc)
			return rc;
	}
	return 0;
}

static struct slot *free_slot(struct pool *p, struct bl_error *err, int *rc)
{
	for (;;) {
		for (size_t i = 0; i < p->nslots; i++)
			if (p->slots[i].state == SLOT_FREE)
				return &p->slots[i];
		*rc = emit_ready(p, true, err);
		if (*rc)
			return NULL;
	}
}

static int worker_init(struct worker *w, struct pool *p);
static void worker_fini(struct worker *w);

/* Start the worker threads (with p->mu held).  0, or an error in err. */
static int start_workers(struct pool *p, struct bl_error *err)
{
	for (; p->started < p->nworkers; p->started++) {
		struct worker *w = &p->workers[p->started];
		if (worker_init(w, p) || pthread_create(&w->tid, NULL, worker_main, w)) {
			worker_fini(w);
			return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "cannot start worker threads");
		}
	}
	return 0;
}

/* Evaluate the held first chunk on this thread (with p->mu held): the
 * input had no second one, so no worker was started for it. */
static void run_held(struct pool *p)
{
	struct slot *s = p->held;
	p->held = NULL;
	if (!s || p->started)
		return;
	s->state = SLOT_RUNNING;
	pthread_mutex_unlock(&p->mu);
	process_slot(p, &p->inline_worker, s);
	pthread_mutex_lock(&p->mu);
	s->state = SLOT_DONE;
}

/* ---- inputs ------------------------------------------------------------ */

static int assess_json_fd(struct pool *p, int fd, const char *file,
			  const struct bl_stream_opts *so, struct bl_error *err)
{
	struct bl_stream *st = NULL;
	int rc = bl_stream_open(&st, fd, file, so, err);
	if (rc)
		return rc;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct slot *s = free_slot(p, err, &rc);
		if (!s)
			break;
		pthread_mutex_unlock(&p->mu);
		rc = bl_stream_next(st, &s->chunk, err);
		pthread_mutex_lock(&p->mu);
		if (rc <= 0) {
			run_held(p);
			if (rc < 0) {
				/* results before the broken record are emitted first so that
				 * an earlier malformed record is the one reported */
				struct bl_error e2;
				int rc2 = drain(p, &e2);
				if (rc2) {
					*err = e2;
					rc = rc2;
				}
			}
			break;
		}
		if (!p->keep_built) {
			/* before any worker sees a record (the slot is not READY yet) */
			p->keep_built = true;
			if (bl_keep_build(&p->keep, p->b, p->opts)) {
				rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
				break;
			}
		}
		s->seq = p->fill_seq++;
		s->file = file;
		if (p->nworkers == 0) {
			s->state = SLOT_RUNNING;
			pthread_mutex_unlock(&p->mu);
			process_slot(p, &p->inline_worker, s);
			pthread_mutex_lock(&p->mu);
			s->state = SLOT_DONE;
		} else if (!p->started && !p->held) {
			/* The first chunk waits for the second: when there is none,
			 * it is evaluated on this thread, since starting the
			 * workers costs more than they save on one chunk (an empty
			 * or small snapshot, a guardrail's few resources: ~0.5 ms
			 * of a 5 ms start).  READY, but no worker runs to take it. */
			s->state = SLOT_READY;
			p->held = s;
		} else {
			if (!p->started) {
				p->held = NULL;   /* READY: the workers take it */
				if ((rc = start_workers(p, err)))
					break;
			}
			/* one waiting worker is enough: workers just started look
			 * for READY slots (the held one too) before they wait */
			s->state = SLOT_READY;
			pthread_cond_signal(&p->work);
		}
		rc = emit_ready(p, false, err);
		if (rc)
			break;
	}
	if (rc >= 0) {
		int rc2 = drain(p, err);
		if (rc2)
			rc = rc2;
	}
	p->held = NULL;   /* a failed run's: discarded with it */
	pthread_mutex_unlock(&p->mu);
	bl_stream_close(st);
	return rc < 0 ? rc : 0;
}

/* YAML streams (manifests) are parsed whole, one document = one resource
 * (a Kubernetes List contributes its items), and evaluated on this thread. */
struct yaml_ctx {
	struct pool *p;
	const char *file;
	uint64_t index;
	struct bl_arena *arena;
	struct bl_results results;
	struct bl_error *err;
};

/* Evaluate documents on this thread (YAML streams, folder adapters) and
 * hand their results to the sink; the pool must be drained first. */
static int eval_inline(struct pool *p, const struct bl_value *doc, const char *file,
		       uint64_t index, struct bl_arena *arena, struct bl_results *results,
		       struct bl_error *err)
{
	results->n = 0;
	uint64_t nassets = 0;
	int rc = eval_record(p, &p->inline_worker, arena, results, doc, file, index, &nassets, err);
	if (rc)
		return rc;
	p->stats->assets += nassets;
	stats_take_assets(p->stats, results);
	for (size_t i = 0; i < results->n; i++) {
		const struct bl_result *r = &results->items[i];
		bl_run_stats_add(p->stats, r);
		if (p->sink && p->sink->result && (rc = p->sink->result(p->sink->ctx, r)))
			return bl_error_set(err, rc, file, 0, 0, "writing results failed");
	}
	return 0;
}

static int yaml_one(struct yaml_ctx *y, const struct bl_value *doc)
{
	return eval_inline(y->p, doc, y->file, y->index++, y->arena, &y->results, y->err);
}

static int yaml_doc(void *ctx, const struct bl_value *doc)
{
	return yaml_one(ctx, doc);  /* a Kubernetes List is unpacked by its adapter */
}

static int assess_yaml(struct pool *p, const char *path, struct bl_error *err)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	pthread_mutex_lock(&p->mu);
	int rc = drain(p, err);
	pthread_mutex_unlock(&p->mu);
	if (rc)
		return rc;
	/* bl_doc_load handles reading limits; we need the raw bytes for a stream */
	struct yaml_ctx y = {.p = p, .file = path, .arena = &a, .err = err};
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bl_arena_free(&a);
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	}
	struct bl_buf buf;
	bl_buf_init(&buf, BL_DOC_MAX_BYTES);
	char tmp[65536];
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = bl_error_set(err, BL_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
			break;
		}
		if (r == 0)
			break;
		if (bl_buf_add(&buf, tmp, (size_t)r)) {
			rc = bl_error_set(err, BL_ELIMIT, path, 0, 0, "larger than %zu MiB",
					  BL_DOC_MAX_BYTES >> 20);
			break;
		}
	}
	if (fd > 0)
		close(fd);
	if (!rc) {
		p->stats->bytes += buf.len;
		rc = bl_yaml_parse_stream(&a, buf.data ? buf.data : "", buf.len, path, NULL,
					  yaml_doc, &y, err);
	}
	bl_buf_free(&buf);
	bl_results_free(&y.results);
	bl_arena_free(&a);
	return rc;
}

/* First non-blank byte of a regular file, skipping a UTF-8 BOM; 0 if none. */
static int sniff(int fd, char *first)
{
	unsigned char b[4096];
	ssize_t n;
	do
		n = pread(fd, b, sizeof(b), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	ssize_t i = 0;
	if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
		i = 3;
	for (; i < n; i++)
		if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n')
			break;
	*first = i < n ? (char)b[i] : 0;
	return 0;
}

static int assess_file(struct pool *p, const char *path, const struct bl_stream_opts *so,
		       struct bl_error *err)
{
	if (strcmp(path, "-") == 0)
		return assess_json_fd(p, p->stdin_fd, "-", so, err);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	char first = 0;
	struct stat st;
	bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (regular && sniff(fd, &first) != 0) {
		int e = errno;
		close(fd);
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot read: %s", strerror(e));
	}
	int rc;
	if (!regular || first == '{' || first == '[' || first == 0) {
		rc = assess_json_fd(p, fd, path, so, err);
		close(fd);
	} else {
		close(fd);
		rc = assess_yaml(p, path, err);
	}
	return rc;
}

/* Let the folder adapters (adapt.h) claim files of one folder and evaluate
 * the resources they join from them, before the other files. */
static int assess_folder_adapters(struct pool *p, const char *const *names, size_t n,
				  bool *claimed, struct bl_error *err)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_adapted ad = {.arena = &a};
	int rc = bl_adapt_folder(names, n, claimed, &ad, err);
	if (!rc && ad.n) {
		pthread_mutex_lock(&p->mu);
		rc = drain(p, err);
		pthread_mutex_unlock(&p->mu);
	}
	struct bl_results results = {0};
	p->inline_worker.serial = 0;   /* not a slot's: no serials */
	for (size_t i = 0; i < ad.n && !rc; i++) {
		const struct bl_value *v = ad.items[i];
		rc = eval_resource(p, &p->inline_worker, &a, &results, v,
				   v->file ? v->file : names[0], i, err);
		if (rc)
			break;
		p->stats->assets++;
		stats_take_assets(p->stats, &results);
		for (size_t j = 0; j < results.n && !rc; j++) {
			bl_run_stats_add(p->stats, &results.items[j]);
			if (p->sink && p->sink->result && (rc = p->sink->result(p->sink->ctx, &results.items[j])))
				rc = bl_error_set(err, rc, v->file, 0, 0, "writing results failed");
		}
		results.n = 0;
	}
	bl_results_free(&results);
	bl_arena_free(&a);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file below dir, in name order, recursively; symlinked folders are not
 * followed (loops), symlinked files are. */
static int assess_dir(struct pool *p, const char *dir, const struct bl_stream_opts *so,
		      struct bl_error *err, int depth)
{
	if (depth > 64)
		return bl_error_set(err, BL_ELIMIT, dir, 0, 0, "folders nested more than 64 deep");
	DIR *d = opendir(dir);
	if (!d)
		return bl_error_set(err, BL_EIO, dir, 0, 0, "cannot open folder: %s", strerror(errno));
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;  /* ., .., and hidden files such as .git */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn) {
				rc = BL_ENOMEM;
				break;
			}
			names = nn;
		}
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		names[n] = malloc(len);
		if (!names[n]) {
			rc = BL_ENOMEM;
			break;
		}
		snprintf(names[n], len, "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	if (!rc)
		qsort(names, n, sizeof(*names), cmp_str);
	bool *claimed = NULL;
	if (!rc && n && !(claimed = calloc(n, sizeof(*claimed))))
		rc = BL_ENOMEM;
	if (!rc && n)
		rc = assess_folder_adapters(p, (const char *const *)names, n, claimed, err);
	for (size_t i = 0; i < n && !rc; i++) {
		if (claimed[i])
			continue;
		struct stat lst, st;
		if (lstat(names[i], &lst) != 0) {
			rc = bl_error_set(err, BL_EIO, names[i], 0, 0, "cannot stat: %s", strerror(errno));
			break;
		}
		if (S_ISLNK(lst.st_mode)) {
			if (stat(names[i], &st) != 0 || !S_ISREG(st.st_mode))
				continue;
		} else {
			st = lst;
		}
		if (S_ISDIR(st.st_mode))
			rc = assess_dir(p, names[i], so, err, depth + 1);
		else if (S_ISREG(st.st_mode))
			rc = assess_file(p, names[i], so, err);
	}
	if (rc == BL_ENOMEM)
		bl_error_set(err, BL_ENOMEM, dir, 0, 0, "out of memory");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(claimed);
	return rc;
}

static int assess_path(struct pool *p, const char *path, const struct bl_stream_opts *so,
		       struct bl_error *err)
{
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return assess_dir(p, path, so, err, 0);
	return assess_file(p, path, so, err);
}

/* ---- setup ------------------------------------------------------------- */

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static int worker_init(struct worker *w, struct pool *p)
{
	/* the evaluator (first, 32 KB of key hints) is zeroed by bl_eval_init
	 * alone: zeroing it twice was ~1 % of a built-in's start */
	_Static_assert(offsetof(struct worker, ev) == 0, "ev leads struct worker");
	memset((char *)w + sizeof(w->ev), 0, sizeof(*w) - sizeof(w->ev));
	bl_eval_init(&w->ev);
	w->pool = p;
	bl_relidx_attach(p->rx, &w->ev);
	/* p->fmt is set only with threads; the inline worker then formats the
	 * one chunk of an input that has no second (assess_json_fd) */
	if (p->fmt && !(w->fmt = p->fmt->worker_new(p->fmt->ctx)))
		return BL_ENOMEM;
	return bl_index_cache_new(&w->cache);
}

static void worker_fini(struct worker *w)
{
	if (w->fmt)
		w->pool->fmt->worker_free(w->fmt);
	w->fmt = NULL;
	bl_eval_fini(&w->ev);
	bl_index_cache_free(w->cache);
}

int bl_assess(const struct bl_baseline *b, const char *const *paths, size_t npaths,
	      const struct bl_assess_opts *opts, const struct bl_sink *sink,
	      struct bl_run_stats *stats, struct bl_error *err)
{
	struct bl_assess_opts defaults = {0};
	if (!opts)
		opts = &defaults;
	if (!stats->per_control)
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0, "run statistics not initialised");
	struct pool p;
	/* everything but the inline worker, which worker_init sets up whole:
	 * zeroing its evaluator here as well touched its 32 KB twice */
	memset(&p, 0, offsetof(struct pool, inline_worker));
	memset((char *)&p + offsetof(struct pool, inline_worker) + sizeof(p.inline_worker), 0,
	       sizeof(p) - offsetof(struct pool, inline_worker) - sizeof(p.inline_worker));
	p.b = b;
	p.sink = sink;
	p.stats = stats;
	p.progress = opts->progress;
	p.opts = opts;
	struct bl_index *ix = NULL;
	if (bl_index_build(&ix, b))
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	p.ix = ix;
	/* Each record is parsed into what the run reads of it (keep.h); the
	 * keep set is built with the first JSON chunk (assess_json_fd). */
	/* `related:` controls look at other resources of the snapshots: index
	 * those first (stdin is spooled so that it can be read twice) */
	struct bl_relidx *rx = NULL;
	if (bl_relidx_wanted(b)) {
		int xrc = 0;
		for (size_t i = 0; i < npaths && !xrc && !p.stdin_fd; i++)
			if (strcmp(paths[i], "-") == 0)
				xrc = bl_relidx_spool(&p.stdin_fd, err);
		if (!xrc && bl_relidx_new(&rx, b))
			xrc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		if (!xrc)
			xrc = bl_relidx_scan(rx, paths, npaths, p.stdin_fd, err);
		if (xrc) {
			if (p.stdin_fd > 0)
				close(p.stdin_fd);
			bl_relidx_free(rx);
			bl_index_free(ix);
			return xrc;
		}
		p.rx = rx;
	}
	unsigned threads = opts->threads ? opts->threads : online_cpus();
	if (threads > 256)
		threads = 256;
	p.nworkers = threads > 1 ? threads : 0;
	/* with one thread, formatting on the "worker" would only add a copy */
	p.fmt = p.nworkers && sink ? sink->fmt : NULL;
	p.nslots = p.nworkers ? 2 * (size_t)p.nworkers + 1 : 1;
	p.slots = calloc(p.nslots, sizeof(*p.slots));
	/* not zeroed: start_workers sets each up whole (worker_init) when it
	 * starts it, and a run of one chunk starts none */
	p.workers = p.nworkers ? malloc(p.nworkers * sizeof(*p.workers)) : NULL;
	int rc = 0;
	if (!p.slots || (p.nworkers && !p.workers) || worker_init(&p.inline_worker, &p)) {
		rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < p.nslots; i++) {
		bl_chunk_init(&p.slots[i].chunk);
		bl_arena_init(&p.slots[i].arena, 1 << 20);
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.done, NULL);
	/* the workers start with an input's second chunk (assess_json_fd) */
	struct bl_stream_opts so = {.chunk_bytes = opts->chunk_bytes};
	for (size_t i = 0; i < npaths && !rc; i++)
		rc = assess_path(&p, paths[i], &so, err);

	pthread_mutex_lock(&p.mu);
	p.stop = true;
	pthread_cond_broadcast(&p.work);
	pthread_mutex_unlock(&p.mu);
	for (unsigned i = 0; i < p.started; i++) {
		pthread_join(p.workers[i].tid, NULL);
		worker_fini(&p.workers[i]);
	}
	if (p.progress && p.progress->update)
		p.progress->update(p.progress->ctx, stats->assets, stats->bytes, true);
	pthread_cond_destroy(&p.done);
	pthread_cond_destroy(&p.work);
	pthread_mutex_destroy(&p.mu);
	for (size_t i = 0; i < p.nslots; i++) {
		bl_chunk_free(&p.slots[i].chunk);
		bl_arena_free(&p.slots[i].arena);
		bl_results_free(&p.slots[i].results);
		free(p.slots[i].bytes.p);
	}
	worker_fini(&p.inline_worker);
out_free:
	free(p.slots);
	free(p.workers);
	bl_index_free(ix);
	bl_relidx_free(rx);
	bl_json_keep_free(p.keep);
	if (p.stdin_fd > 0)
		close(p.stdin_fd);
	return rc;
}
