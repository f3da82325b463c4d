// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "base/log.h"
#include "base/privs.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int privs_missing(uint64_t effective, char *buf, size_t len)
{
	int n = 0;

	if (len)
		buf[0] = '\0';
	if (effective & CAP_BIT(CAP_SYS_ADMIN))
		return 0;
	if (!(effective & CAP_BIT(CAP_BPF))) {
		snprintf(buf, len, "CAP_BPF");
		n++;
	}
	if (!(effective & CAP_BIT(CAP_PERFMON))) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%sCAP_PERFMON", n ? ", " : "");
		n++;
	}
	return n;
}

int privs_effective(uint64_t *effective)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	*effective = (uint64_t)data[1].effective << 32 | data[0].effective;
	return 0;
}

int privs_require_bpf(const char *cmd)
{
	char missing[64];
	uint64_t eff;
	int err;

	err = privs_effective(&eff);
	if (err) {
		log_error("%s: cannot read capabilities: %s", cmd, strerror(-err));
		return err;
	}
	if (!privs_missing(eff, missing, sizeof(missing)))
		return 0;
	log_error("%s needs root or CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN); missing: %s",
		  cmd, missing);
	return -EPERM;
}

int privs_require_btf(const char *cmd)
{
	if (!access("/sys/kernel/btf/vmlinux", R_OK))
		return 0;
	log_error("%s: kernel BTF not found at /sys/kernel/btf/vmlinux (%s); faultline needs a "
		  "kernel built with CONFIG_DEBUG_INFO_BTF=y", cmd, strerror(errno));
	return -ENOENT;
}
