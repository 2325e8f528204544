"""Claims: a lesson's "what to look for" checked in the cell that measures it.

    from helpers.claims import claim
    claim(curve.speedup_at(2) > 1.2, "two processes beat one", f"speedup {format_ratio(s)}",
          noise=curve.noise, reason="job too small" if curve.serial_seconds < 0.2 else None)

prints one line, either

    ✔ two processes beat one: speedup 1.84x
    ✘ not this time: two processes beat one: speedup 0.97x; likely cause: <why>

where <why> comes from measured facts, in this order: one usable core ("one usable core: no
speedup is possible"), the noise (a busy machine, with its figure; a spread too wide), the
`reason` the caller gives, else "unknown: re-run". tests/sanitize.cfg replaces either form by
`CLAIM[<text>]`, so a stored output stays valid whether or not the claim held this time.

When the environment variable COURSE_CLAIMS_FILE names a file, every claim also appends a JSON
line {"notebook", "claim", "held", "why", "figures"} to it (notebook from COURSE_NOTEBOOK);
`python -m helpers lessons` collects them. Child-safe: standard library only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from .cpus import usable_cpus
from .timing import Noise

CLAIMS_FILE_ENV = "COURSE_CLAIMS_FILE"
NOTEBOOK_ENV = "COURSE_NOTEBOOK"
ONE_CORE = "one usable core: no speedup is possible"
UNKNOWN = "unknown: re-run"


@dataclass(frozen=True)
class Claim:
    """A checked statement: its text, whether it held, the figures behind it, and why not."""

    text: str
    held: bool
    figures: str = ""
    why: str = ""

    def __bool__(self) -> bool:
        return self.held

    def line(self) -> str:
        """The printed line (the form tests/sanitize.cfg recognises)."""
        if self.held:
            return f"✔ {self.text}: {self.figures}" if self.figures else f"✔ {self.text}"
        figures = f"{self.figures}; " if self.figures else ""
        return f"✘ not this time: {self.text}: {figures}likely cause: {self.why}"

    def __str__(self) -> str:
        return self.line()

    def _ipython_display_(self) -> None:
        """Shown as the last expression of a cell: the line is already printed, show nothing."""


def likely_cause(noise: Noise | None = None, reason: str | None = None, usable: int | None = None) -> str:
    """Why a claim may not have held, from measured facts first, then the caller's reason."""
    usable = (noise.usable if noise is not None else usable_cpus()) if usable is None else usable
    if usable == 1:
        return ONE_CORE
    if noise is not None and noise.busy:
        return (f"a busy machine: other programs used about {max(noise.other_cores or 0.0, 0.0):.0%} "
                "of a core during the measurement")
    if noise is not None and noise.wide:
        return f"the times spread too wide (±{noise.spread:.0%}) to tell"
    if reason:
        return reason
    return UNKNOWN


def _check_text(name: str, value: object, *, allow_empty: bool) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ValueError(f"{name} must be a {'' if allow_empty else 'non-empty '}string, got {value!r}")
    if "\n" in value or "\r" in value:
        raise ValueError(f"{name} must fit on one line, got {value!r}")
    return value


def claim(holds: bool, text: str, figures: str = "", *, noise: Noise | None = None,
          reason: str | None = None) -> Claim:
    """Check a lesson's claim where it is measured: print ✔/✘ with the figures and, if it did not
    hold, the likely cause; record it in COURSE_CLAIMS_FILE when that is set."""
    text = _check_text("text", text, allow_empty=False).strip()
    if ": " in text:
        raise ValueError(f"text must not contain ': ' (it ends the claim text in the printed line), got {text!r}")
    figures = _check_text("figures", figures, allow_empty=True).strip()
    if reason is not None:
        reason = _check_text("reason", reason, allow_empty=False).strip()
    if noise is not None and not isinstance(noise, Noise):
        raise ValueError(f"noise must be a helpers.timing.Noise (e.g. comparison.noise) or None, got {noise!r}")
    held = bool(holds)
    result = Claim(text, held, figures, "" if held else likely_cause(noise, reason))
    print(result.line())
    path = os.environ.get(CLAIMS_FILE_ENV)
    if path:
        record = {"notebook": os.environ.get(NOTEBOOK_ENV, ""), "claim": text, "held": held,
                  "why": result.why, "figures": figures}
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return result
