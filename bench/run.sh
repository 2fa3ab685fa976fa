#!/usr/bin/env bash
# Benchmarks yastack beside nginx, HAProxy and plain kernel loopback.
#
#   bench/run.sh                 every suite (about 33 minutes on 2 cores)
#   bench/run.sh SUITE...        only those suites
#   bench/run.sh --smoke         a seconds-long run of one workload (test suite)
#   bench/run.sh --out DIR ...   write results to DIR instead of bench/results/<date>
#   bench/run.sh --list          the suites
#   bench/run.sh soak [--minutes N]   the soak (bench/soak.sh, default 30 min)
#
# See bench/README.md for what each suite measures and the BENCH_* knobs.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
ALL_SUITES=(http-keepalive http-close tcp-proxy tls h2c resources script flavors stack)

usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
# The soak is a run of its own (long, one system, faults injected): bench/soak.sh.
[[ ${1:-} == soak ]] && exec "$BENCH_DIR/soak.sh" "${@:2}"

SMOKE=0 OUT="" SUITES=()
while (( $# )); do
  case $1 in
    --smoke) SMOKE=1 ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --list) printf '%s\n' "${ALL_SUITES[@]}"; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 64 ;;
    *)
      [[ " ${ALL_SUITES[*]} " == *" $1 "* ]] || { echo "run.sh: unknown suite $1 (try --list)" >&2; exit 64; }
      SUITES+=("$1") ;;
  esac
  shift
