/*
 * test_json_fast.c - report/json.c's fast path for results: the per-status
 * control fragments, the constant tail of a result without tags, evidence or
 * exception, the cache of repeated messages (same address, changed in place,
 * escapes), evidence values written inline, the first result written
 * without a separator after skipped ones, the asset cache (serials, equal
 * strings, recycled addresses), strings escaped around block boundaries, and
 * the spool copied to a file or a pipe; every result must be the bytes of
 * bl_report_result_json.
 */
#include "../engine/enginetest.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "engine/rollup.h"
#include "model/exceptions.h"
#include "report/report.h"

static const char *doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: C-1, title: one, severity: high, expect: {field: x, exists: true}}\n"
	"  - {id: C-2, title: two, severity: low, effect: deny, expect: {field: x, exists: true}}\n"
	"  - {id: C-3, title: three, severity: info, expect: {field: x, exists: true}}\n";

/* A JSON report being fed results, with the run statistics its finish
 * needs (three controls). */
struct feed {
	struct bl_report *r;
	struct bl_run_stats st;
	struct bl_tally pc[3];
};

static void feed_open(struct feed *fd, struct et *t, bool all)
{
	struct bl_error e;
	struct bl_report_opts o = {.all = all};
	memset(fd, 0, sizeof(*fd));
	assert_int_equal(bl_report_open(&fd->r, "json", t->b, &o, &e), 0);
	fd->st.per_control = fd->pc;
	fd->st.controls = 3;
}

static void feed_result(struct feed *fd, const struct bl_result *res)
{
	assert_int_equal(bl_report_result(fd->r, res), 0);
	fd->st.total.n[res->status]++;
	fd->pc[res->control->index].n[res->status]++;
}

/* res[0..n) in one bl_report_results call. */
static void feed_batch(struct feed *fd, const struct bl_result *res, size_t n)
{
	assert_int_equal(bl_report_results(fd->r, res, n), 0);
	for (size_t i = 0; i < n; i++) {
		fd->st.total.n[res[i].status]++;
		fd->pc[res[i].control->index].n[res[i].status]++;
	}
}

/* Finish into f and free the report. */
static void feed_finish(struct feed *fd, struct et *t, FILE *f)
{
	struct bl_error e;
	struct bl_rollup ru;
	assert_int_equal(bl_rollup_build(&ru, t->b, &fd->st), 0);
	struct bl_run_info run = {.id = "x", .started = "s", .finished = "f", .baseline = t->b,
				  .stats = &fd->st, .rollup = &ru};
	assert_int_equal(bl_report_finish(fd->r, &run, f, &e), 0);
	bl_report_free(fd->r);
	bl_rollup_free(&ru);
}

/* The results written by the JSON report to f, reported one by one (the
 * caller may change the results' strings in between through cb). */
static void render_to(FILE *f, struct et *t, const struct bl_result *res, size_t n, bool all,
		      void (*cb)(size_t i, void *ctx), void *ctx)
{
	struct feed fd;
	feed_open(&fd, t, all);
	for (size_t i = 0; i < n; i++) {
		if (cb)
			cb(i, ctx);
		feed_result(&fd, &res[i]);
	}
	feed_finish(&fd, t, f);
}

/* The same into memory (a stream without a file descriptor). */
static char *render(struct et *t, const struct bl_result *res, size_t n, bool all,
		    void (*cb)(size_t i, void *ctx), void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	render_to(f, t, res, n, all, cb, ctx);
	fclose(f);
	return buf;
}

/* Compare the written results with the shared writer's, given the expected
 * text of each written result (made while the strings were as reported). */
static void check(const char *out, const struct bl_buf *want)
{
	const char *p = strstr(out, "\"results\": [");
	assert_non_null(p);
	p += strlen("\"results\": [");
	if (strncmp(p, want->data, want->len) != 0)
		fail_msg("results differ:\n got: %s\nwant: %s", p, want->data);
	assert_string_equal(p + want->len, "\n  ]\n}\n");
}

struct live {
	const struct bl_result *res;
	bool all;
	struct bl_buf *want;
	size_t written;
	char *msgbuf;      /* a message changed in place at result changes[] */
	const size_t *changes;
	const char *const *texts;
	size_t nchanges;
};

