// SPDX-License-Identifier: GPL-2.0
/*
 * Hook choice for watch sources: the candidates of probe/hook_plan.c, tried
 * in its order against a probe of just what they need, so that `watch` loads
 * what `faultline probe` plans. Only the chosen candidate's programs load.
 */
#include <errno.h>
#include <stdio.h>
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

		hook_candidate_usable(f, c, why, sizeof(why));	/* false: it comes before @chosen */
		if (forced)
			snprintf(why, sizeof(why), FORCE_TP_ENV);
		pr_info("%s: %s %s (%s), using %s\n", s->ops->name, c->brief,
			forced ? "skipped" : "not usable", why, use->label);
		watch_source_skipped(s, "%s (%s%s%s)", c->brief,
				     forced ? "forced off" : "not loadable",
				     c->lost ? ": " : "", c->lost ? c->lost : "");
	}
}

/* What the hooks of every selected source need, probed at the first source's load. */
static struct features *hook_features(struct watch_ctx *c)
{
	const struct hook_capability *caps[WATCH_MAX_SOURCES];
	int n = 0;

	if (c->hook_features)
		return c->hook_features;
	c->hook_features = calloc(1, sizeof(*c->hook_features));
	if (!c->hook_features)
		return NULL;
	for (int i = 0; watch_sources[i] && n < WATCH_MAX_SOURCES; i++)
		if ((c->opts->sources & (1u << i)) && hook_capability(watch_sources[i]->name))
			caps[n++] = hook_capability(watch_sources[i]->name);
	features__probe_capabilities(c->hook_features, caps, n);
	if (watch_force_tracepoints()) {	/* as without BTF-typed tracepoints (tests) */
		c->hook_features->feat[FEAT_TP_BTF].available = false;
		snprintf(c->hook_features->feat[FEAT_TP_BTF].detail,
			 sizeof(c->hook_features->feat[0].detail), FORCE_TP_ENV);
	}
	return c->hook_features;
}

const char *watch_choose_hook(struct watch_source *s, struct bpf_object *obj, const char *cap)
{
	const struct hook_capability *hc = hook_capability(cap);
	const struct features *f = hook_features(s->ctx);
	struct hook_plan plan;
	int chosen;

	if (!hc || !f) {
		log_error("watch: %s: %s", s->ops->name, hc ? "out of memory" : "no hook table entry");
		return NULL;
	}
	chosen = features__plan_one(f, hc, &plan);
	if (chosen < 0) {
		log_error("watch: %s: no usable hook: %s", s->ops->name, plan.missing);
		return NULL;
	}
	if (set_autoload(hc, chosen, obj))
		return NULL;
	note_skipped(s, hc, f, chosen, watch_force_tracepoints());
	return plan.hook;
}
