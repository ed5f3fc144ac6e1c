#!/usr/bin/python3
"""Deterministic synthetic Active Directory domains as ldapsearch LDIF, for the benchmarks.

    domain_ldif.py FIXTURE N --out FILE --stats TSV [--planted TSV]                  (shape "domain")
    domain_ldif.py --shape sd FIXTURE N --out SHARED --unique FILE --nosd FILE --stats TSV

FIXTURE is a plain-ldapsearch export of a domain NC with nTSecurityDescriptor values (the lab fixture,
fixtures/lab/domain.ldif: genuine Samba output). Every output holds, in the plain ldapsearch format
(its header, "# requesting:" line included, per-page "search:/result:" records with paged-results
cookies and "# numEntries:" trailers):

- every fixture entry (the domain head, CN=Users, Domain Admins, AdminSDHolder, the lab's planted
  indicators: what the ACL checks look at), then
- N synthetic objects: OU=Bench with sub-OUs, and users (80%), computers (15%) and groups (5%) spread
  round-robin over the sub-OUs. Their attribute sets copy real fixture entries (it-support,
  SRV-LEGACY, Helpdesk, OU=Domain Controllers, the Default Domain Policy), with fresh names, SIDs,
  GUIDs, times and memberships; replPropertyMetaData is the template's. Each group has ~12 members
  from its own OU.

Descriptors. The pool is the fixture's own (Samba-made) descriptors: each class starts from the
descriptor most fixture entries of that class carry (DACL not protected). Each sub-OU delegates to
its own group ("Bench OU NNN Admins"): the OU's descriptor gets three explicit inheritable object ACEs
(CI|IO: reset password on users, write member on groups, full control on computers), and every
object below it the inherited copies of those three, encoded as Samba encodes inherited ACEs
(ID|CI where the inherited-object-type is the object's class, ID|CI|IO where it is not), placed first
among the inherited ACEs. So objects share one descriptor per (sub-OU, class), and 1 object in 100
has one explicit ACE of its own (GenericWrite for another synthetic principal), as helpdesk one-off
grants leave them: many objects sharing few descriptors, as in a real directory.

Shape "domain" (bench/scale.sh, issue 7) adds what a large real domain has:
- N // 1000 sub-OUs (1 to 1,000), each linked (gPLink) to 1-2 of N // 1000 group policy objects
  (CN={GUID},CN=Policies,CN=System with their CN=User and CN=Machine children, copied from the
  fixture's Default Domain Policy, its descriptor shared);
- group nesting: 1 group in 5 is a member of an earlier group (so nesting is acyclic and up to
  dozens of levels deep), and four large groups holding 10%, 2%, 1% and 0.5% of all users;
- memberOf back links on users and nested groups;
- planted indicators on synthetic objects, each a value copied from the fixture's own planted
  objects where one exists (KeyCredentialLink, sIDHistory, RBCD descriptor): a new Domain Admins
  member with a KeyCredentialLink and an SPN, an AS-REP-roastable user, a user with a Domain Admins
  SID in sIDHistory, a computer trusted for unconstrained delegation, a computer with a
  resource-based delegation, and DCSync rights on the domain head for an ordinary user. --planted
  gets one "check<TAB>dn" line per (indicator, check) pair a scan must report.

Shape "sd" (bench/sd_scale.sh) is the security-descriptor benchmark's input, byte for byte what
bench/lib/gen_sd_ldif.py wrote: min(100, N // 10) sub-OUs, no nesting, GPOs or synthetic
indicators, and three variants of the same entries:
- --out: as above;
- --unique: every synthetic object has its own explicit ACE, each for a different principal:
  every synthetic descriptor is distinct (the worst case for parse-once);
- --nosd: --out without its nTSecurityDescriptor lines (header unchanged).

Every descriptor written is re-parsed here (offsets, sizes, ACE walk) before it is used. --stats
gets key<TAB>value lines: entry counts, distinct descriptors per file, bytes. Deterministic: the
same fixture and arguments give the same files.
"""
import argparse
import base64
import collections
import hashlib
import random
import struct
import sys
import time
import uuid

OUS = 100
EXPLICIT_ONE_IN = 100  # OUT_SHARED: objects with an explicit ACE of their own
PAGE = 1000
SEED = 20261201

