/*
 * list.c - `baseline list baselines | frameworks | controls BASELINE
 * [--framework ID]`.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "doc/json.h"
#include "model/baseline.h"
#include "model/content.h"
#include "model/framework.h"

static const char usage_text[] =
	"usage: baseline list baselines [-f text|json]\n"
	"       baseline list frameworks [-f text|json]\n"
	"       baseline list controls BASELINE [--framework ID | --effective] [-f text|json]\n"
	"\n"
	"  baselines   the baselines built into this binary (use them as builtin:NAME)\n"
	"  frameworks  the framework catalogs built in (ids usable in maps and\n"
	"              --framework): id, version, number of controls, selections, title\n"
	"  controls    a baseline's controls: id, severity, effect, types and title;\n"
	"              with --framework, only controls mapped to that framework, with\n"
	"              the framework control ids they map to; with --effective, where\n"
	"              each control came from (extends) and the overrides applied\n";

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
	int rc = bl_cli_baseline_load(&b, path, NULL, &d);
	if (rc) {
		bl_cli_print_diags(&d, stderr);
		bl_diags_free(&d);
		return bl_cli_load_exit(rc, 0, 0);
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

/* Catalogs for list frameworks and --framework; prints the error itself and
 * returns its exit code, or 0. */
static int load_catalogs(struct bl_catalogs *cats)
{
	struct bl_error err;
	int rc = bl_catalogs_load(cats, &err);
	return rc ? bl_cli_report_error(&err) : 0;
}

static int list_frameworks(bool json)
{
	struct bl_catalogs cats;
	int rc = load_catalogs(&cats);
	if (rc)
		return rc;
	struct bl_buf o;
	bl_buf_init(&o, 0);
	if (json)
		bl_buf_adds(&o, "[");
	else
		bl_buf_printf(&o, "%-16s %-8s %8s  %-32s %s\n", "ID", "VERSION", "CONTROLS", "SELECTIONS", "TITLE");
	for (size_t i = 0; i < cats.n; i++) {
		const struct bl_catalog *c = &cats.items[i];
		if (json) {
			bl_buf_adds(&o, i ? ",\n {\"id\": " : "\n {\"id\": ");
			put_str(&o, c->id);
			bl_buf_adds(&o, ", \"title\": ");
			put_str(&o, c->title);
			bl_buf_adds(&o, ", \"version\": ");
			put_str(&o, c->version);
			bl_buf_printf(&o, ", \"controls\": %zu, \"selections\": {", c->n);
			for (size_t k = 0; k < c->nselections; k++) {
				bl_buf_adds(&o, k ? ", " : "");
				put_str(&o, c->selections[k].name);
				bl_buf_printf(&o, ": %zu", c->selections[k].n);
			}
			bl_buf_adds(&o, "}}");
			continue;
		}
		char sel[128] = "-";
		size_t used = 0;
		for (size_t k = 0; k < c->nselections && used < sizeof(sel); k++) {
			int n = snprintf(sel + used, sizeof(sel) - used, "%s%s %zu", k ? ", " : "",
					 c->selections[k].name, c->selections[k].n);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		bl_buf_printf(&o, "%-16s %-8s %8zu  %-32s %s\n", c->id, c->version, c->n, sel, c->title);
	}
	if (json)
		bl_buf_adds(&o, cats.n ? "\n]\n" : "]\n");
	int exit_code = BL_EXIT_OK;
	if (o.failed)
		exit_code = BL_EXIT_INTERNAL;
	else if (o.data)
		fwrite(o.data, 1, o.len, stdout);
	bl_buf_free(&o);
	bl_catalogs_free(&cats);
	if (fflush(stdout) != 0)
		return BL_EXIT_INTERNAL;
	return exit_code;
}

/* --framework must name a built-in catalog; its canonical id (the spelling
 * baselines use) goes to *id.  Exit code of the error, or 0. */
static int check_framework(const char **id, struct bl_catalogs *cats)
{
	int rc = load_catalogs(cats);
	if (rc)
		return rc;
	const struct bl_catalog *cat = bl_catalog_find(cats, *id);
	if (cat) {
		*id = cat->id;
		return 0;
	}
	fprintf(stderr, "baseline list: unknown framework '%s'; known:", *id);
	for (size_t i = 0; i < cats->n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", cats->items[i].id);
	fprintf(stderr, " (baseline list frameworks)\n");
	return BL_EXIT_USAGE;
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

/* --effective: every control of the effective baseline with its origin and
 * the tailor.override entries applied to it (bl_baseline_write_effective). */
static int list_effective(const char *path, bool json)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	int rc = bl_cli_baseline_load(&b, path, NULL, &d);
	bl_cli_print_diags(&d, stderr);
	bl_diags_free(&d);
	if (rc)
		return bl_cli_load_exit(rc, 0, 0);
	struct bl_buf o;
	bl_buf_init(&o, 0);
	rc = bl_baseline_write_effective(&o, b, json);
	if (rc == 0 && o.len)
		fwrite(o.data, 1, o.len, stdout);
	bl_buf_free(&o);
	bl_baseline_free(b);
	return rc == 0 && fflush(stdout) == 0 ? BL_EXIT_OK : BL_EXIT_INTERNAL;
}

enum { OPT_FRAMEWORK = 256, OPT_EFFECTIVE };

int bl_cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"framework", required_argument, NULL, OPT_FRAMEWORK},
		{"effective", no_argument, NULL, OPT_EFFECTIVE},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *fw = NULL, *format = "text";
	bool effective = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FRAMEWORK:
			fw = optarg;
			break;
		case OPT_EFFECTIVE:
			effective = true;
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
		if (effective && fw)
			return bl_cli_usage_error("list", "--effective and --framework do not combine");
		if (effective)
			return list_effective(argv[optind + 1], json);
		struct bl_catalogs cats;
		memset(&cats, 0, sizeof(cats));
		int rc = fw ? check_framework(&fw, &cats) : 0;
		if (!rc)
			rc = list_controls(argv[optind + 1], fw, json);
		bl_catalogs_free(&cats);
		return rc;
	}
	if (strcmp(what, "frameworks") == 0) {
		if (optind + 1 != argc)
			return bl_cli_usage_error("list", "frameworks takes no argument");
		return list_frameworks(json);
	}
	return bl_cli_usage_error("list", "cannot list '%s' (baselines, frameworks, controls)", what);
}

int bl_cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("baseline %s\n", BL_VERSION);
	return BL_EXIT_OK;
}
