#!/usr/bin/env python3
"""Traffic for the swap tests.

server MODE: TCP echo on 7001, UDP echo on 7002, UDP sink on 7003 that
  counts what it receives (a denied port) into the file given.
client SECONDS OUT: a long-lived TCP connection echoing a line every 10 ms,
  sequence-numbered UDP datagrams every 2 ms (each answered), and a datagram
  to the denied port every 20 ms; writes a JSON report to OUT."""
import json, select, socket, sys, time

def server(sink_file):
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("0.0.0.0", 7001)); tcp.listen(4)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("0.0.0.0", 7002))
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); sink.bind(("0.0.0.0", 7003))
    conns, sunk = [], 0
    while True:
        ready, _, _ = select.select([tcp, udp, sink] + conns, [], [], 1.0)
        for s in ready:
            if s is tcp:
                c, _ = tcp.accept(); conns.append(c)
            elif s is udp:
                data, peer = udp.recvfrom(2048); udp.sendto(data, peer)
            elif s is sink:
                sink.recvfrom(2048); sunk += 1
                open(sink_file, "w").write(str(sunk))
            else:
                try:
                    data = s.recv(4096)
                except ConnectionResetError:
                    data = b""
                if not data:
                    conns.remove(s); s.close()
                else:
                    s.sendall(data)

def client(seconds, out, host):
    report = {"tcp_ok": True, "tcp_error": "", "udp_sent": 0, "udp_answered": 0, "tcp_echoes": 0}
    tcp = socket.create_connection((host, 7001), timeout=5)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.setblocking(False)
    denied = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    answered = set()
    end = time.time() + seconds
    next_tcp = next_denied = 0.0
    seq = 0
    while time.time() < end:
        now = time.time()
        udp.sendto(str(seq).encode(), (host, 7002)); seq += 1
        if now >= next_tcp:
            try:
                tcp.sendall(b"ping\n")
                if tcp.recv(16) != b"ping\n":
                    raise OSError("bad echo")
                report["tcp_echoes"] += 1
            except OSError as e:
                report["tcp_ok"] = False; report["tcp_error"] = str(e)
            next_tcp = now + 0.01
        if now >= next_denied:
            denied.sendto(b"x", (host, 7003)); next_denied = now + 0.02
        try:
            while True:
                answered.add(int(udp.recv(64)))
        except (BlockingIOError, ValueError):
            pass
        time.sleep(0.002)
    deadline = time.time() + 1.0
    while time.time() < deadline and len(answered) < seq:
        r, _, _ = select.select([udp], [], [], 0.05)
        if r:
            answered.add(int(udp.recv(64)))
    report["udp_sent"] = seq
    report["udp_answered"] = len(answered)
    tcp.close()
    json.dump(report, open(out, "w"))

if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(sys.argv[2])
    else:
        client(float(sys.argv[2]), sys.argv[3], sys.argv[4])