# Schema GUIDs (MS-ADA1/MS-ADA3); the first three fields are little-endian on the wire (bytes_le).
CLASS_GUID = {
    "user": uuid.UUID("bf967aba-0de6-11d0-a285-00aa003049e2"),
    "group": uuid.UUID("bf967a9c-0de6-11d0-a285-00aa003049e2"),
    "computer": uuid.UUID("bf967a86-0de6-11d0-a285-00aa003049e2"),
}
GET_CHANGES = uuid.UUID("1131f6aa-9c07-11d1-f79f-00c04fc2dcd2")  # DS-Replication-Get-Changes
GET_CHANGES_ALL = uuid.UUID("1131f6ad-9c07-11d1-f79f-00c04fc2dcd2")  # DS-Replication-Get-Changes-All
RESET_PASSWORD = uuid.UUID("00299570-246d-11d0-a768-00aa006e0529")  # User-Force-Change-Password
MEMBER_ATTR = uuid.UUID("bf9679c0-0de6-11d0-a285-00aa003049e2")
ADS_CONTROL_ACCESS, ADS_WRITE_PROP, GENERIC_ALL_DS, GENERIC_WRITE_DS = 0x100, 0x20, 0xF01FF, 0x20028
CI, IO, ID = 0x02, 0x08, 0x10
ACCESS_ALLOWED, ACCESS_ALLOWED_OBJECT = 0x00, 0x05


# --- security descriptors ------------------------------------------------------------------------

def sid_bytes(sid):
    parts = sid.split("-")
    assert parts[0] == "S" and parts[1] == "1"
    subs = [int(x) for x in parts[3:]]
    return bytes([1, len(subs)]) + int(parts[2]).to_bytes(6, "big") + struct.pack(f"<{len(subs)}I", *subs)


def sid_string(b, off=0):
    n = b[off + 1]
    auth = int.from_bytes(b[off + 2:off + 8], "big")
    subs = struct.unpack_from(f"<{n}I", b, off + 8)
    return "S-1-%d-%s" % (auth, "-".join(str(s) for s in subs))


def ace_allowed(mask, sid, flags=0):
    body = struct.pack("<I", mask) + sid_bytes(sid)
    return struct.pack("<BBH", ACCESS_ALLOWED, flags, 4 + len(body)) + body


def ace_object(mask, sid, flags, object_type=None, inherited_type=None):
    oflags = (1 if object_type else 0) | (2 if inherited_type else 0)
    body = struct.pack("<II", mask, oflags)
    if object_type:
        body += object_type.bytes_le
    if inherited_type:
        body += inherited_type.bytes_le
    body += sid_bytes(sid)
    return struct.pack("<BBH", ACCESS_ALLOWED_OBJECT, flags, 4 + len(body)) + body


def walk_dacl(sd):
    """Checks a self-relative SD as the parser would; returns (dacl_offset, [ace offsets], end)."""
    if len(sd) < 20:
        raise ValueError("short header")
    rev, _, control, o_owner, o_group, o_sacl, o_dacl = struct.unpack_from("<BBHIIII", sd)
    if rev != 1 or not control & 0x8000:  # SE_SELF_RELATIVE
        raise ValueError("not a self-relative revision-1 SD")
    for off in (o_owner, o_group):
        if off:
            if off + 8 > len(sd) or off + 8 + 4 * sd[off + 1] > len(sd):
                raise ValueError("owner/group SID out of bounds")
    if not o_dacl or not control & 0x0004:
        raise ValueError("no DACL")
    acl_rev, _, acl_size, count, _ = struct.unpack_from("<BBHHH", sd, o_dacl)
    if acl_rev not in (2, 4) or o_dacl + acl_size > len(sd):
        raise ValueError("bad ACL header")
    offs, p = [], o_dacl + 8
    for _ in range(count):
        if p + 4 > o_dacl + acl_size:
            raise ValueError("ACE header past the ACL")
        t, _, size = struct.unpack_from("<BBH", sd, p)
        if size < 8 or size % 4 or p + size > o_dacl + acl_size:
            raise ValueError("bad ACE size")
        sid_off = p + 8
        if t in (0x05, 0x06, 0x07, 0x08):
            of = struct.unpack_from("<I", sd, p + 8)[0]
            sid_off = p + 12 + (16 if of & 1 else 0) + (16 if of & 2 else 0)
        if sid_off + 8 > p + size or sid_off + 8 + 4 * sd[sid_off + 1] > p + size:
            raise ValueError("ACE SID out of bounds")
        offs.append(p)
        p += size
    if p != o_dacl + acl_size:
        raise ValueError("AclSize does not match the ACEs")
    if o_sacl and o_sacl + 8 > len(sd):
        raise ValueError("SACL out of bounds")
    return o_dacl, offs, p


