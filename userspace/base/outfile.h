/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_OUTFILE_H
#define FAULTLINE_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

/*
 * Outputs faultline creates as root, often in directories other users can
 * write to. A regular output is written to an unnamed file (O_TMPFILE, or an
 * O_EXCL temporary where the filesystem lacks it) and given its name on
 * commit, so a reader never sees it half-written and a kill leaves nothing
 * behind. Nothing is ever written through a symbolic link; an existing file
 * keeps its owner and mode; a character device or FIFO (/dev/null, a pipe
 * to a reader) is written directly instead of being replaced. "-" and
 * /dev/stdout mean stdout.
 */
struct outfile;

/* Refusals, beyond errno's range; outfile__strerror() explains them. */
enum {
	OUTFILE_ESYMLINK = 4096,	/* the path is a symbolic link */
	OUTFILE_EDEVICE,		/* a block device or a directory */
	OUTFILE_ENOTREG,		/* not a regular file, where one is required */
	OUTFILE_EINPUT,			/* the path is the command's own input */
	OUTFILE_EAPPEARED,		/* the name was taken while the output was written */
	OUTFILE_EPARTIAL,		/* FILE.partial exists: another writer, or a cut-short one */
};

/* What is at an output path now, and whether faultline may replace it. */
struct outfile_target {
	bool exists;		/* a regular file to replace; st holds its owner and mode */
	bool special;		/* a character device or FIFO, written in place */
	struct stat st;
};

/* 0, or -errno / -OUTFILE_E*. */
int outfile_target_check(const char *path, struct outfile_target *t);
/* Gives @fd the owner and mode of the file it is about to replace. */
int outfile_target_adopt(const struct outfile_target *t, int fd);
/* Puts the file at @tmp_path in @path's place without replacing what t didn't see. */
int outfile_target_rename(const struct outfile_target *t, const char *tmp_path,
			  const char *path);
/* True when @out_path names the same file as @in_path (e.g. report r.fl -o r.fl). */
bool outfile_same_file(const char *out_path, const char *in_path);
const char *outfile__strerror(int err);

/* 0 and *out set, or -errno / -OUTFILE_E*. */
int outfile__open(const char *path, struct outfile **out);
FILE *outfile__stream(struct outfile *out);
const char *outfile__path(const struct outfile *out);
/* Flushes, syncs and names the file; frees @out whatever the result. */
int outfile__commit(struct outfile *out);
/* Drops what was written (an unnamed file just vanishes); frees @out. NULL-safe. */
void outfile__abort(struct outfile *out);

#endif
