#!/usr/bin/env bash
# Runs every test: unit tests of each module, then integration tests that start
# the built distribution (bin/yastack) against real upstreams and clients.
# Extra arguments go to Maven (e.g. ./test.sh -pl stack).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/jdk.sh
echo "test.sh: JDK $JAVA_HOME"
# Installs (as root) or names the packages the tests exec, before the build starts.
source scripts/prerequisites.sh
ys_prerequisites test
# As root the build also makes the OCI image (-Pimage; OciImageIT runs it with crun).
image=()
[[ $EUID == 0 ]] && image=(-Pimage)
exec mvn -B -ntp ${MAVEN_ARGS:-} "${image[@]}" verify "$@"
