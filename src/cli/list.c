/*
 * list.c - `baseline list baselines | controls BASELINE [--framework ID]`.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "doc/json.h"
#include "model/baseline.h"
#include "model/content.h"

static const char usage_text[] =
	"usage: baseline list baselines [-f text|json]\n"
	"       baseline list controls BASELINE [--framework ID] [-f text|json]\n"
	"\n"
	"  baselines   the baselines built into this binary (use them as builtin:NAME)\n"
	"  controls    a baseline's controls: id, severity, effect, types and title;\n"
	"              with --framework, only controls mapped to that framework, with\n"
	"              the framework control ids they map to\n";

static void put_str(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static const struct bl_mapping *mapping(const struct bl_control *c, const char *fw)
{
	for (size_t m = 0; m < c->nmaps; m++)
		if (strcmp(c->maps[m].framework, fw) == 0)
			return &c->maps[m];
	return NULL;
}

static int list_controls(const char *path, const char *fw, bool json)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	int rc = bl_baseline_load(&b, path, &d);
	if (rc) {
		bl_cli_print_diags(&d, stderr);
		bl_diags_free(&d);
		return rc == BL_ENOMEM ? BL_EXIT_INTERNAL : BL_EXIT_USAGE;
	}
	bl_diags_free(&d);
	struct bl_buf o;
	bl_buf_init(&o, 0);
	if (json)
		bl_buf_adds(&o, "[");
	size_t shown = 0;
	for (size_t i = 0; i < b->ncontrols; i++) {
		const struct bl_control *c = &b->controls[i];
		const struct bl_mapping *mp = fw ? mapping(c, fw) : NULL;
		if (fw && !mp)
			continue;
		if (json) {
			bl_buf_adds(&o, shown ? ",\n {\"id\": " : "\n {\"id\": ");
			put_str(&o, c->id);
			bl_buf_adds(&o, ", \"title\": ");
			put_str(&o, c->title);
			bl_buf_printf(&o, ", \"severity\": \"%s\", \"effect\": \"%s\", \"types\": [",
				      bl_severity_name(c->severity), bl_effect_name(c->effect));
			for (size_t t = 0; t < c->ntypes; t++) {
				if (t)
					bl_buf_adds(&o, ", ");
				put_str(&o, c->types[t]);
			}
			bl_buf_adds(&o, "], \"maps\": {");
			for (size_t m = 0; m < c->nmaps; m++) {
				bl_buf_adds(&o, m ? ", " : "");
				put_str(&o, c->maps[m].framework);
				bl_buf_adds(&o, ": [");
				for (size_t k = 0; k < c->maps[m].nids; k++) {
					bl_buf_adds(&o, k ? ", " : "");
					put_str(&o, c->maps[m].ids[k]);
				}
				bl_buf_adds(&o, "]");
			}
			bl_buf_adds(&o, "}}");
		} else {
			bl_buf_printf(&o, "%-16s %-8s %-8s %s", c->id, bl_severity_name(c->severity),
				      bl_effect_name(c->effect), c->title ? c->title : "");
			if (mp) {
				bl_buf_adds(&o, "  [");
				for (size_t k = 0; k < mp->nids; k++)
					bl_buf_printf(&o, "%s%s", k ? ", " : "", mp->ids[k]);
				bl_buf_adds(&o, "]");
			}
			bl_buf_addc(&o, '\n');
		}
		shown++;
	}
	if (json)
		bl_buf_adds(&o, shown ? "\n]\n" : "]\n");
	if (o.data)
		fwrite(o.data, 1, o.len, stdout);
	bl_buf_free(&o);
	bl_baseline_free(b);
	if (fflush(stdout) != 0)
		return BL_EXIT_INTERNAL;
	return BL_EXIT_OK;
}

struct list_ctx {
	bool json;
	size_t n;
};

static void print_name(void *ctx, const char *name, size_t len)
{
	struct list_ctx *l = ctx;
	if (l->json)
		printf("%s\"builtin:%.*s\"", l->n ? ", " : "", (int)len, name);
	else
		printf("builtin:%.*s\n", (int)len, name);
	l->n++;
}

static int list_baselines(bool json)
{
	struct list_ctx l = {.json = json};
	if (json)
		printf("[");
	bl_content_list_baselines(print_name, &l);
	if (json)
		printf("]\n");
	return fflush(stdout) == 0 ? BL_EXIT_OK : BL_EXIT_INTERNAL;
}

enum { OPT_FRAMEWORK = 256 };

int bl_cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"framework", required_argument, NULL, OPT_FRAMEWORK},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *fw = NULL, *format = "text";
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FRAMEWORK:
			fw = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("list", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("list", "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	bool json;
	if (strcmp(format, "json") == 0)
		json = true;
	else if (strcmp(format, "text") == 0)
		json = false;
	else
		return bl_cli_usage_error("list", "unknown format '%s' (text, json)", format);
	if (optind >= argc)
		return bl_cli_usage_error("list", "what to list: baselines or controls (see --help)");
	const char *what = argv[optind];
	if (strcmp(what, "baselines") == 0) {
		if (optind + 1 != argc)
			return bl_cli_usage_error("list", "baselines takes no argument");
		return list_baselines(json);
	}
	if (strcmp(what, "controls") == 0) {
		if (optind + 2 != argc)
			return bl_cli_usage_error("list", "controls takes one BASELINE (a file or builtin:NAME)");
		return list_controls(argv[optind + 1], fw, json);
	}
	if (strcmp(what, "frameworks") == 0)
		return bl_cli_usage_error("list", "framework catalogs are not built in yet");
	return bl_cli_usage_error("list", "cannot list '%s' (baselines, controls)", what);
}

int bl_cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("baseline %s\n", BL_VERSION);
	return BL_EXIT_OK;
}
