// SPDX-License-Identifier: GPL-2.0
/*
 * A static flame graph as an inline <svg>: no script, so it can sit inside
 * the HTML report next to others; <title> elements give the hover text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_flame.h"

#define SVG_W 1200
#define ROW 16
#define PAD 10
#define TOP 34
#define MAX_DEPTH 200

void report_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* Control characters are not allowed in XML 1.0 at all. */
			if (c < 0x20 && c != '\t' && c != '\n')
				fputc('?', out);
			else
				fputc(c, out);
		}
	}
}

/* The depth of what is drawn: frames too narrow to see do not make the graph taller. */
static int depth_of(const struct flame *f, uint32_t n, int d, uint64_t min_count)
{
	int best = d;

	if (d >= MAX_DEPTH)
		return d;
	for (uint32_t c = f->n[n].child; c; c = f->n[c].next) {
		int cd = f->n[c].count >= min_count ? depth_of(f, c, d + 1, min_count) : d;

		if (cd > best)
			best = cd;
	}
	return best;
}

static unsigned int hash_name(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void fill_colour(const struct flame *f, const struct flame_node *n, bool diff,
			char *buf, size_t len)
{
	unsigned int h = hash_name(n->name);
	double d, k;

	if (!diff) {
		if (n->kernel)
			snprintf(buf, len, "rgb(%u,%u,%u)", 200 + h % 50, 120 + h / 50 % 60, 40);
		else
			snprintf(buf, len, "rgb(%u,%u,%u)", 205 + h % 50, h / 50 % 200,
				 h / 9000 % 55);
		return;
	}
	if (!f->base_total) {
		snprintf(buf, len, "rgb(200,200,200)");
		return;
	}
	d = (double)n->count / f->total - (double)n->base / f->base_total;
	k = d < 0 ? -d : d;
	k = k > 0.2 ? 1 : k / 0.2;	/* full colour at 20 points of change */
	if (d >= 0)
		snprintf(buf, len, "rgb(255,%d,%d)", (int)(230 - 190 * k), (int)(230 - 190 * k));
	else
		snprintf(buf, len, "rgb(%d,%d,255)", (int)(230 - 190 * k), (int)(230 - 190 * k));
}

static void hover_text(const struct flame *f, const struct flame_node *n, bool diff,
		       FILE *out)
{
	report_escape(out, n->name);
	fprintf(out, " (%llu samples, %.2f%%", (unsigned long long)n->count,
		f->total ? 100.0 * n->count / f->total : 0);
	if (diff && f->base_total)
		fprintf(out, "; before: %.2f%%", 100.0 * n->base / f->base_total);
	fputc(')', out);
}

struct draw {
	const struct flame *f;
	bool diff;
	FILE *out;
	int height;
	double scale;	/* pixels per sample */
};

static void draw_children(const struct draw *d, uint32_t i, double x, int depth);

static void draw_node(const struct draw *d, uint32_t i, double x, int depth)
{
	const struct flame_node *n = &d->f->n[i];
	double w = n->count * d->scale;
	int y = d->height - PAD - (depth + 1) * ROW;
	char colour[40];
	size_t chars;

	if (w < 0.3 || depth > MAX_DEPTH)
		return;
	fill_colour(d->f, n, d->diff, colour, sizeof(colour));
	fputs("<g><title>", d->out);
	hover_text(d->f, n, d->diff, d->out);
	fprintf(d->out, "</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
		"fill=\"%s\" rx=\"2\"/>", x, y, w, ROW - 1, colour);
	chars = (size_t)(w / 7);
	if (chars >= 3) {
		char label[256];

		snprintf(label, sizeof(label), "%s", n->name);
		if (strlen(label) > chars)
			snprintf(label + chars - 2, sizeof(label) - chars + 2, "..");
		fprintf(d->out, "<text x=\"%.1f\" y=\"%d\">", x + 3, y + ROW - 4);
		report_escape(d->out, label);
		fputs("</text>", d->out);
	}
	fputs("</g>\n", d->out);
	draw_children(d, i, x, depth + 1);
}

static const struct flame *g_sort_flame;	/* qsort has no context argument */

static int by_name(const void *a, const void *b)
{
	return strcmp(g_sort_flame->n[*(const uint32_t *)a].name,
		      g_sort_flame->n[*(const uint32_t *)b].name);
}

/* Children in name order, as flame graphs (and output_svg) lay them out. */
static void draw_children(const struct draw *d, uint32_t i, double x, int depth)
{
	uint32_t *kids, n = 0;

	for (uint32_t c = d->f->n[i].child; c; c = d->f->n[c].next)
		n++;
	kids = n ? malloc(n * sizeof(*kids)) : NULL;
	if (!kids)
		return;
	n = 0;
	for (uint32_t c = d->f->n[i].child; c; c = d->f->n[c].next)
		kids[n++] = c;
	g_sort_flame = d->f;
	qsort(kids, n, sizeof(*kids), by_name);
	for (uint32_t k = 0; k < n; k++) {
		draw_node(d, kids[k], x, depth);
		x += d->f->n[kids[k]].count * d->scale;
	}
	free(kids);
}

int flame_svg(const struct flame *f, bool diff, const char *title, FILE *out)
{
	struct draw d = { .f = f, .diff = diff, .out = out };
	int depth;

	d.scale = f->total ? (double)(SVG_W - 2 * PAD) / f->total : 0;
	depth = f->nn && d.scale > 0 ? depth_of(f, 0, 0, (uint64_t)(0.3 / d.scale) + 1) : 0;
	d.height = TOP + (depth + 1) * ROW + PAD;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"flame\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\">\n",
		SVG_W, d.height, SVG_W, d.height);
	fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fbfbf6\"/>"
		"<text x=\"%d\" y=\"20\" font-size=\"14\">", PAD);
	report_escape(out, title);
	fprintf(out, " &#8212; %llu samples", (unsigned long long)f->total);
	if (diff)
		fprintf(out, " against %llu before (red grew, blue shrank)",
			(unsigned long long)f->base_total);
	fputs("</text>\n", out);
	if (f->total)
		draw_node(&d, 0, PAD, 0);
	fputs("</svg>\n", out);
	return ferror(out) ? -EIO : 0;
}
