// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "sym/sym_kallsyms.h"
#include "base/file_read.h"
#include "sym/sym_search.h"

/*
 * kallsyms has no sizes: a symbol is taken to end where the next one starts,
 * capped so that an address far past the last symbol of a region (e.g. in
 * unlisted module or BPF memory) is not attributed to it.
 */
#define KSYM_MAX_SPAN (1ULL << 20)

/*
 * The BPF JIT allocates programs in packs of this alignment (x86 PMD size):
 * unnamed memory within the packs around known BPF symbols is BPF code too.
 */
#define BPF_PACK_SIZE (2ULL << 20)

struct kmod {
	const char *name;
	uint64_t base, last;	/* lowest and highest symbol address */
};

struct ksyms {
	char *buf;		/* the kallsyms text; names point into it */
	struct ksym *syms;
	size_t n;
	struct kmod *mods;
	size_t nmods, capmods;
	long bpf_mod;		/* index of "[bpf]", -1 when no BPF code is loaded */
};

static int mod_index(struct ksyms *k, const char *name, uint64_t addr, uint32_t *idx)
{
	size_t i;

	/* kallsyms lists a module's symbols together: the last one matches first. */
	for (i = k->nmods; i-- > 0;) {
		if (!strcmp(k->mods[i].name, name)) {
			if (addr < k->mods[i].base)
				k->mods[i].base = addr;
			if (addr > k->mods[i].last)
				k->mods[i].last = addr;
			*idx = i;
			return 0;
		}
	}
	if (VEC_RESERVE(k->mods, k->capmods, k->nmods + 1))
		return -ENOMEM;
	k->mods[k->nmods].name = name;
	k->mods[k->nmods].base = addr;
	k->mods[k->nmods].last = addr;
	*idx = k->nmods++;
	return 0;
}

/* Splits one line in place: "addr type name[\t[module]]". 1 when kept. */
/* Lowercase hex as kallsyms prints it; strtoull's generality costs here. */
static uint64_t parse_hex(char *s, char **end)
{
	uint64_t v = 0;
	unsigned int d;

	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		v = v << 4 | d;
	}
	*end = s;
	return v;
}

static int parse_line(struct ksyms *k, char *line, struct ksym *out)
{
	char *end, *name, *mod = NULL;
	uint64_t addr;
	char type;

	addr = parse_hex(line, &end);
	if (end == line || end - line > 16 || *end != ' ' || !end[1] || end[2] != ' ')
		return 0;
	type = end[1];
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 0;
	name = end + 3;
	end = strpbrk(name, " \t");
	if (end) {
		*end++ = '\0';
		mod = strchr(end, '[');
		if (mod && strchr(mod, ']'))
			strchr(mod, ']')[1] = '\0';
		else
			mod = NULL;
	}
	if (!*name)
		return 0;
	out->addr = addr;
	out->name = name;
	out->rank = type == 'T' ? 0 : type == 'W' ? 1 : type == 't' ? 2 : 3;
	out->mod = 0;
	if (mod && mod_index(k, mod, addr, &out->mod))
		return -ENOMEM;
	return 1;
}

static size_t leading_underscores(const char *s)
{
	size_t n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/* Address order; among aliases the global, least underscored, shortest name first. */
static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	size_t ux, uy, lx, ly;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	ux = leading_underscores(x->name);
	uy = leading_underscores(y->name);
	if (ux != uy)
		return ux < uy ? -1 : 1;
	lx = strlen(x->name);
	ly = strlen(y->name);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x->name, y->name);
}

static size_t count_lines(const char *buf)
{
	size_t n = 1;

	for (; (buf = strchr(buf, '\n')); buf++)
		n++;
	return n;
}

static int parse_all(struct ksyms *k, size_t *nonzero)
{
	char *line = k->buf, *nl;
	int ret;

	k->syms = calloc(count_lines(k->buf), sizeof(*k->syms));
	if (!k->syms)
		return -ENOMEM;
	/* Module index 0 is the kernel image itself. */
	if (mod_index(k, "[kernel]", UINT64_MAX, &(uint32_t){ 0 }))
		return -ENOMEM;
	for (; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		ret = parse_line(k, line, &k->syms[k->n]);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			*nonzero += k->syms[k->n].addr != 0;
			if (k->syms[k->n].mod == 0 && k->syms[k->n].addr < k->mods[0].base)
				k->mods[0].base = k->syms[k->n].addr;
			k->n++;
		}
	}
	return 0;
}

