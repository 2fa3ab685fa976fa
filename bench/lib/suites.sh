# The named suites. Each starts the systems it needs, runs every workload
# against every system in alternation (round 1: A B C, round 2: A B C, ...),
# and stops them again. Sourced by run.sh.

# Worker counts a suite runs with: BENCH_WORKERS overrides all; by default the
# HTTP suites run with 1 and 2 workers, the others with 1 (time budget).
workers_for() {
  if [[ -n ${BENCH_WORKERS:-} ]]; then echo "$BENCH_WORKERS"; return; fi
  case $1 in http-keepalive) echo "1 2" ;; *) echo 1 ;; esac
}

# Systems of a suite: the proxies plus, where it means something, "direct"
# (the load generator straight at the upstream: what the kernel and the
# upstream give without any proxy). The baseline does not depend on the
# proxies' worker count, so it runs only with the suite's first one.
systems_with_baseline() {
  local suite=$1 workers=$2 s=("${SYSTEMS[@]}") first
  first=$(workers_for "$suite"); first=${first%% *}
  [[ $BASELINE == 1 && $workers == "$first" ]] && s+=(direct)
  echo "${s[@]}"
}

url_of() { echo "$1://$(host_of "$2"):$3$4"; }

suite_http_keepalive() {
  local w size sys r
  for w in $(workers_for http-keepalive); do
    set_layout "$w"
    start_systems http "$w" http-keepalive $(systems_with_baseline http-keepalive "$w")
    for size in $SIZES; do
      for sys in "${RUNNING[@]}"; do warm_up "$sys" "$(url_of http "$sys" "${HTTP_PORTS[$sys]}" "/$size")"; done
      for ((r = 1; r <= ROUNDS; r++)); do
        for sys in "${RUNNING[@]}"; do
          measure_wrk http-keepalive "$size" "$sys" "$w" "$r" "$(url_of http "$sys" "${HTTP_PORTS[$sys]}" "/$size")" || true
        done
      done
    done
    stop_systems
  done
}

# A new TCP connection per request: the client asks for Connection: close.
suite_http_close() {
  local w sys r size=100b
  for w in $(workers_for http-close); do
    set_layout "$w"
    start_systems http "$w" http-close $(systems_with_baseline http-close "$w")
    for sys in "${RUNNING[@]}"; do
      # wrk only reconnects when the response says Connection: close; a server
      # that keeps the connection open would turn this into keep-alive.
      if ! curl -s -D - -o /dev/null -m 5 -H 'Connection: close' "$(url_of http "$sys" "${HTTP_PORTS[$sys]}" "/$size")" \
          | grep -qi '^connection: *close'; then
        note "http-close: $sys does not answer 'Connection: close' to a client that asks for it, so wrk kept its connections open: its http-close numbers are keep-alive numbers"
      fi
      warm_up "$sys" "$(url_of http "$sys" "${HTTP_PORTS[$sys]}" "/$size")" "$WARMUP" -H 'Connection: close'
    done
    for ((r = 1; r <= ROUNDS; r++)); do
      for sys in "${RUNNING[@]}"; do
        measure_wrk http-close "$size" "$sys" "$w" "$r" "$(url_of http "$sys" "${HTTP_PORTS[$sys]}" "/$size")" \
          -H 'Connection: close' || true
      done
    done
    stop_systems
  done
}

# iperf3 through each proxy's L4 listener (nginx stream, HAProxy mode tcp,
# yastack tcp listener); "direct" is iperf3 over plain loopback.
suite_tcp_proxy() {
  local w sys r
  start_iperf_server
  for w in $(workers_for tcp-proxy); do
    set_layout "$w"
    start_systems tcp "$w" tcp-proxy $(systems_with_baseline tcp-proxy "$w")
    for ((r = 1; r <= ROUNDS; r++)); do
      for sys in "${RUNNING[@]}"; do
        measure_iperf tcp-proxy "$sys" "$w" "$r" "${TCP_PORTS[$sys]}" || true
      done
    done
    stop_systems
  done
  stop_iperf_server
}

