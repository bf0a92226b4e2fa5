# Sourced by ./run-local and .ci/run: makes JAVA_HOME a JDK 21 or newer.
# Order: JAVA_HOME if it is one, the java on the PATH if it is one, else the newest JDK under /usr/lib/jvm.
relaygate_java_major() {
  "$1" -version 2>&1 | head -n 1 | sed -E 's/.*version "([0-9]+).*/\1/'
}
relaygate_pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(relaygate_java_major "$JAVA_HOME/bin/java")" -ge 21 ] 2>/dev/null; then
    return 0
  fi
  if command -v javac >/dev/null 2>&1; then
    local home
    home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if [ "$(relaygate_java_major "$home/bin/java")" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$home"; return 0
    fi
  fi
  local best="" best_major=0 dir major
  for dir in /usr/lib/jvm/*/ /Library/Java/JavaVirtualMachines/*/Contents/Home/; do
    [ -x "$dir/bin/javac" ] || continue
    major=$(relaygate_java_major "$dir/bin/java")
    if [ "$major" -gt "$best_major" ] 2>/dev/null; then best="${dir%/}"; best_major=$major; fi
  done
  if [ "$best_major" -ge 21 ]; then
    export JAVA_HOME="$best"; return 0
  fi
  echo "Relaygate needs a JDK 21 or newer: install one and point JAVA_HOME at it." >&2
  return 1
}
relaygate_pick_jdk
export PATH="$JAVA_HOME/bin:$PATH"
