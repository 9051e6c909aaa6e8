#!/usr/bin/env python3
"""Capstan's scale benchmarks: `capstan sim` and `capstan run` (release build) as separate
processes on loopback, one fresh pair per scenario, each scenario stopping by itself
within its time limit. Prints a JSON summary and a table.

Usage: scale.py --bin .build/release/capstan [--scale F] [--json FILE] [--kubelets in-process|process] [SCENARIO...]
Scenarios: map-1m map-1m-workers concurrent-50k many-workflows chain-handoff efficiency shards-2 dag-10k (default: all).
"""
import argparse
import os
import platform
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scalebench.report import summary, table  # noqa: E402
from scalebench.scenarios import SCENARIOS, TIME_LIMITS  # noqa: E402


class Context:
    def __init__(self, args):
        self.binary = os.path.abspath(args.bin)
        self.root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.scale = args.scale
        self.keep = args.keep
        self.workdir = args.workdir or tempfile.mkdtemp(prefix="capstan-scale-")
        self.time_limit = args.time_limit
        self.kubelets = args.kubelets

    def limit(self, scenario):
        if self.time_limit:
            return self.time_limit
        return max(120.0, TIME_LIMITS[scenario] * min(1.0, self.scale * 2))


def machine():
    with open("/proc/meminfo") as f:
        total = int(f.readline().split()[1])
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return {"cores": os.cpu_count(), "memory_gib": round(total / 1024 / 1024, 1), "kernel": platform.release(),
            "load_average_at_start": [float(x) for x in load]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=" | ".join(SCENARIOS))
    parser.add_argument("--bin", required=True, help="the capstan executable (release build)")
    parser.add_argument("--scale", type=float, default=1.0, help="size factor: 0.02 runs a 20,000-item map-1m")
    parser.add_argument("--time-limit", type=float, help="seconds each scenario may run (default: per scenario)")
    parser.add_argument("--json", help="also write the JSON summary to this file")
    parser.add_argument("--workdir", help="where logs and stores go (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the stores (logs are always kept)")
    parser.add_argument("--kubelets", choices=["in-process", "process"], default="in-process",
                        help="where the simulated kubelets run: in the sim's process, reaching its API server without "
                             "HTTP (default), or as a second process over HTTP (`capstan sim --attach`)")
    args = parser.parse_args()
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    context = Context(args)
    meta = machine()
    meta["scale"] = args.scale
    meta["kubelets"] = args.kubelets
    meta["workdir"] = context.workdir
    results = {}
    for name in args.scenarios or list(SCENARIOS):
        print(f"== {name} (scale {args.scale}, limit {context.limit(name):.0f}s, logs in {context.workdir}/{name})",
              file=sys.stderr, flush=True)
        began = time.time()
        try:
            results[name] = SCENARIOS[name](context)
        except Exception as error:  # a broken scenario must not hide the others' figures
            traceback.print_exc()
            results[name] = {"completed": False, "error": str(error)}
        print(f"   {name}: {time.time() - began:.0f}s, {results[name]}", file=sys.stderr, flush=True)
    with open("/proc/loadavg") as f:
        meta["load_average_at_end"] = [float(x) for x in f.read().split()[:3]]
    text = summary(results, meta)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    print(table(results), file=sys.stderr)
    return 0 if all(r.get("completed") for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
