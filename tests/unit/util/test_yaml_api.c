/* Unit tests for util/yaml_api.c: libyaml is opened with dlopen and parses
 * through its table (this program does not link libyaml), and the YAML
 * reader (doc/yaml.c) opens it on its own first use. */
#include "testutil.h"

#include "doc/yaml.h"
#include "util/yaml_api.h"

/* Parse text with libyaml through the table; the event types in order. */
static size_t events(const char *text, yaml_event_type_t *types, size_t cap, char *scalars,
		     size_t scap)
{
	yaml_parser_t p;
	yaml_event_t ev;
	assert_int_equal(yaml_parser_initialize(&p), 1);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	size_t n = 0;
	scalars[0] = '\0';
	for (;;) {
		assert_int_equal(yaml_parser_parse(&p, &ev), 1);
		yaml_event_type_t t = ev.type;
		if (n < cap)
			types[n] = t;
		n++;
		if (t == YAML_SCALAR_EVENT) {
			size_t have = strlen(scalars);
			snprintf(scalars + have, scap - have, "%s|", (const char *)ev.data.scalar.value);
		}
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return n;
}

static void test_load_and_parse(void **state)
{
	(void)state;
	struct bl_error err;
	assert_int_equal(bl_yaml_load(&err), 0);
	assert_int_equal(bl_yaml_load(NULL), 0);   /* once: the same answer again */

	yaml_event_type_t t[16];
	char sc[64];
	size_t n = events("a: [1, two]\n", t, 16, sc, sizeof sc);
	const yaml_event_type_t want[] = {
		YAML_STREAM_START_EVENT, YAML_DOCUMENT_START_EVENT, YAML_MAPPING_START_EVENT,
		YAML_SCALAR_EVENT, YAML_SEQUENCE_START_EVENT, YAML_SCALAR_EVENT,
		YAML_SCALAR_EVENT, YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT,
		YAML_DOCUMENT_END_EVENT, YAML_STREAM_END_EVENT,
	};
	assert_int_equal(n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(t[i], want[i]);
	assert_string_equal(sc, "a|1|two|");
}

/* A syntax error comes back through the table with libyaml's position. */
static void test_error_through_table(void **state)
{
	(void)state;
	assert_int_equal(bl_yaml_load(NULL), 0);
	yaml_parser_t p;
	yaml_event_t ev;
	assert_int_equal(yaml_parser_initialize(&p), 1);
	const char *text = "a: [1,\n";
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	int ok = 1;
	for (int i = 0; i < 16 && ok; i++) {
		ok = yaml_parser_parse(&p, &ev);
		if (ok) {
			int end = ev.type == YAML_STREAM_END_EVENT;
			yaml_event_delete(&ev);
			if (end)
				break;
		}
	}
	assert_int_equal(ok, 0);
	assert_int_not_equal(p.error, YAML_NO_ERROR);
	assert_non_null(p.problem);
	yaml_parser_delete(&p);
}

/* The reader loads libyaml itself: a document parses with no load call
 * before it (this test runs first in its own process). */
static void test_reader_loads(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 4096);
	struct bl_error err;
	const struct bl_value *v = NULL;
	const char *text = "name: x\nitems: [1, 2, 3]\n";
	assert_int_equal(bl_yaml_parse(&v, &a, text, strlen(text), "t.yaml", NULL, &err), 0);
	assert_int_equal(v->type, BL_VOBJ);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_loads),
		cmocka_unit_test(test_load_and_parse),
		cmocka_unit_test(test_error_through_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
