#!/usr/bin/env bash
# Where a proxied keep-alive request's CPU goes, yastack and nginx side by side: for each
# system, one worker in front of the same nginx upstream (100 B), wrk keep-alive load, and
# over the measured window the proxy's CPU split into user and system time, page faults and
# context switches (perf stat), all per request. With --syscalls, a second window under
# `strace -c` counts system calls per request (strace slows the proxy down; counts only).
# JVM options to compare go in YASTACK_JAVA_OPTS, e.g. YASTACK_JAVA_OPTS=-XX:+UseG1GC.
#
#   bench/costs.sh [--syscalls] [SECONDS]     (default 10 s after a 8 s warm-up; needs nginx, wrk, perf)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
syscalls=0
[[ ${1:-} == --syscalls ]] && { syscalls=1; shift; }
secs=${1:-10}
(( secs >= 1 && secs <= 120 )) || { echo "costs: SECONDS must be 1..120" >&2; exit 2; }
dist=${YASTACK_HOME:-distribution/target/yastack}
for tool in nginx wrk curl perf; do command -v $tool >/dev/null || { echo "costs: needs $tool (apt-get install -y nginx wrk curl linux-perf)" >&2; exit 1; }; done
(( syscalls == 0 )) || command -v strace >/dev/null || { echo "costs: --syscalls needs strace" >&2; exit 1; }
[[ -x $dist/bin/yastack ]] || { echo "costs: no distribution at $dist (build it, or set YASTACK_HOME)" >&2; exit 1; }
work=$(mktemp -d); pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$work"/*.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  wait 2>/dev/null || true; rm -rf "$work"
}
trap cleanup EXIT
cpus=$(nproc); proxy_cpu=$(( cpus > 1 ? 1 : 0 ))
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up=$(free_port); front=$(free_port); admin=$(free_port)
# The config has a directory of its own: yastack watches it, and the outputs written below must not wake it.
mkdir -p "$work/www" "$work/tmp" "$work/conf"
head -c 100 /dev/zero | tr '\0' a > "$work/www/index.html"
cat > "$work/upstream.conf" <<EOF
worker_processes 1; daemon off; pid $work/upstream.pid; error_log $work/upstream.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000000;
       server { listen 127.0.0.1:$up; root $work/www; } }
EOF
# The same shape as bench/peers/nginx-proxy.conf.tmpl: keep-alive both sides, no access log.
cat > "$work/nginx.conf" <<EOF
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000000;
       client_body_temp_path $work/tmp; proxy_temp_path $work/tmp;
       upstream u { server 127.0.0.1:$up; keepalive 256; }
       server { listen 127.0.0.1:$front;
                location / { proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
EOF
cat > "$work/conf/yastack.yaml" <<EOF
admin: {address: 127.0.0.1, port: $admin}
workers: 1
access_log: {disabled: true}
listeners:
  - name: web
    address: 127.0.0.1
    port: $front
    http:
      route_config:
        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
clusters:
  - {name: up, endpoints: [{address: 127.0.0.1, port: $up}]}
EOF
taskset -c $proxy_cpu nginx -c "$work/upstream.conf" & pids+=($!)

# measure NAME PID: per-request CPU (user, system), page faults and context switches of PID.
measure() {
  local name=$1 pid=$2 t0 t1 req
  wrk -t1 -c64 -d8s "http://127.0.0.1:$front/" > /dev/null
  read -r -a t0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  perf stat -x, -e page-faults,context-switches,task-clock -p "$pid" -o "$work/$name.perf" &
  local perf_pid=$!
  taskset -c 0 wrk -t1 -c64 -d"${secs}s" "http://127.0.0.1:$front/" > "$work/$name.wrk"
  kill -INT $perf_pid; wait $perf_pid || true
  read -r -a t1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  req=$(awk '/requests in/ {print $1}' "$work/$name.wrk")
  (( req > 0 )) || { echo "costs: no requests through $name" >&2; return 1; }
  local tick_us=$(( 1000000 / $(getconf CLK_TCK) ))
  awk -F, -v n="$name" -v r="$req" -v s="$secs" -v u=$(( (t1[0] - t0[0]) * tick_us )) -v y=$(( (t1[1] - t0[1]) * tick_us )) '
    $3 == "page-faults" {pf = $1} $3 == "context-switches" {cs = $1} $3 == "task-clock" {tc = $1}
    END {printf "%-8s %9.0f req/s  cpu %5.1f us/req (user %4.1f, sys %4.1f)  faults %6.3f/req  ctx-switches %5.2f/req\n",
         n, r / s, tc * 1000 / r, u / r, y / r, pf / r, cs / r}' "$work/$name.perf"
  if (( syscalls )); then
    strace -c -qq $(ls "/proc/$pid/task" | sed 's/^/-p /') -o "$work/$name.strace" & local st=$!
    sleep 1
    taskset -c 0 wrk -t1 -c64 -d5s "http://127.0.0.1:$front/" > "$work/$name.strace.wrk"
    kill -INT $st; wait $st || true
    req=$(awk '/requests in/ {print $1}' "$work/$name.strace.wrk")
    awk -v r="$req" 'NR > 2 && $NF != "total" && $4 ~ /^[0-9]+$/ && $4 / r >= 0.001 {printf "         %-14s %6.3f/req\n", $NF, $4 / r}' "$work/$name.strace" | sort -k2 -nr
  fi
}

taskset -c $proxy_cpu nginx -c "$work/nginx.conf" & pids+=($!)
for _ in $(seq 100); do [[ -s $work/nginx.pid ]] && break; sleep 0.05; done
sleep 0.5
measure nginx "$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)"
kill "$(cat "$work/nginx.pid")"; rm -f "$work/nginx.pid"; sleep 0.5

taskset -c $proxy_cpu "$dist/bin/yastack" run --config "$work/conf/yastack.yaml" > "$work/yastack.log" 2>&1 & pids+=($!)
for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$admin/ready" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$admin/ready" || { echo "costs: yastack did not start:" >&2; cat "$work/yastack.log" >&2; exit 1; }
measure yastack "$(pgrep -f "java.*$work/conf/yastack.yaml" | head -1)"
