"""Measures `pillar serve` on its embedded defaults: start-up time to ready, idle memory, and the local
model's time to first token and decode speed, through Pillar and directly against its llama-server (the
gateway's overhead, as a ratio). Run with the venv `make setup` creates:

    $HOME/.cache/pillar/venv/bin/python scripts/bench-startup-and-local-model.py [--runs 20]
"""
import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
KEY = "pk-benchmark-admin-key-000000000000"
PROMPT = [{"role": "user", "content": "Write three sentences about the sea."}]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stream_once(url, headers, model):
    started = time.perf_counter()
    first = None
    tokens = 0
    with requests.post(url, headers=headers, stream=True, json={
            "model": model, "messages": PROMPT, "stream": True, "max_tokens": 128, "temperature": 0,
            "stream_options": {"include_usage": True}}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith(b"data: ") or line == b"data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
                first = first or time.perf_counter()
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
    ended = time.perf_counter()
    return (first - started) * 1000, tokens / (ended - first) if tokens > 1 else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--binary", default=str(REPO / ".build" / "release" / "pillar"))
    args = parser.parse_args()

    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="pillar-bench-")
    started = time.perf_counter()
    server = subprocess.Popen([args.binary, "serve", "--port", str(port), "--data-dir", data_dir],
                              env={**os.environ, "PILLAR_BOOTSTRAP_KEY": KEY},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            if requests.get(base + "/readyz", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.02)
    startup = time.perf_counter() - started
    try:
        time.sleep(2)
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        llama_pid = int(children[0])
        llama_port = int(re.search(r"--port (\d+)", Path(f"/proc/{llama_pid}/cmdline").read_text().replace("\0", " ")).group(1))
        idle_pillar, idle_llama = rss_mib(server.pid), rss_mib(llama_pid)

        headers = {"Authorization": f"Bearer {KEY}"}
        model = "smollm2-135m-instruct"
        stream_once(base + "/v1/chat/completions", headers, model)  # warm-up
        via_pillar, direct = [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine state
            via_pillar.append(stream_once(base + "/v1/chat/completions", headers, model))
            direct.append(stream_once(f"http://127.0.0.1:{llama_port}/v1/chat/completions", {}, model))
    finally:
        server.terminate()
        server.wait(30)

    def summary(samples):
        ttft = statistics.median(sample[0] for sample in samples)
        speed = statistics.median(sample[1] for sample in samples)
        return ttft, speed

    pillar_ttft, pillar_speed = summary(via_pillar)
    direct_ttft, direct_speed = summary(direct)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"start-up to /readyz (server + llama-server + model load): {startup:.2f} s")
    print(f"idle RSS: pillar {idle_pillar:.1f} MiB, llama-server {idle_llama:.1f} MiB")
    print(f"runs: {args.runs}, prompt: {PROMPT[0]['content']!r}, max_tokens 128, temperature 0")
    print(f"median time to first token: via Pillar {pillar_ttft:.1f} ms, direct {direct_ttft:.1f} ms, ratio {pillar_ttft / direct_ttft:.3f}")
    print(f"median decode speed: via Pillar {pillar_speed:.1f} tok/s, direct {direct_speed:.1f} tok/s, ratio {pillar_speed / direct_speed:.3f}")


if __name__ == "__main__":
    main()
