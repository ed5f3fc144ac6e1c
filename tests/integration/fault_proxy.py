#!/usr/bin/env python3
"""A TCP proxy that breaks a connection on purpose, for the live-DC fault tests (tests/integration/dc_faults.sh).

Forwards 127.0.0.1:LISTEN to TARGET_HOST:TARGET_PORT byte for byte (TLS passes through untouched, so the
client still verifies the DC's certificate), counting what the server sends. Once the server has sent more
than AFTER bytes on a connection:
  cut    closes both sides at once, as a DC that is stopped or crashes does;
  stall  stops forwarding the server's bytes and holds the connection open, as a hung DC does.
Every fault is logged on stdout ("cut after N bytes"), so the test can tell that it happened, and so is the
size of each complete answer stream ("server sent N bytes"), so a test can aim a cut.

Usage: fault_proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT cut|stall AFTER_BYTES
"""
import socket
import sys
import threading

listen_port, host, port, mode, after = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
assert mode in ("cut", "stall"), mode


def pump(src, dst, limit, on_limit):
    """Copies src to dst. With a limit (the server's direction), calls on_limit once the server has sent more
    than `limit` bytes, and otherwise reports how much it forwarded however the stream ended (EOF, a reset, or
    the client going away first)."""
    sent, faulted = 0, False
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if limit is not None and sent + len(data) > limit:
                faulted = True
                dst.sendall(data[:limit - sent])
                on_limit(limit)
                return
            dst.sendall(data)
            sent += len(data)
    except OSError:
        pass
    finally:
        if limit is not None and not faulted:
            print("server sent %d bytes" % sent, flush=True)
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(client):
    upstream = socket.create_connection((host, port))
    stop = threading.Event()

    def fault(n):
        print("%s after %d bytes" % (mode, n), flush=True)
        if mode == "cut":
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
        else:
            stop.wait()  # hold both sockets open; forward nothing more from the server

    threading.Thread(target=pump, args=(client, upstream, None, None), daemon=True).start()
    threading.Thread(target=pump, args=(upstream, client, after, fault), daemon=True).start()


srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen_port))
srv.listen(8)
print("listening", flush=True)
while True:
    conn, _ = srv.accept()
    serve(conn)
