# shellcheck shell=bash
# Shared by the integration tests that talk to a loopback HTTPS look-alike (tests/graph, tests/hec) rather
# than the DC: `source` it after the usage comment. Sets BIN (the binary, $1), ROOT, PY and WORK (a temp
# directory the test's own cleanup removes); skips (77) without python3-cryptography, which the servers'
# test PKI needs.
set -uo pipefail
BIN="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY=/usr/bin/python3
export PATH="/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"
if ! "$PY" -c 'import cryptography' 2>/dev/null; then
  echo "SKIP: python3-cryptography is not installed (the test servers' PKI needs it)"
  exit 77
fi
WORK=$(mktemp -d)
