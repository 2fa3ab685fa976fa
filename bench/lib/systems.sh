# Starting and stopping the systems under test and the shared upstream.
# Sourced by run.sh after common.sh. Every server runs in the foreground as a
# child of this shell, pinned with taskset, its config rendered from
# bench/peers/*.tmpl into the run's work directory.

declare -A SYS_PID=()      # system -> pid of the running proxy
START_MS=0                 # startup time of the last start_system
START_ERROR=""             # why the last start_system failed

# Port plan (inside the run's private network namespace, so no clashes with
# anything else on the machine). Override any of them from the environment.
: "${UPSTREAM_PORT:=18000}" "${IPERF_PORT:=15201}" "${YASTACK_ADMIN_PORT:=19901}"
# yastack-NAME systems are extra yastack instances (own ports and admin port)
# configured from peers/yastack-NAME.yaml.tmpl, e.g. the script suite's routers.
declare -A HTTP_PORTS=([nginx]=18081 [haproxy]=18082 [yastack]=18083 [direct]=$UPSTREAM_PORT
  [yastack-java-router]=18084 [yastack-js-router]=18085 [yastack-userspace]=18086 [yastack-before]=18087)
declare -A HTTPS_PORTS=([nginx]=18441 [haproxy]=18442 [yastack]=18443 [yastack-before]=18444)
# HTTP/2 without TLS (the h2c suite): nginx 1.22 speaks it only on a listener of its own
# (listen ... http2, prior knowledge only); HAProxy and yastack recognise the HTTP/2
# preface on their HTTP listener, so theirs is the HTTP port.
declare -A H2C_PORTS=([nginx]=18641)
declare -A TCP_PORTS=([nginx]=18541 [haproxy]=18542 [yastack]=18543 [direct]=$IPERF_PORT [yastack-before]=18544)
declare -A ADMIN_PORTS=([yastack]=$YASTACK_ADMIN_PORT [yastack-java-router]=19902
  [yastack-js-router]=19903 [yastack-userspace]=19904 [yastack-before]=19905)
# yastack-before is another build of yastack (YASTACK_BEFORE_HOME: its distribution
# directory) run with yastack's own configs: a change measured before and after in one run.
# Where systems listen: loopback, except in the flavors suite, which puts the
# client in a namespace of its own behind one veth link (see make_link) and
# sets LISTEN_IP (host sockets), HOSTS and CLIENT for its run.
: "${LINK_HOST_IP:=10.213.99.1}" "${USERSPACE_IP:=10.213.99.2}" "${CLIENT_IP:=10.213.99.10}"
: "${LINK_DEV:=ysbp$$}" "${CLIENT_NS:=ysbc$$}"
LISTEN_IP=127.0.0.1
declare -A HOSTS=()        # system -> address its listener has, when not LISTEN_IP
CLIENT=()                  # command prefix that puts a client in the client's namespace
host_of() { echo "${HOSTS[$1]:-$LISTEN_IP}"; }

