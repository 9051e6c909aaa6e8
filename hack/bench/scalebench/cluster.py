"""One scenario's cluster: a fresh `capstan sim` API server and its kubelets (in its process, or
a second one with `--kubelets process`), the CRD, `capstan run`, and samplers."""
import json
import os
import shutil
import sys
import threading
import time
import urllib.parse

from .api import PODS, APIError
from .processes import Controller, Kubelets, Sampler, Sim


class Cluster:
    def __init__(self, context, name, nodes=8, node_pods=10_000, controller_args=()):
        self.context = context
        self.workdir = os.path.join(context.workdir, name)
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)
        self.store = os.path.join(self.workdir, "store")
        os.makedirs(self.store)
        self.controller = None
        self.controller_args = controller_args
        self.sampler = None
        self.machine_busy = None
        self.kubelets = None
        in_process = context.kubelets == "in-process"
        self.sim = Sim(context.binary, self.workdir, nodes=nodes if in_process else 0, node_pods=node_pods)
        self.api = self.sim.api
        try:
            if not in_process:
                self.kubelets = Kubelets(context.binary, self.workdir, self.sim.kubeconfig, nodes, node_pods)
            self.sim.install_crd(context.root)
        except BaseException:
            self.close()
            raise

    def start_controller(self):
        self.controller = Controller(self.context.binary, self.workdir, self.sim.kubeconfig, self.store, self.controller_args)
        self.controllers = [self.controller]
        self.sampler = Sampler([c for c in (self.controller, self.sim, self.kubelets) if c])
        self.sampler.start()
        return self.controller

    def start_shards(self, shards, replicas=None):
        """`replicas` (default: one per shard) controllers with `--shards N` on one store;
        returns once every shard's Lease is held."""
        self.controllers = [
            Controller(self.context.binary, self.workdir, self.sim.kubeconfig, self.store,
                       (*self.controller_args, "--shards", str(shards)), name=f"controller-{i}")
            for i in range(replicas or shards)]
        self.controller = self.controllers[0]
        deadline = time.time() + 60
        for shard in range(shards):
            while time.time() < deadline:
                try:
                    lease = self.api.get(f"/apis/coordination.k8s.io/v1/namespaces/default/leases/capstan-shard-{shard}")
                    if lease.get("spec", {}).get("holderIdentity"):
                        break
                except APIError:
                    pass
                time.sleep(0.2)
        self.sampler = Sampler([c for c in (*self.controllers, self.sim, self.kubelets) if c])
        self.sampler.start()
        return self.controllers

    def controller_metric(self, name):
        """A metric summed over every controller process."""
        return sum(c.metric(name) for c in self.controllers)

    def close(self):
        if self.sampler:
            self.machine_busy = self.sampler.stop()
        for child in (*getattr(self, "controllers", [self.controller]), self.kubelets, self.sim):
            if child:
                child.stop()
        if not self.context.keep:
            shutil.rmtree(os.path.join(self.workdir, "store"), ignore_errors=True)

    def figures(self):
        """What the processes cost, read just before they stop."""
        out = {"machine_busy": round(self.sampler.busy_share(), 2) if self.sampler else None}
        controllers = getattr(self, "controllers", [self.controller])
        for child in (*controllers, self.sim, self.kubelets):
            snap = child and (child.snapshot() if child.alive() else child.final)
            if snap:
                out[f"{child.name}_cpu_seconds"] = round(snap["cpu"], 2)
                out[f"{child.name}_peak_rss_mib"] = round(snap["hwm"] / 1024, 1)
        if any(c and c.name != "controller" for c in controllers):
            # Shard replicas (named controller-N): their CPU added up, and the largest one's memory.
            snaps = [c.snapshot() if c.alive() else c.final for c in controllers]
            snaps = [s for s in snaps if s]
            out["controller_cpu_seconds"] = round(sum(s["cpu"] for s in snaps), 2)
            out["controller_peak_rss_mib"] = round(max(s["hwm"] for s in snaps) / 1024, 1) if snaps else None
        return out

    def live_pods(self, selector="app.kubernetes.io/managed-by=capstan"):
        """Pods that exist now, from a one-item list's remainingItemCount."""
        page = self.api.get(PODS.format(ns="default") + "?" + urllib.parse.urlencode({"limit": "1", "labelSelector": selector}))
        items = len(page.get("items", []))
        return items + int(page.get("metadata", {}).get("remainingItemCount", 0) or 0)

    def write_outputs(self, workflow, node, outputs):
        """Plays a task that uploads its outputs to CAPSTAN_OUTPUTS_URI (too large for the
        termination message): the controller reads them from the store when the pod ends."""
        meta = workflow["metadata"]
        directory = os.path.join(self.store, meta["namespace"], meta["name"], meta["uid"], node)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "outputs.json"), "w") as f:
            json.dump(outputs, f, separators=(",", ":"))


class WorkflowPoller(threading.Thread):
    """Reads one Workflow every `interval` seconds: the largest object and status seen,
    the latest status, and when it reached a terminal phase."""

    TERMINAL = ("Succeeded", "Failed", "Aborted")

    def __init__(self, api, name, interval=1.0, live_pods=None, live_every=1):
        super().__init__(daemon=True)
        self.api, self.name, self.interval = api, name, interval
        # Counting pods makes the sim sort its pod names: not on every poll.
        self.live_pods, self.live_every = live_pods, live_every
        self.stopped = threading.Event()
        self.max_object = 0
        self.max_status = 0
        self.max_live_pods = 0
        self.status = {}
        self.finished_at = None
        self.polls = 0
        self.began = time.time()
        self.last_report = self.began

    def run(self):
        while not self.stopped.is_set():
            self.poll()
            if self.finished_at:
                return
            self.stopped.wait(self.interval)

    def poll(self):
        try:
            data = self.api.workflow_bytes(self.name)
            if self.live_pods and self.polls % self.live_every == 0:
                self.max_live_pods = max(self.max_live_pods, self.live_pods())
        except (OSError, APIError):
            return
        if data is None:
            return
        obj = json.loads(data)
        self.polls += 1
        self.max_object = max(self.max_object, len(json.dumps(obj, separators=(",", ":")).encode()))
        status = obj.get("status") or {}
        self.max_status = max(self.max_status, len(json.dumps(status, separators=(",", ":")).encode()))
        self.status = status
        if status.get("phase") in self.TERMINAL and not self.finished_at:
            self.finished_at = time.time()
        if time.time() - self.last_report >= 30:
            self.last_report = time.time()
            self.report()

    def report(self):
        """A progress line on stderr, so a long scenario shows it is moving."""
        nodes = self.status.get("nodes") or {}
        maps = [n["map"] for n in nodes.values() if isinstance(n, dict) and n.get("map")]
        done = sum(1 for n in nodes.values() if isinstance(n, dict) and n.get("phase") in self.TERMINAL + ("Skipped",))
        detail = ", ".join(f"map {m.get('succeeded', 0):,}/{m.get('total', 0):,} succeeded, {m.get('running', 0):,} running"
                           for m in maps)
        print(f"   {self.name}: {time.time() - self.began:.0f}s, {self.phase}, {done} nodes finished"
              + (f", {detail}" if detail else "") + f", status {self.max_status:,} B max",
              file=sys.stderr, flush=True)

    def wait(self, deadline):
        while time.time() < deadline and not self.finished_at:
            time.sleep(0.2)
        self.stopped.set()
        self.poll()
        return self.finished_at is not None

    @property
    def phase(self):
        return self.status.get("phase", "Pending")
