// SPDX-License-Identifier: GPL-2.0
/*
 * Rotating recording segments for the agent. Each segment is a whole
 * recording of its own (header, the processes its events name, events,
 * profile buckets, trailer), so report reads any one of them; the current
 * one is DIR/segment-STAMP.rec.partial, sync-flushed every second like
 * record's file. Segments age out by their start time; an incident's are
 * moved (renamed, same file system) under DIR/incidents/STAMP/.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent_flight.h"
#include "base/log.h"
#include "base/outfile.h"
#include "record/recording_buildid.h"
#include "record/recording_procs.h"
#include "record/recording_write.h"

#define STAMP_LEN 17	/* 20261203T124500Z */

struct segment {
	struct rec_writer *w;
	struct rec_procs *procs;
	struct rec_buildids *ids;
	char stamp[STAMP_LEN + 1];
	int64_t end_mono;
	bool incident;
};

struct agent_flight {
	struct agent_flight_opts o;
	int dirfd, incfd;
	struct segment cur;
	char prev[STAMP_LEN + 1];	/* the segment before the current one, "" when none */
	bool prev_incident;		/* it was an incident's: the current one is kept too */
	char group[STAMP_LEN + 1];	/* the incident directory they go to */
};

static void stamp_now(char *buf)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, STAMP_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}

