#!/usr/bin/env bash
# The progress line is for terminals only. A live Entra ID scan (the Graph test server, tests/graph, serving
# fixtures/tenant with slow, small pages, so the collection lasts a few seconds) is run:
#   * with stderr on a file (as under cron, systemd, CI or a pipe): not one progress byte (no CR, no ESC) on
#     stderr, even with TERM set;
#   * on a pseudo-terminal (util-linux `script`, when installed): the line "graph: <dataset> N objects" is
#     drawn in place (CR ... ESC[K), and erased before the report;
#   * on that terminal with --no-progress, with --quiet, or with TERM=dumb: nothing drawn.
# The report on stdout is the same in every case.
# Usage: progress.sh ADPERSIST_BINARY. Needs python3-cryptography (the server) and openssl; loopback only.
. "$(dirname "$0")/loopback_lib.sh"
cleanup() {
  "$ROOT/tests/graph/stop.sh" "$WORK/state" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

TENANT=3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a53  # fixtures/tenant
CLIENT=8a3e6c1d-2f4b-4e5a-9c7d-1b2a3c4d5e6f
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/client-key.pem" -out "$WORK/client.pem" -days 2 \
  -subj "/CN=adpersist progress test" >/dev/null 2>&1 || fail "openssl req"
ROLES='["Application.Read.All", "Directory.Read.All", "Domain.Read.All", "RoleManagement.Read.Directory",
        "AuditLog.Read.All"]'
# Pages of 10 objects, 80 ms each: the collection takes long enough (well over the 200 ms before a first draw).
cat > "$WORK/config.json" <<EOF
{"tenant": "$TENANT", "clients": {"$CLIENT": {"certificate": "client.pem", "roles": $ROLES}},
 "paging": {"default_top": 10, "max_top": 10}, "latency_ms": 80}
EOF
URL=$("$ROOT/tests/graph/start.sh" "$ROOT/fixtures/tenant" "$WORK/state" "$WORK/config.json") ||
  fail "the Graph test server did not start"
SCAN=("$BIN" scan --tenant "$TENANT" --client-id "$CLIENT" --client-cert "$WORK/client.pem"
      --client-key "$WORK/client-key.pem" --graph-url "$URL" --login-url "$URL" --ca-file "$WORK/state/ca.pem"
      --now 2026-12-01T00:00:00Z --format json)

# has_progress FILE: the file holds a drawn progress line (CR, "graph: ", ESC[K).
has_progress() {
  "$PY" -c 'import re, sys
line = rb"\rgraph: \w+ [0-9,]+ objects?( \([0-9,]+/s\))?\x1b\[K"
sys.exit(0 if re.search(line, open(sys.argv[1], "rb").read()) else 1)' "$1"
}
# control_bytes FILE: the number of ESC bytes and of CRs that do not end a line (a terminal shows "\n" as CR LF).
control_bytes() {
  "$PY" -c 'import sys
d = open(sys.argv[1], "rb").read()
print(d.count(b"\x1b") + d.count(b"\r") - d.count(b"\r\n"))' "$1"
}
same_report() {
  "$PY" - "$WORK/plain.out" "$1" <<'PY' || fail "the report differs: $1"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["findings"] and [f["finding_id"] for f in a["findings"]] == [f["finding_id"] for f in b["findings"]]
PY
}

# --- 1. no terminal: not one progress byte, TERM or not ----------------------------------------------------
TERM=xterm-256color "${SCAN[@]}" >"$WORK/plain.out" 2>"$WORK/plain.err"
rc=$?
[[ $rc -eq 1 ]] || fail "scan without a terminal: exit $rc: $(head -c 1000 "$WORK/plain.err")"
n=$(control_bytes "$WORK/plain.err")
[[ $n -eq 0 ]] || fail "stderr is not a terminal, yet it got $n CR/ESC bytes: $(od -c "$WORK/plain.err" | head)"
TERM=xterm-256color "${SCAN[@]}" -v >"$WORK/verbose.out" 2>"$WORK/verbose.err"
n=$(control_bytes "$WORK/verbose.err")
[[ $n -eq 0 ]] || fail "-v without a terminal wrote $n CR/ESC bytes"
grep -q "^graph: " "$WORK/verbose.err" || fail "-v printed no collection lines: $(head -c 1000 "$WORK/verbose.err")"
same_report "$WORK/verbose.out"
ok "no terminal: no progress bytes on stderr ($(wc -l <"$WORK/verbose.err") plain lines with -v)"

# --- 2. a terminal (script gives the scan a pseudo-terminal; its stdout goes to a file) -------------------------
if ! command -v script >/dev/null; then
  echo "ok: (util-linux script not installed: the terminal half is skipped)"
  echo "PASS"
  exit 0
fi
# on_tty NAME TERM ARGS...: runs the scan with stdin, stdout and stderr on a pty; stdout redirected to
# NAME.out inside it, so that NAME.tty holds what the terminal showed: stderr only.
on_tty() {
  local name="$1" term="$2"; shift 2
  local cmd
  printf -v cmd '%q ' "${SCAN[@]}" "$@"
  TERM="$term" script -qec "$cmd >$(printf %q "$WORK/$name.out")" /dev/null </dev/null >"$WORK/$name.tty" 2>&1
}
on_tty tty xterm-256color
rc=$?
[[ $rc -eq 1 ]] || fail "scan on a terminal: exit $rc: $(head -c 1000 "$WORK/tty.tty")"
has_progress "$WORK/tty.tty" || fail "no progress line on a terminal: $(od -c "$WORK/tty.tty" | head -20)"
draws=$("$PY" - "$WORK/tty.tty" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
# Nothing else was written to stderr: the terminal shows only the redrawn line, and it ends erased.
assert d.startswith(b"\rgraph: ") and d.endswith(b"\x1b[K\r\x1b[K"), d[-200:]
assert b"\n" not in d, d[:200]
print(d.count(b"\rgraph: "))
PY
) || fail "the progress line is not erased at the end: $(od -c "$WORK/tty.tty" | tail -5)"
same_report "$WORK/tty.out"
ok "terminal: the progress line is drawn in place ($draws draws) and erased"

for variant in no_progress quiet dumb; do
  case $variant in
    no_progress) on_tty "$variant" xterm-256color --no-progress ;;
    quiet) on_tty "$variant" xterm-256color -q --output "json=$WORK/quiet.json" ;;
    dumb) on_tty "$variant" dumb ;;
  esac
  rc=$?
  [[ $rc -eq 1 ]] || fail "$variant: exit $rc: $(head -c 1000 "$WORK/$variant.tty")"
  n=$(control_bytes "$WORK/$variant.tty")
  [[ $n -eq 0 ]] || fail "$variant: $n CR/ESC bytes on the terminal: $(od -c "$WORK/$variant.tty" | head)"
done
same_report "$WORK/no_progress.out"
same_report "$WORK/quiet.json"
ok "terminal with --no-progress, --quiet or TERM=dumb: nothing drawn"
echo "PASS"
