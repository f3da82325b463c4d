// SPDX-License-Identifier: GPL-2.0
/* The recording file: header, sync-flushed JSON lines, trailer and rename. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <zlib.h>

#include "base/strmap.h"
#include "record/recording.h"
#include "record/recording_write.h"
#include "record/recording_write_priv.h"

int64_t rec_now_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t rec_now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t now_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int recw_status(struct rec_writer *w, bool ok)
{
	int saved = errno, zerr = Z_OK;

	if (ok)
		return 0;
	gzerror(w->gz, &zerr);
	/* zlib reports a failed write(2) as Z_ERRNO and leaves its errno: ENOSPC, EIO... */
	if (!w->err)
		w->err = zerr == Z_ERRNO && saved ? -saved : -EIO;
	return w->err;
}

int recw_put_line(struct rec_writer *w, cJSON *rec)
{
	char *text = cJSON_PrintUnformatted(rec);
	size_t len;
	int err = 0;

	if (!text)
		return -ENOMEM;
	len = strlen(text);
	text[len] = '\n';	/* replaces the NUL: written with its length */
	errno = 0;
	err = recw_status(w, gzwrite(w->gz, text, len + 1) == (int)(len + 1));
	free(text);
	if (!err)
		w->records++;
	return err ? err : rec_writer__tick(w);
}

static cJSON *clock_json(void)
{
	cJSON *c = cJSON_CreateObject();

	if (!c)
		return NULL;
	/* Taken back to back: BPF timestamps (monotonic/boot) map to wall time. */
	cJSON_AddNumberToObject(c, "realtime_ns", (double)rec_now_wall_ns());
	cJSON_AddNumberToObject(c, "monotonic_ns", (double)rec_now_mono_ns());
	cJSON_AddNumberToObject(c, "boottime_ns", (double)now_boot_ns());
	return c;
}

/*
 * This host's addresses: the report tells a refusal on one of our own ports
 * (which joins the process that listened there) from one on a remote host's.
 * Loopback is implied. An address that cannot be listed is only a weaker
 * report, not a failed recording.
 */
cJSON *rec_host_addresses(void)
{
	struct ifaddrs *ifs, *i;
	cJSON *arr = cJSON_CreateArray();
	char buf[INET6_ADDRSTRLEN];
	const void *a;

	if (!arr || getifaddrs(&ifs))
		return arr;
	for (i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(i->ifa_addr->sa_family, a, buf, sizeof(buf)))
			cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
	}
	freeifaddrs(ifs);
	return arr;
}

static cJSON *header_json(const struct rec_writer *w, const struct rec_writer_opts *o)
{
	cJSON *h = cJSON_CreateObject();
	struct utsname u;
	char host[256] = "", when[40];

	if (!h)
		return NULL;
	gethostname(host, sizeof(host) - 1);
	if (uname(&u))
		strcpy(u.release, "unknown");
	rec_time_format(w->start_ns, when, sizeof(when));
	cJSON_AddStringToObject(h, "rec", "header");
	cJSON_AddStringToObject(h, "format", RECORDING_FORMAT);
	cJSON_AddNumberToObject(h, "version", RECORDING_VERSION);
	cJSON_AddNumberToObject(h, "minor", RECORDING_MINOR);
	cJSON_AddStringToObject(h, "faultline_version", FAULTLINE_VERSION);
	cJSON_AddStringToObject(h, "host", host);
	cJSON_AddStringToObject(h, "kernel", u.release);
	cJSON_AddStringToObject(h, "command", o && o->command ? o->command : "");
	cJSON_AddItemToObject(h, "options", o && o->options ?
				  cJSON_Duplicate(o->options, 1) : cJSON_CreateObject());
	cJSON_AddStringToObject(h, "start", when);
	cJSON_AddNumberToObject(h, "bucket_ns", (double)w->bucket_ns);
	cJSON_AddItemToObject(h, "clock", clock_json());
	cJSON_AddItemToObject(h, "addresses", rec_host_addresses());
	return h;
}

/*
 * FILE.partial is created, never reused: a link planted there is not followed,
 * a FIFO does not block, and a second `record -o FILE` stops at once instead of
 * writing into the first one's file.
 */
