"""The scale scenarios. Each one builds a fresh cluster, runs within its time limit
and returns a dict of figures (see docs/performance.md for what each means)."""
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from . import workflows
from .api import PODS, WORKFLOWS, Watch
from .bareclient import create_pods, pod_template
from .cluster import Cluster, WorkflowPoller
from .report import percentile

KIB = 1024


def scaled(context, full, minimum=1):
    return max(minimum, int(round(full * context.scale)))


def _base(cluster, started, finished, pods):
    wall = (finished or time.time()) - started
    figures = {"completed": finished is not None, "wall_seconds": round(wall, 2), "pods_created": int(pods),
               "pods_per_second": round(pods / wall, 1) if wall > 0 else None}
    figures.update(cluster.figures())
    return figures


def map_1m(context):
    items, concurrency = scaled(context, 1_000_000), scaled(context, 50_000)
    return _map(context, "map-1m", items, workflows.generated_map("map-1m", items, concurrency, "0s"),
                nodes=8, node_pods=max(10_000, concurrency), figures={"concurrency": concurrency})


def map_1m_workers(context):
    """A million items on 50 reusable workers (SPEC §15): no pod per item, each item one
    poll to the controller; the scripted kubelet plays `capstan worker` for each worker pod."""
    items, replicas = scaled(context, 1_000_000), 50
    workflow = workflows.generated_map("map-1m-workers", items, 1_000_000, "0s", workers=replicas)

    def handoffs(controller):
        quantiles = {q: controller.histogram_quantile("capstan_worker_handoff_seconds", q) for q in (0.5, 0.99)}
        return {"handoff_p50_ms": None if quantiles[0.5] is None else round(quantiles[0.5] * 1000, 2),
                "handoff_p99_ms": None if quantiles[0.99] is None else round(quantiles[0.99] * 1000, 2),
                "handoffs": controller.metric("capstan_worker_handoff_seconds_count")}
    return _map(context, "map-1m-workers", items, workflow, nodes=2, node_pods=1_000, figures={"workers": replicas}, extra=handoffs)


def _map(context, name, items, workflow, nodes, node_pods, figures, extra=None):
    """Runs the generated map `workflow` over `items` to its end; the figures every map scenario reports."""
    cluster = Cluster(context, name, nodes=nodes, node_pods=node_pods)
    try:
        controller = cluster.start_controller()
        started = time.time()
        created = workflows.submit(cluster.api, workflow)
        cluster.write_outputs(created, "gen", {"items": list(range(items))})
        poller = WorkflowPoller(cluster.api, name, interval=1.0, live_pods=cluster.live_pods, live_every=5)
        poller.start()
        done = poller.wait(started + context.limit(name))
        pods = controller.metric("capstan_pods_created_total")
        result = {"items": items, **figures, "phase": poller.phase}
        result.update(_base(cluster, started, poller.finished_at if done else None, pods))
        result.update({
            "status_bytes_max": poller.max_status, "object_bytes_max": poller.max_object,
            "status_under_256KiB": poller.max_status < 256 * KIB, "live_pods_max": poller.max_live_pods,
            "map": (poller.status.get("nodes", {}).get("work", {}).get("map") or {}).get("succeeded"),
        })
        if extra:
            result.update(extra(controller))
        return result
    finally:
        cluster.close()


