// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "base/lifecycle.h"

volatile sig_atomic_t lifecycle_exiting;

static void on_stop_signal(int sig)
{
	(void)sig;
	if (lifecycle_exiting)
		_exit(130);
	lifecycle_exiting = 1;
}

int lifecycle_install(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	/* No SA_RESTART: blocking polls return EINTR and notice the request. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

bool lifecycle_wait_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	if (!lifecycle_exiting)
		nanosleep(&ts, NULL);
	return lifecycle_exiting;
}
