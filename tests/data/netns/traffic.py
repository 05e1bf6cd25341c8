#!/usr/bin/env python3
"""Traffic for the swap tests.

server SINK: TCP echo on 7001, UDP echo on 7002, UDP sink on 7003 that
  counts what it receives (a denied port) into the file SINK; when a TCP
  connection closes, its count of retransmitted segments goes into
  SINK.retrans (a segment dropped on the way is retransmitted). Every 10 ms
  it also pushes a datagram "p" from 7002 to the last UDP client (traffic
  the server's side starts on the client's connection), and every 50 ms it
  writes SINK.stats: {"tcp_bytes", "udp_in", "tcp_retrans"} (what it
  received, and the retransmissions of its open TCP connections).
client SECONDS OUT HOST [CONTROL_DIR]: a long-lived TCP connection echoing
  a line every 10 ms, sequence-numbered UDP datagrams every 2 ms (each
  answered), and a datagram to the denied port every 20 ms, for SECONDS;
  writes a JSON report to OUT. With CONTROL_DIR, it creates CONTROL_DIR/ready
  once connected and stops early when CONTROL_DIR/stop appears (SECONDS is
  then a bound). When CONTROL_DIR/deny appears, the report's figures are
  taken (after a second for the last answers) and the client goes on
  sending without waiting for echoes, counting what still arrives in
  CONTROL_DIR/client.json every 50 ms: {"deny_mode", "udp_sent",
  "udp_answered", "pushes", "tcp_sent", "tcp_echoes"}."""
import json, os, select, socket, sys, time

def retransmits(sock):
    """tcpi_total_retrans of struct tcp_info (linux/tcp.h: offset 100)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return int.from_bytes(info[100:104], sys.byteorder)

def server(sink_file):
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("0.0.0.0", 7001)); tcp.listen(4)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("0.0.0.0", 7002))
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); sink.bind(("0.0.0.0", 7003))
    conns, sunk = [], 0
    stats = {"tcp_bytes": 0, "udp_in": 0, "tcp_retrans": 0}
    last_peer, next_push, next_stats = None, 0.0, 0.0
    while True:
        ready, _, _ = select.select([tcp, udp, sink] + conns, [], [], 0.01)
        for s in ready:
            if s is tcp:
                c, _ = tcp.accept(); conns.append(c)
            elif s is udp:
                data, peer = udp.recvfrom(2048); udp.sendto(data, peer)
                stats["udp_in"] += 1; last_peer = peer
            elif s is sink:
                sink.recvfrom(2048); sunk += 1
                open(sink_file, "w").write(str(sunk))
            else:
                try:
                    data = s.recv(4096)
                except ConnectionResetError:
                    data = b""
                if not data:
                    open(sink_file + ".retrans", "w").write(str(retransmits(s)))
                    conns.remove(s); s.close()
                else:
                    stats["tcp_bytes"] += len(data)
                    s.sendall(data)
        now = time.time()
        if last_peer and now >= next_push:
            udp.sendto(b"p", last_peer); next_push = now + 0.01
        if now >= next_stats:
            stats["tcp_retrans"] = sum(retransmits(c) for c in conns)
            tmp = sink_file + ".stats.tmp"
            json.dump(stats, open(tmp, "w")); os.replace(tmp, sink_file + ".stats")
            next_stats = now + 0.05

def client(seconds, out, host, control=None):
    report = {"tcp_ok": True, "tcp_error": "", "udp_sent": 0, "udp_answered": 0, "tcp_echoes": 0,
              "tcp_retransmits": 0, "seconds": 0.0, "stopped": False, "pushes": 0, "denied_phase": False}
    tcp = socket.create_connection((host, 7001), timeout=5)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.setblocking(False)
    denied = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    answered = set()
    live = {"deny_mode": False, "udp_sent": 0, "udp_answered": 0, "pushes": 0, "tcp_sent": 0, "tcp_echoes": 0}
    start = time.time()
    end = start + seconds
    next_tcp = next_denied = next_control = 0.0
    seq = 0

    def read_udp():
        try:
            while True:
                data = udp.recv(64)
                if data == b"p":
                    live["pushes"] += 1
                else:
                    answered.add(int(data))
        except (BlockingIOError, ValueError):
            pass

    def take_report():
        deadline = time.time() + 1.0
        while time.time() < deadline and len(answered) < seq:
            r, _, _ = select.select([udp], [], [], 0.05)
            if r:
                read_udp()
        report["udp_sent"] = seq
        report["udp_answered"] = len(answered)
        report["tcp_retransmits"] = retransmits(tcp)
        report["pushes"] = live["pushes"]

    if control:
        open(os.path.join(control, "ready"), "w").close()
    while time.time() < end:
        now = time.time()
        if control and now >= next_control:
            if os.path.exists(os.path.join(control, "stop")):
                report["stopped"] = True
                break
            if not live["deny_mode"] and os.path.exists(os.path.join(control, "deny")):
                report["seconds"] = round(time.time() - start, 3)
                take_report()
                report["denied_phase"] = True
                live["deny_mode"] = True
                tcp.setblocking(False)
            live["udp_sent"] = seq
            live["udp_answered"] = len(answered)
            tmp = os.path.join(control, "client.json.tmp")
            json.dump(live, open(tmp, "w")); os.replace(tmp, os.path.join(control, "client.json"))
            next_control = now + 0.05
        udp.sendto(str(seq).encode(), (host, 7002)); seq += 1
        if now >= next_tcp:
            if live["deny_mode"]:
                # Nothing waits for an echo now: what arrives is counted.
                try:
                    tcp.send(b"ping\n"); live["tcp_sent"] += 1
                except (BlockingIOError, OSError):
                    pass
                try:
                    while True:
                        data = tcp.recv(4096)
                        if not data:
                            break
                        live["tcp_echoes"] += data.count(b"ping\n")
                except (BlockingIOError, OSError):
                    pass
            else:
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
        read_udp()
        time.sleep(0.002)
    if not report["denied_phase"]:
        report["seconds"] = round(time.time() - start, 3)
        take_report()
    tcp.close()
    json.dump(report, open(out, "w"))

if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(sys.argv[2])
    else:
        client(float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
