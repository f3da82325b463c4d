// SPDX-License-Identifier: GPL-2.0
/* .eh_frame CIE/FDE parsing (see unwind_ehframe.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "unwind/unwind_ehframe.h"

#define DW_EH_PE_omit	0xff
#define DW_EH_PE_absptr	0x00
#define DW_EH_PE_uleb128 0x01
#define DW_EH_PE_udata2	0x02
#define DW_EH_PE_udata4	0x03
#define DW_EH_PE_udata8	0x04
#define DW_EH_PE_sleb128 0x09
#define DW_EH_PE_sdata2	0x0a
#define DW_EH_PE_sdata4	0x0b
#define DW_EH_PE_sdata8	0x0c
#define DW_EH_PE_pcrel	0x10
#define DW_EH_PE_indirect 0x80

int ehframe__uleb(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	while (*p < end) {
		uint8_t b = *(*p)++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -EINVAL;
}

int ehframe__sleb(const uint8_t **p, const uint8_t *end, int64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	while (*p < end) {
		uint8_t b = *(*p)++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			if (shift < 64 && (b & 0x40))
				v |= ~0ULL << shift;
			*out = (int64_t)v;
			return 0;
		}
	}
	return -EINVAL;
}

static int fixed(const uint8_t **p, const uint8_t *end, size_t n, void *out)
{
	if ((size_t)(end - *p) < n)
		return -EINVAL;
	memcpy(out, *p, n);
	*p += n;
	return 0;
}

/* The value of an encoded pointer before its application (pcrel, ...). */
static int raw_pointer(const uint8_t **p, const uint8_t *end, uint8_t fmt, uint64_t *out)
{
	union { uint16_t u16; int16_t s16; uint32_t u32; int32_t s32; uint64_t u64; } v = { 0 };
	int64_t s;
	int err;

	switch (fmt) {
	case DW_EH_PE_absptr:
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		err = fixed(p, end, 8, &v.u64);
		*out = v.u64;
		return err;
	case DW_EH_PE_uleb128:
		return ehframe__uleb(p, end, out);
	case DW_EH_PE_sleb128:
		err = ehframe__sleb(p, end, &s);
		*out = (uint64_t)s;
		return err;
	case DW_EH_PE_udata2:
	case DW_EH_PE_sdata2:
		err = fixed(p, end, 2, &v.u16);
		*out = fmt == DW_EH_PE_udata2 ? (uint64_t)v.u16 : (uint64_t)(int64_t)v.s16;
		return err;
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		err = fixed(p, end, 4, &v.u32);
		*out = fmt == DW_EH_PE_udata4 ? (uint64_t)v.u32 : (uint64_t)(int64_t)v.s32;
		return err;
	}
	return -EINVAL;
}

int ehframe__pointer(const uint8_t **p, const uint8_t *end, uint8_t enc, uint64_t pc_vaddr,
		     uint64_t *out)
{
	uint64_t v;
	int err;

	if (enc == DW_EH_PE_omit)
		return -EINVAL;
	err = raw_pointer(p, end, enc & 0x0f, &v);
	if (err)
		return err;
	switch (enc & 0x70) {
	case 0:
		break;
	case DW_EH_PE_pcrel:
		v += pc_vaddr;
		break;
	default:	/* textrel, datarel, funcrel: not used for FDE addresses on x86-64 */
		return -EINVAL;
	}
	*out = v;
	return 0;
}

struct section {
	const uint8_t *data;
	size_t size;
	uint64_t vaddr;
	bool debug;		/* .debug_frame: CIE id ~0, CIE pointers from the start */
};

#define DEBUG_FRAME_CIE_ID 0xffffffffU

static uint64_t vaddr_of(const struct section *s, const uint8_t *p)
{
	return s->vaddr + (uint64_t)(p - s->data);
}

/* The "zPLRS" augmentation data: only R (FDE encoding) and S matter to unwinding. */
static int cie_augmentation(const struct section *s, const char *aug, const uint8_t **p,
			    const uint8_t *end, struct ehframe_cie *c)
{
	const uint8_t *data_end;
	uint64_t len, ignored;

	if (aug[0] != 'z')
		return aug[0] ? -EINVAL : 0;
	c->has_aug_data = 1;
	if (ehframe__uleb(p, end, &len) || len > (uint64_t)(end - *p))
		return -EINVAL;
	data_end = *p + len;
	for (aug++; *aug; aug++) {
		if (*aug == 'R') {
			if (fixed(p, data_end, 1, &c->fde_enc))
				return -EINVAL;
		} else if (*aug == 'P') {
			uint8_t enc;

			if (fixed(p, data_end, 1, &enc) ||
			    ehframe__pointer(p, data_end, enc & 0x7f, vaddr_of(s, *p), &ignored))
				return -EINVAL;
		} else if (*aug == 'L') {
			*p += 1;	/* LSDA encoding */
		} else if (*aug == 'S') {
			c->signal_frame = 1;
		} else if (*aug != 'B' && *aug != 'G') {
			return -EINVAL;
		}
	}
	*p = data_end;
	return 0;
}

/* The CIE whose body (after its id field) spans [p, end). */
static int parse_cie(const struct section *s, const uint8_t *p, const uint8_t *end,
		     struct ehframe_cie *c)
{
	const char *aug;
	uint8_t version;

