/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_ELF_INTERNAL_H
#define FAULTLINE_SYM_ELF_INTERNAL_H

#include <libelf.h>
#include <gelf.h>

#include "sym/sym_elf.h"

/* Shared by sym_elf*.c only. */
/* Reads function symbols (unsorted); -ENOENT when the table is absent or has none. */
int elf_read_syms(Elf *elf, Elf64_Word type, struct elf_file *f);
/* "name@plt" symbols for PLT stubs, from the file's own relocations. */
int elf_add_plt_syms(Elf *elf, struct elf_file *f);
/* Sorts, keeps one alias per address, gives sizeless symbols a size. */
void elf_fixup_syms(struct elf_file *f);
uint64_t elf_seg_end(const struct elf_file *f, uint64_t vaddr);
/* libelf's version handshake, once; -ENOSYS when it fails (sym_elf_id.c). */
int elf_lib_init(void);
/* The GNU build-id note as hex, from sections or program headers (sym_elf_id.c). */
int elf_read_build_id(Elf *elf, char out[ELF_BUILD_ID_HEX]);
/* Opens the separate debug file of @f and reads its .symtab into @f. */
int elf_load_debug_file(Elf *elf, struct elf_file *f, const char *orig_path, const char *root);
/*
 * Adds the function symbols of the MiniDebugInfo in .gnu_debugdata to @f (sym_minidebug.c):
 * 0, -ENOENT when there is none, else -errno with the reason in f->debugdata_err.
 */
int elf_add_debugdata_syms(Elf *elf, struct elf_file *f);

#endif
