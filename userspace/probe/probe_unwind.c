// SPDX-License-Identifier: GPL-2.0
/*
 * Whether the in-kernel unwinder loads here: the profiler's own program with
 * it on (bpf_loop, bpf_find_vma, an mmap()able array and the verifier's
 * verdict on the walk), its maps shrunk to nothing, then closed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "probe/kernel_features.h"
#include "profile.skel.h"

static int shrink_maps(struct profile_bpf *skel)
{
	struct bpf_map *maps[] = { skel->maps.stacks, skel->maps.overflow, skel->maps.counts,
				   skel->maps.seen, skel->maps.kunwind_rows,
				   skel->maps.kunwind_files, skel->maps.kunwind_procs };
	int err = 0;

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]) && !err; i++)
		err = bpf_map__set_max_entries(maps[i], 1);
	return err;
}

void features__probe_kernel_unwind(struct feature_result *r)
{
	struct profile_bpf *skel = profile_bpf__open();
	int err;

	if (!skel) {
		err = -errno;
		goto out;
	}
	skel->rodata->kunwind = true;
	err = shrink_maps(skel);
	if (!err)
		err = profile_bpf__load(skel);
out:
	r->available = !err;
	if (err)
		snprintf(r->detail, sizeof(r->detail), "the profiler's unwinding program does not "
			 "load: %s (profile, watch and record fall back to frame pointers or stack "
			 "copies)", strerror(-err));
	else
		snprintf(r->detail, sizeof(r->detail), "bpf_loop walk of .eh_frame rows loads");
	profile_bpf__destroy(skel);
}
