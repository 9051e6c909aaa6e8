"""`capstan sim` and `capstan run` as child processes, and what /proc says about them."""
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request

from .api import API

TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_kib(pid):
    """(VmRSS, VmHWM) in KiB."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def machine_busy():
    """(busy, total) jiffies of all cores, from /proc/stat."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


class Child:
    """A child process whose output goes to a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, name, argv, log_path):
        self.name, self.log_path = name, log_path
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.process.pid
        self.final = None

    def alive(self):
        return self.process.poll() is None

    def snapshot(self):
        """CPU seconds, RSS and peak RSS (KiB), read while the process still exists."""
        if not self.alive():
            return self.final
        rss, hwm = memory_kib(self.pid)
        self.final = {"cpu": cpu_seconds(self.pid), "rss": rss, "hwm": hwm}
        return self.final

    def stop(self, timeout=15):
        if self.alive():
            self.snapshot()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def tail(self, lines=20):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""


    def wait_for_line(self, prefix, what, timeout=60):
        """The rest of the first output line that starts with `prefix` (bytes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                for line in f:
                    if line.startswith(prefix):
                        return line[len(prefix):].strip().decode()
            if not self.alive():
                break
            time.sleep(0.05)
        raise RuntimeError(f"{what} did not start:\n{self.tail()}")


class Sim(Child):
    """The simulated API server; with `nodes`, also its nodes, scheduler and kubelets, which
    reach it in process (no HTTP). With `nodes=0` those are `Kubelets`, a process of its own
    talking HTTP."""

    def __init__(self, binary, workdir, extra=(), nodes=0, node_pods=None):
        self.kubeconfig = os.path.join(workdir, "kubeconfig")
        sizes = ["--nodes", str(nodes)] + (["--node-pods", str(node_pods)] if nodes and node_pods else [])
        argv = [binary, "sim", "--listen", "127.0.0.1:0", "--kubeconfig-out", self.kubeconfig, *sizes, *extra]
        super().__init__("sim", argv, os.path.join(workdir, "sim.log"))
        self.url = self.wait_for_line(b"capstan sim: listening on ", "capstan sim")
        self.api = API(self.url)

    def install_crd(self, root):
        crd = os.path.join(root, "config", "crd", "capstan.dev_workflows.yaml")
        subprocess.run(["kubectl", "--kubeconfig", self.kubeconfig, "apply", "-f", crd],
                       check=True, stdout=subprocess.DEVNULL)
        self.api.wait_until("/apis/capstan.dev/v1alpha1/namespaces/default/workflows")


class Kubelets(Child):
    """`capstan sim --attach`: the simulated nodes, scheduler and scripted kubelets, talking
    to the sim's API server over HTTP; returns once the nodes are registered."""

    def __init__(self, binary, workdir, kubeconfig, nodes, node_pods):
        argv = [binary, "sim", "--attach", kubeconfig, "--nodes", str(nodes), "--node-pods", str(node_pods)]
        super().__init__("kubelets", argv, os.path.join(workdir, "kubelets.log"))
        self.wait_for_line(b"capstan sim: kubelets attached to ", "capstan sim --attach")


class Controller(Child):
    def __init__(self, binary, workdir, kubeconfig, store, extra=(), name="controller"):
        self.metrics_port, self.health_port = free_port(), free_port()
        argv = [binary, "run", "--kubeconfig", kubeconfig, "--store", "file://" + store,
                "--kube-qps", "0", "--metrics-addr", f"127.0.0.1:{self.metrics_port}",
                "--health-addr", f"127.0.0.1:{self.health_port}", "--log-format", "json", *extra]
        super().__init__(name, argv, os.path.join(workdir, f"{name}.log"))
        self._wait_ready()

    def _wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.health_port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if not self.alive():
                break
            time.sleep(0.1)
        raise RuntimeError(f"capstan run did not become ready:\n{self.tail()}")

    def metric(self, name):
        """Sum of a metric's samples on /metrics (all label sets)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as r:
            text = r.read().decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name) and (line[len(name)] in " {"):
                total += float(line.rsplit(" ", 1)[1])
        return total


    def histogram_quantile(self, name, q):
        """The `q` quantile of a histogram on /metrics, as Prometheus' histogram_quantile
        estimates it (linear within the bucket); None while it has no samples."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as r:
            text = r.read().decode()
        buckets = []
        for line in text.splitlines():
            if line.startswith(name + "_bucket{"):
                bound = line.split('le="', 1)[1].split('"', 1)[0]
                buckets.append((float("inf") if bound == "+Inf" else float(bound), float(line.rsplit(" ", 1)[1])))
        buckets.sort()
        if not buckets or buckets[-1][1] == 0:
            return None
        rank = q * buckets[-1][1]
        lower, below = 0.0, 0.0
        for bound, count in buckets:
            if count >= rank:
                if bound == float("inf"):
                    return lower
                return lower + (bound - lower) * (rank - below) / max(count - below, 1e-9)
            lower, below = bound, count
        return lower


class Sampler(threading.Thread):
    """Samples the processes' CPU and memory and the machine's load every `interval` seconds."""

    def __init__(self, children, interval=0.5):
        super().__init__(daemon=True)
        self.children, self.interval = children, interval
        self.stopped = threading.Event()
        self.samples = []
        self.start_busy = machine_busy()

    def run(self):
        while not self.stopped.wait(self.interval):
            sample = {"t": time.time()}
            for child in self.children:
                snap = child.snapshot() if child.alive() else None
                if snap:
                    sample[child.name] = snap
            self.samples.append(sample)

    def busy_share(self):
        """Share of all cores busy (anyone's work) since the sampler started."""
        busy, total = machine_busy()
        spent = total - self.start_busy[1]
        return (busy - self.start_busy[0]) / spent if spent else 0.0

    def stop(self):
        self.stopped.set()
        busy, total = machine_busy()
        spent = total - self.start_busy[1]
        return (busy - self.start_busy[0]) / spent if spent else 0.0
