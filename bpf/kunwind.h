/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_KUNWIND_H
#define FAULTLINE_KUNWIND_H

/*
 * The in-kernel .eh_frame unwinder's tables, shared by bpf/kunwind.bpf.h and
 * userspace/unwind/unwind_kernel.c. Userspace compiles each ELF file's CFI
 * into sorted rows (one per address where a rule changes); BPF binary-searches
 * them while it walks a user stack. Fixed-size fields only.
 */

/* How to find the CFA (the caller's stack pointer) at a row's addresses. */
enum kunwind_cfa_rule {
	KUNWIND_CFA_GAP = 0,		/* no FDE covers these addresses */
	KUNWIND_CFA_RSP = 1,		/* rsp + off */
	KUNWIND_CFA_RBP = 2,		/* rbp + off */
	KUNWIND_CFA_PLT = 3,		/* PLT stubs: rsp + 8, + 8 when (rip & 15) >= off */
	KUNWIND_CFA_DEREF_RBP = 4,	/* *(rbp + off): gcc's stack realignment */
	KUNWIND_CFA_OUTERMOST = 5,	/* return address undefined: the stack ends here */
	KUNWIND_CFA_UNSUPPORTED = 6,	/* a rule this unwinder does not follow */
	KUNWIND_CFA_RSP_X8 = 7,		/* rsp + off * 8: frames over a 16-bit offset */
	KUNWIND_CFA_SIGFRAME = 8,	/* a signal trampoline (CIE "S"): the kernel's rt_sigframe */
};

/*
 * x86-64's rt_sigframe as the trampoline (glibc's __restore_rt) sees it once
 * the handler has returned: rsp points at its ucontext, whose uc_mcontext
 * (struct sigcontext, after uc_flags, uc_link and uc_stack) holds the
 * interrupted registers.
 */
#define KUNWIND_SIGFRAME_RBP	(40 + 10 * 8)
#define KUNWIND_SIGFRAME_RSP	(40 + 15 * 8)	/* rip follows it */

/* Where the caller's rbp is. */
enum kunwind_rbp_rule {
	KUNWIND_RBP_SAME = 0,		/* unchanged */
	KUNWIND_RBP_CFA = 1,		/* saved at CFA + off */
	KUNWIND_RBP_AT_RBP = 2,		/* saved at rbp + off (stack realignment) */
	KUNWIND_RBP_UNKNOWN = 3,	/* elsewhere: unusable after this frame */
};

/*
 * 8 bytes; pc is the ELF virtual address (files above 4 GiB get no table),
 * rbp_off8 the rbp offset divided by 8, rules the CFA rule in the low four
 * bits and the rbp rule in the high four.
 */
struct kunwind_row {
	__u32 pc;
	__s16 cfa_off;
	__s8 rbp_off8;
	__u8 rules;
};

#define KUNWIND_ROW_CFA(r)	((r)->rules & 0xf)
#define KUNWIND_ROW_RBP(r)	((r)->rules >> 4)

/* A file's rows in the rows array; id 0 means "no table: use frame pointers". */
struct kunwind_file {
	__u32 first;
	__u32 count;
};

#define KUNWIND_MAX_MAPS	128	/* executable mappings per process */

struct kunwind_mapping {
	__u64 start;
	__u64 end;
	__u64 bias;		/* runtime address - bias = ELF virtual address */
	__u32 file_id;		/* 0: no table (anonymous, JIT, no .eh_frame) */
	__u32 pad;
};

/* One process's executable mappings, sorted by start. */
struct kunwind_proc {
	__u32 n;
	__u32 pad;
	struct kunwind_mapping maps[KUNWIND_MAX_MAPS];
};

/* Frames one walk writes at most (the kernel's default perf_event_max_stack). */
#define KUNWIND_MAX_FRAMES	127

/* A walked user stack, leaf first: the layout of profile.h's struct profile_stack_buf. */
struct kunwind_frames {
	__u32 nr;
	__u32 pad;
	__u64 ips[KUNWIND_MAX_FRAMES];
};

/* How a user stack was walked, as events carry it to userspace. */
enum kunwind_how {
	KUNWIND_HOW_FP = 0,		/* frame pointers (the walker was off) */
	KUNWIND_HOW_TABLES = 1,		/* .eh_frame rows (cut with a [truncated] root if early) */
	KUNWIND_HOW_FP_CHECKED = 2,	/* the process's rows were not loaded (yet): frame
					 * pointers, cut at the first non-executable address */
};

/* The root of a stack whose walk stopped early: unwind_dwarf.h's UNWIND_TRUNCATED_IP. */
#define KUNWIND_TRUNCATED_IP	0xfffffffffffffffeULL

/* Why an in-kernel walk stopped: counted per reason. */
enum kunwind_end {
	KUNWIND_END_OK,		/* the outermost frame (undefined return address, or ip 0) */
	KUNWIND_END_NO_PROC,	/* the process's tables were not loaded yet: frame pointers */
	KUNWIND_END_NO_MAPPING,	/* an address outside every executable mapping */
	KUNWIND_END_NO_ROW,	/* no FDE covers the address */
	KUNWIND_END_UNSUPPORTED, /* a CFA or rbp rule this unwinder does not follow */
	KUNWIND_END_READ,	/* reading the user stack failed (paged out, bad pointer) */
	KUNWIND_END_DEPTH,	/* as many frames as the caller keeps */
	KUNWIND_END_STORE,	/* the stack could not be stored (map full) */
	KUNWIND_END__COUNT,
};

/* Default sizes: rows (8 bytes each), files, processes (4 KiB each, allocated on use). */
#define KUNWIND_DEFAULT_ROWS	(1U << 22)
#define KUNWIND_DEFAULT_FILES	4096
#define KUNWIND_DEFAULT_PROCS	2048

#endif