/* A directory only we can write, opened without following a link; -EPERM otherwise. */
static int own_dir(int at, const char *path)
{
	struct stat st;
	int fd;

	if (mkdirat(at, path, 0700) && errno != EEXIST)
		return -errno;
	fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOTDIR ? -EPERM : -errno;
	if (fstat(fd, &st) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static int open_segment(struct agent_flight *f)
{
	struct segment *s = &f->cur;
	struct rec_writer_opts wo = { .command = f->o.command, .bucket_ns = f->o.bucket_ns };
	char path[4096];

	memset(s, 0, sizeof(*s));
	s->end_mono = rec_now_mono_ns() + (int64_t)f->o.segment_ns;
	stamp_now(s->stamp);
	snprintf(path, sizeof(path), "%s/segment-%s.rec", f->o.dir, s->stamp);
	s->w = rec_writer__open(path, &wo);
	if (!s->w) {
		pr_warn("faultline agent: flight recorder: cannot write %s: %s\n", path,
			outfile__strerror(-errno));
		return -EIO;
	}
	s->procs = rec_procs__new(s->w);
	s->ids = rec_buildids__new();
	if (!s->procs || !s->ids)
		return -ENOMEM;
	rec_procs__scan(s->procs);	/* who listens where, for conn incidents */
	return 0;
}

static void close_segment(struct segment *s)
{
	if (!s->w)
		return;
	if (s->procs)
		rec_procs__note_exits(s->procs);
	rec_procs__free(s->procs);
	rec_buildids__free(s->ids);
	if (rec_writer__close(s->w))
		pr_warn("faultline agent: flight recorder: segment %s could not be finished\n",
			s->stamp);
	s->w = NULL;
}

/* DIR/segment-STAMP.rec -> DIR/incidents/GROUP/ (a missing one has aged out already). */
static void keep_segment(struct agent_flight *f, const char *stamp)
{
	char name[64];
	int gfd;

	if (!*stamp)
		return;
	gfd = own_dir(f->incfd, f->group);
	if (gfd < 0)
		return;
	snprintf(name, sizeof(name), "segment-%s.rec", stamp);
	if (renameat(f->dirfd, name, gfd, name) && errno != ENOENT)
		pr_warn("faultline agent: flight recorder: keeping %s: %s\n", name,
			strerror(errno));
	close(gfd);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in @fd matching @prefix, sorted (oldest first: the stamps sort by time). */
static int list(int fd, const char *prefix, char ***out, size_t *n)
{
	int dfd = dup(fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	char **v = NULL, **nv;

	*n = 0;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return -errno;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[*n] = strdup(de->d_name);
		if (v[*n])
			(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), by_name);
	*out = v;
	return 0;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Segments (finished or left .partial by a crash) older than --retain-local. */
static void age_out(struct agent_flight *f)
{
	char cutoff[STAMP_LEN + 1], **v;
	time_t t = time(NULL) - (time_t)f->o.retain_min * 60;
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	strftime(cutoff, sizeof(cutoff), "%Y%m%dT%H%M%SZ", &tm);
	if (list(f->dirfd, "segment-", &v, &n))
		return;
	for (size_t i = 0; i < n; i++)
		if (strncmp(v[i] + 8, cutoff, STAMP_LEN) < 0 &&
		    strcmp(v[i] + 8, f->cur.stamp) && strcmp(v[i] + 8, f->prev))
			unlinkat(f->dirfd, v[i], 0);
	free_list(v, n);
}

/* Only the last --keep-incidents incident directories stay. */
static void prune_incidents(struct agent_flight *f)
{
	char **v, **files;
	size_t n, nf;

	if (list(f->incfd, "2", &v, &n))
		return;
	for (size_t i = 0; i + f->o.keep_incidents < n; i++) {
		int gfd = openat(f->incfd, v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (gfd < 0)
			continue;
		if (!list(gfd, "segment-", &files, &nf)) {
			for (size_t k = 0; k < nf; k++)
				unlinkat(gfd, files[k], 0);
			free_list(files, nf);
		}
		close(gfd);
		unlinkat(f->incfd, v[i], AT_REMOVEDIR);
	}
	free_list(v, n);
}

static void rotate(struct agent_flight *f)
{
	bool incident = f->cur.incident, after = f->prev_incident;
	char done[STAMP_LEN + 1];

	snprintf(done, sizeof(done), "%s", f->cur.stamp);
	close_segment(&f->cur);
	if (incident) {
		if (!after)
			snprintf(f->group, sizeof(f->group), "%s", done);
		keep_segment(f, f->prev);	/* what led to it */
		keep_segment(f, done);
	} else if (after) {
		keep_segment(f, done);		/* what followed it */
	}
	snprintf(f->prev, sizeof(f->prev), "%s", incident || after ? "" : done);
	f->prev_incident = incident;
	if (incident || after)
		prune_incidents(f);
	open_segment(f);
	age_out(f);
}

int agent_flight__start(const struct agent_flight_opts *o, struct agent_flight **out)
{
	struct agent_flight *f = calloc(1, sizeof(*f));
	int err;

	*out = NULL;
	if (!f)
		return -ENOMEM;
	f->o = *o;
	f->incfd = -1;
	f->dirfd = own_dir(AT_FDCWD, o->dir);
	if (f->dirfd >= 0)
		f->incfd = own_dir(f->dirfd, "incidents");
	err = f->dirfd < 0 ? f->dirfd : f->incfd < 0 ? f->incfd : 0;
	if (err == -EPERM)
		pr_warn("faultline agent: --flight-dir %s: not a directory of ours that only we "
			"can write (a symlink, another owner, or group/world-writable)\n", o->dir);
	else if (err)
		pr_warn("faultline agent: --flight-dir %s: %s\n", o->dir, strerror(-err));
	if (!err)
		err = open_segment(f);
	if (err) {
		agent_flight__stop(f);
		return err;
	}
	age_out(f);
	*out = f;
	return 0;
}

void agent_flight__event(struct agent_flight *f, const struct watch_event *ev)
{
	struct segment *s = &f->cur;
	cJSON *copy;

	if (!s->w)
		return;
	rec_procs__note_pid(s->procs, ev->pid);
	copy = cJSON_Duplicate(ev->json, 1);
	if (copy)
		rec_buildids__annotate(s->ids, copy, ev->pid);
	if (copy && !rec_writer__event(s->w, copy) && ev->severity >= WATCH_SEV_ERROR)
		s->incident = true;
	cJSON_Delete(copy);
}

void agent_flight__bucket(struct agent_flight *f, int64_t start_wall_ns,
			  const struct profile_data *p)
{
	if (f->cur.w)
		rec_writer__profile(f->cur.w, start_wall_ns, p);
}

void agent_flight__poll(struct agent_flight *f)
{
	if (!f->cur.w) {
		/* e.g. the disk was full: tried again once a segment's time has passed */
		if (rec_now_mono_ns() >= f->cur.end_mono && open_segment(f))
			close_segment(&f->cur);
		return;
	}
	rec_writer__tick(f->cur.w);
	if (rec_now_mono_ns() >= f->cur.end_mono || rec_writer__error(f->cur.w))
		rotate(f);
}

void agent_flight__stop(struct agent_flight *f)
{
	if (!f)
		return;
	if (f->cur.incident || f->prev_incident) {
		char done[STAMP_LEN + 1];

		snprintf(done, sizeof(done), "%s", f->cur.stamp);
		close_segment(&f->cur);
		if (f->cur.incident && !f->prev_incident)
			snprintf(f->group, sizeof(f->group), "%s", done);
		keep_segment(f, f->prev);
		keep_segment(f, done);
	}
	close_segment(&f->cur);
	if (f->incfd >= 0)
		close(f->incfd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f);
}
