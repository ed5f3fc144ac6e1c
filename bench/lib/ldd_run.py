#!/usr/bin/python3
"""Run ldapdomaindump (Debian python3-ldapdomaindump) the way the benchmark compares it.

    ldd_run.py PASSWORD_FILE CA_FILE [ldapdomaindump arguments...]

- The password comes from PASSWORD_FILE and is handed to ldapdomaindump's argument parser
  inside this process, so it is never on a command line (/proc/PID/cmdline) nor prompted for.
- ldap3's default for ldaps:// is to accept any certificate (Tls(validate=CERT_NONE)); for the
  same transport as adpersist and ldapsearch, the ldap3 Server that ldapdomaindump creates gets a
  Tls object that requires a certificate chaining to CA_FILE and checks the host name.
Nothing else is changed: the same searches, paging (500) and HTML/JSON/grep reports.
"""
import ssl
import sys

import ldap3
import ldapdomaindump


def main():
    if len(sys.argv) < 4:
        sys.stderr.write("usage: ldd_run.py PASSWORD_FILE CA_FILE [ldapdomaindump arguments...]\n")
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        password = f.read().rstrip("\n")
    ca_file = sys.argv[2]
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=ca_file)
    real_server = ldap3.Server

    def verifying_server(host, *args, **kwargs):
        kwargs.setdefault("tls", tls)
        return real_server(host, *args, **kwargs)

    ldapdomaindump.Server = verifying_server
    sys.argv = ["ldapdomaindump"] + sys.argv[3:] + ["--password", password]
    return ldapdomaindump.main()


if __name__ == "__main__":
    sys.exit(main())
