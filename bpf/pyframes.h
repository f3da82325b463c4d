/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PYFRAMES_H
#define FAULTLINE_PYFRAMES_H

/*
 * CPython frames walked at sample time, shared by bpf/pyframes.bpf.h and
 * userspace/python/. 3.11 keeps its frames on its own data stack, not the C
 * stack, so they must be read while the thread runs. Fixed-size fields only.
 */

#define PYFRAMES_MAX_DEPTH	64

/*
 * The last word of a user stack (leaf first) that carries Python frames: the
 * tag in the high half, the id of the Python stack in py_stacks in the low
 * half. No user address has these high bits.
 */
#define PYFRAMES_TAG		0xfffffffd00000000ULL
#define PYFRAMES_TAG_MASK	0xffffffff00000000ULL

/* Where one process keeps its thread state and frames (per tgid, set by userspace). */
struct pyframes_proc {
	__u64 tss_key_addr;	/* the int holding the pthread key of the thread states */
	/* key k's value: *(fsbase + tsd_base + k * tsd_stride + tsd_data) */
	__u32 tsd_base;
	__u32 tsd_stride;
	__u32 tsd_data;
	__u32 tsd_max_key;	/* keys above it live in a second-level block: not followed */
	__u16 tstate_cframe;	/* PyThreadState.cframe */
	__u16 cframe_current;	/* _PyCFrame.current_frame */
	__u16 frame_code;	/* _PyInterpreterFrame.f_code */
	__u16 frame_previous;
	__u16 frame_prev_instr;
	__u16 frame_is_entry;
	__u16 code_argcount;	/* PyCodeObject fields for the checksum */
	__u16 code_flags;
	__u16 code_firstlineno;
	__u16 pad[3];
};

/* A code object's identity check: a freed and reused address is not misnamed. */
#define PYFRAMES_CKSUM(argcount, flags, firstlineno) \
	((__u32)(argcount) * 0x9e3779b1U ^ (__u32)(flags) * 0x85ebca6bU ^ (__u32)(firstlineno))

#define PYFRAMES_NO_INSTR	0xffffffffU

struct pyframe {
	__u64 code;		/* PyCodeObject address */
	__u32 instr_off;	/* prev_instr - code in bytes, PYFRAMES_NO_INSTR when not inside */
	__u32 cksum;		/* PYFRAMES_CKSUM of the object read with the frame */
	__u8 is_entry;		/* the first frame of a _PyEval_EvalFrameDefault call */
	__u8 pad[7];
};

struct pyframes_stack {
	__u32 nr;
	__u32 truncated;	/* more frames than PYFRAMES_MAX_DEPTH, or a read failed */
	__u32 tgid;		/* whose code objects these are: named at its exit */
	__u32 pad;
	struct pyframe frames[PYFRAMES_MAX_DEPTH];	/* leaf first */
};

#define PYFRAMES_DEFAULT_PROCS	1024
#define PYFRAMES_DEFAULT_STACKS	4096

#endif
