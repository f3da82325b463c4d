// SPDX-License-Identifier: GPL-2.0
/*
 * Hook choice for watch sources: the candidates of probe/hook_plan.c, tried
 * in its order against a probe of just what they need, so that `watch` loads
 * what `faultline probe` plans. Only the chosen candidate's programs load.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "base/log.h"
#include "probe/kernel_features.h"
#include "watch/watch_internal.h"

#define FORCE_TP_ENV "FAULTLINE_WATCH_FORCE_TP=1"

/* Turns on the programs of candidate @chosen of @cap in @obj, every other one off. */
static int set_autoload(const struct hook_capability *cap, int chosen, struct bpf_object *obj)
{
	for (int i = 0; i < cap->ncandidates; i++) {
		for (int j = 0; j < HOOK_MAX_REQ && cap->candidates[i].programs[j]; j++) {
			const char *name = cap->candidates[i].programs[j];
			struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

			if (!p) {
				log_error("watch: %s: no BPF program %s", cap->name, name);
				return -ENOENT;
			}
			bpf_program__set_autoload(p, i == chosen);
		}
	}
	return 0;
}

/* Says why the candidates before @chosen are not used, and what that loses. */
static void note_skipped(struct watch_source *s, const struct hook_capability *cap,
			 const struct features *f, int chosen, bool forced)
{
	const struct hook_candidate *use = &cap->candidates[chosen];
	char why[96];

	for (int i = 0; i < chosen; i++) {
		const struct hook_candidate *c = &cap->candidates[i];

		if (!hook_candidate_usable(f, c, why, sizeof(why)) && forced)
			snprintf(why, sizeof(why), FORCE_TP_ENV);
		pr_info("%s: %s %s (%s), using %s\n", s->ops->name, c->brief,
			forced ? "skipped" : "not usable", why, use->label);
		watch_source_skipped(s, "%s (%s%s%s)", c->brief,
				     forced ? "forced off" : "not loadable",
				     c->lost ? ": " : "", c->lost ? c->lost : "");
	}
}

const char *watch_choose_hook(struct watch_source *s, struct bpf_object *obj, const char *cap)
{
	const struct hook_capability *hc = hook_capability(cap);
	bool forced = watch_force_tracepoints();
	const char *label = NULL;
	struct hook_plan plan;
	struct features *f;
	int chosen;

	if (!hc)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f) {
		log_error("watch: %s: out of memory", s->ops->name);
		return NULL;
	}
	features__probe_capability(f, hc);
	if (forced) {	/* as on a kernel without BTF-typed tracepoints (tests) */
		f->feat[FEAT_TP_BTF].available = false;
		snprintf(f->feat[FEAT_TP_BTF].detail, sizeof(f->feat[0].detail), FORCE_TP_ENV);
	}
	chosen = features__plan_one(f, hc, &plan);
	if (chosen < 0)
		log_error("watch: %s: no usable hook: %s", s->ops->name, plan.missing);
	else if (!set_autoload(hc, chosen, obj))
		label = plan.hook;
	if (label)
		note_skipped(s, hc, f, chosen, forced);
	free(f);
	return label;
}
