/*
 * listening.c - the `listening` namespace (FORMATS.md §3, live only):
 * listening[*] = {proto, address, port, process} from /proc/net/tcp, tcp6,
 * udp and udp6.
 *
 * TCP sockets count in the LISTEN state (0A); UDP sockets count when bound
 * (state 07, "close" in the kernel's TCP names, which is how an unconnected
 * bound UDP socket shows).  address is text (IPv6 in the compressed form
 * inet_ntop writes); port a number.  process is the command name (comm) of
 * a process holding the socket, found by matching socket inodes in
 * /proc/PID/fd links; null when none is found (reading other users'
 * descriptors needs root).  A missing /proc/net file (no IPv6) adds nothing;
 * an unreadable one makes the namespace an error value.  Under --root the
 * namespace is not_applicable.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts/facts.h"

#define MAX_SOCKETS 65536
#define MAX_PROCS 100000
#define MAX_FDS 2000000

struct sock {
	const char *proto;
	char addr[INET6_ADDRSTRLEN];
	unsigned port;
	uint64_t inode;
	const char *process;
};

struct socks {
	struct sock *v;
	size_t n, cap;
};

/* Hex digits to a number; false on anything else or more than 16 digits. */
static bool hex(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 16)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
		if (d == 16)
			return false;
		v = v * 16 + d;
	}
	*out = v;
	return true;
}

/* "0100007F:0035" -> text address and port.  The kernel prints each 32-bit
 * word of the address as the host-order value of its network-order bytes,
 * so copying the parsed word back to memory restores the bytes. */
static bool parse_endpoint(const char *s, size_t n, bool v6, char *addr, unsigned *port)
{
	const char *colon = memchr(s, ':', n);
	size_t alen = colon ? (size_t)(colon - s) : 0;
	uint64_t p;
	if (!colon || alen != (v6 ? 32u : 8u) || !hex(colon + 1, n - alen - 1, &p) || p > 65535)
		return false;
	unsigned char bytes[16];
	for (size_t w = 0; w < alen / 8; w++) {
		uint64_t word;
		if (!hex(s + w * 8, 8, &word))
			return false;
		uint32_t w32 = (uint32_t)word;
		memcpy(bytes + w * 4, &w32, 4);
	}
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, addr, INET6_ADDRSTRLEN))
		return false;
	*port = (unsigned)p;
	return true;
}

/*
 * Parse one /proc/net table (data, len) of protocol proto into out.
 * Malformed lines are skipped.  0, BL_ENOMEM, or BL_ELIMIT past MAX_SOCKETS.
 */
static int parse_table(struct bl_arena *a, const char *proto, const char *data, size_t len,
		       struct socks *out)
{
	bool v6 = proto[3] == '6';
	bool tcp = proto[0] == 't';
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (data + i)) : len - i;
		const char *l = data + i;
		i += ll + 1;
		const char *tok[10];
		size_t tl[10], nt = 0;
		for (size_t j = 0; j < ll && nt < 10;) {
			while (j < ll && (l[j] == ' ' || l[j] == '\t' || l[j] == '\r'))
				j++;
			size_t s = j;
			while (j < ll && l[j] != ' ' && l[j] != '\t' && l[j] != '\r')
				j++;
			if (j > s) {
				tok[nt] = l + s;
				tl[nt++] = j - s;
			}
		}
		if (nt < 10 || tok[0][tl[0] - 1] != ':')
			continue;   /* the header line, or garbage */
		uint64_t st, inode;
		if (!hex(tok[3], tl[3], &st) || (tcp ? st != 0x0A : st != 0x07))
			continue;
		char *end;
		char ibuf[24];
		if (tl[9] >= sizeof ibuf)
			continue;
		memcpy(ibuf, tok[9], tl[9]);
		ibuf[tl[9]] = '\0';
		inode = strtoull(ibuf, &end, 10);
		if (*end)
			continue;
		struct sock sk;
		memset(&sk, 0, sizeof sk);
		if (!parse_endpoint(tok[1], tl[1], v6, sk.addr, &sk.port))
			continue;
		sk.proto = proto;
		sk.inode = inode;
		if (out->n == MAX_SOCKETS)
			return BL_ELIMIT;
		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 32;
			struct sock *v = bl_arena_alloc(a, cap * sizeof *v);
			if (!v)
				return BL_ENOMEM;
			if (out->n)
				memcpy(v, out->v, out->n * sizeof *v);
			out->v = v;
			out->cap = cap;
		}
		out->v[out->n++] = sk;
	}
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* "socket:[123]" -> 123; 0 when the link is not a socket. */
static uint64_t socket_inode(const char *t)
{
	if (strncmp(t, "socket:[", 8) != 0)
		return 0;
	char *end;
	uint64_t v = strtoull(t + 8, &end, 10);
	return *end == ']' ? v : 0;
}

