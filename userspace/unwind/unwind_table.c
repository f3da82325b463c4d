// SPDX-License-Identifier: GPL-2.0
/* DWARF CFA programs to unwind rows (see unwind_table.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unwind/unwind_ehframe.h"
#include "unwind/unwind_table.h"

#define REG_RBP		6
#define REG_RSP		7
#define REG_RA		16
#define STATE_DEPTH	16	/* DW_CFA_remember_state nesting kept */

enum reg_rule { RR_SAME, RR_CFA_OFF, RR_AT_RBP, RR_UNDEF, RR_OTHER };

struct cfa_state {
	uint8_t cfa_rule;	/* enum kunwind_cfa_rule, GAP never */
	int64_t cfa_off;
	enum reg_rule rbp, ra;
	int64_t rbp_off, ra_off;
};

struct interp {
	struct unwind_table *t;
	const struct ehframe_cie *cie;
	struct cfa_state cur, init;
	struct cfa_state stack[STATE_DEPTH];
	int depth;
	bool overflowed;	/* remember_state went deeper than STATE_DEPTH */
	uint64_t loc, end;
	size_t fde_first;	/* the FDE's first row */
};

static int push_row(struct unwind_table *t, const struct unwind_row *r)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct unwind_row *rows = realloc(t->rows, cap * sizeof(*rows));

		if (!rows)
			return -ENOMEM;
		t->rows = rows;
		t->cap = cap;
	}
	t->rows[t->n++] = *r;
	return 0;
}

static void to_row(const struct cfa_state *s, struct unwind_row *r)
{
	r->cfa_rule = s->cfa_rule;
	r->cfa_off = (int32_t)s->cfa_off;
	if (s->cfa_off != r->cfa_off)
		r->cfa_rule = KUNWIND_CFA_UNSUPPORTED;
	if (s->ra == RR_UNDEF)
		r->cfa_rule = KUNWIND_CFA_OUTERMOST;
	else if (s->ra != RR_CFA_OFF || s->ra_off != -8)
		r->cfa_rule = KUNWIND_CFA_UNSUPPORTED;
	r->rbp_rule = KUNWIND_RBP_UNKNOWN;
	r->rbp_off = (int16_t)s->rbp_off;
	if (s->rbp == RR_SAME)
		r->rbp_rule = KUNWIND_RBP_SAME;
	else if (s->rbp_off == r->rbp_off)
		r->rbp_rule = s->rbp == RR_CFA_OFF ? KUNWIND_RBP_CFA :
			      s->rbp == RR_AT_RBP ? KUNWIND_RBP_AT_RBP : KUNWIND_RBP_UNKNOWN;
	if (r->rbp_rule == KUNWIND_RBP_SAME || r->rbp_rule == KUNWIND_RBP_UNKNOWN)
		r->rbp_off = 0;
}

/* The state from ip->loc on: replaces a row already at that address in this FDE. */
static int emit(struct interp *ip)
{
	struct unwind_row r = { .pc = ip->loc };

	if (ip->loc >= ip->end)
		return 0;
	to_row(&ip->cur, &r);
	if (ip->t->n > ip->fde_first && ip->t->rows[ip->t->n - 1].pc == ip->loc) {
		ip->t->rows[ip->t->n - 1] = r;
		return 0;
	}
	return push_row(ip->t, &r);
}

/*
 * @v (a ULEB operand read as signed, or an SLEB one) scaled by the CIE's data
 * alignment: a file may say anything, and a product past 64 bits is no stack
 * offset but undefined behaviour. -EINVAL for those.
 */
static int data_off(const struct interp *ip, uint64_t v, bool is_signed, int64_t *out)
{
	if (!is_signed && v > INT64_MAX)
		return -EINVAL;
	return __builtin_mul_overflow((int64_t)v, ip->cie->data_align, out) ? -EINVAL : 0;
}

static int advance(struct interp *ip, uint64_t delta)
{
	int err = emit(ip);

	ip->loc += delta * ip->cie->code_align;
	return err;
}

static void set_reg(struct interp *ip, uint64_t reg, enum reg_rule rule, int64_t off)
{
	if (reg == REG_RBP) {
		ip->cur.rbp = rule;
		ip->cur.rbp_off = off;
	} else if (reg == ip->cie->ra_reg) {
		ip->cur.ra = rule;
		ip->cur.ra_off = off;
	}
}

