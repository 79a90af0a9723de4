"""Stopping `pillar serve` under load, gracefully (SIGTERM) and not (SIGKILL), against the simulator and against
the embedded local model: what clients were told stays true, the database stays whole, and no child outlives it.

  * SIGTERM: the process exits within its drain time; no request hangs; every stream that started ends with
    `[DONE]` or an error event; every answer a client got (whole or streamed to the end) is a recorded turn.
  * SIGKILL: every whole answer that got its 200 is a recorded turn, every key whose creation got its 201 is in
    the audit log, `PRAGMA integrity_check` is ok, the audit chain verifies, the server starts again on the same
    data directory, and the llama-server children die with it within seconds.
  * A llama-server that a killed run left running (recorded in DATA/llama-server.pid) is stopped by the next
    start; a process that merely has a recorded pid is left alone.
"""
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from conftest import ADMIN_KEY, PILLAR_BIN, free_port, start_pillar, start_simulator

CACHE = Path(os.environ.get("PILLAR_CACHE", Path.home() / ".cache" / "pillar"))
LLAMA_SERVER = CACHE / "llama.cpp-0.3.16" / "bin" / "llama-server"
CHAT_MODEL_FILE = CACHE / "models" / "SmolLM2-135M-Instruct.gguf"
LOCAL_MODEL = "smollm2-135m-instruct"
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
# Longer than any request of these loads (about a second each) plus llama-server's stop (SIGTERM, then SIGKILL
# after 5 s): a server still running after this did not drain, it hung.
DRAIN_SECONDS = 15
# The simulator's answer: 40 words at 60 tokens a second, so streams and whole answers are in flight for
# most of a second when the signal comes.
REPLY = " ".join(f"word{index}" for index in range(40))


@dataclass
class Outcome:
    kind: str  # "whole", "stream" or "key"
    status: int | None = None  # None: no HTTP answer (refused, reset)
    trace_id: str | None = None
    ending: str = "none"  # streams: "done", "error", "cut"; any request: "hang" when it never ended
    key_id: str | None = None


class Load:
    """Threads that chat with Pillar (whole and streamed, each thread on its own keep-alive connection) and, in
    one more thread, create API keys (each one an audit record), until stopped; each outcome is kept."""

    def __init__(self, base: str, model: str, chat_threads: int, max_tokens: int | None = None):
        self.base, self.model, self.max_tokens = base, model, max_tokens
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.chat, args=(index % 2 == 1,), daemon=True)
                        for index in range(chat_threads)]
        self.threads.append(threading.Thread(target=self.create_keys, daemon=True))
        for thread in self.threads:
            thread.start()

    def stop(self) -> list[Outcome]:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=40)
            assert not thread.is_alive(), "a client thread hung"
        return self.outcomes

    def keep(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def chat(self, streamed: bool) -> None:
        session = requests.Session()
        body = {"model": self.model, "messages": [{"role": "user", "content": "Say something."}], "stream": streamed}
        if self.max_tokens:
            body["max_tokens"] = self.max_tokens
        while not self.stopping.is_set():
            outcome = Outcome("stream" if streamed else "whole")
            try:
                response = session.post(self.base + "/v1/chat/completions", json=body, headers=HEADERS,
                                        timeout=(2, 20), stream=streamed)
                outcome.status = response.status_code
                outcome.trace_id = response.headers.get("x-trace-id")
                if streamed and response.status_code == 200:
                    outcome.ending = self.read_stream(response)
                elif response.status_code == 200:
                    assert response.json()["choices"][0]["message"]["content"], "a 200 whole answer has text"
            except requests.exceptions.ReadTimeout:
                outcome.ending = "hang"
            except requests.exceptions.ConnectionError:
                pass  # refused or reset: the client was told nothing
            self.keep(outcome)
            if outcome.status is None:
                time.sleep(0.05)

    @staticmethod
    def read_stream(response) -> str:
        try:
            for line in response.iter_lines():
                if not line.startswith(b"data: "):
                    continue
                data = line[len(b"data: "):]
                if data == b"[DONE]":
                    return "done"
                if "error" in json.loads(data):
                    return "error"
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
            # A read timeout inside the body arrives as a ConnectionError wrapping it.
            return "hang" if "timed out" in str(error).lower() else "cut"
        return "cut"

    def create_keys(self) -> None:
        session = requests.Session()
        while not self.stopping.is_set():
            outcome = Outcome("key")
            try:
                response = session.post(self.base + "/v1/admin/keys", json={"name": "lifecycle"}, headers=HEADERS,
                                        timeout=(2, 20))
                outcome.status = response.status_code
                if response.status_code == 201:
                    outcome.key_id = response.json()["key"]["id"]
            except requests.exceptions.ReadTimeout:
                outcome.ending = "hang"
            except requests.exceptions.ConnectionError:
                time.sleep(0.05)
            self.keep(outcome)
            time.sleep(0.02)


def children_of(pid: int) -> dict[int, tuple[int, str]]:
    """The processes whose parent is `pid`: pid -> (start time, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        status = process_status(int(entry.name))
        if status and status[1] == pid:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            found[int(entry.name)] = (status[2], command)
    return found


def process_status(pid: int) -> tuple[str, int, int] | None:
    """(state, parent, start time) from /proc/PID/stat, or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[19])


