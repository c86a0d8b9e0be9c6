/*
 * ops.c - operator semantics of the condition language: one table of names,
 * compile-time operand preparation, and the per-value comparisons the
 * evaluator calls millions of times (no allocation on the common paths).
 *
 * Azure Policy compares strings ignoring case (except match and regex),
 * compares equals/in operands as text, and treats a missing field as absent:
 * every positive operator is false on it and every "not" operator true.
 */
#include "rule/ops.h"

#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "rule/path.h"
#include "rule/version.h"
#include "util/str.h"

struct opdef {
	const char *name;
	int8_t base;      /* positive operator this one negates, or -1 */
	bool count_ok;
};

static const struct opdef OPS[BL_OP_COUNT_] = {
	[BL_OP_EQUALS] = {"equals", -1, true},
	[BL_OP_NOTEQUALS] = {"notEquals", BL_OP_EQUALS, true},
	[BL_OP_LIKE] = {"like", -1, false},
	[BL_OP_NOTLIKE] = {"notLike", BL_OP_LIKE, false},
	[BL_OP_MATCH] = {"match", -1, false},
	[BL_OP_NOTMATCH] = {"notMatch", BL_OP_MATCH, false},
	[BL_OP_MATCHI] = {"matchInsensitively", -1, false},
	[BL_OP_NOTMATCHI] = {"notMatchInsensitively", BL_OP_MATCHI, false},
	[BL_OP_CONTAINS] = {"contains", -1, false},
	[BL_OP_NOTCONTAINS] = {"notContains", BL_OP_CONTAINS, false},
	[BL_OP_IN] = {"in", -1, true},
	[BL_OP_NOTIN] = {"notIn", BL_OP_IN, true},
	[BL_OP_CONTAINSKEY] = {"containsKey", -1, false},
	[BL_OP_NOTCONTAINSKEY] = {"notContainsKey", BL_OP_CONTAINSKEY, false},
	[BL_OP_LESS] = {"less", -1, true},
	[BL_OP_LESSOREQ] = {"lessOrEquals", -1, true},
	[BL_OP_GREATER] = {"greater", -1, true},
	[BL_OP_GREATEROREQ] = {"greaterOrEquals", -1, true},
	[BL_OP_EXISTS] = {"exists", -1, false},
	[BL_OP_REGEX] = {"regex", -1, false},
	[BL_OP_NOTREGEX] = {"notRegex", BL_OP_REGEX, false},
	[BL_OP_VLESS] = {"versionLess", -1, false},
	[BL_OP_VLESSOREQ] = {"versionLessOrEquals", -1, false},
	[BL_OP_VGREATER] = {"versionGreater", -1, false},
	[BL_OP_VGREATEROREQ] = {"versionGreaterOrEquals", -1, false},
	[BL_OP_MODEATMOST] = {"modeAtMost", -1, false},
	[BL_OP_NAUNLESS] = {"notApplicableUnless", -1, false},
	[BL_OP_SCANUM] = {"scaNumeric", -1, false},
	[BL_OP_NOTSCANUM] = {"notScaNumeric", BL_OP_SCANUM, false},
};

const char *bl_op_name(int op)
{
	return (op >= 0 && op < BL_OP_COUNT_) ? OPS[op].name : "?";
}

/*
 * The operators whose names have a given length, plus one (0 ends a list):
 * every key of every condition is looked up here while compiling, and a
 * scan of the whole table per key was a twentieth of loading
 * builtin:linux-host.  tests/unit/rule/test_ops.c checks that every
 * operator is found through it.
 */
#define OP_MAXLEN 22
static const uint8_t OPS_BY_LEN[OP_MAXLEN + 1][4] = {
	[2] = {BL_OP_IN + 1},
	[4] = {BL_OP_LIKE + 1, BL_OP_LESS + 1},
	[5] = {BL_OP_MATCH + 1, BL_OP_NOTIN + 1, BL_OP_REGEX + 1},
	[6] = {BL_OP_EQUALS + 1, BL_OP_EXISTS + 1},
	[7] = {BL_OP_NOTLIKE + 1, BL_OP_GREATER + 1},
	[8] = {BL_OP_NOTMATCH + 1, BL_OP_CONTAINS + 1, BL_OP_NOTREGEX + 1},
	[9] = {BL_OP_NOTEQUALS + 1},
	[10] = {BL_OP_MODEATMOST + 1, BL_OP_SCANUM + 1},
	[11] = {BL_OP_NOTCONTAINS + 1, BL_OP_CONTAINSKEY + 1, BL_OP_VLESS + 1},
	[12] = {BL_OP_LESSOREQ + 1},
	[13] = {BL_OP_NOTSCANUM + 1},
	[14] = {BL_OP_NOTCONTAINSKEY + 1, BL_OP_VGREATER + 1},
	[15] = {BL_OP_GREATEROREQ + 1},
	[18] = {BL_OP_MATCHI + 1},
	[19] = {BL_OP_VLESSOREQ + 1, BL_OP_NAUNLESS + 1},
	[21] = {BL_OP_NOTMATCHI + 1},
	[22] = {BL_OP_VGREATEROREQ + 1},
};

/* Is key[0..len) name (len letters) in any case?  For a letter, c | 0x20
 * is its lower case, and only it and its upper case map there. */
static inline bool letters_ieq(const char *name, const char *key, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)key[i] | 0x20) != ((unsigned char)name[i] | 0x20))
			return false;
	return true;
}

int bl_op_lookup(const char *key, size_t len)
{
	if (len == 0 || len > OP_MAXLEN)
		return -1;
	for (const uint8_t *c = OPS_BY_LEN[len]; c < OPS_BY_LEN[len] + 4 && *c; c++) {
		/* every name is letters only */
		if (letters_ieq(OPS[*c - 1].name, key, len))
			return *c - 1;
	}
	return -1;
}

bool bl_op_count_ok(int op)
{
	return op >= 0 && op < BL_OP_COUNT_ && OPS[op].count_ok;
}

/* ---- PCRE2 memory from an arena ---------------------------------------- */

static void *arena_malloc(size_t size, void *data)
{
	return bl_arena_alloc(data, size ? size : 1);
}

static void arena_nofree(void *p, void *data)
{
	(void)p;
	(void)data;
}

pcre2_general_context *bl_ops_gctx(struct bl_arena *a)
{
	return pcre2_general_context_create(arena_malloc, arena_nofree, a);
}

static void code_release(void *re)
{
	pcre2_code_free(re);
}

/*
 * JIT-compile re, whose memory is in arena a.  The JIT's machine code is
 * not: it lives in executable pages PCRE2 maps itself and returns only in
 * pcre2_code_free, so a is told to call that when it goes (a server that
 * reloads its baselines would otherwise keep every pattern's code).  When
 * even that record cannot be allocated, no JIT: it only costs speed, as
 * does a JIT failure (the interpreter still runs).
 */
