#!/usr/bin/python3
"""Lab 6: the hosts' throughput per plane, second by second.

    /usr/bin/python3 show.py OUT_DIR [--png FILE]

OUT_DIR holds traffic.sh's iperf3 reports (flow-PLANE-HOST.json). Prints
each plane's total before the fault (1-6 s), while plane 1 is lost at
leaf0 (7-13 s) and after (15-20 s); --png draws both planes over time.
"""
import argparse
import glob
import json
import os

PHASES = (("before", 1, 6), ("plane 1 lost", 7, 13), ("after", 15, 20))


def series(out):
    per_plane = {0: {}, 1: {}}
    for path in glob.glob(os.path.join(out, "flow-*-h*.json")):
        plane = int(os.path.basename(path).split("-")[1])
        with open(path) as f:
            rep = json.load(f)
        for iv in rep.get("intervals", []):
            s = iv["sum"]
            t = int(round(s["end"]))
            per_plane[plane][t] = per_plane[plane].get(t, 0) + s["bits_per_second"] / 1e6
    return per_plane


def phase_means(per_plane):
    out = {}
    for name, a, b in PHASES:
        out[name] = {p: sum(v for t, v in s.items() if a < t <= b) / (b - a) for p, s in per_plane.items()}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--png")
    a = ap.parse_args()
    per_plane = series(a.out)
    for name, m in phase_means(per_plane).items():
        print("%-13s plane 0 %6.1f Mb/s   plane 1 %6.1f Mb/s   (4 flows each)" % (name, m[0], m[1]))
    if a.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(8, 3.5))
        for p, s in per_plane.items():
            ts = sorted(s)
            ax.plot(ts, [s[t] for t in ts], marker="o", label="plane %d" % p)
        ax.axvspan(6, 13, color="grey", alpha=0.2, label="plane 1 down at leaf0")
        ax.set_xlabel("s")
        ax.set_ylabel("Mb/s, 4 flows")
        ax.set_title("h0-h3 -> h4-h7, per plane")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(a.png, dpi=100)
        print("plot:", a.png)


if __name__ == "__main__":
    main()