# Runs "$@" pinned to CPU list $1 when pinning is on.
pinned() {
  local cpus=$1; shift
  if [[ $PIN == 1 && -n $cpus ]]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

# Tracks a background server so cleanup() stops it whatever happens.
track() { STARTED_PIDS+=("$1"); }

untrack() {
  local keep=() p
  for p in "${STARTED_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  STARTED_PIDS=("${keep[@]}")
}

make_tls_material() {
  CERT=$WORK/tls/cert.pem KEY=$WORK/tls/key.pem CERT_PEM=$WORK/tls/bundle.pem
  export CERT KEY CERT_PEM
  [[ -s $CERT_PEM ]] && return 0
  mkdir -p "$WORK/tls"
  # ECDSA P-256: what a current deployment would serve; same cert for all.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=bench.yastack.test -keyout "$KEY" -out "$CERT" 2>/dev/null
  cat "$CERT" "$KEY" > "$CERT_PEM"
}

start_upstream() {
  local dir=$WORK/upstream
  mkdir -p "$dir/tmp"
  # nginx workers run as an unprivileged user, and the output directory may
  # not be readable to them (a test's private temp dir): the files live in a
  # world-readable directory of their own, removed by cleanup().
  WWW=$(mktemp -d /tmp/yastack-bench-www.XXXXXX)
  chmod 755 "$WWW"
  head -c 100 /dev/zero | tr '\0' 'a' > "$WWW/100b"
  head -c 16384 /dev/zero | tr '\0' 'b' > "$WWW/16k"
  chmod 644 "$WWW"/*
  ( export DIR=$dir WORKERS=$UPSTREAM_WORKERS HTTP_PORT=$UPSTREAM_PORT WWW
    render "$BENCH_DIR/peers/nginx-upstream.conf.tmpl" "$dir/nginx.conf" )
  pinned "$UPSTREAM_CPUS" nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' \
    >"$dir/stdout.log" 2>&1 &
  UPSTREAM_PID=$!
  track "$UPSTREAM_PID"
  wait_port "$UPSTREAM_PORT" 10 "$UPSTREAM_PID" || die "upstream nginx did not start: $(tail -3 "$dir/error.log" 2>/dev/null)"
  curl -sf -o /dev/null "http://127.0.0.1:$UPSTREAM_PORT/16k" || die "upstream nginx does not serve /16k"
}

start_iperf_server() {
  pinned "$UPSTREAM_CPUS" iperf3 -s -p "$IPERF_PORT" >"$WORK/iperf3-server.log" 2>&1 &
  IPERF_PID=$!
  track "$IPERF_PID"
  wait_port "$IPERF_PORT" 10 "$IPERF_PID" || die "iperf3 server did not start"
}

stop_iperf_server() {
  [[ -n ${IPERF_PID:-} ]] || return 0
  stop_tree "$IPERF_PID"; untrack "$IPERF_PID"; IPERF_PID=""
}

# The yastack distribution, or empty with YASTACK_MISSING set to the reason.
find_yastack() {
  YASTACK_BIN="${YASTACK_HOME:-$REPO_DIR/distribution/target/yastack}/bin/yastack"
  if [[ ! -x $YASTACK_BIN ]]; then
    YASTACK_MISSING="no yastack distribution at $YASTACK_BIN (build it: mvn -B -ntp install -DskipTests, or set YASTACK_HOME)"
    YASTACK_BIN=""
    return 1
  fi
  YASTACK_MISSING=""
}

# A JDK 25 or newer (its jcmd and jfr drive the CPU-time sampler), or fails.
find_jdk25() {
  local d
  for d in ${JAVA_HOME:-} /usr/lib/jvm/temurin-25* /usr/lib/jvm/*; do
    [[ -x $d/bin/jfr && -x $d/bin/jcmd ]] || continue
    [[ $("$d/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p') -ge 25 ]] \
      && { echo "$d"; return 0; }
  done
  return 1
}

# start_system SYSTEM FEATURE WORKERS: starts one proxy configured for FEATURE
# (http | tcp | tls, or for yastack also a template name such as script-js)
# with WORKERS worker threads/processes. Sets START_MS (launch to ready) or
# START_ERROR and returns 1.
start_system() {
  local sys=$1 feature=$2 workers=$3 dir pid t0 rc=0
  dir=$WORK/$sys-$feature-w$workers
  mkdir -p "$dir/tmp"
  START_ERROR=""
  export DIR=$dir WORKERS=$workers UPSTREAM_PORT IPERF_PORT CERT KEY CERT_PEM
  export HTTP_PORT=${HTTP_PORTS[$sys]:-0} HTTPS_PORT=${HTTPS_PORTS[$sys]:-0} TCP_PORT=${TCP_PORTS[$sys]:-0}
  export H2C_PORT=${H2C_PORTS[$sys]:-${HTTP_PORTS[$sys]:-0}}
  export ADMIN_PORT=${ADMIN_PORTS[$sys]:-0} LISTEN_IP USERSPACE_IP LINK_DEV
  case $sys in
    direct) START_MS=0; SYS_PID[$sys]=$UPSTREAM_PID; return 0 ;;
    nginx)
      render "$BENCH_DIR/peers/nginx-proxy.conf.tmpl" "$dir/nginx.conf" || { START_ERROR="template"; return 1; }
      t0=$(now_ns)
      pinned "$PROXY_CPUS" nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' \
        >"$dir/stdout.log" 2>&1 &
      pid=$! ;;
    haproxy)
      render "$BENCH_DIR/peers/haproxy.cfg.tmpl" "$dir/haproxy.cfg" || { START_ERROR="template"; return 1; }
      t0=$(now_ns)
      pinned "$PROXY_CPUS" haproxy -db -f "$dir/haproxy.cfg" >"$dir/stdout.log" 2>&1 &
      pid=$! ;;
    yastack|yastack-*)
      [[ -n $YASTACK_BIN ]] || { START_ERROR=$YASTACK_MISSING; return 1; }
      local template=$sys extra=() bin=$YASTACK_BIN
      [[ $sys == yastack || $sys == yastack-before ]] && template=yastack-$feature
      if [[ $sys == yastack-before ]]; then
        bin=${YASTACK_BEFORE_HOME:-}/bin/yastack
        [[ -x $bin ]] || { START_ERROR="yastack-before needs YASTACK_BEFORE_HOME (a distribution directory), got '${YASTACK_BEFORE_HOME:-}'"; return 1; }
      fi
      [[ -f $BENCH_DIR/peers/$template.yaml.tmpl ]] || { START_ERROR="no config template peers/$template.yaml.tmpl"; return 1; }
      # The Java router is the example plugin the distribution ships.
      [[ $sys == yastack-java-router ]] && extra=(--plugins "$(dirname "$(dirname "$YASTACK_BIN")")/examples/plugins")
      cp "$BENCH_DIR"/peers/*.js "$dir/" 2>/dev/null || true
      render "$BENCH_DIR/peers/$template.yaml.tmpl" "$dir/yastack.yaml" || { START_ERROR="template"; return 1; }
      t0=$(now_ns)
      pinned "$PROXY_CPUS" "$bin" run --config "$dir/yastack.yaml" "${extra[@]}" >"$dir/stdout.log" 2>&1 &
      pid=$! ;;
    *) die "unknown system $sys" ;;
  esac
  track "$pid"
  case $sys in
    yastack|yastack-*) wait_http_200 "http://127.0.0.1:$ADMIN_PORT/ready" "$YASTACK_READY_TIMEOUT" "$pid" || rc=$? ;;
    *)
      local port=$HTTP_PORT
      [[ $feature == tcp ]] && port=$TCP_PORT
      wait_port "$port" 10 "$pid" "$LISTEN_IP" || rc=$? ;;
  esac
  if (( rc != 0 )); then
    START_ERROR="$sys ($feature) did not become ready ($([[ $rc == 2 ]] && echo exited || echo timed out)): $(tail -c 400 "$dir/stdout.log" "$dir/error.log" 2>/dev/null | tr '\n' ' ' | tr -s ' ')"
    stop_tree "$pid"; untrack "$pid"
    return 1
  fi
  START_MS=$(( ($(now_ns) - t0) / 1000000 ))
  # Ready is not enough: a listener the config accepted may still not serve
  # (e.g. a feature that is parsed but not implemented yet).
  if ! probe "$sys" "$feature"; then
    START_ERROR="$sys started but its $feature listener does not work: $PROBE_ERROR"
    stop_tree "$pid"; untrack "$pid"
    return 1
  fi
  SYS_PID[$sys]=$pid
}

# probe SYSTEM FEATURE: one real request (or connection, for tcp) through the
# listener the suite will load. Sets PROBE_ERROR on failure.
probe() {
  local sys=$1 feature=$2 code host
  host=$(host_of "$sys")
  PROBE_ERROR=""
  case $feature in
    tcp) port_open "${TCP_PORTS[$sys]}" || PROBE_ERROR="nothing listens on port ${TCP_PORTS[$sys]}" ;;
    tls)
      code=$("${CLIENT[@]}" curl -sk -o /dev/null -m 5 -w '%{http_code}' "https://$host:${HTTPS_PORTS[$sys]}/100b" 2>&1) || true
      [[ $code == 200 ]] || PROBE_ERROR="HTTPS GET /100b on port ${HTTPS_PORTS[$sys]} gave '${code:-nothing}' (no TLS handshake?)" ;;
    *)
      code=$("${CLIENT[@]}" curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$host:${HTTP_PORTS[$sys]}/100b" 2>&1) || true
      [[ $code == 200 ]] || PROBE_ERROR="GET /100b on port ${HTTP_PORTS[$sys]} gave '${code:-nothing}'" ;;
  esac
  [[ -z $PROBE_ERROR ]]
}

stop_system() {
  local sys=$1 pid=${SYS_PID[$1]:-}
  [[ -n $pid && $sys != direct ]] && { stop_tree "$pid"; untrack "$pid"; }
  unset 'SYS_PID[$sys]'
}

# start_systems FEATURE WORKERS SUITE SYSTEM...: starts those that can run and
# prints their names; the others are recorded as skipped with the reason.
start_systems() {
  local feature=$1 workers=$2 suite=$3 sys; shift 3
  RUNNING=()
  for sys in "$@"; do
    if start_system "$sys" "$feature" "$workers"; then
      RUNNING+=("$sys")
    else
      skip "$suite" "$sys" "$START_ERROR"
    fi
  done
}

stop_systems() {
  local sys
  for sys in "${!SYS_PID[@]}"; do stop_system "$sys"; done
}
