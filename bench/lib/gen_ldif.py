#!/usr/bin/env python3
"""Write an LDIF (changetype add, for `ldapadd -c`) that fills a benchmark domain.

    gen_ldif.py USERS GROUPS COMPUTERS BASE_DN DNS_DOMAIN > bench.ldif

Three OUs under BASE_DN: OU=Bench Users, OU=Bench Groups, OU=Bench Computers.
- users: disabled (userAccountControl 514), no password, so no password policy applies;
  1 in 100 has a servicePrincipalName, 1 in 250 does not require pre-authentication.
- computers: workstation trust accounts (userAccountControl 4096), dNSHostName, an OS.
- groups: global security groups, ~10 members each (users and one parent group: nesting
  up to four levels), plus BIG_GROUPS groups with 1,600-2,500 members each: more than a
  Windows DC's MaxValRange (1500), so a Windows DC would send `member;range=0-1499`
  (Samba 4.17 sends the whole attribute).
Deterministic (fixed seed): the same arguments give the same file.
"""
import random
import sys

BIG_GROUPS = 4
MEMBERS_PER_GROUP = 10


def entry(out, dn, attrs):
    out.write(f"dn: {dn}\n")
    for name, value in attrs:
        out.write(f"{name}: {value}\n")
    out.write("\n")


def main(argv):
    if len(argv) != 6:
        sys.stderr.write("usage: gen_ldif.py USERS GROUPS COMPUTERS BASE_DN DNS_DOMAIN\n")
        return 2
    n_users, n_groups, n_computers = (int(x) for x in argv[1:4])
    base, dns = argv[4], argv[5]
    rng = random.Random(20240601)
    out = sys.stdout
    ou_u, ou_g, ou_c = (f"OU=Bench {k},{base}" for k in ("Users", "Groups", "Computers"))
    for ou in (ou_u, ou_g, ou_c):
        entry(out, ou, [("objectClass", "organizationalUnit"), ("description", "adpersist benchmark")])

    users = []
    for i in range(1, n_users + 1):
        sam = f"bu{i:06d}"
        dn = f"CN={sam},{ou_u}"
        users.append(dn)
        uac = 514
        attrs = [("objectClass", "user"), ("sAMAccountName", sam), ("userPrincipalName", f"{sam}@{dns}"),
                 ("givenName", f"Given{i}"), ("sn", f"Surname{i}"), ("displayName", f"Bench User {i}"),
                 ("description", f"benchmark user {i} of {n_users}")]
        if i % 250 == 0:
            uac |= 0x400000  # DONT_REQ_PREAUTH
        if i % 100 == 0:
            attrs.append(("servicePrincipalName", f"HTTP/svc{i}.{dns}"))
        attrs.append(("userAccountControl", str(uac)))
        entry(out, dn, attrs)

    for i in range(1, n_computers + 1):
        name = f"BC{i:06d}"
        entry(out, f"CN={name},{ou_c}", [
            ("objectClass", "computer"), ("sAMAccountName", f"{name}$"), ("userAccountControl", "4096"),
            ("dNSHostName", f"{name.lower()}.{dns}"),
            ("operatingSystem", "Windows 10 Enterprise" if i % 10 else "Windows Server 2019 Standard"),
            ("description", f"benchmark computer {i} of {n_computers}")])

    # `member` is set on the parent group, whose nested children have higher numbers and must exist
    # first: add from the highest number down.
    groups = [f"CN=bg{i:05d},{ou_g}" for i in range(1, n_groups + 1)]
    for i in range(n_groups, 0, -1):
        sam = f"bg{i:05d}"
        if i <= BIG_GROUPS:
            members = rng.sample(users, min(len(users), 1600 + 300 * (i - 1)))
        else:
            members = rng.sample(users, min(len(users), MEMBERS_PER_GROUP))
            # nesting: group i holds groups 10i .. 10i+2 (which were added already)
            members += [groups[j - 1] for j in (10 * i, 10 * i + 1, 10 * i + 2) if j <= n_groups]
        attrs = [("objectClass", "group"), ("sAMAccountName", sam), ("groupType", "-2147483646"),
                 ("description", f"benchmark group {i} of {n_groups}")]
        attrs += [("member", m) for m in members]
        entry(out, groups[i - 1], attrs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
