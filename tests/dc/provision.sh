#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Provision a fresh, throw-away Samba 4 AD DC into DIR (which must not exist
# or be empty). Nothing is started; use start.sh DIR afterwards.
#
#   tests/dc/provision.sh DIR [REALM]        (REALM default LAB.ADPERSIST.TEST)
#
# Result in DIR:
#   etc/smb.conf, private/ (sam.ldb, later private/tls/ca.pem), state/ ...  Samba's own
#   admin.password   Administrator's random password (mode 0600, no newline)
#   env.sh           `source DIR/env.sh` gives a client everything it needs
#   krb5.conf hosts  client Kerberos config and the nss_wrapper hosts file
#   provision.log
# The DC host is dc1.<realm in lower case>, the NetBIOS domain the realm's first
# label, DNS backend NONE, listening on 127.0.0.1 only (LDAP, LDAPS, KDC).
# The schema gets msDS-KeyCredentialLink (+ its back link) from Samba's shipped
# Windows Server 2016 schema file, and samba_spnupdate registers the DC's SPNs.
# Runs itself inside netns-run.sh unless already in a private net namespace.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  echo "usage: $dc_prog DIR [REALM]" >&2
  exit 2
}
[[ $# -ge 1 && $# -le 2 && -n $1 ]] || usage

if ! dc_isolated; then
  exec "$ADP_DC_SCRIPTS/netns-run.sh" "$0" "$@"
fi
dc_require_isolated

t0=$(now_s)
realm=${2:-LAB.ADPERSIST.TEST}
realm=${realm^^}
[[ $realm =~ ^[A-Z0-9-]+(\.[A-Z0-9-]+)+$ ]] || die "bad realm: $realm"
dns_domain=${realm,,}
netbios_domain=${realm%%.*}
host=dc1
fqdn=$host.$dns_domain
base_dn="DC=${dns_domain//./,DC=}"
config_dn="CN=Configuration,$base_dn"
schema_dn="CN=Schema,$config_dn"

mkdir -p "$1"
dir=$(cd "$1" && pwd)
if [[ -n $(ls -A "$dir") ]]; then
  die "$dir is not empty (provision into a new directory)"
fi
umask 077

for cmd in samba samba-tool samba_spnupdate ldbmodify ldbsearch ldapsearch unshare ip; do
  command -v "$cmd" >/dev/null || die "$cmd not found: run tests/dc/install-deps.sh"
done
[[ -f /usr/share/samba/setup/ad-schema/AD_DS_Attributes__Windows_Server_2016.ldf ]] \
  || die "Samba's 2016 schema file is missing (samba-ad-provision not installed?)"

nss_wrapper_lib=
for d in /usr/lib/*-linux-gnu /usr/lib64 /usr/lib; do
  if [[ -f $d/libnss_wrapper.so ]]; then
    nss_wrapper_lib=$d/libnss_wrapper.so
    break
  fi
done
[[ -n $nss_wrapper_lib ]] || die "libnss_wrapper.so not found: run tests/dc/install-deps.sh"

# --- admin password: random, only ever in files and on stdin -----------------
pwfile=$dir/admin.password
password="Adp1-$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 28 || true)"
[[ ${#password} -eq 33 ]] || die "could not generate a password"
printf '%s' "$password" >"$pwfile"
chmod 0600 "$pwfile"

# --- name resolution and Kerberos for this DC only ---------------------------
printf '127.0.0.1 %s %s\n' "$fqdn" "$host" >"$dir/hosts"
cat >"$dir/krb5.conf" <<EOF
[libdefaults]
	default_realm = $realm
	dns_lookup_realm = false
	dns_lookup_kdc = false
	rdns = false
	dns_canonicalize_hostname = false
	ignore_acceptor_hostname = true

[realms]
	$realm = {
		kdc = 127.0.0.1
		admin_server = 127.0.0.1
		default_domain = $dns_domain
	}

[domain_realm]
	.$dns_domain = $realm
	$dns_domain = $realm
EOF
chmod 0644 "$dir/hosts" "$dir/krb5.conf"

# Environment for the DC and the provisioning tools (clients get env.sh).
export LD_PRELOAD="$nss_wrapper_lib${LD_PRELOAD:+ $LD_PRELOAD}"
export NSS_WRAPPER_HOSTS=$dir/hosts
export NSS_WRAPPER_HOSTNAME=$fqdn
export KRB5_CONFIG=$dir/krb5.conf

# --- provision ----------------------------------------------------------------
# No --adminpass: samba-tool picks a random one, which is replaced below from
# admin.password over stdin; its "Admin password:" log line is dropped.
note "provisioning $realm ($fqdn) into $dir"
t=$(now_s)
if ! samba-tool domain provision \
    --targetdir="$dir" \
    --realm="$realm" --domain="$netbios_domain" --host-name="$host" \
    --server-role=dc --dns-backend=NONE --host-ip=127.0.0.1 \
    --option="interfaces = 127.0.0.1" \
    --option="bind interfaces only = yes" \
    --option="server services = ldap, kdc" \
    --option="pid directory = $dir/run" \
    --option="log file = $dir/log/%m.log" \
    2>&1 | sed -u '/Admin password:/d' >"$dir/provision.log"; then
  tail -n 30 "$dir/provision.log" >&2
  die "samba-tool domain provision failed (log: $dir/provision.log)"
fi
mkdir -p "$dir/run" "$dir/log"
smb_conf=$dir/etc/smb.conf
note "samba-tool domain provision: $(elapsed "$t")s"

ldb_local() {
  local tool=$1
  shift
  "$tool" -H "$dir/private/sam.ldb" --configfile="$smb_conf" "$@"
}

# --- Administrator's password from admin.password (stdin only) ---------------
t=$(now_s)
pw_b64=$(printf '"%s"' "$password" | iconv -f UTF-8 -t UTF-16LE | base64 -w0)
ldb_local ldbmodify >/dev/null <<EOF || die "setting the Administrator password failed"
dn: CN=Administrator,CN=Users,$base_dn
changetype: modify
replace: unicodePwd
unicodePwd:: $pw_b64
EOF
unset password pw_b64

# --- schema: msDS-KeyCredentialLink (Windows Server 2016 schema) -------------
# Copied from Samba's shipped AD_DS_Attributes__Windows_Server_2016.ldf; the
# attribute must exist (separate transaction) before classes can name it.
# user's mayContain also covers computer (a subclass of user).
ldb_local ldbmodify --option="dsdb:schema update allowed=true" >/dev/null <<EOF \
  || die "adding msDS-KeyCredentialLink to the schema failed"
dn: CN=ms-DS-Key-Credential-Link,$schema_dn
changetype: add
objectClass: top
objectClass: attributeSchema
cn: ms-DS-Key-Credential-Link
attributeID: 1.2.840.113556.1.4.2328
attributeSyntax: 2.5.5.7
isSingleValued: FALSE
linkID: 2220
showInAdvancedViewOnly: TRUE
adminDisplayName: ms-DS-Key-Credential-Link
oMObjectClass:: KoZIhvcUAQEBCw==
adminDescription: Contains key material and usage.
oMSyntax: 127
searchFlags: 0
lDAPDisplayName: msDS-KeyCredentialLink
schemaIDGUID:: D9ZHW5BgskCfNypN6I8wYw==
attributeSecurityGUID:: pm0CmzwNXEaL7lGZ1xZcug==
systemOnly: FALSE
systemFlags: 16

dn: CN=ms-DS-Key-Credential-Link-BL,$schema_dn
changetype: add
objectClass: top
objectClass: attributeSchema
cn: ms-DS-Key-Credential-Link-BL
attributeID: 1.2.840.113556.1.4.2329
attributeSyntax: 2.5.5.1
isSingleValued: FALSE
linkID: 2221
showInAdvancedViewOnly: TRUE
adminDisplayName: ms-DS-Key-Credential-Link-BL
oMObjectClass:: KwwCh3McAIVK
oMSyntax: 127
searchFlags: 0
lDAPDisplayName: msDS-KeyCredentialLink-BL
schemaIDGUID:: iNeKk18i7k6Tua0koVnh2w==
systemOnly: FALSE
systemFlags: 17
EOF
ldb_local ldbmodify --option="dsdb:schema update allowed=true" >/dev/null <<EOF \
  || die "adding msDS-KeyCredentialLink to the user class failed"
dn: CN=User,$schema_dn
changetype: modify
add: mayContain
mayContain: msDS-KeyCredentialLink

dn: CN=Top,$schema_dn
changetype: modify
add: mayContain
mayContain: msDS-KeyCredentialLink-BL
EOF
note "Administrator password + schema addition: $(elapsed "$t")s"

# --- the DC's SPNs (ldap/<fqdn> etc.), written to the local sam.ldb ------------
t=$(now_s)
samba_spnupdate --configfile="$smb_conf" >>"$dir/provision.log" 2>&1 \
  || die "samba_spnupdate failed (log: $dir/provision.log)"
note "samba_spnupdate: $(elapsed "$t")s"

domain_sid=$(ldb_local ldbsearch -b "$base_dn" -s base objectSid \
  | awk '/^objectSid: /{print $2}')
[[ $domain_sid =~ ^S-1-5-21-[0-9-]+$ ]] || die "could not read the domain SID"

# --- env.sh -----------------------------------------------------------------
{
  echo "# Generated by tests/dc/provision.sh: source it to talk to this DC."
  echo "# Only meaningful inside the private network namespace the DC runs in."
  echo "# LDAPS simple bind: ldapsearch -H \"\$ADP_DC_LDAPS_URI\" -x -D \"\$ADP_DC_ADMIN_DN\" -y \"\$ADP_DC_ADMIN_PASSWORD_FILE\" ..."
  echo "# Kerberos: kinit \"\$ADP_DC_ADMIN_UPN\" <\"\$ADP_DC_ADMIN_PASSWORD_FILE\"; ldapsearch -H \"\$ADP_DC_LDAP_URI\" -Y GSSAPI ..."
  for kv in \
    "ADP_DC_DIR=$dir" \
    "ADP_DC_SMB_CONF=$smb_conf" \
    "ADP_DC_REALM=$realm" \
    "ADP_DC_DOMAIN=$netbios_domain" \
    "ADP_DC_DNS_DOMAIN=$dns_domain" \
    "ADP_DC_HOST=$host" \
    "ADP_DC_FQDN=$fqdn" \
    "ADP_DC_BASE_DN=$base_dn" \
    "ADP_DC_CONFIG_DN=$config_dn" \
    "ADP_DC_SCHEMA_DN=$schema_dn" \
    "ADP_DC_DOMAIN_SID=$domain_sid" \
    "ADP_DC_LDAPS_URI=ldaps://$fqdn" \
    "ADP_DC_LDAP_URI=ldap://$fqdn" \
    "ADP_DC_ADMIN_USER=Administrator" \
    "ADP_DC_ADMIN_DN=CN=Administrator,CN=Users,$base_dn" \
    "ADP_DC_ADMIN_UPN=Administrator@$realm" \
    "ADP_DC_ADMIN_PASSWORD_FILE=$pwfile" \
    "ADP_DC_CA_FILE=$dir/private/tls/ca.pem" \
    "LDAPTLS_CACERT=$dir/private/tls/ca.pem" \
    "LDAPTLS_REQCERT=demand" \
    "LDAPSASL_NOCANON=on" \
    "KRB5_CONFIG=$dir/krb5.conf" \
    "KRB5CCNAME=FILE:$dir/krb5cc" \
    "NSS_WRAPPER_HOSTS=$dir/hosts" \
    "ADP_DC_NSS_WRAPPER_LIB=$nss_wrapper_lib"; do
    v=${kv#*=}
    printf "export %s='%s'\n" "${kv%%=*}" "${v//\'/\'\\\'\'}"
  done
  # shellcheck disable=SC2016
  echo 'case " ${LD_PRELOAD-} " in'
  # shellcheck disable=SC2016
  echo '  *" $ADP_DC_NSS_WRAPPER_LIB "*) ;;'
  # shellcheck disable=SC2016
  echo '  *) export LD_PRELOAD="$ADP_DC_NSS_WRAPPER_LIB${LD_PRELOAD:+ $LD_PRELOAD}" ;;'
  echo 'esac'
} >"$dir/env.sh"
chmod 0644 "$dir/env.sh"
chmod 0755 "$dir"

note "provisioned $realm in $(elapsed "$t0")s (domain SID $domain_sid)"