	memset(c, 0, sizeof(*c));
	c->fde_enc = DW_EH_PE_absptr;
	if (fixed(&p, end, 1, &version) ||
	    (version != 1 && version != 3 && (version != 4 || !s->debug)))
		return -EINVAL;
	aug = (const char *)p;
	p = memchr(p, '\0', end - p);
	if (!p)
		return -EINVAL;
	p++;
	if (strstr(aug, "eh"))
		return -EINVAL;	/* GCC 2.x's pointer-sized field: never produced today */
	if (version == 4) {	/* DWARF 4 .debug_frame: address and segment selector sizes */
		uint8_t sizes[2];

		if (fixed(&p, end, 2, sizes) || sizes[0] != 8 || sizes[1] != 0)
			return -EINVAL;
	}
	if (ehframe__uleb(&p, end, &c->code_align) || ehframe__sleb(&p, end, &c->data_align))
		return -EINVAL;
	if (version == 1) {
		uint8_t r;

		if (fixed(&p, end, 1, &r))
			return -EINVAL;
		c->ra_reg = r;
	} else if (ehframe__uleb(&p, end, &c->ra_reg)) {
		return -EINVAL;
	}
	if (cie_augmentation(s, aug, &p, end, c))
		return -EINVAL;
	c->insns = p;
	c->insns_len = end - p;
	return 0;
}

static int parse_fde(const struct section *s, const struct ehframe_cie *c, const uint8_t *p,
		     const uint8_t *end, struct ehframe_fde *f)
{
	uint64_t len;

	if (ehframe__pointer(&p, end, c->fde_enc, vaddr_of(s, p), &f->pc_begin) ||
	    ehframe__pointer(&p, end, c->fde_enc & 0x0f, 0, &f->pc_range))
		return -EINVAL;
	if (c->has_aug_data) {
		if (ehframe__uleb(&p, end, &len) || len > (uint64_t)(end - p))
			return -EINVAL;
		p += len;
	}
	f->insns = p;
	f->insns_len = end - p;
	return 0;
}

/* One entry at @p: its body bounds and CIE pointer (0 for a CIE). */
static int entry_bounds(const struct section *s, const uint8_t *p, const uint8_t **body,
			const uint8_t **next, uint32_t *id, const uint8_t **id_pos)
{
	const uint8_t *end = s->data + s->size;
	uint32_t len32;
	uint64_t len;

	if (fixed(&p, end, 4, &len32))
		return -EINVAL;
	len = len32;
	/* 64-bit DWARF: .debug_frame's ids grow to 8 bytes with it; not produced by default */
	if (len32 == 0xffffffff && (s->debug || fixed(&p, end, 8, &len)))
		return -EINVAL;
	if (len == 0) {
		*next = NULL;	/* terminator */
		return 0;
	}
	if (len > (uint64_t)(end - p) || len < 4)
		return -EINVAL;
	*next = p + len;
	*id_pos = p;
	memcpy(id, p, 4);
	*body = p + 4;
	return 0;
}

static int one_fde(const struct section *s, const uint8_t *id_pos, uint32_t id,
		   const uint8_t *body, const uint8_t *next, ehframe_fde_fn fn, void *ctx,
		   size_t *skipped)
{
	const uint8_t *cie_body, *cie_next, *cie_id_pos, *cie_at;
	struct ehframe_cie cie;
	struct ehframe_fde fde;
	uint32_t cie_id;

	/* .eh_frame's CIE pointer counts back from its own position, .debug_frame's from the start. */
	if (s->debug ? id >= s->size : id > (uint64_t)(id_pos - s->data))
		goto skip;
	cie_at = s->debug ? s->data + id : id_pos - id;
	if (entry_bounds(s, cie_at, &cie_body, &cie_next, &cie_id, &cie_id_pos) ||
	    !cie_next || cie_id != (s->debug ? DEBUG_FRAME_CIE_ID : 0) ||
	    parse_cie(s, cie_body, cie_next, &cie) ||
	    parse_fde(s, &cie, body, next, &fde))
		goto skip;
	if (!fde.pc_begin && !fde.pc_range)
		return 0;	/* discarded by the linker */
	return fn(ctx, &cie, &fde);
skip:
	if (skipped)
		(*skipped)++;
	return 0;
}

static int walk(const struct section *sec, ehframe_fde_fn fn, void *ctx, size_t *skipped)
{
	const struct section s = *sec;
	const uint8_t *data = s.data;
	size_t size = s.size;
	const uint8_t *p = data, *body, *next, *id_pos;
	uint32_t id;
	int err;

	while (p < data + size) {
		if (entry_bounds(&s, p, &body, &next, &id, &id_pos))
			return -EINVAL;
		if (!next)
			break;
		if (id != (s.debug ? DEBUG_FRAME_CIE_ID : 0)) {
			err = one_fde(&s, id_pos, id, body, next, fn, ctx, skipped);
			if (err)
				return err;
		}
		p = next;
	}
	return 0;
}

int ehframe__walk(const uint8_t *data, size_t size, uint64_t vaddr, ehframe_fde_fn fn, void *ctx,
		  size_t *skipped)
{
	struct section s = { data, size, vaddr, false };

	return walk(&s, fn, ctx, skipped);
}

int ehframe__walk_debug_frame(const uint8_t *data, size_t size, ehframe_fde_fn fn, void *ctx,
			      size_t *skipped)
{
	struct section s = { data, size, 0, true };

	return walk(&s, fn, ctx, skipped);
}
