# SPDX-License-Identifier: GPL-2.0
# faultline: `make` builds ./faultline, `make test` runs every test, `make run` a demo.
# V=1 shows full commands.

VERSION     := 0.1.0
ARCH        := x86
BUILD       := build
PREFIX      ?= /usr/local
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
MANDIR      ?= $(PREFIX)/share/man
DESTDIR     ?=

CC          ?= gcc
CLANG       ?= clang
BPFTOOL     ?= bpftool

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Install missing Debian packages before anything needs them; skipped for clean.
ifeq ($(filter clean distclean help,$(MAKECMDGOALS)),)
DEPSETS := build
ifneq ($(filter test test-unit test-integration,$(MAKECMDGOALS)),)
DEPSETS += test
endif
ifneq ($(filter bench,$(MAKECMDGOALS)),)
DEPSETS += bench
endif
ifneq ($(filter test test-fuzz fuzz fuzz-build,$(MAKECMDGOALS)),)
DEPSETS += fuzz
endif
ifneq ($(shell tools/install-deps.sh --check $(DEPSETS) >/dev/null 2>&1 || echo missing),)
ifneq ($(shell tools/install-deps.sh $(DEPSETS) 1>&2 || echo failed),)
$(error missing Debian packages could not be installed, see above)
endif
endif
endif

INCLUDES    := -I$(BUILD)/bpf -Ibpf -Iuserspace
CFLAGS      ?= -O2 -g
CFLAGS      += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	       -DFAULTLINE_VERSION='"$(VERSION)"' $(INCLUDES)
LDLIBS      := -lbpf -lelf -lz -llzma -lcjson -lunwind-x86_64 -lunwind -liberty -lstdc++ -lmicrohttpd \
	       -lcurl -lpthread
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	       -Ivmlinux/$(ARCH) -Ibpf
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer \
	       -fno-sanitize-recover=undefined

BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_OBJS    := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS       := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))

USER_SRCS   := $(wildcard userspace/*.c userspace/*/*.c userspace/*/*/*.c)
USER_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(USER_SRCS))
ASAN_OBJS   := $(patsubst %.c,$(BUILD)/asan/%.o,$(USER_SRCS))
LIB_OBJS    := $(filter-out $(BUILD)/userspace/main.o,$(USER_OBJS))
ASAN_LIB    := $(filter-out $(BUILD)/asan/userspace/main.o,$(ASAN_OBJS))

# tests/unit/ mirrors userspace/'s folders; the binaries land flat in build/tests/.
UNIT_SRCS   := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS   := $(addprefix $(BUILD)/tests/,$(basename $(notdir $(UNIT_SRCS))))
ASAN_BINS   := $(addprefix $(BUILD)/asan/tests/,$(basename $(notdir $(UNIT_SRCS))))

# libFuzzer targets: tests/fuzz/fuzz_NAME.c plus its helpers in tests/fuzz/fuzz_NAME/,
# linked with the library built by clang with the fuzzing sanitizers in
# $(BUILD)/fuzz/, apart from the gcc build.
FUZZ_CC     ?= clang-14
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	       -fno-omit-frame-pointer -g -O1
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIB    := $(BUILD)/fuzz/libfaultline.a
FUZZ_OBJS   := $(patsubst %.c,$(BUILD)/fuzz/%.o,$(filter-out userspace/main.c,$(USER_SRCS)))
FUZZ_SECONDS ?= 60

TOOL_SRCS   := $(wildcard tools/*.c)
TOOL_BINS   := $(patsubst tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all clean distclean install uninstall test test-unit test-integration run \
	vmlinux tools bench help fuzz fuzz-build test-fuzz

all: faultline

faultline: $(BUILD)/faultline
	$(Q)ln -sf $(BUILD)/faultline $@

$(BUILD)/faultline: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/faultline-asan: $(ASAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# BPF: compile, link (static linking resolves .bpf.h helpers), then skeleton.
$(BUILD)/bpf/%.tmp.o: bpf/%.bpf.c | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/bpf/%.bpf.o: $(BUILD)/bpf/%.tmp.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# Userspace objects include skeletons: generate all of them first; -MMD
# records the exact headers each object depends on for the next build.
$(BUILD)/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/asan/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

vpath test_%.c $(sort $(dir $(UNIT_SRCS)))

$(BUILD)/tests/%: %.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) -Itests $^ $(LDLIBS) -lcmocka -o $@

$(BUILD)/asan/tests/%: %.c $(ASAN_LIB)
	@mkdir -p $(@D)
	$(call msg,TEST-ASAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -Itests $^ $(LDLIBS) -lcmocka -o $@

# Symbolizer tests: one small program built PIE, non-PIE and stripped with its
# symbols in a .gnu_debuglink file; the tests get the fixture paths baked in
# so they run from any directory.
SYM_FIX     := $(BUILD)/fixtures/sym
SYM_BINS    := $(SYM_FIX)/target-pie $(SYM_FIX)/target-nopie $(SYM_FIX)/target-stripped \
	       $(SYM_FIX)/target-minidebug $(SYM_FIX)/target-bare $(SYM_FIX)/target-xzbomb
SYM_TESTS   := $(filter $(BUILD)/tests/test_sym_% $(BUILD)/asan/tests/test_sym_%,\
		 $(UNIT_BINS) $(ASAN_BINS))

$(SYM_TESTS): CFLAGS += -DSYM_FIXTURE_SRC='"$(CURDIR)/tests/fixtures/sym"' \
	-DSYM_FIXTURE_BIN='"$(abspath $(SYM_FIX))"'
$(SYM_TESTS): | $(SYM_BINS)

$(SYM_FIX)/target-pie $(SYM_FIX)/target-nopie: tests/fixtures/sym/target.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) -O1 -g $(if $(findstring nopie,$@),-fno-pie -no-pie,-fPIE -pie) $< -o $@

$(SYM_FIX)/target-stripped: $(SYM_FIX)/target-pie
	$(call msg,STRIP,$@)
	$(Q)objcopy --only-keep-debug $< $@.debug
	$(Q)objcopy --strip-all --add-gnu-debuglink=$@.debug $< $@

# Stripped with MiniDebugInfo (.gnu_debugdata), only stripped, and stripped with
# a .gnu_debugdata that inflates to 70 MiB of zeros (over the reader's cap).
$(SYM_FIX)/target-minidebug: $(SYM_FIX)/target-pie tools/minidebuginfo.sh
	$(call msg,STRIP,$@)
	$(Q)tools/minidebuginfo.sh $< $@

$(SYM_FIX)/target-bare: $(SYM_FIX)/target-pie tools/minidebuginfo.sh
	$(call msg,STRIP,$@)
	$(Q)tools/minidebuginfo.sh --plain $< $@

$(SYM_FIX)/target-xzbomb: $(SYM_FIX)/target-bare
	$(call msg,GEN,$@)
	$(Q)head -c 70M /dev/zero | xz -q >$@.xz
	$(Q)objcopy --add-section .gnu_debugdata=$@.xz $< $@ && rm -f $@.xz

# Workload generators: frame pointers on, so profiles of them are whole
# even before DWARF unwinding; each may set its own flags with a FLAGS line.
$(BUILD)/tools/%: tools/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -fno-omit-frame-pointer \
		$(shell sed -n 's|^/\* FLAGS: \(.*\) \*/$$|\1|p' $<) $< -o $@

# The same burner stripped with and without MiniDebugInfo (test_minidebuginfo.sh).
$(BUILD)/tools/stripped_burner-mini $(BUILD)/tools/stripped_burner-bare: \
		$(BUILD)/tools/stripped_burner tools/minidebuginfo.sh
	$(call msg,STRIP,$@)
	$(Q)tools/minidebuginfo.sh $(if $(findstring bare,$@),--plain) $< $@

tools: $(TOOL_BINS) $(BUILD)/tools/stripped_burner-mini $(BUILD)/tools/stripped_burner-bare

$(BUILD)/fuzz/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC-FUZZ,$@)
	$(Q)$(FUZZ_CC) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

