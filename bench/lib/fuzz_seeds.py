#!/usr/bin/python3
"""Seed corpora for the libFuzzer targets (tests/fuzz/*_fuzz.cpp), used by bench/fuzz.sh.

    fuzz_seeds.py ROOT OUTDIR

Writes OUTDIR/<target>/<sha1> files (raw bytes, one input each) from the repository's read-only fixtures:
the on-prem conformance vectors (hex, base64 and JSON files decoded to bytes; the SDDL/binary pairs, bulk
corpus included), the lab export's nTSecurityDescriptor, replPropertyMetaData, msDS-KeyCredentialLink and
other binary values (fixtures/lab/*.ldif), whole LDIF records, and fixtures/certs/*.der. A few hand-written
inputs cover formats the vectors lack (msDS-ReplValueMetaData, SID and time strings). Prints one line per
target with the number of seeds.
"""

import base64
import glob
import gzip
import hashlib
import json
import os
import sys

LAB_BINARY = {
    "ntsecuritydescriptor": "security_descriptor",
    "msds-allowedtoactonbehalfofotheridentity": "security_descriptor",
    "msds-groupmsamembership": "security_descriptor",
    "replpropertymetadata": "repl_property_metadata",
    "objectsid": "sid",
    "sidhistory": "sid",
    "objectguid": "guid",
    "cacertificate": "x509",
    "usercertificate": "x509",
}
LAB_TEXT = {
    "whencreated": "ad_time",
    "whenchanged": "ad_time",
    "pwdlastset": "ad_time",
    "lastlogontimestamp": "ad_time",
    "msds-keycredentiallink": "dn_with_binary",
}
MAX_PER_ATTR = 400  # distinct lab values per attribute (they repeat across objects)
LDIF_CHUNK = 12000  # bytes of consecutive LDIF records per seed

VALUE_XML = (
    "<DS_REPL_VALUE_META_DATA>\n\t<pszAttributeName>member</pszAttributeName>\n"
    "\t<pszObjectDn>CN=Eve,CN=Users,DC=corp,DC=example</pszObjectDn>\n\t<cbData>0</cbData>\n\t<pbData></pbData>\n"
    "\t<ftimeDeleted>1601-01-01T00:00:00Z</ftimeDeleted>\n\t<ftimeCreated>2024-03-01T10:00:00Z</ftimeCreated>\n"
    "\t<dwVersion>1</dwVersion>\n\t<ftimeLastOriginatingChange>2024-03-01T10:00:00Z</ftimeLastOriginatingChange>\n"
    "\t<uuidLastOriginatingDsaInvocationID>8d2a1f5c-58d4-4efa-bcd2-f7d85ef53013</uuidLastOriginatingDsaInvocationID>\n"
    "\t<usnOriginatingChange>12776</usnOriginatingChange>\n\t<usnLocalChange>12776</usnLocalChange>\n"
    "\t<pszLastOriginatingDsaDN>CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,"
    "CN=Configuration,DC=corp,DC=example</pszLastOriginatingDsaDN>\n</DS_REPL_VALUE_META_DATA>\n\0"
)
HAND = {
    "sid": ["S-1-5-21-2457507606-2709100691-398136650-512", "S-1-1-0", "S-1-5-32-544", "S-1-0x0000FFFFFFFF-1",
            "S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14"],
    "guid": ["1131f6ad-9c07-11d1-f79f-00c04fc2dcd2", "{BF967ABA-0DE6-11D0-A285-00AA003049E2}"],
    "ad_time": ["20240301100000.0Z", "20240301100000Z", "20240301100000.123456+0000", "133541256000000000",
                "9223372036854775807", "0", "2026-11-28T12:00:00Z", "2026-11-28T12:00:00.5+05:30", "30d", "12h",
                "2w", "90m", "45s", "7"],
    "repl_metadata_xml": [VALUE_XML, VALUE_XML.replace("1601-01-01T00:00:00Z", "2024-04-01T09:00:00Z")
                          .replace("<dwVersion>1<", "<dwVersion>2<").replace("Eve", "E&amp;ve &#x263A;")],
    "sddl": ["O:BAG:SYD:PAI(A;;GA;;;SY)(OA;CIIO;RP;4c164200-20c0-11d0-a768-00aa006e0529;"
             "bf967aba-0de6-11d0-a285-00aa003049e2;RU)S:AI(OU;CISA;WP;;;WD)", "D:NO_ACCESS_CONTROL",
             "O:S-1-0x0000FFFFFFFF-7G:DAD:(D;;0x30;;;S-1-5-21-1-2-3-1105)(ML;;NWNR;;;LW)"],
    "ldif": ["version: 1\n\ndn:: Q049Wm/DqyxEQz14\nchangetype: add\nobjectClass: user\n\n",
             "dn: CN=x,DC=corp,DC=example\nmember;range=0-1: CN=a\nmember;range=2-*: CN=b\n description\n\n"
             "# numEntries: 1\n"],
}


