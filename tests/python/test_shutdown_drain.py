"""SIGTERM while a whole request is stuck on an upstream that sent its head and then stalled (issue 11, item 11):
the process exits within its drain time, and the call is on record instead of lost."""
import signal
import sqlite3
import threading
import time
from pathlib import Path

import requests

from conftest import ADMIN_KEY, start_pillar, start_simulator


def test_a_stuck_upstream_does_not_hold_shutdown_past_the_drain_time():
    simulator, url = start_simulator("--ttft-ms", "0", "--stall-after-head-ms", "120000")
    try:
        config = {
            "server": {"drainSeconds": 2},
            "timeouts": {"totalSeconds": 300},
            "deployments": [{"name": "stuck", "baseURL": url, "model": "simulated", "models": ["gpt"]}],
        }
        pillar, base = start_pillar(config)
        outcome = {}

        def call():
            try:
                response = requests.post(
                    base + "/v1/chat/completions", timeout=60,
                    headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                    json={"model": "gpt", "messages": [{"role": "user", "content": "hi"}]})
                outcome["status"] = response.status_code
            except requests.RequestException as error:
                outcome["error"] = type(error).__name__

        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(1.5)  # the head has come; the body is stuck
        started = time.monotonic()
        pillar.popen.send_signal(signal.SIGTERM)
        try:
            pillar.popen.wait(timeout=20)
        finally:
            if pillar.popen.poll() is None:
                pillar.popen.kill()
        took = time.monotonic() - started
        caller.join(timeout=10)
        assert took < 2 + 5 + 2, f"exit took {took:.1f} s after SIGTERM with a 2 s drain\n{pillar.stderr[-3000:]}"
        assert not caller.is_alive(), "the client was left hanging"
        assert outcome, "the call neither answered nor failed"
        # The call that was cut short is on record.
        database = Path(pillar.data_dir) / "pillar.sqlite"
        with sqlite3.connect(database) as connection:
            statuses = [row[0] for row in connection.execute("SELECT status FROM turn")]
        assert statuses and statuses[0] in ("cancelled", "failed"), statuses
    finally:
        simulator.stop(timeout=1)  # its handler sleeps on; no need to wait for it
