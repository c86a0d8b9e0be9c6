/*
 * sign.c - `baseline keygen -o KEYBASE`, `baseline sign FILE --key KEY.sec`
 * and `baseline verify FILE --key KEY.pub` (Ed25519, detached FILE.sig; see
 * docs/change-control.md).  verify exits 0 for a good signature, 1 for a bad
 * or missing one, 2 for bad usage or an unreadable file or key.
 */
#include <getopt.h>
#include <sodium.h>
#include <string.h>

#include "cli/cli.h"
#include "model/signature.h"

static const char keygen_usage[] =
	"usage: baseline keygen -o KEYBASE\n"
	"\n"
	"Create an Ed25519 key pair: KEYBASE.sec (secret, mode 0600) and KEYBASE.pub.\n"
	"Existing files are never overwritten.\n";

static const char sign_usage[] =
	"usage: baseline sign FILE --key KEY.sec\n"
	"\n"
	"Sign FILE's bytes with the secret key; writes the detached signature FILE.sig.\n";

static const char verify_usage[] =
	"usage: baseline verify FILE --key KEY.pub\n"
	"\n"
	"Check FILE against FILE.sig with the public key.  Exit 0 when the signature\n"
	"is good, 1 when it is bad or missing, 2 on bad usage or an unreadable key.\n";

/* Parse "[FILE] (-o|--key) VALUE"; returns -1 to go on, else an exit code. */
static int parse(int argc, char **argv, const char *cmd, const char *usage, bool want_file,
		 const char **file, const char **value)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool keygen = !want_file;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, keygen ? ":o:h" : ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (keygen)
				return bl_cli_usage_error(cmd, "unknown option '--key' (see --help)");
			*value = optarg;
			break;
		case 'o':
			if (!keygen)
				return bl_cli_usage_error(cmd, "unknown option '%s' (see --help)", argv[optind - 1]);
			*value = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error(cmd, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (want_file) {
		if (argc - optind != 1)
			return bl_cli_usage_error(cmd, "give exactly one FILE (see --help)");
		*file = argv[optind];
		if (!*value)
			return bl_cli_usage_error(cmd, "--key KEY is required (see --help)");
	} else {
		if (argc != optind)
			return bl_cli_usage_error(cmd, "unexpected argument '%s' (see --help)", argv[optind]);
		if (!*value)
			return bl_cli_usage_error(cmd, "-o KEYBASE is required (see --help)");
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "baseline %s: libsodium could not be initialised\n", cmd);
		return BL_EXIT_INTERNAL;
	}
	return -1;
}

int bl_cmd_keygen(int argc, char **argv)
{
	const char *file = NULL, *base = NULL;
	int ex = parse(argc, argv, "keygen", keygen_usage, false, &file, &base);
	if (ex >= 0)
		return ex;
	struct bl_error err;
	bl_error_clear(&err);
	int rc = bl_sig_keygen(base, &err);
	if (rc)
		return bl_cli_report_error(&err);
	printf("wrote %s.sec (keep it secret) and %s.pub\n", base, base);
	return BL_EXIT_OK;
}

int bl_cmd_sign(int argc, char **argv)
{
	const char *file = NULL, *key = NULL;
	int ex = parse(argc, argv, "sign", sign_usage, true, &file, &key);
	if (ex >= 0)
		return ex;
	struct bl_error err;
	bl_error_clear(&err);
	int rc = bl_sig_sign(file, key, &err);
	if (rc)
		return bl_cli_report_error(&err);
	printf("wrote %s.sig\n", file);
	return BL_EXIT_OK;
}

int bl_cmd_verify(int argc, char **argv)
{
	const char *file = NULL, *key = NULL;
	int ex = parse(argc, argv, "verify", verify_usage, true, &file, &key);
	if (ex >= 0)
		return ex;
	struct bl_error err;
	bl_error_clear(&err);
	int rc = bl_sig_verify(file, key, &err);
	if (rc == 0) {
		printf("%s: good signature\n", file);
		return BL_EXIT_OK;
	}
	if (rc == BL_EINVAL) {
		bl_cli_report_error(&err);
		return BL_EXIT_FINDINGS;
	}
	return bl_cli_report_error(&err);
}