static void restore_reg(struct interp *ip, uint64_t reg)
{
	if (reg == REG_RBP) {
		ip->cur.rbp = ip->init.rbp;
		ip->cur.rbp_off = ip->init.rbp_off;
	} else if (reg == ip->cie->ra_reg) {
		ip->cur.ra = ip->init.ra;
		ip->cur.ra_off = ip->init.ra_off;
	}
}

static void def_cfa_reg(struct interp *ip, uint64_t reg)
{
	ip->cur.cfa_rule = reg == REG_RSP ? KUNWIND_CFA_RSP :
			   reg == REG_RBP ? KUNWIND_CFA_RBP : KUNWIND_CFA_UNSUPPORTED;
}

/* DW_CFA_def_cfa_expression: the two shapes compilers and linkers emit on x86-64. */
static void cfa_expression(struct interp *ip, const uint8_t *e, uint64_t len)
{
	/* breg7 8; breg16 0; lit15; and; lit10|lit11; ge; lit3; shl; plus (PLT entries) */
	static const uint8_t plt_head[] = { 0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a };
	static const uint8_t plt_tail[] = { 0x2a, 0x33, 0x24, 0x22 };
	const uint8_t *p = e + 1, *end = e + len;
	int64_t off;

	ip->cur.cfa_rule = KUNWIND_CFA_UNSUPPORTED;
	if (len == 11 && !memcmp(e, plt_head, 6) && e[6] >= 0x30 && e[6] <= 0x4f &&
	    !memcmp(e + 7, plt_tail, 4)) {
		ip->cur.cfa_rule = KUNWIND_CFA_PLT;
		ip->cur.cfa_off = e[6] - 0x30;
		return;
	}
	/* breg6 N; deref */
	if (len >= 3 && e[0] == 0x76 && !ehframe__sleb(&p, end, &off) && p + 1 == end &&
	    *p == 0x06) {
		ip->cur.cfa_rule = KUNWIND_CFA_DEREF_RBP;
		ip->cur.cfa_off = off;
	}
}

/* DW_CFA_expression for a register: rbp saved at "breg6 N" is the one followed. */
static void reg_expression(struct interp *ip, uint64_t reg, const uint8_t *e, uint64_t len)
{
	const uint8_t *p = e + 1, *end = e + len;
	int64_t off;

	if (reg == REG_RBP && len >= 2 && e[0] == 0x76 && !ehframe__sleb(&p, end, &off) &&
	    p == end)
		set_reg(ip, reg, RR_AT_RBP, off);
	else
		set_reg(ip, reg, RR_OTHER, 0);
}

static int remember(struct interp *ip)
{
	if (ip->depth < STATE_DEPTH)
		ip->stack[ip->depth] = ip->cur;
	else
		ip->overflowed = true;
	ip->depth++;
	return 0;
}

static int restore_state(struct interp *ip)
{
	/* The CFA is not part of the remembered state before DWARF 5's wording; GCC keeps it. */
	if (ip->depth == 0)
		return -EINVAL;
	ip->depth--;
	if (ip->depth < STATE_DEPTH)
		ip->cur = ip->stack[ip->depth];
	else
		ip->cur.cfa_rule = KUNWIND_CFA_UNSUPPORTED;
	return 0;
}

struct ops {
	const uint8_t *p, *end;
};

static int uleb(struct ops *o, uint64_t *v)
{
	return ehframe__uleb(&o->p, o->end, v);
}

static int sleb(struct ops *o, int64_t *v)
{
	return ehframe__sleb(&o->p, o->end, v);
}

static int block(struct ops *o, const uint8_t **b, uint64_t *len)
{
	if (uleb(o, len) || *len > (uint64_t)(o->end - o->p))
		return -EINVAL;
	*b = o->p;
	o->p += *len;
	return 0;
}

static int advance_fixed(struct interp *ip, struct ops *o, size_t n)
{
	uint32_t d = 0;

	if ((size_t)(o->end - o->p) < n)
		return -EINVAL;
	memcpy(&d, o->p, n);	/* little-endian */
	o->p += n;
	return advance(ip, d);
}

