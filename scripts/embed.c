/*
 * embed.c - build-time tool: turn content files into C tables so shipped
 * baselines and catalogs live inside the binary, already parsed.
 *
 *   embed OUT.c OUT.h FILE...
 *
 * Each file becomes an entry named by its path below content/, e.g.
 * "baselines/linux-host.yaml", holding its bytes (a NUL-terminated string
 * literal split into short pieces: portable, no C23 #embed) and, for YAML
 * and JSON documents, the value tree our own readers build from it, written
 * out as static const C initialisers.  Loading a builtin baseline or catalog
 * then costs no parsing at all (libyaml was half of startup), while the
 * tree is exactly what the run-time reader would produce: same values, same
 * line:col, file named as the loaders name it ("builtin:NAME" for
 * baselines, the entry name otherwise).  A document that does not parse
 * fails the build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "doc/json.h"
#include "doc/load.h"
#include "doc/value.h"

static const char *strip(const char *p)
{
	const char *c = strstr(p, "content/");
	return c ? c + 8 : p;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Pointer -> declaration number of the child arrays already written. */
struct idmap {
	const void **keys;
	unsigned *ids;
	size_t cap, n;
	unsigned next;
};

static size_t slot_of(const struct idmap *m, const void *p)
{
	size_t h = ((size_t)(uintptr_t)p >> 4) * 0x9E3779B97F4A7C15u;
	size_t i = h & (m->cap - 1);
	while (m->keys[i] && m->keys[i] != p)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static unsigned id_put(struct idmap *m, const void *p)
{
	if (2 * (m->n + 1) > m->cap) {
		struct idmap g = {.cap = m->cap ? m->cap * 2 : 1024, .n = m->n, .next = m->next};
		g.keys = calloc(g.cap, sizeof(*g.keys));
		g.ids = calloc(g.cap, sizeof(*g.ids));
		if (!g.keys || !g.ids) {
			fprintf(stderr, "embed: out of memory\n");
			exit(1);
		}
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i]) {
				size_t s = slot_of(&g, m->keys[i]);
				g.keys[s] = m->keys[i];
				g.ids[s] = m->ids[i];
			}
		free(m->keys);
		free(m->ids);
		*m = g;
	}
	size_t s = slot_of(m, p);
	m->keys[s] = p;
	m->ids[s] = ++m->next;
	m->n++;
	return m->next;
}

static unsigned id_get(const struct idmap *m, const void *p)
{
	return m->ids[slot_of(m, p)];
}

static void cstr(FILE *o, const char *s, size_t len)
{
	fputc('"', o);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || (ch && strchr(" _.,:;/=+-*#@!&%<>()[]{}|^~$'", ch)))
			fputc(ch, o);
		else
			fprintf(o, "\\%03o", ch);
		if (i % 96 == 95)
			fputs("\"\n\"", o);
	}
	fputc('"', o);
}

static void init(FILE *o, const struct bl_value *v, const struct idmap *m, const char *fileexpr);

/* Declare, children first, the item and member arrays below v. */
static void decl(FILE *o, const struct bl_value *v, struct idmap *m, const char *fileexpr)
{
	if (v->type == BL_VARR && v->u.arr.n) {
		for (uint32_t i = 0; i < v->u.arr.n; i++)
			decl(o, &v->u.arr.items[i], m, fileexpr);
		unsigned id = id_put(m, v->u.arr.items);
		fprintf(o, "static const struct bl_value n%u[%u] = {\n", id, v->u.arr.n);
		for (uint32_t i = 0; i < v->u.arr.n; i++) {
			init(o, &v->u.arr.items[i], m, fileexpr);
			fputs(",\n", o);
		}
		fputs("};\n", o);
	} else if (v->type == BL_VOBJ && v->u.obj.n) {
		for (uint32_t i = 0; i < v->u.obj.n; i++)
			decl(o, &v->u.obj.items[i].val, m, fileexpr);
		unsigned id = id_put(m, v->u.obj.items);
		fprintf(o, "static const struct bl_member n%u[%u] = {\n", id, v->u.obj.n);
		for (uint32_t i = 0; i < v->u.obj.n; i++) {
			const struct bl_member *mb = &v->u.obj.items[i];
			fputs("{", o);
			cstr(o, mb->key, mb->klen);
			fprintf(o, ", %u, %u, %u, ", mb->klen, mb->line, mb->col);
			init(o, &mb->val, m, fileexpr);
			fputs("},\n", o);
		}
		fputs("};\n", o);
	}
}

static void init(FILE *o, const struct bl_value *v, const struct idmap *m, const char *fileexpr)
{
	fprintf(o, "{.type = %u, .flags = %u, .b = %d, .line = %u, .col = %u, .file = %s", v->type,
		v->flags, v->b ? 1 : 0, v->line, v->col, v->file ? fileexpr : "NULL");
	switch (v->type) {
	case BL_VNUM:
		fputs(", .u.num = {", o);
		cstr(o, v->u.num.text, v->u.num.len);
		fprintf(o, ", %u, %.17g}", v->u.num.len, v->u.num.d);
		break;
	case BL_VSTR:
	case BL_VERR:
	case BL_VNA:
		fputs(", .u.str = {", o);
		cstr(o, v->u.str.s ? v->u.str.s : "", v->u.str.len);
		fprintf(o, ", %u}", v->u.str.len);
		break;
	case BL_VARR:
		if (v->u.arr.n)
			fprintf(o, ", .u.arr = {(struct bl_value *)n%u, %u}", id_get(m, v->u.arr.items),
				v->u.arr.n);
		break;
	case BL_VOBJ:
		if (v->u.obj.n)
			fprintf(o, ", .u.obj = {(struct bl_member *)n%u, %u}",
				id_get(m, v->u.obj.items), v->u.obj.n);
		break;
	default:
		break;
	}
	fputs("}", o);
}

