/*
 * command.c - the `command` namespace: command["CMD"] = {exit, lines[],
 * output} from running CMD, for Wazuh SCA `c:` rules (docs/wazuh-sca.md).
 *
 * Running programs is the one thing a probe otherwise never does, so:
 *   - nothing runs unless the user passed --allow-commands
 *     (bl_facts_opts.allow_commands); without it every key is BL_VNA
 *     "commands disabled" (the rule is not_applicable, never pass or fail);
 *   - nothing runs under --root (the image's programs would run on this
 *     host): BL_VNA;
 *   - no shell: CMD is split into words the way Wazuh's wm_exec splits it
 *     (blanks separate, '...' and "..." quote, backslash escapes), and run
 *     with execvp semantics; policies that need a pipe say `sh -c '...'`;
 *   - stdin is /dev/null, stdout and stderr are captured together (as Wazuh
 *     does), capped at 1 MiB;
 *   - the command runs in its own process group, which is killed (SIGKILL)
 *     when the timeout (default 30 s) passes: the value is then an error.
 * A program that cannot be started (not found, not executable) is BL_VNA
 * with the reason: Wazuh calls that rule invalid.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "facts/facts.h"

extern char **environ;

#define CMD_OUTPUT_MAX ((size_t)1 << 20)
#define CMD_MAX_WORDS 256

/* Split cmd into words in arena a (NULL-terminated); 0, BL_EINVAL (unbalanced
 * quote, no words, too many words; msg says which) or BL_ENOMEM. */
static int split_words(const char *cmd, struct bl_arena *a, char ***out, char *msg, size_t msgsize)
{
	size_t len = strlen(cmd);
	char **argv = bl_arena_calloc(a, CMD_MAX_WORDS + 1, sizeof(*argv));
	char *w = bl_arena_alloc(a, len + 1);
	if (!argv || !w)
		return BL_ENOMEM;
	size_t n = 0, i = 0;
	while (i < len) {
		while (i < len && (cmd[i] == ' ' || cmd[i] == '\t'))
			i++;
		if (i >= len)
			break;
		if (n == CMD_MAX_WORDS) {
			snprintf(msg, msgsize, "more than %d words", CMD_MAX_WORDS);
			return BL_EINVAL;
		}
		argv[n++] = w;
		while (i < len && cmd[i] != ' ' && cmd[i] != '\t') {
			char c = cmd[i++];
			if (c == '\'' || c == '"') {
				while (i < len && cmd[i] != c) {
					if (c == '"' && cmd[i] == '\\' && i + 1 < len &&
					    (cmd[i + 1] == '"' || cmd[i + 1] == '\\'))
						i++;
					*w++ = cmd[i++];
				}
				if (i >= len) {
					snprintf(msg, msgsize, "unbalanced %c quote", c);
					return BL_EINVAL;
				}
				i++;
			} else if (c == '\\' && i < len) {
				*w++ = cmd[i++];
			} else {
				*w++ = c;
			}
		}
		*w++ = '\0';
	}
	if (!n) {
		snprintf(msg, msgsize, "empty command");
		return BL_EINVAL;
	}
	*out = argv;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Split captured output into lines (LF; a CR before it dropped; no empty last line). */
static const struct bl_value *lines_of(struct bl_arena *a, const char *s, size_t len)
{
	struct bl_arr_builder b;
	bl_ab_init(&b, a);
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		size_t e = i;
		if (e > start && s[e - 1] == '\r')
			e--;
		bl_ab_add(&b, bl_value_new_str(a, s + start, e - start));
		start = i + 1;
	}
	return bl_ab_finish(&b);
}

/* Run one command; its value (possibly BL_VERR/BL_VNA), NULL on ENOMEM. */
static const struct bl_value *run_one(struct bl_facts *f, const char *cmd)
{
	struct bl_arena *a = bl_facts_arena(f);
	const struct bl_facts_opts *o = bl_facts_options(f);
	if (!o->allow_commands)
		return bl_value_new_special(a, BL_VNA, "commands disabled (run with --allow-commands)");
	if (!bl_facts_live(f))
		return bl_value_new_special(a, BL_VNA, "commands are never run with --root");
	char msg[160];
	char **argv;
	int rc = split_words(cmd, a, &argv, msg, sizeof msg);
	if (rc == BL_ENOMEM)
		return NULL;
	if (rc)
		return bl_facts_error(f, "%s: %s", cmd, msg);
	double timeout = o->command_timeout > 0 ? o->command_timeout : 30.0;

	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return bl_facts_error(f, "%s: cannot create a pipe: %s", cmd, strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawnattr_setpgroup(&at, 0);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	pid_t pid;
	int serr = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(pfd[1]);
	if (serr != 0) {
		close(pfd[0]);
		char reason[120], why[400];
		snprintf(reason, sizeof reason, "%s", strerror(serr));
		if (reason[0] >= 'A' && reason[0] <= 'Z')
			reason[0] = (char)(reason[0] - 'A' + 'a');   /* messages use lower case */
		snprintf(why, sizeof why, "%s: cannot run: %s", argv[0], reason);
		return bl_value_new_special(a, BL_VNA, why);
	}

	struct bl_buf out;
	bl_buf_init(&out, CMD_OUTPUT_MAX);
	bool timed_out = false, too_big = false;
	double deadline = now_s() + timeout;
	char chunk[8192];
	for (;;) {
		double left = deadline - now_s();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		int pr = poll(&p, 1, (int)(left * 1000.0) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;   /* timeout re-checked above */
		ssize_t r = read(pfd[0], chunk, sizeof chunk);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		if (!too_big && bl_buf_add(&out, chunk, (size_t)r) != 0)
			too_big = true;
	}
	close(pfd[0]);
	int status = 0;
	while (!timed_out) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
		if (now_s() >= deadline) {
			timed_out = true;
			break;
		}
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (timed_out) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		bl_buf_free(&out);
		return bl_facts_error(f, "%s: timed out after %g s (process group killed)", cmd, timeout);
	}
	if (too_big) {
		bl_buf_free(&out);
		return bl_facts_error(f, "%s: output larger than %zu bytes", cmd, CMD_OUTPUT_MAX);
	}
	int64_t code = WIFEXITED(status) ? WEXITSTATUS(status)
					 : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	bl_ob_int(&b, "exit", code);
	bl_ob_add(&b, "lines", lines_of(a, out.data ? out.data : "", out.len));
	bl_ob_str(&b, "output", out.data ? out.data : "", out.len);
	bl_buf_free(&out);
	return bl_ob_finish(&b);
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	/* Commands cannot be enumerated: only the keys named run. */
	struct bl_obj_builder b;
	bl_ob_init(&b, bl_facts_arena(f));
	for (size_t i = 0; i < keys->n; i++) {
		const struct bl_value *v = run_one(f, keys->keys[i]);
		if (!v)
			return BL_ENOMEM;
		bl_ob_add(&b, keys->keys[i], v);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_command = {
	.version = BL_PROVIDER_VERSION,
	.name = "command",
	.keyed = true,
	.summary = "exit status and output lines of a command (only with --allow-commands, never with --root)",
	.resolve = resolve,
};
