#!/usr/bin/env bash
# Suppressions and IOC matching through `adpersist scan`, on the lab export and the tenant capture:
# an active suppression hides nothing but marks its finding and keeps it out of the gate; the same entry
# after its expiry date suppresses nothing (stderr says so); an IOC list matches a certificate thumbprint
# on an application, a service principal and a federation signing certificate.
# Secrets typed on the command line are refused without being echoed.
# Usage: policy.sh ADPERSIST (run from the repo root)
set -euo pipefail
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
LAB=(--ldif fixtures/lab/domain.ldif --ldif fixtures/lab/configuration.ldif)
SUP=fixtures/suppressions/lab.yaml  # entry 1: adm-sql's SPN until 2027-03-31; entry 2 expired 2026-11-30
SPN=0d5c1589fb7d6dd6d1b3dba1f92b7468

# 1. Before expiry: adm-sql's SPN finding is suppressed (still in the report, marked) and does not trip the
#    gate of its check; entry 2 is reported expired on stderr.
rc=0
"$bin" scan "${LAB[@]}" --now 2026-12-01T00:00:00Z --suppressions $SUP --checks ad.spn-on-privileged-user -q \
  --output "json=$dir/active.json" 2>"$dir/active.err" || rc=$?
[ "$rc" = 0 ] || fail "the only high finding of the check is suppressed: exit 0 (got $rc)"
grep -q "entry 2 (line [0-9]*): expired on 2026-11-30" "$dir/active.err" || fail "expired entry on stderr: $(cat "$dir/active.err")"
/usr/bin/python3 - "$dir/active.json" $SPN <<'PY'
import json, sys
d, fid = json.load(open(sys.argv[1])), sys.argv[2]
f = [x for x in d["findings"] if x["finding_id"] == fid]
assert f and f[0]["status"] == "suppressed", f
s = f[0]["suppression"]
assert s["owner"] == "iam-team@lab.adpersist.test" and s["expires"] == "2027-03-31" and "entry 1" in s["rule"], s
assert d["summary"]["suppressed"] == 1 and not d["summary"]["gate"]["tripped"]
states = [(e["state"], e["matched"]) for e in d["suppressions"]]
assert states == [("active", 1), ("expired", 0)], states
PY

# 2. After expiry the same entry suppresses nothing: the finding is open again and trips the gate.
rc=0
"$bin" scan "${LAB[@]}" --now 2027-04-01T00:00:00Z --suppressions $SUP --checks ad.spn-on-privileged-user -q \
  --output "json=$dir/expired.json" 2>"$dir/expired.err" || rc=$?
[ "$rc" = 1 ] || fail "an expired suppression stops working: exit 1 (got $rc)"
grep -q "entry 1 (line [0-9]*): expired on 2027-03-31" "$dir/expired.err" || fail "stderr names the expired entry"
/usr/bin/python3 - "$dir/expired.json" $SPN <<'PY'
import json, sys
d, fid = json.load(open(sys.argv[1])), sys.argv[2]
f = [x for x in d["findings"] if x["finding_id"] == fid][0]
assert f["status"] == "open" and f["suppression"] is None, f
assert d["summary"]["suppressed"] == 0 and d["summary"]["gate"]["tripped"]
PY
# A suppressions file that cannot be read is a usage error before anything is scanned.
rc=0; "$bin" scan "${LAB[@]}" --suppressions fixtures/suppressions/broken.yaml -q 2>"$dir/broken.err" || rc=$?
[ "$rc" = 2 ] && grep -q "broken.yaml" "$dir/broken.err" || fail "unreadable suppressions → 2 naming the file ($rc)"

# 3. IOC: a certificate thumbprint list matched on an application, a service principal and a federation
#    signing certificate of fixtures/tenant (plus app id, key id, issuer and account matches).
rc=0
"$bin" scan --graph-dir fixtures/tenant --now 2026-12-01T00:00:00Z --ioc fixtures/ioc/lab-and-tenant.json -q \
  --output "json=$dir/ioc.json" || rc=$?
[ "$rc" = 1 ] || fail "IOC matches are critical: exit 1 (got $rc)"
/usr/bin/python3 - "$dir/ioc.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
hits = [f for f in d["findings"] if f["check_id"] == "entra.ioc-match"]
assert all(f["severity"] == "critical" for f in hits)
thumb = {f["resource"]["type"] for f in hits if f["evidence"]["indicator_type"] == "certificate_thumbprint"}
assert {"application", "servicePrincipal", "domain"} <= thumb, thumb
fed = [f for f in hits if f["resource"]["type"] == "domain" and f["evidence"]["indicator_type"] == "certificate_thumbprint"]
assert fed[0]["evidence"]["found_in"] == ["federationConfiguration.signingCertificate"], fed[0]["evidence"]
kinds = {f["evidence"]["indicator_type"] for f in hits}
assert {"app_id", "key_id", "issuer", "account_name"} <= kinds, kinds
assert "entra.ioc-match" in [c["id"] for c in d["checks"]] and "ad.ioc-match" not in [c["id"] for c in d["checks"]]
print("IOC: %d entra.ioc-match findings (%s)" % (len(hits), ", ".join(sorted(kinds))))
PY
# Without --ioc the IOC checks are not run; named explicitly they are not evaluated (exit 3), never passed.
"$bin" scan --graph-dir fixtures/tenant --now 2026-12-01T00:00:00Z --format json --fail-on none >"$dir/plain.json"
grep -q '"entra.ioc-match"' "$dir/plain.json" && fail "IOC checks run only with an IOC list"
rc=0; "$bin" scan --graph-dir fixtures/tenant --checks entra.ioc-match -q || rc=$?
[ "$rc" = 3 ] || fail "entra.ioc-match without --ioc is not evaluated: exit 3 (got $rc)"
rc=0; "$bin" scan --graph-dir fixtures/tenant --ioc fixtures/ioc/invalid-unknown-member.json -q 2>"$dir/ioc.err" || rc=$?
[ "$rc" = 2 ] && grep -q "invalid-unknown-member.json" "$dir/ioc.err" || fail "a bad IOC file → 2 naming it ($rc)"
# 4. Secrets are never taken from the command line, and a refused one is not echoed (CLI11 would print an
#    unexpected argument back): LDAP password, Graph client secret, HEC token.
SECRET=S3cr3t-on-argv-0xdeadbeef
for args in "--ldap ldaps://dc.invalid --bind-dn cn=x --password $SECRET" "--ldap ldaps://dc.invalid -w $SECRET" \
            "--tenant contoso.example --client-id 8a3e6c1d-2f4b-4e5a-9c7d-1b2a3c4d5e6f --client-secret $SECRET" \
            "${LAB[*]} --hec-url https://127.0.0.1:1 --hec-token $SECRET"; do
  rc=0
  # shellcheck disable=SC2086  # word splitting intended: one argument list per line
  "$bin" scan $args -q >"$dir/argv.out" 2>"$dir/argv.err" || rc=$?
  [ "$rc" = 2 ] || fail "a secret on the command line is a usage error (exit $rc): $args"
  grep -q "never taken from the command line" "$dir/argv.err" || fail "says why: $(cat "$dir/argv.err")"
  ! grep -qF "$SECRET" "$dir/argv.err" "$dir/argv.out" || fail "the refused secret was echoed: $args"
done
echo "suppressions and IOC CLI: ok"