static void bytes(FILE *c, const char *path, int i)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fprintf(c, "static const char file%d[] =\n\"", i);
	int ch, col = 0;
	long n = 0;
	while ((ch = fgetc(f)) != EOF) {
		fprintf(c, "\\%03o", (unsigned)ch & 0xffu);
		n++;
		if (++col == 32) {
			fprintf(c, "\"\n\"");
			col = 0;
		}
	}
	fprintf(c, "\";\n/* %ld bytes */\n", n);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: embed OUT.c OUT.h FILE...\n");
		return 2;
	}
	FILE *c = fopen(argv[1], "w"), *h = fopen(argv[2], "w");
	if (!c || !h) {
		perror("embed");
		return 1;
	}
	fprintf(h, "/* generated by scripts/embed.c - do not edit */\n"
		   "#ifndef BL_GEN_CONTENT_H\n#define BL_GEN_CONTENT_H\n#include <stddef.h>\n"
		   "struct bl_value;\n"
		   "/* tree: the parsed document (YAML/JSON entries), NULL for other files */\n"
		   "/* sha256: hex SHA-256 of the tree's compact JSON (the baseline hash), or NULL */\n"
		   "struct bl_content_file { const char *name; const char *data; size_t len;\n"
		   "\tconst struct bl_value *tree; const char *sha256; };\n"
		   "extern const struct bl_content_file bl_content_files[];\n"
		   "extern const size_t bl_content_nfiles;\n#endif\n");
	fprintf(c, "/* generated by scripts/embed.c - do not edit */\n#include \"content.h\"\n"
		   "#include \"doc/value.h\"\n");
	struct idmap m = {0};
	unsigned *roots = calloc((size_t)argc, sizeof(*roots));
	char (*hex)[65] = calloc((size_t)argc, sizeof(*hex));
	if (!roots || !hex || sodium_init() < 0) {
		fprintf(stderr, "embed: cannot start\n");
		return 1;
	}
	for (int i = 3; i < argc; i++) {
		bytes(c, argv[i], i);
		const char *name = strip(argv[i]);
		if (!has_suffix(name, ".yaml") && !has_suffix(name, ".json"))
			continue;
		/* the name the loaders give the document (baseline.c, framework.c) */
		char label[512];
		if (strncmp(name, "baselines/", 10) == 0)
			snprintf(label, sizeof(label), "builtin:%.*s", (int)(strlen(name) - 15), name + 10);
		else
			snprintf(label, sizeof(label), "%s", name);
		FILE *f = fopen(argv[i], "rb");
		static char buf[64 << 20];
		size_t len = f ? fread(buf, 1, sizeof(buf), f) : 0;
		if (f)
			fclose(f);
		struct bl_arena a;
		bl_arena_init(&a, 0);
		struct bl_error err;
		const struct bl_value *doc = NULL;
		if (bl_doc_parse(&doc, &a, buf, len, label, &err) != 0) {
			fprintf(stderr, "%s:%u:%u: %s\n", argv[i], err.line, err.col, err.msg);
			return 1;
		}
		fprintf(c, "static const char label%d[] = ", i);
		cstr(c, label, strlen(label));
		fputs(";\n", c);
		char fileexpr[32];
		snprintf(fileexpr, sizeof(fileexpr), "label%d", i);
		decl(c, doc, &m, fileexpr);
		roots[i] = ++m.next;
		struct bl_buf jb;
		bl_buf_init(&jb, 0);
		unsigned char md[crypto_hash_sha256_BYTES];
		if (bl_json_write(&jb, doc, 0) != 0 || jb.failed) {
			fprintf(stderr, "%s: cannot write canonical JSON\n", argv[i]);
			return 1;
		}
		crypto_hash_sha256(md, (const unsigned char *)jb.data, jb.len);
		sodium_bin2hex(hex[i], sizeof(hex[i]), md, sizeof(md));
		bl_buf_free(&jb);
		fprintf(c, "static const struct bl_value n%u = ", roots[i]);
		init(c, doc, &m, fileexpr);
		fputs(";\n", c);
		bl_arena_free(&a);
	}
	fprintf(c, "const struct bl_content_file bl_content_files[] = {\n");
	for (int i = 3; i < argc; i++) {
		fprintf(c, "\t{\"%s\", file%d, sizeof(file%d) - 1, ", strip(argv[i]), i, i);
		if (roots[i])
			fprintf(c, "&n%u, \"%s\"},\n", roots[i], hex[i]);
		else
			fprintf(c, "NULL, NULL},\n");
	}
	fprintf(c, "\t{NULL, NULL, 0, NULL, NULL}\n};\n");
	fprintf(c, "const size_t bl_content_nfiles = %d;\n", argc - 3);
	fclose(c);
	fclose(h);
	return 0;
}