static void jit_compile(pcre2_code *re, struct bl_arena *a)
{
	if (bl_arena_on_release(a, code_release, re) == 0)
		(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
}

struct regex_scratch {
	pcre2_match_data *md;
	pcre2_match_context *mc;
};

void bl_ops_scratch_free(struct bl_eval *e)
{
	struct regex_scratch *rs = e->regex_scratch;
	if (!rs)
		return;
	pcre2_match_data_free(rs->md);
	pcre2_match_context_free(rs->mc);
	free(rs);
	e->regex_scratch = NULL;
}

/* ---- text forms -------------------------------------------------------- */

/* Text of a scalar without allocating; false for arrays and objects. */
static bool scalar_text(const struct bl_value *v, const char **s, size_t *len)
{
	switch (v->type) {
	case BL_VSTR:
		*s = v->u.str.s;
		*len = v->u.str.len;
		return true;
	case BL_VNUM:
		*s = v->u.num.text;
		*len = v->u.num.len;
		return true;
	case BL_VBOOL:
		*s = v->b ? "true" : "false";
		*len = v->b ? 4 : 5;
		return true;
	case BL_VNULL:
		*s = "";
		*len = 0;
		return true;
	default:
		return false;
	}
}

/* Compact JSON of v copied into arena a; NULL on ENOMEM. */
static const char *json_text(const struct bl_value *v, struct bl_arena *a, size_t *len)
{
	struct bl_buf b;
	bl_buf_init(&b, 1u << 24);
	bl_json_write(&b, v, 0);
	char *out = NULL;
	if (!b.failed) {
		out = bl_arena_strndup(a, b.data ? b.data : "", b.len);
		*len = b.len;
	}
	bl_buf_free(&b);
	return out;
}

/* Text of any value, arrays/objects as compact JSON in the eval arena. */
static bool any_text(const struct bl_value *v, struct bl_eval *e, const char **s, size_t *len)
{
	if (scalar_text(v, s, len))
		return true;
	*s = json_text(v, e->arena, len);
	if (!*s) {
		snprintf(e->error, sizeof(e->error), "out of memory");
		return false;
	}
	return true;
}

bool bl_value_text_eq(const struct bl_value *a, const struct bl_value *b)
{
	if (a->type == BL_VNUM && b->type == BL_VNUM)
		return a->u.num.d == b->u.num.d;
	if (a->type == BL_VARR || b->type == BL_VARR || a->type == BL_VOBJ || b->type == BL_VOBJ) {
		if (a->type != b->type)
			return false;
		if (a->type == BL_VARR) {
			if (a->u.arr.n != b->u.arr.n)
				return false;
			for (uint32_t i = 0; i < a->u.arr.n; i++)
				if (!bl_value_text_eq(&a->u.arr.items[i], &b->u.arr.items[i]))
					return false;
			return true;
		}
		if (a->u.obj.n != b->u.obj.n)
			return false;
		for (uint32_t i = 0; i < a->u.obj.n; i++) {
			const struct bl_member *m = &a->u.obj.items[i];
			const struct bl_value *o = bl_value_get(b, m->key, m->klen);
			if (!o || !bl_value_text_eq(&m->val, o))
				return false;
		}
		return true;
	}
	const char *x, *y;
	size_t xl, yl;
	scalar_text(a, &x, &xl);
	scalar_text(b, &y, &yl);
	return bl_str_ieq(x, xl, y, yl);
}

/* bl_op_eq past its inline string case (ops.h). */
bool bl_op_eq_other(const struct bl_value *a, const struct bl_operand *o)
{
	const struct bl_value *v = o->v;
	if (a->type == BL_VARR || a->type == BL_VOBJ || v->type == BL_VARR || v->type == BL_VOBJ)
		return bl_value_text_eq(a, v);
	if (a->type == BL_VNUM && o->isnum)
		return a->u.num.d == o->num;
	if (a->type == BL_VBOOL)   /* scalar_text's "true"/"false", inline */
		return a->b ? bl_op_ieq_lower("true", 4, o->lower, o->llen)
			    : bl_op_ieq_lower("false", 5, o->lower, o->llen);
	const char *s;
	size_t len;
	scalar_text(a, &s, &len);
	return bl_op_ieq_lower(s, len, o->lower, o->llen);
}

/* Strict decimal number grammar over the whole string: [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)? */
static bool parse_number(const char *s, size_t len, double *out)
{
	char buf[128];
	if (len == 0 || len >= sizeof(buf))
		return false;
	/* Plain decimals of up to 15 digits, no exponent (ports, counts, days,
	 * "1.2": what the order operators mostly see as strings): the digits
	 * are an integer below 2^53 and the scale a power of ten up to 1e15,
	 * both exact in a double, so their one correctly rounded quotient is
	 * the correctly rounded value strtod returns, at a fraction of its cost. */
	static const double p10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	size_t k = (s[0] == '+' || s[0] == '-') ? 1 : 0;
	uint64_t u = 0;
	unsigned nd = 0, frac = 0;
	bool dot = false;
	for (; k < len && nd <= 15; k++) {
		if (s[k] >= '0' && s[k] <= '9') {
			u = u * 10 + (uint64_t)(s[k] - '0');
			nd++;
			frac += dot;
		} else if (s[k] == '.' && !dot) {
			dot = true;
		} else {
			break;
		}
	}
	if (k == len && nd >= 1 && nd <= 15) {
		double d = (double)u / p10[frac];
		*out = s[0] == '-' ? -d : d;
		return true;
	}
	size_t i = 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	size_t digits = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		i++;
		digits++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			digits++;
		}
	}
	if (!digits)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t ed = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			ed++;
		}
		if (!ed)
			return false;
	}
	if (i != len)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	double d = strtod(buf, NULL);
	if (!isfinite(d))
		return false;
	*out = d;
	return true;
}

/* ---- like and match ------------------------------------------------------ */

/* Azure's like: '*' is any run (possibly empty), every other byte literal,
 * ASCII case ignored; one remembered star keeps it linear-time in practice. */
