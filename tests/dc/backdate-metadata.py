#!/usr/bin/python3
"""Backdate the replication metadata of a freshly planted lab DC so it reads like a mature domain.

    backdate-metadata.py IN.ldif BASE_TIME RECENT_FILE > OUT.ldif

IN.ldif is `ldbsearch` output of both naming contexts with dn, replPropertyMetaData, pwdLastSet,
whenCreated and uSNChanged. Every originating-change time in replPropertyMetaData (binary PROPERTY_META_DATA_VECTOR,
MS-DRSR 5.162; onprem-formats.md 6b) is rewritten:
  - shifted as a whole so the first change of the domain lands at BASE_TIME (YYYYmmddHHMMSS, UTC), keeping
    the order and spacing of changes (provisioning and planting took minutes);
  - objects whose whenCreated is not BASE_TIME's day (the lab's "new" account) are shifted to their own
    whenCreated instead;
  - password attributes (unicodePwd, ntPwdHistory, lmPwdHistory, dBCSPwd, supplementalCredentials,
    pwdLastSet) take the account's pwdLastSet, so the key's metadata agrees with it;
  - RECENT_FILE lines "DN|attribute|YYYYmmddHHMMSS" pin one attribute of one object (the attacker's
    changes) and bump its version by one, as a later write would.
Writes an LDIF of replace operations for `ldbmodify --controls=local_oid:1.3.6.1.4.1.7165.4.3.14:0`
(DSDB_CONTROL_CHANGEREPLMETADATA_OID: Samba takes the given metadata as is, but requires its highest local
USN to be above the object's uSNChanged, as for a new write: the entries holding the object's highest local
USN get a fresh one above every uSNChanged in IN.ldif, one per object). Versions, invocation ids and other
USNs are kept. Only the lab uses this; it runs on the DC's own files with the DC stopped.
"""
import base64
import calendar
import struct
import sys
import time

# ATTRTYP (prefix index << 16 | last arc) of the attributes RECENT_FILE may name and the password ones.
ATTRTYP = {
    "member": 0x0001F,
    "ntsecuritydescriptor": 0x20119,
    "useraccountcontrol": 0x90008,
    "dbcspwd": 0x90037,
    "unicodepwd": 0x9005A,
    "ntpwdhistory": 0x9005E,
    "pwdlastset": 0x90060,
    "supplementalcredentials": 0x9007D,
    "lmpwdhistory": 0x900A0,
    "sidhistory": 0x90261,
    "serviceprincipalname": 0x90303,
    "altsecurityidentities": 0x90363,
    "msds-allowedtodelegateto": 0x906FB,
    "msds-allowedtoactonbehalfofotheridentity": 0x90886,
    "msds-keycredentiallink": 0x90918,
}
PASSWORD_ATTRS = {ATTRTYP[a] for a in ("dbcspwd", "unicodepwd", "ntpwdhistory", "pwdlastset",
                                        "supplementalcredentials", "lmpwdhistory")}
EPOCH_1601 = 11644473600  # seconds between 1601-01-01 and 1970-01-01


def secs_1601(stamp):
    return calendar.timegm(time.strptime(stamp[:14], "%Y%m%d%H%M%S")) + EPOCH_1601


def records(path):
    """LDIF records as dicts of lower-case attribute -> list of values (bytes for ::, str otherwise)."""
    lines = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if raw.startswith(" ") and lines:
                lines[-1] += raw[1:]
            else:
                lines.append(raw)
    rec = {}
    for line in lines + [""]:
        if not line:
            if "dn" in rec:
                yield rec
            rec = {}
            continue
        if line.startswith("#") or ":" not in line:
            continue
        name, _, value = line.partition(":")
        if value.startswith(":"):
            value = base64.b64decode(value[1:].strip())
            if name.lower() == "dn":
                value = value.decode("utf-8")
        else:
            value = value.strip()
        rec.setdefault(name.lower(), []).append(value)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: backdate-metadata.py IN.ldif BASE_TIME RECENT_FILE")
    base = secs_1601(sys.argv[2])
    pinned = {}
    with open(sys.argv[3], encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            dn, attr, stamp = line.split("|")
            if attr.lower() not in ATTRTYP:
                sys.exit(f"backdate-metadata.py: unknown attribute {attr} in {sys.argv[3]}")
            pinned[(dn.lower(), ATTRTYP[attr.lower()])] = secs_1601(stamp)

    recs = [r for r in records(sys.argv[1]) if "replpropertymetadata" in r]
    vectors = {}
    first = None
    for r in recs:
        blob = r["replpropertymetadata"][0]
        version, _, count, _ = struct.unpack_from("<IIII", blob, 0)
        if version != 1 or len(blob) != 16 + 48 * count:
            sys.exit(f"backdate-metadata.py: {r['dn'][0]}: unexpected replPropertyMetaData layout")
        entries = [list(struct.unpack_from("<IIQ16sqq", blob, 16 + 48 * i)) for i in range(count)]
        vectors[r["dn"][0]] = entries
        for e in entries:
            first = e[2] if first is None else min(first, e[2])
    if first is None:
        sys.exit("backdate-metadata.py: no replPropertyMetaData in the input")

    next_usn = max(int(r["usnchanged"][0]) for r in recs if "usnchanged" in r) + 1
    seen = set()
    out = sys.stdout
    for r in recs:
        dn = r["dn"][0]
        entries = vectors[dn]
        own_first = min(e[2] for e in entries)
        created = secs_1601(r["whencreated"][0]) if "whencreated" in r else base
        pwd = int(r["pwdlastset"][0]) // 10_000_000 if "pwdlastset" in r else 0
        for e in entries:
            attrtyp, orig = e[0], e[2]
            if created // 86400 != base // 86400:
                e[2] = created + (orig - own_first)  # created later than the rest of the lab
            else:
                e[2] = base + (orig - first)
            if attrtyp in PASSWORD_ATTRS and pwd > 0:
                e[2] = pwd
            key = (dn.lower(), attrtyp)
            if key in pinned:
                e[2] = pinned[key]
                e[1] += 1
                seen.add(key)
        top = max(e[5] for e in entries)
        for e in entries:
            if e[5] == top:
                e[5] = next_usn
        next_usn += 1
        blob = struct.pack("<IIII", 1, 0, len(entries), 0) + b"".join(
            struct.pack("<IIQ16sqq", *e) for e in entries)
        out.write(f"dn: {dn}\nchangetype: modify\nreplace: replPropertyMetaData\n"
                  f"replPropertyMetaData:: {base64.b64encode(blob).decode()}\n-\n\n")
    missing = set(pinned) - seen
    if missing:
        sys.exit("backdate-metadata.py: no metadata for " +
                 ", ".join(f"{dn} {hex(a)}" for dn, a in sorted(missing)))


if __name__ == "__main__":
    main()
