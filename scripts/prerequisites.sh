#!/usr/bin/env bash
# What yastack's tests, quickstart and benchmarks need from the machine beyond a JDK 25
# and Maven: the one list of Debian packages, and the kernel features the root tests use.
# Sourced by test.sh, quickstart.sh and bench/run.sh (and so by .ci/run, which runs
# test.sh); `bash scripts/prerequisites.sh [PROFILE]` runs the same check on its own.
#
#   ys_prerequisites test        what ./test.sh needs (it also runs bench/run.sh --smoke)
#   ys_prerequisites quickstart  what ./quickstart.sh needs (as root: iproute2 for its TAP device)
#   ys_prerequisites bench       what bench/run.sh needs
#
# It prints nothing and returns 0 when everything is there (in well under a second). As
# root on Debian/Ubuntu it installs what is missing with apt-get. Otherwise it prints the
# apt-get command that would, and returns 1: better to stop before Maven builds for
# minutes than to end with tests failing for want of a tool. The test and bench profiles
# also need root and two kernel features (/dev/net/tun, network namespaces): without
# them it says what is missing and returns 1 too.
#
#   YASTACK_SKIP_PREREQUISITES=1  check nothing and install nothing; tests whose tool or
#                                 privilege is missing then fail, naming what is missing
#   YASTACK_NO_INSTALL=1          check, but never run apt-get: say what is missing and
#                                 return 1 (bench/run.sh sets it for BENCH_NO_INSTALL=1)
#
# Safe to source from scripts running under `set -euo pipefail`: every command that may
# fail here is tested, and only ys_prerequisites and _ys_* names are defined.

# One row per package:
#   package  probe  profiles  reason
# probe: a command, or an absolute path, that shows the package is there where there is
# no dpkg to ask. A probe written +COMMAND counts as there whenever COMMAND is found, whoever
# installed it (kubectl also comes from other packages, which Debian's would clash with). profiles: where it is needed; "quickstart@root" = only when quickstart
# runs as root (then it serves a userspace listener on a TAP device). reason: a few
# words for the line printed before an install.
# `bench` takes every `test` row: ./test.sh runs bench/run.sh --smoke (the peers and load
# generators), and the flavors suite benchmarks yastack's userspace listener on DPDK (the
# shim is compiled into the jar at build time). A tool only the benchmarks use would get
# its own `bench` tag.
_YS_PREREQUISITES=(
  # ip link/addr/netns and tc: TAP, veth and namespace tests; the root quickstart addresses its TAP device
  "iproute2            ip                                          test,quickstart@root  network tests"
  # checksum/segmentation offloads off on TAP/veth, so the userspace stack sees real frames
  "ethtool             ethtool                                     test                  network tests"
  "iputils-ping        ping                                        test                  network tests"
  # LossyLinkProxyTest drops packets with nftables where the kernel has no sch_netem
  "nftables            nft                                         test                  network tests"
  # sysctl inside namespaces; ps for BenchHarnessSmokeIT's leftover-process check
  "procps              ps                                          test                  network tests"
  "curl                curl                                        test                  HTTP/TLS tests"
  "openssl             openssl                                     test                  HTTP/TLS tests"
  # TlsScanIT checks the TLS listener's protocols, suites, curves and renegotiation
  "testssl.sh          testssl                                     test                  HTTP/TLS tests"
  # NamespaceUpstreamTest's upstream (python3 -m http.server); bench result tools
  "python3             python3                                     test                  HTTP/TLS tests"
  # ObservabilityIT: headless Chromium renders the admin page, tesseract reads its screenshot,
  # a real Prometheus scrapes /stats/prometheus and answers every query of the Grafana dashboard
  "chromium            chromium                                    test                  observability tests"
  "tesseract-ocr       tesseract                                   test                  observability tests"
  "prometheus          prometheus                                  test                  observability tests"
  # DPDK 22.11 runtime: DPDK port/proxy tests, the benchmarks' userspace listener
  "dpdk                dpdk-devbind.py                             test                  DPDK shim and tests"
  # kernel/src/main/c/build.sh compiles the DPDK shim only when pkg-config finds libdpdk
  "libdpdk-dev         /usr/include/dpdk/rte_ethdev.h              test                  DPDK shim and tests"
  "pkg-config          pkg-config                                  test                  DPDK shim and tests"
  "gcc                 cc                                          test                  DPDK shim and tests"
  "libc6-dev           /usr/include/stdio.h                        test                  DPDK shim and tests"
  # ./test.sh runs bench/run.sh --smoke (BenchHarnessSmokeIT): peers, load generators, charts
  "nginx               nginx                                       test                  benchmarks"
  "libnginx-mod-stream /usr/lib/nginx/modules/ngx_stream_module.so test                  benchmarks"
  "haproxy             haproxy                                     test                  benchmarks"
  "wrk                 wrk                                         test                  benchmarks"
  "nghttp2-client      h2load                                      test                  benchmarks"
  "iperf3              iperf3                                      test                  benchmarks"
  "gnuplot-nox         gnuplot                                     test                  benchmarks"
  "jq                  jq                                          test                  benchmarks"
  # taskset pins benchmark processes; unshare gives bench/run.sh its own network namespace
  "util-linux          taskset                                     test                  benchmarks"
  # bench/lib/common.sh renders the peers' config templates with perl
  "perl-base           perl                                        test                  benchmarks"
  # DnsDiscoveryTest's DNS server (the binary only, no system service)
  "dnsmasq-base        /usr/sbin/dnsmasq                           test                  DNS discovery tests"
  # KubernetesManifestsTest renders deploy/kubernetes with kubectl kustomize
  "kubernetes-client   +kubectl                                    test                  Kubernetes manifest tests"
  # ./test.sh builds the OCI image (distribution/src/image/build.sh) and OciImageIT runs it
  "debootstrap         debootstrap                                 test                  OCI image build and run"
  "umoci               umoci                                       test                  OCI image build and run"
  "crun                crun                                        test                  OCI image build and run"
)

