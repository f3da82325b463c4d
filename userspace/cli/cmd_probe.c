// SPDX-License-Identifier: GPL-2.0
/* faultline probe: what this kernel offers and which hook each capability uses. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "probe/kernel_features.h"
#include "base/log.h"
#include "base/privs.h"

static void probe_usage(void)
{
	printf("Usage: faultline probe [--json] [-v]\n\n"
	       "Loads and attaches tiny BPF programs to learn what this kernel supports\n"
	       "(nothing stays attached), then shows the hook each capability would use.\n\n"
	       "  -j, --json     one JSON object on stdout\n"
	       "  -v, --verbose  more detail (-vv: libbpf's own messages)\n"
	       "  -h, --help     this help\n");
}

static void print_table(const struct features *f, const struct hook_plan *plans, int nplans)
{
	int i;

	printf("%-14s %-5s %s\n", "FEATURE", "OK", "DETAIL");
	for (i = 0; i < FEAT__COUNT; i++)
		printf("%-14s %-5s %s\n", feature_name(i), f->feat[i].available ? "yes" : "no",
		       f->feat[i].detail);
	printf("\n%-28s %-5s %s\n", "TRACEPOINT", "OK", "DETAIL");
	for (i = 0; i < f->tp_count; i++)
		printf("%-28s %-5s %s\n", f->tp[i].name, f->tp[i].available ? "yes" : "no",
		       f->tp[i].detail);
	printf("\n%-10s %s\n", "CAPABILITY", "HOOK");
	for (i = 0; i < nplans; i++) {
		if (!plans[i].hook) {
			printf("%-10s unavailable: %s\n", plans[i].capability, plans[i].missing);
			continue;
		}
		printf("%-10s %s\n", plans[i].capability, plans[i].hook);
		if (plans[i].fallback)
			printf("%-10s   fallback: %s\n", "", plans[i].fallback);
	}
}

static cJSON *features_json(const struct features *f, const struct hook_plan *plans,
			    int nplans)
{
	cJSON *root = cJSON_CreateObject(), *feats, *tps, *caps, *o;
	int i;

	feats = cJSON_AddObjectToObject(root, "features");
	for (i = 0; i < FEAT__COUNT; i++) {
		o = cJSON_AddObjectToObject(feats, feature_name(i));
		cJSON_AddBoolToObject(o, "available", f->feat[i].available);
		cJSON_AddStringToObject(o, "detail", f->feat[i].detail);
	}
	tps = cJSON_AddObjectToObject(root, "tracepoints");
	for (i = 0; i < f->tp_count; i++) {
		o = cJSON_AddObjectToObject(tps, f->tp[i].name);
		cJSON_AddBoolToObject(o, "available", f->tp[i].available);
		cJSON_AddStringToObject(o, "detail", f->tp[i].detail);
	}
	caps = cJSON_AddObjectToObject(root, "capabilities");
	for (i = 0; i < nplans; i++) {
		o = cJSON_AddObjectToObject(caps, plans[i].capability);
		cJSON_AddBoolToObject(o, "available", plans[i].hook != NULL);
		if (plans[i].hook)
			cJSON_AddStringToObject(o, "hook", plans[i].hook);
		if (plans[i].fallback)
			cJSON_AddStringToObject(o, "fallback", plans[i].fallback);
		if (!plans[i].hook)
			cJSON_AddStringToObject(o, "missing", plans[i].missing);
	}
	return root;
}

static int print_json(const struct features *f, const struct hook_plan *plans, int nplans)
{
	cJSON *root = features_json(f, plans, nplans);
	char *text = root ? cJSON_Print(root) : NULL;

	cJSON_Delete(root);
	if (!text) {
		log_error("probe: out of memory rendering JSON");
		return 1;
	}
	puts(text);
	free(text);
	return 0;
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct hook_plan plans[FEATURES_MAX_PLANS];
	struct features *f;
	bool json = false;
	int c, nplans, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'v': log_verbosity++; break;
		case 'h': probe_usage(); return 0;
		default: return cli_bad_option("probe", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("probe", "unexpected argument '%s'", argv[optind]);
	if (privs_require_bpf("probe"))
		return 1;

	f = calloc(1, sizeof(*f));
	if (!f) {
		log_error("probe: out of memory");
		return 1;
	}
	features__probe(f);
	nplans = features__plan(f, plans, FEATURES_MAX_PLANS);
	if (json) {
		ret = print_json(f, plans, nplans);
	} else {
		print_table(f, plans, nplans);
		ret = 0;
	}
	free(f);
	return ret;
}
