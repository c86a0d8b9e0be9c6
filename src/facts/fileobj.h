/*
 * fileobj.h - the `file` object (FORMATS.md §3) built for one path, shared by
 * the file, files and walk namespaces so all three describe a file the same
 * way.  Defined in file.c.
 */
#ifndef BL_FACTS_FILEOBJ_H
#define BL_FACTS_FILEOBJ_H

#include <stdbool.h>

#include "facts/facts.h"

/*
 * The file object for path (absolute, inside the root): metadata from lstat,
 * content/lines/sha256 for regular files within the size limits, error values
 * for what could not be read.  with_path adds a leading "path" member (lists
 * need it).  NULL only on ENOMEM.
 */
const struct bl_value *bl_facts_file_object(struct bl_facts *f, const char *path, bool with_path);

/* The same without the members omit names (BL_FILE_OMIT_*, facts.h): a
 * file none of sha256, lines and content is wanted of is not even opened. */
const struct bl_value *bl_facts_file_object_omit(struct bl_facts *f, const char *path,
						 bool with_path, unsigned omit);

#endif
