/*
 * import_azure.c - `baseline import azure-policy`: Azure Policy definitions
 * and initiatives into a baseline, or exemptions into an exception document
 * (docs/azure-policy.md).  The work is in src/import/azure_policy.c and
 * src/import/exemptions.c; this file parses options, writes the outputs and
 * prints the import report.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "doc/load.h"
#include "import/azure_policy.h"
#include "import/exemptions.h"
#include "model/framework.h"
#include "util/str.h"

static const char usage_text[] =
	"usage: baseline import azure-policy FILE|DIR... [-o OUT] [--report REPORT.json]\n"
	"       baseline import azure-policy --exemptions FILE [-o OUT] [--report REPORT.json]\n"
	"\n"
	"Read Azure Policy definitions and policy set definitions (initiatives) as\n"
	"JSON files, or folders of them, and write a baseline (YAML, to OUT or\n"
	"stdout).  With a set definition, the baseline holds its members (found\n"
	"among the definitions given; the others are reported missing), with ids\n"
	"policyDefinitionReferenceId and MCSB groups as mcsb-v1 mappings; without\n"
	"one, a control per definition, with id the definition's name.\n"
	"\n"
	"--exemptions FILE  write an exception document from Azure Policy exemptions\n"
	"                   instead (an exemption, an array, or {\"value\": [...]}).\n"
	"--report FILE      the import report as JSON (default: text on stderr).\n"
	"\n"
	"The report classifies every control (evaluated / not_applicable with the\n"
	"reason / missing) and names every alias guessed and every construct that\n"
	"cannot be assessed from a snapshot.  Exit 2 on unreadable or malformed\n"
	"input.  See docs/azure-policy.md.\n";

static int write_file(const char *path, const struct bl_buf *buf, const char *what)
{
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_output out;
	if (bl_output_open(&out, path, &err))
		return bl_cli_report_error(&err);
	if (buf->len && fwrite(buf->data, 1, buf->len, out.f) != buf->len) {
		bl_output_abort(&out);
		fprintf(stderr, "baseline import azure-policy: cannot write the %s to %s\n", what,
			path ? path : "stdout");
		return BL_EXIT_USAGE;
	}
	if (bl_output_commit(&out, &err))
		return bl_cli_report_error(&err);
	return BL_EXIT_OK;
}

static int report(const struct bl_az_import *imp, const char *report_path)
{
	struct bl_buf r;
	bl_buf_init(&r, 0);
	int code = BL_EXIT_OK;
	if (bl_az_import_report(imp, &r, report_path != NULL)) {
		fprintf(stderr, "baseline import azure-policy: out of memory\n");
		code = BL_EXIT_INTERNAL;
	} else if (report_path) {
		code = write_file(report_path, &r, "report");
	} else {
		fwrite(r.data, 1, r.len, stderr);
	}
	bl_buf_free(&r);
	return code;
}

static int run_exemptions(struct bl_az_import *imp, const char *path, const char *output,
			  const char *report_path)
{
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *doc;
	int rc = bl_doc_load(&doc, &imp->arena, path, &err);
	struct bl_buf buf;
	bl_buf_init(&buf, 0);
	if (!rc)
		rc = bl_az_exemptions_write(imp, &buf, doc, doc->file ? doc->file : path, &err);
	int code;
	if (rc)
		code = bl_cli_report_error(&err);
	else {
		code = write_file(output, &buf, "exception document");
		if (code == BL_EXIT_OK)
			code = report(imp, report_path);
	}
	bl_buf_free(&buf);
	return code;
}

int bl_cmd_import_azure(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"exemptions", required_argument, NULL, 'e'},
		{"report", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL, *exemptions = NULL, *report_path = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'e':
			exemptions = optarg;
			break;
		case 'r':
			report_path = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("import azure-policy", "%s needs a value",
						  argv[optind - 1]);
		default:
			return bl_cli_usage_error("import azure-policy", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (exemptions && optind < argc)
		return bl_cli_usage_error("import azure-policy",
					  "give either definition FILEs or --exemptions FILE, not both (two runs write two documents)");
	if (!exemptions && optind >= argc)
		return bl_cli_usage_error("import azure-policy",
					  "give at least one FILE or folder (see --help)");
	struct bl_az_import imp;
	bl_az_import_init(&imp);
	int code = BL_EXIT_OK;
	if (exemptions) {
		code = run_exemptions(&imp, exemptions, output, report_path);
		bl_az_import_free(&imp);
		return code;
	}
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_catalogs cats;
	memset(&cats, 0, sizeof(cats));
	struct bl_buf buf;
	bl_buf_init(&buf, 0);
	int rc = 0;
	for (int i = optind; i < argc && !rc; i++)
		rc = bl_az_import_add_path(&imp, argv[i], &err);
	if (!rc)
		rc = bl_catalogs_load(&cats, &err);
	if (!rc)
		rc = bl_az_import_write(&imp, &buf, &cats, &err);
	if (rc) {
		if (rc == BL_ENOMEM && !err.msg[0])
			bl_error_set(&err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		code = bl_cli_report_error(&err);
	} else {
		code = write_file(output, &buf, "baseline");
		if (code == BL_EXIT_OK)
			code = report(&imp, report_path);
	}
	bl_buf_free(&buf);
	bl_catalogs_free(&cats);
	bl_az_import_free(&imp);
	return code;
}
