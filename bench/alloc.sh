#!/usr/bin/env bash
# Bytes yastack's JVM allocates per proxied keep-alive request. The proxy forwards to a second
# yastack that answers 100 B itself (so the upstream's allocations are its own), wrk drives
# keep-alive load, and the proxy's counters `server.jvm.allocated_bytes` (every thread's
# allocations since start) and `http.web.downstream_rq_total` are read before and after:
# the quotient includes everything the process did meanwhile (admin reads, timers), so it is
# an upper bound of the request path's own allocations. With UPSTREAM=nginx the upstream is
# nginx serving a 100 B file, as in the http-keepalive suite (its response head has eight
# fields where yastack's direct response has three, and the proxy reads and forwards each).
#
#   [UPSTREAM=nginx] bench/alloc.sh [SECONDS] [CONNECTIONS]   (default 10 s, 16 connections; needs wrk, curl)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs=${1:-10}; conns=${2:-16}
dist=${YASTACK_HOME:-distribution/target/yastack}
upstream=${UPSTREAM:-yastack}
for tool in wrk curl $([[ $upstream == nginx ]] && echo nginx); do command -v $tool >/dev/null || { echo "alloc: needs $tool (apt-get install -y $tool)" >&2; exit 1; }; done
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up=$(free_port); up_admin=$(free_port); web=$(free_port); admin=$(free_port)
cat > "$work/upstream.yaml" <<EOF
admin: {address: 127.0.0.1, port: $up_admin}
workers: 1
listeners:
  - name: up
    address: 127.0.0.1
    port: $up
    http:
      route_config:
        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, direct_response: {status: 200, body: "$(printf 'x%.0s' $(seq 100))"}}]}]
EOF
cat > "$work/proxy.yaml" <<EOF
admin: {address: 127.0.0.1, port: $admin}
workers: 1
listeners:
  - name: web
    address: 127.0.0.1
    port: $web
    http:
      access_log: {disabled: true}
      route_config:
        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
clusters:
  - name: up
    endpoints: [{address: 127.0.0.1, port: $up}]
EOF
if [[ $upstream == nginx ]]; then
  mkdir -p "$work/www"; printf 'x%.0s' $(seq 100) > "$work/www/index.html"
  cat > "$work/nginx.conf" <<EOF
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$up; root $work/www; keepalive_requests 100000000; } }
EOF
  nginx -c "$work/nginx.conf" > "$work/upstream.log" 2>&1 & pids+=($!)
  up_admin=$admin # nothing of its own to wait for
else
  "$dist/bin/yastack" run --config="$work/upstream.yaml" > "$work/upstream.log" 2>&1 & pids+=($!)
fi
"$dist/bin/yastack" run --config="$work/proxy.yaml" > "$work/proxy.log" 2>&1 & pids+=($!)
for port in $up_admin $admin; do
  for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/ready" && break; sleep 0.1; done
done
stat() { curl -sf "http://127.0.0.1:$admin/stats" | awk -v n="$1" -F': ' '$1 == n {print $2}'; }
# Warm-up: JIT and pools settle before anything is counted.
wrk -t1 -c"$conns" -d5s "http://127.0.0.1:$web/" > /dev/null
a0=$(stat server.jvm.allocated_bytes); r0=$(stat http.web.downstream_rq_total)
wrk -t1 -c"$conns" -d"${secs}s" "http://127.0.0.1:$web/" > "$work/wrk.txt"
a1=$(stat server.jvm.allocated_bytes); r1=$(stat http.web.downstream_rq_total)
requests=$((r1 - r0))
(( requests > 0 )) || { echo "alloc: no requests went through; proxy log:" >&2; cat "$work/proxy.log" >&2; exit 1; }
echo "requests: $requests in ${secs}s ($(grep -o 'Requests/sec:.*' "$work/wrk.txt"))"
echo "allocated: $(( (a1 - a0) / 1024 / 1024 )) MiB, $(( (a1 - a0) / requests )) bytes per request"
