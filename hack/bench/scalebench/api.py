"""A small Kubernetes API client over http.client: JSON requests on a keep-alive connection
per thread, watches read line by line, and the few Workflow helpers the scenarios need."""
import http.client
import json
import threading
import time
import urllib.parse

WORKFLOWS = "/apis/capstan.dev/v1alpha1/namespaces/{ns}/workflows"
PODS = "/api/v1/namespaces/{ns}/pods"


class APIError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body[:300]!r}")
        self.status = status
        self.body = body


class API:
    """One connection per thread to the API server at `url` (http://127.0.0.1:PORT)."""

    def __init__(self, url, timeout=60):
        parsed = urllib.parse.urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.timeout = timeout
        self.local = threading.local()

    def _connection(self):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.local.connection = connection
        return connection

    def raw(self, method, path, body=None, content_type="application/json"):
        """Returns (status, bytes). Retries once on a connection the server closed."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        for attempt in range(2):
            connection = self._connection()
            try:
                connection.request(method, path, body, headers)
                response = connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError, OSError):
                connection.close()
                self.local.connection = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def request(self, method, path, obj=None, content_type="application/json", ok=(200, 201)):
        body = None if obj is None else (obj if isinstance(obj, bytes) else json.dumps(obj).encode())
        status, data = self.raw(method, path, body, content_type)
        if status not in ok:
            raise APIError(status, data)
        return json.loads(data) if data else None

    def get(self, path):
        return self.request("GET", path)

    def create_workflow(self, workflow, namespace="default"):
        return self.request("POST", WORKFLOWS.format(ns=namespace), workflow)

    def workflow_bytes(self, name, namespace="default"):
        """The Workflow's JSON as the server sends it, or None when it does not exist."""
        status, data = self.raw("GET", WORKFLOWS.format(ns=namespace) + "/" + name)
        return data if status == 200 else None

    def patch_workflow(self, name, patch, namespace="default"):
        return self.request("PATCH", WORKFLOWS.format(ns=namespace) + "/" + name, patch,
                            content_type="application/merge-patch+json")

    def delete(self, path):
        return self.request("DELETE", path, ok=(200, 202, 404))

    def wait_until(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, _ = self.raw("GET", path)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{path} did not answer 200 within {timeout}s")

    def count(self, path, selector=None):
        """Number of objects in a collection, listed in pages of 5000."""
        total, token = 0, None
        while True:
            query = {"limit": "5000"}
            if selector:
                query["labelSelector"] = selector
            if token:
                query["continue"] = token
            page = self.get(path + "?" + urllib.parse.urlencode(query))
            total += len(page.get("items", []))
            token = page.get("metadata", {}).get("continue")
            if not token:
                return total


class Watch(threading.Thread):
    """Watches a collection from now on and hands each event, with the wall time it
    arrived, to `handle(event_type, obj, arrived)`. Resumes after the server ends a watch."""

    def __init__(self, api, path, handle, selector=None):
        super().__init__(daemon=True)
        self.api, self.path, self.handle, self.selector = api, path, handle, selector
        self.stopped = threading.Event()
        self.ready = threading.Event()
        self.version = None
        self.errors = 0

    def run(self):
        listing = self.api.get(self.path + ("?" + urllib.parse.urlencode({"labelSelector": self.selector}) if self.selector else ""))
        self.version = listing["metadata"]["resourceVersion"]
        for item in listing.get("items", []):
            self.handle("ADDED", item, time.time())
        while not self.stopped.is_set():
            query = {"watch": "true", "resourceVersion": self.version, "timeoutSeconds": "300", "allowWatchBookmarks": "true"}
            if self.selector:
                query["labelSelector"] = self.selector
            connection = http.client.HTTPConnection(self.api.host, self.api.port, timeout=330)
            try:
                connection.request("GET", self.path + "?" + urllib.parse.urlencode(query))
                response = connection.getresponse()
                self.ready.set()
                while not self.stopped.is_set():
                    line = response.readline()
                    if not line:
                        break
                    arrived = time.time()
                    event = json.loads(line)
                    obj = event.get("object", {})
                    version = obj.get("metadata", {}).get("resourceVersion")
                    if event["type"] == "ERROR":
                        self.errors += 1
                        break
                    if version:
                        self.version = version
                    if event["type"] != "BOOKMARK":
                        self.handle(event["type"], obj, arrived)
            except (OSError, http.client.HTTPException, ValueError):
                self.errors += 1
                time.sleep(0.2)
            finally:
                connection.close()

    def stop(self):
        self.stopped.set()
