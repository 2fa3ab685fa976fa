#!/usr/bin/env bash
# Builds yastack (the first time, and after its sources change), starts the demo upstreams and the proxy with
# examples/quickstart/, and prints what to curl. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/jdk.sh
source scripts/prerequisites.sh
ys_prerequisites quickstart
dist=distribution/target/yastack

# A source, build or example file (not a test) changed since the distribution was built (its AOT cache is
# the build's last step; without one, its newest jar): a pull or an edit gets built, not the old build.
stale() {
  local built
  built=$(ls -t "$dist"/lib/yastack.aot "$dist"/lib/yastack-*.jar 2>/dev/null | head -1)
  [[ -z $built ]] && return 0
  [[ -n $(find pom.xml api stack kernel plugins plugin-examples scripting xds distribution \
      \( -name target -o -name node_modules -o -path '*/src/test' \) -prune -o -type f -newer "$built" \
      \( -name '*.java' -o -name pom.xml -o -name '*.js' -o -name '*.yaml' -o -name '*.sh' \) -print -quit) ]]
}

if [[ ! -x "$dist/bin/yastack" || "${REBUILD:-0}" == 1 ]] || stale; then
  echo "quickstart: building (the first time takes a few minutes)..."
  mvn -B -q -ntp install -DskipTests
fi
exec "$dist/bin/yastack" quickstart "$@"
