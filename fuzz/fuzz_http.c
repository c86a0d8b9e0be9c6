/*
 * fuzz_http.c - bl_server_handle in-process with fuzzed requests: the input
 * is split at the first four newlines into method, path, query (k=v&k=v),
 * token and body.  The server (a small baseline, a SQLite store in a
 * temporary folder with one token per role: "v", "o", "p", "a") is built
 * once.  Any crash, leak or sanitizer report is a finding; every answer must
 * carry a status from 200 to 599.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/server.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char baseline_text[] =
	"baseline: fuzz-serve\nversion: 1.0.0\ncontrols:\n"
	"  - id: F-01\n    title: HTTPS\n    severity: high\n"
	"    scope: {types: [Microsoft.Storage/storageAccounts]}\n"
	"    expect: {field: properties.supportsHttpsTrafficOnly, equals: true}\n"
	"    effect: deny\n"
	"  - id: F-02\n    title: Tags\n    severity: low\n"
	"    expect: {field: tags.owner, exists: true}\n";

static struct bl_server *srv;
static struct bl_store *store;
static const char *paths[1];

static char dir[] = "/tmp/bl-fuzz-http-XXXXXX";

/* The fuzzer's folder goes when the process ends, whatever the store left in it. */
static void remove_dir(void)
{
	static const char *const names[] = {"b.yaml", "s.db", "s.db-wal", "s.db-shm", "s.db-journal"};
	char p[96];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void setup(void)
{
	static char bl[64], db[64];
	if (sodium_init() < 0 || !mkdtemp(dir))
		abort();
	atexit(remove_dir);
	snprintf(bl, sizeof(bl), "%s/b.yaml", dir);
	snprintf(db, sizeof(db), "%s/s.db", dir);
	FILE *f = fopen(bl, "w");
	if (!f)
		abort();
	fputs(baseline_text, f);
	fclose(f);
	struct bl_error err;
	if (bl_store_open(&store, db, &err))
		abort();
	static const char *const secrets[] = {"v", "o", "p", "a"};
	for (int r = 0; r < 4; r++) {
		unsigned char h[32];
		crypto_hash_sha256(h, (const unsigned char *)secrets[r], 1);
		int64_t id;
		if (bl_store_token_add(store, h, (enum bl_role)(r + 1), secrets[r],
				       "2026-01-01T00:00:00Z", &id, &err))
			abort();
	}
	paths[0] = bl;
	struct bl_server_config cfg = {.baselines = paths, .nbaselines = 1, .store = store};
	struct bl_diags d;
	bl_diags_init(&d);
	if (bl_server_new(&srv, &cfg, &d))
		abort();
	bl_diags_free(&d);
}

/* Next newline-terminated field of [*p, end) as a NUL-terminated copy. */
static char *field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
	size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
	char *out = malloc(n + 1);
	if (!out)
		abort();
	memcpy(out, s, n);
	out[n] = 0;
	*p = nl ? nl + 1 : end;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!srv)
		setup();
	const uint8_t *p = data, *end = data + size;
	char *method = field(&p, end), *path = field(&p, end), *query = field(&p, end);
	char *token = field(&p, end);
	struct bl_http_param params[16];
	size_t np = 0;
	for (char *q = query; *q && np < 16;) {
		char *amp = strchr(q, '&');
		if (amp)
			*amp = 0;
		char *eq = strchr(q, '=');
		if (eq)
			*eq = 0;
		params[np].key = q;
		params[np].value = eq ? eq + 1 : "";
		np++;
		if (!amp)
			break;
		q = amp + 1;
	}
	char authz[300];
	snprintf(authz, sizeof(authz), "Bearer %.250s", token);
	/* the body is the raw rest, not NUL-terminated, as the HTTP layer gives it */
	size_t blen = (size_t)(end - p);
	uint8_t *body = blen ? malloc(blen) : NULL;
	if (blen) {
		if (!body)
			abort();
		memcpy(body, p, blen);
	}
	struct bl_http_request req = {
		.method = method, .path = path, .params = params, .nparams = np,
		.authorization = *token ? authz : NULL,
		.body = (const char *)body, .body_len = blen,
	};
	struct bl_http_response resp;
	bl_buf_init(&resp.body, 0);
	bl_server_handle(srv, &req, &resp);
	if (resp.status < 200 || resp.status > 599 || !resp.content_type)
		abort();
	bl_buf_free(&resp.body);
	free(body);
	free(method);
	free(path);
	free(query);
	free(token);
	return 0;
}
