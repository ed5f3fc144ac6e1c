#!/usr/bin/env python3
"""Writes a variant of the lab export whose nTSecurityDescriptor values lie about their lengths, for
tests/cli/lying_sd.sh.

Every lying descriptor is a REAL Samba descriptor taken from the lab export (fixtures/lab/*.ldif) with one
length or offset field changed; Revision (1) and Control stay valid, so only the lengths lie:
  * OffsetDacl / OffsetOwner / OffsetGroup / OffsetSacl pointing at or past the end of the value;
  * AclSize larger than the bytes, smaller than its ACEs, or smaller than the ACL header;
  * AceCount larger than the ACEs present (by one, and 0xFFFF);
  * an ACE whose AceSize runs past the ACL, or is below the minimum for its type (and below 4);
  * the trustee SID of the DACL's last ACE with a SubAuthorityCount that runs past the ACE and the value,
    and one that claims more than 15 sub-authorities.
They sit on the objects the ACL checks must judge (domain head, AdminSDHolder, tier-0 groups and accounts,
the Domain Controllers OU, a GPO; in the configuration NC its head and two certificate templates) and, at
scale, on BULK plain user objects: most share one of the lies above (made from bob's real descriptor), every
100th carries a distinct one (OffsetDacl past the end by its own amount).

Usage: lying_sd_ldif.py LAB_DIR OUT_DIR [BULK]
Writes OUT_DIR/domain.ldif, OUT_DIR/configuration.ldif and OUT_DIR/expect.json (which object got which lie,
for the test's assertions).
"""
import base64
import json
import re
import struct
import sys
import uuid

lab, out_dir = sys.argv[1], sys.argv[2]
bulk = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
BASE = "DC=lab,DC=adpersist,DC=test"
CONFIG = "CN=Configuration," + BASE
TEMPLATES = "CN=Certificate Templates,CN=Public Key Services,CN=Services," + CONFIG

SE_SACL_PRESENT, SE_DACL_PRESENT = 0x0010, 0x0004
OBJECT_ACE_TYPES = {0x05, 0x06, 0x07, 0x08, 0x0B, 0x0C, 0x0F, 0x10}


def u16(b, o):
    return struct.unpack_from("<H", b, o)[0]


def u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def check_real(sd, dn):
    """The shape every lie below relies on: a self-relative Revision-1 descriptor with a DACL (Samba puts it
    last, after the owner and group SIDs)."""
    assert sd[0] == 1 and u16(sd, 2) & SE_DACL_PRESENT, (dn, "not a Revision-1 descriptor with a DACL")
    dacl = u32(sd, 16)
    assert 20 <= dacl < len(sd) and u16(sd, dacl + 4) >= 2, (dn, "no DACL with two ACEs or more")
    assert dacl + u16(sd, dacl + 2) == len(sd), (dn, "the DACL is not the last part of the value")


def aces(sd):
    """(offset, AceSize) of each DACL ACE."""
    dacl = u32(sd, 16)
    pos, found = dacl + 8, []
    for _ in range(u16(sd, dacl + 4)):
        size = u16(sd, pos + 2)
        found.append((pos, size))
        pos += size
    return found


def trustee_offset(sd, ace_at):
    pos = ace_at + 8
    if sd[ace_at] in OBJECT_ACE_TYPES:
        flags = u32(sd, pos)
        pos += 4 + 16 * bin(flags & 3).count("1")
    return pos


def lie(kind, sd, n=0):
    b = bytearray(sd)
    dacl = u32(b, 16)
    acl_size, ace_count = u16(b, dacl + 2), u16(b, dacl + 4)
    first_at, first_size = aces(b)[0]
    last_at, _ = aces(b)[-1]
    if kind == "offset-dacl-past-end":
        struct.pack_into("<I", b, 16, len(b) + 64 + n)
    elif kind == "offset-owner-past-end":
        struct.pack_into("<I", b, 4, len(b) + 4)
    elif kind == "offset-group-huge":
        struct.pack_into("<I", b, 8, 0xFFFFFFF0)
    elif kind == "offset-sacl-at-end":
        struct.pack_into("<H", b, 2, u16(b, 2) | SE_SACL_PRESENT)
        struct.pack_into("<I", b, 12, len(b))
    elif kind == "aclsize-larger":
        struct.pack_into("<H", b, dacl + 2, acl_size + 16)
    elif kind == "aclsize-smaller":
        struct.pack_into("<H", b, dacl + 2, acl_size - 4)
    elif kind == "aclsize-below-header":
        struct.pack_into("<H", b, dacl + 2, 4)
    elif kind == "acecount-larger":
        struct.pack_into("<H", b, dacl + 4, ace_count + 1)
    elif kind == "acecount-huge":
        struct.pack_into("<H", b, dacl + 4, 0xFFFF)
    elif kind == "acesize-past-acl":
        struct.pack_into("<H", b, first_at + 2, acl_size)
    elif kind == "acesize-below-minimum":
        struct.pack_into("<H", b, first_at + 2, 8)
    elif kind == "acesize-below-header":
        struct.pack_into("<H", b, first_at + 2, 2)
    elif kind == "sid-count-past-end":
        b[trustee_offset(b, last_at) + 1] = 15
    elif kind == "sid-count-over-15":
        b[trustee_offset(b, last_at) + 1] = 0x7F
    else:
        raise ValueError(kind)
    assert bytes(b) != sd and b[0] == 1, kind
    return bytes(b)