static bool like_match(const char *pat, size_t plen, const char *s, size_t slen)
{
	size_t p = 0, i = 0, star_p = SIZE_MAX, star_i = 0;
	while (i < slen) {
		if (p < plen && pat[p] == '*') {
			while (p < plen && pat[p] == '*')
				p++;
			if (p == plen)
				return true;
			star_p = p;
			star_i = i;
		} else if (p < plen && bl_lower((unsigned char)pat[p]) == bl_lower((unsigned char)s[i])) {
			p++;
			i++;
		} else if (star_p != SIZE_MAX) {
			p = star_p;
			i = ++star_i;
		} else {
			return false;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

/*
 * Shapes of like patterns with at most one run of literal text, which most
 * patterns are ("rg-*", "*_GRS", "Premium"): a compare of that text with
 * the start, the end or the whole of the value gives like_match's answer
 * without its scan (which, for a leading '*', retries at every byte).
 */
enum { LIKE_ANY = 0, LIKE_EXACT, LIKE_PREFIX, LIKE_SUFFIX };

static void like_shape(struct bl_operand *o)
{
	uint32_t lead = 0, trail = 0;
	while (lead < o->llen && o->lower[lead] == '*')
		lead++;
	while (trail < o->llen - lead && o->lower[o->llen - 1 - trail] == '*')
		trail++;
	uint32_t lit = o->llen - lead - trail;
	if (memchr(o->lower + lead, '*', lit))
		return;   /* LIKE_ANY */
	if (lead && trail)
		return;
	o->like = lead ? LIKE_SUFFIX : trail ? LIKE_PREFIX : LIKE_EXACT;
	o->likelen = lit;
}

/* like on text s, with the shape found by like_shape. */
static bool like_apply(const struct bl_operand *o, const char *s, size_t len)
{
	switch (o->like) {
	case LIKE_EXACT:
		return bl_op_ieq_lower(s, len, o->lower, o->llen);
	case LIKE_PREFIX:
		return len >= o->likelen && bl_op_ieq_lower(s, o->likelen, o->lower, o->likelen);
	case LIKE_SUFFIX:
		return len >= o->likelen && bl_op_ieq_lower(s + len - o->likelen, o->likelen,
						      o->lower + o->llen - o->likelen, o->likelen);
	default:
		return like_match(o->lower, o->llen, s, len);
	}
}

/* Length of the UTF-8 sequence starting at s[i] (1 for stray bytes). */
static size_t utf8_len(const char *s, size_t len, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
	if (i + n > len)
		return 1;
	for (size_t k = 1; k < n; k++)
		if (((unsigned char)s[i + k] & 0xC0) != 0x80)
			return 1;
	return n;
}

/* Azure's match: '#' a digit, '?' a letter, '.' any character, else literal. */
static bool match_pattern(const char *pat, size_t plen, const char *s, size_t slen, bool icase)
{
	size_t i = 0;
	for (size_t p = 0; p < plen; p++) {
		if (i >= slen)
			return false;
		unsigned char c = (unsigned char)s[i];
		switch (pat[p]) {
		case '#':
			if (c < '0' || c > '9')
				return false;
			i++;
			break;
		case '?':
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
				return false;
			i++;
			break;
		case '.':
			i += utf8_len(s, slen, i);
			break;
		default:
			if (icase ? bl_lower((unsigned char)pat[p]) != bl_lower(c) : (unsigned char)pat[p] != c)
				return false;
			i++;
		}
	}
	return i == slen;
}

/* ---- preparation --------------------------------------------------------- */

static int prep_text(struct bl_operand *o, const struct bl_value *v, struct bl_arena *a)
{
	const char *s;
	size_t len;
	if (!scalar_text(v, &s, &len)) {
		s = json_text(v, a, &len);
		if (!s)
			return BL_ENOMEM;
	}
	if (len > UINT32_MAX)
		return BL_ENOMEM;
	char *low = bl_arena_alloc(a, len + 1);
	if (!low)
		return BL_ENOMEM;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)bl_lower((unsigned char)s[i]);
	low[len] = '\0';
	o->raw = s;
	o->rawlen = (uint32_t)len;
	o->lower = low;
	o->llen = (uint32_t)len;
	if (v->type == BL_VNUM) {
		o->isnum = true;
		o->num = v->u.num.d;
	}
	return 0;
}

static int type_err(char *msg, size_t msgsize, int op, const char *want, const struct bl_value *v)
{
	snprintf(msg, msgsize, "%s needs %s, not %s", bl_op_name(op), want,
		 bl_vtype_name((enum bl_vtype)v->type));
	return BL_EINVAL;
}

/* An octal permission string or number text: 1 to 5 octal digits, <= 07777. */
static bool parse_mode(const char *s, size_t len, uint32_t *out)
{
	if (len == 0 || len > 5)
		return false;
	uint32_t m = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '7')
			return false;
		m = m * 8 + (uint32_t)(s[i] - '0');
	}
	if (m > 07777)
		return false;
	*out = m;
	return true;
}

/* Comparisons of scaNumeric, as Wazuh's `n:... compare OP N` spells them. */
static const char *const SCA_CMPS[] = {"<", "<=", "==", "!=", ">=", ">"};

/*
 * scaNumeric {regex: PCRE2 with a capture group, compare: OP, value: N}:
 * Wazuh SCA's `n:` content operator (docs/wazuh-sca.md).  Needs a constant
 * operand (gctx): a regex compiled per evaluation would never be freed.
 */
static int prep_scanum(struct bl_operand *o, const struct bl_value *v, struct bl_arena *a,
		       pcre2_general_context *gctx, bool jit, char *msg, size_t msgsize)
{
	size_t rlen = 0, clen = 0;
	const char *re = bl_value_strz(v, "regex", &rlen);
	const char *cmp = bl_value_strz(v, "compare", &clen);
	const struct bl_value *num = bl_value_getz(v, "value");
	if (v->type != BL_VOBJ || v->u.obj.n != 3 || !re || !cmp || !num || num->type != BL_VNUM) {
		snprintf(msg, msgsize, "scaNumeric needs {regex: STRING, compare: OP, value: NUMBER}");
		return BL_EINVAL;
	}
	if (!gctx) {
		snprintf(msg, msgsize, "scaNumeric needs a constant operand");
		return BL_EINVAL;
	}
	size_t k = 0;
	while (k < sizeof(SCA_CMPS) / sizeof(SCA_CMPS[0]) &&
	       !(strlen(SCA_CMPS[k]) == clen && memcmp(SCA_CMPS[k], cmp, clen) == 0))
		k++;
	if (k == sizeof(SCA_CMPS) / sizeof(SCA_CMPS[0])) {
		snprintf(msg, msgsize, "scaNumeric compare must be one of < <= == != >= >");
		return BL_EINVAL;
	}
	o->cmp = (uint8_t)k;
	o->num = num->u.num.d;
	o->isnum = true;
	int rc = prep_text(o, v, a);
	if (rc)
		return rc;
	pcre2_compile_context *cc = pcre2_compile_context_create(gctx);
	if (!cc)
		return BL_ENOMEM;
	int errcode = 0;
	PCRE2_SIZE erroff = 0;
	o->re = pcre2_compile((PCRE2_SPTR)re, rlen, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode,
			      &erroff, cc);
	if (!o->re) {
		PCRE2_UCHAR ebuf[160];
		if (pcre2_get_error_message(errcode, ebuf, sizeof(ebuf)) < 0)
			snprintf((char *)ebuf, sizeof(ebuf), "error %d", errcode);
		snprintf(msg, msgsize, "invalid regex at offset %zu: %s", (size_t)erroff,
			 (const char *)ebuf);
		return BL_EINVAL;
	}
	uint32_t groups = 0;
	pcre2_pattern_info(o->re, PCRE2_INFO_CAPTURECOUNT, &groups);
	if (groups < 1) {
		snprintf(msg, msgsize, "scaNumeric regex needs a capture group for the number");
		return BL_EINVAL;
	}
	if (jit)
		jit_compile(o->re, a);
	return 0;
}

