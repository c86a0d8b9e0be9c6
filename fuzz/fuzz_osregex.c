/*
 * fuzz_osregex.c - libFuzzer target for the OS_Regex translator: arbitrary
 * bytes must never crash bl_osregex_to_pcre2, and every pattern it accepts
 * must compile with PCRE2 (the translation never produces invalid PCRE2).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "import/osregex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	char msg[200];
	if (bl_osregex_to_pcre2(&b, (const char *)data, size, msg, sizeof msg) == 0) {
		int ec;
		PCRE2_SIZE off;
		/* no UTF flag: the input bytes need not be UTF-8 */
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)b.data, b.len, 0, &ec, &off, NULL);
		if (!re) {
			/* only PCRE2's own limits may refuse a translation */
			if (ec != PCRE2_ERROR_PATTERN_TOO_LARGE && ec != PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP &&
			    ec != PCRE2_ERROR_HEAP_FAILED)
				abort();
		}
		pcre2_code_free(re);
	}
	bl_buf_free(&b);
	return 0;
}
