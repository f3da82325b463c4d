// SPDX-License-Identifier: GPL-2.0
/* Python frames among native ones (pure: the profiler applies the plan). */
#include <string.h>

#include "python/py_merge.h"

#define EVAL_NAME "_PyEval_EvalFrameDefault"

bool py_is_eval_frame(const char *name)
{
	size_t n = strlen(EVAL_NAME);

	return name && !strncmp(name, EVAL_NAME, n) && (name[n] == '\0' || name[n] == '.');
}

int py_merge_plan(const bool *is_eval, int nnative, const uint8_t *is_entry, int npy,
		  bool root_cut, int *take, int *first)
{
	int k = 0;

	for (int j = nnative - 1; j >= 0; j--) {
		take[j] = 0;
		first[j] = k;
		if (!is_eval[j])
			continue;
		while (k < npy) {
			take[j]++;
			if (is_entry[k++])
				break;
		}
	}
	/* frame 0 is then the cut marker, no interpreter frame: it had none */
	if (root_cut && nnative && !is_eval[0] && k < npy) {
		take[0] = npy - k;
		first[0] = k;
		k = npy;
	}
	return npy - k;
}
