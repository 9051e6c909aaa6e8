"""A bare client: creates pods and nothing else, with as many requests in flight as the
controller allows itself (`podRequestConcurrency`, 32), over keep-alive connections from
several processes so that Python is not what limits it."""
import copy
import json
import multiprocessing as mp
import resource
import threading
import time
import urllib.parse

from .api import API, PODS

SPEC_FIELDS = {"restartPolicy", "containers", "tolerations", "nodeSelector", "activeDeadlineSeconds", "affinity"}
CONTAINER_FIELDS = {"name", "image", "env", "command", "args", "workingDir", "resources",
                    "terminationMessagePath", "terminationMessagePolicy"}


def pod_template(api, workflow):
    """One of the controller's pods for `workflow`, cut back to what the controller sent,
    with a label the controller does not watch so that it ignores the copies."""
    query = urllib.parse.urlencode({"labelSelector": f"capstan.dev/workflow={workflow},capstan.dev/node=work", "limit": "1"})
    pod = api.get(PODS.format(ns="default") + "?" + query)["items"][0]
    meta = pod["metadata"]
    labels = dict(meta.get("labels", {}))
    labels["app.kubernetes.io/managed-by"] = "bare-client"
    spec = {k: v for k, v in pod["spec"].items() if k in SPEC_FIELDS}
    spec["containers"] = [{k: v for k, v in c.items() if k in CONTAINER_FIELDS} for c in spec["containers"]]
    spec.pop("tolerations", None)  # the sim added kube's default tolerations; the controller sent none
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": meta["name"], "namespace": "default", "labels": labels,
                         "annotations": meta.get("annotations", {}), "ownerReferences": meta.get("ownerReferences", [])},
            "spec": spec}


def _worker(url, template, indexes, prefix, threads, start, results):
    api = API(url)
    bodies = []
    for i in indexes:
        pod = copy.deepcopy(template)
        pod["metadata"]["name"] = f"{prefix}{i}"
        pod["metadata"]["labels"]["capstan.dev/index"] = str(i)
        bodies.append(json.dumps(pod).encode())
    failures = [0]
    lock = threading.Lock()
    cursor = [0]

    def run():
        while True:
            with lock:
                if cursor[0] >= len(bodies):
                    return
                body = bodies[cursor[0]]
                cursor[0] += 1
            status, _ = api.raw("POST", PODS.format(ns="default"), body)
            if status != 201:
                with lock:
                    failures[0] += 1

    start.wait()  # every process has its bodies ready
    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    results.put((failures[0], time.time()))


def create_pods(url, template, count, prefix="bare-", concurrency=32, processes=4):
    """Creates `count` pods; returns the rate from the first request to the last answer."""
    context = mp.get_context("fork")
    start, results = context.Barrier(processes + 1), context.Queue()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = [context.Process(target=_worker, args=(url, template, range(p, count, processes), prefix,
                                                     concurrency // processes, start, results))
               for p in range(processes)]
    for w in workers:
        w.start()
    start.wait()  # bodies are encoded before the clock starts
    began = time.time()
    outcomes = [results.get() for _ in workers]
    for w in workers:
        w.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ended = max(t for _, t in outcomes)
    return {"rate": count / (ended - began), "failures": sum(f for f, _ in outcomes),
            "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)}
