#!/usr/bin/python3
"""Lab 5: per flow, what arrived; per switch port, PAUSE frames sent, time
held by PAUSEs received, and drops.

    /usr/bin/python3 show.py RESULTS.json [RESULTS.json ...] [--png FILE]

--png: the flows' receive rates, one bar per run.
"""
import argparse
import json

INNOCENT = ("h1", "h2")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("--png")
    a = ap.parse_args()
    runs = []
    for path in a.results:
        with open(path) as f:
            res = json.load(f)
        runs.append((path, res))
        print("%s: every switch conserved: %s" % (path, all(s["conserved"] for s in res["switches"])))
        print("  flow       offered   received  latency avg  not received")
        for fl in res["flows"]:
            tag = "  <- innocent" if (fl["src"], fl["dst"]) == INNOCENT else ""
            print("  %-3s->%-4s %5.1f G  %6.2f G  %9.1f us  %6d%s" % (
                fl["src"], fl["dst"], fl["rate_bps"] / 1e9, fl["rx_rate_bps"] / 1e9,
                fl["latency_avg_ns"] / 1e3, fl["not_received"], tag))
        print("  port (switch -> peer)   PAUSEs sent   held by PAUSE   drops")
        for s in res["switches"]:
            for p in s["ports"]:
                tm = p.get("tm", {})
                sent, held = tm.get("pfc_frames_sent", 0), tm.get("paused_ns", 0)
                drops = ", ".join("%d %s" % (v, k) for k, v in sorted(p["drops"].items()))
                if sent or held or drops:
                    print("  %-7s -> %-10s %8d   %10.2f ms   %s" % (s["name"], p["name"], sent, held / 1e6, drops))
    if a.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(7, 3.5))
        labels = ["%s->%s" % (f["src"], f["dst"]) for f in runs[0][1]["flows"]]
        w = 0.8 / len(runs)
        for i, (path, res) in enumerate(runs):
            ax.bar([x + i * w for x in range(len(labels))], [f["rx_rate_bps"] / 1e9 for f in res["flows"]], w,
                   label=path)
        ax.set_xticks([x + w * (len(runs) - 1) / 2 for x in range(len(labels))])
        ax.set_xticklabels(labels)
        ax.set_ylabel("received, Gb/s")
        ax.set_title("Flows (h1->h2 is the innocent one)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(a.png, dpi=100)
        print("plot:", a.png)


if __name__ == "__main__":
    main()
