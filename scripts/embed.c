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
 * out as pointer-free tables (struct bl_content_node, see write_nodes) that
 * model/content.c turns back into a tree.  Loading a builtin baseline or
 * catalog then costs no parsing at all (libyaml was half of startup), while the
 * tree is exactly what the run-time reader would produce: same values, same
 * line:col, file named as the loaders name it ("builtin:NAME" for
 * baselines, the entry name otherwise).  A document that does not parse
 * fails the build.
 *
 * So does a bad regex: every string under a `regex` or `notRegex` key
 * (except expressions and "[[" escapes, which are only known at run time)
 * is compiled here as rule/ops.c compiles it.  A shipped baseline's
 * patterns are then compiled on first use, not at every start
 * (struct bl_rule_env.lazy_regex), without losing the error: it is a build
 * error instead of a load error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
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

/* Growable array, exits on failure (a build tool: no recovery needed). */
static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 1024;
	p = realloc(p, *cap * size);
	if (!p) {
		fprintf(stderr, "embed: out of memory\n");
		exit(1);
	}
	return p;
}

/* The strings of one document, one after another (NUL-separated). */
struct pool {
	char *s;
	size_t n, cap;
};

static uint32_t pool_add(struct pool *p, const char *s, size_t len)
{
	if (p->n + len + 1 > UINT32_MAX) {
		fprintf(stderr, "embed: document too large\n");
		exit(1);
	}
	while (p->n + len + 1 > p->cap)
		p->s = grow(p->s, &p->cap, p->cap, 1);
	uint32_t at = (uint32_t)p->n;
	if (len)
		memcpy(p->s + p->n, s, len);
	p->s[p->n + len] = '\0';
	p->n += len + 1;
	return at;
}

/*
 * Write doc as struct bl_content_node records (content.h) without a single
 * pointer: children by index, strings by offset into one string literal.
 * (The trees used to be written as struct bl_value initialisers, whose
 * 50,000 pointers the dynamic loader relocated at every start: 1.2 million
 * instructions and some 320 written pages before main, for documents most
 * runs never read.)  Nodes are numbered breadth-first, so the children of
 * every array or object are consecutive.
 */
static void write_nodes(FILE *o, int i, const struct bl_value *doc, size_t *nnodes,
			size_t *nitems, size_t *nmembers)
{
	const struct bl_value **val = NULL;
	const struct bl_member **mem = NULL;
	size_t n = 0, cap = 0, mcap = 0;
	val = grow(val, &cap, n, sizeof(*val));
	mem = grow(mem, &mcap, n, sizeof(*mem));
	val[n] = doc;
	mem[n++] = NULL;
	struct pool pool = {0};
	fprintf(o, "static const struct bl_content_node nodes%d[] = {\n", i);
	for (size_t k = 0; k < n; k++) {
		const struct bl_value *v = val[k];
		const struct bl_member *m = mem[k];
		uint32_t key = 0, s = 0, len = 0, kids = 0, cnt = 0;
		if (m)
			key = pool_add(&pool, m->key, m->klen);
		if (v->type == BL_VNUM) {
			s = pool_add(&pool, v->u.num.text, v->u.num.len);
			len = v->u.num.len;
		} else if (v->type == BL_VSTR || v->type == BL_VERR || v->type == BL_VNA) {
			s = pool_add(&pool, v->u.str.s ? v->u.str.s : "", v->u.str.len);
			len = v->u.str.len;
		} else if (v->type == BL_VARR || v->type == BL_VOBJ) {
			cnt = v->type == BL_VARR ? v->u.arr.n : v->u.obj.n;
			*(v->type == BL_VARR ? nitems : nmembers) += cnt;
			kids = (uint32_t)n;
			for (uint32_t c = 0; c < cnt; c++) {
				val = grow(val, &cap, n, sizeof(*val));
				mem = grow(mem, &mcap, n, sizeof(*mem));
				mem[n] = v->type == BL_VOBJ ? &v->u.obj.items[c] : NULL;
				val[n++] = v->type == BL_VOBJ ? &v->u.obj.items[c].val : &v->u.arr.items[c];
			}
		}
		fprintf(o, "{%.17g, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u},\n",
			v->type == BL_VNUM ? v->u.num.d : 0.0, key, m ? m->klen : 0,
			m ? m->line : 0, m ? m->col : 0, v->line, v->col, s, len, kids, cnt,
			v->type, v->flags, v->b ? 1 : 0, v->file ? 1 : 0);
	}
	fputs("};\n", o);
	fprintf(o, "static const char strings%d[] =\n", i);
	cstr(o, pool.s ? pool.s : "", pool.n);
	fputs(";\n", o);
	*nnodes = n;
	free(val);
	free(mem);
	free(pool.s);
}

