/*
 * nolib.h - run a check in a child process in which a shared library is
 * missing, for the tests of the loaders of util/dynlib.h.  The child gets
 * its own user and mount namespaces (no privileges needed) and mounts
 * /dev/null over every file the soname resolves to, so its dlopen fails as
 * on a system without the package.  Where namespaces are not allowed, or
 * the test program itself links the library, the check is skipped.
 */
#ifndef BL_TEST_NOLIB_H
#define BL_TEST_NOLIB_H

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#define TU_NOLIB_SKIP 77

/* Hide soname from dlopen in this process's mount namespace.  0 when
 * hidden; non-zero when it cannot be (already mapped, or not found). */
static inline int tu_nolib_hide(const char *soname)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);
	if (h) {
		dlclose(h);
		return 1;   /* already in this process: nothing to hide */
	}
	static const char *const dirs[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
		"/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
	};
	int hidden = 0;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char path[PATH_MAX], real[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", dirs[i], soname);
		if (!realpath(path, real))
			continue;
		if (mount("/dev/null", real, NULL, MS_BIND, NULL) != 0)
			return 1;
		hidden = 1;
	}
	return hidden ? 0 : 1;
}

/*
 * Run check(ctx) in a child without soname: its return (0 = as expected)
 * becomes the child's exit status.  Returns 0 when the check passed,
 * TU_NOLIB_SKIP when the library could not be hidden, 1 when it failed.
 */
static inline int tu_without_lib(const char *soname, int (*check)(void *ctx), void *ctx)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0 || tu_nolib_hide(soname) != 0)
			_exit(TU_NOLIB_SKIP);
		_exit(check(ctx) ? 1 : 0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (!WIFEXITED(st))
		return 1;
	return WEXITSTATUS(st) == TU_NOLIB_SKIP ? TU_NOLIB_SKIP : WEXITSTATUS(st) ? 1 : 0;
}

#endif