# TLS termination. handshake: wrk with Connection: close, so every request is a
# full TLS handshake (session caches and tickets are off everywhere);
# keepalive-h1: wrk over long-lived TLS connections; keepalive-h2: h2load over
# HTTP/2 (ALPN h2, 10 concurrent streams per connection). Each workload measured is warmed up
# (h2load for h2, as in the h2c suite): HTTP/1.1 load alone left a JVM's HTTP/2 code to be
# compiled in the measured rounds (2026-12-08: 8.5 k, 11.9 k, 19.9 k req/s in rounds 1-3).
suite_tls() {
  local w sys r url
  for w in $(workers_for tls); do
    set_layout "$w"
    start_systems tls "$w" tls "${SYSTEMS[@]}"
    for sys in "${RUNNING[@]}"; do
      url=$(url_of https "$sys" "${HTTPS_PORTS[$sys]}" /100b)
      warm_up "$sys" "$url"
      if [[ $TLS_H2 == 1 ]]; then WARM_WITH=h2load warm_up "$sys" "$url"; fi
    done
    for ((r = 1; r <= ROUNDS; r++)); do
      for sys in "${RUNNING[@]}"; do
        url=$(url_of https "$sys" "${HTTPS_PORTS[$sys]}" /100b)
        RATE_METRIC=handshakes_per_s measure_wrk tls handshake "$sys" "$w" "$r" "$url" -H 'Connection: close' || true
        measure_wrk tls keepalive-h1 "$sys" "$w" "$r" "$url" || true
        [[ $TLS_H2 == 1 ]] && { measure_h2load tls keepalive-h2 "$sys" "$w" "$r" "$url" || true; }
      done
    done
    stop_systems
  done
}

# HTTP/2 without TLS (prior knowledge, RFC 9113 3.3): h2load with 10 streams in flight per
# connection, the tls suite's keepalive-h2 without the encryption, so what is measured is
# each proxy's HTTP/2 path. The warm-up is h2load too: HTTP/1.1 load would leave a JVM's
# HTTP/2 code to be compiled in the measured rounds.
suite_h2c() {
  local w sys r url served
  for w in $(workers_for h2c); do
    set_layout "$w"
    start_systems http "$w" h2c "${SYSTEMS[@]}"
    served=()
    for sys in "${RUNNING[@]}"; do
      url=$(url_of http "$sys" "$(h2c_port_of "$sys")" /100b)
      if [[ $("${CLIENT[@]}" curl -s -o /dev/null -m 5 -w '%{http_version} %{http_code}' --http2-prior-knowledge "$url" 2>&1) != "2 200" ]]; then
        skip h2c "$sys" "no HTTP/2 with prior knowledge at $url"
        continue
      fi
      served+=("$sys")
      WARM_WITH=h2load warm_up "$sys" "$url"
    done
    for ((r = 1; r <= ROUNDS; r++)); do
      for sys in "${served[@]}"; do
        measure_h2load h2c keepalive-h2c "$sys" "$w" "$r" "$(url_of http "$sys" "$(h2c_port_of "$sys")" /100b)" || true
      done
    done
    stop_systems
  done
}

h2c_port_of() { echo "${H2C_PORTS[$1]:-${HTTP_PORTS[$1]}}"; }

