# shellcheck shell=bash
#
# Shared helpers for the launchers in scripts/. Sourced, never executed:
#
#   source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib/common.sh"
#
# Sets ROOT (the repository root) and defines:
#   ipclab_find_java     sets JAVA to a Java 25+ binary, or explains what it looked at and exits 1
#   ipclab_ensure_built  builds the parent and worker jars when missing or older than the sources, or exits 1
#   ipclab_info / ipclab_die  messages on stderr (ipclab_die then exits 1)
#
# Settings (environment):
#   JAVA_HOME        tried first if it holds a Java 25 or newer
#   IPCLAB_JVM_DIR   where installed JDKs are searched last (default /usr/lib/jvm)

if [[ -n "${IPCLAB_COMMON_LOADED:-}" ]]; then
  return 0
fi
IPCLAB_COMMON_LOADED=1

# The lowest Java feature release that runs ipclab (the code is compiled with --release 25).
readonly IPCLAB_MIN_JAVA=25

# scripts/lib/common.sh -> the repository root, wherever the caller's current directory is.
ROOT="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
readonly ROOT

IPCLAB_CLI_JAR="$ROOT/cli/target/ipclab-cli.jar"
IPCLAB_WORKER_JAR_PATH="$ROOT/worker/target/ipclab-worker.jar"
readonly IPCLAB_CLI_JAR IPCLAB_WORKER_JAR_PATH

ipclab_info() {
  printf 'ipclab: %s\n' "$*" >&2
}