def insert_aces(sd, aces, where):
    """Inserts ACEs into the DACL: where='explicit_end' (before the first inherited ACE) or
    'inherited_start' (the same place: the parent's ACEs come first among the inherited ones).
    Updates AclSize, AceCount and every offset behind the insertion point."""
    assert where in ("explicit_end", "inherited_start")
    if not aces:
        return sd
    o_dacl, offs, end = walk_dacl(sd)
    at = end
    for p in offs:
        if sd[p + 1] & ID:
            at = p
            break
    blob = b"".join(aces)
    acl_rev, sbz1, acl_size, count, sbz2 = struct.unpack_from("<BBHHH", sd, o_dacl)
    if acl_size + len(blob) > 0xFFFF:
        raise ValueError("ACL too large")
    if any(a[0] in (0x05, 0x06, 0x07, 0x08) for a in aces) and acl_rev < 4:
        acl_rev = 4  # object ACEs need ACL_REVISION_DS
    out = bytearray(sd[:at]) + blob + sd[at:]
    struct.pack_into("<BBHHH", out, o_dacl, acl_rev, sbz1, acl_size + len(blob), count + len(aces), sbz2)
    # Owner, group or SACL stored behind the insertion point move by len(blob).
    _, _, control, o_owner, o_group, o_sacl, _ = struct.unpack_from("<BBHIIII", out)
    moved = [o + len(blob) if o and o >= at else o for o in (o_owner, o_group, o_sacl)]
    struct.pack_into("<III", out, 4, *moved)
    out = bytes(out)
    walk_dacl(out)  # re-parse: sizes, counts and offsets must agree
    return out


# --- LDIF ----------------------------------------------------------------------------------------

def read_fixture(path):
    """-> (header lines, [entries as (list of lines)], trailer-ish lines (references))"""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    blocks = text.split("\n\n")
    header, entries, refs = [], [], []
    for b in blocks:
        lines = [l for l in b.split("\n") if l != ""]
        if not lines:
            continue
        body = [l for l in lines if not l.startswith("#")]
        if not body:
            if not entries and not header:
                header = lines
            continue
        first = body[0].split(":", 1)[0].lower()
        if first == "dn":
            entries.append(lines)
        elif first == "ref":
            refs.append(lines)
        elif first in ("search", "result"):
            continue  # recomputed
        else:
            raise SystemExit(f"{path}: unexpected record starting {body[0][:40]!r}")
    if not any(l.startswith("# requesting:") for l in header):
        raise SystemExit(f"{path}: no '# requesting:' header")
    return header, entries, refs


def attr_of(line):
    return line.split(":", 1)[0].lower()


def value_of(line):
    name, _, rest = line.partition(":")
    if rest.startswith(":"):
        return base64.b64decode(rest[1:].strip())
    return rest.strip()


def find_entry(entries, dn):
    for e in entries:
        for l in e:
            if l.startswith("dn: "):
                if l[4:].lower() == dn.lower():
                    return e
                break
    raise SystemExit(f"fixture has no {dn}")


def entry_dn(e):
    return next(l[4:] for l in e if l.startswith("dn: "))


def entry_classes(e):
    return [l.split(": ", 1)[1] for l in e if attr_of(l) == "objectclass"]


def b64(b):
    return base64.b64encode(b).decode("ascii")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("fixture")
    p.add_argument("n", type=int, help="synthetic objects")
    p.add_argument("--shape", choices=("domain", "sd"), default="domain")
    p.add_argument("--out", required=True)
    p.add_argument("--unique", help="shape sd: every synthetic descriptor distinct")
    p.add_argument("--nosd", help="shape sd: --out without descriptors")
    p.add_argument("--stats", required=True)
    p.add_argument("--planted", help="shape domain: check<TAB>dn per planted indicator")
    a = p.parse_args(argv[1:])
    if a.shape == "sd" and not (a.unique and a.nosd):
        p.error("--shape sd writes three variants: give --unique and --nosd")
    if a.shape == "domain" and (a.unique or a.nosd):
        p.error("--unique and --nosd belong to --shape sd")
    return a


