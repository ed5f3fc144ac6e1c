#!/usr/bin/env bash
# Install what the throw-away Samba AD DC scripts need (Debian 12).
# Idempotent: apt is not touched when everything is already installed.
#
#   tests/dc/install-deps.sh
set -euo pipefail

packages=(
  samba samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind
  ldb-tools ldap-utils krb5-user libsasl2-modules-gssapi-mit libnss-wrapper
  iproute2 util-linux
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps.sh: all ${#packages[@]} packages installed"
  exit 0
fi

if [[ $EUID -ne 0 ]]; then
  echo "install-deps.sh: missing: ${missing[*]} (run as root)" >&2
  exit 1
fi
echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# krb5-user asks for a default realm; the scripts use their own krb5.conf.
# The packages' own services (smbd, nmbd, winbind, samba-ad-dc) must not be
# started on the host's network: forbid service starts during the install.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  added_policy=1
fi
remove_policy() { if ((added_policy)); then rm -f "$policy"; fi; }
trap remove_policy EXIT
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-deps.sh: done"