/*
 * Compiled regexes by pattern, shared by the conditions of one baseline:
 * compiling is ~23,000 instructions per pattern whatever its size, and a
 * compiled pattern is read-only once JIT-compiled (or not), so operands can
 * share it across threads.  Open addressing over slots that never move (an
 * operand keeps a pointer to its slot); everything in the arena that also
 * holds the compiled code.
 *
 * A slot is compiled either at once (bl_op_prepare) or on first use
 * (bl_op_prepare_lazy_regex), by whichever evaluating thread gets there
 * first: re is published with release order once compiled and JIT-compiled,
 * so a thread that reads it non-NULL (acquire) sees finished code; the
 * compiling itself runs under the cache's lock, because it allocates from
 * the arena, which is not thread-safe.
 */
struct bl_regex_slot {
	struct bl_compile_cache *cache;
	const char *pat;
	size_t len;
	bool jit;
	_Atomic(pcre2_code *) re;   /* NULL until compiled */
	bool tried;                 /* under the lock: compiled (or failed) once */
	int errcode;                /* the failure: PCRE2 error code and offset */
	size_t erroff;
};

/* A field path compiled once for every condition that spells it the same
 * (bl_compile_cache_path). */
struct path_slot {
	const char *text;              /* the path's own copy (path.text) */
	size_t len;
	struct bl_path path;
	struct bl_pfx **nodes;         /* path.pfx, writable: counting uses */
};

/* What the conditions compiled into one arena share (struct
 * bl_rule_env.cache): the regexes above, field paths, their interned
 * prefixes and leaf keys.  It began as the regex cache; paths and keys
 * joined it because the environment already carried it to every compile. */
struct bl_compile_cache {
	struct bl_arena *a;
	pcre2_general_context *gctx;
	pcre2_compile_context *cctx;
	atomic_flag lock;
	struct bl_regex_slot **slot;   /* NULL = empty */
	size_t cap, n;                 /* cap: a power of two */
	struct path_slot **paths;      /* open addressing, NULL = empty; the table
					  NULL until the first path */
	size_t pcap, pn;               /* pcap: a power of two */
	struct bl_pfx **pfxs;          /* the paths' interned prefixes (path.h), by
					  parent and segment; NULL until the first */
	size_t xcap, xn;               /* xcap: a power of two; xn also numbers them */
	struct bl_leaf_key **leaves;   /* leaf keys (bl_compile_cache_leaf), likewise */
	size_t lcap, ln;
};

struct bl_compile_cache *bl_compile_cache_new(struct bl_arena *a)
{
	struct bl_compile_cache *c = bl_arena_calloc(a, 1, sizeof(*c));
	if (!c)
		return NULL;
	c->a = a;
	atomic_flag_clear(&c->lock);
	c->gctx = bl_ops_gctx(a);
	c->cctx = c->gctx ? pcre2_compile_context_create(c->gctx) : NULL;
	c->cap = 256;
	c->slot = bl_arena_calloc(a, c->cap, sizeof(*c->slot));
	return c->slot && c->cctx ? c : NULL;
}

/* Eight bytes per step: patterns are tens of bytes, and hashing them a
 * byte at a time was most of preparing a lazy regex operand. */
static size_t rx_hash(const char *s, size_t len, bool jit)
{
	uint64_t h = (jit ? 0x9e3779b97f4a7c15u : 1469598103934665603u) ^ len;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x100000001b3u;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	h ^= h >> 32;
	return (size_t)h;
}

static struct bl_regex_slot **rx_find(const struct bl_compile_cache *c, const char *s, size_t len,
				      bool jit)
{
	size_t i = rx_hash(s, len, jit) & (c->cap - 1);
	const struct bl_regex_slot *e;
	while ((e = c->slot[i]) && !(e->len == len && e->jit == jit && memcmp(e->pat, s, len) == 0))
		i = (i + 1) & (c->cap - 1);
	return &c->slot[i];
}

/* The slot of path text s in c->paths: its entry or the empty one. */
static struct path_slot **path_find(const struct bl_compile_cache *c, const char *s, size_t len)
{
	size_t i = rx_hash(s, len, false) & (c->pcap - 1);
	const struct path_slot *e;
	while ((e = c->paths[i]) && !(e->len == len && memcmp(e->text, s, len) == 0))
		i = (i + 1) & (c->pcap - 1);
	return &c->paths[i];
}

/* Does node x stand for parent followed by segment g (keys byte for byte:
 * "Properties" and "properties" may name different members)? */
static bool pfx_is(const struct bl_pfx *x, const struct bl_pfx *parent, const struct bl_seg *g)
{
	const struct bl_seg *t = x->seg;
	if (x->parent != parent || t->kind != g->kind)
		return false;
	if (g->kind == BL_SEG_INDEX)
		return t->index == g->index;
	return t->klen == g->klen && memcmp(t->key, g->key, g->klen) == 0;
}

static size_t pfx_hash(const struct bl_pfx *parent, const struct bl_seg *g)
{
	size_t h = g->kind == BL_SEG_INDEX ? rx_hash("", 0, true) ^ g->index
					   : rx_hash(g->key, g->klen, false);
	uint64_t p = (uint64_t)(uintptr_t)parent * 0x9e3779b97f4a7c15u;
	return h ^ (size_t)(p ^ (p >> 32));
}

static struct bl_pfx **pfx_find(const struct bl_compile_cache *c, const struct bl_pfx *parent,
				 const struct bl_seg *g)
{
	size_t i = pfx_hash(parent, g) & (c->xcap - 1);
	const struct bl_pfx *x;
	while ((x = c->pfxs[i]) && !pfx_is(x, parent, g))
		i = (i + 1) & (c->xcap - 1);
	return &c->pfxs[i];
}