/* The register-rule opcodes (offset, restore, undefined, ...). */
static int reg_op(struct interp *ip, struct ops *o, uint8_t op)
{
	uint64_t reg, off, reg2, len;
	int64_t soff;
	const uint8_t *b;

	if (uleb(o, &reg))
		return -EINVAL;
	switch (op) {
	case 0x05:	/* offset_extended */
		if (uleb(o, &off) || data_off(ip, off, false, &soff))
			return -EINVAL;
		set_reg(ip, reg, RR_CFA_OFF, soff);
		return 0;
	case 0x11:	/* offset_extended_sf */
		if (sleb(o, &soff) || data_off(ip, soff, true, &soff))
			return -EINVAL;
		set_reg(ip, reg, RR_CFA_OFF, soff);
		return 0;
	case 0x06:	/* restore_extended */
		restore_reg(ip, reg);
		return 0;
	case 0x07:	/* undefined */
		set_reg(ip, reg, RR_UNDEF, 0);
		return 0;
	case 0x08:	/* same_value */
		set_reg(ip, reg, RR_SAME, 0);
		return 0;
	case 0x09:	/* register */
		if (uleb(o, &reg2))
			return -EINVAL;
		set_reg(ip, reg, RR_OTHER, 0);
		return 0;
	case 0x10:	/* expression */
		if (block(o, &b, &len))
			return -EINVAL;
		reg_expression(ip, reg, b, len);
		return 0;
	case 0x14:	/* val_offset */
	case 0x15:	/* val_offset_sf */
		if (op == 0x14 ? uleb(o, &off) : sleb(o, &soff))
			return -EINVAL;
		set_reg(ip, reg, RR_OTHER, 0);
		return 0;
	case 0x16:	/* val_expression */
		if (block(o, &b, &len))
			return -EINVAL;
		set_reg(ip, reg, RR_OTHER, 0);
		return 0;
	}
	return -EINVAL;
}

/* The CFA opcodes. */
static int cfa_op(struct interp *ip, struct ops *o, uint8_t op)
{
	uint64_t reg, off, len;
	int64_t soff;
	const uint8_t *b;

	switch (op) {
	case 0x0c:	/* def_cfa */
		if (uleb(o, &reg) || uleb(o, &off))
			return -EINVAL;
		def_cfa_reg(ip, reg);
		ip->cur.cfa_off = (int64_t)off;
		return 0;
	case 0x12:	/* def_cfa_sf */
		if (uleb(o, &reg) || sleb(o, &soff) || data_off(ip, soff, true, &soff))
			return -EINVAL;
		def_cfa_reg(ip, reg);
		ip->cur.cfa_off = soff;
		return 0;
	case 0x0d:	/* def_cfa_register: keeps the offset */
		if (uleb(o, &reg))
			return -EINVAL;
		def_cfa_reg(ip, reg);
		return 0;
	case 0x0e:	/* def_cfa_offset */
		if (uleb(o, &off))
			return -EINVAL;
		ip->cur.cfa_off = (int64_t)off;
		return 0;
	case 0x13:	/* def_cfa_offset_sf */
		if (sleb(o, &soff) || data_off(ip, soff, true, &soff))
			return -EINVAL;
		ip->cur.cfa_off = soff;
		return 0;
	case 0x0f:	/* def_cfa_expression */
		if (block(o, &b, &len))
			return -EINVAL;
		cfa_expression(ip, b, len);
		return 0;
	}
	return -EINVAL;
}

static int negative_offset(struct interp *ip, struct ops *o)
{
	uint64_t reg, off;
	int64_t soff;

	if (uleb(o, &reg) || uleb(o, &off) || data_off(ip, off, false, &soff) ||
	    soff == INT64_MIN)
		return -EINVAL;
	set_reg(ip, reg, RR_CFA_OFF, -soff);
	return 0;
}

static int extended_op(struct interp *ip, struct ops *o, uint8_t op)
{
	uint64_t v;

	switch (op) {
	case 0x00:	/* nop */
		return 0;
	case 0x01:	/* set_loc */
		if (ehframe__pointer(&o->p, o->end, ip->cie->fde_enc & 0x0f, 0, &v))
			return -EINVAL;
		if (emit(ip))
			return -ENOMEM;
		ip->loc = v;
		return 0;
	case 0x02:
		return advance_fixed(ip, o, 1);
	case 0x03:
		return advance_fixed(ip, o, 2);
	case 0x04:
		return advance_fixed(ip, o, 4);
	case 0x0a:
		return remember(ip);
	case 0x0b:
		return restore_state(ip);
	case 0x2e:	/* GNU_args_size: only matters to exception handling */
		return uleb(o, &v);
	case 0x2f:	/* GNU_negative_offset_extended */
		return negative_offset(ip, o);
	case 0x0c: case 0x0d: case 0x0e: case 0x0f: case 0x12: case 0x13:
		return cfa_op(ip, o, op);
	}
	return reg_op(ip, o, op);
}

