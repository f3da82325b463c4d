/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_KALLSYMS_H
#define FAULTLINE_SYM_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kernel text symbols from /proc/kallsyms, sorted by address. */
struct ksyms;

struct ksym {
	uint64_t addr;
	const char *name;
	uint32_t mod;		/* index into the module table; 0 is "[kernel]" */
	uint8_t rank;		/* alias preference: 'T' 0, 'W' 1, 't' 2, 'w' 3 */
};

/* Takes ownership of @buf (NUL-terminated kallsyms text); NULL + errno on failure. */
struct ksyms *ksyms__parse(char *buf, size_t len);
/* NULL + errno; EPERM when every address reads as 0 (kptr_restrict). */
struct ksyms *ksyms__load(const char *path);
void ksyms__free(struct ksyms *k);	/* NULL-safe */

/* The symbol containing @addr (nearest at or below it), or NULL. */
const struct ksym *ksyms__find(const struct ksyms *k, uint64_t addr);
/* "[kernel]" or the module name as kallsyms prints it, e.g. "[ext4]". */
const char *ksyms__module(const struct ksyms *k, const struct ksym *sym);
/* Lowest symbol address of the symbol's module (_stext for the kernel). */
uint64_t ksyms__module_base(const struct ksyms *k, const struct ksym *sym);
/*
 * Whether @sym may be a stale answer: it is the last symbol of a module or
 * of the BPF programs, where code loaded after kallsyms was read would land.
 */
bool ksyms__may_be_stale(const struct ksyms *k, const struct ksym *sym);
/* In the packs the BPF JIT put the listed BPF programs in (named or not). */
bool ksyms__in_bpf(const struct ksyms *k, uint64_t addr);
size_t ksyms__count(const struct ksyms *k);

#endif
