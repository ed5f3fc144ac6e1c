#!/usr/bin/env bash
# The bash -c snippets below take their data as "$1" on purpose.
# shellcheck disable=SC2016
# Check that an exported lab (domain.ldif + configuration.ldif made by
# export-ldif.sh from a DC planted by plant-lab.sh) really contains every
# planted indicator and benign look-alike. Works offline on the files.
#
#   tests/dc/verify-lab.sh LDIF_DIR          (e.g. fixtures/lab)
#
# Prints one line per check; exit status 1 if any check fails.
set -euo pipefail

[[ $# -eq 1 ]] || {
  echo "usage: $(basename "$0") LDIF_DIR" >&2
  exit 2
}
dom=$1/domain.ldif
cfg=$1/configuration.ldif
for f in "$dom" "$cfg"; do
  [[ -s $f ]] || {
    echo "$(basename "$0"): missing $f" >&2
    exit 2
  }
done
vectors=${ADP_VECTORS_DIR:-$(dirname "${BASH_SOURCE[0]}")/../../fixtures/vectors/onprem}
[[ -d $vectors ]] || vectors=/work/shared/vectors/onprem

failures=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "ok   - $what"
  else
    echo "FAIL - $what"
    failures=$((failures + 1))
  fi
}

# entry FILE ATTR VALUE: the LDIF record whose ATTR line is exactly VALUE.
entry() {
  awk -v want="$2: $3" 'BEGIN { RS = "" } { n = split($0, l, "\n"); for (i = 1; i <= n; i++) if (l[i] == want) { print; print ""; next } }' "$1"
}
sam() { entry "$dom" sAMAccountName "$1"; }
# val RECORD ATTR: values of ATTR (text form; base64 values decoded to hex).
val() {
  local line
  while IFS= read -r line; do
    case $line in
      "$2:: "*) printf '%s\n' "${line#"$2":: }" | base64 -d | od -An -v -tx1 | tr -d ' \n' && echo ;;
      "$2: "*) printf '%s\n' "${line#"$2": }" ;;
    esac
  done <<<"$1"
}
has() { grep -Fxq -- "$2" <<<"$(val "$1" "$3")"; }        # has RECORD VALUE ATTR
uac_bit() { (($(val "$1" userAccountControl) & $2)); }    # uac_bit RECORD MASK
no_uac_bit() { ! uac_bit "$@"; }
# sid_hex S-1-5-21-...: binary SID as lower-case hex
sid_hex() {
  local IFS=- parts n i out
  read -r -a parts <<<"$1"
  n=$((${#parts[@]} - 3))
  out=$(printf '01%02x%012x' "$n" "${parts[2]}")
  for ((i = 3; i < ${#parts[@]}; i++)); do
    out+=$(printf '%08x' "${parts[i]}" | sed -E 's/(..)(..)(..)(..)/\4\3\2\1/')
  done
  printf '%s\n' "$out"
}
contains() { [[ $1 == *"$2"* ]]; }
filetime() { echo $((($(date -u -d "$1" +%s) + 11644473600) * 10000000)); }
hexfile() { tr -d ' \n\r' <"$1" | tr 'a-f' 'A-F'; }

head_rec=$(awk 'BEGIN { RS = "" } { n = split($0, l, "\n"); for (i = 1; i <= n; i++) if (l[i] ~ /^dn: DC=[^,]*(,DC=[^,]*)*$/) { print; exit } }' "$dom")
base_dn=$(val "$head_rec" dn)
domain_sid_hex=$(val "$head_rec" objectSid)
users="CN=Users,$base_dn"
DA="CN=Domain Admins,$users"
BA="CN=Administrators,CN=Builtin,$base_dn"
fdom=S-1-5-21-1111111111-2222222222-3333333333

for f in "$dom" "$cfg"; do
  check "$(basename "$f") keeps ldapsearch's '# requesting:' header" grep -q '^# requesting: ' "$f"
  check "$(basename "$f") keeps the '# numEntries:' trailer" grep -q '^# numEntries: [0-9]' "$f"
  check "$(basename "$f") records the search's result code" grep -q '^result: 0 Success' "$f"
done
check "domain head found ($base_dn)" test -n "$base_dn"

r=$(sam 'SRV-LEGACY$'); check 'SRV-LEGACY$ TRUSTED_FOR_DELEGATION' uac_bit "$r" 0x80000
dc_rec=$(sam 'DC1$'); check 'DC1$ TRUSTED_FOR_DELEGATION (benign, DC)' uac_bit "$dc_rec" 0x80000
r=$(sam svc-web)
check 'svc-web SPN HTTP/web' has "$r" "HTTP/web.lab.adpersist.test" servicePrincipalName
check 'svc-web msDS-AllowedToDelegateTo cifs/files' has "$r" "cifs/files.lab.adpersist.test" msDS-AllowedToDelegateTo
check 'svc-web no protocol transition' no_uac_bit "$r" 0x1000000
r=$(sam 'SRV-APP$')
check 'SRV-APP$ TRUSTED_TO_AUTH_FOR_DELEGATION' uac_bit "$r" 0x1000000
check 'SRV-APP$ msDS-AllowedToDelegateTo ldap/dc1' has "$r" "ldap/dc1.lab.adpersist.test" msDS-AllowedToDelegateTo
attacker_sid_hex=$(val "$(sam 'WS-ATTACKER$')" objectSid)
check 'WS-ATTACKER$ exists' test -n "$attacker_sid_hex"
for acct in 'DC1$' 'WS-RBCD$'; do
  sd=$(val "$(sam "$acct")" msDS-AllowedToActOnBehalfOfOtherIdentity)
  check "$acct RBCD SD names WS-ATTACKER\$" contains "${sd:-none}" "${attacker_sid_hex:-x}"
done
r=$(sam adm-sql)
check 'adm-sql in Domain Admins' has "$r" "$DA" memberOf
check 'adm-sql SPN MSSQLSvc' has "$r" "MSSQLSvc/sql1.lab.adpersist.test:1433" servicePrincipalName
check 'adm-sql DONT_EXPIRE_PASSWORD' uac_bit "$r" 0x10000
check 'asrep-user DONT_REQ_PREAUTH' uac_bit "$(sam asrep-user)" 0x400000
check 'sidhist-user sIDHistory = domain SID-512' has "$(sam sidhist-user)" "0105${domain_sid_hex:4}00020000" sIDHistory
check 'migrated-user sIDHistory = foreign -1234' has "$(sam migrated-user)" "$(sid_hex "$fdom-1234")" sIDHistory
r=$(sam pg-hidden)
check 'pg-hidden primaryGroupID 512' has "$r" 512 primaryGroupID
check 'pg-hidden not in Domain Admins member list' bash -c '! grep -q "^member: CN=pg-hidden," <<<"$1"' _ "$(entry "$dom" dn "$DA")"
r=$(sam IT-Admins)
check 'IT-Admins global security group' has "$r" -2147483646 groupType
check 'IT-Admins member of Administrators' has "$r" "$BA" memberOf
check 'helpdesk-lead in IT-Admins' has "$(sam helpdesk-lead)" "CN=IT-Admins,$users" memberOf
r=$(sam adm-cert)
check 'adm-cert altSecurityIdentities Rogue CA' has "$r" 'X509:<I>DC=test,DC=adpersist,CN=Rogue CA<S>CN=adm-cert' altSecurityIdentities
check 'adm-cert in Domain Admins' has "$r" "$DA" memberOf
check 'contractor altSecurityIdentities Partner CA' has "$(sam contractor)" 'X509:<I>CN=Partner CA<S>CN=contractor' altSecurityIdentities
r=$(sam nopass-user)
check 'nopass-user PASSWD_NOTREQD' uac_bit "$r" 0x20
check 'nopass-user enabled' no_uac_bit "$r" 0x2
check 'rev-user ENCRYPTED_TEXT_PWD_ALLOWED' uac_bit "$(sam rev-user)" 0x80
check 'des-user USE_DES_KEY_ONLY' uac_bit "$(sam des-user)" 0x200000
r=$(sam rc4-svc)
check 'rc4-svc msDS-SupportedEncryptionTypes 4' has "$r" 4 msDS-SupportedEncryptionTypes
check 'rc4-svc SPN' has "$r" "HTTP/rc4.lab.adpersist.test" servicePrincipalName
# trusts: name direction attributes sid
while read -r name dir attrs sid; do
  r=$(entry "$dom" trustPartner "$name")
  check "trust $name type 2" has "$r" 2 trustType
  check "trust $name direction $dir" has "$r" "$dir" trustDirection
  check "trust $name attributes $attrs" has "$r" "$attrs" trustAttributes
  check "trust $name securityIdentifier" has "$r" "$(sid_hex "$sid")" securityIdentifier
done <<EOF
partner.example 3 0 $fdom
quarantined.example 2 4 S-1-5-21-1444444444-1555555555-1666666666
forest.example 3 72 S-1-5-21-1777777777-1888888888-1999999999
EOF
check 'ms-DS-MachineAccountQuota 10' has "$head_rec" 10 ms-DS-MachineAccountQuota
check 'dSHeuristics 0000002001000001' has "$(entry "$cfg" cn 'Directory Service')" 0000002001000001 dSHeuristics
check 'unixpw-user unixUserPassword {crypt}' bash -c 'grep -q "^unixUserPassword: {crypt}\\\$6\\\$" <<<"$1"' _ "$(sam unixpw-user)"
check 'legacy-pw userPassword present' bash -c 'grep -q "^userPassword:: " <<<"$1"' _ "$(sam legacy-pw)"
r=$(sam Guest)
check 'Guest enabled' no_uac_bit "$r" 0x2
r=$(entry "$dom" cn "$fdom-1105")
check 'FSP ...-1105 exists' test -n "$r"
check 'FSP ...-1105 member of Administrators' has "$r" "$BA" memberOf
r=$(sam adm-keyed)
check 'adm-keyed msDS-KeyCredentialLink = impacket blob' has "$r" "B:828:$(hexfile "$vectors/keycredentiallink/impacket.hex"):CN=adm-keyed,$users" msDS-KeyCredentialLink
check 'adm-keyed in Domain Admins' has "$r" "$DA" memberOf
hex=$(hexfile "$vectors/keycredentiallink/computerkey.hex")
check 'WS-HELLO$ msDS-KeyCredentialLink = computer key' has "$(sam 'WS-HELLO$')" "B:${#hex}:$hex:CN=WS-HELLO,CN=Computers,$base_dn" msDS-KeyCredentialLink
r=$(sam former-admin)
check 'former-admin adminCount 1' has "$r" 1 adminCount
check 'former-admin not in any group' bash -c '! grep -q "^memberOf:" <<<"$1"' _ "$r"
r=$(sam adm-new)
check 'adm-new whenCreated 2026-11-20' has "$r" 20261120093000.0Z whenCreated
check 'adm-new in Domain Admins' has "$r" "$DA" memberOf
old_count=$(grep -c '^whenCreated: 20190301000000.0Z$' "$dom" || true)
all_count=$(grep -c '^whenCreated: ' "$dom" || true)
check "whenCreated 2019-03-01 on all other domain objects ($old_count/$all_count)" test "$old_count" -eq $((all_count - 1))
check 'configuration NC whenCreated 2019-03-01' bash -c '! grep "^whenCreated: " "$1" | grep -vq "20190301000000.0Z"' _ "$cfg"
ft_users=$(filetime 2026-10-01)
for u in alice bob svc-web adm-sql adm-new; do
  check "$u pwdLastSet 2026-10-01" has "$(sam "$u")" "$ft_users" pwdLastSet
done
check 'krbtgt pwdLastSet 2019-03-01' has "$(sam krbtgt)" "$(filetime 2019-03-01)" pwdLastSet
check 'krbtgt default SPN kadmin/changepw (benign)' has "$(sam krbtgt)" kadmin/changepw servicePrincipalName
r=$(sam 'AZUREADSSOACC$')
check 'AZUREADSSOACC$ pwdLastSet 2023-06-01' has "$r" "$(filetime 2023-06-01)" pwdLastSet
check 'AZUREADSSOACC$ SPN autologon' has "$r" HTTP/autologon.microsoftazuread-sso.com servicePrincipalName
check 'AZUREADSSOACC$ SPN aadg' has "$r" HTTP/aadg.windows.net.nsatc.net servicePrincipalName
r=$(sam svc-backup)
check 'svc-backup SPN + DONT_EXPIRE_PASSWORD, no groups' bash -c 'grep -q "^servicePrincipalName: HTTP/backup" <<<"$1" && ! grep -q "^memberOf:" <<<"$1"' _ "$r"
check 'svc-backup DONT_EXPIRE_PASSWORD' uac_bit "$r" 0x10000
check 'alice exists' test -n "$(sam alice)"
check 'bob in Helpdesk' has "$(sam bob)" "CN=Helpdesk,$users" memberOf
check 'Helpdesk not privileged (no memberOf)' bash -c '! grep -q "^memberOf:" <<<"$1"' _ "$(sam Helpdesk)"
check 'nTSecurityDescriptor exported' grep -q '^nTSecurityDescriptor:: ' "$dom"
check 'replPropertyMetaData exported' grep -q '^replPropertyMetaData:: ' "$dom"

# Descriptor-based plants (their ACEs are decoded and judged by adpersist's own tests on this export).
dn_entry() { entry "$1" dn "$2"; }
check 'svc-sync exists' test -n "$(sam svc-sync)"
check 'MSOL_ account carries the Azure AD Connect description' bash -c 'grep -q "^description: Account created by Microsoft Azure Active Directory Connect" <<<"$1"' _ "$(sam MSOL_4a1c6e0f2b3d)"
check 'Exchange Windows Permissions group exists' test -n "$(sam 'Exchange Windows Permissions')"
check 'it-support exists' test -n "$(sam it-support)"
check 'ADFS DKM contact has a thumbnailPhoto' bash -c 'grep -q "^thumbnailPhoto:: " <<<"$1"' _ "$(entry "$dom" cn 8b3ec0c2-9a5e-4f55-b3f1-3a1f2e6d7c90)"
check 'ADFS CryptoPolicy names the key contact' has "$(entry "$dom" cn CryptoPolicy)" 8b3ec0c2-9a5e-4f55-b3f1-3a1f2e6d7c90 displayName
pks="CN=Public Key Services,CN=Services,CN=Configuration,$base_dn"
check 'NTAuthCertificates holds two CA certificates' test "$(val "$(dn_entry "$cfg" "CN=NTAuthCertificates,$pks")" cACertificate | wc -l)" -eq 2
check 'Lab-CA publishes ESC1-VPN' has "$(dn_entry "$cfg" "CN=Lab-CA,CN=Enrollment Services,$pks")" ESC1-VPN certificateTemplates
check 'ESC1-VPN lets the enrollee supply the subject' has "$(dn_entry "$cfg" "CN=ESC1-VPN,CN=Certificate Templates,$pks")" 1 msPKI-Certificate-Name-Flag
check 'ROGUE-DC registration (nTDSDSA) exported' test -n "$(dn_entry "$cfg" "CN=NTDS Settings,CN=ROGUE-DC,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,$base_dn")"
check 'WS-SHADOW$ carries SERVER_TRUST_ACCOUNT' uac_bit "$(sam 'WS-SHADOW$')" 0x2000
check 'gmsa-backup$ has msDS-GroupMSAMembership' bash -c 'grep -q "^msDS-GroupMSAMembership:: " <<<"$1"' _ "$(sam 'gmsa-backup$')"
check 'gmsa-backup$ in Backup Operators' has "$(sam 'gmsa-backup$')" "CN=Backup Operators,CN=Builtin,$base_dn" memberOf

if ((failures)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all lab checks passed"