/* Runs one CFA program; -EINVAL on an opcode it does not know or truncated operands. */
static int run(struct interp *ip, const uint8_t *insns, size_t len)
{
	struct ops o = { insns, insns + len };
	int err = 0;

	while (o.p < o.end && !err) {
		uint8_t op = *o.p++;
		uint64_t off;
		int64_t soff;

		switch (op & 0xc0) {
		case 0x40:	/* advance_loc */
			err = advance(ip, op & 0x3f);
			break;
		case 0x80:	/* offset */
			err = uleb(&o, &off);
			if (!err)
				err = data_off(ip, off, false, &soff);
			if (!err)
				set_reg(ip, op & 0x3f, RR_CFA_OFF, soff);
			break;
		case 0xc0:	/* restore */
			restore_reg(ip, op & 0x3f);
			break;
		default:
			err = extended_op(ip, &o, op);
		}
	}
	return err;
}

static int on_fde(void *ctx, const struct ehframe_cie *cie, const struct ehframe_fde *fde)
{
	struct unwind_table *t = ctx;
	struct interp ip = {
		.t = t, .cie = cie, .loc = fde->pc_begin, .end = fde->pc_begin + fde->pc_range,
		.fde_first = t->n,
		.cur = { .cfa_rule = KUNWIND_CFA_UNSUPPORTED, .rbp = RR_SAME, .ra = RR_OTHER },
	};
	struct unwind_row gap = { .pc = ip.end, .cfa_rule = KUNWIND_CFA_GAP };
	int err;

	if (ip.end < ip.loc)
		return 0;
	t->fdes++;
	/*
	 * A signal trampoline: its CFI describes the kernel's frame with
	 * expressions; the walker reads that frame's layout directly.
	 */
	if (cie->signal_frame) {
		struct unwind_row sig = { .pc = ip.loc, .cfa_rule = KUNWIND_CFA_SIGFRAME };

		err = push_row(t, &sig);
		return err ? err : push_row(t, &gap);
	}
	err = run(&ip, cie->insns, cie->insns_len);
	ip.init = ip.cur;
	ip.loc = fde->pc_begin;	/* CIE programs do not advance; be sure */
	ip.t->n = ip.fde_first;
	if (!err)
		err = run(&ip, fde->insns, fde->insns_len);
	if (err == -ENOMEM)
		return err;
	if (err || ip.overflowed)
		ip.cur.cfa_rule = KUNWIND_CFA_UNSUPPORTED;	/* what follows is unknown */
	err = emit(&ip);
	return err ? err : push_row(t, &gap);
}

static int cmp_row(const void *a, const void *b)
{
	const struct unwind_row *x = a, *y = b;

	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	/* Where one FDE ends and the next begins, the next one's rule counts. */
	return (x->cfa_rule == KUNWIND_CFA_GAP) - (y->cfa_rule == KUNWIND_CFA_GAP);
}

static bool same_rules(const struct unwind_row *a, const struct unwind_row *b)
{
	return a->cfa_rule == b->cfa_rule && a->cfa_off == b->cfa_off &&
	       a->rbp_rule == b->rbp_rule && a->rbp_off == b->rbp_off;
}

/* Sorted, one row per pc, none repeating its predecessor's rules. */
static void finish(struct unwind_table *t)
{
	size_t out = 0;

	if (!t->n)
		return;
	qsort(t->rows, t->n, sizeof(*t->rows), cmp_row);
	for (size_t i = 0; i < t->n; i++) {
		const struct unwind_row *r = &t->rows[i];

		if (out && (t->rows[out - 1].pc == r->pc || same_rules(&t->rows[out - 1], r)))
			continue;
		t->rows[out++] = *r;
	}
	t->n = out;
	t->unsupported = 0;
	for (size_t i = 0; i < t->n; i++)
		t->unsupported += t->rows[i].cfa_rule == KUNWIND_CFA_UNSUPPORTED;
}

static int from_cfi(const uint8_t *data, size_t size, uint64_t vaddr, bool debug_frame,
		    struct unwind_table *t)
{
	int err;

	memset(t, 0, sizeof(*t));
	err = debug_frame ? ehframe__walk_debug_frame(data, size, on_fde, t, &t->bad_fdes) :
			    ehframe__walk(data, size, vaddr, on_fde, t, &t->bad_fdes);
	if (err && err != -EINVAL) {
		unwind_table__clear(t);
		return err;
	}
	/* A malformed tail keeps the FDEs before it. */
	finish(t);
	return t->n ? 0 : -ENODATA;
}

