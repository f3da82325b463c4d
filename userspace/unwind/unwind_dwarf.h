/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_DWARF_H
#define FAULTLINE_UNWIND_DWARF_H

#include <stdint.h>

/*
 * User stacks from a register + stack snapshot, unwound with the .eh_frame
 * of the mapped files (libunwind's remote API, so no ptrace and no stop of
 * the process). Files are cached across processes by dev+inode; each process
 * keeps its maps snapshot, so it can be unwound after it exits.
 */
struct unwinder;

/*
 * Marks, as the outermost address of a stored user stack, that unwinding
 * stopped before the outermost frame; rendered as "[truncated]". Never a
 * user address (it is in the kernel half).
 */
#define UNWIND_TRUNCATED_IP 0xfffffffffffffffeull

/* Why an unwind ended; everything but UNWIND_OK means the stack is partial. */
enum unwind_status {
	UNWIND_OK,		/* reached the outermost frame (_start / thread start) */
	UNWIND_NO_STACK,	/* no registers or no stack bytes were captured */
	UNWIND_NO_MAPS,		/* the process's maps were never captured */
	UNWIND_NO_MAPPING,	/* an address outside every file mapping (JIT, anon code) */
	UNWIND_NO_INFO,		/* code without .eh_frame unwind info */
	UNWIND_SHORT_SNAPSHOT,	/* the caller's frame is above the copied bytes */
	UNWIND_BAD_FRAME,	/* the unwind info led nowhere valid */
	UNWIND_TOO_DEEP,	/* the frame limit was reached */
	UNWIND_STATUS_NR,
};

struct unwind_snapshot {
	int pid;		/* tgid: whose maps to use */
	uint64_t ip, sp, bp;
	const uint8_t *stack;	/* copy of [sp, sp + stack_len) */
	uint32_t stack_len;
};

struct unwind_stats {
	uint64_t unwound;			/* snapshots handed to unwinder__unwind */
	uint64_t by_status[UNWIND_STATUS_NR];
	uint64_t files;				/* ELF files opened */
};

struct unwinder *unwinder__new(void);
void unwinder__free(struct unwinder *u);	/* NULL-safe */

/*
 * Snapshots /proc/@pid/maps (replacing an older snapshot). Call it when a
 * process is first seen, so it can still be unwound once it has exited.
 * -ESRCH when the process is gone.
 */
int unwinder__capture_pid(struct unwinder *u, int pid);
int unwinder__has_pid(const struct unwinder *u, int pid);
void unwinder__forget_pid(struct unwinder *u, int pid);

/*
 * Unwinds @s into @ips (leaf first, raw return addresses like the kernel's
 * stack walker gives), at most @max; *@n is set even on failure: the frames
 * found before the unwind stopped.
 */
enum unwind_status unwinder__unwind(struct unwinder *u, const struct unwind_snapshot *s,
				    uint64_t *ips, int max, int *n);

const struct unwind_stats *unwinder__stats(const struct unwinder *u);
const char *unwind_status__name(enum unwind_status st);

/*
 * Whether the main binary of @pid was built without frame pointers (under a
 * quarter of the sampled functions start with push %rbp; mov %rsp,%rbp).
 * 1 yes, 0 no, -errno when unknown.
 */
int unwinder__lacks_frame_pointers(struct unwinder *u, int pid);

#endif
