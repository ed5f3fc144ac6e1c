#!/usr/bin/env bash
# Bad input: exit 2 with "file:line: what is wrong" on stderr, nothing on stdout, never a crash.
set -u
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

printf 'dn: DC=x,DC=test\nobjectClass: domainDNS\nbroken line without colon\n' > "$dir/bad.ldif"
"$bin" scan --ldif "$dir/bad.ldif" >"$dir/out" 2>"$dir/err"
[ $? -eq 2 ] || fail "exit code"
grep -q "^adpersist: $dir/bad.ldif:3: " "$dir/err" || fail "stderr: $(cat "$dir/err")"
[ ! -s "$dir/out" ] || fail "stdout not empty"

printf 'dn: CN=a\nphoto:< file:///etc/shadow\n' > "$dir/url.ldif"
"$bin" scan --ldif "$dir/url.ldif" >/dev/null 2>"$dir/err"
[ $? -eq 2 ] || fail "URL exit code"
grep -q "url.ldif:2: .*URL" "$dir/err" || fail "URL stderr: $(cat "$dir/err")"

# A truncated copy of the lab (cut mid-record): a clear incomplete result, never a clean scan.
head -c 300000 "$(dirname "$0")/../../fixtures/lab/domain.ldif" > "$dir/cut.ldif"
"$bin" scan --ldif "$dir/cut.ldif" --now 2026-12-01T00:00:00Z --format json >"$dir/out" 2>"$dir/err"
code=$?
[ $code -eq 3 ] || [ $code -eq 2 ] || fail "truncated file exit $code"
if [ $code -eq 3 ]; then grep -q '"state": "partial"' "$dir/out" || fail "truncated file not marked partial"; fi
echo ok
