// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's on-disk spool. Every file is created under a temporary name
 * and renamed once whole (and synced), so a crash leaves either a whole batch
 * or a ".tmp" file that the next start removes. All access is relative to
 * the directory's own fd, without following links.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent_spool.h"
#include "base/vec.h"

#define TABLE_MAX 32

struct spool_entry {
	uint64_t seq, rows, bytes;
	char table[TABLE_MAX];
};

struct spool {
	int dirfd;
	uint64_t max_bytes, bytes, rows, next_seq;
	struct spool_entry *e;	/* oldest first */
	size_t n, cap;
};

static void entry_name(const struct spool_entry *e, char *buf, size_t len)
{
	snprintf(buf, len, "%020" PRIu64 ".%s.%" PRIu64 ".gz", e->seq, e->table, e->rows);
}

/* "SEQ.TABLE.ROWS.gz" with a lower-case table name; false for anything else. */
static bool parse_name(const char *name, struct spool_entry *e)
{
	int tlen = 0, end = 0;

	if (sscanf(name, "%20" SCNu64 ".%31[a-z_]%n.%" SCNu64 ".gz%n", &e->seq, e->table, &tlen,
		   &e->rows, &end) != 3 || !end || name[end])
		return false;
	return true;
}

static int by_seq(const void *a, const void *b)
{
	const struct spool_entry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int add_entry(struct spool *s, const struct spool_entry *e)
{
	if (vec_reserve((void **)&s->e, &s->cap, s->n + 1, sizeof(*s->e)))
		return -ENOMEM;
	s->e[s->n++] = *e;
	s->bytes += e->bytes;
	s->rows += e->rows;
	if (e->seq >= s->next_seq)
		s->next_seq = e->seq + 1;
	return 0;
}

static int scan(struct spool *s)
{
	int fd = dup(s->dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	struct spool_entry e;
	struct stat st;
	int err = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while (!err && (de = readdir(d))) {
		if (!strncmp(de->d_name, ".tmp.", 5)) {
			unlinkat(s->dirfd, de->d_name, 0);	/* a batch a crash cut short */
			continue;
		}
		memset(&e, 0, sizeof(e));
		if (!parse_name(de->d_name, &e) ||
		    fstatat(s->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		e.bytes = st.st_size;
		err = add_entry(s, &e);
	}
	closedir(d);
	if (s->n)
		qsort(s->e, s->n, sizeof(*s->e), by_seq);
	return err;
}

int spool__open(const char *path, uint64_t max_bytes, struct spool **out)
{
	struct spool *s = calloc(1, sizeof(*s));
	struct stat st;
	int err;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->dirfd = -1;
	s->max_bytes = max_bytes;
	s->next_seq = 1;
	if (mkdir(path, 0700) && errno != EEXIST) {
		err = -errno;
		goto fail;
	}
	s->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->dirfd < 0) {
		err = errno == ELOOP || errno == ENOTDIR ? -EPERM : -errno;
		goto fail;
	}
	/* Others must not be able to plant or swap batches we would send. */
	if (fstat(s->dirfd, &st) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		err = -EPERM;
		goto fail;
	}
	err = scan(s);
	if (err)
		goto fail;
	*out = s;
	return 0;
fail:
	spool__close(s);
	return err;
}

void spool__close(struct spool *s)
{
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->e);
	free(s);
}

/* Removes the oldest batch, file and entry. */
static void remove_oldest(struct spool *s)
{
	char name[96];

	entry_name(&s->e[0], name, sizeof(name));
	unlinkat(s->dirfd, name, 0);
	s->bytes -= s->e[0].bytes;
	s->rows -= s->e[0].rows;
	memmove(s->e, s->e + 1, (s->n - 1) * sizeof(*s->e));
	s->n--;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

int spool__add(struct spool *s, const char *table, uint64_t rows, const void *body,
	       size_t len, spool_drop_fn on_drop, void *arg)
{
	struct spool_entry e = { .seq = s->next_seq, .rows = rows, .bytes = len };
	char tmp[64], name[96];
	int fd, err;

	if (len > s->max_bytes) {
		on_drop(arg, table, rows);
		return -EFBIG;
	}
	snprintf(e.table, sizeof(e.table), "%s", table);
	while (s->n && s->bytes + len > s->max_bytes) {
		on_drop(arg, s->e[0].table, s->e[0].rows);
		remove_oldest(s);
	}
	snprintf(tmp, sizeof(tmp), ".tmp.%020" PRIu64, e.seq);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = write_all(fd, body, len);
	if (!err && fdatasync(fd))
		err = -errno;
	close(fd);
	entry_name(&e, name, sizeof(name));
	if (!err && renameat(s->dirfd, tmp, s->dirfd, name))
		err = -errno;
	if (err) {
		unlinkat(s->dirfd, tmp, 0);
		return err;
	}
	return add_entry(s, &e);
}

int spool__peek(struct spool *s, char *table, size_t tlen, uint64_t *rows, void **body,
		size_t *len)
{
	char name[96];
	struct stat st;
	void *buf;
	ssize_t n;
	int fd;

	*body = NULL;
	if (!s->n)
		return -ENOENT;
	snprintf(table, tlen, "%s", s->e[0].table);
	*rows = s->e[0].rows;
	entry_name(&s->e[0], name, sizeof(name));
	fd = openat(s->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > s->max_bytes) {
		close(fd);
		return -EINVAL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	n = buf ? pread(fd, buf, st.st_size, 0) : -1;
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return buf ? -EIO : -ENOMEM;
	}
	*body = buf;
	*len = n;
	return 0;
}

int spool__pop(struct spool *s)
{
	if (!s->n)
		return -ENOENT;
	remove_oldest(s);
	return 0;
}

uint64_t spool__bytes(const struct spool *s)
{
	return s->bytes;
}

uint64_t spool__rows(const struct spool *s)
{
	return s->rows;
}
