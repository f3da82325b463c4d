/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYMBOLIZER_H
#define FAULTLINE_SYMBOLIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Addresses to names, for the kernel (kallsyms) and for processes
 * (/proc/PID/maps -> ELF .symtab/.dynsym, debug files by build-id and
 * .gnu_debuglink, perf-PID.map for JITs). ELF symbol tables are parsed once
 * per file and shared across processes (keyed by build-id, else dev+inode).
 */
struct symbolizer;

enum frame_kind {
	FRAME_KERNEL,
	FRAME_USER,
	FRAME_JIT,	/* named from /tmp/perf-PID.map */
	FRAME_UNKNOWN,	/* no mapping found for the address */
	FRAME_LOST,	/* placeholder for a stack that could not be walked */
	FRAME_PYTHON,	/* a CPython function, from the interpreter's own frames */
};

/*
 * module and build_id live until symbolizer__free(); symbol only until the
 * next call (a snapshot or kallsyms may be replaced): copy it to keep it.
 */
struct sym_result {
	enum frame_kind kind;
	uint64_t addr;		/* the address looked up */
	const char *symbol;	/* demangled; NULL when the address is not in any symbol */
	uint64_t sym_offset;	/* addr - symbol start */
	const char *module;	/* file path, "[vdso]", "[kernel]" or a kernel module name */
	uint64_t module_offset;	/* file offset (user) or addr - module base (kernel) */
	const char *build_id;	/* lowercase hex, NULL when unknown */
	uint64_t map_start, map_end, map_pgoff;	/* the mapping, for pprof */
	/*
	 * A user address that none of the process's executable mappings holds
	 * (heap, stack, data) and no JIT map names: not code, so not a frame.
	 * A frame-pointer walk that wandered off ends here. Only set when the
	 * mappings were read; FRAME_UNKNOWN without it means they could not be.
	 */
	bool not_code;
};

struct symbolizer *symbolizer__new(void);
void symbolizer__free(struct symbolizer *s);	/* NULL-safe */

/*
 * Snapshots /proc/@pid/maps now (replacing an earlier snapshot), so the
 * process can be symbolized after it exits. Cheap when nothing changed.
 * -ESRCH when the process is gone.
 */
int symbolizer__capture_pid(struct symbolizer *s, int pid);

/*
 * Drops a pid's snapshot: its files stay for other processes that map them,
 * and a few recently released ones for reuse; the rest are freed.
 */
void symbolizer__forget_pid(struct symbolizer *s, int pid);

/*
 * Always fills @out; -errno is advisory. A user address that no mapping holds
 * is FRAME_UNKNOWN; a kernel address is always FRAME_KERNEL, an unnamed one
 * with module "[bpf]" (BPF JIT memory) or "[kernel]" and the address itself
 * as module_offset.
 * Stack frames other than the innermost hold return addresses: look up
 * addr - 1 for them, or a call that ends a function names the next one.
 */
int symbolizer__kernel(struct symbolizer *s, uint64_t addr, struct sym_result *out);
int symbolizer__user(struct symbolizer *s, int pid, uint64_t addr, struct sym_result *out);

/*
 * False when @addr is known not to be code of @pid (sym_result.not_code):
 * a stack ends before such an address. True when it is, or when @pid's
 * mappings could not be read. Cheaper than symbolizer__user().
 */
bool symbolizer__user_is_code(struct symbolizer *s, int pid, uint64_t addr);

/*
 * Reads kallsyms now rather than at the first kernel address: a long-running
 * consumer (watch) does it before its first event, so that event does not
 * hold up the ones behind it. 0 or -errno (addresses hidden, unreadable).
 */
int symbolizer__load_kernel(struct symbolizer *s);

/*
 * kallsyms is read again, at most every @ms (default 5000), when a kernel
 * address falls past the last symbol of a module or of the BPF programs, or
 * into no symbol: code loaded since the last read.
 */
void symbolizer__set_kernel_reload_ms(struct symbolizer *s, double ms);

/*
 * The name to show for a frame: "symbol", else "module+0xoffset" (basename),
 * else "[unknown] 0xaddr". Writes at most @len bytes including the NUL.
 */
void sym_result__name(const struct sym_result *r, char *buf, size_t len);

/*
 * The mapping of @addr in @pid, for code that reads the mapped file itself
 * (e.g. .eh_frame for DWARF unwinding). Uses the captured snapshot (captures
 * first if there is none). 0, -ESRCH (no snapshot, process gone) or -ENOENT
 * (no executable mapping at @addr).
 */
struct sym_mapping {
	const char *path;	/* as the process names it, e.g. "/usr/lib/libc.so.6", "[vdso]" */
	/*
	 * Where this program can open the same file: the host path when it is
	 * the same file, else via /proc/PID/root/... or /proc/PID/map_files/...
	 * (deleted files). NULL for the vDSO and anonymous memory (the vDSO
	 * image is getauxval(AT_SYSINFO_EHDR) of this process) or when the file
	 * could not be opened.
	 */
	const char *open_path;
	uint64_t start, end, pgoff;
	uint64_t load_bias;	/* runtime address - ELF virtual address */
	int has_load_bias;	/* 0 when the ELF headers could not be read */
	const char *build_id;	/* lowercase hex, NULL when unknown */
};

int symbolizer__mapping(struct symbolizer *s, int pid, uint64_t addr, struct sym_mapping *out);

/* What symbolization cost so far, e.g. for a -v summary. */
struct sym_stats {
	unsigned long files_parsed;	/* ELF files read (each once, shared by build-id) */
	unsigned long file_symbols;	/* function symbols they hold */
	unsigned long debugdata_bad;	/* files whose .gnu_debugdata could not be used */
	double files_ms;		/* time spent parsing them */
	unsigned long kernel_symbols;	/* 0 until the first kernel lookup */
	double kernel_ms;		/* time spent loading kallsyms */
	unsigned long kernel_reloads;	/* times kallsyms was read again */
	unsigned long processes;	/* snapshots held */
	unsigned long files_held;	/* files some snapshot maps */
	unsigned long files_released;	/* files no snapshot maps, kept for reuse */
};

void symbolizer__stats(const struct symbolizer *s, struct sym_stats *out);

#endif