# ipclab_die LINE [MORE_LINES...]: prints the error, one line per argument, and exits 1.
ipclab_die() {
  printf 'ipclab: error: %s\n' "$1" >&2
  shift
  if (($# > 0)); then
    printf '  %s\n' "$@" >&2
  fi
  exit 1
}

# ipclab_java_version JAVA_BINARY
# Prints "MAJOR FULL" (e.g. "25 25.0.1", "17 17.0.15", "26 26-ea", "8 1.8.0_392") from `java -version`;
# returns 1 if the binary does not run or prints no version.
ipclab_java_version() {
  local out
  out="$("$1" -version 2>&1)" || return 1
  # The first line is e.g.: openjdk version "25.0.1" 2025-10-21 LTS  (a "Picked up ..." line may come first).
  local re='version "(([0-9]+)(\.([0-9]+))?[^"]*)"'
  [[ "$out" =~ $re ]] || return 1
  local full="${BASH_REMATCH[1]}" major="${BASH_REMATCH[2]}"
  if [[ "$major" == 1 && -n "${BASH_REMATCH[4]}" ]]; then
    major="${BASH_REMATCH[4]}" # 1.8.0_392 is Java 8
  fi
  printf '%s %s\n' "$major" "$full"
}

# ipclab_find_java
# Sets JAVA to a Java $IPCLAB_MIN_JAVA+ binary: $JAVA_HOME/bin/java, else java on PATH, else the newest JDK under
# $IPCLAB_JVM_DIR. If none qualifies, says what it looked at and how to fix it, and exits 1.
# shellcheck disable=SC2034 # JAVA is the result; the launchers read it.
ipclab_find_java() {
  local jvm_dir="${IPCLAB_JVM_DIR:-/usr/lib/jvm}"
  local -a looked=()
  local candidate version major full

  if [[ -n "${JAVA_HOME:-}" ]]; then
    candidate="$JAVA_HOME/bin/java"
    if [[ ! -x "$candidate" ]]; then
      looked+=("JAVA_HOME=$JAVA_HOME: no executable bin/java there")
    elif ! version="$(ipclab_java_version "$candidate")"; then
      looked+=("JAVA_HOME=$JAVA_HOME: $candidate did not report a version")
    else
      read -r major full <<<"$version"
      if ((major >= IPCLAB_MIN_JAVA)); then
        JAVA="$candidate"
        return 0
      fi
      looked+=("JAVA_HOME=$JAVA_HOME: Java $full, too old")
    fi
  else
    looked+=("JAVA_HOME: not set")
  fi

  if candidate="$(command -v java)"; then
    if ! version="$(ipclab_java_version "$candidate")"; then
      looked+=("java on PATH ($candidate): did not report a version")
    else
      read -r major full <<<"$version"
      if ((major >= IPCLAB_MIN_JAVA)); then
        JAVA="$candidate"
        return 0
      fi
      looked+=("java on PATH ($candidate): Java $full, too old")
    fi
  else
    looked+=("java on PATH: none (PATH=$PATH)")
  fi

  local best="" best_full="" dir
  local -a seen=()
  if [[ -d "$jvm_dir" ]]; then
    for dir in "$jvm_dir"/*; do
      candidate="$dir/bin/java"
      [[ -x "$candidate" ]] || continue
      if ! version="$(ipclab_java_version "$candidate")"; then
        seen+=("${dir##*/} (no version)")
        continue
      fi
      read -r major full <<<"$version"
      seen+=("${dir##*/} (Java $full)")
      ((major >= IPCLAB_MIN_JAVA)) || continue
      # Newest wins: compare full versions the way sort -V orders them.
      if [[ -z "$best" || "$(printf '%s\n%s\n' "$best_full" "$full" | sort -V | tail -n 1)" == "$full" ]]; then
        best="$candidate"
        best_full="$full"
      fi
    done
    if [[ -n "$best" ]]; then
      JAVA="$best"
      return 0
    fi
    if ((${#seen[@]} == 0)); then
      looked+=("$jvm_dir: no JDK (no */bin/java)")
    else
      local joined
      joined="$(printf '%s, ' "${seen[@]}")"
      looked+=("$jvm_dir: ${joined%, }")
    fi
  else
    looked+=("$jvm_dir: no such directory")
  fi

  {
    printf 'ipclab: error: no Java %s or newer found; ipclab runs on Java %s' "$IPCLAB_MIN_JAVA" "$IPCLAB_MIN_JAVA"
    printf ' (Maven itself may run on an older one).\n'
    printf 'Looked at:\n'
    printf '  %s\n' "${looked[@]}"
    printf 'To fix: install a JDK %s or newer, for example Eclipse Temurin %s' "$IPCLAB_MIN_JAVA" "$IPCLAB_MIN_JAVA"
    printf ' (https://adoptium.net/installation/linux/;\n'
    printf '  its package installs under /usr/lib/jvm, where this script looks), or point JAVA_HOME at one:\n'
    printf '  JAVA_HOME=/path/to/jdk-%s %s ...\n' "$IPCLAB_MIN_JAVA" "$0"
  } >&2
  exit 1
}

# ipclab_stale_reason
# Prints why the jars need building, or nothing if they are newer than every source file and pom.xml.
ipclab_stale_reason() {
  if [[ ! -f "$IPCLAB_CLI_JAR" ]]; then
    printf 'the command-line jar is missing: %s\n' "${IPCLAB_CLI_JAR#"$ROOT"/}"
    return 0
  fi
  if [[ ! -f "$IPCLAB_WORKER_JAR_PATH" ]]; then
    printf 'the worker jar is missing: %s\n' "${IPCLAB_WORKER_JAR_PATH#"$ROOT"/}"
    return 0
  fi
  local oldest="$IPCLAB_CLI_JAR" newer
  if [[ "$IPCLAB_WORKER_JAR_PATH" -ot "$IPCLAB_CLI_JAR" ]]; then
    oldest="$IPCLAB_WORKER_JAR_PATH"
  fi
  # Relative paths, so that the -path patterns never contain the root's own characters.
  newer="$(cd -- "$ROOT" && find . \( -name target -o -name .git \) -prune -o -type f \
    \( -path './*/src/*' -o -name pom.xml \) -newer "$oldest" -print -quit)"
  if [[ -n "$newer" ]]; then
    printf '%s is newer than %s\n' "${newer#./}" "${oldest#"$ROOT"/}"
  fi
}

# ipclab_ensure_built
# Builds both jars with the Maven Wrapper if either is missing or older than a source file or pom.xml. Maven's
# output goes to stderr, so that a command's stdout (e.g. ping --json) stays clean. Exits 1 if the build fails.
ipclab_ensure_built() {
  local reason
  reason="$(ipclab_stale_reason)"
  [[ -n "$reason" ]] || return 0
  # Launchers started together (ipclab run & ipclab-top) must not build the same tree at once: one builds, the
  # others wait for it and then find the jars current. The lock is released before the JVM starts.
  local lock_fd=""
  if command -v flock >/dev/null 2>&1 && mkdir -p -- "$ROOT/target" 2>/dev/null \
    && exec {lock_fd}>"$ROOT/target/.ipclab-build.lock"; then
    flock "$lock_fd"
    reason="$(ipclab_stale_reason)"
    if [[ -z "$reason" ]]; then
      exec {lock_fd}>&-
      return 0
    fi
  fi
  ipclab_info "building ($reason)..."

  local started status=0
  started="$(mktemp)"
  (cd -- "$ROOT" && ./mvnw -q -Dmaven.test.skip=true package) >&2 || status=$?
  if ((status != 0)); then
    rm -f -- "$started"
    ipclab_die "the build failed: ./mvnw -q -Dmaven.test.skip=true package exited with status $status (its output is above)." \
      "Fix the error and run again; to build by hand: cd $ROOT && ./mvnw -Dmaven.test.skip=true package"
  fi
  local jar
  for jar in "$IPCLAB_CLI_JAR" "$IPCLAB_WORKER_JAR_PATH"; do
    if [[ ! -f "$jar" ]]; then
      rm -f -- "$started"
      ipclab_die "the build succeeded but $jar is still missing; check the packaging in its pom.xml."
    fi
    # Maven leaves a jar untouched when its contents did not change (e.g. only a test changed). Mark it as
    # current as of the build's start, so the next run does not rebuild for nothing, while files edited
    # during the build still count as newer.
    if [[ ! "$jar" -nt "$started" ]]; then
      touch -r "$started" -- "$jar"
    fi
  done
  # The worker's AOT caches must stay at least as new as the jar, or the launcher ignores them as stale. A cache
  # older than the build's start was found up to date by this very build (its training checks the class path), so
  # it moves along with the unchanged jar.
  local cache
  for cache in "${IPCLAB_WORKER_JAR_PATH%/*}"/ipclab-worker-*.aot; do
    if [[ -f "$cache" && ! "$cache" -nt "$started" ]]; then
      touch -r "$started" -- "$cache"
    fi
  done
  rm -f -- "$started"
  if [[ -n "$lock_fd" ]]; then
    exec {lock_fd}>&-
  fi
}
