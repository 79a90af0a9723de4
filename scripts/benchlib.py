"""What the Python benchmark scripts share: free ports, waiting for a server, percentiles, JSON calls to Pillar."""
import json
import socket
import sys
import time
from urllib import request as urlrequest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(url, process, timeout=600):
    """Until `url` answers 200; exits when the process dies first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{process.args[0]} {process.args[1]} exited with {process.returncode}")
        try:
            with urlrequest.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.2)
    sys.exit(f"{url} did not answer in {timeout} s")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def call(base, key, method, path, body=None, timeout=120):
    """One JSON request to a Pillar API with a bearer key; the decoded answer (or {} when empty)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urlrequest.Request(base + path, data=data, method=method,
                             headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urlrequest.urlopen(req, timeout=timeout) as response:
        return json.loads(response.read() or b"{}")
