// SPDX-License-Identifier: GPL-2.0
/* Tables for the in-kernel unwinder, loaded per process (see unwind_kernel.h). */
#include <errno.h>
#include <inttypes.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "unwind/unwind_dwarf.h"
#include "unwind/unwind_kernel.h"
#include "unwind/unwind_table.h"

_Static_assert(KUNWIND_TRUNCATED_IP == UNWIND_TRUNCATED_IP, "one [truncated] marker");

/* One file, keyed by device and inode, with its table's place in the maps. */
struct kfile {
	uint64_t dev, ino;
	uint32_t file_id;	/* 0: no table */
	bool deferred;		/* too big for a speculative load: compiled when needed */
	struct unwind_table_seg segs[UNWIND_TABLE_SEGS];
	size_t nsegs;
};

/* One executable line of /proc/PID/maps. */
struct kmap {
	uint64_t start, end, pgoff, dev, ino;
};

struct unwind_kernel {
	struct unwind_kernel_maps m;
	void *files;		/* tsearch tree of struct kfile */
	void *pids;		/* tsearch tree of the pids loaded (as pointers) */
	struct kunwind_row *rows;	/* the rows map, mmap()ed */
	size_t rows_len;
	uint32_t next_row;
	uint32_t next_file;	/* ids start at 1 */
	uint64_t max_bytes;	/* files bigger than this are deferred (this load only) */
	struct unwind_kernel_stats st;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_file(const void *a, const void *b)
{
	const struct kfile *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int cmp_pid(const void *a, const void *b)
{
	return (uintptr_t)a < (uintptr_t)b ? -1 : (uintptr_t)a > (uintptr_t)b;
}

static void no_free(void *p)
{
	(void)p;
}

/* Counts a successful load of @pid: a first one, or a reload. */
static void note_pid(struct unwind_kernel *k, int pid)
{
	void *key = (void *)(uintptr_t)pid;

	if (tfind(key, &k->pids, cmp_pid))
		k->st.reloads++;
	else if (tsearch(key, &k->pids, cmp_pid))
		k->st.procs++;
}

/* The four shared maps, as bpf/kunwind.bpf.h declares them. */
static int create_maps(struct unwind_kernel_maps *m)
{
	LIBBPF_OPTS(bpf_map_create_opts, mmapable, .map_flags = BPF_F_MMAPABLE);
	LIBBPF_OPTS(bpf_map_create_opts, no_prealloc, .map_flags = BPF_F_NO_PREALLOC);

	m->max_rows = KUNWIND_DEFAULT_ROWS;
	m->max_files = KUNWIND_DEFAULT_FILES;
	m->rows_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "kunwind_rows", sizeof(__u32),
				    sizeof(struct kunwind_row), m->max_rows, &mmapable);
	m->files_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "kunwind_files", sizeof(__u32),
				     sizeof(struct kunwind_file), m->max_files, NULL);
	m->procs_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "kunwind_procs", sizeof(__u32),
				     sizeof(struct kunwind_proc), KUNWIND_DEFAULT_PROCS,
				     &no_prealloc);
	m->ends_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "kunwind_ends", sizeof(__u32),
				    sizeof(__u64), KUNWIND_END__COUNT, NULL);
	if (m->rows_fd < 0 || m->files_fd < 0 || m->procs_fd < 0 || m->ends_fd < 0)
		return -errno;
	return 0;
}

