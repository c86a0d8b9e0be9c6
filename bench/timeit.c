/*
 * timeit.c - run a command and print "wall user sys maxrss_kb" for it, like
 * GNU time's -f '%e %U %S %M', without needing the `time` package (not on a
 * fresh Debian 12, and not in scripts/deps.sh).  Resource usage comes from
 * wait4(), the same source GNU time uses.
 *
 *   timeit [-o STDOUT_FILE] -- COMMAND [ARG]...
 *
 * The command's stdout goes to STDOUT_FILE (default /dev/null, opened for
 * writing, never replaced); stderr is inherited.  Prints one line on stdout.
 * Exit status: the command's (128+signal when killed), 125 when it could not
 * be started, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_sec(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	const char *out = "/dev/null";
	int i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "-o")) {
		out = argv[i + 1];
		i += 2;
	}
	if (i >= argc || strcmp(argv[i], "--") || i + 1 >= argc) {
		fputs("usage: timeit [-o STDOUT_FILE] -- COMMAND [ARG]...\n", stderr);
		return 2;
	}
	char **cmd = argv + i + 1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 125;
	}
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0) {
			fprintf(stderr, "timeit: %s: %s\n", out, strerror(errno));
			_exit(125);
		}
		close(fd);
		execvp(cmd[0], cmd);
		fprintf(stderr, "timeit: %s: %s\n", cmd[0], strerror(errno));
		_exit(125);
	}
	int st = 0;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("timeit: wait4");
			return 125;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* microseconds: a start of a few milliseconds is measured with it too */
	printf("%.6f %.6f %.6f %ld\n", wall, tv_sec(ru.ru_utime), tv_sec(ru.ru_stime), ru.ru_maxrss);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
