/*
 * common.c - helpers shared by the subcommands (see cli.h).
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int bl_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "baseline %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return BL_EXIT_USAGE;
}

int bl_cli_report_error(const struct bl_error *err)
{
	char buf[1024];
	fprintf(stderr, "%s\n", bl_error_format(err, buf, sizeof(buf)));
	return bl_error_exit_code(err->code);
}

int bl_cli_load_exit(int rc1, int rc2, int rc3)
{
	const int rc[3] = {rc1, rc2, rc3};
	for (size_t i = 0; i < 3; i++)
		if (rc[i] == BL_ENOMEM || rc[i] == BL_EINTERNAL)
			return BL_EXIT_INTERNAL;
	return BL_EXIT_USAGE;
}

size_t bl_cli_print_diags(struct bl_diags *d, FILE *to)
{
	bl_diags_sort(d);
	for (size_t i = 0; i < d->n; i++) {
		const struct bl_diag *g = &d->items[i];
		if (g->file && g->line)
			fprintf(to, "%s:%u:%u: %s\n", g->file, g->line, g->col ? g->col : 1, g->msg);
		else if (g->file)
			fprintf(to, "%s: %s\n", g->file, g->msg);
		else
			fprintf(to, "%s\n", g->msg);
	}
	if (d->dropped)
		fprintf(to, "(%zu more problems not shown)\n", d->dropped);
	return d->n + d->dropped;
}

int bl_output_open(struct bl_output *o, const char *path, struct bl_error *err)
{
	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	/* Devices and pipes (-o /dev/stdout, /dev/null, a FIFO) are written in
	 * place: renaming a temporary file over them would replace the device. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return bl_error_set(err, BL_EIO, path, 0, 0, "is a folder, not a file");
		o->f = fopen(path, "w");
		if (!o->f)
			return bl_error_set(err, BL_EIO, path, 0, 0, "cannot open for writing: %s",
					    strerror(errno));
		return 0;
	}
	size_t len = strlen(path) + 16;
	o->path = strdup(path);
	o->tmp = malloc(len);
	if (!o->path || !o->tmp) {
		bl_output_abort(o);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	snprintf(o->tmp, len, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(o->tmp);
	if (fd < 0) {
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		bl_output_abort(o);
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot create output file: %s", strerror(e));
	}
	fchmod(fd, 0644);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		bl_output_abort(o);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	return 0;
}

int bl_output_commit(struct bl_output *o, struct bl_error *err)
{
	if (o->f == stdout) {
		o->f = NULL;
		if (fflush(stdout) != 0)
			return bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot write to standard output: %s",
					    strerror(errno));
		return 0;
	}
	int rc = 0;
	if (!o->tmp) {
		/* written in place (a device or a pipe) */
		rc = fclose(o->f) != 0 ? BL_EIO : 0;
		o->f = NULL;
		if (rc)
			bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot write output: %s", strerror(errno));
		return rc;
	}
	if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0)
		rc = BL_EIO;
	if (fclose(o->f) != 0)
		rc = BL_EIO;
	o->f = NULL;
	if (!rc && rename(o->tmp, o->path) != 0)
		rc = BL_EIO;
	if (rc) {
		int e = errno;
		unlink(o->tmp);
		bl_error_set(err, BL_EIO, o->path, 0, 0, "cannot write output file: %s", strerror(e));
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return rc;
}

void bl_output_abort(struct bl_output *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}

void bl_uuid4(char out[37])
{
	unsigned char b[16];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* no entropy source: fall back to time and pid, still unique enough for a run id */
			unsigned long long t = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
			for (size_t i = got; i < sizeof(b); i++)
				b[i] = (unsigned char)(t >> (8 * (i % 8)));
			break;
		}
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

void bl_now_rfc3339(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* --parameters shared by several baselines: keep the names path's baseline
 * defines (a first load, without values, says which). */
static int only_defined(const struct bl_value **values, const char *path,
			const struct bl_cli_load_opts *opts, struct bl_arena *pa)
{
	struct bl_cli_load_opts plain = *opts;
	plain.parameters = NULL;
	plain.parameters_partial = false;
	struct bl_diags quiet;
	bl_diags_init(&quiet);
	struct bl_baseline *b = NULL;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = NULL;
	int rc = bl_cli_foreign_doc(&doc, path, &plain, &a, &quiet);
	if (rc == 0)
		rc = bl_baseline_load_ex(&b, path, NULL, &quiet);
	else if (rc == 1)
		rc = bl_baseline_from_doc_owned(&b, doc, &a, NULL, &quiet);
	bl_arena_free(&a);
	bl_diags_free(&quiet);
	if (rc)  /* the real load reports the problems */
		return 0;
	const struct bl_value *in = *values;
	struct bl_member *keep = bl_arena_calloc(pa, (size_t)in->u.obj.n + 1, sizeof(*keep));
	struct bl_value *obj = bl_arena_alloc(pa, sizeof(*obj));
	if (!keep || !obj) {
		bl_baseline_free(b);
		return BL_ENOMEM;
	}
	*obj = *in;
	uint32_t k = 0;
	for (uint32_t i = 0; i < in->u.obj.n; i++)
		if (b->parameters && bl_value_get(b->parameters, in->u.obj.items[i].key,
						  in->u.obj.items[i].klen))
			keep[k++] = in->u.obj.items[i];
	obj->u.obj.items = keep;
	obj->u.obj.n = k;
	*values = obj;
	bl_baseline_free(b);
	return 0;
}

int bl_cli_baseline_load(struct bl_baseline **out, const char *path,
			 const struct bl_cli_load_opts *opts, struct bl_diags *diags)
{
	*out = NULL;
	struct bl_arena pa, a;
	bl_arena_init(&pa, 0);
	bl_arena_init(&a, 0);
	const struct bl_value *values = NULL;
	int rc = 0;
	if (opts && opts->parameters)
		rc = bl_cli_parameters_load(&values, opts->parameters, &pa, diags);
	if (!rc && values && opts->parameters_partial)
		rc = only_defined(&values, path, opts, &pa);
	const struct bl_value *doc = NULL;
	if (!rc)
		rc = bl_cli_foreign_doc(&doc, path, opts, &a, diags);
	if (rc == 0)
		rc = bl_baseline_load_ex(out, path, values, diags);
	else if (rc == 1)
		rc = bl_baseline_from_doc_owned(out, doc, &a, values, diags);
	/* a run (assess, gate: they pass opts) needs a value for every
	 * parameter; lint and the other readers accept a parameter without one */
	if (rc == 0 && opts && (rc = bl_baseline_require_values(*out, diags)) != 0) {
		bl_baseline_free(*out);
		*out = NULL;
	}
	bl_arena_free(&a);
	bl_arena_free(&pa);
	return rc;
}
