// SPDX-License-Identifier: GPL-2.0
/*
 * The SVG flame graph: well-formed XML (checked with xmllint), names
 * escaped, percentages and widths, kinds, narrow frames elided but counted.
 * With FAULTLINE_SVG_OUT=FILE the fixture graph is also written there, for
 * tests/integration/test_svg_browser.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "output/stack_profile.h"
#include "fixtures/output/profile_fixture.h"

static char *render(const struct profile_data *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(output_svg(p, NULL, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* xmllint's verdict on @svg: 0 well-formed. */
static int xmllint(const char *svg)
{
	char path[] = "/tmp/faultline-svg.XXXXXX", cmd[128];
	int fd = mkstemp(path), rc;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(svg, f);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
	rc = system(cmd);
	unlink(path);
	return rc;
}

static void test_well_formed(void **state)
{
	const char *path = getenv("FAULTLINE_SVG_OUT");
	struct profile_data p;
	char *svg;
	FILE *f;

	(void)state;
	if (system("command -v xmllint >/dev/null") != 0)
		skip();
	fixture_profile(&p);
	svg = render(&p);
	assert_int_equal(xmllint(svg), 0);
	assert_int_not_equal(xmllint("<svg><text>a & b</text></svg>"), 0);	/* it can fail */
	if (path) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(svg, f);
		assert_int_equal(fclose(f), 0);
	}
	free(svg);
}

static void test_names_escaped(void **state)
{
	struct profile_data p;
	char *svg, *script;

	(void)state;
	fixture_profile(&p);
	svg = render(&p);
	assert_non_null(strstr(svg, "<title>&lt;&amp;&quot;&apos;&gt; (5 samples, 1.02%)</title>"));
	assert_non_null(strstr(svg, "<title>new?line (5 samples, 1.02%)</title>"));
	assert_non_null(strstr(svg, "<title>we;ird (5 samples, 1.02%)</title>"));
	assert_non_null(strstr(svg, "-o &lt;out&gt;.svg | 5.00 s at 99 Hz | host host&amp;1 | "
				    "490 samples, 2 lost</text>"));
	assert_null(strstr(svg, "<&"));
	assert_null(strstr(svg, "<out>"));
	/* no profile string inside the script: it reads names from the DOM */
	script = strstr(svg, "<![CDATA[");
	assert_non_null(script);
	assert_null(strstr(script, "burn_a"));
	assert_null(strstr(script, "prog"));
	free(svg);
}

static void test_widths_and_percentages(void **state)
{
	struct profile_data p;
	char *svg;

	(void)state;
	fixture_profile(&p);
	svg = render(&p);
	assert_non_null(strstr(svg, "data-x=\"0\" data-w=\"490\" data-d=\"0\" data-k=\"\">"
				    "<title>all (490 samples, 100.00%)</title>"));
	/* both threads of prog merged, and all of its stacks under one process */
	assert_non_null(strstr(svg, "data-w=\"475\" data-d=\"1\" data-k=\"process\">"
				    "<title>prog (475 samples, 96.94%)</title>"));
	assert_non_null(strstr(svg, "data-w=\"350\" data-d=\"4\" data-k=\"user\">"
				    "<title>burn_a (350 samples, 71.43%)</title>"));
	assert_non_null(strstr(svg, "data-d=\"5\" data-k=\"kernel\"><title>ksys_write "
				    "(20 samples, 4.08%)</title>"));
	assert_non_null(strstr(svg, "data-d=\"4\" data-k=\"jit\"><title>LazyCompile:*rec "
				    "/app.js:1 (10 samples, 2.04%)</title>"));
	assert_non_null(strstr(svg, "data-k=\"lost\"><title>[lost stack] (2 samples, 0.41%)"));
	/* burn_a's rect: 350 of 490 samples of the 1180 pixels */
	assert_non_null(strstr(svg, "width=\"842.9\" height=\"15\""));
	assert_null(strstr(svg, "not drawn"));
	free(svg);
}

static void test_narrow_frames_elided_but_counted(void **state)
{
	struct profile_stack s[2] = {
		FX_STACK(1, 1, "big", fx_burn_a, 10000),
		FX_STACK(2, 2, "tiny", fx_burn_b, 9),
	};
	struct profile_data p = {.stacks = s, .nstacks = 2};
	char *svg;

	(void)state;
	svg = render(&p);
	assert_non_null(strstr(svg, "<title>all (10009 samples, 100.00%)</title>"));
	assert_null(strstr(svg, "<title>tiny"));
	assert_null(strstr(svg, "burn_b"));
	assert_non_null(strstr(svg, ">4 frames under 0.1% not drawn"));
	free(svg);
}

static void test_utf8_kept_invalid_bytes_replaced(void **state)
{
	struct profile_frame fr[1] = {{.name = "f\xc3\xbcnf\xff\x01x", .kind = FRAME_USER}};
	struct profile_stack s[1] = {{.pid = 1, .comm = "c", .frames = fr, .nframes = 1,
				      .count = 1}};
	struct profile_data p = {.stacks = s, .nstacks = 1};
	char *svg;

	(void)state;
	svg = render(&p);
	assert_non_null(strstr(svg, "<title>f\xc3\xbcnf??x (1 samples, 100.00%)</title>"));
	if (system("command -v xmllint >/dev/null") == 0)
		assert_int_equal(xmllint(svg), 0);
	free(svg);
}

static void test_empty_profile(void **state)
{
	struct profile_data p = {0};
	char *svg;

	(void)state;
	svg = render(&p);
	assert_non_null(strstr(svg, ">No samples</text>"));
	assert_null(strstr(svg, "class=\"f\""));
	if (system("command -v xmllint >/dev/null") == 0)
		assert_int_equal(xmllint(svg), 0);
	free(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_names_escaped),
		cmocka_unit_test(test_widths_and_percentages),
		cmocka_unit_test(test_narrow_frames_elided_but_counted),
		cmocka_unit_test(test_utf8_kept_invalid_bytes_replaced),
		cmocka_unit_test(test_empty_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