# An archive, so that each target links only the objects its parser needs.
$(FUZZ_LIB): $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(call msg,LINK,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(filter %.o,$^) $(FUZZ_LIB) $(LDLIBS) -o $@

$(foreach t,$(FUZZ_BINS),$(eval $(t): $(patsubst %.c,$(BUILD)/fuzz/%.o,\
	$(wildcard tests/fuzz/$(notdir $(t))/*.c))))

fuzz-build: $(FUZZ_BINS)

# Each target FUZZ_SECONDS seconds, one after another; the grown corpus stays
# in $(BUILD)/fuzz/corpus/NAME, crash inputs in $(BUILD)/fuzz/artifacts/NAME.
fuzz: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_BINS); do \
		BUILD=$(BUILD) tests/fuzz/run.sh --keep $(FUZZ_SECONDS) $$t || exit 1; \
	done

$(BUILD)/bpf:
	@mkdir -p $@

vmlinux:
	$(call msg,GEN,vmlinux/$(ARCH)/vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

test: faultline $(BUILD)/faultline-asan tools $(UNIT_BINS) $(ASAN_BINS) $(FUZZ_BINS)
	$(Q)BUILD=$(BUILD) tests/run.sh

test-fuzz: $(FUZZ_BINS)
	$(Q)BUILD=$(BUILD) tests/run.sh fuzz

test-unit: $(UNIT_BINS) $(ASAN_BINS)
	$(Q)BUILD=$(BUILD) tests/run.sh unit

test-integration: faultline $(BUILD)/faultline-asan tools
	$(Q)BUILD=$(BUILD) tests/run.sh integration

run: faultline tools
	$(Q)tools/demo.sh

bench: faultline tools
	$(Q)for b in bench/*/run.sh; do echo "== $$b"; $$b || exit 1; done

# The binary, its man page, the agent's unit and, unless one is there already,
# its config file.
install: $(BUILD)/faultline
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/faultline
	install -m 0755 $(BUILD)/faultline $(DESTDIR)$(PREFIX)/bin/faultline
	install -m 0644 docs/faultline.1 $(DESTDIR)$(MANDIR)/man1/faultline.1
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		tools/deploy/faultline-agent.service >$(DESTDIR)$(UNITDIR)/faultline-agent.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/faultline-agent.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/faultline/agent.conf ] || \
		install -m 0644 tools/deploy/agent.conf $(DESTDIR)$(SYSCONFDIR)/faultline/agent.conf

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/faultline $(DESTDIR)$(MANDIR)/man1/faultline.1 \
		$(DESTDIR)$(UNITDIR)/faultline-agent.service

clean:
	rm -rf $(BUILD) faultline

distclean: clean

help:
	@echo "make            build ./faultline (installs missing Debian packages first)"
	@echo "make run        build and run a short demo"
	@echo "make test       build and run unit (plain + ASan/UBSan) and integration tests"
	@echo "make fuzz       build the libFuzzer targets and run each FUZZ_SECONDS (60)"
	@echo "make bench      compare faultline with perf and bpftrace (bench/)"
	@echo "make install    install to \$$DESTDIR\$$PREFIX/bin (PREFIX=$(PREFIX)), and the"
	@echo "                man page (MANDIR), the agent's systemd unit and config"
	@echo "                (UNITDIR, SYSCONFDIR)"
	@echo "make vmlinux    regenerate vmlinux/$(ARCH)/vmlinux.h from this kernel's BTF"
	@echo "V=1             show full commands"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
