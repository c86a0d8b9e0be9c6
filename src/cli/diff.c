/*
 * diff.c - `baseline diff OLD NEW [-f text|json]`: what a baseline change
 * does to the effective baseline, with one "warning: weakening" line per
 * weakening change made without a version bump.  Exit 0 (it is
 * information), 2 when a document is invalid.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "model/baseline.h"
#include "model/diff.h"

static const char usage_text[] =
	"usage: baseline diff OLD NEW [-f text|json]\n"
	"\n"
	"Compare two baselines (files or builtin:NAME) after extends and tailoring:\n"
	"controls added, removed and changed (severity, effect, scope, condition).\n"
	"A change that weakens the baseline (control removed, severity lowered,\n"
	"effect deny -> audit or -> disabled, scope narrowed) while NEW's version is\n"
	"not greater than OLD's prints a line starting with \"warning: weakening\".\n"
	"Exit 0; 2 when a document is invalid.\n";

static int load(struct bl_baseline **b, const char *path)
{
	struct bl_diags d;
	bl_diags_init(&d);
	int rc = bl_cli_baseline_load(b, path, NULL, &d);
	if (rc)
		bl_cli_print_diags(&d, stderr);
	bl_diags_free(&d);
	return rc ? bl_cli_load_exit(rc, 0, 0) : BL_EXIT_OK;
}

int bl_cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text";
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("diff", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("diff", "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	bool json = strcmp(format, "json") == 0;
	if (!json && strcmp(format, "text") != 0)
		return bl_cli_usage_error("diff", "unknown format '%s' (text, json)", format);
	if (argc - optind != 2)
		return bl_cli_usage_error("diff", "give two baselines: OLD NEW (see --help)");
	struct bl_baseline *old = NULL, *new_ = NULL;
	int ex = load(&old, argv[optind]);
	int ex2 = load(&new_, argv[optind + 1]);
	if (ex || ex2) {
		bl_baseline_free(old);
		bl_baseline_free(new_);
		return ex > ex2 ? ex : ex2;
	}
	struct bl_diff d;
	struct bl_buf out;
	bl_buf_init(&out, 0);
	int rc = bl_diff_compute(&d, old, new_);
	if (rc == 0)
		rc = json ? bl_diff_write_json(&out, &d) : bl_diff_write_text(&out, &d);
	if (rc == 0 && json) {
		/* Warnings also go to stderr, where a pipeline's log shows them. */
		struct bl_buf w;
		bl_buf_init(&w, 0);
		rc = bl_diff_write_warnings(&w, &d);
		if (rc == 0 && w.len)
			fwrite(w.data, 1, w.len, stderr);
		bl_buf_free(&w);
	}
	if (rc == 0 && out.len)
		fwrite(out.data, 1, out.len, stdout);
	bl_buf_free(&out);
	bl_diff_free(&d);
	bl_baseline_free(old);
	bl_baseline_free(new_);
	if (rc)
		return BL_EXIT_INTERNAL;
	return fflush(stdout) == 0 ? BL_EXIT_OK : BL_EXIT_INTERNAL;
}
