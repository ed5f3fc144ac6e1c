# shellcheck shell=bash
# Shared by the scripts in scripts/ and bench/. Source it; do not run it.

ADP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ADP_ROOT
# Debian's python3 (with Debian's python3-* modules) even when another python3 is first on PATH.
ADP_PYTHON=/usr/bin/python3

# Packages to build adpersist (README "Build").
ADP_BUILD_PACKAGES=(g++ cmake make pkg-config libldap-dev libkrb5-dev libsasl2-dev libsasl2-modules-gssapi-mit
  libssl-dev libcurl4-openssl-dev libcli11-dev nlohmann-json3-dev libyaml-cpp-dev)
# Extra packages the test suite needs.
# chromium renders the HTML report headless (tests/cli/html_browser.sh).
ADP_TEST_PACKAGES=(catch2 python3 python3-jsonschema python3-cryptography chromium)

# The ASan+UBSan build (scripts/test, scripts/asan-integration): -O0 with line tables, warnings as errors, the
# Catch2 cases in 4 processes (an instrumented binary is slow to start; tests/CMakeLists.txt).
ADP_ASAN_CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DADPERSIST_WARNINGS_AS_ERRORS=ON
  "-DADPERSIST_SANITIZE=address,undefined" -DADPERSIST_TEST_SHARDS=4)
# Its run-time options: leaks are errors, and the first report ends the process with a failure.
ADP_ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
ADP_UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the named Debian packages that are missing; no apt call at all when every one is present.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them: apt-get install ${missing[*]}"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# cmake configure + build into $1 with extra cmake args; -j2 (the machines have two cores).
build_tree() {
  local dir="$1"; shift
  cmake -S "$ADP_ROOT" -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j2
}

# run_integration_phase BUILD_DIR [VAR=VALUE...]: the integration phase (tests/integration/phase.sh) with the
# binaries of BUILD_DIR, against a Samba AD DC provisioned afresh in BUILD_DIR/dc, inside a private network
# namespace where only loopback exists (tests/dc/netns-run.sh); VAR=VALUE... are set for the phase only.
# Used by scripts/test, scripts/valgrind --integration and scripts/asan-integration.
run_integration_phase() {
  local tree dcdir
  tree=$(cd "$1" && pwd) || return
  shift
  dcdir=$tree/dc
  "$ADP_ROOT/tests/dc/install-deps.sh" || return
  rm -rf "$dcdir"
  "$ADP_ROOT/tests/dc/provision.sh" "$dcdir" >/dev/null || return
  "$ADP_ROOT/tests/dc/netns-run.sh" env "$@" "$ADP_ROOT/tests/integration/phase.sh" "$tree" "$dcdir"
}
