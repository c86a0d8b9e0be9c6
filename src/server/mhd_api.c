/*
 * pq_api.c - the libmicrohttpd table (mhd_api.h), filled once by dlopen.
 */
#define BL_MHD_NO_MACROS
#include "server/mhd_api.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "util/dynlib.h"

#define BL_MHD_SYM(f) {#f, offsetof(struct bl_mhd_api, f)},
static const struct bl_dynsym syms[] = {BL_MHD_FUNCS(BL_MHD_SYM)};

/* Written once under `once`, then only read (see util/dynlib.h). */
static struct bl_mhd_api api;
static struct bl_error load_err;
static int load_rc;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	load_rc = bl_dynlib_load("libmicrohttpd.so.12", syms, sizeof(syms) / sizeof(syms[0]), &api,
				 &load_err);
	if (load_rc) {
		char why[sizeof(load_err.msg)];
		memcpy(why, load_err.msg, sizeof(why));
		bl_error_set(&load_err, load_rc, NULL, 0, 0,
			     "%.400s (baseline serve needs libmicrohttpd: install libmicrohttpd12)", why);
	}
}

int bl_mhd_load(struct bl_error *err)
{
	pthread_once(&once, load);
	if (load_rc && err)
		*err = load_err;
	return load_rc;
}

const struct bl_mhd_api *bl_mhd(void)
{
	return &api;
}
