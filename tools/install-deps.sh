#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages faultline needs, only those missing.
#
#   tools/install-deps.sh [--check] [build|fuzz|test|bench]...
#
# build: compilers and libraries for `make`
# fuzz:  build + clang's libFuzzer runtime for `make fuzz`
# test:  build + fuzz + what `make test` drives (pprof reader, SVG checker, browser)
# bench: test + the peer tools the benchmarks compare against
# --check: install nothing, exit 1 if something is missing
set -eu

BUILD_PKGS="make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libunwind-dev
libcjson-dev libcmocka-dev pkg-config libiberty-dev libmicrohttpd-dev libcurl4-openssl-dev
liblzma-dev xz-utils"
# libc6-dbg: libc's local symbols (__libc_start_call_main...) that tests expect
# whole stacks to reach; Debian's libc.so.6 has only .dynsym.
# redis-server, redis-tools, nginx, strace: real servers and clients the conn and fd
# tests drive; prometheus: promtool and a real server scraping the agent;
# clickhouse-server: the store the agent writes to; groff-base and python3-yaml
# check the man page and the DaemonSet manifest.
TEST_PKGS="util-linux iproute2 golang-go libxml2-utils python3 procps chromium linux-perf
libc6-dbg coreutils redis-server redis-tools nginx strace prometheus groff-base python3-yaml
clickhouse-server"
# clang-14 by name: the libFuzzer runtime is per clang version.
FUZZ_PKGS="clang-14 libclang-rt-14-dev"
BENCH_PKGS="bpftrace libbpf-tools stress-ng strace time"

check_only=0
sets=""
for arg in "$@"; do
	case "$arg" in
	--check) check_only=1 ;;
	build | fuzz | test | bench) sets="$sets $arg" ;;
	*)
		echo "install-deps: unknown argument '$arg'" >&2
		exit 2
		;;
	esac
done
[ -n "$sets" ] || sets=build

wanted=""
for s in $sets; do
	case "$s" in
	build) wanted="$wanted $BUILD_PKGS" ;;
	fuzz) wanted="$wanted $BUILD_PKGS $FUZZ_PKGS" ;;
	test) wanted="$wanted $BUILD_PKGS $FUZZ_PKGS $TEST_PKGS" ;;
	bench) wanted="$wanted $BUILD_PKGS $FUZZ_PKGS $TEST_PKGS $BENCH_PKGS" ;;
	esac
done

# One dpkg-query for all packages keeps the common case (nothing missing) fast.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $wanted 2>/dev/null |
	awk '/install ok installed/ { print $1 }' || true)
missing=""
for p in $wanted; do
	case " $missing " in *" $p "*) continue ;; esac
	echo "$installed" | grep -qx "$p" || missing="$missing $p"
done

[ -z "$missing" ] && exit 0
if [ "$check_only" = 1 ]; then
	echo "missing Debian packages:$missing"
	exit 1
fi

if [ "$(id -u)" != 0 ]; then
	echo "Error: missing Debian packages:$missing" >&2
	echo "       run 'sudo $0 $sets' or install them with apt-get" >&2
	exit 1
fi

echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A stale package index is the usual reason an install fails on a fresh machine.
if ! apt-get install -y -q --no-install-recommends $missing >&2; then
	apt-get update -q >&2
	apt-get install -y -q --no-install-recommends $missing >&2
fi
