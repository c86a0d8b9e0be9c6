/*
 * yaml_api.h - libyaml, loaded on first use (util/dynlib.h).  Only a YAML
 * document needs it: the built-in baselines are compiled in as value trees
 * and a JSON snapshot never touches it, so linking it cost those runs its
 * mapping and relocations (~0.1 ms a start) for nothing.  Include after
 * <yaml.h>; the macros route the including file's yaml_* calls through the
 * table.  bl_yaml_load() must have succeeded before the first call (the
 * YAML reader, doc/yaml.c, calls it before each parse).
 */
#ifndef BL_UTIL_YAML_API_H
#define BL_UTIL_YAML_API_H

#include <yaml.h>

#include "util/error.h"

#define BL_YAML_FUNCS(X) \
	X(yaml_parser_initialize) X(yaml_parser_set_input_string) X(yaml_parser_set_encoding) \
	X(yaml_parser_parse) X(yaml_event_delete) X(yaml_parser_delete)

struct bl_yaml_api {
#define BL_YAML_MEMBER(f) __typeof__(f) *f;
	BL_YAML_FUNCS(BL_YAML_MEMBER)
#undef BL_YAML_MEMBER
};

/* Load libyaml-0.so.2 once per process.  Returns 0, or BL_EINTERNAL with
 * err saying what is missing (every later call returns the same). */
int bl_yaml_load(struct bl_error *err);

/* The table; only after bl_yaml_load returned 0. */
const struct bl_yaml_api *bl_yaml(void);

#ifndef BL_YAML_NO_MACROS
#define yaml_parser_initialize (bl_yaml()->yaml_parser_initialize)
#define yaml_parser_set_input_string (bl_yaml()->yaml_parser_set_input_string)
#define yaml_parser_set_encoding (bl_yaml()->yaml_parser_set_encoding)
#define yaml_parser_parse (bl_yaml()->yaml_parser_parse)
#define yaml_event_delete (bl_yaml()->yaml_event_delete)
#define yaml_parser_delete (bl_yaml()->yaml_parser_delete)
#endif

#endif