# Startup time (launch to /ready for yastack, to port open for the peers) and
# memory (PSS of the process tree) idle and with IDLE_CONNS idle keep-alive
# connections, each of which has carried one request. A fresh start per round.
suite_resources() {
  local sys r w=1 pid before after rest again rss_before rss_after held held_again
  set_layout "$w"
  for ((r = 1; r <= ROUNDS; r++)); do
    for sys in "${SYSTEMS[@]}"; do
      # Let the previous system's teardown (10,000 connections closing, a JVM exiting) finish:
      # a start measured on a core still busy with it came out 30% slower for whoever went next.
      sleep 3
      if ! start_system "$sys" http "$w"; then skip resources "$sys" "$START_ERROR"; continue; fi
      pid=${SYS_PID[$sys]}
      record resources startup "$sys" "$w" "$r" startup_ms "$START_MS" ms
      curl -s -o /dev/null -m 5 "http://127.0.0.1:${HTTP_PORTS[$sys]}/100b" || true
      sleep 1
      before=$(tree_pss_kib "$pid"); rss_before=$(tree_rss_kib "$pid")
      hold_idle_conns "$sys" "$r-first"; held=$HELD
      after=$(tree_pss_kib "$pid"); rss_after=$(tree_rss_kib "$pid")
      release_idle_conns
      if (( held > 0 )); then
        record resources idle-conns "$sys" "$w" "$r" pss_idle_mib "$(calc "round($before / 1024, 1)")" MiB
        record resources idle-conns "$sys" "$w" "$r" pss_held_mib "$(calc "round($after / 1024, 1)")" MiB
        record resources idle-conns "$sys" "$w" "$r" rss_idle_mib "$(calc "round($rss_before / 1024, 1)")" MiB
        record resources idle-conns "$sys" "$w" "$r" rss_held_mib "$(calc "round($rss_after / 1024, 1)")" MiB
        record resources idle-conns "$sys" "$w" "$r" held_conns "$held" count
        record resources idle-conns "$sys" "$w" "$r" kib_per_conn "$(calc "round(($after - $before) / $held, 2)")" KiB
        log "resources $sys r$r: startup ${START_MS} ms, PSS $((before / 1024)) -> $((after / 1024)) MiB with $held connections"
        (( held < IDLE_CONNS )) && note "resources: $sys held only $held of $IDLE_CONNS connections in round $r: $(jq -c .errors "$WORK/hold-$sys-$r-first.json" 2>/dev/null)"
        # The same number again on the same process once the first ones are gone: what another
        # 10,000 connections cost a proxy that has served connections before. The first burst
        # also pays what a process pays once (a JVM's young generation touched for the first
        # time, code compiled for the accept path), which the second does not.
        sleep "$IDLE_SETTLE"
        rest=$(tree_pss_kib "$pid")
        hold_idle_conns "$sys" "$r-again"; held_again=$HELD
        again=$(tree_pss_kib "$pid")
        release_idle_conns
        if (( held_again > 0 )); then
          record resources idle-conns "$sys" "$w" "$r" kib_per_conn_again "$(calc "round(($again - $rest) / $held_again, 2)")" KiB
          log "resources $sys r$r: PSS $((rest / 1024)) -> $((again / 1024)) MiB with $held_again connections again"
        fi
      else
        note "resources: no connections held against $sys in round $r: $(tail -c 300 "$WORK/hold-$sys-$r-first.log" | tr '\n' ' ')"
      fi
      stop_system "$sys"
    done
  done
}

# hold_idle_conns SYSTEM TAG: opens IDLE_CONNS keep-alive connections to SYSTEM (one request
# each) from a client left running (HOLD_CLIENT; release_idle_conns stops it), waits until they
# are open and IDLE_SETTLE seconds more, and sets HELD to how many are held.
hold_idle_conns() {
  local sys=$1 tag=$2 ready=$WORK/hold-$1-$2.json i=0
  pinned "$LOADGEN_CPUS" python3 "$BENCH_DIR/tools/hold_conns.py" --port "${HTTP_PORTS[$sys]}" \
    --count "$IDLE_CONNS" --connect-timeout 60 --hold 120 --ready-file "$ready" \
    >"$WORK/hold-$sys-$tag.log" 2>&1 &
  HOLD_CLIENT=$!
  track "$HOLD_CLIENT"
  while [[ ! -s $ready ]] && (( i++ < 900 )); do   # at most 90 s
    kill -0 "$HOLD_CLIENT" 2>/dev/null || break
    sleep 0.1
  done
  # Measured at rest: a JVM compiles the accept path during the burst of new connections,
  # and its compiler's arenas are freed and handed back (-XX:TrimNativeHeapInterval) a few
  # seconds later; 1 s after the last connection they were still 2.2 KiB per connection.
  sleep "$IDLE_SETTLE"
  HELD=$(jq -r '.held // 0' "$ready" 2>/dev/null || echo 0)
}

