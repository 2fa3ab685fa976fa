# One measured run of a load generator against one system, recorded with
# record(). The system's process tree CPU is read before and after, so every
# run also yields CPU cost per request (or per gigabyte for TCP).
# Sourced by run.sh after common.sh and systems.sh.

# CPU seconds of a system's process tree (0 for the direct baseline, whose
# "proxy" is the upstream itself).
sys_cpu_ticks() {
  [[ $1 == direct ]] && { echo 0; return; }
  tree_cpu_ticks "${SYS_PID[$1]}"
}

# Core utilisation (all processes) around a run tells who the bottleneck was:
# a saturated load generator core beside a proxy core with time to spare means
# the rate is the client's limit; aggregate.py flags such rows. Sampled right
# before and right after the load generator, so bookkeeping does not dilute it.
cores_before() { LG0=$(core_jiffies "$LOADGEN_CPUS"); PX0=$(core_jiffies "$PROXY_CPUS"); }
cores_after() {
  local sys=$1
  LG_PCT=null PX_PCT=null
  [[ $PIN == 1 ]] || return 0
  LG_PCT=$(busy_pct "$LG0" "$(core_jiffies "$LOADGEN_CPUS")")
  # Only meaningful when there is a proxy and it has cores of its own.
  [[ $sys == direct || " $(cpu_list "$PROXY_CPUS") " == *" $LOADGEN_CPUS "* ]] && return 0
  PX_PCT=$(busy_pct "$PX0" "$(core_jiffies "$PROXY_CPUS")")
}

# Records for the core utilisation of the last run (for the non-wrk tools).
record_cores() {
  [[ $LG_PCT == null ]] || record "$1" "$2" "$3" "$4" "$5" loadgen_core_busy_pct "$LG_PCT" "%"
  [[ $PX_PCT == null ]] || record "$1" "$2" "$3" "$4" "$5" proxy_core_busy_pct "$PX_PCT" "%"
}

# Connections the upstream has accepted so far (nginx stub_status).
upstream_accepts() {
  curl -s -m 2 "http://127.0.0.1:$UPSTREAM_PORT/upstream_status" | awk 'NR == 3 {print $1}'
}

# wrk_for SECONDS [wrk args...] URL: one wrk run from the load generator's
# core (and the client namespace, when the suite has one), bounded in time.
wrk_for() {
  local secs=$1; shift
  pinned "$LOADGEN_CPUS" "${CLIENT[@]}" timeout $((secs + 30)) \
    wrk -t1 -c"$CONNECTIONS" -d"${secs}s" --timeout 5s "$@"
}

# measure_wrk SUITE WORKLOAD SYSTEM WORKERS ROUND URL [wrk args...]
# RATE_METRIC (default rps) names the rate: e.g. handshakes_per_s when every
# request opens a new TLS connection. All records of a run come from one jq
# call over wrk's JSON line.
measure_wrk() {
  local suite=$1 workload=$2 sys=$3 workers=$4 round=$5 url=$6; shift 6
  local c0 c1 a0 a1 out json summary reqs errs p99 rps
  c0=$(sys_cpu_ticks "$sys"); a0=$(upstream_accepts); cores_before
  out=$(wrk_for "$DURATION" -s "$BENCH_DIR/tools/wrk-report.lua" "$@" "$url" 2>&1) || true
  cores_after "$sys"; c1=$(sys_cpu_ticks "$sys"); a1=$(upstream_accepts)
  json=$(sed -n 's/^BENCHJSON //p' <<<"$out")
  if [[ -z $json ]]; then
    note "$suite/$workload: wrk against $sys (round $round) produced no result: $(tail -c 300 <<<"$out" | tr '\n' ' ')"
    return 1
  fi
  # The upstream's own stub_status request counts as one accepted connection.
  jq -c --arg suite "$suite" --arg workload "$workload" --arg sys "$sys" --argjson workers "$workers" \
    --argjson round "$round" --arg rate "${RATE_METRIC:-rps}" --argjson cpu "$(( c1 - c0 ))" \
    --argjson clk "$CLK_TCK" --argjson upconns "$( [[ -n $a0 && -n $a1 ]] && echo $(( a1 - a0 - 1 )) || echo null)" \
    --argjson lg "$LG_PCT" --argjson px "$PX_PCT" '
    def rec($m; $v; $u): {suite: $suite, workload: $workload, system: $sys, workers: $workers,
                          round: $round, metric: $m, value: $v, unit: $u};
    def r($v; $d): ($v * $d | round) / $d;
    . as $w | ($w.errors | add) as $errs | ($sys != "direct" and $w.requests > 0) as $proxied
    | rec($rate; r($w.requests / ($w.duration_us / 1e6); 10); "1/s"),
      rec("latency_p50_us"; $w.latency_us.p50; "us"),
      rec("latency_p99_us"; $w.latency_us.p99; "us"),
      rec("latency_p999_us"; $w.latency_us.p999; "us"),
      rec("errors"; $errs; "count"),
      (if $proxied then rec("cpu_us_per_req"; r($cpu / $clk * 1e6 / $w.requests; 100); "us") else empty end),
      # New upstream connections per 1000 requests: 0 for a proxy that keeps a pool.
      (if $proxied and $upconns != null then rec("upstream_conns_per_kreq"; r($upconns * 1000 / $w.requests; 100); "count") else empty end),
      (if $lg != null then rec("loadgen_core_busy_pct"; $lg; "%") else empty end),
      (if $px != null then rec("proxy_core_busy_pct"; $px; "%") else empty end)
    ' <<<"$json" >>"$RAW"
  summary=$(jq -r '"\(.requests) \(.errors | add) \(.latency_us.p99) \(.requests / (.duration_us / 1e6) | floor)"' <<<"$json")
  read -r reqs errs p99 rps <<<"$summary"
  if (( errs * 100 > reqs )); then
    note "$suite/$workload: $sys had $errs errors for $reqs requests in round $round: $(jq -c .errors <<<"$json")"
  fi
  log "$suite/$workload $sys w$workers r$round: $rps req/s, p99 $p99 us, errors $errs"
}

