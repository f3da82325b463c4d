/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_PROC_H
#define FAULTLINE_UNWIND_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "unwind/unwind_elf.h"
#include "unwind/unwind_maps.h"

/*
 * The unwinder's view of processes: per pid, the maps snapshot and, lazily
 * per mapping, the ELF file behind it and its load bias. ELF files are shared
 * by all processes (keyed by the dev+inode that maps shows).
 */
struct unwind_module {
	struct unwind_elf *elf;	/* NULL when the file could not be used */
	uint64_t bias;		/* runtime address - link-time address */
	int resolved;
};

struct unwind_proc {
	int pid;
	struct unwind_maps maps;
	struct unwind_module *mods;	/* parallel to maps.maps */
	void *addr_space;		/* libunwind's, owned by unwind_dwarf.c */
	uint64_t captured_ns;		/* CLOCK_MONOTONIC of the snapshot */
	struct unwind_proc *next;
};

struct unwind_procs;

struct unwind_procs *unwind_procs__new(void);
/* @drop_as is called on each process's addr_space before it is freed. */
void unwind_procs__free(struct unwind_procs *t, void (*drop_as)(void *));

struct unwind_proc *unwind_procs__get(struct unwind_procs *t, int pid);
/* Creates or refreshes @pid's snapshot from /proc; -errno. */
int unwind_procs__capture(struct unwind_procs *t, int pid, struct unwind_proc **out);
/* Removes @pid; returns its addr_space for the caller to drop (or NULL). */
void *unwind_procs__forget(struct unwind_procs *t, int pid);

/* The mapping containing @addr with its ELF file and bias; NULL when none usable. */
const struct unwind_module *unwind_procs__module(struct unwind_procs *t, struct unwind_proc *p,
						 uint64_t addr,
						 const struct unwind_mapping **map);

size_t unwind_procs__files(const struct unwind_procs *t);

#endif
