#!/usr/bin/env bash
# The lab's HTML report in a real browser: Debian's headless Chromium, without network (unshare --net),
# renders it to PNG and dumps the DOM. The page must show every finding id and the severity counts of the
# JSON report of the same run, and Chromium must log no console message (a CSP violation or a script
# error would be one). A probe page that breaks the same CSP proves the log would show a violation.
set -euo pipefail
bin="$1"
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
  echo "SKIP: $chromium not installed (apt-get install chromium)"
  exit 77
fi
dir=$(mktemp -d)
trap '[ -n "${KEEP_PNG:-}" ] && cp "$dir/lab.png" "$KEEP_PNG"; rm -rf "$dir"' EXIT

"$bin" scan --ldif fixtures/lab/domain.ldif --ldif fixtures/lab/configuration.ldif --now 2026-12-01T00:00:00Z -q \
  --output "json=$dir/lab.json" --output "html=$dir/lab.html" || [ $? -eq 1 ]

# No network for the browser: as root a new network namespace; otherwise one inside a user namespace.
if unshare --net true 2>/dev/null; then
  isolate=(unshare --net)
elif unshare --user --map-root-user --net true 2>/dev/null; then
  isolate=(unshare --user --map-root-user --net)
else
  echo "cannot create a network namespace (unshare --net) to run chromium offline"
  exit 1
fi

# browse NAME URL EXTRA...: DOM on NAME.dom, log on NAME.log (a fresh profile each time).
browse() {
  local name="$1" url="$2"; shift 2
  timeout 60 "${isolate[@]}" "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-extensions --disable-background-networking --user-data-dir="$dir/profile-$name" \
    --enable-logging=stderr --v=0 "$@" --dump-dom "$url" >"$dir/$name.dom" 2>"$dir/$name.log" || {
    echo "chromium failed on $name (exit $?)"; tail -20 "$dir/$name.log"; exit 1
  }
}

cat >"$dir/probe.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
</head><body><p>probe</p><img src="http://192.0.2.1/x.png" alt=""></body></html>
EOF
browse probe "file://$dir/probe.html"
grep -q 'CONSOLE.*Content Security Policy' "$dir/probe.log" || {
  echo "chromium logged no CSP violation for the probe page: the log check below would be blind"
  cat "$dir/probe.log"; exit 1
}

browse lab "file://$dir/lab.html" --screenshot="$dir/lab.png" --window-size=1280,2400 --hide-scrollbars
# Chromium's own pages (source chrome://...) may log; anything else is about the report.
if grep -E 'CONSOLE|Refused|Content Security Policy|Uncaught' "$dir/lab.log" | grep -v 'source: chrome://'; then
  echo "chromium logged the messages above while rendering the report"; exit 1
fi

/usr/bin/python3 - "$dir/lab.json" "$dir/lab.dom" "$dir/lab.png" <<'PY'
import html.parser, json, os, struct, sys, zlib

doc = json.load(open(sys.argv[1]))
dom = open(sys.argv[2], encoding="utf-8").read()
png = open(sys.argv[3], "rb").read()


class Ids(html.parser.HTMLParser):
    """Text by element id, and the text of the whole page, from the DOM Chromium built."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.text = [], {}, []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "meta", "img", "input", "hr", "link"):
            self.stack.append(dict(attrs).get("id"))

    def handle_endtag(self, tag):
        if tag not in ("br", "meta", "img", "input", "hr", "link") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        for i in self.stack:
            if i:
                self.ids[i] = self.ids.get(i, "") + data


p = Ids()
p.feed(dom)
text = "".join(p.text)
assert doc["findings"], "the lab has findings"
missing = [f["finding_id"] for f in doc["findings"] if f["finding_id"] not in text]
assert not missing, f"finding ids not in the rendered page: {missing}"
for sev, n in doc["summary"]["by_severity"].items():
    got = p.ids.get("count-" + sev, "").strip()
    assert got == str(n), f"severity {sev}: page shows {got!r}, report has {n}"
assert p.ids.get("count-total", "").strip() == str(doc["summary"]["findings"])

# The screenshot: a PNG of the requested size that is not blank (decoded here, filters and all).
assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, chunks = 8, {}
idat = b""
while pos < len(png):
    length, kind = struct.unpack(">I4s", png[pos:pos + 8])
    data = png[pos + 8:pos + 8 + length]
    if kind == b"IDAT":
        idat += data
    else:
        chunks.setdefault(kind, data)
    pos += 12 + length
width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
assert (width, height) == (1280, 2400), (width, height)
assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
bpp = 3 if colour == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
colours, non_white = set(), 0
for y in range(400):  # the top of the page (header, result, scope, coverage) is enough, and fast to decode
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 0xFF
        elif f == 2: line[x] = (line[x] + b) & 0xFF
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 0xFF
        elif f == 4:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    if y % 4 == 0:
        for x in range(0, stride, bpp * 4):
            px = bytes(line[x:x + 3])
            colours.add(px)
            non_white += px != b"\xff\xff\xff"
    prev = line
assert len(png) > 20000, f"screenshot only {len(png)} bytes"
assert len(colours) > 20 and non_white > 1000, f"the screenshot looks blank ({len(colours)} colours, {non_white} inked samples)"
print(f"rendered {width}x{height}, {len(png)} bytes, {len(colours)} colours; {len(doc['findings'])} findings on the page")
PY
