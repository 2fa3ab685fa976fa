#!/usr/bin/env bash
# Builds yastack (the first time), starts the demo upstreams and the proxy with
# examples/quickstart/, and prints what to curl. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/jdk.sh
source scripts/prerequisites.sh
ys_prerequisites quickstart
dist=distribution/target/yastack
if [[ ! -x "$dist/bin/yastack" || "${REBUILD:-0}" == 1 ]]; then
  echo "quickstart: building (first time takes a few minutes)..."
  mvn -B -q -ntp install -DskipTests
fi
exec "$dist/bin/yastack" quickstart "$@"
