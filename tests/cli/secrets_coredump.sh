#!/usr/bin/env bash
# Core dumps are off while secrets are in memory (issue 8): RLIMIT_CORE 0 and PR_SET_DUMPABLE 0, read back from
# OUTSIDE the process, at the moment a secret sits in its memory.
#
# How the moment is found: the secret comes through a FIFO (stdin or a file path) that this test holds open
# read-write, so the scanner never sees end-of-file. The test writes HALF of the secret (no newline) and waits
# until FIONREAD on the FIFO says 0 bytes are left: the scanner has read(2) them into its own buffers and now
# blocks for the rest. That is the earliest point a secret is in its memory; a crash there must dump nothing.
# (For the HEC token the whole token comes from a file and the scanner is then held on an LDIF FIFO: the point
# after a secret was read and wiped, which must not turn dumps back on.)
#
# How the state is read back without gdb or ptrace:
#   * RLIMIT_CORE: /proc/PID/limits, "Max core file size" must be 0 (soft) and 0 (hard). The test starts the
#     scanner with both limits at "unlimited" first, so a 0 can only come from the scanner.
#   * PR_SET_DUMPABLE: the kernel makes the files under /proc/PID of a non-dumpable process owned by root (proc(5),
#     "/proc/pid"; task_dump_owner(), which leaves the world-readable /proc/PID directory itself to the process'
#     euid: so the test stats /proc/PID/mem), and refuses /proc/PID/environ to an unprivileged reader of the same
#     uid (ptrace_may_access() requires a dumpable target). Both only show for a scanner that does NOT run as root,
#     so as root the test runs it as nobody (setpriv --reuid nobody); as another user it runs it as that user.
#     /proc/PID/status' Uid line confirms the uid it runs as.
#   * A control scan with no secret (blocked on an LDIF FIFO) must show the opposite on all three readings:
#     /proc/PID/mem owned by its own uid, environ readable, core limit unlimited. So the readings do tell the states
#     apart, and the test cannot pass because of how the machine is set up.
# Cases: LDAP password half-read from stdin and from --password-file FIFO, Graph client secret half-read from
# stdin, Graph private key (PEM) half-read from --client-key FIFO, a Kerberos keytab half-read from --keytab
# FIFO, and a HEC token read whole from a file before the scan reads its LDIF. Usage: secrets_coredump.sh ADPERSIST
set -uo pipefail
bin=$(readlink -f "$1")
exec /usr/bin/python3 - "$bin" <<'PY'
import fcntl, os, pwd, shutil, signal, struct, subprocess, sys, tempfile, termios, time, uuid

binary = sys.argv[1]
as_root = os.geteuid() == 0
if as_root:
    nobody = pwd.getpwnam("nobody")
    run_uid = nobody.pw_uid
    drop = ["setpriv", "--reuid=%d" % nobody.pw_uid, "--regid=%d" % nobody.pw_gid, "--clear-groups", "--"]
    if not shutil.which("setpriv"):
        print("SKIP: setpriv (util-linux) is missing: cannot run the scanner as an unprivileged user")
        sys.exit(77)
    if subprocess.run(drop + ["test", "-x", binary]).returncode != 0:
        print("SKIP: nobody cannot execute %s (a parent directory is not searchable)" % binary)
        sys.exit(77)
else:
    run_uid, drop = os.geteuid(), []

work = tempfile.mkdtemp(prefix="adp-coredump-")
os.chmod(work, 0o755)
procs = []


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()
    shutil.rmtree(work, ignore_errors=True)


def fifo(name):
    path = os.path.join(work, name)
    os.mkfifo(path, 0o644)
    # Read-write: opening never blocks, and the scanner never sees end-of-file while the test holds it.
    return path, os.open(path, os.O_RDWR)


def unread(fd):
    buf = fcntl.ioctl(fd, termios.FIONREAD, struct.pack("i", 0))
    return struct.unpack("i", buf)[0]