def main(argv):
    args = parse_args(argv)
    fixture, n, stats_path = args.fixture, args.n, args.stats
    out_paths = [args.out, args.unique, args.nosd]
    domain = args.shape == "domain"
    rng = random.Random(SEED)
    drng = random.Random(SEED + 1)  # shape "domain" only, so that shape "sd" stays byte-identical
    header, fentries, refs = read_fixture(fixture)

    head = next(e for e in fentries if "domainDNS" in entry_classes(e))
    base = entry_dn(head)
    dns = ".".join(p.split("=", 1)[1] for p in base.split(","))
    domain_sid = sid_string(value_of(next(l for l in head if attr_of(l) == "objectsid")))

    # The pool: the fixture's descriptors; per class, the one most entries of the class carry
    # (DACL not protected, i.e. inheriting like a new object would).
    by_class = collections.defaultdict(collections.Counter)
    fixture_sds = set()
    for e in fentries:
        for l in e:
            if attr_of(l) == "ntsecuritydescriptor":
                sd = value_of(l)
                walk_dacl(sd)
                fixture_sds.add(sd)
                if not struct.unpack_from("<H", sd, 2)[0] & 0x1000:
                    by_class[entry_classes(e)[-1]][sd] += 1
    base_sd = {}
    for cls in ("user", "computer", "group", "organizationalUnit"):
        if not by_class[cls]:
            raise SystemExit(f"fixture has no {cls} with an unprotected descriptor")
        base_sd[cls] = by_class[cls].most_common(1)[0][0]

    tmpl = {
        "user": find_entry(fentries, f"CN=it-support,CN=Users,{base}"),
        "computer": find_entry(fentries, f"CN=SRV-LEGACY,CN=Computers,{base}"),
        "group": find_entry(fentries, f"CN=Helpdesk,CN=Users,{base}"),
        "organizationalUnit": find_entry(fentries, f"OU=Domain Controllers,{base}"),
    }
    repl = {k: next(l for l in e if attr_of(l) == "replpropertymetadata") for k, e in tmpl.items()}

    # --- the objects ---------------------------------------------------------------------------
    n_ous = max(1, min(1000, n // 1000)) if domain else min(OUS, max(1, n // 10))
    n_gpos = max(1, n // 1000) if domain else 0
    n_groups = max(1, n * 5 // 100)
    n_computers = max(1, n * 15 // 100)
    n_users = n - n_ous - 1 - n_groups - n_computers - 3 * n_gpos
    if n_users < 1:
        raise SystemExit("N too small")
    top = f"OU=Bench,{base}"
    ou_dns = [f"OU=Dept{k:03d},{top}" for k in range(n_ous)]
    ou_admin_rid = [20000 + k for k in range(n_ous)]  # the per-OU delegated group's RID

    rid = [30000]

    def next_rid():
        rid[0] += 1
        return rid[0]

    objects = []  # dicts: cls, dn, cn, sam, rid, ou
    for k, ou in enumerate(ou_dns):
        objects.append(dict(cls="organizationalUnit", dn=ou, cn=f"Dept{k:03d}", ou=k))
    for i in range(n_users):
        k = i % n_ous
        objects.append(dict(cls="user", dn=f"CN=u{i:07d},{ou_dns[k]}", cn=f"u{i:07d}", sam=f"u{i:07d}",
                            rid=next_rid(), ou=k))
    for i in range(n_computers):
        k = i % n_ous
        name = f"WS{i:07d}"
        objects.append(dict(cls="computer", dn=f"CN={name},{ou_dns[k]}", cn=name, sam=name + "$",
                            rid=next_rid(), ou=k))
    for i in range(n_groups):
        k = i % n_ous
        objects.append(dict(cls="group", dn=f"CN=g{i:06d},{ou_dns[k]}", cn=f"g{i:06d}", sam=f"g{i:06d}",
                            rid=next_rid(), ou=k))
    # The per-OU admin groups themselves: group j of OU k (j = k) has the RID ou_admin_rid[k].
    groups_by_ou = collections.defaultdict(list)
    users_by_ou = collections.defaultdict(list)
    for o in objects:
        if o["cls"] == "group":
            groups_by_ou[o["ou"]].append(o)
        elif o["cls"] == "user":
            users_by_ou[o["ou"]].append(o)
    for k in range(n_ous):
        if groups_by_ou[k]:
            g = groups_by_ou[k][0]
            g["rid"] = ou_admin_rid[k]
            g["cn"] = g["sam"] = f"Bench OU {k:03d} Admins"
            g["dn"] = f"CN={g['cn']},{ou_dns[k]}"
    # memberships: each group ~12 users of its OU
    member_of = collections.defaultdict(list)
    for k in range(n_ous):
        for g in groups_by_ou[k]:
            pool = users_by_ou[k]
            g["members"] = rng.sample(pool, min(len(pool), 12)) if pool else []
            for u in g["members"]:
                member_of[u["dn"]].append(g["dn"])

    planted = []  # (check id, dn)
    head_extra_aces = []
    if domain:
        groups = [o for o in objects if o["cls"] == "group"]
        users = [o for o in objects if o["cls"] == "user"]
        computers = [o for o in objects if o["cls"] == "computer"]
        admin_dns = {groups_by_ou[k][0]["dn"] for k in range(n_ous) if groups_by_ou[k]}
        plain = [g for g in groups if g["dn"] not in admin_dns]
        # Four large groups, then nesting: 1 group in 5 joins an earlier one (acyclic).
        for g, frac in zip(plain, (0.10, 0.02, 0.01, 0.005)):
            extra = drng.sample(users, max(1, int(len(users) * frac)))
            have = {u["dn"] for u in g["members"]}
            g["members"] += [u for u in extra if u["dn"] not in have]
            for u in extra:
                if u["dn"] not in have:
                    member_of[u["dn"]].append(g["dn"])
        for i, g in enumerate(plain[1:], start=1):
            if drng.random() < 0.2:
                parent = plain[drng.randrange(i)]
                parent["members"].append(g)
                member_of[g["dn"]].append(parent["dn"])
        # Planted indicators, on objects spread through the file.
        def pick(pool, frac):
            return pool[min(len(pool) - 1, int(len(pool) * frac))]
        da = pick(users, 0.37)
        da["admin"] = True
        member_of[da["dn"]].append(f"CN=Domain Admins,CN=Users,{base}")
        da["keycred"] = True
        da["spn"] = f"HTTP/bench-da.{dns}"
        planted += [("ad.shadow-credentials", da["dn"]), ("ad.spn-on-privileged-user", da["dn"])]
        asrep = pick(users, 0.61)
        asrep["uac"] = 512 | 0x400000
        planted.append(("ad.asrep-roastable", asrep["dn"]))
        hist = pick(users, 0.83)
        hist["sidhistory"] = True
        planted.append(("ad.sid-history", hist["dn"]))
        unc = pick(computers, 0.29)
        unc["uac"] = 4096 | 0x80000
        planted.append(("ad.unconstrained-delegation", unc["dn"]))
        rbcd = pick(computers, 0.71)
        rbcd["rbcd"] = True
        planted.append(("ad.rbcd", rbcd["dn"]))
        sync = pick(users, 0.93)
        head_extra_aces = [ace_object(ADS_CONTROL_ACCESS, f"{domain_sid}-{sync['rid']}", 0, GET_CHANGES),
                           ace_object(ADS_CONTROL_ACCESS, f"{domain_sid}-{sync['rid']}", 0, GET_CHANGES_ALL)]
        planted.append(("ad.dcsync-rights", base))

    principals = [o for o in objects if o["cls"] != "organizationalUnit"]

    # --- descriptors -----------------------------------------------------------------------------
    def ou_delegation(k, flags):
        admins = f"{domain_sid}-{ou_admin_rid[k]}"
        return [ace_object(ADS_CONTROL_ACCESS, admins, flags, RESET_PASSWORD, CLASS_GUID["user"]),
                ace_object(ADS_WRITE_PROP, admins, flags, MEMBER_ATTR, CLASS_GUID["group"]),
                ace_object(GENERIC_ALL_DS, admins, flags, None, CLASS_GUID["computer"])]

    shared_cache = {}

    def shared_sd(o):
        key = (o["cls"], o["ou"])
        if key not in shared_cache:
            if o["cls"] == "organizationalUnit":
                shared_cache[key] = insert_aces(base_sd[o["cls"]], ou_delegation(o["ou"], CI | IO), "explicit_end")
            else:
                aces = ou_delegation(o["ou"], CI | ID)
                # Samba: ID|CI where the inherited-object-type is this object's class, else ID|CI|IO.
                aces = [a if i == {"user": 0, "group": 1, "computer": 2}[o["cls"]]
                        else a[:1] + bytes([CI | IO | ID]) + a[2:] for i, a in enumerate(aces)]
                shared_cache[key] = insert_aces(base_sd[o["cls"]], aces, "inherited_start")
        return shared_cache[key]

    def with_explicit(o, trustee):
        return insert_aces(shared_sd(o), [ace_allowed(GENERIC_WRITE_DS, f"{domain_sid}-{trustee['rid']}")],
                           "explicit_end")

    np_ = len(principals)
    for idx, o in enumerate(principals):
        o["idx"] = idx
    explicit_shared = [0]

    def descriptors(o):
        """-> (descriptor in OUT_SHARED, descriptor in OUT_UNIQUE)"""
        if o["cls"] == "gpo":
            return o["sd"], o["sd"]
        if o.get("plain"):
            return base_sd["organizationalUnit"], base_sd["organizationalUnit"]
        s = shared_sd(o)
        if o["cls"] == "organizationalUnit":
            return s, s
        u = with_explicit(o, principals[(o["idx"] + 1) % np_])  # a different principal for every object
        if rng.randrange(EXPLICIT_ONE_IN) == 0:
            explicit_shared[0] += 1
            return u, u
        return s, u

    # --- write ---------------------------------------------------------------------------------
    outs = [open(p, "w", encoding="utf-8", newline="\n") if p else None for p in out_paths]
    for f in outs:
        if f:
            f.write("\n".join(header) + "\n\n")
    written = [0]
    page_entries = [0]
    msgid = [2]
    per_file_bytes = [0, 0, 0]
    sd_bytes = [0, 0]

    def page_break(last):
        # ldapsearch -E pr=1000/noprompt: one result record and one trailer per page.
        for i, f in enumerate(outs):
            if not f:
                continue
            if last:
                for r in refs:
                    f.write("\n".join(r) + "\n\n")
            cookie = b"" if last else struct.pack("<II", msgid[0], written[0])
            # pagedResultsControl value: SEQUENCE { INTEGER size (0), OCTET STRING cookie }
            ctl = b64(bytes([0x30, 5 + len(cookie), 0x02, 0x01, 0x00, 0x04, len(cookie)]) + cookie)
            cookie = b64(cookie) if cookie else ""
            f.write(f"# search result\nsearch: {msgid[0]}\nresult: 0 Success\n"
                    f"control: 1.2.840.113556.1.4.319 false {ctl}\npagedresults: cookie={cookie}\n\n")
            nrefs = len(refs) if last else 0
            f.write(f"# numResponses: {page_entries[0] + nrefs + 1}\n# numEntries: {page_entries[0]}\n")
            if nrefs:
                f.write(f"# numReferences: {nrefs}\n")
            if not last:
                f.write("\n")
        msgid[0] += 1
        page_entries[0] = 0

    def emit(lines_by_variant):
        for i, f in enumerate(outs):
            if not f:
                continue
            s = "\n".join(lines_by_variant[i]) + "\n\n"
            f.write(s)
            per_file_bytes[i] += len(s)
        written[0] += 1
        page_entries[0] += 1
        if page_entries[0] == PAGE:
            page_break(False)

    fixture_value = {}  # attribute -> first raw line of it in the fixture (values to copy)
    for e in fentries:
        for l in e:
            a = attr_of(l)
            if a in ("msds-keycredentiallink", "msds-allowedtoactonbehalfofotheridentity"):
                fixture_value.setdefault(a, l)
            elif a == "sidhistory" and sid_string(value_of(l)) == f"{domain_sid}-512":  # Domain Admins
                fixture_value[a] = l
    if domain:
        for a in ("msds-keycredentiallink", "sidhistory", "msds-allowedtoactonbehalfofotheridentity"):
            if a not in fixture_value:
                raise SystemExit(f"fixture has no {a} value to copy")
        da_group = find_entry(fentries, f"CN=Domain Admins,CN=Users,{base}")
        for o in objects:
            if o.get("admin"):
                da_group.insert(next(i for i, l in enumerate(da_group) if attr_of(l) == "member"),
                                f"member: {o['dn']}")
        for i, l in enumerate(head):
            if attr_of(l) == "ntsecuritydescriptor":
                head[i] = f"nTSecurityDescriptor:: {b64(insert_aces(value_of(l), head_extra_aces, 'explicit_end'))}"

    distinct = [set(), set()]
    for e in fentries:
        nosd = [l for l in e if attr_of(l) != "ntsecuritydescriptor"]
        for l in e:
            if attr_of(l) == "ntsecuritydescriptor":
                v = value_of(l)
                distinct[0].add(v)
                distinct[1].add(v)
                sd_bytes[0] += len(l) + 1
                sd_bytes[1] += len(l) + 1
        emit([e, e, nosd])

    usn = [100000]
    t0 = 1420070400  # 2015-01-01

    def gtime(ts):
        return time.strftime("%Y%m%d%H%M%S.0Z", time.gmtime(ts))

    def filetime(ts):
        return (ts + 11644473600) * 10_000_000

    def parent_comment(dn):
        rdns = [p.split("=", 1)[1] for p in dn.split(",") if not p.startswith("DC=")]
        return "# " + ", ".join(rdns + [dns])

    # OU=Bench itself (the OU descriptor without delegation)
    objects.insert(0, dict(cls="organizationalUnit", dn=top, cn="Bench", ou=None, plain=True))

    # Group policy objects (shape "domain"): copies of the Default Domain Policy and its two children.
    ddp = "{31B2F340-016D-11D2-945F-00C04FB984F9}"
    gpo_tmpl = {part: find_entry(fentries, f"{part}CN={ddp},CN=Policies,CN=System,{base}")
                for part in ("", "CN=User,", "CN=Machine,")}
    gpo_guids = [str(uuid.UUID(int=drng.getrandbits(128), version=4)).upper() for _ in range(n_gpos)]

    def gpo_lines(o, guid, usn_now, created):
        out = []
        for l in gpo_tmpl[o["part"]]:
            a = attr_of(l)
            if a in ("iscriticalsystemobject", "systemflags", "ntsecuritydescriptor"):
                continue
            if a == "objectguid":
                l = f"objectGUID:: {b64(guid)}"
            elif a in ("usncreated", "usnchanged"):
                l = f"{l.split(':', 1)[0]}: {usn_now}"
            elif a in ("whencreated", "whenchanged"):
                l = f"{l.split(':', 1)[0]}: {gtime(created)}"
            elif a == "displayname":
                l = f"displayName: Bench GPO {o['k']:04d}"
            elif l.startswith("#") or not l.partition(":")[2].startswith(":"):  # text lines: the new GUID everywhere
                l = l.replace(ddp, "{" + o["guid"] + "}")
            out.append(l)
        return out

    gpo_sd = {}
    for part, e in gpo_tmpl.items():
        gpo_sd[part] = value_of(next(l for l in e if attr_of(l) == "ntsecuritydescriptor"))
        walk_dacl(gpo_sd[part])
    for k, g in enumerate(gpo_guids):
        for j, part in enumerate(("", "CN=User,", "CN=Machine,")):
            objects.insert(1 + 3 * k + j,
                           dict(cls="gpo", part=part, k=k, guid=g, sd=gpo_sd[part],
                                dn=f"{part}CN={{{g}}},CN=Policies,CN=System,{base}"))
    for o in objects:
        cls = o["cls"]
        usn[0] += 1
        created = t0 + rng.randrange(11 * 365 * 86400)
        guid = bytes(rng.getrandbits(8) for _ in range(16))
        if cls == "organizationalUnit":
            lines = [parent_comment(o["dn"]), f"dn: {o['dn']}", "objectClass: top", "objectClass: organizationalUnit",
                     f"ou: {o['cn']}", "instanceType: 4", f"uSNCreated: {usn[0]}", f"name: {o['cn']}",
                     f"objectGUID:: {b64(guid)}",
                     f"objectCategory: CN=Organizational-Unit,CN=Schema,CN=Configuration,{base}",
                     f"whenCreated: {gtime(created)}", repl[cls], f"whenChanged: {gtime(created)}",
                     f"uSNChanged: {usn[0]}", f"distinguishedName: {o['dn']}"]
            if domain and o["ou"] is not None:
                links = drng.sample(gpo_guids, min(len(gpo_guids), 1 + drng.randrange(2)))
                lines.append("gPLink: " + "".join(f"[LDAP://CN={{{g}}},CN=Policies,CN=System,{base};0]"
                                                  for g in links))
        elif cls == "gpo":
            lines = gpo_lines(o, guid, usn[0], created)
        else:
            sid = b64(sid_bytes(f"{domain_sid}-{o['rid']}"))
            lines = [parent_comment(o["dn"]), f"dn: {o['dn']}"]
            if cls == "user":
                lines += ["objectClass: top", "objectClass: person", "objectClass: organizationalPerson",
                          "objectClass: user", f"cn: {o['cn']}", "instanceType: 4", f"uSNCreated: {usn[0]}",
                          f"name: {o['cn']}", f"objectGUID:: {b64(guid)}", f"userAccountControl: {o.get('uac', 512)}",
                          "badPwdCount: 0", "codePage: 0", "countryCode: 0", "badPasswordTime: 0", "lastLogoff: 0",
                          "lastLogon: 0", "primaryGroupID: 513", f"objectSid:: {sid}",
                          "accountExpires: 9223372036854775807", "logonCount: 0", f"sAMAccountName: {o['sam']}",
                          "sAMAccountType: 805306368", f"userPrincipalName: {o['sam']}@{dns}",
                          f"objectCategory: CN=Person,CN=Schema,CN=Configuration,{base}"]
                lines += [f"memberOf: {g}" for g in member_of.get(o["dn"], [])]
                lines += [f"pwdLastSet: {filetime(created + rng.randrange(300 * 86400))}"]
                if o.get("admin"):
                    lines.append("adminCount: 1")
                if o.get("spn"):
                    lines.append(f"servicePrincipalName: {o['spn']}")
                if o.get("keycred"):
                    kcl = fixture_value["msds-keycredentiallink"].split(": ", 1)[1]
                    lines.append("msDS-KeyCredentialLink: " + kcl.rsplit(":", 1)[0] + ":" + o["dn"])
                if o.get("sidhistory"):
                    lines.append(fixture_value["sidhistory"])
            elif cls == "computer":
                host = o["cn"].lower()
                lines += ["objectClass: top", "objectClass: person", "objectClass: organizationalPerson",
                          "objectClass: user", "objectClass: computer", f"cn: {o['cn']}", "instanceType: 4",
                          f"uSNCreated: {usn[0]}", f"name: {o['cn']}", f"objectGUID:: {b64(guid)}",
                          f"userAccountControl: {o.get('uac', 4096)}", "badPwdCount: 0", "codePage: 0",
                          "countryCode: 0",
                          "badPasswordTime: 0", "lastLogoff: 0", "lastLogon: 0",
                          f"pwdLastSet: {filetime(created + rng.randrange(300 * 86400))}", "primaryGroupID: 515",
                          f"objectSid:: {sid}", "accountExpires: 9223372036854775807", "logonCount: 0",
                          f"sAMAccountName: {o['sam']}", "sAMAccountType: 805306369",
                          f"dNSHostName: {host}.{dns}", f"servicePrincipalName: HOST/{o['cn']}",
                          f"servicePrincipalName: HOST/{host}.{dns}",
                          f"servicePrincipalName: RestrictedKrbHost/{o['cn']}",
                          f"servicePrincipalName: RestrictedKrbHost/{host}.{dns}",
                          f"objectCategory: CN=Computer,CN=Schema,CN=Configuration,{base}",
                          "isCriticalSystemObject: FALSE"]
                if o.get("rbcd"):
                    lines.append(fixture_value["msds-allowedtoactonbehalfofotheridentity"])
            else:
                lines += ["objectClass: top", "objectClass: group", f"cn: {o['cn']}", "instanceType: 4",
                          f"uSNCreated: {usn[0]}", f"name: {o['cn']}", f"objectGUID:: {b64(guid)}",
                          f"objectSid:: {sid}", f"sAMAccountName: {o['sam']}", "sAMAccountType: 268435456",
                          "groupType: -2147483646", f"objectCategory: CN=Group,CN=Schema,CN=Configuration,{base}"]
                lines += [f"member: {u['dn']}" for u in o.get("members", [])]
                if domain:
                    lines += [f"memberOf: {g}" for g in member_of.get(o["dn"], [])]
            lines += [f"whenCreated: {gtime(created)}", repl[cls], f"whenChanged: {gtime(created)}",
                      f"uSNChanged: {usn[0]}", f"distinguishedName: {o['dn']}"]
        s_sd, u_sd = descriptors(o)
        distinct[0].add(s_sd)
        distinct[1].add(u_sd)
        ls, lu = f"nTSecurityDescriptor:: {b64(s_sd)}", f"nTSecurityDescriptor:: {b64(u_sd)}"
        sd_bytes[0] += len(ls) + 1
        sd_bytes[1] += len(lu) + 1
        emit([lines + [ls], lines + [lu], lines])
    page_break(True)
    for f in outs:
        if f:
            f.close()
    if args.planted:
        with open(args.planted, "w", encoding="utf-8") as f:
            for check, dn in planted:
                f.write(f"{check}\t{dn}\n")

    synthetic = len(objects)
    counts = collections.Counter(o["cls"] for o in objects)
    with open(stats_path, "w", encoding="utf-8") as f:
        kv = {
            "fixture": fixture,
            "fixture_sha256": hashlib.sha256(open(fixture, "rb").read()).hexdigest(),
            "fixture_entries": len(fentries),
            "fixture_distinct_sds": len(fixture_sds),
            "synthetic_objects": synthetic,
            "synthetic_by_class": " ".join(f"{k}={counts[k]}" for k in ("user", "computer", "group", "organizationalUnit")
                                           + (("gpo",) if domain else ())),
            "sub_ous": n_ous,
            "entries": written[0],
            "pages": msgid[0] - 2,
            "distinct_sds_shared": len(distinct[0]),
            "distinct_sds_unique": len(distinct[1]),
            "explicit_ace_objects_shared": explicit_shared[0],
            "shape": args.shape,
            "bytes_shared": per_file_bytes[0],
            "bytes_unique": per_file_bytes[1],
            "bytes_nosd": per_file_bytes[2],
            "sd_line_bytes_shared": sd_bytes[0],
            "sd_line_bytes_unique": sd_bytes[1],
            "base_sd_bytes": " ".join(f"{k}={len(v)}" for k, v in base_sd.items()),
        }
        if domain:  # one output: the sd shape's variants do not exist
            for k in ("distinct_sds_unique", "bytes_unique", "bytes_nosd", "sd_line_bytes_unique"):
                del kv[k]
            kv["gpos"] = n_gpos
            kv["planted_pairs"] = len(planted)
        for k, v in kv.items():
            f.write(f"{k}\t{v}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