static void record(size_t i, void *ctx)
{
	struct live *l = ctx;
	for (size_t k = 0; k < l->nchanges; k++)
		if (l->changes[k] == i)
			snprintf(l->msgbuf, 64, "%s", l->texts[k]);
	if (l->res[i].status == BL_NA && !l->all)
		return;
	bl_buf_adds(l->want, l->written++ ? ",\n    " : "\n    ");
	assert_int_equal(bl_report_result_json(l->want, &l->res[i]), 0);
}

static void test_message_cache(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	struct bl_asset a = {.id = "/subs/1/a", .type = "T"};
	char msgbuf[64] = "first";
	static const char esc[] = "needs \"escape\"\t\\";
	enum { N = 40 };
	struct bl_result res[N];
	memset(res, 0, sizeof(res));
	for (size_t i = 0; i < N; i++) {
		res[i].control = &c[i % 3];
		res[i].asset = &a;
		res[i].status = i % 5 == 4 ? BL_FAIL : BL_PASS;
		res[i].message = i % 5 == 4 ? msgbuf : (i % 7 == 3 ? esc : "compliant");
	}
	/* the buffer's content changes between uses: never its old escape */
	const size_t changes[] = {9, 19, 24, 34};
	const char *const texts[] = {"second \"quoted\"", "third", "third!", ""};
	for (int all = 0; all < 2; all++) {
		snprintf(msgbuf, sizeof(msgbuf), "first");
		struct bl_buf want;
		bl_buf_init(&want, 0);
		struct live l = {.res = res, .all = all, .want = &want, .msgbuf = msgbuf,
				 .changes = changes, .texts = texts, .nchanges = 4};
		char *out = render(&t, res, N, all, record, &l);
		check(out, &want);
		free(out);
		bl_buf_free(&want);
	}
	et_free(&t);
}

static void test_evidence_values_and_first(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	struct bl_asset a = {.id = "/subs/1/b", .type = "T", .tier = 1, .environment = "prod"};
	struct bl_value vt = {.type = BL_VBOOL, .b = true}, vf = {.type = BL_VBOOL, .b = false};
	struct bl_value vn = {.type = BL_VNULL};
	struct bl_value vs = {.type = BL_VSTR, .u.str = {.s = "a\"b\\c\n\x01", .len = 8}};
	struct bl_value vu = {.type = BL_VSTR, .u.str = {.s = "caf\xc3\xa9 \xe2\x80\xa8", .len = 9}};
	struct bl_value vnum = {.type = BL_VNUM, .u.num = {.text = "0640", .len = 4, .d = 640}};
	struct bl_value vnum2 = {.type = BL_VNUM, .flags = BL_VF_INT,
				 .u.num = {.text = "12", .len = 2, .d = 12}};
	struct bl_member om = {.key = "k", .klen = 1, .val = {.type = BL_VBOOL, .b = true}};
	struct bl_value vo = {.type = BL_VOBJ};
	vo.u.obj.items = &om;
	vo.u.obj.n = 1;
	struct bl_evidence ev[8] = {
		{.path = "p.t", .actual = &vt, .expected = "equals false"},
		{.path = "p.f", .actual = &vf, .expected = "equals true"},
		{.path = "p.n", .actual = &vn, .expected = "exists false"},
		{.path = "p.s", .actual = &vs, .expected = "equals \"x\""},
		{.path = "p.u", .actual = &vu, .expected = "like \"*\""},
		{.path = "p.num", .actual = &vnum, .expected = "less 5"},
		{.path = "p.num2", .actual = &vnum2, .expected = "less 5"},
		{.path = NULL, .actual = &vo, .expected = NULL},
	};
	struct bl_result res[] = {
		{.control = &c[0], .asset = &a, .status = BL_NA, .message = "not applicable: x"},
		{.control = &c[1], .asset = &a, .status = BL_NA, .message = "not applicable: x"},
		{.control = &c[2], .asset = &a, .status = BL_FAIL, .evidence = ev, .nevidence = 8,
		 .message = "p.t is true; expected equals false (and 7 more)"},
		{.control = &c[0], .asset = &a, .status = BL_PASS, .message = NULL},
		{.control = &c[1], .asset = &a, .status = BL_PASS, .message = "compliant"},
		{.control = &c[2], .asset = &a, .status = BL_ERROR, .message = "bad"},
		{.control = &c[0], .asset = &a, .status = BL_EXEMPT, .message = "compliant"},
	};
	size_t n = sizeof(res) / sizeof(res[0]);
	for (int all = 0; all < 2; all++) {
		struct bl_buf want;
		bl_buf_init(&want, 0);
		struct live l = {.res = res, .all = all, .want = &want};
		char *out = render(&t, res, n, all, record, &l);
		check(out, &want);
		free(out);
		bl_buf_free(&want);
	}
	et_free(&t);
}

