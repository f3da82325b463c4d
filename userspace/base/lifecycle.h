/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_LIFECYCLE_H
#define FAULTLINE_LIFECYCLE_H

#include <signal.h>
#include <stdbool.h>

/* Set by SIGINT/SIGTERM: poll loops check it, detach and flush their outputs. */
extern volatile sig_atomic_t lifecycle_exiting;

/*
 * Installs SIGINT/SIGTERM handlers: the first asks loops to stop; a second
 * exits at once (status 130), for when a clean detach hangs.
 */
int lifecycle_install(void);

/* Sleeps up to @ms or until a stop was requested; true when it was. */
bool lifecycle_wait_ms(long ms);

#endif