static void close_maps(struct unwind_kernel_maps *m)
{
	int fds[] = { m->rows_fd, m->files_fd, m->procs_fd, m->ends_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int unwind_kernel__new(struct unwind_kernel **out)
{
	struct unwind_kernel *k = calloc(1, sizeof(*k));
	long page = sysconf(_SC_PAGESIZE);
	int err;

	if (!k)
		return -ENOMEM;
	k->next_file = 1;
	k->m = (struct unwind_kernel_maps){ .rows_fd = -1, .files_fd = -1, .procs_fd = -1,
					    .ends_fd = -1 };
	err = create_maps(&k->m);
	if (err)
		goto fail;
	k->rows_len = ((size_t)k->m.max_rows * sizeof(*k->rows) + page - 1) / page * page;
	k->rows = mmap(NULL, k->rows_len, PROT_READ | PROT_WRITE, MAP_SHARED, k->m.rows_fd, 0);
	if (k->rows == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	*out = k;
	return 0;
fail:
	close_maps(&k->m);
	free(k);
	return err;
}

void unwind_kernel__free(struct unwind_kernel *k)
{
	if (!k)
		return;
	tdestroy(k->files, free);
	tdestroy(k->pids, no_free);
	munmap(k->rows, k->rows_len);
	close_maps(&k->m);
	free(k);
}

static const char *const shared_names[] = {
	"kunwind_rows", "kunwind_files", "kunwind_procs", "kunwind_ends",
};

int unwind_kernel__share(const struct unwind_kernel *k, struct bpf_object *obj)
{
	int fds[] = { k->m.rows_fd, k->m.files_fd, k->m.procs_fd, k->m.ends_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_names[i]);
		int err;

		if (!m)
			return -ENOENT;
		err = bpf_map__reuse_fd(m, fds[i]);
		if (err)
			return err;
	}
	return 0;
}

int unwind_kernel__shrink(struct bpf_object *obj)
{
	/* the end counters are small: they keep their size */
	for (size_t i = 0; i < 3; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_names[i]);
		int err;

		if (!m)
			return -ENOENT;
		err = bpf_map__set_max_entries(m, 1);
		if (err)
			return err;
	}
	return 0;
}

/* Appends @t to the mmap()ed rows and gives it the next file id. */
static int upload(struct unwind_kernel *k, const struct unwind_table *t, uint32_t *file_id)
{
	struct kunwind_file f = { .first = k->next_row, .count = t->n };
	struct kunwind_row *out = k->rows + k->next_row;
	__u32 id = k->next_file;

	for (size_t i = 0; i < t->n; i++) {
		if (t->rows[i].pc > UINT32_MAX)
			return -ERANGE;
		out[i] = unwind_table__pack(&t->rows[i]);
	}
	/* The rows are in place before the file entry that makes BPF look at them. */
	if (bpf_map_update_elem(k->m.files_fd, &id, &f, BPF_ANY))
		return -errno;
	*file_id = id;
	k->next_file++;
	k->next_row += t->n;
	k->st.rows += t->n;
	k->st.unsupported_rows += t->unsupported;
	return 0;
}

/* Compiles and uploads the file behind @m, opened through map_files (works in containers). */
static void load_file(struct unwind_kernel *k, int pid, const struct kmap *m, struct kfile *f)
{
	struct unwind_table t;
	struct stat sb;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, pid, m->start,
		 m->end);
	f->deferred = false;
	if (k->max_bytes && (stat(path, &sb) || (uint64_t)sb.st_size > k->max_bytes)) {
		f->deferred = true;
		k->st.files_deferred++;
		return;
	}
	if (unwind_table__from_elf(path, &t)) {
		k->st.files_without++;
		return;
	}
	memcpy(f->segs, t.segs, sizeof(f->segs));
	f->nsegs = t.nsegs;
	if (k->next_file >= k->m.max_files || t.n > k->m.max_rows - k->next_row ||
	    upload(k, &t, &f->file_id))
		k->st.files_no_room++;
	else
		k->st.files++;
	unwind_table__clear(&t);
}

/* The file of @m, loaded on first sight; NULL when out of memory. */
static struct kfile *get_file(struct unwind_kernel *k, int pid, const struct kmap *m)
{
	struct kfile probe = { .dev = m->dev, .ino = m->ino }, *f;
	void *node = tfind(&probe, &k->files, cmp_file);

	if (node) {
		f = *(struct kfile **)node;
		if (f->deferred && !k->max_bytes) {
			k->st.files_deferred--;
			load_file(k, pid, m, f);
		}
		return f;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	*f = probe;
	load_file(k, pid, m, f);
	if (!tsearch(f, &k->files, cmp_file)) {
		free(f);
		return NULL;
	}
	return f;
}

/* 1 for an executable mapping, 0 for another, -EINVAL when malformed. */
static int parse_line(const char *line, struct kmap *m)
{
	unsigned int major, minor;
	char perms[5];

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64, &m->start,
		   &m->end, perms, &m->pgoff, &major, &minor, &m->ino) != 7)
		return -EINVAL;
	m->dev = makedev(major, minor);
	return perms[2] == 'x';
}

/* The kernel's view of mapping @m: a table when its file has one, else frame pointers. */
static int place(struct unwind_kernel *k, int pid, const struct kmap *m,
		 struct kunwind_mapping *out)
{
	uint64_t bias;
	struct kfile *f;

	*out = (struct kunwind_mapping){ .start = m->start, .end = m->end };
	if (!m->ino)
		return 0;	/* anonymous: JIT code, the vdso */
	f = get_file(k, pid, m);
	if (!f)
		return -ENOMEM;
	if (f->file_id && !unwind_table__bias(f->segs, f->nsegs, m->start, m->pgoff, &bias)) {
		out->bias = bias;
		out->file_id = f->file_id;
	}
	return 0;
}

/* The executable mappings of @pid (sorted, as maps lists them). */
static int read_maps(struct unwind_kernel *k, int pid, struct kunwind_proc *p)
{
	char path[32], *line = NULL;
	size_t len = 0;
	struct kmap m;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!err && getline(&line, &len, f) > 0) {
		if (parse_line(line, &m) != 1)
			continue;
		if (p->n == KUNWIND_MAX_MAPS) {
			k->st.procs_over_maps++;
			break;
		}
		err = place(k, pid, &m, &p->maps[p->n]);
		p->n += !err;
	}
	free(line);
	fclose(f);
	return err;
}

