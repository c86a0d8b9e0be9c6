/*
 * facts.c - `baseline facts [PATH] [--root DIR]`: what the host probes see,
 * as JSON.  PATH is a field path as rules write it: `sshd`,
 * 'file["/etc/shadow"]', 'sysctl["net.ipv4.ip_forward"]', 'users[*].name'.
 * Without PATH, the namespaces are listed.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "doc/json.h"
#include "engine/host.h"
#include "facts/facts.h"
#include "rule/path.h"

static const char usage_text[] =
	"usage: baseline facts [PATH] [--root DIR] [-o FILE]\n"
	"\n"
	"Print what the host probes see at PATH, as JSON, e.g.\n"
	"  baseline facts sshd\n"
	"  baseline facts 'file[\"/etc/shadow\"]'\n"
	"  baseline facts 'sysctl[\"net.ipv4.ip_forward\"]'\n"
	"  baseline facts 'users[*].name'\n"
	"Without PATH, list the namespaces.  --root DIR reads an offline root (a\n"
	"mounted image, a container rootfs); live-only facts are then marked\n"
	"{\"$not_applicable\": ...}.  Facts that could not be read are shown as\n"
	"{\"$error\": \"reason\"}.\n";

static int list_namespaces(void)
{
	for (size_t i = 0; bl_providers[i]; i++)
		printf("%-20s %s%s\n", bl_providers[i]->name, bl_providers[i]->summary,
		       bl_providers[i]->keyed ? "  (keyed: NAME[\"key\"])" : "");
	return fflush(stdout) == 0 ? BL_EXIT_OK : BL_EXIT_INTERNAL;
}

int bl_cmd_facts(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *root = NULL, *output = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("facts", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("facts", "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return list_namespaces();
	if (optind + 1 != argc)
		return bl_cli_usage_error("facts", "one PATH at a time (see --help)");
	const char *text = argv[optind];

	struct bl_error err;
	bl_error_clear(&err);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_path path;
	if (bl_path_compile(&path, text, strlen(text), &a, &err)) {
		bl_arena_free(&a);
		return bl_cli_usage_error("facts", "bad path '%s': %s (column %u)", text, err.msg, err.col);
	}
	struct bl_fact_request req;
	if (bl_host_requests_for_path(&path, &req) ||
	    !bl_provider_find(req.ns, req.nslen)) {
		bl_arena_free(&a);
		return bl_cli_usage_error("facts", "unknown namespace in '%s' (baseline facts lists them)",
					  text);
	}
	struct bl_facts *f = NULL;
	struct bl_facts_opts fo = {.root = root};
	int exit_code = BL_EXIT_OK;
	if (bl_facts_open(&f, &fo, &err)) {
		bl_arena_free(&a);
		return bl_cli_report_error(&err);
	}
	const struct bl_value *doc = NULL;
	if (bl_facts_document(f, &req, 1, &doc, &err)) {
		exit_code = bl_cli_report_error(&err);
		goto out;
	}
	const struct bl_value *v = path.nall ? bl_path_collect(&path, doc, &a) : bl_path_get(&path, doc);
	struct bl_buf b;
	bl_buf_init(&b, 0);
	if (v)
		bl_json_write(&b, v, 2);
	else
		bl_buf_adds(&b, "null");
	bl_buf_addc(&b, '\n');
	struct bl_output o;
	if (b.failed) {
		fprintf(stderr, "baseline facts: out of memory\n");
		exit_code = BL_EXIT_INTERNAL;
	} else if (bl_output_open(&o, output, &err) || fwrite(b.data, 1, b.len, o.f) != b.len ||
		   bl_output_commit(&o, &err)) {
		exit_code = bl_cli_report_error(&err);
	}
	if (!v)
		fprintf(stderr, "baseline facts: nothing at %s\n", text);
	bl_buf_free(&b);
out:
	bl_facts_close(f);
	bl_arena_free(&a);
	return exit_code;
}
