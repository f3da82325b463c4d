// SPDX-License-Identifier: GPL-2.0
/* ELF segments and .eh_frame_hdr for the DWARF unwinder (see unwind_elf.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "base/file_read.h"
#include "unwind/unwind_elf.h"

#define PAGE_MASK_4K (~(uint64_t)4095)

/* DWARF pointer encodings used by .eh_frame_hdr (LSB 3.0, "DWARF Extensions"). */
#define DW_EH_PE_omit 0xff
#define DW_EH_PE_FORMAT 0x0f
#define DW_EH_PE_APPL 0x70
#define DW_EH_PE_pcrel 0x10
#define DW_EH_PE_datarel 0x30
#define DW_EH_PE_datarel_sdata4 0x3b

struct eh_hdr_cursor {
	const struct unwind_elf *e;
	uint64_t vaddr;
};

static int read_encoded(struct eh_hdr_cursor *c, uint8_t enc, uint64_t hdr, uint64_t *val)
{
	uint64_t pc = c->vaddr;
	size_t len;
	union {
		uint16_t u16;
		int16_t s16;
		uint32_t u32;
		int32_t s32;
		uint64_t u64;
	} v = { 0 };

	switch (enc & DW_EH_PE_FORMAT) {
	case 0x00: case 0x04: case 0x0c: len = 8; break;
	case 0x02: case 0x0a: len = 2; break;
	case 0x03: case 0x0b: len = 4; break;
	default: return -ENOTSUP;
	}
	if (unwind_elf__read(c->e, c->vaddr, &v, len))
		return -EFAULT;
	c->vaddr += len;
	switch (enc & DW_EH_PE_FORMAT) {
	case 0x02: *val = v.u16; break;
	case 0x0a: *val = (uint64_t)(int64_t)v.s16; break;
	case 0x03: *val = v.u32; break;
	case 0x0b: *val = (uint64_t)(int64_t)v.s32; break;
	default: *val = v.u64; break;
	}
	if ((enc & DW_EH_PE_APPL) == DW_EH_PE_pcrel)
		*val += pc;
	else if ((enc & DW_EH_PE_APPL) == DW_EH_PE_datarel)
		*val += hdr;
	return 0;
}

/* Only the datarel/sdata4 table can be binary-searched, by us and by libunwind. */
static void parse_eh_frame_hdr(struct unwind_elf *e, uint64_t hdr)
{
	struct eh_hdr_cursor c = { .e = e, .vaddr = hdr + 4 };
	uint8_t h[4];
	uint64_t ptr, count;

	if (unwind_elf__read(e, hdr, h, sizeof(h)) || h[0] != 1)
		return;
	if (h[1] == DW_EH_PE_omit || h[2] == DW_EH_PE_omit || h[3] != DW_EH_PE_datarel_sdata4)
		return;
	if (read_encoded(&c, h[1], hdr, &ptr) || read_encoded(&c, h[2], hdr, &count))
		return;
	if (!count || unwind_elf__read(e, c.vaddr + count * 8 - 4, &h, 4))
		return;
	e->hdr_vaddr = hdr;
	e->table_vaddr = c.vaddr;
	e->fde_count = count;
}

static int load_segments(struct unwind_elf *e, Elf *elf)
{
	uint64_t hdr = 0;
	size_t i, n;
	GElf_Phdr ph;

	if (elf_kind(elf) != ELF_K_ELF || gelf_getclass(elf) != ELFCLASS64 ||
	    elf_getphdrnum(elf, &n))
		return -ENOEXEC;
	e->segs = calloc(n ? n : 1, sizeof(*e->segs));
	if (!e->segs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph))
			return -ENOEXEC;
		if (ph.p_type == PT_GNU_EH_FRAME)
			hdr = ph.p_vaddr;
		if (ph.p_type != PT_LOAD || ph.p_offset + ph.p_filesz > e->size)
			continue;
		e->segs[e->nsegs].vaddr = ph.p_vaddr;
		e->segs[e->nsegs].offset = ph.p_offset;
		e->segs[e->nsegs].filesz = ph.p_filesz;
		e->nsegs++;
	}
	if (!e->nsegs)
		return -ENOEXEC;
	if (hdr)
		parse_eh_frame_hdr(e, hdr);
	return 0;
}

static int elf_init(struct unwind_elf *e)
{
	Elf *elf;
	int err;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)e->data, e->size);
	if (!elf)
		return -ENOEXEC;
	err = load_segments(e, elf);
	elf_end(elf);
	return err;
}

