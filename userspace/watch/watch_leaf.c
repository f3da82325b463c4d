// SPDX-License-Identifier: GPL-2.0
/*
 * The caller of a frameless leaf function. A frame-pointer walk starts at the
 * instruction pointer and continues with the return address saved in the
 * frame %rbp points to: when the leaf (libc's read(), memcpy...) set up no
 * frame, that is its caller's frame, and the caller itself is skipped - the
 * very function a slow syscall or a crash should name. Its return address is
 * then among the first words at the stack pointer; BPF copies them
 * (struct watch_stacks.user_sp) and this puts back the first one that is a
 * validated return address: inside a mapped file, right after a call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/file_read.h"
#include "sym/symbolizer.h"
#include "watch/watch_internal.h"

#define CALL_MAX_LEN 7

static bool modrm_is_call(uint8_t modrm)
{
	return (modrm & 0x38) == 0x10;	/* ff /2: call r/m64 */
}

bool watch_is_call_site(const uint8_t *b, size_t n)
{
	if (n < CALL_MAX_LEN)
		return false;
	b += n - CALL_MAX_LEN;	/* b[7] would be the return address itself */
	if (b[2] == 0xe8)	/* call rel32 */
		return true;
	if (b[1] == 0xff && modrm_is_call(b[2]) && ((b[2] & 0xc7) == 0x05 || (b[2] >> 6) == 2))
		return true;	/* call [rip+disp32] / [reg+disp32] */
	if (b[4] == 0xff && modrm_is_call(b[5]) && (b[5] >> 6) == 1)
		return true;	/* call [reg+disp8] */
	if (b[5] == 0xff && modrm_is_call(b[6]) && ((b[6] >> 6) == 3 ||
						    ((b[6] >> 6) == 0 && (b[6] & 7) < 4)))
		return true;	/* call reg / call [reg] */
	return false;
}

/*
 * The bytes before @addr: from the live process, else from the mapped file,
 * opened where the symbolizer found it (the process's root or map_files, not
 * a host path that may be another file) and only when it is a regular file.
 */
static int read_code(struct watch_ctx *c, uint32_t pid, uint64_t addr,
		     const struct sym_result *r, uint8_t *buf)
{
	struct sym_mapping m;
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = pread(fd, buf, CALL_MAX_LEN, addr - CALL_MAX_LEN);
		close(fd);
	}
	if (n == CALL_MAX_LEN)
		return 0;
	if (r->module_offset < CALL_MAX_LEN || symbolizer__mapping(c->sym, pid, addr, &m) ||
	    !m.open_path)
		return -ENOENT;
	fd = file_open_regular(m.open_path, 0);
	if (fd < 0)
		return fd;
	n = pread(fd, buf, CALL_MAX_LEN, r->module_offset - CALL_MAX_LEN);
	close(fd);
	return n == CALL_MAX_LEN ? 0 : -EIO;
}

static bool is_return_address(struct watch_ctx *c, uint32_t pid, uint64_t w)
{
	uint8_t code[CALL_MAX_LEN];
	struct sym_result r;

	if (w < 4096 || w >= (1ULL << 47))
		return false;
	memset(&r, 0, sizeof(r));
	if (symbolizer__user(c->sym, pid, w, &r) || r.kind != FRAME_USER || !r.module)
		return false;
	return !read_code(c, pid, w, &r, code) && watch_is_call_site(code, sizeof(code));
}

int watch_leaf_fixup(struct watch_ctx *c, uint32_t pid, const __u64 *user, int n,
		     const __u64 *sp_words, __u64 *out, int *inferred)
{
	int i, k = 0;

	*inferred = -1;
	if (n > WATCH_MAX_FRAMES)
		n = WATCH_MAX_FRAMES;
	if (n >= 1)
		out[k++] = user[0];
	for (i = 0; n >= 1 && i < WATCH_SP_WORDS; i++) {
		uint64_t w = sp_words[i];

		if (!w || w == user[0])
			continue;
		if (n > 1 && w == user[1])
			break;	/* the walk already has the caller */
		if (is_return_address(c, pid, w)) {
			*inferred = k;
			out[k++] = w;
			break;
		}
	}
	for (i = 1; i < n && k < WATCH_MAX_FRAMES; i++)
		out[k++] = user[i];
	return k;
}
