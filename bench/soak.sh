#!/usr/bin/env bash
# Soak: yastack under steady load with upstream faults, watched for growth.
#
#   bench/soak.sh [--minutes N] [--out DIR]     (also: bench/run.sh soak ...)
#
# Default 30 minutes (SOAK_MINUTES; 10 is enough for a run by hand, at least 2).
# Load, in 10 s intervals: keep-alive GETs paced at ~80% of the capacity
# measured first, new-connection GETs beside them, and traffic to two faulty
# endpoints. Faults: one endpoint of the main cluster is killed and restarted
# every minute, one answers after 200 ms, one answers bytes that are not HTTP.
# Every interval samples RSS, heap after a full GC, direct (NIO) memory, file
# descriptors, threads and p99. Writes samples.csv, soak.png and verdict.txt to
# bench/results/soak-<time>/ (or --out) and fails when a resource grows without
# bound or a request is lost that no fault explains. Root: private network
# namespace, like bench/run.sh. Needs a built distribution (YASTACK_HOME).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
MINUTES=${SOAK_MINUTES:-30} OUT=""
while (( $# )); do
  case $1 in
    --minutes) MINUTES=${2:?--minutes needs a number}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    -h|--help) sed -n '2,16s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 64 ;;
  esac
  shift
done
source "$BENCH_DIR/lib/common.sh"
[[ $MINUTES =~ ^[0-9]+$ ]] && (( MINUTES >= 2 && MINUTES <= 240 )) || die "--minutes must be 2..240, got '$MINUTES'"
[[ $(id -u) == 0 ]] || die "needs root: it creates a network namespace"

if [[ -z ${SOAK_OUTER_NETNS:-} ]]; then
  source "$REPO_DIR/scripts/prerequisites.sh"
  YASTACK_NO_INSTALL=${BENCH_NO_INSTALL:-${YASTACK_NO_INSTALL:-0}} ys_prerequisites bench \
    || die "prerequisites missing (see above)"
  SOAK_OUTER_NETNS=$(readlink /proc/self/ns/net)
  export SOAK_OUTER_NETNS
  args=(--minutes "$MINUTES")
  [[ -n $OUT ]] && args+=(--out "$OUT")
  exec unshare --net -- "$BASH" "${BASH_SOURCE[0]}" "${args[@]}"
fi
[[ $(readlink /proc/self/ns/net) != "$SOAK_OUTER_NETNS" ]] || die "not in a private network namespace"
ip link set lo up
sysctl -qw net.ipv4.ip_local_port_range="20000 65000" net.ipv4.tcp_tw_reuse=1 net.core.somaxconn=4096 || true
ulimit -n "$(ulimit -Hn)"

[[ -n $OUT ]] || OUT=$BENCH_DIR/results/soak-$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p "$OUT/work"
OUT=$(cd "$OUT" && pwd)
WORK=$OUT/work
exec 3>&2 2> >(tee -a "$OUT/run.log" >&3)
TEE_PID=$!

# systems.sh brings start_upstream (nginx on UPSTREAM_PORT) and find_yastack.
PIN=0 UPSTREAM_WORKERS=1 UPSTREAM_CPUS="" PROXY_CPUS="" LOADGEN_CPUS=""
source "$BENCH_DIR/lib/systems.sh"
export UPSTREAM_PORT FLAP_PORT=18010 SLOW_PORT=18011 GARBAGE_PORT=18012
export HTTP_PORT=18090 ADMIN_PORT=19990 WORKERS=${SOAK_WORKERS:-1}
KEEPALIVE_CONNS=${SOAK_CONNECTIONS:-32}
INTERVAL=10
declare -A UP_PID=()

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${STARTED_PIDS[@]}" "${UP_PID[@]}"; do stop_tree "$p"; done
  for p in $(our_descendants "$TEE_PID"); do kill -KILL "$p" 2>/dev/null || true; done
  [[ -n ${WWW:-} && -d $WWW ]] && rm -rf "$WWW"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

