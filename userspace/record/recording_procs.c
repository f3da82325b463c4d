// SPDX-License-Identifier: GPL-2.0
/* Process metadata for recordings, read from /proc while processes live. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/vec.h"
#include "record/recording_procs.h"

#define MAX_PORTS 16

struct ent_port {
	char proto[8];
	char addr[48];
	uint16_t port;
};

struct proc_ent {
	uint32_t pid;
	int64_t start_ns;
	bool exited;
	struct ent_port ports[MAX_PORTS];	/* copies: the scan's strings do not last */
	int nports;
};

struct rec_procs {
	struct rec_writer *w;
	struct proc_ent *v;
	size_t n, cap;
	struct rec_listen_sock *socks;	/* the start's listening sockets, by inode */
	size_t nsocks, socks_cap;
	int64_t boot_wall_ns;	/* CLOCK_REALTIME at boot: /proc start times are since boot */
	long hz;
};

struct meta {
	uint32_t ppid;
	int64_t start_ns;
	char comm[64], cmdline[512], cgroup[512];
};

struct rec_procs *rec_procs__new(struct rec_writer *w)
{
	struct rec_procs *p = calloc(1, sizeof(*p));
	struct timespec boot;

	if (!p)
		return NULL;
	p->w = w;
	clock_gettime(CLOCK_BOOTTIME, &boot);
	p->boot_wall_ns = rec_now_wall_ns() - (boot.tv_sec * 1000000000LL + boot.tv_nsec);
	p->hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	return p;
}

void rec_procs__free(struct rec_procs *p)
{
	if (!p)
		return;
	free(p->v);
	free(p->socks);
	free(p);
}

static ssize_t read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

/* "pid (comm) S ppid ... starttime": comm may hold spaces and parentheses. */
static int read_stat(struct rec_procs *p, uint32_t pid, struct meta *m)
{
	char path[64], buf[1024], *open, *close;
	unsigned long long start = 0;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -ESRCH;
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open ||
	    sscanf(close + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
		   "%*d %*d %*d %llu", &ppid, &start) != 2)
		return -EINVAL;
	snprintf(m->comm, sizeof(m->comm), "%.*s", (int)(close - open - 1), open + 1);
	m->ppid = ppid;
	m->start_ns = p->boot_wall_ns + (int64_t)(start * 1000000000ULL / p->hz);
	return 0;
}

