// SPDX-License-Identifier: GPL-2.0
/*
 * A self-contained interactive flame graph: stacks merged into a tree
 * (root "all", then the process, then frames root first), each frame a
 * <g> with its name in <title> and <text>; output_svg_script.c adds hover,
 * zoom and search. Everything from the profile is XML-escaped text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "output/output_common.h"

#define SVG_WIDTH 1200
#define SVG_PAD 10
#define SVG_FRAME_H 16
#define SVG_TOP 74		/* title, subtitle, legend */
#define SVG_BOTTOM 30		/* status line */
#define SVG_CHAR_W 7.08		/* average glyph width at 12px */
#define SVG_MIN_PERMILLE 1	/* frames under 0.1% of samples are not drawn */

enum { KIND_ROOT = -2, KIND_PROCESS = -1 };

struct fg_node {
	const char *name;
	char *owned;		/* the process name, built per node */
	int kind;		/* enum frame_kind, KIND_ROOT or KIND_PROCESS */
	uint64_t total;
	struct fg_node *child, *next;
};

struct flamegraph {
	const struct profile_data *p;
	struct strmap *nodes;	/* (parent, kind, name) -> struct fg_node */
	struct fg_node root;
	struct strbuf key;
	uint64_t elided;	/* frames not drawn because they are too narrow */
	int max_depth;
	int height;
	double scale;		/* pixels per sample */
};

static struct fg_node *child_of(struct flamegraph *fg, struct fg_node *parent, int kind,
				const char *name)
{
	struct fg_node *n;
	int created;

	strbuf_reset(&fg->key);
	strbuf_add(&fg->key, &parent, sizeof(parent));
	strbuf_add(&fg->key, &kind, sizeof(kind));
	strbuf_adds(&fg->key, name);
	if (fg->key.err)
		return NULL;
	n = strmap__get(fg->nodes, fg->key.buf, fg->key.len, &created);
	if (n && created) {
		n->kind = kind;
		n->name = name;
		n->next = parent->child;
		parent->child = n;
	}
	return n;
}

static int add_stack(struct flamegraph *fg, const struct profile_stack *s,
		     const struct output_opts *o)
{
	struct strbuf proc = {0};
	struct fg_node *n;

	output_process_name(&proc, s, o);
	n = proc.err ? NULL : child_of(fg, &fg->root, KIND_PROCESS, proc.buf);
	if (n && !n->owned) {
		n->owned = proc.buf;	/* the node keeps the name it points to */
		proc.buf = NULL;
	}
	strbuf_free(&proc);
	for (int i = 0; n && i < s->nframes; i++) {
		n->total += s->count;
		n = child_of(fg, n, s->frames[i].kind, output_frame_name(&s->frames[i]));
	}
	if (!n)
		return -ENOMEM;
	n->total += s->count;
	fg->root.total += s->count;
	return 0;
}

static int drawn(const struct flamegraph *fg, const struct fg_node *n)
{
	return n->total * 1000 >= fg->root.total * SVG_MIN_PERMILLE && n->total;
}

/* Depth of the deepest drawn frame; counts the frames left out. */
static void measure(struct flamegraph *fg, const struct fg_node *n, int depth)
{
	if (!drawn(fg, n)) {
		fg->elided++;
		for (const struct fg_node *c = n->child; c; c = c->next)
			measure(fg, c, depth + 1);
		return;
	}
	if (depth > fg->max_depth)
		fg->max_depth = depth;
	for (const struct fg_node *c = n->child; c; c = c->next)
		measure(fg, c, depth + 1);
}

/* Length of the valid UTF-8 sequence at @s, 0 when it is not one. */
static int utf8_len(const unsigned char *s)
{
	int n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Writes @s as XML character data; with @max, only its first @max - 2
 * characters and ".." (for a name known to be longer). Names come from
 * binaries and may hold any byte: markup characters become entities;
 * control characters and invalid UTF-8, which XML cannot carry at all,
 * become '?'.
 */
static void xml_put(FILE *out, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t chars = 0;

	for (; *s; chars++) {
		int n = utf8_len(s);

		if (max && chars == max - 2) {
			fputs("..", out);
			return;
		}
		if (n > 1) {
			fwrite(s, 1, n, out);
			s += n;
			continue;
		}
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default: fputc(n == 1 && *s >= 0x20 && *s != 0x7f ? *s : '?', out);
		}
		s++;
	}
}

/* Characters of @s, counting a UTF-8 sequence (or a stray byte) as one. */
static size_t char_count(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0;

	while (*s) {
		int len = utf8_len(s);

		s += len ? len : 1;
		n++;
	}
	return n;
}

/*
 * A colour per frame kind, varied within the kind's palette by a hash of
 * the name so a function keeps its colour across graphs: warm for user
 * code, blue for the kernel, green for JIT code, grey for unknown/lost.
 */
