/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_ELF_H
#define FAULTLINE_SYM_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#define ELF_BUILD_ID_HEX 41	/* up to 20 bytes as hex, plus NUL */
#define SHNDX_NONE 0xffff

struct elf_sym {
	uint64_t start, size;
	uint32_t name;		/* offset into the string table */
	uint8_t rank;		/* alias preference: 0 global, 1 weak, 2 local, 3 made up */
	uint8_t demangled_done;
	uint16_t shndx;		/* its section, SHNDX_NONE when unknown */
	char *demangled;	/* NULL when the name is not mangled */
};

struct elf_load {
	uint64_t offset, vaddr, filesz, memsz;
	uint32_t flags;		/* PF_X, PF_W, PF_R */
};

/* What one ELF file (plus its separate debug file, if used) says about its code. */
struct elf_file {
	uint16_t type;		/* ET_EXEC, ET_DYN */
	char build_id[ELF_BUILD_ID_HEX];	/* lowercase hex, "" when there is none */
	struct elf_load *loads;
	size_t nloads;
	struct elf_sym *syms;	/* sorted by start, one per address */
	size_t nsyms;
	char *strtab;
	size_t strtab_len;
	uint64_t *sec_end;	/* while parsing: end address of each section */
	size_t nsec;
	const char *source;	/* ".symtab", "debug file", ".gnu_debugdata", ".dynsym", "none" */
	const char *debugdata_err;	/* why .gnu_debugdata was not used, NULL if it was */
	char *debug_path;	/* the separate debug file used, or NULL */
	uid_t owner;		/* of the file read; (uid_t)-1 for an in-memory image */
};

/*
 * Parses @path. @root is prepended to the paths where separate debug files
 * are searched (e.g. "/proc/PID/root" for another mount namespace; "" for
 * ours); @orig_path is the file's path as the process sees it, used for
 * .gnu_debuglink directories (NULL: same as @path). Returns 0 or -errno
 * (-ENOEXEC for a file that is not a usable ELF).
 */
int elf_file__open(const char *path, const char *orig_path, const char *root,
		   struct elf_file **out);
/* The same from an in-memory image, e.g. the vDSO. */
int elf_file__from_memory(const void *image, size_t size, struct elf_file **out);
void elf_file__free(struct elf_file *f);	/* NULL-safe */

/* Reads only the build-id of an open file; 0, or -ENOENT when it has none. */
int elf_build_id_fd(int fd, char out[ELF_BUILD_ID_HEX]);

/* File offset to ELF virtual address through the PT_LOAD containing it. */
bool elf_file__offset_to_vaddr(const struct elf_file *f, uint64_t off, uint64_t *vaddr);
/* runtime address - ELF vaddr for a mapping of this file at @start with @pgoff. */
bool elf_file__load_bias(const struct elf_file *f, uint64_t start, uint64_t pgoff,
			 uint64_t *bias);

/* The function containing @vaddr, or NULL. O(log n). */
const struct elf_sym *elf_file__find(const struct elf_file *f, uint64_t vaddr);
/* Demangled when mangled (computed once), else the raw name. */
const char *elf_file__sym_name(struct elf_file *f, struct elf_sym *sym);
/* The raw (mangled) name. */
const char *elf_file__sym_raw(const struct elf_file *f, const struct elf_sym *sym);

#endif