int unwind_elf__from_memory(const void *data, size_t size, struct unwind_elf **out)
{
	struct unwind_elf *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return -ENOMEM;
	e->data = data;
	e->size = size;
	err = elf_init(e);
	if (err) {
		unwind_elf__free(e);
		return err;
	}
	*out = e;
	return 0;
}

int unwind_elf__open(const char *path, struct unwind_elf **out)
{
	struct unwind_elf *e = NULL;
	struct stat st;
	void *data;
	int fd, err;

	fd = file_open_regular(path, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return -ENOEXEC;
	}
	data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	err = data == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err)
		return err;
	err = unwind_elf__from_memory(data, st.st_size, &e);
	if (err) {
		munmap(data, st.st_size);
		return err;
	}
	e->mapped = 1;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	*out = e;
	return 0;
}

void unwind_elf__free(struct unwind_elf *e)
{
	if (!e)
		return;
	if (e->mapped)
		munmap((void *)e->data, e->size);
	free(e->segs);
	free(e);
}

int unwind_elf__read(const struct unwind_elf *e, uint64_t vaddr, void *buf, size_t len)
{
	size_t i;

	for (i = 0; i < e->nsegs; i++) {
		const struct unwind_seg *s = &e->segs[i];

		if (vaddr < s->vaddr || vaddr - s->vaddr > s->filesz || len > s->filesz ||
		    vaddr - s->vaddr > s->filesz - len)
			continue;
		memcpy(buf, e->data + s->offset + (vaddr - s->vaddr), len);
		return 0;
	}
	return -EFAULT;
}

int unwind_elf__bias(const struct unwind_elf *e, uint64_t map_start, uint64_t pgoff,
		     uint64_t *bias)
{
	size_t i;

	for (i = 0; i < e->nsegs; i++) {
		const struct unwind_seg *s = &e->segs[i];

		if (pgoff < (s->offset & PAGE_MASK_4K) || pgoff >= s->offset + s->filesz)
			continue;
		*bias = map_start - pgoff - (s->vaddr - s->offset);
		return 0;
	}
	return -ENOENT;
}

/* Table entries are (initial location, FDE) as int32 offsets from .eh_frame_hdr. */
static int table_entry(const struct unwind_elf *e, uint64_t i, int32_t ent[2])
{
	return unwind_elf__read(e, e->table_vaddr + i * 8, ent, 8);
}

int unwind_elf__find_fde(const struct unwind_elf *e, uint64_t vaddr, uint64_t *func_vaddr,
			 uint64_t *fde_vaddr)
{
	uint64_t lo = 0, hi = e->fde_count;
	int32_t ent[2];

	if (!e->hdr_vaddr)
		return -ENODATA;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (table_entry(e, mid, ent))
			return -ENODATA;
		if (e->hdr_vaddr + ent[0] <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || table_entry(e, lo - 1, ent))
		return -ENOENT;
	*func_vaddr = e->hdr_vaddr + ent[0];
	*fde_vaddr = e->hdr_vaddr + ent[1];
	return 0;
}

/*
 * push %rbp first (after an endbr64), then mov %rsp,%rbp within a few
 * instructions: compilers schedule other work between the two.
 */
static int has_fp_prologue(const struct unwind_elf *e, uint64_t func)
{
	static const uint8_t endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const uint8_t mov_rsp_rbp[3] = { 0x48, 0x89, 0xe5 };
	uint8_t code[24];
	size_t i = 0;

	if (unwind_elf__read(e, func, code, sizeof(code)))
		return -EFAULT;
	if (!memcmp(code, endbr64, 4))
		i = 4;
	if (code[i] != 0x55)
		return 0;
	for (i++; i + sizeof(mov_rsp_rbp) <= sizeof(code); i++)
		if (!memcmp(code + i, mov_rsp_rbp, sizeof(mov_rsp_rbp)))
			return 1;
	return 0;
}

int unwind_elf__fp_prologues(const struct unwind_elf *e, int *sampled, int *with_fp)
{
	uint64_t i, step;
	int32_t ent[2];
	int r;

	*sampled = *with_fp = 0;
	if (!e->hdr_vaddr)
		return -ENODATA;
	step = e->fde_count / 32 ? e->fde_count / 32 : 1;
	for (i = 0; i < e->fde_count; i += step) {
		if (table_entry(e, i, ent))
			break;
		r = has_fp_prologue(e, e->hdr_vaddr + ent[0]);
		if (r < 0)
			continue;
		(*sampled)++;
		*with_fp += r;
	}
	return 0;
}
