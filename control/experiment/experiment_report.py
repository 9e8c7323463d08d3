#!/usr/bin/python3
"""The report of an experiment (docs/EXPERIMENTS.md), from what
`loomctl experiment run` left in DIR: runs.json and, per run,
runs/NAME/{results.json, series.csv, ideal.csv}. Writes

  flows.csv     one line per flow of every run
  summary.csv   one line per run (the table of report.md)
  fct_cdf.png, utilization.png, queue_depth.png
  report.md     the table and the plots

Run by loomctl with Debian's /usr/bin/python3 (python3-matplotlib).
Usage: experiment_report.py DIR
"""
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# FCT slowdown is reported per flow-size bucket (payload bytes).
BUCKETS = [("<100KB", 0, 100_000), ("100KB-1MB", 100_000, 1_000_000), (">=1MB", 1_000_000, float("inf"))]


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, math.ceil(p / 100.0 * len(v)) - 1))
    return v[k]


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def load_run(d, run):
    rdir = os.path.join(d, "runs", run["dir"])
    with open(os.path.join(rdir, "results.json")) as f:
        res = json.load(f)
    ideal = {int(r["id"]): r for r in read_csv(os.path.join(rdir, "ideal.csv"))}
    series = read_csv(os.path.join(rdir, "series.csv"))
    return res, ideal, series


def flow_rows(run, res, ideal):
    """Per flow: FCT and slowdown (finite flows that completed), goodput
    (payload bits received over the time from its start to its last
    arrival), and the ideal max-min rate."""
    rows = []
    for f in res["flows"]:
        i = ideal[f["id"]]
        alone = int(i["alone_fct_ns"])
        fct = f["completion_ns"] if f["completion_ns"] >= 0 else None
        start = f["start_ns"]
        active = f["last_rx_ns"] - start if f["rx_packets"] and start >= 0 else 0
        goodput = f["rx_payload_bytes"] * 8e9 / active if active > 0 else 0.0
        rows.append({
            "run": run["run"], "mode": run["mode"], "workload": run["workload"], "load": run["load"],
            "id": f["id"], "src": f["src"], "dst": f["dst"], "group": f["group"], "cc": f.get("cc", "none"),
            "bytes": f["bytes"], "start_ns": start, "at_once": i["at_once"] == "1", "fct_ns": "" if fct is None else fct,
            "alone_fct_ns": alone if f["bytes"] else "",
            "slowdown": "" if fct is None or not alone else round(fct / alone, 4),
            "ideal_bps": float(i["ideal_bps"]), "goodput_bps": round(goodput),
            "tx_packets": f["tx_packets"], "rx_packets": f["rx_packets"], "not_received": f["not_received"],
            "tx_bytes": f["tx_bytes"], "rx_bytes": f["rx_bytes"], "reordered": f["reordered"],
            "ce_marked": f["ce_marked"], "latency_avg_ns": f["latency_avg_ns"],
            "latency_max_ns": f["latency_max_ns"],
        })
    return rows


def switch_totals(res):
    """Drops, ECN marks and PFC pauses (XOFF sent) over every switch port,
    packets queued in switches."""
    drops = marks = pauses = queued = 0
    for sw in res["switches"]:
        drops += sw["dropped"]
        queued += sw["queued"]
        for p in sw["ports"]:
            tm = p.get("tm")
            if tm:
                pauses += tm.get("pfc_xoff", 0)
                marks += sum(c["ecn_marked"] for c in tm["classes"])
    return drops, marks, pauses, queued


