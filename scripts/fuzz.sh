#!/usr/bin/env bash
# Runs the coverage-guided (Jazzer) fuzz tests for longer than ./test.sh does.
#
#   scripts/fuzz.sh [--seconds N] [TARGET...]    default: 300 s per target, every target
#   scripts/fuzz.sh --list                       the targets
#
# Targets: request-decoder upstream-response proxy-protocol (kernel/proxy),
# config-loader (kernel/config), frame-input (stack). Each runs in its own JVM
# (its surefire execution, fuzz-TARGET). The corpus a run grows stays in
# MODULE/.cifuzz-corpus/ (git-ignored) and is reused by the next run; an input
# that fails lands in MODULE/src/test/resources/.../<Test>Inputs/<method>/ as
# crash-<hash>: commit it and it is replayed by every build from then on.
# Extra Maven arguments: MAVEN_ARGS (e.g. MAVEN_ARGS=-o).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
declare -A MODULE=([request-decoder]=kernel/proxy [upstream-response]=kernel/proxy
  [proxy-protocol]=kernel/proxy [config-loader]=kernel/config [frame-input]=stack)
ORDER=(request-decoder upstream-response proxy-protocol config-loader frame-input)
SECONDS_EACH=300 TARGETS=()
while (( $# )); do
  case $1 in
    --seconds) SECONDS_EACH=${2:?--seconds needs a number}; shift ;;
    --list) printf '%s\n' "${ORDER[@]}"; exit 0 ;;
    -h|--help) sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) [[ -n ${MODULE[$1]:-} ]] || { echo "fuzz.sh: unknown target $1 (try --list)" >&2; exit 64; }
       TARGETS+=("$1") ;;
  esac
  shift
done
[[ $SECONDS_EACH =~ ^[0-9]+$ ]] && (( SECONDS_EACH >= 1 )) || { echo "fuzz.sh: --seconds must be a positive number" >&2; exit 64; }
(( ${#TARGETS[@]} )) || TARGETS=("${ORDER[@]}")
source scripts/jdk.sh
modules=$(for t in "${TARGETS[@]}"; do echo "${MODULE[$t]}"; done | sort -u | paste -sd,)
# Build once (tests compiled, nothing run), then one surefire execution per target.
mvn -B -ntp ${MAVEN_ARGS:-} -q install -DskipTests -pl "$modules" -am
rc=0
for t in "${TARGETS[@]}"; do
  echo "fuzz.sh: $t for ${SECONDS_EACH}s (${MODULE[$t]})"
  mvn -B -ntp ${MAVEN_ARGS:-} -pl "${MODULE[$t]}" "surefire:test@fuzz-$t" -Dfuzz=true -Dfuzz.seconds="$SECONDS_EACH" \
    || { echo "fuzz.sh: $t found a failing input (see above; the reproducer is under src/test/resources)" >&2; rc=1; }
done
exit "$rc"