start_fake() { # NAME PORT MODE
  python3 "$BENCH_DIR/tools/soak_upstream.py" --port "$2" --mode "$3" >>"$WORK/$1.log" 2>&1 &
  UP_PID[$1]=$!
  wait_port "$2" 10 "${UP_PID[$1]}" || die "upstream $1 did not start: $(tail -3 "$WORK/$1.log")"
}

find_yastack || die "$YASTACK_MISSING"
start_upstream
start_fake flap "$FLAP_PORT" ok
start_fake slow "$SLOW_PORT" slow
start_fake garbage "$GARBAGE_PORT" garbage
render "$BENCH_DIR/peers/yastack-soak.yaml.tmpl" "$WORK/yastack.yaml"
# NMT gives direct memory (Netty and NIO buffers are malloc'd: category "Other").
YASTACK_JAVA_OPTS="${YASTACK_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary" \
  "$YASTACK_BIN" run --config "$WORK/yastack.yaml" >"$WORK/yastack.log" 2>&1 &
YS=$!
track "$YS"
wait_http_200 "http://127.0.0.1:$ADMIN_PORT/ready" 60 "$YS" || die "yastack did not become ready: $(tail -5 "$WORK/yastack.log")"
JPID=$(for p in $(pid_tree "$YS"); do [[ $(cat /proc/"$p"/comm) == java ]] && echo "$p"; done | head -1)
[[ -n $JPID ]] || die "no java process under yastack (pid $YS)"
for path in /100b /slow /garbage; do
  log "probe $path: $(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT$path")"
done

wrk_json() { # SECONDS CONNS DELAY_MS PATH [wrk args]: one SOAKJSON line
  local secs=$1 conns=$2 d=$3 path=$4; shift 4
  SOAK_DELAY_MS=$d timeout $((secs + 20)) wrk -t1 -c"$conns" -d"${secs}s" --timeout 5s \
    -s "$BENCH_DIR/tools/soak.lua" "$@" "http://127.0.0.1:$HTTP_PORT$path" 2>&1 | sed -n 's/^SOAKJSON //p'
}

log "warm-up and capacity: 15 s unpaced keep-alive load on /100b"
wrk_json 5 "$KEEPALIVE_CONNS" 0 /100b >/dev/null
cap=$(wrk_json 10 "$KEEPALIVE_CONNS" 0 /100b | jq '.requests / (.duration_us / 1e6) | floor')
[[ $cap =~ ^[0-9]+$ ]] && (( cap > 0 )) || die "capacity run gave no result"
# Closed loop: each connection waits DELAY after each answer; rate ~ conns / (delay + latency).
target=$(( cap * 8 / 10 ))
delay=$(( KEEPALIVE_CONNS * 1000 / target ))
(( delay >= 1 )) || delay=1
# One paced calibration run: the latency adds to the pause, so scale the connection count to the target.
got=$(wrk_json 5 "$KEEPALIVE_CONNS" "$delay" /100b | jq '.requests / (.duration_us / 1e6) | floor')
(( got > 0 )) && KEEPALIVE_CONNS=$(( KEEPALIVE_CONNS * target / got ))
(( KEEPALIVE_CONNS < 1 )) && KEEPALIVE_CONNS=1
(( KEEPALIVE_CONNS > 1000 )) && KEEPALIVE_CONNS=1000
log "capacity $cap req/s; target ~$target req/s: $KEEPALIVE_CONNS connections paced at ${delay} ms (calibration gave $got req/s)"
jq -n --argjson cap "$cap" --argjson target "$target" --argjson delay "$delay" --argjson minutes "$MINUTES" \
  --argjson conns "$KEEPALIVE_CONNS" \
  '{capacity_rps:$cap, target_rps:$target, delay_ms:$delay, keepalive_connections:$conns, minutes:$minutes}' >"$OUT/setup.json"