def summarize(run, res, rows):
    drops, marks, pauses, queued = switch_totals(res)
    hosts = res["hosts"]
    sent_pkts = sum(h["tx_packets"] for h in hosts)
    recv_pkts = sum(h["rx_packets"] for h in hosts)
    data_tx = sum(r["tx_packets"] for r in rows)
    data_rx = sum(r["rx_packets"] for r in rows)
    # The all-at-once ideal judges flows that run together (permutations,
    # incasts, collectives); flows arriving over time (Poisson) are
    # judged by their FCT slowdown instead.
    at_once = all(r["at_once"] for r in rows)
    ideal = sum(r["ideal_bps"] for r in rows) if at_once else 0
    good = sum(r["goodput_bps"] for r in rows)
    s = {
        "run": run["run"], "mode": run["mode"], "workload": run["workload"], "load": run["load"],
        "flows": len(rows),
        "completed": sum(1 for r in rows if r["fct_ns"] != ""),
        "throughput_vs_ideal": round(good / ideal, 4) if ideal else "n/a",
        "sent_bytes": sum(h["tx_bytes"] for h in hosts),
        "received_bytes": sum(h["rx_bytes"] for h in hosts),
        "sent_packets": sent_pkts, "received_packets": recv_pkts,
        "dropped_packets": drops, "queued_packets": queued, "in_flight_packets": res["in_flight"],
        "drop_fraction": round(drops / sent_pkts, 6) if sent_pkts else 0,
        "ecn_marks": marks,
        "ecn_fraction": round(sum(r["ce_marked"] for r in rows) / data_rx, 6) if data_rx else 0,
        "pfc_pauses": pauses,
        "reordered_fraction": round(sum(r["reordered"] for r in rows) / data_rx, 6) if data_rx else 0,
        "data_packets_lost_or_in_flight": data_tx - data_rx,
    }
    for name, lo, hi in BUCKETS:
        sl = [r["slowdown"] for r in rows if r["slowdown"] != "" and lo <= r["bytes"] < hi]
        p50, p99 = percentile(sl, 50), percentile(sl, 99)
        s["slowdown_p50 " + name] = "" if p50 is None else round(p50, 2)
        s["slowdown_p99 " + name] = "" if p99 is None else round(p99, 2)
    return s


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def plot_fct_cdfs(d, runs, flows):
    """FCT slowdown CDF per mode, one panel per workload (all loads)."""
    workloads = sorted({r["workload"] for r in runs})
    modes = sorted({r["mode"] for r in runs})
    fig, axes = plt.subplots(1, len(workloads), figsize=(5 * len(workloads), 3.8), squeeze=False)
    for ax, wl in zip(axes[0], workloads):
        for mode in modes:
            for load in sorted({r["load"] for r in runs}):
                sl = sorted(r["slowdown"] for r in flows if r["workload"] == wl and r["mode"] == mode
                            and r["load"] == load and r["slowdown"] != "")
                if not sl:
                    continue
                y = [(i + 1) / len(sl) for i in range(len(sl))]
                label = mode if not load else "%s @%.0f%%" % (mode, load * 100)
                ax.step(sl, y, where="post", label=label)
        ax.set_title("FCT slowdown: %s" % wl)
        ax.set_xlabel("FCT / FCT alone on the idle fabric")
        ax.set_ylabel("fraction of flows")
        ax.set_xscale("log")
        ax.grid(True, alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "no finite flow completed", ha="center", transform=ax.transAxes)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "fct_cdf.png"), dpi=90)
    plt.close(fig)


def utilization(series, interval):
    """{link label: [utilization per interval]} from the cumulative tx_bytes."""
    by_port = {}
    for r in series:
        key = "%s:%s>%s" % (r["switch"], r["port"], r["peer"])
        by_port.setdefault(key, []).append((int(r["time_ns"]), int(r["tx_bytes"]), int(r["rate_bps"]),
                                            int(r["queued_bytes"])))
    util = {}
    for key, pts in by_port.items():
        u = []
        for (t0, b0, rate, _), (t1, b1, _, _) in zip(pts, pts[1:]):
            u.append((b1 - b0) * 8e9 / ((t1 - t0) * rate) if rate and t1 > t0 else 0.0)
        util[key] = u
    return util, by_port


def plot_utilization(d, runs, series_of):
    """Per-link utilization over time, one heat map per mode, for the
    first workload at the highest load."""
    wl = runs[0]["workload"]
    load = max(r["load"] for r in runs)
    chosen = [r for r in runs if r["workload"] == wl and r["load"] == load]
    fig, axes = plt.subplots(1, len(chosen), figsize=(6 * len(chosen), 4.5), squeeze=False)
    for ax, run in zip(axes[0], chosen):
        util, _ = utilization(series_of[run["run"]], run["sample_interval_ns"])
        labels = sorted(util)
        im = ax.imshow([util[k] for k in labels], aspect="auto", vmin=0, vmax=1, cmap="viridis",
                       extent=[0, run["duration_ns"] / 1e3, len(labels), 0])
        ax.set_yticks([i + 0.5 for i in range(len(labels))])
        ax.set_yticklabels(labels, fontsize=6)
        ax.set_xlabel("time (us)")
        ax.set_title("link utilization: %s, %s" % (run["mode"], run["workload"]), fontsize=9)
        fig.colorbar(im, ax=ax, label="utilization")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "utilization.png"), dpi=90)
    plt.close(fig)