/* Name the owners of the sockets by their inodes.  Every failure (a process
 * that exited, descriptors we may not read) leaves process NULL.  0 or
 * BL_ENOMEM. */
static int find_owners(struct bl_facts *f, struct socks *sk)
{
	struct bl_sys *s = bl_facts_sys(f);
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_arena tmp;
	bl_arena_init(&tmp, 0);
	char **pids;
	size_t np;
	bool missing;
	struct bl_error err;
	size_t left = sk->n, fds = 0;
	int rc = 0;
	if (bl_sys_list(s, "/proc", &tmp, &pids, &np, &missing, &err) != 0)
		goto out;
	for (size_t i = 0; i < np && i < MAX_PROCS && left && fds < MAX_FDS; i++) {
		if (!all_digits(pids[i]))
			continue;
		struct bl_arena per;
		bl_arena_init(&per, 0);
		char *dir = bl_arena_printf(&per, "/proc/%s/fd", pids[i]);
		char **names;
		size_t n = 0;
		if (dir && bl_sys_list(s, dir, &per, &names, &n, &missing, &err) == 0) {
			const char *comm = NULL;
			for (size_t j = 0; j < n && left; j++, fds++) {
				char *p = bl_arena_printf(&per, "%s/%s", dir, names[j]), *t;
				if (!p || bl_sys_readlink(s, p, &per, &t, &err) != 0)
					continue;
				uint64_t ino = socket_inode(t);
				for (size_t k = 0; ino && k < sk->n; k++) {
					if (sk->v[k].inode != ino || sk->v[k].process)
						continue;
					if (!comm) {
						char *cp = bl_arena_printf(&per, "/proc/%s/comm", pids[i]), *d;
						size_t dl;
						if (!cp || bl_sys_read(s, cp, &per, &d, &dl, NULL, &missing,
								       &err) != 0)
							break;
						while (dl && (d[dl - 1] == '\n' || d[dl - 1] == '\r'))
							dl--;
						comm = bl_arena_strndup(a, d, dl);
						if (!comm) {
							rc = BL_ENOMEM;
							bl_arena_free(&per);
							goto out;
						}
					}
					sk->v[k].process = comm;
					left--;
				}
			}
		}
		bl_arena_free(&per);
	}
out:
	bl_arena_free(&tmp);
	return rc;
}

/*
 * Read the /proc/net tables of f's root and build the listening[] array, as
 * if the root were live (tests call it on fixture roots).  Returns 0 with
 * *out set (an error value when a table cannot be read) or BL_ENOMEM.
 */
int bl_listening_collect(struct bl_facts *f, const struct bl_value **out);

int bl_listening_collect(struct bl_facts *f, const struct bl_value **out)
{
	static const char *const protos[] = {"tcp", "tcp6", "udp", "udp6"};
	struct bl_arena *a = bl_facts_arena(f);
	struct socks sk = {0};
	for (size_t i = 0; i < 4; i++) {
		char path[32];
		snprintf(path, sizeof path, "/proc/net/%s", protos[i]);
		char *d;
		size_t len;
		bool missing;
		struct bl_error err;
		int rc = bl_sys_read(bl_facts_sys(f), path, a, &d, &len, NULL, &missing, &err);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc != 0 && missing)
			continue;
		if (rc != 0) {
			*out = bl_facts_error(f, "%s", err.msg);
			return *out ? 0 : BL_ENOMEM;
		}
		rc = parse_table(a, protos[i], d, len, &sk);
		if (rc == BL_ELIMIT) {
			*out = bl_facts_error(f, "more than %d listening sockets", MAX_SOCKETS);
			return *out ? 0 : BL_ENOMEM;
		}
		if (rc)
			return rc;
	}
	if (sk.n && find_owners(f, &sk) != 0)
		return BL_ENOMEM;
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	for (size_t i = 0; i < sk.n; i++) {
		struct bl_obj_builder b;
		bl_ob_init(&b, a);
		bl_ob_strz(&b, "proto", sk.v[i].proto);
		bl_ob_strz(&b, "address", sk.v[i].addr);
		bl_ob_int(&b, "port", sk.v[i].port);
		bl_ob_strz(&b, "process", sk.v[i].process);
		const struct bl_value *v = bl_ob_finish(&b);
		if (!v)
			return BL_ENOMEM;
		bl_ab_add(&ab, v);
	}
	*out = bl_ab_finish(&ab);
	return *out ? 0 : BL_ENOMEM;
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	if (!bl_facts_live(f)) {
		*out = bl_facts_na_live(f);
		return *out ? 0 : BL_ENOMEM;
	}
	return bl_listening_collect(f, out);
}

const struct bl_provider bl_provider_listening = {
	.version = BL_PROVIDER_VERSION,
	.name = "listening",
	.keyed = false,
	.summary = "listening sockets from /proc/net (live only)",
	.resolve = resolve,
};