static void frame_fill(const struct fg_node *n, char *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	double a, b;
	int r, g, bl;

	for (const unsigned char *c = (const unsigned char *)n->name; *c; c++)
		h = (h ^ *c) * 0x100000001b3ULL;
	a = (double)(h >> 40 & 0xffff) / 65536.0;
	b = (double)(h >> 16 & 0xffff) / 65536.0;
	switch (n->kind) {
	case FRAME_USER: r = 220 + 35 * a; g = 90 + 110 * b; bl = 40 + 40 * a; break;
	case FRAME_KERNEL: r = 60 + 50 * a; g = 130 + 60 * b; bl = 200 + 55 * a; break;
	case FRAME_JIT: r = 60 + 60 * a; g = 180 + 60 * b; bl = 60 + 50 * a; break;
	case FRAME_PYTHON: r = 40 + 40 * a; g = 170 + 50 * b; bl = 170 + 40 * a; break;
	case KIND_PROCESS: r = 170 + 40 * a; g = 140 + 40 * a; bl = 210 + 40 * b; break;
	case KIND_ROOT: r = g = bl = 200; break;
	default: r = g = bl = 170 + 50 * a; break;	/* unknown, lost */
	}
	snprintf(buf, len, "rgb(%d,%d,%d)", r, g, bl);
}

static const char *kind_label(int kind)
{
	if (kind == KIND_ROOT)
		return "";
	return kind == KIND_PROCESS ? "process" : output_kind_name(kind);
}

static int cmp_nodes(const void *a, const void *b)
{
	const struct fg_node *x = *(struct fg_node *const *)a, *y = *(struct fg_node *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->kind - y->kind;
}

/* The children in name order, as flame graphs lay them out; NULL on ENOMEM. */
static struct fg_node **sorted_children(const struct fg_node *n, size_t *count)
{
	struct fg_node **v;
	size_t k = 0;

	*count = 0;
	for (const struct fg_node *c = n->child; c; c = c->next)
		k++;
	v = calloc(k ? k : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (struct fg_node *c = n->child; c; c = c->next)
		v[(*count)++] = c;
	qsort(v, k, sizeof(*v), cmp_nodes);
	return v;
}

static void emit_label(FILE *out, const struct fg_node *n, double w)
{
	size_t fit = w > 6 ? (size_t)((w - 6) / SVG_CHAR_W) : 0;

	if (fit < 3)
		return;
	xml_put(out, n->name, char_count(n->name) > fit ? fit : 0);
}

static void emit_frame(struct flamegraph *fg, const struct fg_node *n, uint64_t offset,
		       int depth, FILE *out)
{
	double x = SVG_PAD + offset * fg->scale, w = n->total * fg->scale;
	int y = fg->height - SVG_BOTTOM - (depth + 1) * SVG_FRAME_H;
	char fill[32], amount[48];

	frame_fill(n, fill, sizeof(fill));
	fprintf(out, "<g class=\"f\" data-x=\"%llu\" data-w=\"%llu\" data-d=\"%d\" "
		"data-k=\"%s\"><title>", (unsigned long long)offset,
		(unsigned long long)n->total, depth, kind_label(n->kind));
	xml_put(out, n->name, 0);
	fprintf(out, " (%s, %.2f%%)</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
		"height=\"%d\" rx=\"2\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\">",
		output_amount(fg->p, n->total, amount, sizeof(amount)),
		100.0 * n->total / fg->root.total, x, y, w,
		SVG_FRAME_H - 1, fill, x + 3, y + SVG_FRAME_H - 4);
	emit_label(out, n, w);
	fputs("</text></g>\n", out);
}

static int emit_tree(struct flamegraph *fg, const struct fg_node *n, uint64_t offset,
		     int depth, FILE *out)
{
	struct fg_node **kids;
	size_t count;
	int err = 0;

	if (!drawn(fg, n))
		return 0;
	emit_frame(fg, n, offset, depth, out);
	kids = sorted_children(n, &count);
	if (!kids)
		return -ENOMEM;
	for (size_t i = 0; i < count && !err; i++) {
		err = emit_tree(fg, kids[i], offset, depth + 1, out);
		offset += kids[i]->total;
	}
	free(kids);
	return err;
}

static const char svg_style[] =
	"text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }\n"
	"g.f text { pointer-events: none; }\n"
	"g.f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n"
	".title { font-size: 17px; } .sub { fill: #555; }\n"
	".btn { cursor: pointer; fill: #2050a0; } .btn:hover { text-decoration: underline; }\n";

static void emit_subtitle(const struct profile_data *p, uint64_t total, FILE *out)
{
	if (p->command) {
		xml_put(out, p->command, 0);
		fputs(" | ", out);
	}
	fprintf(out, "%.2f s", (double)p->duration_ns / 1e9);
	char amount[48];

	if (p->freq_hz)
		fprintf(out, " at %u Hz", p->freq_hz);
	else if (p->period_ns && !output_timed(p))
		fprintf(out, ", a sample every %.3f ms", (double)p->period_ns / 1e6);
	if (p->hostname) {
		fputs(" | host ", out);
		xml_put(out, p->hostname, 0);
	}
	fprintf(out, " | %s", output_amount(p, total, amount, sizeof(amount)));
	if (p->lost_samples && output_timed(p))
		fprintf(out, ", %s lost", output_amount(p, p->lost_samples, amount, sizeof(amount)));
	else if (p->lost_samples)
		fprintf(out, ", %llu lost", (unsigned long long)p->lost_samples);
}

static void emit_legend(const struct flamegraph *fg, FILE *out)
{
	static const int kinds[] = {FRAME_USER, FRAME_KERNEL, FRAME_JIT, FRAME_PYTHON,
				    FRAME_UNKNOWN};
	static const char *const labels[] = {"user", "kernel", "JIT", "Python", "unknown / lost"};
	struct fg_node sample = {.name = ""};
	char fill[32];
	int x = SVG_PAD;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		sample.kind = kinds[i];
		frame_fill(&sample, fill, sizeof(fill));
		fprintf(out, "<rect x=\"%d\" y=\"52\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"62\">%s</text>\n", x, fill, x + 16, labels[i]);
		x += 30 + 8 * (int)strlen(labels[i]);
	}
	if (fg->elided)
		fprintf(out, "<text x=\"%d\" y=\"62\" text-anchor=\"end\" class=\"sub\">"
			"%llu frames "
			"under 0.1%% not drawn (their samples are in their callers)</text>\n",
			SVG_WIDTH - SVG_PAD, (unsigned long long)fg->elided);
}

static void emit_header(const struct flamegraph *fg, const struct profile_data *p, FILE *out)
{
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" data-unit=\"%s\">\n<style>\n%s</style>\n"
		"<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"#f6f6f2\"/>\n"
		"<text class=\"title\" x=\"%d\" y=\"24\" text-anchor=\"middle\">",
		SVG_WIDTH, fg->height, SVG_WIDTH, fg->height, p->wall ? "us-wall" : p->off_cpu ? "us-off-cpu" : "samples",
		svg_style, SVG_WIDTH / 2);
	xml_put(out, p->title ? p->title : p->wall ? "Wall-clock profile" :
		p->off_cpu ? "Off-CPU profile" : "CPU profile", 0);
	fprintf(out, "</text>\n<text class=\"sub\" x=\"%d\" y=\"42\" text-anchor=\"middle\">",
		SVG_WIDTH / 2);
	emit_subtitle(p, fg->root.total, out);
	fprintf(out, "</text>\n<text id=\"unzoom\" class=\"btn\" x=\"%d\" y=\"24\" "
		"style=\"display:none\">Reset zoom</text>\n"
		"<text id=\"search\" class=\"btn\" x=\"%d\" y=\"24\" "
		"text-anchor=\"end\">Search</text>\n"
		"<text id=\"unsearch\" class=\"btn\" x=\"%d\" y=\"42\" text-anchor=\"end\" "
		"style=\"display:none\">Reset search</text>\n",
		SVG_PAD, SVG_WIDTH - SVG_PAD, SVG_WIDTH - SVG_PAD);
	emit_legend(fg, out);
	if (!fg->root.total)
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">No samples</text>\n",
			SVG_WIDTH / 2, SVG_TOP + 14);
}

