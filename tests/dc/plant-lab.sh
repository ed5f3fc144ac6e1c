#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Plant the "lab" set of AD persistence indicators (and benign look-alikes) on
# a DC made by provision.sh. See fixtures/lab/README.md for the list.
#
#   tests/dc/plant-lab.sh DIR
#
# Phase 1, DC running: everything Samba accepts over LDAP, with ldapadd /
#   ldapmodify over verified LDAPS, simple bind as Administrator (-y file).
# Phase 2, DC stopped: what Samba refuses over LDAP, with ldbmodify / ldbadd
#   on DIR/private/sam.ldb (sIDHistory, msDS-AllowedToActOnBehalfOfOtherIdentity,
#   trustedDomain objects, backdated pwdLastSet and whenCreated).
# The DC is started if needed and left in the state it was found in.
# Must run inside the DC's private network namespace (netns-run.sh).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ $# -eq 1 ]] || {
  echo "usage: $dc_prog DIR" >&2
  exit 2
}
dc_load_env "$1"
dc_require_isolated

vectors=${ADP_VECTORS_DIR:-$ADP_DC_SCRIPTS/../../fixtures/vectors/onprem}
[[ -d $vectors ]] || vectors=/work/shared/vectors/onprem
kcl_attacker=$vectors/keycredentiallink/impacket.hex
kcl_computer=$vectors/keycredentiallink/computerkey.hex
for f in "$kcl_attacker" "$kcl_computer"; do
  [[ -f $f ]] || die "missing KeyCredentialLink vector $f (set ADP_VECTORS_DIR)"
done

B=$ADP_DC_BASE_DN
C=$ADP_DC_CONFIG_DN
D=$ADP_DC_DNS_DOMAIN
U="CN=Users,$B"
CMP="CN=Computers,$B"
DA="CN=Domain Admins,$U"
BA="CN=Administrators,CN=Builtin,$B"
# Fixed dates (UTC) for backdated values.
created_old=20190301000000.0Z   # whenCreated of everything but adm-new
created_new=20261120093000.0Z   # adm-new
pwd_users=2026-10-01            # pwdLastSet of users
pwd_krbtgt=2019-03-01
pwd_ssoacc=2023-06-01
foreign_domain_sid=S-1-5-21-1111111111-2222222222-3333333333

work=$ADP_DC_DIR/plant
rm -rf "$work"
mkdir -m 0700 "$work"

was_running=0
dc_running && was_running=1
on_exit() {
  local rc=$?
  if ((rc == 0)) || [[ ${ADP_KEEP_DC:-0} != 1 ]]; then rm -rf "$work"; fi
  if ((rc != 0)); then
    note "planting failed (exit $rc)"
    if ((!was_running)); then "$ADP_DC_SCRIPTS/stop.sh" "$ADP_DC_DIR" || true; fi
  fi
}
trap on_exit EXIT

# FILETIME (100 ns ticks since 1601-01-01 UTC) of a UTC date.
filetime() {
  echo $((($(date -u -d "$1" +%s) + 11644473600) * 10000000))
}

