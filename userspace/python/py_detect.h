/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PY_DETECT_H
#define FAULTLINE_PY_DETECT_H

#include "python/py_decode.h"

/* A CPython process: its version, layout and where BPF finds its thread states. */
struct py_target {
	unsigned int major, minor, micro;	/* all 0 when the file has no Py_Version (< 3.11) */
	struct py_layout layout;		/* layout.bpf complete, ready for py_procs */
};

/*
 * Looks for CPython in process @pid: its executable or a mapped libpython*
 * that exports _PyRuntime. 0 when frames can be walked; -ENOENT when it is
 * no Python process; -ENOTSUP for a version without a layout or code not
 * recognised (major/minor say which, when known); other -errno.
 */
int py_detect(int pid, struct py_target *t);

#endif
