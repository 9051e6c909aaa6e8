"""The Workflows the scenarios submit. Pods run on the sim's scripted kubelet, which ends
each one after its `sim.capstan.dev/duration` annotation."""


def _sim(duration):
    return {"annotations": {"sim.capstan.dev/duration": duration}}


def generated_map(name, items, concurrency, duration, pod_gc="OnSuccess", workers=None):
    """A `gen` node whose `items` output is the list (uploaded to the store by the harness,
    as a task with outputs too large for its termination message does), and a map node
    over it. The list lives in the store, so the Workflow object stays small."""
    return {
        "apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "defaults": {"image": "busybox:1.36"},
            "podGC": pod_gc,
            "nodes": [
                {"name": "gen", "command": ["generate-items"], "outputs": ["items"], "podMetadata": _sim("3s")},
                {"name": "work", "map": _map(concurrency, workers), "command": ["work", "{{ item }}"], "podMetadata": _sim(duration)},
            ],
        },
        "_items": items,
    }


def _map(concurrency, workers):
    spec = {"over": "{{ nodes.gen.outputs.items }}", "concurrency": concurrency}
    if workers:
        spec["workers"] = {"replicas": workers, "idleTimeout": "1m"}
    return spec


def one_pod(name, duration="0s"):
    return {
        "apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodes": [{"name": "only", "image": "busybox:1.36", "command": ["true"], "podMetadata": _sim(duration)}]},
    }


def chain(name, length, duration="0s"):
    nodes = []
    for i in range(length):
        node = {"name": chain_node(i), "image": "busybox:1.36", "command": ["true"], "podMetadata": _sim(duration)}
        if i:
            node["dependsOn"] = [chain_node(i - 1)]
        nodes.append(node)
    return {"apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
            "metadata": {"name": name, "namespace": "default"}, "spec": {"nodes": nodes}}


def fan_in(name, width, duration="0s"):
    """`width` independent nodes and a `join` after them all: a DAG of width + 1 nodes whose
    every node field comes from `defaults`, so the spec stays small (~40 bytes a node)."""
    nodes = [{"name": chain_node(i)} for i in range(width)]
    nodes.append({"name": "join", "dependsOn": [chain_node(i) for i in range(width)]})
    return {"apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"defaults": {"image": "busybox:1.36", "command": ["true"], "podMetadata": _sim(duration)},
                     "podGC": "OnSuccess", "nodes": nodes}}


def defaults_chain(name, length, duration="0s"):
    """`length` nodes, each after the one before, every node field from `defaults`."""
    nodes = [{"name": chain_node(0)}] + [{"name": chain_node(i), "dependsOn": [chain_node(i - 1)]} for i in range(1, length)]
    return {"apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"defaults": {"image": "busybox:1.36", "command": ["true"], "podMetadata": _sim(duration)},
                     "podGC": "OnSuccess", "nodes": nodes}}


def chain_node(i):
    return f"n{i:05d}"


def submit(api, workflow):
    """Creates the Workflow; returns the created object."""
    body = {k: v for k, v in workflow.items() if not k.startswith("_")}
    return api.create_workflow(body)
