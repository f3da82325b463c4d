/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_KERNEL_H
#define FAULTLINE_UNWIND_KERNEL_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "kunwind.h"

/*
 * Feeds the in-kernel unwinder (bpf/kunwind.bpf.h): for each process it is
 * asked about, reads /proc/PID/maps, compiles the .eh_frame of every
 * executable file not seen before into rows (unwind_table.h), appends them
 * to the rows map and writes the process's mappings. Files are keyed by
 * device and inode and stay loaded for the whole run; when the rows map is
 * full, further files get no table and are walked with frame pointers.
 */
struct unwind_kernel;

struct unwind_kernel_maps {
	int rows_fd, files_fd, procs_fd, ends_fd;
	uint32_t max_rows, max_files;
};

struct unwind_kernel_stats {
	uint64_t procs;			/* processes whose mappings were written */
	uint64_t reloads;		/* written again (new libraries, exec) */
	uint64_t procs_failed;		/* maps unreadable: exited */
	uint64_t procs_no_room;		/* the processes map was full */
	uint64_t procs_over_maps;	/* more than KUNWIND_MAX_MAPS executable mappings */
	uint64_t files;			/* files with a table */
	uint64_t files_without;		/* no .eh_frame, unreadable, or not x86-64 */
	uint64_t files_no_room;		/* rows or files map full */
	uint64_t files_deferred;	/* not compiled yet: too big for a cheap load */
	uint64_t rows;			/* rows in use */
	uint64_t unsupported_rows;
	uint64_t load_ns;		/* time spent compiling and writing */
	uint64_t ends[KUNWIND_END__COUNT];	/* from BPF, summed over CPUs */
};

struct bpf_object;

/*
 * Creates the shared maps (rows 32 MiB, files, processes, end counters) and
 * maps the rows; one per run, whatever the number of objects that walk.
 */
int unwind_kernel__new(struct unwind_kernel **out);
void unwind_kernel__free(struct unwind_kernel *k);	/* NULL-safe */

/* Between open and load: @obj's walker maps become the shared ones. 0 or -errno. */
int unwind_kernel__share(const struct unwind_kernel *k, struct bpf_object *obj);
/* Between open and load, for an object that does not walk: its walker maps get 1 entry. */
int unwind_kernel__shrink(struct bpf_object *obj);

/* (Re)writes @pid's mappings, loading new files; -errno (-ENOENT: process gone). */
int unwind_kernel__load_pid(struct unwind_kernel *k, int pid);
/*
 * The same, but files over @max_bytes not compiled yet are left without a
 * table (walked with frame pointers) until a full load needs them: for
 * loads on speculation (every process at exec), which must stay cheap.
 */
int unwind_kernel__load_pid_cheap(struct unwind_kernel *k, int pid, uint64_t max_bytes);
/* Drops @pid's mappings (its files stay). */
void unwind_kernel__forget_pid(struct unwind_kernel *k, int pid);

int unwind_kernel__stats(const struct unwind_kernel *k, struct unwind_kernel_stats *st);
/* The run summary's lines (table memory, processes, why stacks ended). */
void unwind_kernel__print_summary(const struct unwind_kernel *k, const char *who, FILE *f);
/* "ok", "no tables yet", ... for a stack-end reason. */
const char *unwind_kernel__end_name(enum kunwind_end e);

#endif
