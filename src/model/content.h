/*
 * content.h - lookup of the content shipped inside the binary (content/,
 * embedded at build time by scripts/embed.c into bl_content_files[]).
 *
 * Entries are named by their path below content/, e.g.
 * "baselines/linux-host.yaml".  A baseline reference "builtin:NAME" means
 * "baselines/NAME.yaml", else "baselines/NAME.json".  Everything here reads
 * a constant table: no allocation, no failure beyond "not found".
 */
#ifndef BL_MODEL_CONTENT_H
#define BL_MODEL_CONTENT_H

#include <stdbool.h>
#include <stddef.h>

/* The generated table (build/gen/content.h); angle brackets so that this
 * header's own name does not shadow it. */
#include <content.h>

#define BL_BUILTIN_PREFIX "builtin:"

/* The entry named exactly name[0..len), or NULL. */
const struct bl_content_file *bl_content_find(const char *name, size_t len);

/* Does ref start with "builtin:"? */
bool bl_content_is_builtin(const char *ref);

/*
 * The baseline file for ref, which is "builtin:NAME" or a bare NAME:
 * baselines/NAME.yaml, else baselines/NAME.json.  NULL when there is none
 * or NAME is empty or holds a '/'.
 */
const struct bl_content_file *bl_content_baseline(const char *ref);

/* Called once per builtin baseline NAME (without folder or extension), in
 * table order (sorted by file name); a NAME shipped as both .yaml and .json
 * is listed once. */
typedef void (*bl_content_name_cb)(void *ctx, const char *name, size_t len);

/* List the builtin baselines; returns how many there are.  cb may be NULL
 * to only count them. */
size_t bl_content_list_baselines(bl_content_name_cb cb, void *ctx);

struct bl_value;
struct bl_arena;

/*
 * The document tree of entry f (a YAML or JSON file), rebuilt in arena a
 * from the tables scripts/embed.c wrote: exactly what the document readers
 * build from f->data, every node's file being f->label.  Values and members
 * are allocated in a; strings point into the (static) tables.  Returns 0
 * with *out set (NULL when f holds no document), BL_ENOMEM, or BL_EINTERNAL
 * when the tables contradict themselves (a build defect).
 */
int bl_content_tree(const struct bl_value **out, const struct bl_content_file *f,
		    struct bl_arena *a);

/* Is file the name carried by the nodes of builtin document trees (the very
 * pointer, f->label, not an equal string: a document read at run time never
 * passes)?  Such nodes come from shipped content, whose regexes the build
 * checked (scripts/embed.c). */
bool bl_content_is_tree_file(const char *file);

#endif