static void read_cmdline(uint32_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	n = read_small(path, buf, len);
	for (ssize_t i = 0; i < n - 1; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	if (n < 0)
		buf[0] = '\0';
}

/* The v2 path ("0::/x"), else the memory controller's, else the first line's. */
static void read_cgroup(uint32_t pid, char *buf, size_t len)
{
	char path[64], text[4096], *line, *best = NULL, *save = NULL;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	if (read_small(path, text, sizeof(text)) <= 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrl = strchr(line, ':'), *cg = ctrl ? strchr(ctrl + 1, ':') : NULL;

		if (!cg)
			continue;
		if (!best || !strncmp(ctrl, "::", 2) || strstr(ctrl, "memory"))
			best = cg + 1;
		if (!strncmp(ctrl, "::", 2))
			break;
	}
	if (best)
		snprintf(buf, len, "%s", best);
}

static int read_meta(struct rec_procs *p, uint32_t pid, struct meta *m)
{
	int err = read_stat(p, pid, m);

	if (err)
		return err;
	read_cmdline(pid, m->cmdline, sizeof(m->cmdline));
	read_cgroup(pid, m->cgroup, sizeof(m->cgroup));
	return 0;
}

static struct proc_ent *find_ent(struct rec_procs *p, uint32_t pid, int64_t start_ns)
{
	for (size_t i = p->n; i > 0; i--)
		if (p->v[i - 1].pid == pid && (!start_ns || p->v[i - 1].start_ns == start_ns))
			return &p->v[i - 1];
	return NULL;
}

static struct proc_ent *add_ent(struct rec_procs *p, uint32_t pid, int64_t start_ns)
{
	if (VEC_RESERVE(p->v, p->cap, p->n + 1))
		return NULL;
	memset(&p->v[p->n], 0, sizeof(p->v[p->n]));
	p->v[p->n].pid = pid;
	p->v[p->n].start_ns = start_ns;
	return &p->v[p->n++];
}

static int write_ent(struct rec_procs *p, const struct proc_ent *e, const struct meta *m,
		     int64_t exit_ns)
{
	struct rec_listen l[MAX_PORTS];
	struct rec_process r = {
		.pid = e->pid, .ppid = m ? m->ppid : 0, .start_ns = e->start_ns,
		.exit_ns = exit_ns, .comm = m ? m->comm : NULL, .cmdline = m ? m->cmdline : NULL,
		.cgroup = m ? m->cgroup : NULL, .listen = l, .nlisten = e->nports,
	};

	for (int i = 0; i < e->nports; i++)
		l[i] = (struct rec_listen){ e->ports[i].proto, e->ports[i].addr, e->ports[i].port };
	return rec_writer__process(p->w, &r);
}

static int cmp_sock(const void *a, const void *b)
{
	const struct rec_listen_sock *x = a, *y = b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

/* The listening sockets @pid holds, by matching its fds' socket inodes. */
static int ports_of(const struct rec_procs *p, uint32_t pid, struct ent_port *out)
{
	char dir[64], link[96], target[64];
	struct dirent *d;
	DIR *fds;
	int n = 0;

	if (!p->nsocks)
		return 0;
	snprintf(dir, sizeof(dir), "/proc/%u/fd", pid);
	fds = opendir(dir);
	while (fds && (d = readdir(fds)) && n < MAX_PORTS) {
		struct rec_listen_sock key, *s;
		ssize_t len;

		snprintf(link, sizeof(link), "%s/%.20s", dir, d->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (sscanf(target, "socket:[%lu]", &key.inode) != 1)
			continue;
		s = bsearch(&key, p->socks, p->nsocks, sizeof(*s), cmp_sock);
		if (!s)
			continue;
		snprintf(out[n].proto, sizeof(out[n].proto), "%s", s->proto);
		snprintf(out[n].addr, sizeof(out[n].addr), "%s", s->addr);
		out[n++].port = s->port;
	}
	if (fds)
		closedir(fds);
	return n;
}

static bool same_ports(const struct proc_ent *e, const struct ent_port *ports, int n)
{
	if (e->nports != n)
		return false;
	for (int i = 0; i < n; i++)
		if (e->ports[i].port != ports[i].port || strcmp(e->ports[i].addr, ports[i].addr))
			return false;
	return true;
}

/* Records @pid (with @ports) unless it is recorded with the same ports. */
static int record_pid(struct rec_procs *p, uint32_t pid, const struct ent_port *ports, int n,
		      bool scanned)
{
	struct proc_ent *e;
	struct meta m;

	if (read_meta(p, pid, &m))
		return 0;	/* gone already: nothing to read */
	e = find_ent(p, pid, m.start_ns);
	if (e && (!scanned || same_ports(e, ports, n)))
		return 0;
	if (!e && !(e = add_ent(p, pid, m.start_ns)))
		return -ENOMEM;
	if (scanned || !e->nports) {
		memcpy(e->ports, ports, n * sizeof(*ports));
		e->nports = n;
	}
	return write_ent(p, e, &m, 0);
}

int rec_procs__note_pid(struct rec_procs *p, uint32_t pid)
{
	struct ent_port ports[MAX_PORTS];
	struct proc_ent *e = find_ent(p, pid, 0);

	/* Cheap path for an event storm: the pid's latest instance is recorded. */
	if (!pid || (e && !e->exited))
		return 0;
	return record_pid(p, pid, ports, ports_of(p, pid, ports), false);
}

int rec_procs__note_exit(struct rec_procs *p, uint32_t pid, int64_t wall_ns)
{
	struct proc_ent *e = find_ent(p, pid, 0);

	if (!e || e->exited)
		return 0;
	e->exited = true;
	return write_ent(p, e, NULL, wall_ns);
}

static int load_sockets(struct rec_procs *p)
{
	static const char *const files[][2] = { { "/proc/net/tcp", "tcp" },
						{ "/proc/net/tcp6", "tcp6" } };
	size_t len = 1 << 20;
	char *text = malloc(len);
	int err = 0;

	if (!text)
		return -ENOMEM;
	p->nsocks = 0;
	for (int i = 0; i < 2 && !err; i++)
		if (read_small(files[i][0], text, len) > 0)
			err = rec_parse_proc_net_tcp(text, files[i][1], &p->socks, &p->nsocks,
						     &p->socks_cap);
	free(text);
	if (p->nsocks)
		qsort(p->socks, p->nsocks, sizeof(*p->socks), cmp_sock);
	return err;
}

/* A recorded process whose /proc entry is gone (or is another process) exited. */
static int note_exits(struct rec_procs *p)
{
	int64_t now = rec_now_wall_ns();
	int err = 0;

	for (size_t i = 0; i < p->n && !err; i++) {
		struct proc_ent *e = &p->v[i];
		struct meta m;

		if (e->exited || (!read_stat(p, e->pid, &m) && m.start_ns == e->start_ns))
			continue;
		e->exited = true;
		err = write_ent(p, e, NULL, now);
	}
	return err;
}

int rec_procs__note_exits(struct rec_procs *p)
{
	return note_exits(p);
}

int rec_procs__note_listen(struct rec_procs *p, uint32_t pid, const char *proto,
			   const char *addr, uint16_t port)
{
	struct ent_port ports[MAX_PORTS];
	struct proc_ent *e = find_ent(p, pid, 0);
	int n = 0;

	if (e && !e->exited) {
		n = e->nports;
		memcpy(ports, e->ports, n * sizeof(*ports));
	}
	for (int i = 0; i < n; i++)
		if (ports[i].port == port && !strcmp(ports[i].addr, addr))
			return 0;
	if (n == MAX_PORTS)
		return 0;
	snprintf(ports[n].proto, sizeof(ports[n].proto), "%s", proto);
	snprintf(ports[n].addr, sizeof(ports[n].addr), "%s", addr);
	ports[n++].port = port;
	return record_pid(p, pid, ports, n, true);
}

int rec_procs__scan(struct rec_procs *p)
{
	struct ent_port ports[MAX_PORTS];
	struct dirent *d;
	DIR *proc = NULL;
	int err = load_sockets(p), n;

	if (!err && p->nsocks)
		proc = opendir("/proc");
	while (proc && !err && (d = readdir(proc))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		n = ports_of(p, (uint32_t)atoi(d->d_name), ports);
		if (n)
			err = record_pid(p, (uint32_t)atoi(d->d_name), ports, n, true);
	}
	if (proc)
		closedir(proc);
	return err;
}