echo "t_s,rss_kib,heap_after_gc_kib,direct_kib,fds,threads,p99_us,ok_rps,ok_requests,ok_failed,close_requests,close_failed,slow_requests,slow_failed,garbage_requests,garbage_not_502,flap_event" >"$OUT/samples.csv"
start=$(date +%s)
end=$(( start + MINUTES * 60 ))
next_flap=$(( start + 60 ))
flap_down_until=0
while (( $(date +%s) + INTERVAL <= end )); do
  event=""
  now=$(date +%s)
  if (( flap_down_until == 0 && now >= next_flap )); then
    stop_tree "${UP_PID[flap]}"; flap_down_until=$(( now + 10 )); event=killed
  elif (( flap_down_until != 0 && now >= flap_down_until )); then
    start_fake flap "$FLAP_PORT" ok; flap_down_until=0; next_flap=$(( now + 50 )); event=restarted
  fi
  wrk_json "$INTERVAL" "$KEEPALIVE_CONNS" "$delay" /100b >"$WORK/ka.json" &
  a=$!
  wrk_json "$INTERVAL" 4 20 /100b -H "Connection: close" >"$WORK/close.json" &
  b=$!
  wrk_json "$INTERVAL" 4 0 /slow >"$WORK/slow.json" &
  c=$!
  wrk_json "$INTERVAL" 2 50 /garbage >"$WORK/garbage.json" &
  d=$!
  wait "$a" "$b" "$c" "$d" || true
  for f in ka close slow garbage; do [[ -s $WORK/$f.json ]] || die "wrk on $f produced no result"; done
  jcmd "$JPID" GC.run >/dev/null 2>&1 || true
  # Heap in use after the full GC: the "used" of each generation (Parallel, G1, Serial), not Metaspace.
  heap=$(jcmd "$JPID" GC.heap_info 2>/dev/null | awk '/^ *(PSYoungGen|ParOldGen|garbage-first heap|def new generation|tenured generation)/ {
    if (match($0, /used [0-9]+K/)) { total += substr($0, RSTART + 5, RLENGTH - 6); n++ } } END { if (n) print total }')
  direct=$(jcmd "$JPID" VM.native_memory summary 2>/dev/null | sed -n 's/^-  *Other (reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/\1/p' | head -1)
  rss=$(awk '/^VmRSS:/ {print $2}' /proc/"$JPID"/status)
  threads=$(awk '/^Threads:/ {print $2}' /proc/"$JPID"/status)
  fds=$(ls /proc/"$JPID"/fd | wc -l)
  row=$(jq -rn --slurpfile ka "$WORK/ka.json" --slurpfile cl "$WORK/close.json" --slurpfile sl "$WORK/slow.json" \
    --slurpfile ga "$WORK/garbage.json" '
    def failed: .requests - .status_2xx + .errors.connect + .errors.read + .errors.write + .errors.timeout;
    [$ka[0].latency_us.p99, ($ka[0].requests / ($ka[0].duration_us / 1e6) | floor), $ka[0].requests, ($ka[0] | failed),
     $cl[0].requests, ($cl[0] | failed), $sl[0].requests, ($sl[0] | failed),
     $ga[0].requests, ($ga[0].requests - $ga[0].status_5xx + $ga[0].errors.connect + $ga[0].errors.timeout)] | @csv')
  echo "$(( $(date +%s) - start )),$rss,${heap:-},${direct:-},$fds,$threads,$row,$event" >>"$OUT/samples.csv"
  log "t=$(( $(date +%s) - start ))s rss ${rss}K heap ${heap:-?}K direct ${direct:-?}K fds $fds threads $threads | $row ${event}"
  kill -0 "$JPID" 2>/dev/null || die "yastack died: $(tail -5 "$WORK/yastack.log")"
done

python3 "$BENCH_DIR/tools/soak_verdict.py" "$OUT/samples.csv" "$OUT/verdict.txt" "$OUT/soak.gp"
(cd "$OUT" && timeout 60 gnuplot soak.gp) || log "gnuplot failed; samples.csv has the data"
cat "$OUT/verdict.txt" >&2
grep -q '^PASS' "$OUT/verdict.txt"