/* The node for parent followed by g, made when new; NULL on ENOMEM. */
static struct bl_pfx *pfx_intern(struct bl_compile_cache *c, const struct bl_pfx *parent,
				 const struct bl_seg *g)
{
	if (2 * (c->xn + 1) > c->xcap) {
		struct bl_pfx **old = c->pfxs;
		size_t ocap = c->xcap;
		size_t ncap = ocap ? 2 * ocap : 512;
		struct bl_pfx **nt = bl_arena_calloc(c->a, ncap, sizeof(*nt));
		if (!nt)
			return NULL;
		c->pfxs = nt;
		c->xcap = ncap;
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				*pfx_find(c, old[i]->parent, old[i]->seg) = old[i];
	}
	struct bl_pfx **slot = pfx_find(c, parent, g);
	if (*slot)
		return *slot;
	struct bl_pfx *x = bl_arena_alloc(c->a, sizeof(*x));
	if (!x || c->xn >= UINT32_MAX - 1)
		return NULL;
	x->parent = parent;
	x->seg = g;
	x->uses = 0;
	x->id = (uint32_t)++c->xn;
	*slot = x;
	return x;
}

/* Point p->pfx (and *nodes) at the interned nodes of its segments before
 * the first [*], counting one use of each.  Returns 0 or BL_ENOMEM. */
static int path_intern(struct bl_compile_cache *c, struct bl_path *p, struct bl_pfx ***nodes)
{
	uint32_t n = 0;
	*nodes = NULL;
	while (n < p->n && p->segs[n].kind != BL_SEG_ALL)
		n++;
	if (!n)
		return 0;
	struct bl_pfx **v = bl_arena_alloc(c->a, (size_t)n * sizeof(*v));
	if (!v)
		return BL_ENOMEM;
	struct bl_pfx *parent = NULL;
	for (uint32_t i = 0; i < n; i++) {
		parent = pfx_intern(c, parent, &p->segs[i]);
		if (!parent)
			return BL_ENOMEM;
		parent->uses++;
		v[i] = parent;
	}
	p->pfx = (const struct bl_pfx *const *)v;
	p->npfx = n;
	*nodes = v;
	return 0;
}

static size_t leaf_hash(const void *path, uint32_t from, const char *expected, size_t elen)
{
	uint64_t p = (uint64_t)(uintptr_t)path * 0x9e3779b97f4a7c15u;
	return rx_hash(expected, elen, false) ^ (size_t)(p ^ (p >> 32)) ^ from;
}

static struct bl_leaf_key **leaf_find(const struct bl_compile_cache *c, const void *path,
				      uint32_t from, const char *expected, size_t elen)
{
	size_t i = leaf_hash(path, from, expected, elen) & (c->lcap - 1);
	const struct bl_leaf_key *k;
	while ((k = c->leaves[i]) && !(k->path == path && k->from == from &&
				       strncmp(k->expected, expected, elen + 1) == 0))
		i = (i + 1) & (c->lcap - 1);
	return &c->leaves[i];
}

const struct bl_leaf_key *bl_compile_cache_leaf(struct bl_compile_cache *c, const void *path,
					      uint32_t from, const char *expected)
{
	if (2 * (c->ln + 1) > c->lcap) {
		struct bl_leaf_key **old = c->leaves;
		size_t ocap = c->lcap;
		size_t ncap = ocap ? 2 * ocap : 512;
		struct bl_leaf_key **nt = bl_arena_calloc(c->a, ncap, sizeof(*nt));
		if (!nt)
			return NULL;
		c->leaves = nt;
		c->lcap = ncap;
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				*leaf_find(c, old[i]->path, old[i]->from, old[i]->expected,
					   strlen(old[i]->expected)) = old[i];
	}
	size_t elen = strlen(expected);
	struct bl_leaf_key **slot = leaf_find(c, path, from, expected, elen);
	if (*slot) {
		(*slot)->uses++;
		return *slot;
	}
	struct bl_leaf_key *k = bl_arena_alloc(c->a, sizeof(*k));
	if (!k || c->ln >= UINT32_MAX - 1)
		return NULL;
	k->path = path;
	k->expected = expected;
	k->from = from;
	k->uses = 1;
	k->id = (uint32_t)++c->ln;
	*slot = k;
	return k;
}

int bl_compile_cache_path(struct bl_path *out, struct bl_compile_cache *c, const char *text,
			size_t len, bool prefixes, struct bl_error *err)
{
	if (2 * (c->pn + 1) > c->pcap) {
		struct path_slot **old = c->paths;
		size_t ocap = c->pcap;
		size_t ncap = ocap ? 2 * ocap : 1024;
		struct path_slot **ns = bl_arena_calloc(c->a, ncap, sizeof(*ns));
		if (!ns)
			return BL_ENOMEM;
		c->paths = ns;
		c->pcap = ncap;
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				*path_find(c, old[i]->text, old[i]->len) = old[i];
	}
	struct path_slot **p = path_find(c, text, len);
	if (*p) {
		struct path_slot *e = *p;
		if (prefixes && !e->nodes) {
			if (path_intern(c, &e->path, &e->nodes))
				return BL_ENOMEM;
		} else if (prefixes) {
			for (uint32_t i = 0; i < e->path.npfx; i++)
				e->nodes[i]->uses++;
		}
		*out = e->path;
		if (!prefixes) {   /* interned for another condition: not this one */
			out->pfx = NULL;
			out->npfx = 0;
		}
		return 0;
	}
	int rc = bl_path_compile(out, text, len, c->a, err);
	if (rc)
		return rc;   /* errors are not remembered: each is reported */
	struct bl_pfx **nodes = NULL;
	if (prefixes && path_intern(c, out, &nodes))
		return BL_ENOMEM;
	struct path_slot *e = bl_arena_alloc(c->a, sizeof(*e));
	if (!e)
		return BL_ENOMEM;
	e->text = out->text;
	e->len = len;
	e->path = *out;
	e->nodes = nodes;
	*p = e;
	c->pn++;
	return 0;
}

/* The slot of (s, jit), created (not compiled) when new; NULL on ENOMEM.
 * Only while compiling conditions (single-threaded). */
static struct bl_regex_slot *rx_slot(struct bl_compile_cache *c, const char *s, size_t len, bool jit)
{
	struct bl_regex_slot **p = rx_find(c, s, len, jit);
	if (*p)
		return *p;
	if (2 * (c->n + 1) > c->cap) {
		struct bl_regex_slot **old = c->slot;
		size_t ocap = c->cap;
		struct bl_regex_slot **ns = bl_arena_calloc(c->a, 2 * ocap, sizeof(*ns));
		if (!ns)
			return NULL;
		c->slot = ns;
		c->cap = 2 * ocap;
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				*rx_find(c, old[i]->pat, old[i]->len, old[i]->jit) = old[i];
		p = rx_find(c, s, len, jit);
	}
	struct bl_regex_slot *e = bl_arena_calloc(c->a, 1, sizeof(*e));
	char *copy = e ? bl_arena_strndup(c->a, s, len) : NULL;
	if (!copy)
		return NULL;
	e->cache = c;
	e->pat = copy;
	e->len = len;
	e->jit = jit;
	atomic_init(&e->re, NULL);
	*p = e;
	c->n++;
	return e;
}