/* ---- the asset cache -------------------------------------------------- */

/* An asset struct reused for another asset between results (an arena
 * recycling the address), changed at the given result indexes. */
struct recycle {
	struct live live;
	struct bl_asset *rec;
	char *idbuf;              /* rec->id, rewritten in place */
	const size_t *at;
	const struct bl_asset *states;
	const char *const *ids;
	size_t n;
};

static void recycle_cb(size_t i, void *ctx)
{
	struct recycle *rc = ctx;
	for (size_t k = 0; k < rc->n; k++)
		if (rc->at[k] == i) {
			*rc->rec = rc->states[k];
			snprintf(rc->idbuf, 64, "%s", rc->ids[k]);
			rc->rec->id = rc->idbuf;
		}
	record(i, &rc->live);
}

static void test_asset_cache(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	/* two assets with equal strings and their own serials; the same strings
	 * without serial; another without serial */
	struct bl_asset a1 = {.id = "/s/1/x", .type = "T", .serial = 11};
	struct bl_asset a2 = {.id = "/s/1/x", .type = "T", .serial = 12};
	struct bl_asset a0 = {.id = "/s/1/x", .type = "T"};
	struct bl_asset ab = {.id = "/s/1/y", .type = "T"};
	char idbuf[64] = "";
	struct bl_asset rec = {.id = idbuf, .type = "T"};
	/* rec's lives at one address: without serial, then with serials */
	const size_t at[] = {10, 12, 14, 16, 18, 20};
	const struct bl_asset states[] = {
		{.type = "T"},
		{.type = "T"},
		{.type = "T", .serial = 21},
		{.type = "T", .serial = 22, .environment = "prod"},
		{.type = "U", .serial = 23, .tier = 2, .owner = "o"},
		{.type = "U", .serial = 24, .tier = 2, .owner = "o"},
	};
	const char *const ids[] = {"/r/1", "/r/2", "/r/3", "/r/3", "/r/5", "/r/6 \"q\""};
	char secret2[] = "secret";
	struct bl_evidence ev = {.path = "p", .expected = "equals 1"};
	enum { N = 30 };
	struct bl_result res[N];
	memset(res, 0, sizeof(res));
	const struct bl_asset *seq[N] = {
		&a1, &a1, &a2, &a2, &a0, &a0, &ab, &ab, &a0, &a0,
		&rec, &rec, &rec, &rec, &rec, &rec, &rec, &rec, &rec, &rec,
		&rec, &rec, &a1, &a1, &a1, &a0, &a0, &a1, &a2, &a0,
	};
	for (size_t i = 0; i < N; i++) {
		res[i].control = &c[i % 3];
		res[i].asset = seq[i];
		res[i].status = (enum bl_status)(i % BL_NSTATUS);
		res[i].message = i % 2 ? "compliant" : "bad \"x\"";
		if (res[i].status == BL_FAIL) {
			res[i].evidence = &ev;
			res[i].nevidence = 1;
		}
	}
	/* a classification that changes within an asset's results, by address
	 * (equal text) and by content */
	res[22].classification = "secret";
	res[23].classification = secret2;
	res[24].classification = "public";
	res[26].classification = "public";
	for (int all = 0; all < 2; all++) {
		struct bl_buf want;
		bl_buf_init(&want, 0);
		struct recycle rc = {.live = {.res = res, .all = all, .want = &want},
				     .rec = &rec, .idbuf = idbuf, .at = at, .states = states,
				     .ids = ids, .n = sizeof(at) / sizeof(at[0])};
		char *out = render(&t, res, N, all, recycle_cb, &rc);
		check(out, &want);
		free(out);
		bl_buf_free(&want);
	}
	et_free(&t);
}

/* ---- escapes around 16-byte blocks ------------------------------------ */

static const char *const specials[] = {
	"\"", "\\", "\n", "\x01", "\x7f", "\xc3\xa9", "\xe2\x80\xa8", "\xff",
};
#define NSPECIALS (sizeof(specials) / sizeof(specials[0]))

