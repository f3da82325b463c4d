/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PY_MERGE_H
#define FAULTLINE_PY_MERGE_H

#include <stdbool.h>
#include <stdint.h>

/* _PyEval_EvalFrameDefault, or a part of it the compiler split off (".cold"). */
bool py_is_eval_frame(const char *name);

/*
 * Where Python frames go among native ones. @is_eval marks the interpreter's
 * frames of a native stack (root first, @nnative); @is_entry the Python
 * frames (leaf first, @npy) that began a call of it. The leafmost
 * interpreter frame runs the Python frames up to and including the first
 * entry frame, the next one up the following ones, and so on. Fills, per
 * native frame j, @take[j] (how many Python frames follow it, leafward) and
 * @first[j] (the leafmost of them, an index into the Python frames). With
 * @root_cut (native frame 0 says the walk stopped early), the frames left
 * over follow frame 0: their interpreter frames are in the part not walked,
 * rootward of every native frame shown. Returns the Python frames left over:
 * no interpreter frame was seen for them.
 */
int py_merge_plan(const bool *is_eval, int nnative, const uint8_t *is_entry, int npy,
		  bool root_cut, int *take, int *first);

#endif
