# Shared helpers for bench/run.sh: logging, bounded waits, process bookkeeping,
# per-process-tree CPU and memory readings, CPU pinning and config templating.
# Sourced, never run.

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

now_ns() { date +%s%N; }

# PIDs of every server this run started; cleanup() stops them all.
declare -a STARTED_PIDS=()

# True once something accepts TCP connections on ${2:-127.0.0.1}:$1.
port_open() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# wait_port PORT TIMEOUT_S PID [HOST]: polls every 10 ms; fails early if PID died.
wait_port() {
  local port=$1 timeout=$2 pid=${3:-} host=${4:-127.0.0.1} deadline
  deadline=$(( $(now_ns) + timeout * 1000000000 ))
  while (( $(now_ns) < deadline )); do
    port_open "$port" "$host" && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then return 2; fi
    sleep 0.01
  done
  return 1
}

# wait_http_200 URL TIMEOUT_S PID
wait_http_200() {
  local url=$1 timeout=$2 pid=${3:-} deadline code
  deadline=$(( $(now_ns) + timeout * 1000000000 ))
  while (( $(now_ns) < deadline )); do
    code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$url" 2>/dev/null || true)
    [[ $code == 200 ]] && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then return 2; fi
    sleep 0.01
  done
  return 1
}

# The process and all of its descendants (nginx master + workers, a JVM, ...).
pid_tree() {
  local pid=$1 child
  [[ -d /proc/$pid ]] || return 0
  echo "$pid"
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do pid_tree "$child"; done
}

# User+system CPU of a process tree, in clock ticks (utime+stime of each live
# process; fields 14 and 15 of /proc/PID/stat, counted after the "comm" field).
tree_cpu_ticks() {
  local total=0 p rest
  for p in $(pid_tree "$1"); do
    rest=$(sed 's/^.*) //' /proc/"$p"/stat 2>/dev/null) || continue
    set -- $rest
    total=$(( total + ${12} + ${13} ))
  done
  echo "$total"
}

# Resident memory of a process tree in KiB: the sum of each process's
# proportional set size (Pss), so pages nginx workers share with their master
# are not counted twice.
tree_pss_kib() {
  local total=0 p v
  for p in $(pid_tree "$1"); do
    v=$(awk '/^Pss:/ {print $2}' /proc/"$p"/smaps_rollup 2>/dev/null)
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

# Resident set size of a process tree in KiB (VmRSS summed: pages shared
# between an nginx master and its workers count once per process).
tree_rss_kib() {
  local total=0 p v
  for p in $(pid_tree "$1"); do
    v=$(awk '/^VmRSS:/ {print $2}' /proc/"$p"/status 2>/dev/null)
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

# Stops one process tree: TERM, up to 5 s grace, then KILL for what is left.
stop_tree() {
  local pid=$1 pids i
  pids=$(pid_tree "$pid")
  [[ -n $pids ]] || return 0
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    local alive=0 p
    for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  kill -KILL $pids 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Every live descendant of this shell except the given PIDs: the last line of
# defence of cleanup(). Only our own descendants, never anything else on the
# machine, whatever namespace we are in.
our_descendants() {
  local skip=" $* " p
  for p in $(pid_tree $$); do
    [[ $p == "$$" || $p == "$BASHPID" || $skip == *" $p "* ]] && continue
    echo "$p"
  done
}

# render TEMPLATE OUT: replaces every @NAME@ with $NAME from the environment;
# an unset name is an error so a typo cannot produce a half-configured server.
render() {
  perl -pe 's/@([A-Z][A-Z0-9_]*)@/exists $ENV{$1} ? $ENV{$1} : die "bench: template $ARGV uses unset \@$1\@\n"/ge' "$1" > "$2"
}

# record SUITE WORKLOAD SYSTEM WORKERS ROUND METRIC VALUE UNIT: one measurement
# as a JSON line in $RAW (aggregate.py turns these into results.json).
record() {
  jq -cn --arg suite "$1" --arg workload "$2" --arg system "$3" --argjson workers "$4" \
    --argjson round "$5" --arg metric "$6" --argjson value "$7" --arg unit "$8" \
    '{suite:$suite, workload:$workload, system:$system, workers:$workers, round:$round,
      metric:$metric, value:$value, unit:$unit}' >> "$RAW"
}

# skip SUITE SYSTEM REASON: a suite/system pair that did not run, and why.
skip() {
  log "skip: $1 / $2: $3"
  jq -cn --arg suite "$1" --arg system "$2" --arg reason "$3" \
    '{suite:$suite, system:$system, reason:$reason}' >> "$SKIPS"
}

# note TEXT: a remark that belongs in the summary (e.g. cores had to be shared).
note() {
  log "note: $*"
  jq -cn --arg text "$*" '$text' >> "$NOTES"
}

# Float arithmetic without bc: calc 'EXPR' (python3 standard library only).
calc() { python3 -c "print($1)"; }

# Expands a CPU list such as "0", "1-2" or "0,2-3" into "0 1 2 3".
cpu_list() {
  local part out=()
  IFS=, read -r -a parts <<<"$1"
  for part in "${parts[@]}"; do
    if [[ $part == *-* ]]; then out+=($(seq "${part%-*}" "${part#*-}")); else out+=("$part"); fi
  done
  echo "${out[@]}"
}

# core_jiffies CPULIST: "busy total" jiffies summed over those CPUs, from
# /proc/stat (busy = everything but idle and iowait).
core_jiffies() {
  local want=" $(cpu_list "$1") "
  awk -v want="$want" '$1 ~ /^cpu[0-9]+$/ {
      n = substr($1, 4); if (index(want, " " n " ") == 0) next
      t = 0; for (i = 2; i <= NF; i++) t += $i
      busy += t - $5 - $6; total += t }
    END { print busy + 0, total + 0 }' /proc/stat
}

# busy_pct "BUSY0 TOTAL0" "BUSY1 TOTAL1": percent busy between two samples.
busy_pct() {
  local b0 t0 b1 t1
  read -r b0 t0 <<<"$1"; read -r b1 t1 <<<"$2"
  (( t1 > t0 )) || { echo 0; return; }
  echo $(( (b1 - b0) * 100 / (t1 - t0) ))
}