/* The compiled code of s, compiling it if no thread has yet; NULL when it
 * does not compile (s->errcode, s->erroff say why). */
static pcre2_code *rx_code(struct bl_regex_slot *s)
{
	pcre2_code *re = atomic_load_explicit(&s->re, memory_order_acquire);
	if (re)
		return re;
	struct bl_compile_cache *c = s->cache;
	/* Held for one compile (~10 us), at most once per pattern and run:
	 * a yield is all the waiting that is worth it. */
	while (atomic_flag_test_and_set_explicit(&c->lock, memory_order_acquire))
		sched_yield();
	if (!s->tried) {
		s->tried = true;
		int errcode = 0;
		PCRE2_SIZE erroff = 0;
		re = pcre2_compile((PCRE2_SPTR)s->pat, s->len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
				   &errcode, &erroff, c->cctx);
		if (re) {
			if (s->jit)
				jit_compile(re, c->a);   /* under the lock: it allocates */
			atomic_store_explicit(&s->re, re, memory_order_release);
		} else {
			s->errcode = errcode;
			s->erroff = erroff;
		}
	} else {
		re = atomic_load_explicit(&s->re, memory_order_relaxed);
	}
	atomic_flag_clear_explicit(&c->lock, memory_order_release);
	return re;
}

/* "invalid regex at offset N: why" into msg. */
static void regex_error(char *msg, size_t msgsize, int errcode, size_t erroff)
{
	PCRE2_UCHAR ebuf[160];
	if (pcre2_get_error_message(errcode, ebuf, sizeof(ebuf)) < 0)
		snprintf((char *)ebuf, sizeof(ebuf), "error %d", errcode);
	snprintf(msg, msgsize, "invalid regex at offset %zu: %s", erroff, (const char *)ebuf);
}

int bl_op_prepare_lazy_regex(struct bl_operand *o, int op, const struct bl_value *v,
			     struct bl_compile_cache *cache, bool jit, char *msg, size_t msgsize)
{
	memset(o, 0, sizeof(*o));
	o->v = v;
	if (v->type != BL_VSTR)
		return type_err(msg, msgsize, op, "a string", v);
	/* A regex operand's text is only shown (in "regex ...: why"), never
	 * compared: no lower-cased copy (prep_text's was half of preparing one). */
	o->raw = v->u.str.s;
	o->rawlen = v->u.str.len;
	o->lazy = rx_slot(cache, v->u.str.s, v->u.str.len, jit);
	return o->lazy ? 0 : BL_ENOMEM;
}

int bl_op_prepare(struct bl_operand *o, int op, const struct bl_value *v, struct bl_arena *a,
		  struct bl_compile_cache *cache,
		  pcre2_general_context *gctx, bool jit, char *msg, size_t msgsize)
{
	memset(o, 0, sizeof(*o));
	o->v = v;
	switch (op) {
	case BL_OP_EQUALS:
	case BL_OP_NOTEQUALS:
	case BL_OP_CONTAINS:
	case BL_OP_NOTCONTAINS:
		return prep_text(o, v, a);
	case BL_OP_IN:
	case BL_OP_NOTIN:
		if (v->type != BL_VARR)
			return type_err(msg, msgsize, op, "an array", v);
		o->nitems = v->u.arr.n;
		o->items = bl_arena_calloc(a, v->u.arr.n ? v->u.arr.n : 1, sizeof(*o->items));
		if (!o->items)
			return BL_ENOMEM;
		for (uint32_t i = 0; i < v->u.arr.n; i++) {
			o->items[i].v = &v->u.arr.items[i];
			int rc = prep_text(&o->items[i], &v->u.arr.items[i], a);
			if (rc)
				return rc;
		}
		return 0;
	case BL_OP_LIKE:
	case BL_OP_NOTLIKE: {
		if (v->type != BL_VSTR)
			return type_err(msg, msgsize, op, "a string", v);
		int rc = prep_text(o, v, a);
		if (!rc)
			like_shape(o);
		return rc;
	}
	case BL_OP_MATCH:
	case BL_OP_NOTMATCH:
	case BL_OP_MATCHI:
	case BL_OP_NOTMATCHI:
	case BL_OP_CONTAINSKEY:
	case BL_OP_NOTCONTAINSKEY:
		if (v->type != BL_VSTR)
			return type_err(msg, msgsize, op, "a string", v);
		return prep_text(o, v, a);
	case BL_OP_LESS:
	case BL_OP_LESSOREQ:
	case BL_OP_GREATER:
	case BL_OP_GREATEROREQ:
		if (v->type != BL_VSTR && v->type != BL_VNUM)
			return type_err(msg, msgsize, op, "a number or a string", v);
		return prep_text(o, v, a);
	case BL_OP_EXISTS:
		if (v->type == BL_VBOOL) {
			o->flag = v->b;
			return prep_text(o, v, a);
		}
		if (v->type == BL_VSTR && (bl_str_ieq(v->u.str.s, v->u.str.len, "true", 4) ||
					   bl_str_ieq(v->u.str.s, v->u.str.len, "false", 5))) {
			o->flag = v->u.str.len == 4;
			return prep_text(o, v, a);
		}
		snprintf(msg, msgsize, "exists needs true or false (or the strings \"true\"/\"false\")");
		return BL_EINVAL;
	case BL_OP_REGEX:
	case BL_OP_NOTREGEX: {
		if (v->type != BL_VSTR)
			return type_err(msg, msgsize, op, "a string", v);
		int rc = prep_text(o, v, a);
		if (rc)
			return rc;
		if (cache) {
			/* compiled now, so that a bad pattern is reported now */
			struct bl_regex_slot *slot = rx_slot(cache, v->u.str.s, v->u.str.len, jit);
			if (!slot)
				return BL_ENOMEM;
			o->re = rx_code(slot);
			if (!o->re) {
				regex_error(msg, msgsize, slot->errcode, slot->erroff);
				return BL_EINVAL;
			}
			return 0;
		}
		pcre2_compile_context *cc = gctx ? pcre2_compile_context_create(gctx) : NULL;
		if (gctx && !cc)
			return BL_ENOMEM;
		int errcode = 0;
		PCRE2_SIZE erroff = 0;
		o->re = pcre2_compile((PCRE2_SPTR)v->u.str.s, v->u.str.len,
				      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff, cc);
		if (!o->re) {
			regex_error(msg, msgsize, errcode, erroff);
			return BL_EINVAL;
		}
		if (jit)
			jit_compile(o->re, a);
		return 0;
	}
	case BL_OP_VLESS:
	case BL_OP_VLESSOREQ:
	case BL_OP_VGREATER:
	case BL_OP_VGREATEROREQ:
		if (v->type != BL_VSTR && v->type != BL_VNUM)
			return type_err(msg, msgsize, op, "a version string", v);
		return prep_text(o, v, a);
	case BL_OP_MODEATMOST: {
		const char *s;
		size_t len;
		if ((v->type != BL_VSTR && v->type != BL_VNUM) || !scalar_text(v, &s, &len) ||
		    !parse_mode(s, len, &o->mode)) {
			snprintf(msg, msgsize, "modeAtMost needs an octal mode such as \"0640\"");
			return BL_EINVAL;
		}
		return prep_text(o, v, a);
	}
	case BL_OP_NAUNLESS:
		if (v->type != BL_VSTR || v->u.str.len == 0)
			return type_err(msg, msgsize, op, "a non-empty string (the reason)", v);
		o->na = bl_value_new_special(a, BL_VNA, bl_arena_strndup(a, v->u.str.s, v->u.str.len));
		if (!o->na)
			return BL_ENOMEM;
		return prep_text(o, v, a);
	case BL_OP_SCANUM:
	case BL_OP_NOTSCANUM:
		return prep_scanum(o, v, a, gctx, jit, msg, msgsize);
	default:
		snprintf(msg, msgsize, "unknown operator");
		return BL_EINVAL;
	}
}

