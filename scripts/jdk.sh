# Sourced by quickstart.sh, test.sh and .ci/run: exports JAVA_HOME pointing at a JDK >= 25.
_ys_java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }
_ys_find_jdk() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]] && (( $(_ys_java_major "$JAVA_HOME/bin/java" || echo 0) >= 25 )); then
    echo "$JAVA_HOME"; return 0
  fi
  local d
  for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [[ -x "$d/bin/javac" ]] && (( $(_ys_java_major "$d/bin/java" || echo 0) >= 25 )); then echo "$d"; return 0; fi
  done
  return 1
}
if ! JAVA_HOME="$(_ys_find_jdk)"; then
  echo "yastack needs a JDK 25 or newer: set JAVA_HOME to one, or install one under /usr/lib/jvm (e.g. Temurin 25)." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
