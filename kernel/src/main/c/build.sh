#!/bin/sh
# Builds libyastack_dpdk.so into $1 when DPDK's development files are installed
# (pkg-config finds libdpdk); otherwise says so and succeeds, leaving DPDK support out.
set -eu
out="$1"
src="$(dirname "$0")/yastack_dpdk.c"
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libdpdk; then
    echo "[yastack-dpdk] libdpdk not found by pkg-config: DPDK shim not built (apt-get install -y dpdk libdpdk-dev pkg-config)"
    exit 0
fi
mkdir -p "$out"
# -Wl,--no-as-needed keeps EAL/ethdev/mbuf/mempool in the shim's dependencies, so the
# Java side resolves every rte_* symbol it calls through the shim's own handle.
# shellcheck disable=SC2046
${CC:-cc} -O2 -g -fPIC -shared -Wall -Wextra -Werror \
    $(pkg-config --cflags libdpdk) \
    -o "$out/libyastack_dpdk.so" "$src" \
    -Wl,--no-as-needed -lrte_ethdev -lrte_mbuf -lrte_mempool -lrte_eal -lrte_ring -Wl,--as-needed \
    $(pkg-config --libs libdpdk)
echo "[yastack-dpdk] built $out/libyastack_dpdk.so against DPDK $(pkg-config --modversion libdpdk)"