/* ---- application --------------------------------------------------------- */

static enum bl_truth unknown(struct bl_eval *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum bl_truth unknown(struct bl_eval *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->error, sizeof(e->error), fmt, ap);
	va_end(ap);
	return BL_UNKNOWN;
}

static enum bl_truth order_result(int op, int c)
{
	switch (op) {
	case BL_OP_LESS:
	case BL_OP_VLESS:
		return c < 0 ? BL_TRUE : BL_FALSE;
	case BL_OP_LESSOREQ:
	case BL_OP_VLESSOREQ:
		return c <= 0 ? BL_TRUE : BL_FALSE;
	case BL_OP_GREATER:
	case BL_OP_VGREATER:
		return c > 0 ? BL_TRUE : BL_FALSE;
	default:
		return c >= 0 ? BL_TRUE : BL_FALSE;
	}
}

static enum bl_truth apply_order(int op, const struct bl_value *a, const struct bl_operand *o,
				 struct bl_eval *e)
{
	double x;
	if (o->isnum) {
		if (a->type == BL_VNUM)
			x = a->u.num.d;
		else if (a->type == BL_VSTR && parse_number(a->u.str.s, a->u.str.len, &x))
			;
		else
			return unknown(e, "%s: cannot compare %s with a number", bl_op_name(op),
				       bl_vtype_name((enum bl_vtype)a->type));
		return order_result(op, x < o->num ? -1 : x > o->num ? 1 : 0);
	}
	if (a->type != BL_VSTR)
		return unknown(e, "%s: cannot compare %s with a string", bl_op_name(op),
			       bl_vtype_name((enum bl_vtype)a->type));
	return order_result(op, bl_str_icmp(a->u.str.s, a->u.str.len, o->lower, o->llen));
}

static enum bl_truth apply_regex(const struct bl_value *a, const struct bl_operand *o,
				 struct bl_eval *e)
{
	const char *s;
	size_t len;
	if (!any_text(a, e, &s, &len))
		return BL_UNKNOWN;
	struct regex_scratch *rs = e->regex_scratch;
	if (!rs) {
		rs = calloc(1, sizeof(*rs));
		if (rs) {
			rs->md = pcre2_match_data_create(1, NULL);
			rs->mc = pcre2_match_context_create(NULL);
		}
		if (!rs || !rs->md || !rs->mc) {
			if (rs) {
				pcre2_match_data_free(rs->md);
				pcre2_match_context_free(rs->mc);
				free(rs);
			}
			snprintf(e->error, sizeof(e->error), "out of memory for regex matching");
			return BL_UNKNOWN;
		}
		e->regex_scratch = rs;
	}
	const pcre2_code *re = o->re;
	if (!re && o->lazy) {
		re = rx_code(o->lazy);
		if (!re) {
			char msg[200];
			regex_error(msg, sizeof(msg), o->lazy->errcode, o->lazy->erroff);
			return unknown(e, "regex %.*s: %s", (int)(o->rawlen > 40 ? 40 : o->rawlen),
				       o->raw, msg);
		}
	}
	uint32_t limit = e->regex_match_limit ? e->regex_match_limit : 1000000u;
	pcre2_set_match_limit(rs->mc, limit);
	int rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, rs->md, rs->mc);
	if (rc >= 0)
		return BL_TRUE;
	if (rc == PCRE2_ERROR_NOMATCH)
		return BL_FALSE;
	if (rc == PCRE2_ERROR_MATCHLIMIT)
		snprintf(e->error, sizeof(e->error), "regex %.*s: match limit (%u) exceeded",
			 (int)(o->rawlen > 100 ? 100 : o->rawlen), o->raw, limit);
	else {
		PCRE2_UCHAR ebuf[120];
		if (pcre2_get_error_message(rc, ebuf, sizeof(ebuf)) < 0)
			snprintf((char *)ebuf, sizeof(ebuf), "error %d", rc);
		snprintf(e->error, sizeof(e->error), "regex match failed: %s", (const char *)ebuf);
	}
	return BL_UNKNOWN;
}

/*
 * scaNumeric on one value: true when the regex matches and its first capture
 * is an integer (what Wazuh's strtol accepts: optional sign, digits) that
 * compares as asked.  A capture that is no number is no match, as in Wazuh.
 */
static enum bl_truth apply_scanum(const struct bl_value *a, const struct bl_operand *o,
				  struct bl_eval *e)
{
	const char *s;
	size_t len;
	if (!any_text(a, e, &s, &len))
		return BL_UNKNOWN;
	pcre2_match_data *md = pcre2_match_data_create(2, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	if (!md || !mc) {
		pcre2_match_data_free(md);
		pcre2_match_context_free(mc);
		return unknown(e, "out of memory for regex matching");
	}
	uint32_t limit = e->regex_match_limit ? e->regex_match_limit : 1000000u;
	pcre2_set_match_limit(mc, limit);
	int rc = pcre2_match(o->re, (PCRE2_SPTR)s, len, 0, 0, md, mc);
	enum bl_truth t = BL_FALSE;
	if (rc == PCRE2_ERROR_MATCHLIMIT) {
		t = unknown(e, "scaNumeric: regex match limit (%u) exceeded", limit);
	} else if (rc >= 2) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		double x;
		if (ov[2] != PCRE2_UNSET && parse_number(s + ov[2], ov[3] - ov[2], &x)) {
			bool ok = false;
			switch (o->cmp) {
			case 0: ok = x < o->num; break;
			case 1: ok = x <= o->num; break;
			case 2: ok = x == o->num; break;
			case 3: ok = x != o->num; break;
			case 4: ok = x >= o->num; break;
			default: ok = x > o->num; break;
			}
			t = ok ? BL_TRUE : BL_FALSE;
		}
	} else if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
		t = unknown(e, "scaNumeric: regex match failed (%d)", rc);
	}
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	return t;
}