static int key_is(const struct bl_member *m, const char *k)
{
	size_t n = strlen(k);
	if (m->klen != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((m->key[i] | 0x20) != (k[i] | 0x20))
			return 0;
	return 1;
}

/* Compile every literal regex operand below v (see the top comment);
 * returns how many do not compile, each reported as path:line:col. */
static int check_regexes(const char *path, const struct bl_value *v)
{
	int bad = 0;
	if (v->type == BL_VARR) {
		for (uint32_t i = 0; i < v->u.arr.n; i++)
			bad += check_regexes(path, &v->u.arr.items[i]);
		return bad;
	}
	if (v->type != BL_VOBJ)
		return 0;
	for (uint32_t i = 0; i < v->u.obj.n; i++) {
		const struct bl_member *m = &v->u.obj.items[i];
		const struct bl_value *p = &m->val;
		bad += check_regexes(path, p);
		if (!(key_is(m, "regex") || key_is(m, "notRegex")) || p->type != BL_VSTR)
			continue;
		size_t len = p->u.str.len;
		const char *s = p->u.str.s;
		if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
			continue;
		int errcode = 0;
		PCRE2_SIZE erroff = 0;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)s, len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
					       &errcode, &erroff, NULL);
		if (re) {
			pcre2_code_free(re);
			continue;
		}
		PCRE2_UCHAR msg[160];
		if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", errcode);
		fprintf(stderr, "%s:%u:%u: invalid regex at offset %zu: %s\n", path, p->line, p->col,
			(size_t)erroff, (const char *)msg);
		bad++;
	}
	return bad;
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

/* No half-written output: make would take it for up to date. */
static int fail(char **argv)
{
	remove(argv[1]);
	remove(argv[2]);
	return 1;
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
		   "#include <stdint.h>\n"
		   "/* One value of a document, or one member of an object with its value:\n"
		   " * struct bl_value and struct bl_member (doc/value.h) without pointers, so\n"
		   " * that the tables stay read-only data that nothing relocates at load time\n"
		   " * (model/content.c rebuilds trees from them on demand). */\n"
		   "struct bl_content_node {\n"
		   "\tdouble d;                /* number: its value */\n"
		   "\tuint32_t key, klen;      /* member: its key (offset into strings, length) */\n"
		   "\tuint32_t kline, kcol;    /* member: the key's position */\n"
		   "\tuint32_t line, col;\n"
		   "\tuint32_t s, len;         /* string, number text: offset into strings, length */\n"
		   "\tuint32_t kids, n;        /* array, object: index of the first child, count */\n"
		   "\tuint8_t type, flags, b, hasfile;   /* hasfile: file is the entry's label */\n"
		   "};\n"
		   "/* nodes: the parsed document (YAML/JSON entries; nodes[0] the root), NULL\n"
		   " * for other files; label: the file name its nodes carry */\n"
		   "/* sha256: hex SHA-256 of the tree's compact JSON (the baseline hash), or NULL */\n"
		   "struct bl_content_file { const char *name; const char *data; size_t len;\n"
		   "\tconst struct bl_content_node *nodes; size_t nnodes; const char *strings;\n"
		   "\tconst char *label; const char *sha256;\n"
		   "\tsize_t nitems, nmembers;   /* array elements and object members in nodes */\n"
		   "};\n"
		   "extern const struct bl_content_file bl_content_files[];\n"
		   "extern const size_t bl_content_nfiles;\n#endif\n");
	fprintf(c, "/* generated by scripts/embed.c - do not edit */\n#include \"content.h\"\n");
	size_t *nnodes = calloc((size_t)argc, sizeof(*nnodes));
	size_t *nitems = calloc((size_t)argc, sizeof(*nitems));
	size_t *nmembers = calloc((size_t)argc, sizeof(*nmembers));
	char (*hex)[65] = calloc((size_t)argc, sizeof(*hex));
	if (!nnodes || !nitems || !nmembers || !hex || sodium_init() < 0) {
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
			return fail(argv);
		}
		if (check_regexes(argv[i], doc))
			return fail(argv);
		fprintf(c, "static const char label%d[] = ", i);
		cstr(c, label, strlen(label));
		fputs(";\n", c);
		write_nodes(c, i, doc, &nnodes[i], &nitems[i], &nmembers[i]);
		struct bl_buf jb;
		bl_buf_init(&jb, 0);
		unsigned char md[crypto_hash_sha256_BYTES];
		if (bl_json_write(&jb, doc, 0) != 0 || jb.failed) {
			fprintf(stderr, "%s: cannot write canonical JSON\n", argv[i]);
			return fail(argv);
		}
		crypto_hash_sha256(md, (const unsigned char *)jb.data, jb.len);
		sodium_bin2hex(hex[i], sizeof(hex[i]), md, sizeof(md));
		bl_buf_free(&jb);
		bl_arena_free(&a);
	}
	fprintf(c, "const struct bl_content_file bl_content_files[] = {\n");
	for (int i = 3; i < argc; i++) {
		fprintf(c, "\t{\"%s\", file%d, sizeof(file%d) - 1, ", strip(argv[i]), i, i);
		if (nnodes[i])
			fprintf(c, "nodes%d, %zu, strings%d, label%d, \"%s\", %zu, %zu},\n", i,
				nnodes[i], i, i, hex[i], nitems[i], nmembers[i]);
		else
			fprintf(c, "NULL, 0, NULL, NULL, NULL, 0, 0},\n");
	}
	fprintf(c, "\t{NULL, NULL, 0, NULL, 0, NULL, NULL, NULL, 0, 0}\n};\n");
	fprintf(c, "const size_t bl_content_nfiles = %d;\n", argc - 3);
	fclose(c);
	fclose(h);
	return 0;
}