def concurrent_50k(context):
    pods_wanted = scaled(context, 50_000)
    cluster = Cluster(context, "concurrent-50k", nodes=8, node_pods=max(10_000, pods_wanted // 6))
    try:
        controller = cluster.start_controller()
        time.sleep(2)
        baseline = controller.snapshot()["rss"]
        workflow = workflows.generated_map("wide", pods_wanted, pods_wanted, "3600s")
        started = time.time()
        created = workflows.submit(cluster.api, workflow)
        cluster.write_outputs(created, "gen", {"items": list(range(pods_wanted))})
        poller = WorkflowPoller(cluster.api, "wide", interval=2.0)
        poller.start()
        deadline = started + context.limit("concurrent-50k")
        all_running = None
        while time.time() < deadline:
            running = cluster.live_pods("capstan.dev/node=work")
            if running >= pods_wanted and _running_pods(cluster) >= pods_wanted:
                all_running = time.time()
                break
            time.sleep(2)
        # Let the controller take in every status change, then read its memory.
        time.sleep(15 if all_running else 0)
        snap = controller.snapshot()
        poller.stopped.set()
        pods = controller.metric("capstan_pods_created_total")
        figures = {"pods": pods_wanted, "running_at_once": _running_pods(cluster)}
        figures.update(_base(cluster, started, all_running, pods))
        figures.update({
            "controller_rss_baseline_mib": round(baseline / KIB, 1), "controller_rss_tracking_mib": round(snap["rss"] / KIB, 1),
            "rss_per_tracked_pod_bytes": round((snap["rss"] - baseline) * KIB / pods_wanted),
            "peak_rss_per_tracked_pod_bytes": round((snap["hwm"] - baseline) * KIB / pods_wanted),
            "status_bytes_max": poller.max_status, "object_bytes_max": poller.max_object,
        })
        return figures
    finally:
        cluster.close()


def _running_pods(cluster):
    page = cluster.api.get(PODS.format(ns="default") + "?limit=1&fieldSelector=status.phase%3DRunning&labelSelector=capstan.dev%2Fnode%3Dwork")
    return len(page.get("items", [])) + int(page.get("metadata", {}).get("remainingItemCount", 0) or 0)


def many_workflows(context):
    return _many_workflows(context, "many-workflows", shards=0)


def shards_2(context):
    """many-workflows on one shard, then on two (one `capstan run` per shard): the rate of
    each and their ratio, measured in one run."""
    one = _many_workflows(context, "shards-2-one", shards=1)
    two = _many_workflows(context, "shards-2-two", shards=2)
    figures = dict(two)
    figures["one_shard_workflows_per_minute"] = one.get("workflows_per_minute")
    figures["one_shard_controller_cpu_seconds"] = one.get("controller_cpu_seconds")
    if one.get("workflows_per_minute") and two.get("workflows_per_minute"):
        figures["shard_speedup"] = round(two["workflows_per_minute"] / one["workflows_per_minute"], 2)
    figures["completed"] = bool(one.get("completed") and two.get("completed"))
    return figures


def _many_workflows(context, name, shards):
    count = scaled(context, 10_000)
    cluster = Cluster(context, name, nodes=8)
    finished, sizes = {}, {"object": 0, "status": 0}
    lock = threading.Lock()

    def handle(kind, obj, arrived):
        phase = (obj.get("status") or {}).get("phase")
        with lock:
            sizes["object"] = max(sizes["object"], len(json.dumps(obj, separators=(",", ":"))))
            if phase in WorkflowPoller.TERMINAL and obj["metadata"]["name"] not in finished:
                finished[obj["metadata"]["name"]] = (arrived, phase)

    try:
        if shards:
            cluster.start_shards(shards)
        else:
            cluster.start_controller()
        watch = Watch(cluster.api, WORKFLOWS.format(ns="default"), handle)
        watch.start()
        watch.ready.wait(30)
        started = time.time()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: workflows.submit(cluster.api, workflows.one_pod(f"mw-{i:05d}")), range(count)))
        submitted = time.time()
        deadline = started + context.limit("many-workflows")
        while time.time() < deadline and len(finished) < count:
            time.sleep(0.5)
        watch.stop()
        with lock:
            done = len(finished)
            last = max((t for t, _ in finished.values()), default=None)
            failed = sum(1 for _, phase in finished.values() if phase != "Succeeded")
        pods = cluster.controller_metric("capstan_pods_created_total")
        figures = {"workflows": count, "finished": done, "not_succeeded": failed,
                   "submit_seconds": round(submitted - started, 2)}
        figures.update(_base(cluster, started, last if done == count else None, pods))
        wall = (last or time.time()) - started
        figures["workflows_per_minute"] = round(done / wall * 60) if wall > 0 else None
        figures["object_bytes_max"] = sizes["object"]
        return figures
    finally:
        cluster.close()


