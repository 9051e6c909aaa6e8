#!/usr/bin/env python3
"""Load generator for `capstan sim`: creates pods over keep-alive connections from several
processes while watchers count the events they receive, then prints the rates.

Usage: load.py URL --pods N --clients C --watchers W
"""
import argparse
import http.client
import json
import multiprocessing as mp
import time
import urllib.parse


def pod_body(prefix):
    return json.dumps({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"generateName": prefix, "labels": {"app.kubernetes.io/managed-by": "capstan",
                                                         "capstan.dev/workflow": "bench"}},
        "spec": {"restartPolicy": "Never",
                 "containers": [{"name": "main", "image": "python:3.12-slim", "command": ["python", "task.py"],
                                 "env": [{"name": "CAPSTAN_NODE", "value": "train"}],
                                 "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]},
    }).encode()


def creator(url, count, index, results):
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port)
    body = pod_body(f"bench-{index}-")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    failures = 0
    for _ in range(count):
        connection.request("POST", "/api/v1/namespaces/default/pods", body, headers)
        response = connection.getresponse()
        response.read()
        if response.status != 201:
            failures += 1
    results.put(failures)


def watcher(url, expected, results, ready):
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=300)
    connection.request("GET", "/api/v1/namespaces/default/pods?watch=true&resourceVersion=1&timeoutSeconds=600")
    response = connection.getresponse()
    ready.set()
    seen = 0
    first = None
    while seen < expected:
        line = response.readline()
        if not line:
            break
        if first is None:
            first = time.monotonic()
        seen += 1
    results.put((seen, first, time.monotonic()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--pods", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--watchers", type=int, default=2)
    args = parser.parse_args()

    watch_results = mp.Queue()
    watchers = []
    for _ in range(args.watchers):
        ready = mp.Event()
        process = mp.Process(target=watcher, args=(args.url, args.pods, watch_results, ready))
        process.start()
        ready.wait(10)
        watchers.append(process)

    create_results = mp.Queue()
    per_client = args.pods // args.clients
    start = time.monotonic()
    creators = [mp.Process(target=creator, args=(args.url, per_client, i, create_results)) for i in range(args.clients)]
    for process in creators:
        process.start()
    for process in creators:
        process.join()
    elapsed = time.monotonic() - start
    failures = sum(create_results.get() for _ in creators)
    total = per_client * args.clients
    print(f"pod creates: {total} in {elapsed:.2f}s = {total / elapsed:.0f}/s ({failures} failed, {args.clients} clients)")

    events = 0
    for process in watchers:
        process.join(120)
    last = start
    for _ in watchers:
        seen, first, end = watch_results.get(timeout=10)
        events += seen
        last = max(last, end)
    span = last - start
    print(f"watch events: {events} over {args.watchers} watchers in {span:.2f}s = {events / span:.0f}/s delivered")

    parsed = urllib.parse.urlparse(args.url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=300)
    begin = time.monotonic()
    connection.request("GET", "/api/v1/pods")
    body = connection.getresponse().read()
    items = len(json.loads(body)["items"])
    print(f"full list: {items} pods, {len(body) / 1e6:.1f} MB in {time.monotonic() - begin:.2f}s")
    begin = time.monotonic()
    pages = 0
    token = ""
    while True:
        connection.request("GET", "/api/v1/pods?limit=500&continue=" + urllib.parse.quote(token))
        page = json.loads(connection.getresponse().read())
        pages += 1
        token = page["metadata"].get("continue", "")
        if not token:
            break
    print(f"paged list: {pages} pages of 500 in {time.monotonic() - begin:.2f}s")


if __name__ == "__main__":
    main()
