#!/usr/bin/env python3
"""Opens N keep-alive HTTP/1.1 connections to 127.0.0.1:PORT, sends one GET on each, reads its
response, then holds every connection open and idle until SIGTERM/SIGINT (scenario e).

  idle_conns.py PORT N READY_FILE

Writes READY_FILE (JSON: opened, ok, failed, seconds) once every connection has its response, so
the harness can measure the proxy while the connections sit idle. Standard library only."""
import json
import resource
import selectors
import signal
import socket
import sys
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: harness\r\nUser-Agent: harness-idle\r\n\r\n"
BATCH = 500          # connections in flight at once while opening
DEADLINE_S = 60      # give up on whatever has not answered by then


def response_complete(buf: bytes) -> bool:
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return True  # no length: headers are enough for this purpose


def main() -> int:
    port, n, ready_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < n + 64:
        print(f"idle_conns: fd limit {hard} is below {n} connections", file=sys.stderr)
        return 2
    sel = selectors.DefaultSelector()
    started = time.monotonic()
    held, pending, ok, failed, opened = [], 0, 0, 0, 0
    while (opened < n or pending) and time.monotonic() - started < DEADLINE_S:
        while opened < n and pending < BATCH:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            sel.register(s, selectors.EVENT_WRITE, {"buf": b"", "sent": False})
            opened += 1
            pending += 1
        for key, events in sel.select(timeout=1.0):
            s, st = key.fileobj, key.data
            try:
                if not st["sent"]:
                    s.send(REQUEST)
                    st["sent"] = True
                    sel.modify(s, selectors.EVENT_READ, st)
                    continue
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("closed before the response")
                st["buf"] += chunk
                if response_complete(st["buf"]):
                    sel.unregister(s)
                    pending -= 1
                    if st["buf"].startswith(b"HTTP/1.1 200"):
                        ok += 1
                        held.append(s)
                    else:
                        failed += 1
                        s.close()
            except OSError:
                sel.unregister(s)
                pending -= 1
                failed += 1
                s.close()
    failed += pending
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    with open(ready_file, "w") as f:
        json.dump({"opened": opened, "ok": ok, "failed": failed,
                   "seconds": round(time.monotonic() - started, 2)}, f)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    for s in held:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
