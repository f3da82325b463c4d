// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_ratio (3:1 through main -> run_heavy -> burn_a and main -> run_light ->
 * burn_b) built like most distribution binaries: without frame pointers.
 * A frame-pointer walk of it stops after a frame or two; DWARF unwinding
 * must still show the whole stacks and the same ratio.
 *
 *   cpu_ratio_nofp SECONDS [--count]
 */
/* FLAGS: -fomit-frame-pointer */
#include "cpu_ratio.c"