release_idle_conns() {
  stop_tree "$HOLD_CLIENT"; untrack "$HOLD_CLIENT"
}

# The cost of programmability in yastack: the static route table against a
# Java router plugin and a JavaScript router, same upstream, same workload.
suite_script() {
  local sys r w=1 size=100b candidates=(yastack yastack-java-router yastack-js-router)
  if [[ -z $YASTACK_BIN ]]; then skip script yastack "$YASTACK_MISSING"; return; fi
  set_layout "$w"
  start_systems http "$w" script "${candidates[@]}"
  if (( ${#RUNNING[@]} < 2 )); then
    # The static route alone is already measured by http-keepalive.
    note "script: no router plugin or script variant runs yet, so there is nothing to compare and the suite measured nothing"
    stop_systems
    return
  fi
  for sys in "${RUNNING[@]}"; do warm_up "$sys" "$(url_of http "$sys" "${HTTP_PORTS[$sys]}" "/$size")"; done
  for ((r = 1; r <= ROUNDS; r++)); do
    for sys in "${RUNNING[@]}"; do
      measure_wrk script "$size" "$sys" "$w" "$r" "$(url_of http "$sys" "${HTTP_PORTS[$sys]}" "/$size")" || true
    done
  done
  stop_systems
}

# Kernel bypass against the kernel on one and the same link: the client (wrk,
# curl) sits in a network namespace of its own behind one veth pair; on this
# side of it, yastack's host-flavor listener and nginx listen on the kernel's
# address and yastack's userspace-flavor listener on an address of its own
# stack, fed by DPDK net_af_packet on the same veth. Upstream on loopback for
# all. Each measurement starts its system alone (the af_packet socket sees
# every frame on the link, so it must not run beside the others), warms it up
# for FLAVORS_WARMUP seconds (measured here: a fresh JVM sharing one core reaches its
# steady rate after 20 s of load on the host path, 30-40 s on the userspace
# one, while C2 compiles), measures and stops it; then
# each yastack flavor runs once more under JFR's CPU-time sampler for the
# profile report (flavors-profile.md).
suite_flavors() {
  local sys r w=1 size=100b systems ran=()
  read -r -a systems <<<"${BENCH_FLAVORS_SYSTEMS:-yastack yastack-userspace nginx}"
  local -A failed=()
  if [[ -z $YASTACK_BIN ]]; then skip flavors yastack "$YASTACK_MISSING"; systems=(nginx); fi
  set_layout "$w"
  make_link || { skip flavors all "could not set up the client namespace and veth link: $LINK_ERROR"; drop_link; return; }
  LISTEN_IP=$LINK_HOST_IP CLIENT=(ip netns exec "$CLIENT_NS")
  HOSTS=([yastack-userspace]=$USERSPACE_IP)
  for ((r = 1; r <= ROUNDS; r++)); do
    for sys in "${systems[@]}"; do
      [[ -z ${failed[$sys]:-} ]] || continue
      if ! start_system "$sys" http "$w"; then
        skip flavors "$sys" "$START_ERROR"; failed[$sys]=1; continue
      fi
      (( r == 1 )) && ran+=("$sys")
      warm_up "$sys" "$(url_of http "$sys" "${HTTP_PORTS[$sys]}" "/$size")" "$FLAVORS_WARMUP"
      measure_wrk flavors "$size" "$sys" "$w" "$r" "$(url_of http "$sys" "${HTTP_PORTS[$sys]}" "/$size")" || true
      stop_system "$sys"
    done
  done
  if [[ ${BENCH_PROFILE:-1} == 1 ]]; then
    for sys in "${ran[@]}"; do
      [[ $sys == yastack* ]] || continue
      profile_flavor "$sys" "$w" "/$size" || note "flavors: profiling $sys failed"
    done
    [[ -s $WORK/flavors-profile.md ]] && cp "$WORK/flavors-profile.md" "$OUT/flavors-profile.md"
  fi
  LISTEN_IP=127.0.0.1 CLIENT=() HOSTS=()
  drop_link
}

# The flavors suite's link: namespace CLIENT_NS with CLIENT_IP on one end of a
# veth pair, LINK_DEV with LINK_HOST_IP on this side. Checksum and segmentation
# offloads are off on both ends: the userspace stack sees raw frames (a veth
# would otherwise hand it unchecksummed 64 KiB super-frames), and the host
# listeners get the same link. Sets LINK_ERROR on failure.
make_link() {
  LINK_ERROR=""
  LINK_NS_MADE=1
  ip netns add "$CLIENT_NS" 2>/dev/null || { LINK_ERROR="ip netns add $CLIENT_NS failed"; return 1; }
  ip link add "$LINK_DEV" type veth peer name "${LINK_DEV}c" netns "$CLIENT_NS" \
    || { LINK_ERROR="ip link add $LINK_DEV type veth failed"; return 1; }
  ip addr add "$LINK_HOST_IP/24" dev "$LINK_DEV" && ip link set "$LINK_DEV" up \
    && ip netns exec "$CLIENT_NS" ip addr add "$CLIENT_IP/24" dev "${LINK_DEV}c" \
    && ip netns exec "$CLIENT_NS" ip link set "${LINK_DEV}c" up \
    && ip netns exec "$CLIENT_NS" ip link set lo up \
    || { LINK_ERROR="addressing the veth pair failed"; return 1; }
  ethtool -K "$LINK_DEV" tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec "$CLIENT_NS" ethtool -K "${LINK_DEV}c" tx off tso off gso off gro off >/dev/null 2>&1 || true
  # The client gets the TCP settings of the run's own namespace.
  ip netns exec "$CLIENT_NS" sysctl -qw net.ipv4.ip_local_port_range="20000 65000" net.ipv4.tcp_tw_reuse=1 || true
}

# Deleting the namespace deletes its veth end and with it the pair. Also called
# from cleanup(), so an interrupted run leaves nothing behind.
drop_link() {
  [[ -n ${LINK_NS_MADE:-} ]] || return 0
  ip netns del "$CLIENT_NS" 2>/dev/null || true
  ip link del "$LINK_DEV" 2>/dev/null || true
  LINK_NS_MADE=""
}

# profile_flavor SYSTEM WORKERS PATH: one more warmed-up run of SYSTEM under
# JFR's CPU-time sampler (JDK 25, jdk.CPUTimeSample) and its threads' CPU read
# from /proc before and after; tools/profile_report.py appends what it found
# to work/flavors-profile.md. The recording starts with the JVM (starting it
# later with jcmd makes HotSpot throw away compiled code, and the profile
# would show the JIT compiling again); the report keeps only the samples
# taken between the two /proc readings. Not recorded as a measurement: the
# sampler costs a little.
profile_flavor() {
  local sys=$1 w=$2 path=$3 jfr=$WORK/flavors-$1.jfr jdk pid url out reqs t0 t1
  jdk=$(find_jdk25) || { note "flavors: no JDK 25 with the jfr tool found, so no profile"; return 1; }
  rm -f "$jfr"
  export YASTACK_JAVA_OPTS="-XX:StartFlightRecording=filename=$jfr,settings=profile,dumponexit=true,jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=2ms"
  if ! start_system "$sys" http "$w"; then
    unset YASTACK_JAVA_OPTS
    note "flavors: $sys did not start for profiling: $START_ERROR"
    return 1
  fi
  unset YASTACK_JAVA_OPTS
  pid=${SYS_PID[$sys]} url=$(url_of http "$sys" "${HTTP_PORTS[$sys]}" "$path")
  warm_up "$sys" "$url" "$FLAVORS_WARMUP"
  t0=$(date +%s.%N)
  python3 "$BENCH_DIR/tools/profile_report.py" threads $(pid_tree "$pid") >"$WORK/flavors-$sys-threads-0.json"
  out=$(wrk_for "$DURATION" -s "$BENCH_DIR/tools/wrk-report.lua" "$url" 2>&1) || true
  python3 "$BENCH_DIR/tools/profile_report.py" threads $(pid_tree "$pid") >"$WORK/flavors-$sys-threads-1.json"
  t1=$(date +%s.%N)
  stop_system "$sys"   # the JVM writes the recording as it exits
  reqs=$(sed -n 's/^BENCHJSON //p' <<<"$out" | jq -r '.requests // 0' 2>/dev/null) || true
  [[ -s $jfr ]] || { note "flavors: no JFR recording from $sys"; return 1; }
  "$jdk/bin/jfr" print --stack-depth 64 --events jdk.CPUTimeSample "$jfr" >"$WORK/flavors-$sys-samples.txt" || return 1
  python3 "$BENCH_DIR/tools/profile_report.py" report --system "$sys" --requests "${reqs:-0}" \
    --seconds "$DURATION" --clk-tck "$CLK_TCK" --samples "$WORK/flavors-$sys-samples.txt" \
    --window "$t0" "$t1" --before "$WORK/flavors-$sys-threads-0.json" --after "$WORK/flavors-$sys-threads-1.json" \
    >>"$WORK/flavors-profile.md"
  rm -f "$WORK/flavors-$sys-samples.txt"
  log "flavors: profile of $sys written ($reqs requests in the profiled run)"
}

# yastack's in-process stack benchmark (two userspace stacks wired back to back
# in memory) against Linux loopback measured the same way (iperf3, one stream).
# Contract with the CLI: `yastack bench stack --duration SECONDS --json` prints
# one JSON object; its numeric fields (e.g. gbit_per_s) are recorded.
suite_stack() {
  local r out key
  if [[ -z $YASTACK_BIN ]]; then skip stack yastack "$YASTACK_MISSING"; return; fi
  if ! timeout 60 "$YASTACK_BIN" --help 2>/dev/null | grep -qE '^ +bench( |$)'; then
    skip stack yastack "this yastack has no 'bench stack' subcommand yet"
    return
  fi
  set_layout 1
  start_iperf_server
  for ((r = 1; r <= ROUNDS; r++)); do
    SYS_PID[direct]=$UPSTREAM_PID
    measure_iperf stack direct 1 "$r" "$IPERF_PORT" || true
    out=$(pinned "$PROXY_CPUS" timeout $((DURATION + 60)) "$YASTACK_BIN" bench stack --duration "$DURATION" --json 2>"$WORK/stack-$r.err" | tail -1)
    if ! jq -e 'type == "object"' <<<"$out" >/dev/null 2>&1; then
      note "stack: yastack bench stack printed no JSON object in round $r: $(tail -c 300 "$WORK/stack-$r.err" | tr '\n' ' ')"
      continue
    fi
    for key in $(jq -r 'to_entries[] | select(.value | type == "number") | .key' <<<"$out"); do
      record stack stream yastack-stack 1 "$r" "$key" "$(jq ".$key" <<<"$out")" ""
    done
  done
  unset 'SYS_PID[direct]'
  stop_iperf_server
}
