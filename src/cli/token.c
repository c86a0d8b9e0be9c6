/*
 * token.c - `baseline token create|list|revoke`: the bearer tokens of
 * `baseline serve`.  A token is "bl_" + 32 random bytes in base64url; only
 * its SHA-256 is stored, so `create` prints it once, on the last line of
 * stdout.  Every change is written to the audit log (who: "cli").  Exit 0;
 * 2 bad usage or no such token; 3 internal.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "doc/json.h"
#include "store/store.h"

static const char usage_text[] =
	"usage: baseline token create --role viewer|owner|approver|admin [--name NAME] [--store URL]\n"
	"       baseline token list [--store URL]\n"
	"       baseline token revoke ID [--store URL]\n"
	"\n"
	"Bearer tokens for baseline serve.  Roles are cumulative: viewer reads and\n"
	"asks for decisions, owner also requests exceptions, approver also approves\n"
	"them, admin also reads the audit log.  create prints the token once, on\n"
	"the last line; only its SHA-256 is stored.\n"
	"\n"
	"      --role ROLE        the token's role (create)\n"
	"      --name NAME        who holds it, shown in the audit log (default: the role)\n"
	"      --store URL        the store (default $BASELINE_STORE or the user's)\n"
	"  -h, --help             this help\n";

enum { OPT_ROLE = 256, OPT_NAME, OPT_STORE };

static const struct option long_opts[] = {
	{"role", required_argument, NULL, OPT_ROLE},
	{"name", required_argument, NULL, OPT_NAME},
	{"store", required_argument, NULL, OPT_STORE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const char *const role_names[] = {NULL, "viewer", "owner", "approver", "admin"};

static int role_parse(const char *s)
{
	for (int i = 1; i <= BL_ROLE_ADMIN; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}

static const char *role_name(enum bl_role r)
{
	return (int)r >= 1 && r <= BL_ROLE_ADMIN ? role_names[r] : "?";
}

static int audit(struct bl_store *st, const char *action, int64_t id, const char *role,
		 const char *name, struct bl_error *err)
{
	struct bl_buf d;
	bl_buf_init(&d, 0);
	bl_buf_printf(&d, "{\"token\":%lld", (long long)id);
	if (role)
		bl_buf_printf(&d, ",\"role\":\"%s\"", role);
	if (name) {
		bl_buf_adds(&d, ",\"name\":");
		bl_json_write_str(&d, name, strlen(name));
	}
	bl_buf_addc(&d, '}');
	char now[32];
	bl_now_rfc3339(now);
	int rc = d.failed ? bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory")
			  : bl_store_audit_add(st, now, "cli", action, d.data, err);
	bl_buf_free(&d);
	return rc;
}

static int create(struct bl_store *st, int role, const char *name, struct bl_error *err)
{
	unsigned char secret[32], hash[crypto_hash_sha256_BYTES];
	char token[3 + 64];
	randombytes_buf(secret, sizeof(secret));
	memcpy(token, "bl_", 3);
	sodium_bin2base64(token + 3, sizeof(token) - 3, secret, sizeof(secret),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(secret, sizeof(secret));
	crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
	char now[32];
	bl_now_rfc3339(now);
	int64_t id = 0;
	int rc = bl_store_token_add(st, hash, (enum bl_role)role, name, now, &id, err);
	if (!rc)
		rc = audit(st, "token.create", id, role_names[role], name, err);
	if (!rc) {
		printf("token %lld created: role %s, name %s (shown once; only its hash is kept)\n",
		       (long long)id, role_names[role], name);
		printf("%s\n", token);
	}
	sodium_memzero(token, sizeof(token));
	return rc;
}

static int list(struct bl_store *st, struct bl_error *err)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_token_info *ts;
	size_t n;
	int rc = bl_store_token_list(st, &a, &ts, &n, err);
	if (!rc) {
		printf("%-6s %-9s %-24s %-21s %s\n", "ID", "ROLE", "NAME", "CREATED", "REVOKED");
		for (size_t i = 0; i < n; i++)
			printf("%-6lld %-9s %-24s %-21s %s\n", (long long)ts[i].id,
			       role_name(ts[i].role), ts[i].name ? ts[i].name : "",
			       ts[i].created ? ts[i].created : "", ts[i].revoked ? ts[i].revoked : "-");
	}
	bl_arena_free(&a);
	return rc;
}

static int revoke(struct bl_store *st, const char *ids, struct bl_error *err)
{
	char *end;
	long long id = strtoll(ids, &end, 10);
	if (end == ids || *end || id <= 0)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "token revoke: '%s' is not a token id",
				    ids);
	char now[32];
	bl_now_rfc3339(now);
	bool found = false;
	int rc = bl_store_token_revoke(st, (int64_t)id, now, &found, err);
	if (!rc && !found)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "token revoke: no valid token with id %lld", id);
	if (!rc)
		rc = audit(st, "token.revoke", (int64_t)id, NULL, NULL, err);
	if (!rc)
		printf("token %lld revoked\n", id);
	return rc;
}

int bl_cmd_token(int argc, char **argv)
{
	const char *store_url = NULL, *name = NULL, *role_s = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROLE:
			role_s = optarg;
			break;
		case OPT_NAME:
			name = optarg;
			break;
		case OPT_STORE:
			store_url = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("token", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("token", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bl_cli_usage_error("token", "create, list or revoke? (see --help)");
	const char *sub = argv[optind];
	int role = -1;
	if (strcmp(sub, "create") == 0) {
		if (optind + 1 != argc)
			return bl_cli_usage_error("token", "unexpected argument '%s'", argv[optind + 1]);
		if (!role_s || (role = role_parse(role_s)) < 0)
			return bl_cli_usage_error("token", "create needs --role viewer, owner, "
							   "approver or admin");
		if (!name)
			name = role_s;
		if (!*name || strlen(name) > 63)
			return bl_cli_usage_error("token", "--name must be 1 to 63 characters");
	} else if (strcmp(sub, "list") == 0) {
		if (optind + 1 != argc)
			return bl_cli_usage_error("token", "unexpected argument '%s'", argv[optind + 1]);
	} else if (strcmp(sub, "revoke") == 0) {
		if (optind + 2 != argc)
			return bl_cli_usage_error("token", "revoke takes one token ID");
	} else {
		return bl_cli_usage_error("token", "unknown subcommand '%s' (create, list, revoke)",
					  sub);
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "baseline token: libsodium failed to initialise\n");
		return BL_EXIT_INTERNAL;
	}
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_store *st = NULL;
	int rc = bl_store_open(&st, store_url, &err);
	if (!rc) {
		if (role > 0)
			rc = create(st, role, name, &err);
		else if (strcmp(sub, "list") == 0)
			rc = list(st, &err);
		else
			rc = revoke(st, argv[optind + 1], &err);
	}
	bl_store_close(st);
	return rc ? bl_cli_report_error(&err) : BL_EXIT_OK;
}