class Seeds:
    def __init__(self, out):
        self.out = out
        self.count = {}

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode()
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, hashlib.sha1(data).hexdigest())
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.count[target] = self.count.get(target, 0) + 1


def read(path):
    with open(path, "rb") as f:
        return f.read()


def vectors(root, s):
    v = os.path.join(root, "fixtures", "vectors", "onprem")
    for path in glob.glob(os.path.join(v, "sid", "*.hex")):
        s.add("sid", bytes.fromhex(read(path).decode().strip()))
    for path in glob.glob(os.path.join(v, "keycredentiallink", "*.hex")):
        blob = bytes.fromhex(read(path).decode().strip())
        s.add("key_credential", blob)
        s.add("dn_with_binary", b"B:%d:%s:CN=x,DC=corp,DC=example" % (len(blob) * 2, blob.hex().upper().encode()))
    for path in glob.glob(os.path.join(v, "keycredentiallink", "*.txt")):
        s.add("dn_with_binary", read(path).strip())
    for path in glob.glob(os.path.join(v, "security-descriptors", "*.b64")):
        s.add("security_descriptor", base64.b64decode(read(path)))
    for path in glob.glob(os.path.join(v, "security-descriptors", "*.hex")):
        s.add("security_descriptor", bytes.fromhex(read(path).decode().strip()))
    for path in glob.glob(os.path.join(v, "security-descriptors", "*.txt")):
        s.add("sddl", read(path).strip())
    for path in glob.glob(os.path.join(v, "sddl-windows-pairs", "samba_win_*.json")):
        pair = json.loads(read(path))
        s.add("sddl", pair["sddl_input"])
        s.add("security_descriptor", bytes.fromhex(pair["windows_binary_hex"]))
    with gzip.open(os.path.join(v, "sddl-windows-pairs", "BULK_short-ordinary-acls.json.gz")) as f:
        for sddl, binary in json.load(f).items():
            s.add("sddl", sddl)
            s.add("security_descriptor", bytes(binary))
    for path in glob.glob(os.path.join(v, "replication-metadata", "*.b64")):
        s.add("repl_metadata_xml", base64.b64decode(read(path)))
    for path in glob.glob(os.path.join(v, "**", "*.expected.json"), recursive=True):
        text = read(path).decode()
        for token in ("ftimeLastOriginatingChange",):
            if token in text:
                for value in json.loads(text).get("expected_fields", {}).values():
                    if isinstance(value, str) and value.endswith("Z"):
                        s.add("ad_time", value)


def lab(root, s):
    per_attr = {}
    for path in sorted(glob.glob(os.path.join(root, "fixtures", "lab", "*.ldif"))):
        text = read(path).decode()
        # Records (ldif-wrap=no exports have no folded lines, but unfold anyway).
        records = [r for r in text.replace("\n ", "").split("\n\n") if r.strip()]
        for line in text.replace("\n ", "").splitlines():
            if ":" not in line or line.startswith("#"):
                continue
            attr, _, value = line.partition(":")
            name = attr.split(";")[0].lower()
            if value.startswith(":"):
                raw = base64.b64decode(value[1:].strip())
            else:
                raw = value.strip().encode()
            target = LAB_BINARY.get(name) or LAB_TEXT.get(name)
            if not target:
                continue
            seen = per_attr.setdefault(name, set())
            if raw in seen or len(seen) >= MAX_PER_ATTR:
                continue
            seen.add(raw)
            s.add(target, raw)
            if name == "msds-keycredentiallink":
                hexpart = raw.split(b":")[2]
                s.add("key_credential", bytes.fromhex(hexpart.decode()))
            if name == "objectguid":
                g = raw  # Data1..3 little-endian (MS-DTYP 2.3.4.2)
                text = "%08x-%04x-%04x-%s-%s" % (int.from_bytes(g[0:4], "little"), int.from_bytes(g[4:6], "little"),
                                                 int.from_bytes(g[6:8], "little"), g[8:10].hex(), g[10:].hex())
                s.add("guid", text)
        # LDIF seeds: the header comment block with the first record, every record alone, and runs of
        # consecutive records up to LDIF_CHUNK bytes (the last one carries the result trailer).
        chunk = ""
        for r in records:
            s.add("ldif", r + "\n")
            if chunk and len(chunk) + len(r) > LDIF_CHUNK:
                s.add("ldif", chunk)
                chunk = ""
            chunk += r + "\n\n"
        if chunk:
            s.add("ldif", chunk)
        s.add("ldif", "\n\n".join(records[:2]) + "\n\n" + "\n\n".join(records[-3:]) + "\n")


def main():
    root, out = sys.argv[1], sys.argv[2]
    s = Seeds(out)
    vectors(root, s)
    lab(root, s)
    for path in glob.glob(os.path.join(root, "fixtures", "certs", "*.der")):
        s.add("x509", read(path))
    for target, items in HAND.items():
        for item in items:
            s.add(target, item)
    for target in sorted(s.count):
        print(f"{target}\t{s.count[target]}")


if __name__ == "__main__":
    main()
