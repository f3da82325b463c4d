// SPDX-License-Identifier: GPL-2.0
/* Which writer a --format name or an output file's extension selects. */
#include <errno.h>
#include <string.h>

#include "output/stack_profile.h"

static const struct {
	const char *name;
	int (*write)(const struct profile_data *p, const struct output_opts *o, FILE *out);
} writers[] = {
	[OUTPUT_TOP] = {"top", output_top},
	[OUTPUT_FOLDED] = {"folded", output_folded},
	[OUTPUT_SVG] = {"svg", output_svg},
	[OUTPUT_PPROF] = {"pprof", output_pprof},
	[OUTPUT_JSON] = {"json", output_json},
};

static const struct {
	const char *ext;
	enum output_format format;
} extensions[] = {
	/* .txt could be folded stacks or the top table: it needs --format */
	{".folded", OUTPUT_FOLDED},
	{".svg", OUTPUT_SVG}, {".pb.gz", OUTPUT_PPROF}, {".pprof", OUTPUT_PPROF},
	{".pb", OUTPUT_PPROF}, {".json", OUTPUT_JSON},
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

int output_format_parse(const char *name)
{
	/* the top table is what no -o means, not a file format */
	for (size_t i = OUTPUT_FOLDED; i < ARRAY_LEN(writers); i++)
		if (!strcmp(name, writers[i].name))
			return i;
	return -EINVAL;
}

int output_format_from_path(const char *path)
{
	size_t len = strlen(path);

	for (size_t i = 0; i < ARRAY_LEN(extensions); i++) {
		size_t el = strlen(extensions[i].ext);

		if (len > el && !strcasecmp(path + len - el, extensions[i].ext))
			return extensions[i].format;
	}
	return -ENOENT;
}

const char *output_format_name(enum output_format f)
{
	return (size_t)f < ARRAY_LEN(writers) ? writers[f].name : "?";
}

int output_write(enum output_format f, const struct profile_data *p,
		 const struct output_opts *o, FILE *out)
{
	if ((size_t)f >= ARRAY_LEN(writers))
		return -EINVAL;
	return writers[f].write(p, o, out);
}
