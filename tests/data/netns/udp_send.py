#!/usr/bin/env python3
"""Sends COUNT UDP datagrams of one byte to HOST:PORT from one socket (one
source port, so one flow), as fast as it can; with --flows, each datagram
from a socket of its own (COUNT flows). Prints how long it took."""
import socket
import sys
import time

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
flows = "--flows" in sys.argv[4:]
family = socket.AF_INET6 if ":" in host else socket.AF_INET
start = time.monotonic()
if flows:
    for _ in range(count):
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.sendto(b"x", (host, port))
else:
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        for _ in range(count):
            while True:
                try:
                    s.sendto(b"x", (host, port))
                    break
                except BlockingIOError:
                    time.sleep(0.0001)
print(f"{time.monotonic() - start:.3f}")