int unwind_kernel__load_pid_cheap(struct unwind_kernel *k, int pid, uint64_t max_bytes)
{
	int err;

	k->max_bytes = max_bytes;
	err = unwind_kernel__load_pid(k, pid);
	k->max_bytes = 0;
	return err;
}

int unwind_kernel__load_pid(struct unwind_kernel *k, int pid)
{
	struct kunwind_proc *p = calloc(1, sizeof(*p));
	__u32 key = pid;
	uint64_t t0 = now_ns();
	int err;

	if (!p)
		return -ENOMEM;
	err = read_maps(k, pid, p);
	/* A process with no executable mapping left is exiting: nothing to write. */
	if (!err && !p->n)
		err = -ENOENT;
	if (!err && bpf_map_update_elem(k->m.procs_fd, &key, p, BPF_ANY))
		err = -errno;
	if (err == -E2BIG || err == -ENOMEM)
		k->st.procs_no_room++;
	else if (err)
		k->st.procs_failed++;
	else
		note_pid(k, pid);
	k->st.load_ns += now_ns() - t0;
	free(p);
	return err;
}

void unwind_kernel__forget_pid(struct unwind_kernel *k, int pid)
{
	void *node = tfind((void *)(uintptr_t)pid, &k->pids, cmp_pid);
	__u32 key = pid;

	bpf_map_delete_elem(k->m.procs_fd, &key);
	/* a later process with the same pid is a new one */
	if (node)
		tdelete((void *)(uintptr_t)pid, &k->pids, cmp_pid);
}

int unwind_kernel__stats(const struct unwind_kernel *k, struct unwind_kernel_stats *st)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *vals;

	*st = k->st;
	if (ncpus <= 0)
		return ncpus;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 e = 0; e < KUNWIND_END__COUNT; e++) {
		if (bpf_map_lookup_elem(k->m.ends_fd, &e, vals))
			continue;
		for (int cpu = 0; cpu < ncpus; cpu++)
			st->ends[e] += vals[cpu];
	}
	free(vals);
	return 0;
}

const char *unwind_kernel__end_name(enum kunwind_end e)
{
	static const char *const names[KUNWIND_END__COUNT] = {
		[KUNWIND_END_OK] = "reached the outermost frame",
		[KUNWIND_END_NO_PROC] = "process tables not loaded yet (frame pointers used)",
		[KUNWIND_END_NO_MAPPING] = "address outside executable mappings",
		[KUNWIND_END_NO_ROW] = "no unwind info for an address",
		[KUNWIND_END_UNSUPPORTED] = "unsupported unwind rule",
		[KUNWIND_END_READ] = "stack read failed",
		[KUNWIND_END_DEPTH] = "too deep",
		[KUNWIND_END_STORE] = "stack not stored (map full)",
	};

	return (unsigned int)e < KUNWIND_END__COUNT ? names[e] : "unknown";
}

typedef unsigned long long ull;

void unwind_kernel__print_summary(const struct unwind_kernel *k, const char *who, FILE *f)
{
	struct unwind_kernel_stats st;

	if (!k || unwind_kernel__stats(k, &st))
		return;
	fprintf(f, "%s: in-kernel unwinding: mappings of %llu processes (%llu updates, "
		"%llu not readable), tables of %llu files (%.1f of %.1f MiB, %llu rows), "
		"%llu files without usable .eh_frame, %llu without room, %llu deferred (big, "
		"until one of their processes needs them); %.2f s loading\n",
		who, (ull)st.procs, (ull)st.reloads, (ull)st.procs_failed, (ull)st.files,
		st.rows * sizeof(struct kunwind_row) / 1048576.0,
		k->m.max_rows * (double)sizeof(struct kunwind_row) / 1048576.0, (ull)st.rows,
		(ull)st.files_without, (ull)st.files_no_room, (ull)st.files_deferred,
		st.load_ns / 1e9);
	fprintf(f, "%s: user stacks ended:", who);
	for (int e = 0; e < KUNWIND_END__COUNT; e++)
		fprintf(f, "%s %llu %s", e ? "," : "", (ull)st.ends[e],
			unwind_kernel__end_name(e));
	fputc('\n', f);
	if (st.procs_no_room)
		fprintf(f, "%s: %llu processes not loaded: over %d at once (frame pointers "
			"used)\n", who, (ull)st.procs_no_room, KUNWIND_DEFAULT_PROCS);
	if (st.procs_over_maps)
		fprintf(f, "%s: %llu processes had over %d executable mappings: the rest "
			"are not unwound\n", who, (ull)st.procs_over_maps, KUNWIND_MAX_MAPS);
}
