// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF reader on a binary a process maps: load segments, build-id, symbol
 * tables, PLT stubs, demangling, and the separate debug file its
 * .gnu_debuglink names. An input is the binary, optionally followed by
 * SPLIT and the debug file, which is put where the debuglink search looks
 * first (next to the binary, under the scratch root) as "target-stripped.debug"
 * (the name the stripped fixture of tests/fixtures/sym links to).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fuzz_common.h"

#include "sym/sym_elf.h"

#define SPLIT "\n--faultline-fuzz-debug-file--\n"
#define MAX_NAMES 64	/* demangle this many: bounds the time per input */

static char root[64];
static char debug_path[128];

static void cleanup(void)
{
	unlink(debug_path);
	snprintf(debug_path, sizeof(debug_path), "%s/bin", root);
	rmdir(debug_path);
	rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[128];

	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "/tmp/faultline-fuzz-elf.XXXXXX");
	if (!mkdtemp(root))
		abort();
	snprintf(dir, sizeof(dir), "%s/bin", root);
	if (mkdir(dir, 0700))
		abort();
	snprintf(debug_path, sizeof(debug_path), "%s/target-stripped.debug", dir);
	atexit(cleanup);
	return 0;
}

static void put_debug_file(const uint8_t *data, size_t size)
{
	int fd;

	unlink(debug_path);
	if (!size)
		return;
	fd = open(debug_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

/* What the symbolizer asks of a parsed file. */
static void use(struct elf_file *f)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < f->nloads; i++) {
		elf_file__offset_to_vaddr(f, f->loads[i].offset, &v);
		elf_file__load_bias(f, 0x555555554000ULL + f->loads[i].offset, f->loads[i].offset,
				    &v);
	}
	for (i = 0; i < f->nsyms; i++) {
		if (elf_file__find(f, f->syms[i].start + f->syms[i].size / 2) && i < MAX_NAMES)
			elf_file__sym_name(f, &f->syms[i]);
		elf_file__sym_raw(f, &f->syms[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], id[ELF_BUILD_ID_HEX];
	const uint8_t *bin, *dbg;
	size_t binlen, dbglen;
	struct elf_file *f;
	int fd;

	fuzz_split(data, size, SPLIT, &bin, &binlen, &dbg, &dbglen);
	put_debug_file(dbg, dbglen);
	fd = fuzz_memfd("elf", bin, binlen, path, sizeof(path));
	if (!elf_file__open(path, "/bin/target-stripped", root, &f)) {
		use(f);
		elf_file__free(f);
	}
	elf_build_id_fd(fd, id);
	close(fd);
	if (!elf_file__from_memory(bin, binlen, &f)) {
		use(f);
		elf_file__free(f);
	}
	return 0;
}
