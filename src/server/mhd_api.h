/*
 * mhd_api.h - libmicrohttpd, loaded on first use (util/dynlib.h): only
 * `baseline serve` needs it.  Include after <microhttpd.h>; the macros route
 * the MHD calls of the including file through the table.  bl_mhd_load()
 * must have succeeded before the first call.
 */
#ifndef BL_SERVER_MHD_API_H
#define BL_SERVER_MHD_API_H

#include <sys/socket.h>
#include <microhttpd.h>

#include "util/error.h"

#define BL_MHD_FUNCS(X) \
	X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_get_daemon_info) \
	X(MHD_lookup_connection_value) X(MHD_get_connection_values) X(MHD_queue_response) \
	X(MHD_create_response_from_buffer) X(MHD_destroy_response) X(MHD_add_response_header) \
	X(MHD_get_connection_info)

struct bl_mhd_api {
#define BL_MHD_MEMBER(f) __typeof__(f) *f;
	BL_MHD_FUNCS(BL_MHD_MEMBER)
#undef BL_MHD_MEMBER
};

/* Load libmicrohttpd.so.12 once per process.  Returns 0, or BL_EINTERNAL
 * with err saying what is missing. */
int bl_mhd_load(struct bl_error *err);

/* The table; only after bl_mhd_load returned 0. */
const struct bl_mhd_api *bl_mhd(void);

#ifndef BL_MHD_NO_MACROS
#define MHD_start_daemon (bl_mhd()->MHD_start_daemon)
#define MHD_stop_daemon (bl_mhd()->MHD_stop_daemon)
#define MHD_get_daemon_info (bl_mhd()->MHD_get_daemon_info)
#define MHD_lookup_connection_value (bl_mhd()->MHD_lookup_connection_value)
#define MHD_get_connection_values (bl_mhd()->MHD_get_connection_values)
#define MHD_queue_response (bl_mhd()->MHD_queue_response)
#define MHD_create_response_from_buffer (bl_mhd()->MHD_create_response_from_buffer)
#define MHD_destroy_response (bl_mhd()->MHD_destroy_response)
#define MHD_add_response_header (bl_mhd()->MHD_add_response_header)
#define MHD_get_connection_info (bl_mhd()->MHD_get_connection_info)
#endif

#endif
