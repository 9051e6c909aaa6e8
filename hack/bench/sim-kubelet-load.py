#!/usr/bin/env python3
"""Load for `capstan sim`'s kubelet half: creates pods that stay alive (a long
sim.capstan.dev/duration) over keep-alive connections, while a watch counts the pods the
scheduler and kubelets bring to Running. Prints creates/s and the time until all run.

Usage: sim-kubelet-load.py URL --pods N --clients C [--duration 1h]
"""
import argparse
import http.client
import json
import multiprocessing as mp
import time
import urllib.parse


def pod_body(prefix, duration):
    return json.dumps({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"generateName": prefix,
                     "labels": {"app.kubernetes.io/managed-by": "capstan", "capstan.dev/workflow": "bench",
                                "capstan.dev/attempt": "0"},
                     "annotations": {"sim.capstan.dev/duration": duration}},
        "spec": {"restartPolicy": "Never",
                 "containers": [{"name": "main", "image": "python:3.12-slim", "command": ["python", "task.py"],
                                 "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]},
    }).encode()


def creator(url, count, index, duration, results):
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port)
    body = pod_body(f"bench-{index}-", duration)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    failures = 0
    for _ in range(count):
        connection.request("POST", "/api/v1/namespaces/default/pods", body, headers)
        response = connection.getresponse()
        response.read()
        if response.status != 201:
            failures += 1
    results.put(failures)


def running_watcher(url, expected, results, ready):
    """Counts pods entering status.phase=Running; reports when each tenth arrived."""
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=900)
    selector = urllib.parse.quote("status.phase=Running")
    connection.request("GET", f"/api/v1/namespaces/default/pods?watch=true&fieldSelector={selector}&timeoutSeconds=1800")
    response = connection.getresponse()
    ready.set()
    seen = set()
    while len(seen) < expected:
        line = response.readline()
        if not line:
            break
        event = json.loads(line)
        if event.get("type") == "ADDED":
            seen.add(event["object"]["metadata"]["name"])
    results.put((len(seen), time.monotonic()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--pods", type=int, default=50000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", default="1h")
    args = parser.parse_args()

    per_client = args.pods // args.clients
    total = per_client * args.clients
    watch_results = mp.Queue()
    ready = mp.Event()
    watcher = mp.Process(target=running_watcher, args=(args.url, total, watch_results, ready))
    watcher.start()
    ready.wait(10)

    create_results = mp.Queue()
    start = time.monotonic()
    creators = [mp.Process(target=creator, args=(args.url, per_client, i, args.duration, create_results))
                for i in range(args.clients)]
    for process in creators:
        process.start()
    for process in creators:
        process.join()
    created = time.monotonic() - start
    failures = sum(create_results.get() for _ in creators)
    print(f"pod creates: {total} in {created:.2f}s = {total / created:.0f}/s ({failures} failed, {args.clients} clients)")

    watcher.join(900)
    seen, finished = watch_results.get(timeout=10)
    print(f"running: {seen}/{total} pods Running {finished - start:.2f}s after the first create "
          f"({finished - start - created:.2f}s after the last)")


if __name__ == "__main__":
    main()