/* len bytes of letters with special sp at each position in pos[0..npos). */
static char *text(struct bl_arena *a, size_t len, const size_t *pos, size_t npos, const char *sp)
{
	size_t sl = strlen(sp);
	char *s = bl_arena_alloc(a, len * sl + 1);
	assert_non_null(s);
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		bool hit = false;
		for (size_t k = 0; k < npos; k++)
			hit = hit || pos[k] == i;
		if (hit) {
			memcpy(s + o, sp, sl);
			o += sl;
		} else {
			s[o++] = (char)('a' + i % 26);
		}
	}
	s[o] = '\0';
	return s;
}

/* A failure with s everywhere a result has text. */
static void text_result(struct bl_result *r, struct bl_evidence *ev, struct bl_value *v,
			struct bl_asset *as, const struct bl_control *c, const char *s, size_t i)
{
	*v = (struct bl_value){.type = BL_VSTR, .u.str = {.s = s, .len = (uint32_t)strlen(s)}};
	*ev = (struct bl_evidence){.path = s, .actual = v, .expected = s};
	*as = (struct bl_asset){.id = s, .type = s, .serial = i % 2 ? i + 1 : 0};
	*r = (struct bl_result){.control = c, .asset = as, .status = BL_FAIL, .evidence = ev,
				.nevidence = 1, .message = s};
}

static void test_escapes_at_block_edges(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	/* one special at every position of strings up to 40 bytes, two at every
	 * pair of positions of strings around one, two and three blocks */
	static const size_t lens2[] = {15, 16, 17, 31, 32, 33, 47, 48, 49};
	size_t n = 0, cap = 0;
	for (size_t len = 0; len <= 40; len++)
		cap += (len + 1) * NSPECIALS;
	for (size_t k = 0; k < sizeof(lens2) / sizeof(lens2[0]); k++)
		cap += lens2[k] * lens2[k] * 2;
	struct bl_result *res = calloc(cap, sizeof(*res));
	struct bl_evidence *ev = calloc(cap, sizeof(*ev));
	struct bl_value *v = calloc(cap, sizeof(*v));
	struct bl_asset *as = calloc(cap, sizeof(*as));
	assert_true(res && ev && v && as);
	for (size_t len = 0; len <= 40; len++)
		for (size_t sp = 0; sp < NSPECIALS; sp++)
			for (size_t p = 0; p <= len; p++) {   /* p == len: none */
				const char *s = text(&a, len, &p, 1, specials[sp]);
				text_result(&res[n], &ev[n], &v[n], &as[n], &t.b->controls[n % 3],
					    s, n);
				n++;
			}
	for (size_t k = 0; k < sizeof(lens2) / sizeof(lens2[0]); k++)
		for (size_t p1 = 0; p1 < lens2[k]; p1++)
			for (size_t p2 = p1 + 1; p2 < lens2[k]; p2++)
				for (size_t sp = 0; sp < 2; sp++) {
					size_t pos[2] = {p1, p2};
					const char *s = text(&a, lens2[k], pos, 2, specials[sp * 2]);
					text_result(&res[n], &ev[n], &v[n], &as[n],
						    &t.b->controls[n % 3], s, n);
					n++;
				}
	assert_true(n <= cap);
	struct bl_buf want;
	bl_buf_init(&want, 0);
	struct live l = {.res = res, .all = false, .want = &want};
	char *out = render(&t, res, n, false, record, &l);
	/* more than one spool block */
	assert_true(strlen(out) > 3 * 256 * 1024);
	check(out, &want);
	free(out);
	bl_buf_free(&want);
	free(res);
	free(ev);
	free(v);
	free(as);
	bl_arena_free(&a);
	et_free(&t);
}

/* ---- the spool copied to a file descriptor ---------------------------- */

/* n results of one asset, for several spool blocks. */
static struct bl_result *many(struct et *t, const struct bl_asset *as, size_t n)
{
	struct bl_result *res = calloc(n, sizeof(*res));
	assert_non_null(res);
	for (size_t i = 0; i < n; i++)
		res[i] = (struct bl_result){.control = &t->b->controls[i % 3], .asset = as,
					    .status = i % 4 ? BL_PASS : BL_FAIL,
					    .message = i % 4 ? "compliant" : "a failure"};
	return res;
}

/* All of f, from its start. */
static char *slurp(FILE *f)
{
	assert_int_equal(fflush(f), 0);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	char *buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	return buf;
}