# Whether a row tagged PROFILES is needed by PROFILE on this machine.
_ys_wanted() {
  local profile=$1 profiles=",$2,"
  [[ $profiles == *",$profile,"* ]] && return 0
  [[ $profile == bench && $profiles == *",test,"* ]] && return 0
  # As root the quickstart serves a userspace listener on a TAP device (when the kernel
  # offers one); otherwise it uses host sockets only.
  [[ $profiles == *",$profile@root,"* && $EUID == 0 && -e /dev/net/tun ]]
}

# Fills _ys_missing ("package:probe" each) and _ys_reasons (each reason once) for PROFILE.
_ys_find_missing() {
  local profile=$1 row pkg probe profiles reason installed="" seen="|"
  local -a rows=() pkgs=()
  _ys_missing=() _ys_reasons=()
  for row in "${_YS_PREREQUISITES[@]}"; do
    read -r pkg probe profiles reason <<<"$row"
    _ys_wanted "$profile" "$profiles" || continue
    rows+=("$row") pkgs+=("$pkg")
  done
  (( ${#pkgs[@]} )) || return 0
  if command -v dpkg-query >/dev/null 2>&1; then
    # One dpkg-query for all of them keeps the common case (nothing missing) fast. It
    # exits 1 when it has never heard of a package, which only means "not installed".
    installed=" $(dpkg-query -W -f='${Package}=${db:Status-Status} ' "${pkgs[@]}" 2>/dev/null || true)"
  fi
  for row in "${rows[@]}"; do
    read -r pkg probe profiles reason <<<"$row"
    if [[ $probe == +* ]]; then
      command -v "${probe#+}" >/dev/null 2>&1 && continue
      probe=${probe#+}
    fi
    if [[ -n $installed ]]; then
      [[ $installed == *" $pkg=installed "* ]] && continue
    elif [[ $probe == /* ]]; then
      [[ -e $probe ]] && continue
    else
      command -v "$probe" >/dev/null 2>&1 && continue
    fi
    _ys_missing+=("$pkg:$probe")
    if [[ $seen != *"|$reason|"* ]]; then
      _ys_reasons+=("$reason") seen+="$reason|"
    fi
  done
}

# Stops the NAME daemon Debian starts when it installs NAME: tests start their own.
_ys_stop_started_daemon() {
  local name=$1 pid
  systemctl stop "$name" >/dev/null 2>&1 || service "$name" stop >/dev/null 2>&1 || true
  # systemctl "succeeds" in a chroot without stopping anything, and without systemd the
  # init script may be gone. Debian's daemon writes /run/NAME.pid: stop exactly that one,
  # not every process called nginx (a concurrent test run's would share the name).
  pid=$(cat "/run/$name.pid" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null || true) == "$name" ]]; then
    kill "$pid" 2>/dev/null || true
  fi
}

# apt-get install PACKAGE..., quietly; its output only if it fails.
_ys_apt_install() {
  local log rc=0
  log=$(mktemp "${TMPDIR:-/tmp}/yastack-apt.XXXXXX") || return 1
  local -a apt=(apt-get -o DPkg::Lock::Timeout=300 -y -qq --no-install-recommends)
  # A fresh image may have no package lists at all; otherwise try without `apt-get
  # update` first, which saves a minute when the lists are merely old.
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    timeout 300 apt-get -o DPkg::Lock::Timeout=300 -qq update >>"$log" 2>&1 || true
  fi
  if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "$@" >>"$log" 2>&1; then
    timeout 300 apt-get -o DPkg::Lock::Timeout=300 -qq update >>"$log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "$@" >>"$log" 2>&1 || rc=$?
  fi
  if (( rc )); then
    echo "prerequisites: apt-get install $* failed; its last lines:" >&2
    tail -n 15 "$log" >&2
  fi
  rm -f "$log"
  return "$rc"
}

# The kernel features and privileges the TAP, namespace and DPDK tests need.
_ys_check_kernel() {
  local caller=$1 rc=0 ns err
  if [[ ! -e /dev/net/tun ]]; then
    echo "prerequisites: no /dev/net/tun, so the TAP tests of $caller fail: load it with 'modprobe tun'" \
      "(in a container: start it with --device /dev/net/tun)." >&2
    rc=1
  fi
  # `ip netns add` needs CAP_SYS_ADMIN and a mountable /run/netns, which containers often
  # deny even to root; trying it is the only reliable way to know.
  ns=yastack-prereq-$$-$RANDOM
  if err=$(ip netns add "$ns" 2>&1); then
    ip netns delete "$ns" >/dev/null 2>&1 || true
  else
    echo "prerequisites: 'ip netns add' fails here (${err:-no message}), so the namespace tests of $caller fail" \
      "(in a container: run it with --privileged)." >&2
    rc=1
  fi
  return "$rc"
}

# ys_prerequisites PROFILE: see the top of this file.
ys_prerequisites() {
  local profile=${1:?ys_prerequisites needs a profile: test, quickstart or bench} caller root_note=""
  case $profile in
    test) caller=./test.sh
      root_note="prerequisites: ./test.sh must run as root: its TAP, veth/network-namespace and DPDK tests"
      root_note+=" (TapPortTest, TapInteropTest, UserspaceTapTransportTest, NamespaceUpstreamTest, LossyLinkProxyTest,"
      root_note+=" DpdkPortTest, DpdkProxyTest, UserspaceProxyTest, BenchHarnessSmokeIT, ...) create devices and"
      root_note+=" namespaces and fail otherwise. Run: sudo ./test.sh (as root it installs missing packages itself)." ;;
    bench) caller=bench/run.sh
      root_note="prerequisites: bench/run.sh must run as root (network namespaces, CPU pinning): sudo bench/run.sh" ;;
    quickstart) caller=./quickstart.sh ;;
    *) echo "ys_prerequisites: unknown profile '$profile' (test, quickstart or bench)" >&2; return 2 ;;
  esac
  [[ ${YASTACK_SKIP_PREREQUISITES:-0} == 1 ]] && return 0

  local -a _ys_missing _ys_reasons pkgs=() tools=()
  local entry reasons
  _ys_find_missing "$profile"
  for entry in "${_ys_missing[@]}"; do
    pkgs+=("${entry%%:*}") tools+=("${entry#*:}")
  done

  if (( ${#pkgs[@]} )); then
    printf -v reasons '%s, ' "${_ys_reasons[@]}"
    reasons=${reasons%, }
    [[ $profile != quickstart ]] || reasons="as root it also serves the routes on a TAP device"
    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
      echo "prerequisites: $caller needs tools that are missing here: ${tools[*]} ($reasons)." \
        "Without apt-get, install them with this system's package manager (Debian names: ${pkgs[*]})," \
        "or set YASTACK_SKIP_PREREQUISITES=1 to go on without them." >&2
      [[ $EUID == 0 || -z $root_note ]] || echo "$root_note" >&2
      return 1
    fi
    if [[ $EUID != 0 || ${YASTACK_NO_INSTALL:-0} == 1 ]]; then
      local sudo="sudo "
      [[ $EUID != 0 ]] || sudo=""
      echo "prerequisites: $caller needs Debian packages that are not installed ($reasons); install them with:" >&2
      echo "  ${sudo}apt-get install -y ${pkgs[*]}" >&2
      [[ $EUID == 0 || -z $root_note ]] || echo "$root_note" >&2
      return 1
    fi
    local eta=""
    (( ${#pkgs[@]} < 5 )) || eta="; takes a minute or two"
    echo "prerequisites: installing ${pkgs[*]} with apt-get for $caller ($reasons$eta)..." >&2
    _ys_apt_install "${pkgs[@]}" || return 1
    # Debian starts these on install; tests and benchmarks start their own, and a
    # machine-wide one would only hold memory and port 80.
    if [[ " ${pkgs[*]} " == *" nginx "* ]]; then _ys_stop_started_daemon nginx; fi
    if [[ " ${pkgs[*]} " == *" haproxy "* ]]; then _ys_stop_started_daemon haproxy; fi
    if [[ " ${pkgs[*]} " == *" prometheus "* ]]; then _ys_stop_started_daemon prometheus; fi
  fi

  if [[ -n $root_note ]]; then
    if [[ $EUID != 0 ]]; then
      echo "$root_note" >&2
      return 1
    fi
    _ys_check_kernel "$caller" || return 1
  fi
  return 0
}

# Run, not sourced: check (and install) for the profile given, "test" by default.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  ys_prerequisites "${1:-test}"
fi