/* The positive operators, on a present value. */
static enum bl_truth apply_pos(int op, const struct bl_value *a, const struct bl_operand *o,
			       struct bl_eval *e)
{
	const char *s;
	size_t len;
	switch (op) {
	case BL_OP_EQUALS:
		return bl_op_eq(a, o) ? BL_TRUE : BL_FALSE;
	case BL_OP_IN:
		return bl_op_in(a, o) ? BL_TRUE : BL_FALSE;
	case BL_OP_LIKE:
		if (!any_text(a, e, &s, &len))
			return BL_UNKNOWN;
		return like_apply(o, s, len) ? BL_TRUE : BL_FALSE;
	case BL_OP_MATCH:
	case BL_OP_MATCHI:
		if (!any_text(a, e, &s, &len))
			return BL_UNKNOWN;
		return match_pattern(o->raw, o->rawlen, s, len, op == BL_OP_MATCHI) ? BL_TRUE
										      : BL_FALSE;
	case BL_OP_CONTAINS:
		if (a->type == BL_VARR) {
			for (uint32_t i = 0; i < a->u.arr.n; i++)
				if (bl_op_eq(&a->u.arr.items[i], o))
					return BL_TRUE;
			return BL_FALSE;
		}
		if (!any_text(a, e, &s, &len))
			return BL_UNKNOWN;
		return bl_str_icontains(s, len, o->lower, o->llen) ? BL_TRUE : BL_FALSE;
	case BL_OP_CONTAINSKEY:
		return (a->type == BL_VOBJ && bl_value_get(a, o->raw, o->rawlen)) ? BL_TRUE : BL_FALSE;
	case BL_OP_LESS:
	case BL_OP_LESSOREQ:
	case BL_OP_GREATER:
	case BL_OP_GREATEROREQ:
		return apply_order(op, a, o, e);
	case BL_OP_EXISTS:
		return o->flag ? BL_TRUE : BL_FALSE;
	case BL_OP_REGEX:
		return apply_regex(a, o, e);
	case BL_OP_VLESS:
	case BL_OP_VLESSOREQ:
	case BL_OP_VGREATER:
	case BL_OP_VGREATEROREQ:
		if ((a->type != BL_VSTR && a->type != BL_VNUM) || !scalar_text(a, &s, &len))
			return unknown(e, "%s: %s is not a version", bl_op_name(op),
				       bl_vtype_name((enum bl_vtype)a->type));
		return order_result(op, bl_version_cmp(s, len, o->raw, o->rawlen));
	case BL_OP_MODEATMOST: {
		uint32_t mode;
		if ((a->type != BL_VSTR && a->type != BL_VNUM) || !scalar_text(a, &s, &len) ||
		    !parse_mode(s, len, &mode))
			return unknown(e, "modeAtMost: %s value is not an octal file mode",
				       bl_vtype_name((enum bl_vtype)a->type));
		return (mode & ~o->mode) == 0 ? BL_TRUE : BL_FALSE;
	}
	case BL_OP_SCANUM:
		return apply_scanum(a, o, e);
	default:
		return unknown(e, "internal: operator %s not applicable", bl_op_name(op));
	}
}

/* apply_pos's answer where it needs none of apply_pos's text forms or
 * messages: like on a string, an ordering between numbers (nearly every
 * like and less of a baseline's leaves and counts).  -1 for the others. */
static inline int apply_plain(int op, const struct bl_value *a, const struct bl_operand *o)
{
	switch (op) {
	case BL_OP_LIKE:
		if (a->type != BL_VSTR)
			return -1;
		return like_apply(o, a->u.str.s, a->u.str.len) ? BL_TRUE : BL_FALSE;
	case BL_OP_LESS:
	case BL_OP_LESSOREQ:
	case BL_OP_GREATER:
	case BL_OP_GREATEROREQ:
		if (a->type != BL_VNUM || !o->isnum)
			return -1;
		return (int)order_result(op, a->u.num.d < o->num ? -1 : a->u.num.d > o->num ? 1 : 0);
	default:
		return -1;
	}
}

enum bl_truth bl_op_apply(int op, const struct bl_value *actual, const struct bl_operand *o,
			  struct bl_eval *e)
{
	int base = OPS[op].base;
	if (bl_value_special(actual)) {
		/* a fact that could not be read decides nothing */
		bl_eval_special(e, actual);
		return BL_UNKNOWN;
	}
	if (op == BL_OP_NAUNLESS) {
		/* Wazuh's "invalid" rule outcome: neither found nor not found */
		if (actual && ((actual->type == BL_VBOOL && actual->b) ||
			       (actual->type == BL_VSTR && bl_str_ieq(actual->u.str.s, actual->u.str.len, "true", 4))))
			return BL_TRUE;
		bl_eval_special(e, o->na);
		return BL_UNKNOWN;
	}
	if (base < 0) {
		if (!actual)
			return (op == BL_OP_EXISTS && !o->flag) ? BL_TRUE : BL_FALSE;
		if (op == BL_OP_EQUALS)
			return bl_op_eq(actual, o) ? BL_TRUE : BL_FALSE;
		if (op == BL_OP_IN)
			return bl_op_in(actual, o) ? BL_TRUE : BL_FALSE;
		if (op == BL_OP_EXISTS)
			return o->flag ? BL_TRUE : BL_FALSE;
		int r = apply_plain(op, actual, o);
		return r >= 0 ? (enum bl_truth)r : apply_pos(op, actual, o, e);
	}
	if (!actual)
		return BL_TRUE;
	/* equals and in never give unknown: answered here without the general
	 * dispatch (most conditions of most baselines are one of these) */
	if (base == BL_OP_EQUALS)
		return bl_op_eq(actual, o) ? BL_FALSE : BL_TRUE;
	if (base == BL_OP_IN)
		return bl_op_in(actual, o) ? BL_FALSE : BL_TRUE;
	int r = apply_plain(base, actual, o);
	enum bl_truth t = r >= 0 ? (enum bl_truth)r : apply_pos(base, actual, o, e);
	return t == BL_UNKNOWN ? t : (t == BL_TRUE ? BL_FALSE : BL_TRUE);
}