def unlimited_core():
    # The scanner inherits unlimited limits: a 0 it shows later is its own doing.
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def start(args, stdin=subprocess.DEVNULL, env=None):
    e = {"PATH": "/usr/bin:/bin", "LANG": "C", "KRB5_CONFIG": "/dev/null", "ADP_MARKER": "environ-readable"}
    # An ASan build (scripts/test's sanitizer stage) lowers the soft core limit to 0 itself at start-up
    # (disable_coredump=1 is its default on 64-bit), which would hide whether the scanner did: turn that off.
    e["ASAN_OPTIONS"] = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS", ""), "disable_coredump=0"]))
    for k in ("UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            e[k] = os.environ[k]
    e.update(env or {})
    p = subprocess.Popen(drop + [binary] + args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=e, preexec_fn=unlimited_core, cwd=work)
    procs.append(p)
    return p


def wait_consumed(p, fd, what):
    """Until the scanner (not setpriv before its exec) has read every byte written to the FIFO `fd`."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if p.poll() is not None:
            out, err = p.communicate()
            fail("%s: the scanner exited (%d) instead of waiting for the rest: %s" % (what, p.returncode, err[-800:]))
        try:  # comm, not exe: /proc/PID/exe of a non-dumpable process is closed to its own uid
            comm = open("/proc/%d/comm" % p.pid).read().strip()
        except OSError:
            comm = ""
        if comm == os.path.basename(binary)[:15] and unread(fd) == 0:
            time.sleep(0.3)  # still blocked in read(2), not exiting
            if p.poll() is None:
                return
        time.sleep(0.05)
    fail("%s: the scanner did not read the FIFO within 15 s (%d bytes unread)" % (what, unread(fd)))


def core_limit(pid):
    for line in open("/proc/%d/limits" % pid):
        if line.startswith("Max core file size"):
            soft, hard = line[len("Max core file size"):].split()[:2]
            return soft, hard
    fail("no 'Max core file size' in /proc/%d/limits" % pid)


def proc_uid(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("Uid:"):
            return int(line.split()[1])
    fail("no Uid line")


def environ_readable(pid):
    r = subprocess.run(drop + ["cat", "/proc/%d/environ" % pid], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode == 0:
        if b"ADP_MARKER=environ-readable" not in r.stdout:
            fail("read /proc/%d/environ but it is not the scanner's" % pid)
        return True
    if b"Permission denied" not in r.stderr:
        fail("reading /proc/%d/environ failed oddly: %r" % (pid, r.stderr))
    return False


def readings(p):
    st = os.stat("/proc/%d/mem" % p.pid)
    return {"uid": proc_uid(p.pid), "proc_owner": st.st_uid, "core": core_limit(p.pid),
            "environ": environ_readable(p.pid)}


def expect_protected(name, p):
    r = readings(p)
    if r["uid"] != run_uid:
        fail("%s: the scanner runs as uid %d, want %d" % (name, r["uid"], run_uid))
    if r["core"] != ("0", "0"):
        fail("%s: Max core file size is %s/%s (soft/hard), want 0/0" % ((name,) + r["core"]))
    if r["proc_owner"] != 0:
        fail("%s: /proc/PID/mem is owned by uid %d: the process is dumpable (PR_SET_DUMPABLE not 0)"
             % (name, r["proc_owner"]))
    if r["environ"]:
        fail("%s: /proc/PID/environ is readable by its own uid: the process is dumpable" % name)
    print("ok: %s: core limit 0/0, not dumpable (/proc/PID/mem owned by root, environ refused) as uid %d"
          % (name, r["uid"]))


try:
    tenant, client = "3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a53", "8a3e6c1d-2f4b-4e5a-9c7d-1b2a3c4d5e6f"
    password = "Pw-" + uuid.uuid4().hex

    # --- control: no secret, the scanner blocked reading an LDIF from a FIFO ------------------------------
    path, fd = fifo("control.ldif")
    p = start(["scan", "--ldif", path])
    os.write(fd, b"# an export, to come\n")
    wait_consumed(p, fd, "control")
    c = readings(p)
    if not (c["uid"] == run_uid and c["proc_owner"] == run_uid and c["environ"] and c["core"][0] == "unlimited"):
        fail("control (no secret): want /proc/PID/mem owned by uid %d, environ readable and core unlimited, got %s "
             "-- the readings cannot tell the states apart here" % (run_uid, c))
    print("ok: control without a secret: /proc/PID/mem owned by uid %d, environ readable, core limit %s/%s"
          % ((run_uid,) + c["core"]))
    p.kill()

    # --- LDAP simple bind: the password half-read from stdin, then from a --password-file FIFO ---------------
    path, fd = fifo("stdin.pw")
    p = start(["scan", "--ldap", "ldaps://dc1.corp.invalid", "--bind-dn", "CN=auditor,DC=corp,DC=invalid",
               "--password-file", "-"], stdin=fd)
    os.write(fd, password[:12].encode())
    wait_consumed(p, fd, "LDAP password on stdin")
    expect_protected("LDAP password half-read from stdin", p)
    p.kill()

    path, fd = fifo("ldap.pw")
    p = start(["scan", "--ldap", "ldaps://dc1.corp.invalid", "--bind-upn", "auditor@corp.invalid",
               "--password-file", path])
    os.write(fd, password[:12].encode())
    wait_consumed(p, fd, "LDAP --password-file FIFO")
    expect_protected("LDAP password half-read from --password-file", p)
    p.kill()

    # --- Microsoft Graph: a client secret half-read from stdin, a private key half-read from --client-key ----
    graph = ["scan", "--tenant", tenant, "--client-id", client, "--graph-url", "https://127.0.0.1:9",
             "--login-url", "https://127.0.0.1:9"]
    path, fd = fifo("graph.secret")
    p = start(graph + ["--client-secret-file", "-"], stdin=fd)
    os.write(fd, password[:12].encode())
    wait_consumed(p, fd, "Graph client secret on stdin")
    expect_protected("Graph client secret half-read from stdin", p)
    p.kill()

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", work + "/key.pem",
                    "-out", work + "/cert.pem", "-days", "1", "-subj", "/CN=adpersist coredump test"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.chmod(work + "/cert.pem", 0o644)
    key = open(work + "/key.pem", "rb").read()
    path, fd = fifo("fifo-key.pem")
    p = start(graph + ["--client-cert", work + "/cert.pem", "--client-key", path])
    os.write(fd, key[:len(key) // 2])
    wait_consumed(p, fd, "Graph --client-key FIFO")
    expect_protected("Graph private key half-read from --client-key", p)
    p.kill()

    # --- Kerberos: a keytab half-read from --keytab FIFO (the scanner reads its keys before any KDC exchange)
    # A version-0x502 keytab with one AES-256 key (MIT's file format: a size-prefixed entry of principal,
    # timestamp, kvno, enctype 18 and the 32-byte key).
    def counted(b):
        return struct.pack(">H", len(b)) + b
    entry = (struct.pack(">H", 1) + counted(b"CORP.INVALID") + counted(b"auditor") + struct.pack(">IIBH", 1, 0, 1, 18)
             + counted(os.urandom(32)) + struct.pack(">I", 1))
    keytab = b"\x05\x02" + struct.pack(">i", len(entry)) + entry
    path, fd = fifo("fifo.keytab")
    p = start(["scan", "--ldap", "ldap://dc1.corp.invalid", "--keytab", path, "--principal", "auditor@CORP.INVALID"])
    os.write(fd, keytab[:len(keytab) // 2])
    wait_consumed(p, fd, "Kerberos --keytab FIFO")
    expect_protected("Kerberos keytab half-read from --keytab", p)
    p.kill()

    # --- HEC: the token read whole from a file (and wiped); the scan then waits on its LDIF ---------------
    with open(work + "/hec.token", "w") as f:
        f.write(str(uuid.uuid4()) + "\n")
    os.chmod(work + "/hec.token", 0o644)
    path, fd = fifo("after-token.ldif")
    p = start(["scan", "--ldif", path, "--hec-url", "https://127.0.0.1:9", "--hec-token-file", work + "/hec.token"])
    os.write(fd, b"# an export, to come\n")
    wait_consumed(p, fd, "LDIF after the HEC token")
    expect_protected("after the HEC token was read from a file", p)
    p.kill()
    print("PASS: core dumps are off from the first byte of every secret on")
finally:
    cleanup()
PY