struct drain {
	int fd;
	char *buf;
	size_t len;
};

/* Read the pipe to its end. */
static void *drain_main(void *arg)
{
	struct drain *d = arg;
	size_t cap = 0;
	for (;;) {
		if (d->len + 65536 > cap) {
			cap = cap ? 2 * cap : 1 << 20;
			char *nb = realloc(d->buf, cap + 1);
			if (!nb)
				break;
			d->buf = nb;
		}
		ssize_t r = read(d->fd, d->buf + d->len, 65536);
		if (r <= 0)
			break;
		d->len += (size_t)r;
	}
	if (d->buf)
		d->buf[d->len] = '\0';
	return NULL;
}

static void test_spool_to_descriptors(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct bl_asset as = {.id = "/subscriptions/0000/resourceGroups/rg/providers/x/y/z",
			      .type = "T", .serial = 7};
	enum { N = 6000 };
	struct bl_result *res = many(&t, &as, N);
	char *want = render(&t, res, N, false, NULL, NULL);
	size_t wl = strlen(want);
	assert_true(wl > 2 * 256 * 1024);

	/* a file, after bytes still in the stream's buffer */
	FILE *f = tmpfile();
	assert_non_null(f);
	fputs("before\n", f);
	render_to(f, &t, res, N, false, NULL, NULL);
	fputs("after\n", f);
	char *got = slurp(f);
	fclose(f);
	assert_int_equal(strlen(got), 7 + wl + 6);
	assert_int_equal(strncmp(got, "before\n", 7), 0);
	assert_int_equal(memcmp(got + 7, want, wl), 0);
	assert_string_equal(got + 7 + wl, "after\n");
	free(got);

	/* a file opened for appending (copy_file_range refuses it) */
	char path[] = "/tmp/test_json_fast.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old\n", 4), 4);
	close(fd);
	f = fopen(path, "a+");
	assert_non_null(f);
	render_to(f, &t, res, N, false, NULL, NULL);
	got = slurp(f);
	fclose(f);
	unlink(path);
	assert_int_equal(strlen(got), 4 + wl);
	assert_int_equal(strncmp(got, "old\n", 4), 0);
	assert_string_equal(got + 4, want);
	free(got);

	/* a pipe, read by another thread */
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	struct drain d = {.fd = pfd[0]};
	pthread_t tid;
	assert_int_equal(pthread_create(&tid, NULL, drain_main, &d), 0);
	f = fdopen(pfd[1], "w");
	assert_non_null(f);
	render_to(f, &t, res, N, false, NULL, NULL);
	fclose(f);
	pthread_join(tid, NULL);
	close(pfd[0]);
	assert_non_null(d.buf);
	assert_string_equal(d.buf, want);
	free(d.buf);

	/* /dev/null takes it all */
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	render_to(f, &t, res, N, false, NULL, NULL);
	fclose(f);

	free(want);
	free(res);
	et_free(&t);
}

/* The results rendered through the report's worker-side formatting
 * (struct bl_sink_fmt): runs of results reported one by one, chunks
 * formatted by two "workers" (alternating, so each has its own caches) and
 * emitted before their results are reported (one by one, or with batch in
 * one bl_report_results call per segment, as the engine hands them over);
 * a chunk of only skipped results, a chunk first of all.  The document must
 * be the same bytes. */
static char *render_chunked(struct et *t, const struct bl_result *res, size_t n, bool all,
			    const size_t *cuts, size_t ncuts, bool batch)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct feed fd;
	feed_open(&fd, t, all);
	struct bl_sink_fmt fb;
	const struct bl_sink_fmt *fmt = bl_report_fmt(fd.r, &fb);
	assert_non_null(fmt);
	void *w[2] = {fmt->worker_new(fmt->ctx), fmt->worker_new(fmt->ctx)};
	assert_non_null(w[0]);
	assert_non_null(w[1]);
	struct bl_bytes bytes = {0};
	/* cuts[] split res into segments; odd segments go through the workers */
	size_t from = 0;
	for (size_t k = 0; k <= ncuts; k++) {
		size_t to = k < ncuts ? cuts[k] : n;
		if (k % 2 == 1 && to > from) {
			assert_int_equal(fmt->format(w[k / 2 % 2], res + from, to - from, &bytes), 0);
			assert_int_equal(fmt->emit(fmt->ctx, &bytes), 0);
		}
		if (batch)
			feed_batch(&fd, res + from, to - from);
		else
			for (size_t i = from; i < to; i++)
				feed_result(&fd, &res[i]);
		from = to;
	}
	fmt->worker_free(w[0]);
	fmt->worker_free(w[1]);
	free(bytes.p);
	feed_finish(&fd, t, f);
	fclose(f);
	return buf;
}