# warm_up SYSTEM URL [SECONDS [wrk args...]]: an unrecorded run (WARMUP seconds
# by default), so JIT compilers, connection pools and caches are warm before
# the measured rounds. Longer warm-ups run as several wrk runs of at most 10 s:
# connections then close and open again as they will when the measured run
# starts (measured here: a JVM warmed on one long run deoptimised its
# close/accept paths at the start of the measured run and spent its first
# seconds recompiling them).
# WARM_WITH=h2load warms with h2load (HTTP/2, as measure_h2load) instead of wrk.
warm_up() {
  local sys=$1 url=$2 secs=${3:-$WARMUP} chunk; shift $(( $# < 3 ? $# : 3 ))
  while (( secs > 0 )); do
    chunk=$(( secs < 10 ? secs : 10 ))
    if [[ ${WARM_WITH:-wrk} == h2load ]]; then
      pinned "$LOADGEN_CPUS" timeout $((chunk + 30)) h2load -t1 -c"$CONNECTIONS" -m10 -D"$chunk" "$@" "$url" >/dev/null 2>&1 || true
    else
      wrk_for "$chunk" "$@" "$url" >/dev/null 2>&1 || true
    fi
    secs=$(( secs - chunk ))
  done
}

# measure_h2load SUITE WORKLOAD SYSTEM WORKERS ROUND URL [h2load args...]
measure_h2load() {
  local suite=$1 workload=$2 sys=$3 workers=$4 round=$5 url=$6; shift 6
  local c0 c1 out rps done_reqs failed
  c0=$(sys_cpu_ticks "$sys"); cores_before
  out=$(pinned "$LOADGEN_CPUS" timeout $((DURATION + 30)) \
        h2load -t1 -c"$CONNECTIONS" -m10 -D"$DURATION" "$@" "$url" 2>&1) || true
  cores_after "$sys"; c1=$(sys_cpu_ticks "$sys")
  # "finished in 10.00s, 51234.50 req/s, 6.62MB/s"
  rps=$(sed -n 's/^finished in [0-9.]*s, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
  # "requests: 512345 total, 512400 started, 512345 done, 512345 succeeded, 0 failed, 0 errored, 0 timeout"
  done_reqs=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$out")
  failed=$(sed -n 's/^requests: .* \([0-9]*\) failed.*/\1/p' <<<"$out")
  if [[ -z $rps || -z $done_reqs || $done_reqs == 0 ]]; then
    note "$suite/$workload: h2load against $sys (round $round) produced no result: $(tail -c 300 <<<"$out" | tr '\n' ' ')"
    return 1
  fi
  record "$suite" "$workload" "$sys" "$workers" "$round" rps "$rps" "1/s"
  record_cores "$suite" "$workload" "$sys" "$workers" "$round"
  record "$suite" "$workload" "$sys" "$workers" "$round" errors "${failed:-0}" count
  record "$suite" "$workload" "$sys" "$workers" "$round" cpu_us_per_req \
    "$(calc "round(($c1 - $c0) / $CLK_TCK * 1e6 / $done_reqs, 2)")" us
  log "$suite/$workload $sys w$workers r$round: $rps req/s (h2load)"
}

# measure_iperf SUITE SYSTEM WORKERS ROUND PORT: one iperf3 stream through the
# system's TCP listener to the iperf3 server.
measure_iperf() {
  local suite=$1 sys=$2 workers=$3 round=$4 port=$5
  local c0 c1 out bps bytes
  c0=$(sys_cpu_ticks "$sys"); cores_before
  out=$(pinned "$LOADGEN_CPUS" timeout $((DURATION + 30)) \
        iperf3 -c 127.0.0.1 -p "$port" -t "$DURATION" -J 2>&1) || true
  cores_after "$sys"; c1=$(sys_cpu_ticks "$sys")
  bps=$(jq -r '.end.sum_received.bits_per_second // empty' <<<"$out" 2>/dev/null)
  bytes=$(jq -r '.end.sum_received.bytes // empty' <<<"$out" 2>/dev/null)
  if [[ -z $bps || -z $bytes || $bytes == 0 ]]; then
    note "$suite: iperf3 through $sys (round $round) produced no result: $(jq -r '.error // empty' <<<"$out" 2>/dev/null || tail -c 300 <<<"$out")"
    return 1
  fi
  record "$suite" stream "$sys" "$workers" "$round" gbit_per_s "$(calc "round($bps / 1e9, 3)")" "Gbit/s"
  record_cores "$suite" stream "$sys" "$workers" "$round"
  if [[ $sys != direct ]]; then
    record "$suite" stream "$sys" "$workers" "$round" cpu_s_per_gbyte \
      "$(calc "round(($c1 - $c0) / $CLK_TCK / ($bytes / 1e9), 4)")" "s/GB"
  fi
  log "$suite $sys w$workers r$round: $(calc "round($bps / 1e9, 2)") Gbit/s"
}
