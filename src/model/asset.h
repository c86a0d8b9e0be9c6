/*
 * asset.h - one thing being assessed: a cloud resource from a snapshot or the
 * local host.  Identity comes from the resource document (FORMATS.md §6);
 * tier/environment/owner come from the inventory (a later issue) and are
 * unknown (0/NULL) until then.
 */
#ifndef BL_MODEL_ASSET_H
#define BL_MODEL_ASSET_H

#include <stdint.h>

#include "doc/value.h"

struct bl_asset {
	const char *id;            /* NUL-terminated */
	const char *type;          /* "" when the resource has none */
	const char *name;          /* NULL when the resource has none */
	int tier;                  /* 1 (most critical) .. 3; 0 = unknown */
	const char *environment;   /* NULL = unknown */
	const char *owner;         /* NULL = unknown */
	const struct bl_value *doc;
	const char *file;          /* where it was read, for messages and SARIF */
	uint32_t line, col;
	/* Unique among the assets of one snapshot run (bl_assess, set where it
	 * evaluates a resource), so that a consumer tells "the asset of the last
	 * result" from a new one without comparing strings: arenas recycle
	 * addresses.  0 = unknown (assets built elsewhere: host, serve, report);
	 * compare strings then. */
	uint64_t serial;
};

#endif
