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
# the rate is the client's limit; aggregate.py flags such rows.
cores_before() { LG0=$(core_jiffies "$LOADGEN_CPUS"); PX0=$(core_jiffies "$PROXY_CPUS"); }
cores_after() {
  local suite=$1 workload=$2 sys=$3 workers=$4 round=$5 lg px
  lg=$(busy_pct "$LG0" "$(core_jiffies "$LOADGEN_CPUS")")
  px=$(busy_pct "$PX0" "$(core_jiffies "$PROXY_CPUS")")
  [[ $PIN == 1 ]] || return 0
  record "$suite" "$workload" "$sys" "$workers" "$round" loadgen_core_busy_pct "$lg" "%"
  # Only meaningful when there is a proxy and it has cores of its own.
  [[ $sys == direct || " $(cpu_list "$PROXY_CPUS") " == *" $LOADGEN_CPUS "* ]] && return 0
  record "$suite" "$workload" "$sys" "$workers" "$round" proxy_core_busy_pct "$px" "%"
}

# Connections the upstream has accepted so far (nginx stub_status).
upstream_accepts() {
  curl -s -m 2 "http://127.0.0.1:$UPSTREAM_PORT/upstream_status" | awk 'NR == 3 {print $1}'
}

# measure_wrk SUITE WORKLOAD SYSTEM WORKERS ROUND URL [wrk args...]
# RATE_METRIC (default rps) names the rate: e.g. handshakes_per_s when every
# request opens a new TLS connection.
measure_wrk() {
  local suite=$1 workload=$2 sys=$3 workers=$4 round=$5 url=$6; shift 6
  local c0 c1 a0 a1 out json reqs secs rps errs
  c0=$(sys_cpu_ticks "$sys"); cores_before; a0=$(upstream_accepts)
  out=$(pinned "$LOADGEN_CPUS" timeout $((DURATION + 30)) \
        wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s -s "$BENCH_DIR/tools/wrk-report.lua" "$@" "$url" 2>&1) || true
  c1=$(sys_cpu_ticks "$sys"); a1=$(upstream_accepts)
  json=$(sed -n 's/^BENCHJSON //p' <<<"$out")
  if [[ -z $json ]]; then
    note "$suite/$workload: wrk against $sys (round $round) produced no result: $(tail -c 300 <<<"$out" | tr '\n' ' ')"
    return 1
  fi
  reqs=$(jq '.requests' <<<"$json")
  secs=$(jq '.duration_us / 1e6' <<<"$json")
  errs=$(jq '.errors | add' <<<"$json")
  rps=$(calc "round($reqs / $secs, 1)")
  record "$suite" "$workload" "$sys" "$workers" "$round" "${RATE_METRIC:-rps}" "$rps" "1/s"
  cores_after "$suite" "$workload" "$sys" "$workers" "$round"
  record "$suite" "$workload" "$sys" "$workers" "$round" latency_p50_us "$(jq '.latency_us.p50' <<<"$json")" us
  record "$suite" "$workload" "$sys" "$workers" "$round" latency_p99_us "$(jq '.latency_us.p99' <<<"$json")" us
  record "$suite" "$workload" "$sys" "$workers" "$round" latency_p999_us "$(jq '.latency_us.p999' <<<"$json")" us
  record "$suite" "$workload" "$sys" "$workers" "$round" errors "$errs" count
  if [[ $sys != direct ]] && (( reqs > 0 )); then
    record "$suite" "$workload" "$sys" "$workers" "$round" cpu_us_per_req \
      "$(calc "round(($c1 - $c0) / $CLK_TCK * 1e6 / $reqs, 2)")" us
  fi
  # How well the proxy reuses upstream connections: new upstream connections
  # per 1000 requests (0 for a proxy that keeps a pool; 1000 for none).
  if [[ $sys != direct && -n $a0 && -n $a1 ]] && (( reqs > 0 )); then
    record "$suite" "$workload" "$sys" "$workers" "$round" upstream_conns_per_kreq \
      "$(calc "round(($a1 - $a0 - 1) * 1000 / $reqs, 2)")" count
  fi
  if (( errs * 100 > reqs )); then
    note "$suite/$workload: $sys had $errs errors for $reqs requests in round $round: $(jq -c .errors <<<"$json")"
  fi
  log "$suite/$workload $sys w$workers r$round: $rps req/s, p99 $(jq '.latency_us.p99' <<<"$json") us, errors $errs"
}

# warm_up SYSTEM URL [wrk args...]: a short unrecorded run, so JIT compilers,
# connection pools and caches are warm before the measured rounds.
warm_up() {
  local sys=$1 url=$2; shift 2
  (( WARMUP > 0 )) || return 0
  pinned "$LOADGEN_CPUS" timeout $((WARMUP + 30)) \
    wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 5s "$@" "$url" >/dev/null 2>&1 || true
}

# measure_h2load SUITE WORKLOAD SYSTEM WORKERS ROUND URL [h2load args...]
measure_h2load() {
  local suite=$1 workload=$2 sys=$3 workers=$4 round=$5 url=$6; shift 6
  local c0 c1 out rps done_reqs failed
  c0=$(sys_cpu_ticks "$sys"); cores_before
  out=$(pinned "$LOADGEN_CPUS" timeout $((DURATION + 30)) \
        h2load -t1 -c"$CONNECTIONS" -m10 -D"$DURATION" "$@" "$url" 2>&1) || true
  c1=$(sys_cpu_ticks "$sys")
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
  cores_after "$suite" "$workload" "$sys" "$workers" "$round"
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
  c1=$(sys_cpu_ticks "$sys")
  bps=$(jq -r '.end.sum_received.bits_per_second // empty' <<<"$out" 2>/dev/null)
  bytes=$(jq -r '.end.sum_received.bytes // empty' <<<"$out" 2>/dev/null)
  if [[ -z $bps || -z $bytes || $bytes == 0 ]]; then
    note "$suite: iperf3 through $sys (round $round) produced no result: $(jq -r '.error // empty' <<<"$out" 2>/dev/null || tail -c 300 <<<"$out")"
    return 1
  fi
  record "$suite" stream "$sys" "$workers" "$round" gbit_per_s "$(calc "round($bps / 1e9, 3)")" "Gbit/s"
  cores_after "$suite" stream "$sys" "$workers" "$round"
  if [[ $sys != direct ]]; then
    record "$suite" stream "$sys" "$workers" "$round" cpu_s_per_gbyte \
      "$(calc "round(($c1 - $c0) / $CLK_TCK / ($bytes / 1e9), 4)")" "s/GB"
  fi
  log "$suite $sys w$workers r$round: $(calc "round($bps / 1e9, 2)") Gbit/s"
}
