"""`pillar prompts …` and `pillar flows …` on a real data directory, then the server reading what they wrote."""
import json
import subprocess
import tempfile
from pathlib import Path

import requests

from conftest import ADMIN_KEY, PILLAR_BIN, start_pillar

PROMPT = {
    "variables": [{"name": "question"}, {"name": "standalone_question"}, {"name": "sources"},
                  {"name": "history", "required": False}],
    "messages": [
        {"role": "system", "template": "Be brief.\n{{#sources}}[{{marker}}] {{text}}\n{{/sources}}{{standalone_question}}"},
        {"role": "history"},
        {"role": "user", "template": "{{question}}"},
    ],
}


def pillar(*args, data_dir, check=True):
    result = subprocess.run([PILLAR_BIN, *args, "--data-dir", data_dir], capture_output=True, text=True, timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_prompts_and_flows_from_the_command_line(simulator):
    data_dir = tempfile.mkdtemp(prefix="pillar-cli-")
    prompt_file = Path(data_dir) / "answer.json"
    prompt_file.write_text(json.dumps(PROMPT))

    listed = pillar("prompts", "list", data_dir=data_dir).stdout
    assert "rag-answer\t1\tproduction=1" in listed and "rag-condense\t1\tproduction=1" in listed
    assert "saved rag-answer@2" in pillar("prompts", "create", "--name", "rag-answer", "--file", str(prompt_file),
                                          "--note", "brief", data_dir=data_dir).stdout
    assert "production=1:90%,2:10%" in pillar("prompts", "label", "rag-answer", "production", "--split", "1:90,2:10",
                                              data_dir=data_dir).stdout
    diff = pillar("prompts", "diff", "rag-answer", "1", "2", data_dir=data_dir).stdout
    assert diff.startswith("--- rag-answer@1\n+++ rag-answer@2\n") and "+Be brief." in diff
    assert "staging=1:90%,2:10%" in pillar("prompts", "promote", "rag-answer", "--from", "production", "--to", "staging",
                                           data_dir=data_dir).stdout
    assert "production=1" in pillar("prompts", "rollback", "rag-answer", "production", data_dir=data_dir).stdout

    refused = pillar("prompts", "label", "rag-answer", "production", "--split", "1:90,2:20", data_dir=data_dir, check=False)
    assert refused.returncode != 0 and "sum to 110" in refused.stderr
    broken = Path(data_dir) / "broken.yaml"
    broken.write_text("name: broken\nnodes:\n  a:\n    kind: nope\noutputs:\n  answer: ${a.output}\n")
    refused = pillar("flows", "create", "--file", str(broken), data_dir=data_dir, check=False)
    assert refused.returncode != 0 and "line 4" in refused.stderr

    # The server reads the same library.
    process, base = start_pillar({"deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated",
                                                   "models": ["gpt-4o-mini"]}]}, data_dir=data_dir)
    try:
        shown = requests.get(base + "/v1/admin/prompts/rag-answer", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10)
        assert shown.status_code == 200, shown.text
        labels = {label["label"]: label["split"] for label in shown.json()["labels"]}
        assert labels["production"] == [{"version": 1, "weight": 100}]
        assert labels["staging"] == [{"version": 1, "weight": 90}, {"version": 2, "weight": 10}]
        assert [version["note"] for version in shown.json()["versions"]] == ["shipped with Pillar", "brief"]
    finally:
        process.stop()