static void test_worker_format(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	struct bl_asset a = {.id = "/subs/1/a", .type = "T", .serial = 5};
	struct bl_asset b = {.id = "/subs/1/\"b\"", .type = "T", .environment = "prod"};
	struct bl_value actual = {.type = BL_VSTR, .u.str = {.s = "off", .len = 3}};
	struct bl_evidence ev = {.path = "properties.x", .actual = &actual, .expected = "equals on"};
	enum { N = 30 };
	struct bl_result res[N];
	memset(res, 0, sizeof(res));
	for (size_t i = 0; i < N; i++) {
		res[i].control = &c[i % 3];
		res[i].asset = i < 15 ? &a : &b;
		/* results 0-3 not_applicable (skipped without --all), then mixed */
		res[i].status = i < 4 || i % 7 == 0 ? BL_NA : i % 3 ? BL_PASS : BL_FAIL;
		/* the engine's constant and the same text elsewhere: same bytes */
		res[i].message = res[i].status == BL_FAIL ? "properties.x is \"off\""
				 : i % 2 ? bl_msg_compliant : "compliant";
		if (res[i].status == BL_FAIL) {
			res[i].evidence = &ev;
			res[i].nevidence = 1;
		}
	}
	static const size_t cut_sets[][4] = {
		{0, 4, 10, 20},    /* a chunk first, of only skipped results, then more */
		{0, 30, 30, 30},   /* everything through the workers */
		{4, 12, 12, 29},   /* direct first, empty chunk, last one direct */
		{1, 2, 3, 4},      /* one-result chunks */
	};
	for (int all = 0; all <= 1; all++) {
		char *want = render(&t, res, N, all, NULL, NULL);
		for (size_t k = 0; k < sizeof(cut_sets) / sizeof(cut_sets[0]); k++) {
			for (int batch = 0; batch <= 1; batch++) {
				char *got = render_chunked(&t, res, N, all, cut_sets[k], 4, batch);
				if (strcmp(got, want) != 0)
					fail_msg("cuts %zu, all %d, batch %d:\n got: %s\nwant: %s", k,
						 all, batch, got, want);
				free(got);
			}
		}
		free(want);
	}
	/* writers without worker formatting say so */
	struct bl_report *r;
	struct bl_error e;
	struct bl_report_opts o = {0};
	assert_int_equal(bl_report_open(&r, "text", t.b, &o, &e), 0);
	struct bl_sink_fmt fb;
	assert_null(bl_report_fmt(r, &fb));
	bl_report_free(r);
	et_free(&t);
}

/* A chunk whose results make more bytes than a worker keeps (~2 MiB): the
 * worker formats the first ones and the report the rest, same bytes. */
static void test_worker_format_big_chunk(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	char id[256];
	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	struct bl_asset a = {.id = id, .type = "T", .serial = 9};
	enum { N = 12000 };
	struct bl_result *res = calloc(N, sizeof(*res));
	assert_non_null(res);
	for (size_t i = 0; i < N; i++) {
		res[i].control = &c[i % 3];
		res[i].asset = &a;
		res[i].status = i % 5 ? BL_PASS : BL_NA;
		res[i].message = i % 4 ? bl_msg_compliant : "compliant";
	}
	static const size_t cuts[][4] = {{0, N, N, N}, {100, N - 100, N - 100, N}};
	char *want = render(&t, res, N, false, NULL, NULL);
	assert_true(strlen(want) > ((size_t)5 << 20) / 2);
	for (size_t k = 0; k < 2; k++) {
		char *got = render_chunked(&t, res, N, false, cuts[k], 4, k % 2 == 1);
		assert_true(strcmp(got, want) == 0);
		free(got);
	}
	free(want);
	free(res);
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_cache),
		cmocka_unit_test(test_evidence_values_and_first),
		cmocka_unit_test(test_asset_cache),
		cmocka_unit_test(test_escapes_at_block_edges),
		cmocka_unit_test(test_spool_to_descriptors),
		cmocka_unit_test(test_worker_format),
		cmocka_unit_test(test_worker_format_big_chunk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
