/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_BUILDID_H
#define FAULTLINE_RECORDING_BUILDID_H

#include <stdint.h>
#include <cjson/cJSON.h>

/*
 * Build-ids for the frames of recorded stacks, so a recording can be
 * re-symbolized on another machine with the same binaries or their debug
 * files. Read once per file (through /proc/PID/root while the process
 * lives, for other mount namespaces) and cached by path.
 */
struct rec_buildids;

struct rec_buildids *rec_buildids__new(void);
void rec_buildids__free(struct rec_buildids *b);	/* NULL-safe */

/* Adds "build_id" to every frame under @obj whose module is a file. */
void rec_buildids__annotate(struct rec_buildids *b, cJSON *obj, uint32_t pid);

#endif
