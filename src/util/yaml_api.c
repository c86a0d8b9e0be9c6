/*
 * yaml_api.c - the libyaml table (yaml_api.h), filled once by dlopen.
 */
#define BL_YAML_NO_MACROS
#include "util/yaml_api.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "util/dynlib.h"

#define BL_YAML_SYM(f) {#f, offsetof(struct bl_yaml_api, f)},
static const struct bl_dynsym syms[] = {BL_YAML_FUNCS(BL_YAML_SYM)};

/* Written once under `once`, then only read (see util/dynlib.h). */
static struct bl_yaml_api api;
static struct bl_error load_err;
static int load_rc;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	load_rc = bl_dynlib_load("libyaml-0.so.2", syms, sizeof(syms) / sizeof(syms[0]), &api,
				 &load_err);
	if (load_rc) {
		char why[sizeof(load_err.msg)];
		memcpy(why, load_err.msg, sizeof(why));
		bl_error_set(&load_err, load_rc, NULL, 0, 0,
			     "%.400s (YAML documents need libyaml: install libyaml-0-2)", why);
	}
}

int bl_yaml_load(struct bl_error *err)
{
	pthread_once(&once, load);
	if (load_rc && err)
		*err = load_err;
	return load_rc;
}

const struct bl_yaml_api *bl_yaml(void)
{
	return &api;
}