def chain_handoff(context):
    length = scaled(context, 1000, minimum=2)
    cluster = Cluster(context, "chain-handoff", nodes=2)
    seen_added, seen_finished, stamps = {}, {}, {}

    def handle(kind, obj, arrived):
        node = obj["metadata"].get("labels", {}).get("capstan.dev/node")
        if not node:
            return
        seen_added.setdefault(node, arrived)
        main = next((c for c in (obj.get("status") or {}).get("containerStatuses", []) if c.get("name") == "main"), None)
        terminated = main and main.get("state", {}).get("terminated")
        if terminated and node not in seen_finished:
            seen_finished[node] = arrived
            stamps[node] = (obj["metadata"].get("creationTimestamp"), terminated.get("finishedAt"))
        elif node not in stamps:
            stamps[node] = (obj["metadata"].get("creationTimestamp"), None)

    try:
        controller = cluster.start_controller()
        watch = Watch(cluster.api, PODS.format(ns="default"), handle, selector="capstan.dev/workflow=chain")
        watch.start()
        watch.ready.wait(30)
        started = time.time()
        workflows.submit(cluster.api, workflows.chain("chain", length))
        poller = WorkflowPoller(cluster.api, "chain", interval=0.25)
        poller.start()
        done = poller.wait(started + context.limit("chain-handoff"))
        time.sleep(0.5)
        watch.stop()
        handoffs, stamped = [], []
        for i in range(length - 1):
            a, b = workflows.chain_node(i), workflows.chain_node(i + 1)
            if a in seen_finished and b in seen_added:
                handoffs.append((seen_added[b] - seen_finished[a]) * 1000)
            finished_at, created_at = stamps.get(a, (None, None))[1], stamps.get(b, (None, None))[0]
            if finished_at and created_at and "." in finished_at and "." in created_at:
                stamped.append(_rfc3339(created_at) - _rfc3339(finished_at))
        pods = controller.metric("capstan_pods_created_total")
        figures = {"nodes": length, "phase": poller.phase, "handoffs_measured": len(handoffs)}
        figures.update(_base(cluster, started, poller.finished_at if done else None, pods))
        figures.update({
            "handoff_p50_ms": round(percentile(handoffs, 50), 1) if handoffs else None,
            "handoff_p99_ms": round(percentile(handoffs, 99), 1) if handoffs else None,
            "handoff_max_ms": round(max(handoffs), 1) if handoffs else None,
            "handoff_source": "watch arrival times (pod terminated event -> next pod ADDED event)",
            "status_bytes_max": poller.max_status, "object_bytes_max": poller.max_object,
        })
        if stamped:
            figures["handoff_timestamps_p50_ms"] = round(percentile(stamped, 50) * 1000, 1)
            figures["handoff_timestamps_p99_ms"] = round(percentile(stamped, 99) * 1000, 1)
        return figures
    finally:
        cluster.close()


def _rfc3339(text):
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def efficiency(context):
    count = scaled(context, 20_000, minimum=2_000)
    cluster = Cluster(context, "efficiency", nodes=8, node_pods=max(10_000, count))
    try:
        controller = cluster.start_controller()
        deadline = time.time() + context.limit("efficiency")
        first = _controller_rate(cluster, controller, "eff-a", count, deadline)
        template = pod_template(cluster.api, "eff-a")
        bare = create_pods(cluster.sim.url, template, count, prefix="bare-", concurrency=32)
        second = _controller_rate(cluster, controller, "eff-b", count, deadline)
        rates = [r["rate"] for r in (first, second) if r["rate"]]
        controller_rate = sum(rates) / len(rates) if rates else None
        figures = {"pods": count, "completed": len(rates) == 2 and bare["failures"] == 0,
                   "controller_rates": [first["rate"], second["rate"]],
                   "controller_pods_per_second": controller_rate and round(controller_rate, 1),
                   "bare_client_pods_per_second": round(bare["rate"], 1), "bare_client_failures": bare["failures"],
                   "bare_client_cpu_seconds": round(bare["cpu"], 2),
                   "efficiency": controller_rate and round(controller_rate / bare["rate"], 3)}
        figures.update(cluster.figures())
        return figures
    finally:
        cluster.close()


