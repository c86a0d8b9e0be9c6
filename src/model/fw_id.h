/*
 * fw_id.h - the canonical spelling of framework control ids, as static
 * inline functions: model/framework.c (bl_fw_canonical_id,
 * bl_fw_is_canonical) and the build-time tool scripts/embed.c, which checks
 * the shipped catalogs and writes them out with canonical ids, must agree
 * on it exactly, and the tool links no model/ code.  Pure functions, no
 * state.
 */
#ifndef BL_MODEL_FW_ID_H
#define BL_MODEL_FW_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline bool bl_fw_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool bl_fw_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Letters, '-', digits: the length of the "xx-N" prefix, else 0. */
static inline size_t bl_fw_nist_base_len(const char *s)
{
	size_t i = 0;
	while (bl_fw_is_alpha(s[i]))
		i++;
	if (i == 0 || s[i] != '-' || !bl_fw_is_digit(s[i + 1]))
		return 0;
	i++;
	while (bl_fw_is_digit(s[i]))
		i++;
	return i;
}

/* See bl_fw_canonical_id (framework.h). */
static inline size_t bl_fw_canon(char *out, size_t size, const char *id)
{
	size_t len = strlen(id);
	if (len == 0 || size == 0)
		return 0;
	size_t base = bl_fw_nist_base_len(id);
	bool oscal = false;
	if (base && id[base] == '.' && bl_fw_is_digit(id[base + 1])) {
		oscal = true;
		for (size_t i = base + 1; i < len; i++)
			if (!bl_fw_is_digit(id[i]))
				oscal = false;
	}
	size_t need = len + (oscal ? 1 : 0);
	if (need + 1 > size)
		return 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = id[i];
		if (oscal && i == base)
			c = '(';
		else if (base && c >= 'a' && c <= 'z')  /* "ac-2" -> "AC-2"; "MS.X.1.1v1" kept */
			c = (char)(c - 32);
		out[o++] = c;
	}
	if (oscal)
		out[o++] = ')';
	out[o] = '\0';
	return o;
}

/* See bl_fw_is_canonical (framework.h). */
static inline bool bl_fw_canonical_as_is(const char *id, size_t len)
{
	/* one pass for what can change: a lower-case letter (and a NUL, where
	 * bl_fw_canon stops) */
	bool lower = false;
	for (size_t k = 0; k < len; k++) {
		char ch = id[k];
		if (ch == '\0')
			return false;
		lower = lower || (ch >= 'a' && ch <= 'z');
	}
	if (len == 0)
		return false;
	/* the "xx-N" prefix, as bl_fw_nist_base_len finds it but within len */
	size_t i = 0;
	while (i < len && bl_fw_is_alpha(id[i]))
		i++;
	if (i == 0 || i + 1 >= len || id[i] != '-' || !bl_fw_is_digit(id[i + 1]))
		return true;   /* no prefix: nothing changes */
	if (lower)
		return false;  /* "ac-2" -> "AC-2" */
	i++;
	while (i < len && bl_fw_is_digit(id[i]))
		i++;
	/* the OSCAL form "xx-N.M" becomes "XX-N(M)" */
	if (i + 1 < len && id[i] == '.') {
		for (size_t k = i + 1; k < len; k++)
			if (!bl_fw_is_digit(id[k]))
				return true;
		return false;
	}
	return true;
}

/* Natural order of control ids (engine/rollup.h bl_natural_cmp, which is
 * this): digit runs compare as numbers (leading zeros ignored), other
 * characters ASCII case-insensitively.  -1, 0 or 1. */
static inline int bl_fw_natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (bl_fw_is_digit(*a) && bl_fw_is_digit(*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t la = 0, lb = 0;
			while (bl_fw_is_digit(a[la]))
				la++;
			while (bl_fw_is_digit(b[lb]))
				lb++;
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = memcmp(a, b, la);
			if (c)
				return c < 0 ? -1 : 1;
			a += la;
			b += lb;
			continue;
		}
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return x < y ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : (*b ? -1 : 0);
}

/* FNV-1a of s with ASCII letters folded to lower case: the hash of the
 * catalogs' entry index (bl_catalog_entry matches ids case-insensitively). */
static inline uint64_t bl_fw_fold_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch + 32);
		h = (h ^ ch) * 1099511628211u;
	}
	return h;
}

#endif
