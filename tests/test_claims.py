"""Claims: the printed line, the likely cause from measured facts, the JSON record, the sanitizer."""

import json
import re
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

from helpers import claims
from helpers.claims import ONE_CORE, UNKNOWN, Claim, claim, likely_cause
from helpers.timing import Noise

QUIET = Noise(0.01, 0.02, 2, seconds=5.0)


def sanitize(text: str) -> str:
    patterns = get_sanitize_patterns(Path(__file__).with_name("sanitize.cfg").read_text(encoding="utf-8"))
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


def test_a_held_claim_prints_a_tick(capsys, monkeypatch):
    monkeypatch.delenv("COURSE_CLAIMS_FILE", raising=False)
    result = claim(True, "two processes beat one", "speedup 1.84x", noise=QUIET)
    assert capsys.readouterr().out == "✔ two processes beat one: speedup 1.84x\n"
    assert result and isinstance(result, Claim) and result.why == "" and result.held
    claim(True, "no figures")
    assert capsys.readouterr().out == "✔ no figures\n"


def test_a_missed_claim_says_the_likely_cause(capsys, monkeypatch):
    monkeypatch.setattr(claims, "usable_cpus", lambda: 2)
    result = claim(False, "two processes beat one", "speedup 0.97x", noise=QUIET, reason="job too small")
    assert not result and result.why == "job too small"
    assert capsys.readouterr().out == ("✘ not this time: two processes beat one: speedup 0.97x; "
                                       "likely cause: job too small\n")
    assert claim(False, "x").why == UNKNOWN


@pytest.mark.parametrize("noise, reason, expected", [
    (Noise(0.0, 0.0, 1, seconds=5.0), "job too small", ONE_CORE),
    (Noise(0.6, 0.5, 2, seconds=5.0), "job too small", "other programs used about 60% of a core"),
    (Noise(0.0, 0.5, 2, seconds=5.0), "job too small", "spread too wide (±50%)"),
    (QUIET, "job too small", "job too small"),
    (QUIET, None, UNKNOWN),
])
def test_the_cause_comes_from_measured_facts_first(noise, reason, expected):
    assert expected in likely_cause(noise, reason)


def test_claims_are_recorded_as_json_lines(tmp_path, monkeypatch, capsys):
    path = tmp_path / "claims.jsonl"
    monkeypatch.setenv("COURSE_CLAIMS_FILE", str(path))
    monkeypatch.setenv("COURSE_NOTEBOOK", "02_many_processes.ipynb")
    claim(True, "held", "1.5x")
    claim(False, "missed", "0.9x", reason="job too small", noise=QUIET)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert records[0] == {"notebook": "02_many_processes.ipynb", "claim": "held", "held": True,
                          "why": "", "figures": "1.5x"}
    assert records[1]["held"] is False and records[1]["why"]


@pytest.mark.parametrize("kwargs", [
    {"text": ""}, {"text": "a: b"}, {"text": "two\nlines"}, {"text": 3}, {"figures": "x\ny"},
    {"reason": ""}, {"noise": "busy"},
])
def test_bad_claims_are_clear_errors(kwargs):
    with pytest.raises(ValueError):
        claim(True, **{"text": "fine", **kwargs})


def test_the_sanitizer_keeps_only_the_claim_text(capsys):
    held = str(Claim("two processes beat one", True, "speedup 1.84x in 1.23 s"))
    missed = str(Claim("two processes beat one", False, "speedup 0.97x", "a busy machine: 40% of a core"))
    bare = str(Claim("two processes beat one", False, "", UNKNOWN))
    for line in (held, missed, bare, "✔ two processes beat one"):
        assert sanitize(f"before\n{line}\nafter 1.2 s") == "before\nCLAIM[two processes beat one]\nafter~TIME"
    assert sanitize("  ✔ a checker line: kept") == "  ✔ a checker line: kept", "Report lines are not claims"
