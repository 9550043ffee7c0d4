"""Recorded outputs replayed byte for byte (tests/replay.py chose and recorded them).

A redesign that changes no behaviour must leave all of them as they were; a deliberate
change of output is recorded again with `python -m tests.replay --rerecord` (the same
commands) and shows in the diff of tests/replay_golden.jsonl."""
from __future__ import annotations

import pytest

from tests import replay

ROWS = replay.load()
SIZE = 30
CHUNKS = -(-len(ROWS) // SIZE)


def test_the_recording_covers_every_command_and_format():
    assert len(ROWS) >= 200
    kinds = {(r["argv"][0], r["argv"][r["argv"].index("--format") + 1] if "--format" in r["argv"] else "text")
             for r in ROWS}
    assert {("diff", "text"), ("diff", "json"), ("diff", "latex"), ("derive", "text"),
            ("check", "text"), ("check", "json")} <= kinds, kinds
    assert sum("--at" in r["argv"] for r in ROWS) >= 50
    assert sum("--let" in r["argv"] for r in ROWS) >= 5
    assert sum(r["output"].endswith("--- exit 0\n") for r in ROWS) >= 300


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_recorded_outputs_are_unchanged(chunk, monkeypatch):
    monkeypatch.chdir(replay.ROOT)      # the check posts are named relative to the checkout
    changed = []
    for row in ROWS[chunk * SIZE:(chunk + 1) * SIZE]:
        now = replay.run(row["argv"])
        if now != row["output"]:
            changed.append(f"{row['argv']}:\n--- recorded\n{row['output']}--- now\n{now}")
    assert not changed, f"{len(changed)} outputs changed:\n" + "\n".join(changed[:3])
