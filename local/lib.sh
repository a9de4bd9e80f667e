# shellcheck shell=bash
# Shell helpers for the install and test scripts (local/install-deps,
# tests/install-deps, tests/lint-template, tests/run). Source it; it sets no
# shell options of its own.
#
# Knob: TERMIN_RETRY_PAUSE, the seconds retry_once waits before its second
# try (default 5).

# Prints a line to stderr, marked as coming from these scripts.
say() {
  printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# Runs the command; if it fails, says why and runs it once more after a short
# pause. Returns the status of the last try. For steps that fail for reasons
# outside the project (a registry or mirror hiccup, a lock held a moment too
# long): a step that fails twice in a row is reported as it is.
retry_once() {
  local status=0
  "$@" && return 0 || status=$?
  say "'$*' failed (exit $status); retrying once in ${TERMIN_RETRY_PAUSE:-5} s"
  sleep "${TERMIN_RETRY_PAUSE:-5}"
  "$@" && return 0 || status=$?
  say "'$*' failed again (exit $status)"
  return "$status"
}

# Installs Debian packages: sudo only when not root, waiting up to two minutes
# for another apt/dpkg to let go of its lock; the package lists are refreshed
# first. Each apt-get is retried once.
apt_install() {
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120)
  retry_once "${apt[@]}" update -qq &&
    retry_once "${apt[@]}" install -y -qq "$@"
}

# (Re)creates the venv at $1 and pip-installs the rest of the arguments into it,
# from scratch each time, so that a failed try leaves nothing half-installed
# behind for the next one. The caller writes its stamp after this succeeds.
make_venv() {
  local venv=$1
  shift
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian splits venv support out of python3.
    rm -rf "$venv"
    apt_install python3-venv && python3 -m venv "$venv" || return
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
}

# make_venv, retried once (the retry starts again from an empty venv).
venv_install() {
  retry_once make_venv "$@"
}

# Runs "$@" as a named step of a longer script: prints "==> NAME" before and
# "<== NAME: N s" after, and remembers the time for step_summary.
STEP_TIMES=()
STEPS_START=${EPOCHREALTIME/,/.}
step() {
  local name=$1 start seconds status=0 failed=
  shift
  printf '\n==> %s\n' "$name"
  start=${EPOCHREALTIME/,/.}
  "$@" || status=$?
  seconds=$(awk -v a="$start" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.1f", b - a }')
  [ "$status" = 0 ] || failed=", failed (exit $status)"
  STEP_TIMES+=("$(printf '%8s s  %s%s' "$seconds" "$name" "$failed")")
  printf '<== %s: %s s%s\n' "$name" "$seconds" "$failed"
  return "$status"
}

# Prints the time of every step run so far, and the time since this file was
# sourced (for an EXIT trap).
step_summary() {
  [ "${#STEP_TIMES[@]}" -gt 0 ] || return 0
  printf '\nStep times:\n'
  printf '%s\n' "${STEP_TIMES[@]}"
  awk -v a="$STEPS_START" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%8.1f s  in all\n", b - a }'
}