# DN-binary value B:<hex chars>:<hex>:<DN> from a hex vector file.
dn_binary() {
  local hex
  hex=$(tr -d ' \n\r' <"$1" | tr 'a-f' 'A-F')
  [[ $hex =~ ^[0-9A-F]+$ && $((${#hex} % 2)) -eq 0 ]] || die "bad hex in $1"
  printf 'B:%d:%s:%s' "${#hex}" "$hex" "$2"
}

# One random password for every planted account (never stored).
acct_pw=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true)
acct_pw="Lab1-$acct_pw"
acct_pw_b64=$(printf '"%s"' "$acct_pw" | iconv -f UTF-8 -t UTF-16LE | base64 -w0)
unset acct_pw

# --- LDIF builders -----------------------------------------------------------
ldif=$work/phase1.ldif
: >"$ldif"
emit() { printf '%s\n' "$@" >>"$ldif"; }

# user NAME UAC [attr: value]...
user() {
  local name=$1 uac=$2
  shift 2
  emit "dn: CN=$name,$U" "changetype: add" "objectClass: user" \
    "sAMAccountName: $name" "userPrincipalName: $name@$D" \
    "unicodePwd:: $acct_pw_b64" "userAccountControl: $uac" "$@" ""
}

# computer NAME UAC [attr: value]...   (NAME without the trailing $)
computer() {
  local name=$1 uac=$2
  shift 2
  emit "dn: CN=$name,$CMP" "changetype: add" "objectClass: computer" \
    "sAMAccountName: $name\$" "unicodePwd:: $acct_pw_b64" \
    "userAccountControl: $uac" "$@" ""
}

# host_attrs NAME: what a Windows domain join writes.
host_attrs() {
  local lower=${1,,}
  printf '%s\n' "dNSHostName: $lower.$D" \
    "servicePrincipalName: HOST/$1" "servicePrincipalName: HOST/$lower.$D" \
    "servicePrincipalName: RestrictedKrbHost/$1" \
    "servicePrincipalName: RestrictedKrbHost/$lower.$D"
}

# group NAME (global security group)
group() {
  emit "dn: CN=$1,$U" "changetype: add" "objectClass: group" \
    "sAMAccountName: $1" "groupType: -2147483646" ""
}

# member GROUP_DN MEMBER_DN
member() {
  emit "dn: $1" "changetype: modify" "add: member" "member: $2" "-" ""
}

# --- phase 1: over LDAP --------------------------------------------------------
t_phase=$(now_s)
if ((!was_running)); then "$ADP_DC_SCRIPTS/start.sh" "$ADP_DC_DIR"; fi

# Delegation
mapfile -t h <<<"$(host_attrs SRV-LEGACY)"
computer SRV-LEGACY $((0x1000 | 0x80000)) "${h[@]}"
user svc-web $((0x200)) \
  "servicePrincipalName: HTTP/web.$D" \
  "msDS-AllowedToDelegateTo: cifs/files.$D"
mapfile -t h <<<"$(host_attrs SRV-APP)"
computer SRV-APP $((0x1000 | 0x1000000)) "${h[@]}" \
  "msDS-AllowedToDelegateTo: ldap/$ADP_DC_FQDN"
mapfile -t h <<<"$(host_attrs WS-ATTACKER)"
computer WS-ATTACKER $((0x1000)) "${h[@]}"
mapfile -t h <<<"$(host_attrs WS-RBCD)"
computer WS-RBCD $((0x1000)) "${h[@]}"

# Privileged / roastable accounts
user adm-sql $((0x200 | 0x10000)) "servicePrincipalName: MSSQLSvc/sql1.$D:1433"
member "$DA" "CN=adm-sql,$U"
user asrep-user $((0x200 | 0x400000))
user sidhist-user $((0x200))
user migrated-user $((0x200))

# Hidden Domain Admins membership through primaryGroupID
user pg-hidden $((0x200))
member "$DA" "CN=pg-hidden,$U"
emit "dn: CN=pg-hidden,$U" "changetype: modify" "replace: primaryGroupID" \
  "primaryGroupID: 512" "-" ""

# Nested privileged group
group IT-Admins
member "$BA" "CN=IT-Admins,$U"
user helpdesk-lead $((0x200))
member "CN=IT-Admins,$U" "CN=helpdesk-lead,$U"

# Certificate mappings
user adm-cert $((0x200)) \
  "altSecurityIdentities: X509:<I>DC=test,DC=adpersist,CN=Rogue CA<S>CN=adm-cert"
member "$DA" "CN=adm-cert,$U"
user contractor $((0x200)) \
  "altSecurityIdentities: X509:<I>CN=Partner CA<S>CN=contractor"

# Weak account settings
user nopass-user $((0x200 | 0x20))
user rev-user $((0x200 | 0x80))
user des-user $((0x200 | 0x200000))
user rc4-svc $((0x200)) "servicePrincipalName: HTTP/rc4.$D" \
  "msDS-SupportedEncryptionTypes: 4"

# Readable password attributes (values kept base64 here, as LDIF carries them;
# userPassword is a plain attribute while dSHeuristics char 9 is not '1').
user unixpw-user $((0x200)) \
  "unixUserPassword:: e2NyeXB0fSQ2JGFkcGVyc2lzdGxhYiRMYWJEdW1teUhhc2hOb3RBUmVhbENyeXB0VmFsdWVPbmx5Rm9yVGVzdHNYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWA=="
user legacy-pw $((0x200)) "userPassword:: U3VtbWVyMjAxOSE="

# Foreign principal in Administrators (Samba creates the FSP object itself)
member "$BA" "<SID=$foreign_domain_sid-1105>"

# Shadow credentials
# (a DN-binary value naming its own object can only be added once it exists)
user adm-keyed $((0x200))
member "$DA" "CN=adm-keyed,$U"
emit "dn: CN=adm-keyed,$U" "changetype: modify" "add: msDS-KeyCredentialLink" \
  "msDS-KeyCredentialLink: $(dn_binary "$kcl_attacker" "CN=adm-keyed,$U")" "-" ""
mapfile -t h <<<"$(host_attrs WS-HELLO)"
computer WS-HELLO $((0x1000)) "${h[@]}"
emit "dn: CN=WS-HELLO,$CMP" "changetype: modify" "add: msDS-KeyCredentialLink" \
  "msDS-KeyCredentialLink: $(dn_binary "$kcl_computer" "CN=WS-HELLO,$CMP")" "-" ""

# Orphaned adminCount, new admin
user former-admin $((0x200)) "adminCount: 1"
user adm-new $((0x200))
member "$DA" "CN=adm-new,$U"

# Benign look-alikes
user svc-backup $((0x200 | 0x10000)) "servicePrincipalName: HTTP/backup.$D"
user alice $((0x200))
user bob $((0x200))
group Helpdesk
member "CN=Helpdesk,$U" "CN=bob,$U"

# Azure AD Seamless SSO computer account
computer AZUREADSSOACC $((0x1000)) \
  "servicePrincipalName: HTTP/autologon.microsoftazuread-sso.com" \
  "servicePrincipalName: HTTP/aadg.windows.net.nsatc.net"

# Guest enabled: clear ACCOUNTDISABLE on the built-in Guest
guest_uac=$(dc_ldap ldapsearch -LLL -o ldif-wrap=no -b "CN=Guest,$U" -s base \
  userAccountControl | awk '/^userAccountControl: /{print $2}')
[[ $guest_uac =~ ^[0-9]+$ ]] || die "could not read Guest's userAccountControl"
emit "dn: CN=Guest,$U" "changetype: modify" "replace: userAccountControl" \
  "userAccountControl: $((guest_uac & ~0x2))" "-" ""

# dSHeuristics: anonymous LDAP (7='2'), check char (10='1'),
# AdminSDExMask (16='1': Account Operators excluded from SDProp)
emit "dn: CN=Directory Service,CN=Windows NT,CN=Services,$C" \
  "changetype: modify" "replace: dSHeuristics" \
  "dSHeuristics: 0000002001000001" "-" ""

# ms-DS-MachineAccountQuota: left at Samba's default (10) on purpose.

# --- Descriptor-based persistence (the ACEs themselves are added in phase 2) ---
# DCSync holders: an ordinary account, and an Azure AD Connect connector account
# (what AAD Connect creates: MSOL_<installation id> with this description).
user svc-sync $((0x200)) "description: Directory sync service"
user MSOL_4a1c6e0f2b3d $((0x200 | 0x10000)) \
  "description: Account created by Microsoft Azure Active Directory Connect with installation identifier 4a1c6e0f2b3d4e5f8a9b0c1d2e3f4a5b running on computer AADC01 configured to synchronize to tenant labadpersist.onmicrosoft.com. This account must have directory replication permissions in the local Active Directory and write permission on certain attributes to enable Hybrid Deployment."
# PrivExchange-style WriteDacl on the domain head
group "Exchange Windows Permissions"
# AdminSDHolder backdoor, helpdesk control of Domain Admins, GPO and owner plants
user it-support $((0x200))
# ADFS farm as ADFS lays it out: the farm container, a GUID-named contact whose
# thumbnailPhoto holds the DKM key (32 random bytes here, never printed by
# adpersist), and CryptoPolicy naming that contact in its displayName.
user svc-adfs $((0x200 | 0x10000)) "servicePrincipalName: host/adfs.$D"
adfs="CN=ADFS,CN=Microsoft,CN=Program Data,$B"
farm="CN=5e0fcb8a-7a66-4d4c-9c39-2f0a6f1c9e21,$adfs"
dkm_contact="CN=8b3ec0c2-9a5e-4f55-b3f1-3a1f2e6d7c90,$farm"
emit "dn: $adfs" "changetype: add" "objectClass: container" ""
emit "dn: $farm" "changetype: add" "objectClass: container" ""
emit "dn: $dkm_contact" "changetype: add" "objectClass: contact" \
  "thumbnailPhoto:: $(head -c 32 /dev/urandom | base64 -w0)" ""
emit "dn: CN=CryptoPolicy,$farm" "changetype: add" "objectClass: contact" \
  "displayName: 8b3ec0c2-9a5e-4f55-b3f1-3a1f2e6d7c90" ""
# A group managed service account in Backup Operators (tier 0); who may read its
# password (msDS-GroupMSAMembership) is set in phase 2.
emit "dn: CN=gmsa-backup,CN=Managed Service Accounts,$B" "changetype: add" \
  "objectClass: msDS-GroupManagedServiceAccount" "sAMAccountName: gmsa-backup\$" \
  "dNSHostName: gmsa-backup.$D" "msDS-ManagedPasswordInterval: 30" \
  "userAccountControl: $((0x1000))" ""
member "CN=Backup Operators,CN=Builtin,$B" "CN=gmsa-backup,CN=Managed Service Accounts,$B"
# Rogue DC preparation: a computer flipped to SERVER_TRUST_ACCOUNT in phase 2
mapfile -t h <<<"$(host_attrs WS-SHADOW)"
computer WS-SHADOW $((0x1000)) "${h[@]}" \
  "servicePrincipalName: E3514235-4B06-11D1-AB04-00C04FC2DCD2/5f0b3c2a-1d4e-4f6a-8b7c-9d0e1f2a3b4c/ws-shadow.$D"
# AD CS: an enterprise CA (Lab Root CA) publishing three templates; NTAuth
# trusts it and a rogue CA that no enrollment service uses.
pks="CN=Public Key Services,CN=Services,$C"
certs=$ADP_DC_SCRIPTS/../../fixtures/certs
for f in lab-root-ca.der rogue-ca.der; do
  [[ -f $certs/$f ]] || die "missing $certs/$f"
done
lab_ca=$(base64 -w0 <"$certs/lab-root-ca.der")
rogue_ca=$(base64 -w0 <"$certs/rogue-ca.der")
# template NAME NAME_FLAG ENROLL_FLAG EKU...
template() {
  local name=$1 nflag=$2 eflag=$3
  shift 3
  local ekus=()
  for e in "$@"; do ekus+=("pKIExtendedKeyUsage: $e"); done
  emit "dn: CN=$name,CN=Certificate Templates,$pks" "changetype: add" \
    "objectClass: pKICertificateTemplate" "displayName: $name" "flags: 131642" \
    "msPKI-Certificate-Name-Flag: $nflag" "msPKI-Enrollment-Flag: $eflag" \
    "msPKI-RA-Signature: 0" "msPKI-Template-Schema-Version: 2" \
    "msPKI-Private-Key-Flag: 16842768" "pKIDefaultKeySpec: 1" "revision: 100" \
    "${ekus[@]}" ""
}
template LabUser 33554432 41 1.3.6.1.5.5.7.3.2 1.3.6.1.4.1.311.10.3.4 1.3.6.1.5.5.7.3.4
template ESC1-VPN 1 0 1.3.6.1.5.5.7.3.2
template ESC4-WebServer 1 0 1.3.6.1.5.5.7.3.1
emit "dn: CN=Lab-CA,CN=Enrollment Services,$pks" "changetype: add" \
  "objectClass: pKIEnrollmentService" "dNSHostName: $ADP_DC_FQDN" \
  "cACertificate:: $lab_ca" "certificateTemplates: LabUser" \
  "certificateTemplates: ESC1-VPN" "certificateTemplates: ESC4-WebServer" ""
emit "dn: CN=NTAuthCertificates,$pks" "changetype: add" \
  "objectClass: certificationAuthority" "authorityRevocationList:: AA==" \
  "certificateRevocationList:: AA==" "cACertificate:: $lab_ca" \
  "cACertificate:: $rogue_ca" ""


if ! dc_ldap ldapmodify <"$ldif" >"$work/phase1.out"; then
  tail -n 3 "$work/phase1.out" >&2
  die "ldapmodify failed (phase 1)"
fi
note "phase 1 (LDAP, $(grep -c '^dn: ' "$ldif") operations): $(elapsed "$t_phase")s"

# --- phase 2: locally, DC stopped ----------------------------------------------
t_phase=$(now_s)
"$ADP_DC_SCRIPTS/stop.sh" "$ADP_DC_DIR"

unwrap() { awk 'NR > 1 && /^ / { printf "%s", substr($0, 2); next } NR > 1 { print "" } { printf "%s", $0 } END { print "" }'; }
ldb_sid() {
  dc_ldb ldbsearch -b "$1" -s base objectSid | awk '/^objectSid: /{print $2}'
}
attacker_sid=$(ldb_sid "CN=WS-ATTACKER,$CMP")
[[ $attacker_sid =~ ^S-1-5-21- ]] || die "could not read the SID of WS-ATTACKER\$"
rbcd_sd="O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;$attacker_sid)"

ldif=$work/phase2.ldif
: >"$ldif"
# sIDHistory: same-domain Domain Admins SID, and a foreign ordinary SID.
emit "dn: CN=sidhist-user,$U" "changetype: modify" "add: sIDHistory" \
  "sIDHistory: $ADP_DC_DOMAIN_SID-512" "-" ""
emit "dn: CN=migrated-user,$U" "changetype: modify" "add: sIDHistory" \
  "sIDHistory: $foreign_domain_sid-1234" "-" ""
# Resource-based constrained delegation (SDDL in, stored as a binary
# self-relative security descriptor by Samba's syntax handler).
for dn in "CN=DC1,OU=Domain Controllers,$B" "CN=WS-RBCD,$CMP"; do
  emit "dn: $dn" "changetype: modify" \
    "replace: msDS-AllowedToActOnBehalfOfOtherIdentity" \
    "msDS-AllowedToActOnBehalfOfOtherIdentity: $rbcd_sd" "-" ""
done
# Trusts
# trusted_domain DNS FLAT DIRECTION ATTRIBUTES SID POSIX_OFFSET
trusted_domain() {
  emit "dn: CN=$1,CN=System,$B" "changetype: add" "objectClass: trustedDomain" \
    "cn: $1" "flatName: $2" "trustPartner: $1" "trustType: 2" \
    "trustDirection: $3" "trustAttributes: $4" "securityIdentifier: $5" \
    "trustPosixOffset: $6" ""
}
trusted_domain partner.example PARTNER 3 0 "$foreign_domain_sid" -2147483648
trusted_domain quarantined.example QUARANTINED 2 4 \
  S-1-5-21-1444444444-1555555555-1666666666 -2147418112
trusted_domain forest.example FOREST 3 $((0x48)) \
  S-1-5-21-1777777777-1888888888-1999999999 -2147352576
dc_ldb ldbmodify <"$ldif" >"$work/phase2.out" || die "ldbmodify failed (phase 2)"

# Access control entries, added the way an attacker (or an admin) would: one ACE
# at a time onto the existing DACL (samba-tool dsacl set, locally).
sid_of_cn() { ldb_sid "CN=$1,$U"; }
add_ace() { # add_ace DN SDDL_ACES
  samba-tool dsacl set -H "$ADP_DC_DIR/private/sam.ldb" --configfile="$ADP_DC_SMB_CONF" \
    --objectdn="$1" --sddl="$2" >>"$work/dsacl.out" 2>&1 ||
    die "samba-tool dsacl set failed on $1"
}
sync_sid=$(sid_of_cn svc-sync)
msol_sid=$(sid_of_cn MSOL_4a1c6e0f2b3d)
ewp_sid=$(sid_of_cn "Exchange Windows Permissions")
support_sid=$(sid_of_cn it-support)
helpdesk_sid=$(sid_of_cn Helpdesk)
alice_sid=$(sid_of_cn alice)
bob_sid=$(sid_of_cn bob)
adfs_sid=$(sid_of_cn svc-adfs)
for v in sync_sid msol_sid ewp_sid support_sid helpdesk_sid alice_sid bob_sid adfs_sid; do
  [[ ${!v} =~ ^S-1-5-21- ]] || die "could not read $v"
done
get_changes=1131f6aa-9c07-11d1-f79f-00c04fc2dcd2
get_changes_all=1131f6ad-9c07-11d1-f79f-00c04fc2dcd2
enroll=0e10c968-78fb-11d2-90d4-00c04f79dc55
add_ace "$B" "(OA;;CR;$get_changes;;$sync_sid)(OA;;CR;$get_changes_all;;$sync_sid)(OA;;CR;$get_changes;;$msol_sid)(OA;;CR;$get_changes_all;;$msol_sid)(A;;WD;;;$ewp_sid)"
add_ace "CN=AdminSDHolder,CN=System,$B" "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;$support_sid)"
add_ace "$DA" "(OA;;WP;bf9679c0-0de6-11d0-a285-00aa003049e2;;$helpdesk_sid)"
add_ace "CN=adm-sql,$U" "(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;$bob_sid)"
add_ace "CN={6AC1786C-016F-11D2-945F-00C04fB984F9},CN=Policies,CN=System,$B" "(A;;RPWPSWRC;;;$helpdesk_sid)"
add_ace "$farm" "(A;CI;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;$adfs_sid)"
add_ace "$dkm_contact" "(OA;;RP;8d3bca50-1d7e-11d0-a081-00aa006c33ed;;$alice_sid)"
add_ace "CN=LabUser,CN=Certificate Templates,$pks" "(OA;;CR;$enroll;;DU)"
add_ace "CN=ESC1-VPN,CN=Certificate Templates,$pks" "(OA;;CR;$enroll;;DU)"
add_ace "CN=ESC4-WebServer,CN=Certificate Templates,$pks" "(A;;WD;;;AU)(OA;;CR;$enroll;;DC)"
# gMSA password readers: the DC (as Windows' New-ADServiceAccount
# -PrincipalsAllowedToRetrieveManagedPassword would write it) and the Helpdesk group.
dc_sid=$(ldb_sid "CN=DC1,OU=Domain Controllers,$B")
[[ $dc_sid =~ ^S-1-5-21- ]] || die "could not read the SID of DC1\$"
ldif=$work/gmsa.ldif
: >"$ldif"
emit "dn: CN=gmsa-backup,CN=Managed Service Accounts,$B" "changetype: modify" \
  "replace: msDS-GroupMSAMembership" \
  "msDS-GroupMSAMembership: O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;$dc_sid)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;$helpdesk_sid)" \
  "-" ""
dc_ldb ldbmodify <"$ldif" >"$work/gmsa.out" || die "ldbmodify failed (gMSA readers)"
# Owner of a Domain Admins member handed to an ordinary user (full SD rewrite).
sd=$(dc_ldb ldbsearch -b "CN=adm-cert,$U" -s base nTSecurityDescriptor | unwrap |
  sed -n 's/^nTSecurityDescriptor: //p')
[[ $sd == O:*G:* ]] || die "could not read adm-cert's security descriptor"
ldif=$work/owner.ldif
: >"$ldif"
emit "dn: CN=adm-cert,$U" "changetype: modify" "replace: nTSecurityDescriptor" \
  "nTSecurityDescriptor: O:${alice_sid}G:${sd#O:*G:}" "-" ""
dc_ldb ldbmodify <"$ldif" >"$work/owner.out" || die "ldbmodify failed (owner)"
# DCShadow leftovers: WS-SHADOW turned into a "DC" account (SERVER_TRUST_ACCOUNT)
# without a directory service object, and a server + NTDS Settings pair whose
# serverReference is the ordinary workstation WS-ATTACKER.
ldif=$work/rogue.ldif
: >"$ldif"
emit "dn: CN=WS-SHADOW,$CMP" "changetype: modify" "replace: userAccountControl" \
  "userAccountControl: $((0x2000))" "-" ""
sites="CN=Servers,CN=Default-First-Site-Name,CN=Sites,$C"
emit "dn: CN=ROGUE-DC,$sites" "changetype: add" "objectClass: server" \
  "dNSHostName: ws-attacker.$D" "serverReference: CN=WS-ATTACKER,$CMP" ""
emit "dn: CN=NTDS Settings,CN=ROGUE-DC,$sites" "changetype: add" \
  "objectClass: nTDSDSA" "options: 0" ""
dc_ldb ldbmodify --controls=relax:0 <"$ldif" >"$work/rogue.out" 2>&1 ||
  { cat "$work/rogue.out" >&2; die "ldbmodify failed (rogue DC)"; }

# pwdLastSet: Samba only takes 0/-1 unless its password_hash module is bypassed
# (DSDB_CONTROL_BYPASS_PASSWORD_HASH_OID). Users with a set password get
# 2026-10-01; krbtgt 2019-03-01; AZUREADSSOACC$ 2023-06-01. Computers
# otherwise keep their real pwdLastSet; never-set (0) values stay 0.
# Administrator keeps its real one: with the default 42-day maxPwdAge a
# 2026-10-01 password would be expired and the export's bind would fail.
ldif=$work/pwdlastset.ldif
: >"$ldif"
mapfile -t person_dns < <(dc_ldb ldbsearch -b "$B" \
  '(&(objectCategory=person)(objectClass=user)(!(pwdLastSet=0))(!(sAMAccountName=Administrator)))' dn | unwrap | grep -E '^dn::? ')
for dnline in "${person_dns[@]}"; do
  case $dnline in
    "dn: CN=krbtgt,$U") ft=$(filetime "$pwd_krbtgt") ;;
    *) ft=$(filetime "$pwd_users") ;;
  esac
  emit "$dnline" "changetype: modify" "replace: pwdLastSet" "pwdLastSet: $ft" "-" ""
done
emit "dn: CN=AZUREADSSOACC,$CMP" "changetype: modify" "replace: pwdLastSet" \
  "pwdLastSet: $(filetime "$pwd_ssoacc")" "-" ""
dc_ldb ldbmodify --controls=local_oid:1.3.6.1.4.1.7165.4.3.12:0 <"$ldif" \
  >"$work/pwdlastset.out" || die "ldbmodify failed (pwdLastSet)"

# whenCreated: every object of the domain and configuration NCs (a mature
# domain), except adm-new. Samba's objectclass_attrs module only lets the
# system change it, i.e. locally.
ldif=$work/whencreated.ldif
: >"$ldif"
for nc in "$B" "$C"; do
  dc_ldb ldbsearch -b "$nc" '(objectClass=*)' dn | unwrap | grep -E '^dn::? '
done | sort -u >"$work/all.dns"
while IFS= read -r dnline; do
  if [[ $dnline == "dn: CN=adm-new,$U" ]]; then
    when=$created_new
  else
    when=$created_old
  fi
  printf '%s\nchangetype: modify\nreplace: whenCreated\nwhenCreated: %s\n-\n\n' \
    "$dnline" "$when"
done <"$work/all.dns" >"$ldif"
grep -qx "dn: CN=adm-new,$U" "$work/all.dns" || die "adm-new not found"
dc_ldb ldbmodify <"$ldif" >"$work/whencreated.out" || die "ldbmodify failed (whenCreated)"

# Replication metadata: a domain built in 2019 (see backdate-metadata.py), with
# the attacker's changes of November 2026 pinned.
cat >"$work/recent.txt" <<EOF
$B|nTSecurityDescriptor|20261124031200
CN=AdminSDHolder,CN=System,$B|nTSecurityDescriptor|20261124031500
$DA|nTSecurityDescriptor|20261124031800
CN=adm-sql,$U|servicePrincipalName|20261122101000
CN=adm-cert,$U|altSecurityIdentities|20261123083000
CN=DC1,OU=Domain Controllers,$B|msDS-AllowedToActOnBehalfOfOtherIdentity|20261125221500
EOF
for nc in "$B" "$C"; do
  dc_ldb ldbsearch -b "$nc" '(replPropertyMetaData=*)' \
    replPropertyMetaData pwdLastSet whenCreated uSNChanged
done >"$work/meta.ldif"
/usr/bin/python3 "$ADP_DC_SCRIPTS/backdate-metadata.py" "$work/meta.ldif" \
  "${created_old%.0Z}" "$work/recent.txt" >"$work/backdate.ldif" || die "backdate-metadata.py failed"
dc_ldb ldbmodify --controls=local_oid:1.3.6.1.4.1.7165.4.3.14:0 <"$work/backdate.ldif" \
  >"$work/backdate.out" || die "ldbmodify failed (replication metadata)"
note "phase 2 (local ldb: sIDHistory, RBCD, 3 trusts, ${#person_dns[@]}+1 pwdLastSet, $(wc -l <"$work/all.dns") whenCreated): $(elapsed "$t_phase")s"

"$ADP_DC_SCRIPTS/start.sh" "$ADP_DC_DIR"

# Spot-check over LDAP that the locally planted values are served.
got=$(dc_ldap ldapsearch -LLL -o ldif-wrap=no -b "$B" \
  '(|(sAMAccountName=sidhist-user)(sAMAccountName=WS-RBCD$)(objectClass=trustedDomain)(sAMAccountName=adm-new))' \
  sIDHistory msDS-AllowedToActOnBehalfOfOtherIdentity trustAttributes whenCreated)
for want in '^sIDHistory:' '^msDS-AllowedToActOnBehalfOfOtherIdentity:' \
  '^trustAttributes: 72$' "^whenCreated: $created_new\$"; do
  grep -qE "$want" <<<"$got" || die "planted value not served over LDAP: $want"
done

if ((!was_running)); then "$ADP_DC_SCRIPTS/stop.sh" "$ADP_DC_DIR"; fi
note "lab planted"
