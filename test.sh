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
# The example control plane (distribution/src/dist/examples/xds) is a standalone Maven project
# that XdsExampleIT builds and runs offline the way the README says: its dependencies and
# plugins are fetched now, into the repository the build uses. (As test dependencies of the
# distribution they cannot be had: its tree holds java-control-plane's api jar, whose Envoy
# classes would shadow yastack-xds's on the tests' class path, and plugins are not dependencies.)
example=()
for a in "$@"; do [[ $a == -Dmaven.repo.local=* || $a == -o || $a == --offline ]] && example+=("$a"); done
mvn -B -ntp -q ${MAVEN_ARGS:-} ${example[@]+"${example[@]}"} -f distribution/src/dist/examples/xds/pom.xml \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:go-offline
# As root the build also makes the OCI image (-Pimage; OciImageIT runs it with crun).
image=()
[[ $EUID == 0 ]] && image=(-Pimage)
exec mvn -B -ntp ${MAVEN_ARGS:-} "${image[@]}" verify "$@"
