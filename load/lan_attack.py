#!/usr/bin/env python3
"""Attacks a node's HTTP port as one host on the council's LAN would (issue 27), bounded in
count and time. image/test runs it against the booted VM's forwarded port and watches the
daemon's memory and the desk while it runs.

  lan_attack.py HOST:PORT [--conns N] [--head-kib K] [--lookups N] [--hold S] [--budget S]

1. Half-sent heads: N connections, each sending up to K KiB of a request head that never
   ends (before issue 27: 2 000 of 380 KB took the daemon from 413 to 1 080 MiB).
2. A padded-number brute force on the status lookup: the same number with spaces and NULs,
   a fresh wrong access code each time (before: 551 355 guesses in 20 s, no 429).

Prints one JSON line of what the node did. Uses only the standard library.
"""

import argparse
import json
import resource
import socket
import time


def heads(host, port, conns, head_kib, hold, budget):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, conns + 256), hard))
    pad = b"a" * 1024
    held, refused, sent_kib = [], 0, 0
    until = time.time() + budget
    for _ in range(conns):
        if time.time() > until:
            break
        try:
            s = socket.create_connection((host, port), timeout=2)
        except OSError:
            refused += 1
            continue
        # A socket the node stopped reading blocks here; a short wait then moves on.
        s.settimeout(0.02)
        try:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: volost\r\nX-Pad: ")
            for _ in range(head_kib):
                s.sendall(pad)
                sent_kib += 1
        except OSError:
            # The node closed it (a head too long, or no room for this client): as it should.
            pass
        held.append(s)
    time.sleep(hold)
    # Which ones the node has closed by now: a read returns b"" (or an answer, then b"").
    closed = 0
    for s in held:
        try:
            s.settimeout(0.2)
            while s.recv(65536):
                pass
            closed += 1
        except socket.timeout:
            pass
        except OSError:
            closed += 1
        s.close()
    return {
        "connections": len(held) + refused,
        "refused_at_connect": refused,
        "held": len(held),
        "closed_by_node": closed,
        "head_kib_sent": sent_kib,
    }


def lookups(host, port, n):
    seen = {}
    started = time.time()
    for i in range(n):
        number = "2026-000001" + " " * (i % 50) + "%00" * (i % 7)
        number = number.replace(" ", "%20")
        path = f"/api/v1/applications/{number}/status?code={i:012d}"
        try:
            with socket.create_connection((host, port), timeout=5) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: volost\r\nConnection: close\r\n\r\n".encode())
                s.settimeout(5)
                out = b""
                while True:
                    b = s.recv(4096)
                    if not b:
                        break
                    out += b
            code = out.split(b" ", 2)[1].decode() if out.startswith(b"HTTP/") else "closed"
        except OSError:
            code = "refused"
        seen[code] = seen.get(code, 0) + 1
    return {"lookups": n, "answers": seen, "seconds": round(time.time() - started, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("addr")
    ap.add_argument("--conns", type=int, default=2000)
    ap.add_argument("--head-kib", type=int, default=380)
    ap.add_argument("--lookups", type=int, default=600)
    ap.add_argument("--hold", type=float, default=8.0)
    ap.add_argument("--budget", type=float, default=90.0, help="seconds to open connections")
    a = ap.parse_args()
    host, _, port = a.addr.rpartition(":")
    out = {"heads": heads(host, int(port), a.conns, a.head_kib, a.hold, a.budget)}
    out["lookup"] = lookups(host, int(port), a.lookups)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
