#!/usr/bin/env python3
"""Summarizes bench_peers' raw figures (results.csv) into summary.csv, one
gnuplot data file per traffic shape, and a table on stdout.

Per (shape, rules, configuration), over the rounds, the medians of:
  - packets (or connections) delivered per second;
  - CPU ns added per packet over "none" in the same round (paired, so the
    machine's drift cancels);
  - polc's in-kernel ns per program run (BPF stats; polc configurations).
Usage: summarize.py results.csv OUT_DIR
"""
import csv
import statistics
import sys
from collections import defaultdict

CONFIGS = ["none", "tc-empty", "polc-tc", "polc-xdp", "ipt-ct", "ipt-linear", "nft-linear", "nft-set", "xdp-filter"]


def main(path, out_dir):
    rows = list(csv.DictReader(open(path)))
    cpu = {}  # (round, shape, rules, config) -> cpu ns per packet
    for r in rows:
        cpu[(r["round"], r["shape"], int(r["rules"]), r["config"])] = float(r["cpu_ns_per_packet"])
    per_s, added, bpf = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in rows:
        key = (r["shape"], int(r["rules"]), r["config"])
        per_s[key].append(float(r["per_second"]))
        base = cpu.get((r["round"], r["shape"], int(r["rules"]), "none"))
        if base is not None and float(r["cpu_ns_per_packet"]) > 0:
            added[key].append(float(r["cpu_ns_per_packet"]) - base)
        if float(r["polc_bpf_ns_per_run"]) > 0:
            bpf[key].append(float(r["polc_bpf_ns_per_run"]))

    def med(values):
        return statistics.median(values) if values else float("nan")

    shapes = sorted({k[0] for k in per_s}, key=["udp-1flow", "udp-4096flows", "tcp-connect"].index)
    rule_counts = sorted({k[1] for k in per_s})
    configs = [c for c in CONFIGS if any(k[2] == c for k in per_s)]
    with open(f"{out_dir}/summary.csv", "w") as f:
        f.write("shape,rules,config,per_second,cpu_ns_added_per_packet,polc_bpf_ns_per_run\n")
        for s in shapes:
            for n in rule_counts:
                for c in configs:
                    k = (s, n, c)
                    if k in per_s:
                        f.write(f"{s},{n},{c},{med(per_s[k]):.0f},{med(added[k]):.1f},{med(bpf[k]):.1f}\n")
    for s in shapes:
        with open(f"{out_dir}/{s}.dat", "w") as f:
            f.write("# rules " + " ".join(configs) + "  (CPU ns added per packet over none)\n")
            for n in rule_counts:
                f.write(f"{n} " + " ".join(f"{med(added[(s, n, c)]):.1f}" for c in configs) + "\n")
    unit = {"tcp-connect": "conn/s"}
    for s in shapes:
        what = "connection" if s == "tcp-connect" else "packet"
        print(f"\n{s}: delivered per second ({unit.get(s, 'pkt/s')}) / CPU ns added per {what} over none")
        print(f"{'config':<12}" + "".join(f"{n:>24}" for n in rule_counts))
        for c in configs:
            cells = []
            for n in rule_counts:
                k = (s, n, c)
                cells.append(f"{med(per_s[k]):>12,.0f} / {med(added[k]):>7.0f}" if k in per_s else f"{'':>24}")
            print(f"{c:<12}" + "".join(f"{x:>24}" for x in cells))
    if any(bpf.values()):
        print("\npolc in-kernel ns per program run (BPF stats)")
        for s in shapes:
            for c in ("polc-tc", "polc-xdp"):
                print(f"  {s:<14} {c:<9}" + "".join(f"{n:>8}: {med(bpf[(s, n, c)]):6.0f}" for n in rule_counts))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