def is_running(pid: int, start_time: int) -> bool:
    """Whether that very process (not a later one with its pid) still runs; an unreaped zombie has ended."""
    status = process_status(pid)
    return status is not None and status[2] == start_time and status[0] not in ("Z", "X")


def still_running(processes: dict[int, tuple[int, str]]) -> list[str]:
    """The command lines of those processes that still run."""
    return [command for pid, (start, command) in processes.items() if is_running(pid, start)]


def wait_until_gone(processes: dict[int, tuple[int, str]], timeout: float) -> list[str]:
    """Waits for the processes to end; the command lines of those still running after `timeout`."""
    deadline = time.monotonic() + timeout
    while still_running(processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    return still_running(processes)


def recorded_turns(data_dir: str) -> set[str]:
    """The trace ids of the recorded turns, read from the SQLite file (the server is stopped)."""
    with sqlite3.connect(Path(data_dir) / "pillar.sqlite") as database:
        return {row[0] for row in database.execute("SELECT trace_id FROM turn WHERE trace_id IS NOT NULL")}


def check_storage(data_dir: str, outcomes: list[Outcome], streams_too: bool) -> None:
    """The database is whole, the audit chain verifies, and every answer a client got is recorded."""
    with sqlite3.connect(Path(data_dir) / "pillar.sqlite") as database:
        assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        audited = {row[0] for row in database.execute("SELECT target FROM audit_log WHERE action = 'key.create'")}
    verified = subprocess.run([PILLAR_BIN, "audit", "verify", "--data-dir", data_dir], capture_output=True, text=True,
                              timeout=60)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    turns = recorded_turns(data_dir)
    answered = [outcome for outcome in outcomes if outcome.kind == "whole" and outcome.status == 200]
    if streams_too:
        answered += [outcome for outcome in outcomes if outcome.kind == "stream" and outcome.ending == "done"]
    assert answered, "the load got answers before the signal"
    missing = [outcome for outcome in answered if outcome.trace_id not in turns]
    assert not missing, f"{len(missing)} of {len(answered)} answers a client got have no turn: {missing[:3]}"
    created = [outcome.key_id for outcome in outcomes if outcome.kind == "key" and outcome.status == 201]
    assert created and not set(created) - audited, "every key whose creation was acknowledged is audited"


def check_no_hang(outcomes: list[Outcome]) -> None:
    hung = [outcome for outcome in outcomes if outcome.ending == "hang"]
    assert not hung, f"{len(hung)} requests hung: {hung[:3]}"


def run_until_in_flight(load: Load, seconds: float) -> None:
    """Lets the load run until it was answered and for `seconds`, so that the signal finds requests and streams
    in flight."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with load.lock:
            if any(outcome.status == 200 for outcome in load.outcomes):
                break
        time.sleep(0.1)
    time.sleep(seconds)
    with load.lock:
        assert any(outcome.status == 200 for outcome in load.outcomes), f"the load is answered: {load.outcomes[:5]}"


def kill_and_wait(process, signal_number: int, timeout: float) -> float:
    """Sends the signal and waits for the process to exit; the seconds it took."""
    sent = time.monotonic()
    process.popen.send_signal(signal_number)
    try:
        process.popen.wait(timeout)
    except subprocess.TimeoutExpired:
        process.popen.kill()
        process.popen.wait()
        raise AssertionError(f"pillar did not exit within {timeout} s of signal {signal_number}:\n{process.stderr[-3000:]}")
    return time.monotonic() - sent


@pytest.fixture(scope="module")
def slow_simulator():
    process, url = start_simulator("--ttft-ms", "20", "--tokens-per-second", "60", "--reply", REPLY)
    yield url
    process.stop()


STARTED = []


@pytest.fixture(autouse=True)
def stop_what_was_started():
    """A failed assertion must not leave a server (and its llama-server children) running."""
    yield
    while STARTED:
        STARTED.pop().stop()


def simulated_config(simulator_url: str) -> dict:
    return {"deployments": [{"name": "sim", "baseURL": simulator_url, "model": "simulated", "models": ["sim"]}]}


def test_sigterm_drains_requests_and_streams_in_flight(slow_simulator):
    process, base = start_pillar(simulated_config(slow_simulator))
    STARTED.append(process)
    load = Load(base, "sim", chat_threads=8)
    run_until_in_flight(load, 1.5)
    took = kill_and_wait(process, signal.SIGTERM, DRAIN_SECONDS)
    outcomes = load.stop()
    assert process.popen.returncode == 0, process.stderr[-3000:]
    check_no_hang(outcomes)
    streams = [outcome for outcome in outcomes if outcome.kind == "stream" and outcome.status == 200]
    cut = [outcome for outcome in streams if outcome.ending not in ("done", "error")]
    assert streams and not cut, f"{len(cut)} of {len(streams)} streams ended with neither [DONE] nor an error"
    check_storage(process.data_dir, outcomes, streams_too=True)
    assert took < DRAIN_SECONDS


def test_sigkill_loses_no_acknowledged_turn_and_the_server_starts_again(slow_simulator):
    config = simulated_config(slow_simulator)
    process, base = start_pillar(config)
    STARTED.append(process)
    load = Load(base, "sim", chat_threads=8)
    run_until_in_flight(load, 1.5)
    kill_and_wait(process, signal.SIGKILL, 5)
    outcomes = load.stop()
    check_no_hang(outcomes)
    check_storage(process.data_dir, outcomes, streams_too=False)

    again, base = start_pillar(config, data_dir=process.data_dir)
    try:
        answer = requests.post(base + "/v1/chat/completions", headers=HEADERS, timeout=20,
                               json={"model": "sim", "messages": [{"role": "user", "content": "again"}]})
        assert answer.status_code == 200, answer.text
        turns = requests.get(base + "/v1/admin/turns?limit=1000", headers=HEADERS, timeout=10).json()["data"]
        listed = {turn.get("trace_id") for turn in turns}
        acknowledged = {outcome.trace_id for outcome in outcomes if outcome.kind == "whole" and outcome.status == 200}
        assert not acknowledged - listed, "the restarted server lists every acknowledged turn"
    finally:
        again.stop()


def start_local_pillar(data_dir: str | None = None):
    """`pillar serve` with no deployment: the chat model and the embedding model run as llama-server children."""
    process, base = start_pillar(config=None, env={"PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODE": "auto"}, data_dir=data_dir)
    STARTED.append(process)
    children = children_of(process.popen.pid)
    servers = {pid: child for pid, child in children.items() if str(LLAMA_SERVER) in child[1]}
    assert len(servers) == 2, f"two llama-server children run: {children}"
    # /readyz is ready once any deployment is (the embedding model often loads first), and a request that meets
    # the chat model still loading can fail: the load starts once the chat model answers.
    deadline = time.monotonic() + 90
    while True:
        answer = requests.post(base + "/v1/chat/completions", headers=HEADERS, timeout=60,
                               json={"model": LOCAL_MODEL, "max_tokens": 1, "messages": [{"role": "user", "content": "Hi"}]})
        if answer.status_code == 200:
            return process, base, servers
        assert time.monotonic() < deadline, f"the local model never answered: {answer.text}"
        time.sleep(0.5)


def test_sigkill_takes_the_local_model_servers_with_it():
    process, base, servers = start_local_pillar()
    load = Load(base, LOCAL_MODEL, chat_threads=4, max_tokens=12)
    run_until_in_flight(load, 2)
    kill_and_wait(process, signal.SIGKILL, 5)
    left = wait_until_gone(servers, timeout=5)
    outcomes = load.stop()
    for pid, (start, _) in servers.items():
        if is_running(pid, start):
            os.kill(pid, signal.SIGKILL)  # not to leave them to the next tests
    assert not left, f"llama-server outlived a killed pillar: {left}"
    check_no_hang(outcomes)
    check_storage(process.data_dir, outcomes, streams_too=False)

    again, _, restarted = start_local_pillar(data_dir=process.data_dir)  # and its chat model answers
    again.stop()
    assert not set(restarted) & set(servers)


def test_sigterm_with_the_local_model_drains_and_stops_its_servers():
    process, base, servers = start_local_pillar()
    load = Load(base, LOCAL_MODEL, chat_threads=4, max_tokens=12)
    run_until_in_flight(load, 2)
    took = kill_and_wait(process, signal.SIGTERM, DRAIN_SECONDS)
    outcomes = load.stop()
    assert process.popen.returncode == 0, process.stderr[-3000:]
    assert not wait_until_gone(servers, timeout=1), "llama-server is stopped before pillar exits"
    check_no_hang(outcomes)
    check_storage(process.data_dir, outcomes, streams_too=True)
    assert took < DRAIN_SECONDS


def orphan(command: list[str]) -> int:
    """Starts `command` as an orphan (its parent, a shell, exits at once), as a killed run leaves its children."""
    shell = subprocess.run(["sh", "-c", '"$@" >/dev/null 2>&1 </dev/null & echo $!', "sh", *command],
                           capture_output=True, text=True, check=True)
    return int(shell.stdout.strip())


def write_record(path: Path, pid: int, program: str) -> None:
    """DATA/llama-server.pid as the supervisor writes it, naming a parent that is gone (a killed run)."""
    status = process_status(pid)
    path.write_text(json.dumps({"pid": pid, "startTime": status[2], "parent": 999_999, "program": program}))


def test_the_next_start_stops_a_model_server_that_a_killed_run_left(tmp_path):
    stale = orphan([str(LLAMA_SERVER), "--model", str(CHAT_MODEL_FILE), "--host", "127.0.0.1",
                    "--port", str(free_port()), "--ctx-size", "512", "--parallel", "1"])
    # An unrelated process that has the pid recorded for the other server must be left alone.
    bystander = orphan(["sleep", "120"])
    stale_start, bystander_start = process_status(stale)[2], process_status(bystander)[2]
    try:
        write_record(tmp_path / "llama-server.pid", stale, str(LLAMA_SERVER))
        write_record(tmp_path / "llama-server-embeddings.pid", bystander, str(LLAMA_SERVER))
        process, _, servers = start_local_pillar(data_dir=str(tmp_path))
        try:
            assert not is_running(stale, stale_start), "the stale llama-server is stopped at start"
            assert is_running(bystander, bystander_start), "a process that is no model server is never killed"
            assert stale not in servers
        finally:
            process.stop()
    finally:
        for pid in (stale, bystander):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
