// SPDX-License-Identifier: GPL-2.0
/* Listening TCP sockets and their accept-queue drops, from sock_diag. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include "watch/sources/watch_listen.h"

#define TCP_LISTEN 10
#define RECV_BUF 32768

static int push(struct watch_listeners *l, const struct watch_listener *x)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct watch_listener *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *x;
	return 0;
}

/* One inet_diag_msg and its attributes; only SK_MEMINFO is read. */
static int parse_msg(const struct nlmsghdr *h, struct watch_listeners *out)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	struct watch_listener x = { 0 };
	const struct rtattr *a;
	int alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -EBADMSG;
	if (m->idiag_state != TCP_LISTEN)
		return 0;
	x.inode = m->idiag_inode;
	x.queued = m->idiag_rqueue;	/* for a listener: sk_ack_backlog */
	x.backlog = m->idiag_wqueue;	/* and sk_max_ack_backlog */
	x.port = ntohs(m->id.idiag_sport);
	x.family = m->idiag_family;
	memcpy(x.addr, m->id.idiag_src, m->idiag_family == AF_INET6 ? 16 : 4);
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		const uint32_t *mem = RTA_DATA(a);

		if (a->rta_type == INET_DIAG_SKMEMINFO &&
		    RTA_PAYLOAD(a) >= (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t))
			x.drops = mem[SK_MEMINFO_DROPS];
	}
	return push(out, &x);
}

int watch_listen_parse(const void *buf, size_t len, struct watch_listeners *out)
{
	const struct nlmsghdr *h = buf;
	int err;

	for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			return e->error ? e->error : -EPROTO;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		err = parse_msg(h, out);
		if (err)
			return err;
	}
	return len ? -EBADMSG : 0;
}

static int dump_family(int fd, int family, struct watch_listeners *out, char *buf)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = family, .sdiag_protocol = IPPROTO_TCP,
			 .idiag_states = 1 << TCP_LISTEN,
			 .idiag_ext = 1 << (INET_DIAG_SKMEMINFO - 1) },
	};
	ssize_t n;
	int done = 0;

	if (send(fd, &msg, sizeof(msg), 0) < 0)
		return -errno;
	while (!done) {
		n = recv(fd, buf, RECV_BUF, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPROTO;
		done = watch_listen_parse(buf, (size_t)n, out);
		if (done < 0)
			return done;
	}
	return 0;
}

int watch_listen_dump(struct watch_listeners *out)
{
	char *buf = malloc(RECV_BUF);
	int fd, err = -ENOMEM;

	out->n = 0;
	if (!buf)
		return -ENOMEM;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		err = -errno;
		goto cleanup;
	}
	err = dump_family(fd, AF_INET, out, buf);
	if (!err)
		err = dump_family(fd, AF_INET6, out, buf);
	close(fd);
cleanup:
	free(buf);
	return err;
}

/* Whether process @pid has an fd on socket @inode (readlink follows nothing). */
static bool holds(const char *pid, uint64_t inode)
{
	char dir[64], link[96], target[64], want[40];
	struct dirent *d;
	bool found = false;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%.20s/fd", pid);
	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)inode);
	fds = opendir(dir);
	while (fds && !found && (d = readdir(fds))) {
		ssize_t len;

		snprintf(link, sizeof(link), "%s/%.20s", dir, d->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		found = !strcmp(target, want);
	}
	if (fds)
		closedir(fds);
	return found;
}

static void read_comm(uint32_t pid, char *comm, size_t len, uint32_t *uid)
{
	char path[64];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(comm, len, "?");
	snprintf(path, sizeof(path), "/proc/%u", pid);
	*uid = stat(path, &st) ? 0 : st.st_uid;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	n = read(fd, comm, len - 1);
	close(fd);
	if (n <= 0) {
		snprintf(comm, len, "?");
		return;
	}
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

uint32_t watch_listen_owner(uint64_t inode, char *comm, size_t len, uint32_t *uid, int *holders)
{
	uint32_t owner = 0;
	struct dirent *d;
	DIR *proc = opendir("/proc");

	*holders = 0;
	while (proc && (d = readdir(proc))) {
		char *end;
		unsigned long pid = strtoul(d->d_name, &end, 10);

		if (*end || !pid || pid > UINT32_MAX || !holds(d->d_name, inode))
			continue;
		if (!owner || pid < owner)
			owner = (uint32_t)pid;
		(*holders)++;
	}
	if (proc)
		closedir(proc);
	if (owner)
		read_comm(owner, comm, len, uid);
	return owner;
}

void watch_listeners_free(struct watch_listeners *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
