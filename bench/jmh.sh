#!/usr/bin/env bash
# Runs a JMH benchmark of the test sources against this checkout's own classes (never
# against yastack jars that another build left in ~/.m2).
#
#   bench/jmh.sh MODULE BENCH [JMH ARGS...]     e.g. bench/jmh.sh kernel/proxy PolicyBench -prof gc
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/jdk.sh
module=${1:?module, e.g. kernel/proxy}; shift
bench=${1:?benchmark class, e.g. PolicyBench}; shift
mvn -B -q -o install -DskipTests -pl "$module" -am >/dev/null
mvn -B -q -o dependency:build-classpath -pl "$module" -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout \
  | tr ':' '\n' > "$module/target/jmh-classpath.txt"
# Each yastack jar of ~/.m2 is replaced by the module's classes of this checkout.
cp="$module/target/test-classes:$module/target/classes"
while read -r entry; do
  case $entry in
    */dev/yastack/*) name=$(basename "$entry" .jar); name=${name%-0.1.0-SNAPSHOT*}; name=${name#yastack-}
      dir=$(find . -path "*/target/classes" -path "*${name#plugin-}*" -not -path "./distribution/*" | head -1)
      [[ -n $dir ]] && cp+=":$dir" || cp+=":$entry" ;;
    *) cp+=":$entry" ;;
  esac
done < "$module/target/jmh-classpath.txt"
exec "$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main "$bench" "$@"
