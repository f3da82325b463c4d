/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PY_ELF_H
#define FAULTLINE_PY_ELF_H

#include <stddef.h>
#include <stdint.h>

/* Just what detection needs of an ELF file: exported symbols and bytes at an address. */
struct py_elf;

/* 0 or -errno (-ENOEXEC: not an ELF file libelf can read). */
int py_elf__open(const char *path, struct py_elf **out);
void py_elf__free(struct py_elf *e);	/* NULL-safe */
/* The .dynsym symbol @name's address and size; -ENOENT when not exported. */
int py_elf__sym(const struct py_elf *e, const char *name, uint64_t *addr, uint64_t *size);
/* Reads @n bytes at ELF virtual address @vaddr from the file; -ENOENT outside it. */
int py_elf__read(const struct py_elf *e, uint64_t vaddr, void *buf, size_t n);
/* The load bias of a mapping at @start of file offset @pgoff; -ENOENT when none loads it. */
int py_elf__bias(const struct py_elf *e, uint64_t start, uint64_t pgoff, uint64_t *bias);

#endif
