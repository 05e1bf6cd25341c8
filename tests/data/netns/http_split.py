#!/usr/bin/env python3
"""Raw HTTP client for tests/netns/http_traffic.cpp.

http_split.py HOST PORT REQUEST_HEX CUT

Connects (TCP_NODELAY), sends the first CUT bytes of the request, waits
0.2 s, sends the rest (two TCP segments), then reads until the server
closes, resets or 3 s pass. Prints one JSON object: response (latin-1),
eof, reset, timeout, error, seconds."""
import json, socket, sys, time

host, port, request, cut = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3]), int(sys.argv[4])
out = {"response": "", "eof": False, "reset": False, "timeout": False, "error": ""}
data = b""
start = time.monotonic()
try:
    s = socket.create_connection((host, port), timeout=3)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(request[:cut])
    time.sleep(0.2)
    if cut < len(request):
        s.sendall(request[cut:])
    while True:
        chunk = s.recv(65536)
        if not chunk:
            out["eof"] = True
            break
        data += chunk
except ConnectionResetError:
    out["reset"] = True
except socket.timeout:
    out["timeout"] = True
except OSError as e:
    out["error"] = str(e)
out["response"] = data.decode("latin-1")
out["seconds"] = time.monotonic() - start
print(json.dumps(out))