static int open_partial(struct rec_writer *w, const char *path)
{
	int fd, err;

	w->fd = -1;
	if (asprintf(&w->partial, "%s%s", path, RECORDING_PARTIAL_SUFFIX) < 0) {
		w->partial = NULL;
		return -ENOMEM;
	}
	w->path = strdup(path);
	if (!w->path)
		return -ENOMEM;
	err = outfile_target_check(path, &w->target);
	if (!err && w->target.special)
		err = -OUTFILE_ENOTREG;
	if (err)
		return err;
	fd = open(w->partial, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return errno == EEXIST ? -OUTFILE_EPARTIAL : -errno;
	err = outfile_target_adopt(&w->target, fd);
	if (!err && (w->fd = dup(fd)) < 0)
		err = -errno;
	if (!err && !(w->gz = gzdopen(fd, "wb6")))
		err = -ENOMEM;
	if (err) {
		close(fd);
		unlink(w->partial);
	}
	return err;
}

static void writer_free(struct rec_writer *w)
{
	strmap__free(w->stacks);
	strmap__free(w->pstacks);
	if (w->fd >= 0)
		close(w->fd);
	free(w->partial);
	free(w->path);
	free(w);
}

struct rec_writer *rec_writer__open(const char *path, const struct rec_writer_opts *o)
{
	struct rec_writer *w = calloc(1, sizeof(*w));
	cJSON *h = NULL;
	int err = -ENOMEM;

	if (!w)
		return NULL;
	w->fd = -1;
	w->bucket_ns = o && o->bucket_ns ? o->bucket_ns : 1000000000ULL;
	w->start_ns = rec_now_wall_ns();
	w->last_flush_mono = rec_now_mono_ns();
	w->stacks = strmap__new(0);
	w->pstacks = strmap__new(0);
	if (!w->stacks || !w->pstacks)
		goto fail;
	err = open_partial(w, path);
	if (err)
		goto fail;
	h = header_json(w, o);
	err = h ? recw_put_line(w, h) : -ENOMEM;
	cJSON_Delete(h);
	if (!err)
		err = recw_status(w, gzflush(w->gz, Z_SYNC_FLUSH) == Z_OK);
	if (!err)
		return w;
	gzclose(w->gz);
	unlink(w->partial);
fail:
	writer_free(w);
	errno = -err;
	return NULL;
}

int rec_writer__tick(struct rec_writer *w)
{
	int64_t now = rec_now_mono_ns();

	if (now - w->last_flush_mono < (int64_t)RECORDING_FLUSH_NS)
		return 0;
	w->last_flush_mono = now;
	return recw_status(w, gzflush(w->gz, Z_SYNC_FLUSH) == Z_OK);
}

int rec_writer__flush(struct rec_writer *w)
{
	w->last_flush_mono = rec_now_mono_ns();
	return recw_status(w, gzflush(w->gz, Z_SYNC_FLUSH) == Z_OK);
}

uint64_t rec_writer__bucket_ns(const struct rec_writer *w)
{
	return w->bucket_ns;
}

int rec_writer__error(const struct rec_writer *w)
{
	return w->err;
}

const char *rec_writer__partial_path(const struct rec_writer *w)
{
	return w->partial;
}

static int put_trailer(struct rec_writer *w)
{
	cJSON *t = cJSON_CreateObject();
	char when[40];
	int err;

	if (!t)
		return -ENOMEM;
	rec_time_format(rec_now_wall_ns(), when, sizeof(when));
	cJSON_AddStringToObject(t, "rec", "trailer");
	cJSON_AddStringToObject(t, "end", when);
	cJSON_AddNumberToObject(t, "events", (double)w->events);
	cJSON_AddNumberToObject(t, "profile_buckets", (double)w->buckets);
	cJSON_AddNumberToObject(t, "lost", (double)w->lost);
	cJSON_AddNumberToObject(t, "records", (double)w->records + 1);
	err = recw_put_line(w, t);
	cJSON_Delete(t);
	return err;
}

int rec_writer__close(struct rec_writer *w)
{
	int err = w->err ? w->err : put_trailer(w);

	if (!err)
		err = recw_status(w, gzflush(w->gz, Z_FINISH) == Z_OK);
	if (gzclose(w->gz) != Z_OK && !err)
		err = -EIO;
	if (!err && fsync(w->fd))
		err = -errno;
	if (!err)
		err = outfile_target_rename(&w->target, w->partial, w->path);
	writer_free(w);
	return err;
}

void rec_writer__abandon(struct rec_writer *w)
{
	if (!w)
		return;
	gzflush(w->gz, Z_SYNC_FLUSH);
	gzclose(w->gz);
	writer_free(w);
}
