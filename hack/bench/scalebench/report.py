"""Percentiles, the JSON summary and the human table."""
import json


def percentile(values, p):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


ROWS = [
    ("completed", "completed"),
    ("phase", "phase"),
    ("wall_seconds", "wall time (s)"),
    ("pods_created", "pods created"),
    ("pods_per_second", "pods created / s"),
    ("controller_cpu_seconds", "controller CPU (s)"),
    ("controller_peak_rss_mib", "controller peak RSS (MiB)"),
    ("sim_cpu_seconds", "sim CPU (s)"),
    ("sim_peak_rss_mib", "sim peak RSS (MiB)"),
    ("kubelets_cpu_seconds", "sim kubelets CPU (s)"),
    ("kubelets_peak_rss_mib", "sim kubelets peak RSS (MiB)"),
    ("status_bytes_max", "status size max (bytes)"),
    ("object_bytes_max", "Workflow object max (bytes)"),
    ("live_pods_max", "live pods max"),
    ("rss_per_tracked_pod_bytes", "RSS per tracked pod (bytes)"),
    ("workflows_per_minute", "workflows / minute"),
    ("one_shard_workflows_per_minute", "workflows / minute, 1 shard"),
    ("shard_speedup", "2 shards / 1 shard"),
    ("handoff_p50_ms", "handoff p50 (ms)"),
    ("handoff_p99_ms", "handoff p99 (ms)"),
    ("controller_pods_per_second", "controller pods / s"),
    ("bare_client_pods_per_second", "bare client pods / s"),
    ("efficiency", "efficiency (controller / bare)"),
    ("machine_busy", "machine CPU busy (share of all cores)"),
]


def table(results):
    names = list(results)
    width = max(len(label) for _, label in ROWS) + 2
    columns = [max(14, len(n) + 2) for n in names]
    lines = ["".ljust(width) + "".join(n.rjust(c) for n, c in zip(names, columns))]
    for key, label in ROWS:
        values = [results[n].get(key) for n in names]
        if all(v is None for v in values):
            continue
        lines.append(label.ljust(width) + "".join(_cell(v).rjust(c) for v, c in zip(values, columns)))
    return "\n".join(lines)


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def summary(results, meta):
    return json.dumps({"machine": meta, "scenarios": results}, indent=2, sort_keys=True)