/*
 * kallsyms comes sorted by address but for a short tail (BPF programs,
 * ftrace trampolines): sort the tail alone and merge it in, instead of
 * sorting all. Aliases may stay in any order: dedup_aliases() picks one.
 */
static int sort_syms(struct ksyms *k)
{
	size_t split = 1, i, j, o;
	struct ksym *merged;

	while (split < k->n && k->syms[split - 1].addr <= k->syms[split].addr)
		split++;
	if (split >= k->n)
		return 0;
	qsort(k->syms + split, k->n - split, sizeof(*k->syms), ksym_cmp);
	merged = malloc(k->n * sizeof(*merged));
	if (!merged)
		return -ENOMEM;
	for (i = 0, j = split, o = 0; i < split || j < k->n;) {
		if (j >= k->n || (i < split && k->syms[i].addr <= k->syms[j].addr))
			merged[o++] = k->syms[i++];
		else
			merged[o++] = k->syms[j++];
	}
	free(k->syms);
	k->syms = merged;
	return 0;
}

static long find_mod(const struct ksyms *k, const char *name)
{
	for (size_t i = 0; i < k->nmods; i++)
		if (!strcmp(k->mods[i].name, name))
			return (long)i;
	return -1;
}

static void dedup_aliases(struct ksyms *k)
{
	size_t i, out = 0;

	for (i = 0; i < k->n; i++) {
		if (out && k->syms[out - 1].addr == k->syms[i].addr) {
			if (ksym_cmp(&k->syms[i], &k->syms[out - 1]) < 0)
				k->syms[out - 1] = k->syms[i];
			continue;
		}
		k->syms[out++] = k->syms[i];
	}
	k->n = out;
}

struct ksyms *ksyms__parse(char *buf, size_t len)
{
	struct ksyms *k = calloc(1, sizeof(*k));
	size_t nonzero = 0;
	int err;

	(void)len;
	if (!k) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	k->buf = buf;
	err = parse_all(k, &nonzero);
	if (!err && k->n && !nonzero)
		err = -EPERM;
	if (err) {
		ksyms__free(k);
		errno = -err;
		return NULL;
	}
	err = sort_syms(k);
	if (err) {
		ksyms__free(k);
		errno = -err;
		return NULL;
	}
	dedup_aliases(k);
	k->bpf_mod = find_mod(k, "[bpf]");
	return k;
}

struct ksyms *ksyms__load(const char *path)
{
	char *buf;
	size_t len;
	int err;

	err = file_read_all(path, &buf, &len);
	if (err) {
		errno = -err;
		return NULL;
	}
	return ksyms__parse(buf, len);
}

void ksyms__free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k->mods);
	free(k->buf);
	free(k);
}

const struct ksym *ksyms__find(const struct ksyms *k, uint64_t addr)
{
	const struct ksym *sym;
	size_t lo;

	if (!k)
		return NULL;
	sym = SYM_SEARCH_LE(k->syms, k->n, addr, addr);
	if (!sym || addr - sym->addr >= KSYM_MAX_SPAN)
		return NULL;
	/* The last symbol of a module is followed by unlisted memory: a tighter cap. */
	lo = sym - k->syms;
	if (lo + 1 < k->n && k->syms[lo + 1].mod != sym->mod &&
	    addr - sym->addr >= KSYM_MAX_SPAN / 16)
		return NULL;
	return sym;
}

const char *ksyms__module(const struct ksyms *k, const struct ksym *sym)
{
	return k->mods[sym->mod].name;
}

uint64_t ksyms__module_base(const struct ksyms *k, const struct ksym *sym)
{
	return k->mods[sym->mod].base;
}

bool ksyms__may_be_stale(const struct ksyms *k, const struct ksym *sym)
{
	size_t i = sym - k->syms;

	return sym->mod != 0 && (i + 1 == k->n || k->syms[i + 1].mod != sym->mod);
}

bool ksyms__in_bpf(const struct ksyms *k, uint64_t addr)
{
	uint64_t lo, hi;

	if (!k || k->bpf_mod < 0)
		return false;
	lo = k->mods[k->bpf_mod].base & ~(BPF_PACK_SIZE - 1);
	hi = (k->mods[k->bpf_mod].last & ~(BPF_PACK_SIZE - 1)) + BPF_PACK_SIZE;
	return addr >= lo && (addr < hi || hi < lo);
}

size_t ksyms__count(const struct ksyms *k)
{
	return k ? k->n : 0;
}