static void emit_footer(const struct flamegraph *fg, FILE *out)
{
	fprintf(out, "<text id=\"status\" x=\"%d\" y=\"%d\"> </text>\n"
		"<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"> </text>\n"
		"<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n</svg>\n",
		SVG_PAD, fg->height - 10, SVG_WIDTH - SVG_PAD, fg->height - 10, output_svg_script);
}

static void flamegraph_free(struct flamegraph *fg)
{
	for (size_t i = 0; fg->nodes && i < strmap__count(fg->nodes); i++)
		free(((struct fg_node *)strmap__value(fg->nodes, i))->owned);
	strmap__free(fg->nodes);
	strbuf_free(&fg->key);
}

int output_svg(const struct profile_data *p, const struct output_opts *o, FILE *out)
{
	struct flamegraph fg = {.p = p, .root = {.name = "all", .kind = KIND_ROOT}};
	int err = 0;

	fg.nodes = strmap__new(sizeof(struct fg_node));
	if (!fg.nodes)
		return -ENOMEM;
	for (size_t i = 0; i < p->nstacks && !err; i++)
		if (p->stacks[i].count)
			err = add_stack(&fg, &p->stacks[i], o);
	if (!err) {
		if (fg.root.total)
			measure(&fg, &fg.root, 0);
		fg.height = SVG_TOP + (fg.max_depth + 1) * SVG_FRAME_H + SVG_BOTTOM;
		fg.scale = fg.root.total ? (double)(SVG_WIDTH - 2 * SVG_PAD) / fg.root.total : 0;
		emit_header(&fg, p, out);
		err = emit_tree(&fg, &fg.root, 0, 0, out);
		emit_footer(&fg, out);
	}
	flamegraph_free(&fg);
	if (!err && ferror(out))
		err = -EIO;
	return err;
}
