# shellcheck shell=bash
# Shared by scripts/demo, scripts/test and scripts/gen-docs. Source it; do not run it.

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
