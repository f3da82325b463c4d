// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel addresses to names: kallsyms, read at the first kernel lookup and
 * again when code loaded since (modules, BPF programs) shows up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "base/log.h"
#include "sym/symbolizer_internal.h"

/* 0 when BPF program ids cannot be listed (no privilege): then nothing is newer. */
static __u32 bpf_max_prog_id(void)
{
	__u32 id = 0, next;

	while (!bpf_prog_get_next_id(id, &next))
		id = next;
	return id;
}

static int load_kallsyms(struct symbolizer *s)
{
	double t0 = monotonic_ms();

	if (s->ksyms_state)
		return s->ksyms_state < 0 ? s->ksyms_state : 0;
	s->ksyms_loaded_ms = t0;
	s->bpf_max_id = bpf_max_prog_id();
	s->ksyms = ksyms__load("/proc/kallsyms");
	if (!s->ksyms) {
		s->ksyms_state = -errno;
		pr_warn("symbolizer: kernel symbols unavailable: /proc/kallsyms: %s\n",
			errno == EPERM ? "addresses hidden (kptr_restrict)" : strerror(errno));
		return s->ksyms_state;
	}
	s->ksyms_state = 1;
	s->kernel_ms = monotonic_ms() - t0;
	pr_info("symbolizer: loaded %zu kernel symbols in %.1f ms\n", ksyms__count(s->ksyms),
		s->kernel_ms);
	return 0;
}

int symbolizer__load_kernel(struct symbolizer *s)
{
	return load_kallsyms(s);
}

/*
 * Modules and BPF programs loaded since kallsyms was read are unknown, or
 * taken for the last symbol before them: read it again, not too often.
 */
static bool reload_kallsyms(struct symbolizer *s)
{
	double t0 = monotonic_ms();
	struct ksyms *k;

	if (s->ksyms_state != 1 || t0 - s->ksyms_loaded_ms < s->ksyms_reload_ms)
		return false;
	s->ksyms_loaded_ms = t0;
	s->bpf_max_id = bpf_max_prog_id();
	k = ksyms__load("/proc/kallsyms");
	if (!k)
		return false;
	ksyms__free(s->ksyms);
	s->ksyms = k;
	s->ksyms_reloads++;
	s->kernel_ms += monotonic_ms() - t0;
	pr_debug("symbolizer: re-read %zu kernel symbols\n", ksyms__count(k));
	return true;
}

void symbolizer__set_kernel_reload_ms(struct symbolizer *s, double ms)
{
	s->ksyms_reload_ms = ms;
}

/* Module names are interned: kallsyms may be re-read, results must stay valid. */
static const char *kernel_module(struct symbolizer *s, const struct ksym *sym)
{
	if (!sym->mod)
		return s->kernel_module;
	return strmap__intern(s->strings, ksyms__module(s->ksyms, sym));
}

/*
 * A BPF program loaded since may sit in a gap between listed ones and be
 * taken for the one below it: a program id above the highest one seen
 * before the read says so, in one syscall (checked once per interval).
 */
static bool bpf_progs_added(struct symbolizer *s, uint64_t addr)
{
	double now = monotonic_ms();
	__u32 next;

	if (!s->bpf_max_id || !ksyms__in_bpf(s->ksyms, addr) ||
	    now - s->ksyms_checked_ms < s->ksyms_reload_ms)
		return false;
	s->ksyms_checked_ms = now;
	return !bpf_prog_get_next_id(s->bpf_max_id, &next);
}

static const struct ksym *find_ksym(struct symbolizer *s, uint64_t addr)
{
	const struct ksym *sym = ksyms__find(s->ksyms, addr);

	if ((!sym || ksyms__may_be_stale(s->ksyms, sym) || bpf_progs_added(s, addr)) &&
	    reload_kallsyms(s))
		sym = ksyms__find(s->ksyms, addr);
	return sym;
}

/*
 * Kernel stacks hold kernel code only: an address without a symbol (a BPF
 * program or trampoline, a module loaded after kallsyms was read, or no
 * kallsyms at all) is still a kernel frame, named by its absolute address.
 */
static void kernel_unnamed(struct symbolizer *s, uint64_t addr, struct sym_result *out)
{
	out->kind = FRAME_KERNEL;
	out->module = ksyms__in_bpf(s->ksyms, addr) ? s->bpf_module : s->kernel_module;
	out->module_offset = addr;
}

int symbolizer__kernel(struct symbolizer *s, uint64_t addr, struct sym_result *out)
{
	const struct ksym *sym;
	int err;

	result_init(out, addr);
	err = load_kallsyms(s);
	sym = err ? NULL : find_ksym(s, addr);
	if (!sym) {
		kernel_unnamed(s, addr, out);
		return err ? err : -ENOENT;
	}
	out->kind = FRAME_KERNEL;
	out->symbol = sym->name;
	out->sym_offset = addr - sym->addr;
	out->module = kernel_module(s, sym);
	if (!out->module)
		return -ENOMEM;
	out->module_offset = addr - ksyms__module_base(s->ksyms, sym);
	return 0;
}