def _controller_rate(cluster, controller, name, count, deadline):
    """Pods per second from the controller's first map pod to its last, read from
    capstan_pods_created_total every 50 ms."""
    before = controller.metric("capstan_pods_created_total")
    created = workflows.submit(cluster.api, workflows.generated_map(name, count, count, "3600s"))
    cluster.write_outputs(created, "gen", {"items": list(range(count))})
    first = last = None
    while time.time() < deadline:
        made = controller.metric("capstan_pods_created_total") - before
        now = time.time()
        if first is None and made >= 2:
            first = (now, made)
        if made >= count + 1:
            last = (now, made)
            break
        time.sleep(0.05)
    if not (first and last) or last[0] <= first[0]:
        return {"rate": None}
    return {"rate": (last[1] - first[1]) / (last[0] - first[0])}


def dag_10k(context):
    """DAGs of 10,000 task nodes: a fan-in (10,000 side by side and a join), then a chain
    (each node after the one before, `chain_` figures): how long each takes, and that the
    Workflow's status stays under its 256 KiB budget (finished nodes archived, SPEC §15)."""
    width = scaled(context, 10_000, minimum=2)
    figures = _large_dag(context, "dag-10k", workflows.fan_in("dag", width), width + 1, deadline_share=0.4)
    chain = _large_dag(context, "dag-10k-chain", workflows.defaults_chain("chain", width), width, deadline_share=0.6)
    figures.update({"chain_" + key: value for key, value in chain.items() if key != "cluster"})
    figures["completed"] = bool(figures.get("completed") and chain.get("completed"))
    return figures


def _large_dag(context, name, workflow, nodes, deadline_share):
    cluster = Cluster(context, name, nodes=8, node_pods=max(2_000, nodes // 4))
    workflow_name = workflow["metadata"]["name"]
    try:
        controller = cluster.start_controller()
        started = time.time()
        workflows.submit(cluster.api, workflow)
        poller = WorkflowPoller(cluster.api, workflow_name, interval=1.0)
        poller.start()
        done = poller.wait(started + context.limit("dag-10k") * deadline_share)
        pods = controller.metric("capstan_pods_created_total")
        status = poller.status or {}
        rows = (status.get("archivedNodes") or {}).get("rows") or {}
        figures = {"nodes": nodes, "phase": poller.phase}
        figures.update(_base(cluster, started, poller.finished_at if done else None, pods))
        figures.update({
            "status_bytes_max": poller.max_status, "object_bytes_max": poller.max_object,
            "status_under_256KiB": poller.max_status < 256 * KIB,
            "nodes_archived": sum(len(chunk.split(";")) for chunk in rows.values() if chunk),
            "nodes_detailed": len(status.get("nodes") or {}),
        })
        return figures
    finally:
        cluster.close()


SCENARIOS = {
    "map-1m": map_1m,
    "map-1m-workers": map_1m_workers,
    "concurrent-50k": concurrent_50k,
    "many-workflows": many_workflows,
    "chain-handoff": chain_handoff,
    "efficiency": efficiency,
    "shards-2": shards_2,
    "dag-10k": dag_10k,
}

# Each scenario stops by itself after this many seconds at full scale (scaled down with --scale).
TIME_LIMITS = {"map-1m": 5400, "map-1m-workers": 1800, "concurrent-50k": 1200, "many-workflows": 1800, "chain-handoff": 900, "efficiency": 900,
               "shards-2": 1800, "dag-10k": 2400}