int unwind_table__from_ehframe(const uint8_t *data, size_t size, uint64_t vaddr,
			       struct unwind_table *t)
{
	return from_cfi(data, size, vaddr, false, t);
}

int unwind_table__from_debug_frame(const uint8_t *data, size_t size, struct unwind_table *t)
{
	return from_cfi(data, size, 0, true, t);
}

static Elf_Scn *find_section(Elf *elf, const char *want)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, want) && sh.sh_type != SHT_NOBITS)
			return scn;
	}
	return NULL;
}

static void read_segments(Elf *elf, struct unwind_table *t)
{
	size_t n = 0;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return;
	for (size_t i = 0; i < n && t->nsegs < UNWIND_TABLE_SEGS; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		t->segs[t->nsegs++] = (struct unwind_table_seg){ ph.p_vaddr, ph.p_offset,
								 ph.p_filesz };
	}
}

int unwind_table__bias(const struct unwind_table_seg *segs, size_t nsegs, uint64_t start,
		       uint64_t pgoff, uint64_t *bias)
{
	for (size_t i = 0; i < nsegs; i++) {
		const struct unwind_table_seg *s = &segs[i];

		/* mmap() rounds the segment's offset down to a page */
		if (pgoff < (s->offset & ~0xfffULL) || pgoff >= s->offset + s->filesz)
			continue;
		*bias = start - pgoff - (s->vaddr - s->offset);
		return 0;
	}
	return -ENOENT;
}

/* The rows of section @name; -ENODATA when it is missing or holds no FDE. */
static int section_rows(Elf *elf, const char *name, struct unwind_table *t)
{
	bool debug = !strcmp(name, ".debug_frame");
	Elf_Scn *scn = find_section(elf, name);
	Elf_Data *d;
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return -ENODATA;
	/* -gz / dwz: debug sections may be zlib-compressed (SHF_COMPRESSED) */
	if ((sh.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
		return -ENODATA;
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf || !d->d_size)
		return -ENODATA;
	return debug ? unwind_table__from_debug_frame(d->d_buf, d->d_size, t) :
		       unwind_table__from_ehframe(d->d_buf, d->d_size, sh.sh_addr, t);
}

static int from_elf(Elf *elf, struct unwind_table *t)
{
	GElf_Ehdr eh;
	int err;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64 ||
	    gelf_getclass(elf) != ELFCLASS64)
		return -ENOEXEC;
	err = section_rows(elf, ".eh_frame", t);
	/*
	 * Built with -fno-asynchronous-unwind-tables -g, the CFI is in .debug_frame
	 * (the linker may still leave an .eh_frame without FDEs).
	 */
	if (err == -ENODATA) {
		err = section_rows(elf, ".debug_frame", t);
		t->from_debug_frame = !err;
	}
	if (!err)
		read_segments(elf, t);
	return err;
}

int unwind_table__from_elf(const char *path, struct unwind_table *t)
{
	Elf *elf;
	int fd, err;

	memset(t, 0, sizeof(*t));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	err = elf ? from_elf(elf, t) : -ENOEXEC;
	elf_end(elf);
	close(fd);
	return err;
}

const struct unwind_row *unwind_table__find(const struct unwind_table *t, uint64_t pc)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].pc <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->rows[lo - 1] : NULL;
}

struct kunwind_row unwind_table__pack(const struct unwind_row *r)
{
	struct kunwind_row k = { .pc = r->pc, .cfa_off = r->cfa_off };
	uint8_t cfa = r->cfa_rule, rbp = r->rbp_rule;

	if (k.cfa_off != r->cfa_off) {
		k.cfa_off = r->cfa_off / 8;
		if (cfa == KUNWIND_CFA_RSP && r->cfa_off % 8 == 0 && k.cfa_off * 8 == r->cfa_off)
			cfa = KUNWIND_CFA_RSP_X8;
		else
			cfa = KUNWIND_CFA_UNSUPPORTED;
	}
	k.rbp_off8 = r->rbp_off / 8;
	if (r->rbp_off % 8 || k.rbp_off8 * 8 != r->rbp_off)
		rbp = KUNWIND_RBP_UNKNOWN;
	k.rules = cfa | rbp << 4;
	return k;
}

void unwind_table__clear(struct unwind_table *t)
{
	if (!t)
		return;
	free(t->rows);
	memset(t, 0, sizeof(*t));
}