done
(( ${#SUITES[@]} )) || SUITES=("${ALL_SUITES[@]}")

source "$BENCH_DIR/lib/common.sh"

[[ $(id -u) == 0 ]] || die "needs root: it installs packages, creates a network namespace and pins CPUs"

# ---------------------------------------------------------------- outer part
# Installs what is missing, then re-executes itself inside a private network
# namespace: its own loopback, ports and TCP sysctls, nothing shared with the
# rest of the machine, and everything in it is ours to stop at the end.
if [[ -z ${BENCH_OUTER_NETNS:-} ]]; then
  # The package list lives in scripts/prerequisites.sh; BENCH_NO_INSTALL=1 only reports.
  source "$REPO_DIR/scripts/prerequisites.sh"
  YASTACK_NO_INSTALL=${BENCH_NO_INSTALL:-${YASTACK_NO_INSTALL:-0}} ys_prerequisites bench \
    || die "prerequisites missing (see above)"
  BENCH_OUTER_NETNS=$(readlink /proc/self/ns/net)
  [[ -n $BENCH_OUTER_NETNS ]] || die "cannot read this process's network namespace"
  export BENCH_OUTER_NETNS
  args=()
  (( SMOKE )) && args+=(--smoke)
  [[ -n $OUT ]] && args+=(--out "$OUT")
  exec unshare --net -- "$BASH" "${BASH_SOURCE[0]}" "${args[@]}" "${SUITES[@]}"
fi

# ---------------------------------------------------------------- inner part
# The re-executed copy must really sit in a namespace of its own (different
# from the one the outer copy recorded), or its sysctls would be the host's.
[[ $(readlink /proc/self/ns/net) != "$BENCH_OUTER_NETNS" ]] || die "not in a private network namespace"
ip link set lo up
# Per-namespace TCP settings so thousands of short connections neither run out
# of ephemeral ports nor queue up in small accept backlogs.
# The ephemeral range starts above every listening port the harness uses
# (15201..19904), so a client socket can never sit on a port a server needs.
sysctl -qw net.ipv4.ip_local_port_range="20000 65000" net.ipv4.tcp_tw_reuse=1 \
  net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096 || true
ulimit -n "$(ulimit -Hn)"

if (( SMOKE )); then
  # Seconds long: one workload, one size, one round, no baseline.
  SUITES=(http-keepalive)
  : "${BENCH_ROUNDS:=1}" "${BENCH_DURATION:=2}" "${BENCH_WARMUP:=1}" "${BENCH_WORKERS:=1}"
  : "${BENCH_SIZES:=100b}" "${BENCH_BASELINE:=0}" "${BENCH_SYSTEMS:=nginx yastack}"
fi
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-15}
FLAVORS_WARMUP=${BENCH_FLAVORS_WARMUP:-40}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
IDLE_CONNS=${BENCH_IDLE_CONNS:-10000}
IDLE_SETTLE=${BENCH_IDLE_SETTLE:-8}
SIZES=${BENCH_SIZES:-100b 16k}
BASELINE=${BENCH_BASELINE:-1}
TLS_H2=${BENCH_TLS_H2:-1}
UPSTREAM_WORKERS=${BENCH_UPSTREAM_WORKERS:-1}
YASTACK_READY_TIMEOUT=${BENCH_YASTACK_READY_TIMEOUT:-60}
read -r -a SYSTEMS <<<"${BENCH_SYSTEMS:-yastack nginx haproxy}"
CLK_TCK=$(getconf CLK_TCK)
for n in ROUNDS DURATION WARMUP FLAVORS_WARMUP CONNECTIONS IDLE_CONNS IDLE_SETTLE UPSTREAM_WORKERS; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die "BENCH_$n must be a whole number, got '${!n}'"
done
(( ROUNDS >= 1 && ROUNDS <= 50 && DURATION >= 1 && DURATION <= 600 )) || die "rounds 1..50, duration 1..600 s"

STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
if [[ -z $OUT ]]; then
  OUT=$BENCH_DIR/results/$STAMP
  (( SMOKE )) && OUT=$BENCH_DIR/results/smoke-$STAMP
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$OUT/work
mkdir -p "$WORK"
RAW=$OUT/raw.jsonl SKIPS=$WORK/skipped.jsonl NOTES=$WORK/notes.jsonl
: >"$RAW"; : >"$SKIPS"; : >"$NOTES"
exec 3>&2 2> >(tee -a "$OUT/run.log" >&3)
TEE_PID=$!

source "$BENCH_DIR/lib/systems.sh"
source "$BENCH_DIR/lib/measure.sh"
source "$BENCH_DIR/lib/suites.sh"

REPORTED=0
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${STARTED_PIDS[@]}"; do stop_tree "$p"; done
  # Named namespaces outlive this process: the flavors suite's client one.
  declare -F drop_link >/dev/null && drop_link
  if (( ! REPORTED )) && [[ -s $RAW ]] && declare -F write_report >/dev/null; then
    log "stopped early: writing a partial report"
    write_report false || true
  fi
  # Anything else this shell started and that is still alive (a load
  # generator caught mid-run, say); never the log's tee, never anything else.
  for p in $(our_descendants "$TEE_PID"); do kill -KILL "$p" 2>/dev/null || true; done
  [[ -n ${WWW:-} && -d $WWW ]] && rm -rf "$WWW"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- CPU layout
# Load generator on core 0, the proxy on the next WORKERS cores, the upstream
# on what is left; on a small machine they share, and the summary says so.
# Sharing, the upstream goes next to the proxy, not next to the client: then
# the proxy's core is the bottleneck (every proxy pays the same upstream cost)
# instead of the client's core capping fast proxies at one and the same rate.
NCPU=$(nproc)
PIN=1
[[ ${BENCH_NO_PIN:-0} == 1 ]] && PIN=0
taskset -c 0 true 2>/dev/null || { PIN=0; note "taskset cannot pin here: nothing is pinned"; }
LOADGEN_CPUS=0
max_workers=1
for s in "${SUITES[@]}"; do for w in $(workers_for "$s"); do (( w > max_workers )) && max_workers=$w; done; done
if [[ -n ${BENCH_UPSTREAM_CPUS:-} ]]; then
  UPSTREAM_CPUS=$BENCH_UPSTREAM_CPUS
elif (( NCPU >= max_workers + 2 )); then
  UPSTREAM_CPUS="$((max_workers + 1))-$((NCPU - 1))"
elif (( NCPU >= 2 )); then
  UPSTREAM_CPUS=1
  (( PIN )) && note "only $NCPU CPUs: the upstream nginx shares core 1 with the proxy under test (so the proxy's core is the bottleneck and every proxy pays the same upstream cost); the load generator has core 0"
else
  UPSTREAM_CPUS=0
  (( PIN )) && note "only 1 CPU: load generator, upstream and proxy all share it"
fi
declare -A LAYOUT_NOTED=()
set_layout() {
  local w=$1
  if (( NCPU >= w + 1 )); then
    PROXY_CPUS=$( ((w == 1)) && echo 1 || echo "1-$w")
  else
    PROXY_CPUS="0-$((NCPU - 1))"
    if (( PIN )) && [[ -z ${LAYOUT_NOTED[$w]:-} ]]; then
      note "with $w workers the proxy runs on cores $PROXY_CPUS and shares them with the load generator and the upstream ($NCPU CPUs)"
      LAYOUT_NOTED[$w]=1
    fi
  fi
}
set_layout 1

log "results in $OUT; suites: ${SUITES[*]}; systems: ${SYSTEMS[*]}; rounds $ROUNDS x ${DURATION}s"
find_yastack || { log "$YASTACK_MISSING"; }
make_tls_material
start_upstream

# ---------------------------------------------------------------- report
version_of() { "$@" 2>&1 | head -1 | tr -d '\r' || true; }

# write_report COMPLETE(true|false): results.json, summary.md and charts from
# what was measured so far; cleanup() calls it with false when a run stops early.
REPORTED=0
write_report() {
  local complete=$1 finished_at gp
  REPORTED=1
  finished_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  jq -n \
    --arg started "$started_at" --arg finished "$finished_at" --argjson smoke "$SMOKE" --argjson complete "$complete" \
    --arg cpu_model "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)" \
    --argjson cpus "$NCPU" --arg kernel "$(uname -r)" \
    --argjson rounds "$ROUNDS" --argjson duration "$DURATION" --argjson warmup "$WARMUP" \
    --argjson connections "$CONNECTIONS" --argjson idle_conns "$IDLE_CONNS" --argjson idle_settle "$IDLE_SETTLE" \
    --arg sizes "$SIZES" --arg systems "${SYSTEMS[*]}" --arg suites "${SUITES[*]}" \
    --argjson upstream_workers "$UPSTREAM_WORKERS" --argjson pinned "$PIN" \
    --arg loadgen_cpus "$LOADGEN_CPUS" --arg upstream_cpus "$UPSTREAM_CPUS" \
    --arg nginx "$(version_of nginx -v)" --arg haproxy "$(version_of haproxy -v)" \
    --arg wrk "$(version_of wrk -v)" --arg h2load "$(version_of h2load --version)" \
    --arg iperf3 "$(version_of iperf3 -v)" --arg yastack "$( [[ -n $YASTACK_BIN ]] && version_of "$YASTACK_BIN" --version || echo unavailable)" \
    '{started:$started, finished:$finished, complete:$complete, smoke:($smoke == 1),
      host:{cpu_model:$cpu_model, cpus:$cpus, kernel:$kernel},
      config:{rounds:$rounds, duration_s:$duration, warmup_s:$warmup, connections:$connections,
              idle_connections:$idle_conns, idle_settle_s:$idle_settle, sizes:($sizes | split(" ")), systems:($systems | split(" ")),
              suites:($suites | split(" ")), upstream_workers:$upstream_workers},
      pinning:{enabled:($pinned == 1), loadgen_cpus:$loadgen_cpus, upstream_cpus:$upstream_cpus,
               proxy_cpus:"1 per worker from core 1, or all cores when there are not enough"},
      versions:{nginx:$nginx, haproxy:$haproxy, wrk:$wrk, h2load:$h2load, iperf3:$iperf3, yastack:$yastack}}' \
    >"$WORK/meta.json"
  python3 "$BENCH_DIR/tools/aggregate.py" --meta "$WORK/meta.json" --raw "$RAW" --skipped "$SKIPS" \
    --notes "$NOTES" --out "$OUT"
  if command -v gnuplot >/dev/null; then
    for gp in "$OUT"/charts/*.gp; do
      [[ -e $gp ]] || continue
      (cd "$OUT/charts" && timeout 60 gnuplot "$(basename "$gp")") || note "gnuplot failed on $gp"
    done
  fi
}

started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for suite in "${SUITES[@]}"; do
  log "suite $suite"
  "suite_${suite//-/_}"
done

write_report true
log "done: $OUT/summary.md"