KINDS = ["offset-dacl-past-end", "offset-owner-past-end", "offset-group-huge", "offset-sacl-at-end",
         "aclsize-larger", "aclsize-smaller", "aclsize-below-header", "acecount-larger", "acecount-huge",
         "acesize-past-acl", "acesize-below-minimum", "acesize-below-header", "sid-count-past-end",
         "sid-count-over-15"]

# The objects the ACL checks judge, and the lie each one gets.
TARGETS = {
    "domain.ldif": {
        BASE: "offset-dacl-past-end",                                   # dcsync-rights, domain-root-acl
        "CN=AdminSDHolder,CN=System," + BASE: "acesize-past-acl",       # adminsdholder-acl
        "CN=Domain Admins,CN=Users," + BASE: "aclsize-larger",          # privileged-object-acl / -owner
        "CN=Enterprise Admins,CN=Users," + BASE: "offset-sacl-at-end",
        "CN=Schema Admins,CN=Users," + BASE: "offset-group-huge",
        "CN=Administrator,CN=Users," + BASE: "acecount-larger",
        "CN=krbtgt,CN=Users," + BASE: "sid-count-past-end",
        "CN=DC1,OU=Domain Controllers," + BASE: "offset-owner-past-end",
        "OU=Domain Controllers," + BASE: "aclsize-smaller",
        "CN={31B2F340-016D-11D2-945F-00C04FB984F9},CN=Policies,CN=System," + BASE: "acesize-below-minimum",
    },
    "configuration.ldif": {
        CONFIG: "acecount-huge",                                        # dcsync-rights (configuration NC)
        "CN=ESC1-VPN," + TEMPLATES: "acesize-below-header",             # adcs-esc1
        "CN=ESC4-WebServer," + TEMPLATES: "sid-count-over-15",          # adcs-esc4
    },
}

SD_LINE = re.compile(r"^nTSecurityDescriptor:: (\S+)$", re.M)


def records(text):
    """Splits an ldapsearch export into records (comments and blank lines kept with the record they end)."""
    return re.split(r"(?<=\n)\n", text)


def dn_of(rec):
    m = re.search(r"^dn: (.*)$", rec, re.M)
    return m.group(1) if m else None


def rewrite(name, targets):
    text = open("%s/%s" % (lab, name), encoding="utf-8").read()
    recs = records(text)
    done = {}
    for i, rec in enumerate(recs):
        dn = dn_of(rec)
        if dn not in targets:
            continue
        m = SD_LINE.search(rec)
        assert m, (dn, "has no nTSecurityDescriptor in the lab export")
        real = base64.b64decode(m.group(1))
        check_real(real, dn)
        bad = lie(targets[dn], real)
        recs[i] = rec[:m.start(1)] + base64.b64encode(bad).decode() + rec[m.end(1):]
        done[dn] = targets[dn]
    missing = set(targets) - set(done)
    assert not missing, ("not in the lab export", missing)
    return "\n".join(recs), done


domain_text, domain_lies = rewrite("domain.ldif", TARGETS["domain.ldif"])
config_text, config_lies = rewrite("configuration.ldif", TARGETS["configuration.ldif"])

# Bulk: plain users carrying lies made from bob's real descriptor.
lab_domain = open(lab + "/domain.ldif", encoding="utf-8").read()
bob = next(r for r in records(lab_domain) if dn_of(r) == "CN=bob,CN=Users," + BASE)
bob_sd = base64.b64decode(SD_LINE.search(bob).group(1))
check_real(bob_sd, "bob")
shared = [lie(k, bob_sd) for k in KINDS]
sid_b64 = re.search(r"^dn: " + re.escape(BASE) + r"\n(?:.*\n)*?objectSid:: (\S+)", lab_domain, re.M).group(1)
domain_sid = base64.b64decode(sid_b64)


def user_sid(rid):
    return domain_sid[:1] + bytes([domain_sid[1] + 1]) + domain_sid[2:] + struct.pack("<I", rid)


extra, distinct = [], set()
for i in range(bulk):
    dn = "CN=liar%05d,CN=Users,%s" % (i, BASE)
    if i % 100 == 99:
        sd = lie("offset-dacl-past-end", bob_sd, n=i)
        distinct.add(sd)
    else:
        sd = shared[i % len(shared)]
    extra.append("dn: %s\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
                 "objectClass: user\ncn: liar%05d\nsAMAccountName: liar%05d\nuserAccountControl: 512\n"
                 "objectGUID:: %s\nobjectSid:: %s\nnTSecurityDescriptor:: %s\n\n"
                 % (dn, i, i, base64.b64encode(uuid.uuid5(uuid.NAMESPACE_URL, dn).bytes_le).decode(),
                    base64.b64encode(user_sid(200000 + i)).decode(), base64.b64encode(sd).decode()))

# ldapsearch's trailer counts the entries it sent: the added ones would make the export "incomplete".
domain_text = re.sub(r"^# (numResponses|numEntries): \d+\n", "", domain_text, flags=re.M)
if not domain_text.endswith("\n\n"):
    domain_text = domain_text.rstrip("\n") + "\n\n"
with open(out_dir + "/domain.ldif", "w", encoding="utf-8") as f:
    f.write(domain_text)
    f.writelines(extra)
with open(out_dir + "/configuration.ldif", "w", encoding="utf-8") as f:
    f.write(config_text)
with open(out_dir + "/expect.json", "w", encoding="utf-8") as f:
    json.dump({"lies": {**domain_lies, **config_lies}, "bulk": bulk, "kinds": KINDS,
               "distinct_bulk_values": len(distinct) + len(shared)}, f, indent=1)
print("lying descriptors: %d lab objects, %d bulk objects (%d distinct values)"
      % (len(domain_lies) + len(config_lies), bulk, len(distinct) + len(shared)))
