/*
 * curl_api.h - libcurl, loaded on first use (util/dynlib.h).  Include after
 * <curl/curl.h>: the macros below route the libcurl calls of the including
 * file through the table, so it reads like plain libcurl code.  Call
 * bl_curl_load() (and check it) before the first of them.
 */
#ifndef BL_ALERT_CURL_API_H
#define BL_ALERT_CURL_API_H

#include <curl/curl.h>

#include "util/error.h"

struct bl_curl_api {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *c);
	void (*easy_reset)(CURL *c);
	CURLcode (*easy_setopt)(CURL *c, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
};

/* Load libcurl.so.4 once per process.  Returns 0, or BL_EINTERNAL with err
 * saying what is missing (every later call returns the same). */
int bl_curl_load(struct bl_error *err);

/* The table; only after bl_curl_load returned 0. */
const struct bl_curl_api *bl_curl(void);

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (bl_curl()->global_init)
#define curl_global_cleanup (bl_curl()->global_cleanup)
#define curl_easy_init (bl_curl()->easy_init)
#define curl_easy_cleanup (bl_curl()->easy_cleanup)
#define curl_easy_reset (bl_curl()->easy_reset)
#define curl_easy_setopt (bl_curl()->easy_setopt)
#define curl_easy_perform (bl_curl()->easy_perform)
#define curl_easy_getinfo (bl_curl()->easy_getinfo)
#define curl_easy_strerror (bl_curl()->easy_strerror)
#define curl_slist_append (bl_curl()->slist_append)
#define curl_slist_free_all (bl_curl()->slist_free_all)

#endif