def plot_queue_depth(d, runs, series_of):
    """The deepest switch queue over time per mode, one panel per workload
    (highest load)."""
    workloads = sorted({r["workload"] for r in runs})
    load = max(r["load"] for r in runs)
    fig, axes = plt.subplots(1, len(workloads), figsize=(5 * len(workloads), 3.5), squeeze=False)
    for ax, wl in zip(axes[0], workloads):
        for run in (r for r in runs if r["workload"] == wl and r["load"] == load):
            depth = {}
            for r in series_of[run["run"]]:
                t = int(r["time_ns"])
                depth[t] = max(depth.get(t, 0), int(r["queued_bytes"]))
            ts = sorted(depth)
            ax.plot([t / 1e3 for t in ts], [depth[t] / 1e3 for t in ts], label=run["mode"])
        ax.set_title("deepest queue: %s" % wl)
        ax.set_xlabel("time (us)")
        ax.set_ylabel("KB queued (max over ports)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "queue_depth.png"), dpi=90)
    plt.close(fig)


def markdown_table(rows, cols):
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        out.append("| " + " | ".join(str(r[c]) for c in cols) + " |")
    return "\n".join(out)


def main(d):
    with open(os.path.join(d, "runs.json")) as f:
        manifest = json.load(f)
    runs = manifest["runs"]
    if not runs:
        sys.exit("experiment_report: no runs in %s" % d)
    flows, summary, series_of = [], [], {}
    for run in runs:
        res, ideal, series = load_run(d, run)
        rows = flow_rows(run, res, ideal)
        flows.extend(rows)
        summary.append(summarize(run, res, rows))
        series_of[run["run"]] = series
    write_csv(os.path.join(d, "flows.csv"), flows)
    write_csv(os.path.join(d, "summary.csv"), summary)
    plot_fct_cdfs(d, runs, flows)
    plot_utilization(d, runs, series_of)
    plot_queue_depth(d, runs, series_of)
    cols = ["run", "flows", "completed", "sent_bytes", "received_bytes", "throughput_vs_ideal"] + \
        ["slowdown_%s %s" % (p, b[0]) for b in BUCKETS for p in ("p50", "p99")] + \
        ["dropped_packets", "ecn_marks", "pfc_pauses", "reordered_fraction"]
    with open(os.path.join(d, "report.md"), "w") as f:
        f.write("# Experiment %s\n\n" % manifest["experiment"])
        f.write("Topology `%s`; %d runs (load-balancing mode x workload x load), each in virtual time "
                "for %d us.\n\n" % (manifest["topology"], len(runs), runs[0]["duration_ns"] // 1000))
        f.write("## Summary\n\n")
        f.write(markdown_table(summary, cols) + "\n\n")
        f.write("- throughput_vs_ideal: the flows' goodput (payload bits received over the time from "
                "each flow's start to its last arrival) summed, over the sum of their max-min fair rates "
                "with every flow of the run active at once (the ideal of perfect load balancing, "
                "scheduler/include/loom/traffic/maxmin.h); headers count against it. n/a for flows arriving over "
                "time (Poisson), which do not all run at once: judge those by the slowdown.\n")
        f.write("- slowdown: FCT over the FCT of the flow alone on the idle fabric, by payload size; "
                "empty: no finite flow of that size completed.\n")
        f.write("- dropped_packets, ecn_marks, pfc_pauses: every switch port; reordered_fraction: "
                "data packets that arrived after a later one of their flow. Generator hosts do not "
                "retransmit: a finite flow that lost a packet never completes (completed < flows).\n")
        f.write("- Conservation, per run (summary.csv): sent_packets = received_packets + "
                "dropped_packets + queued_packets + in_flight_packets (packets still on a link at the end); "
                "bytes are counted sent and received, drops in packets.\n\n")
        f.write("## Flow completion times\n\n![FCT slowdown CDFs](fct_cdf.png)\n\n")
        f.write("## Link utilization\n\n![per-link utilization](utilization.png)\n\n")
        f.write("## Queue depth\n\n![deepest queue over time](queue_depth.png)\n\n")
        f.write("Per-flow records: flows.csv; per run: runs/NAME/ (results.json, series.csv, ideal.csv).\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: experiment_report.py DIR")
    main(sys.argv[1])
