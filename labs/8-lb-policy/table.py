#!/usr/bin/python3
"""Lab 8: the experiment's summary, one line per mode.

    /usr/bin/python3 table.py OUT_DIR

OUT_DIR is what `loomctl experiment run ... --out OUT_DIR` wrote; its
summary.csv has more columns (docs/EXPERIMENTS.md).
"""
import csv
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    with open(sys.argv[1] + "/summary.csv") as f:
        rows = list(csv.DictReader(f))
    print("%-12s %-12s %5s  %18s  %8s  %9s" % ("mode", "workload", "load", "throughput_vs_ideal", "dropped",
                                               "reordered"))
    for r in rows:
        print("%-12s %-12s %5s  %18s  %8s  %8.1f%%" % (r["mode"], r["workload"], r["load"], r["throughput_vs_ideal"],
                                                    r["dropped_packets"], 100 * float(r["reordered_fraction"])))


if __name__ == "__main__":
    main()
