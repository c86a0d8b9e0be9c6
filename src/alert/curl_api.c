/*
 * curl_api.c - the libcurl table (curl_api.h), filled once by dlopen.
 */
#include "alert/curl_api.h"

#include <pthread.h>
#include <stddef.h>

#include "util/dynlib.h"

#define SYM(n, f) {n, offsetof(struct bl_curl_api, f)}
static const struct bl_dynsym syms[] = {
	SYM("curl_global_init", global_init),
	SYM("curl_global_cleanup", global_cleanup),
	SYM("curl_easy_init", easy_init),
	SYM("curl_easy_cleanup", easy_cleanup),
	SYM("curl_easy_reset", easy_reset),
	SYM("curl_easy_setopt", easy_setopt),
	SYM("curl_easy_perform", easy_perform),
	SYM("curl_easy_getinfo", easy_getinfo),
	SYM("curl_easy_strerror", easy_strerror),
	SYM("curl_slist_append", slist_append),
	SYM("curl_slist_free_all", slist_free_all),
};

/* Written once under `once`, then only read (see util/dynlib.h). */
static struct bl_curl_api api;
static struct bl_error load_err;
static int load_rc;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	load_rc = bl_dynlib_load("libcurl.so.4", syms, sizeof(syms) / sizeof(syms[0]), &api,
				 &load_err);
}

int bl_curl_load(struct bl_error *err)
{
	pthread_once(&once, load);
	if (load_rc && err)
		*err = load_err;
	return load_rc;
}

const struct bl_curl_api *bl_curl(void)
{
	return &api;
}
