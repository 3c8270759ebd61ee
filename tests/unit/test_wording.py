"""No promise of injury prevention anywhere a runner reads: the evidence supports "helps", "can", "trains"."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from bot.content.loader import load_content
from bot.domain import safety
from bot.ui import texts

ROOT = Path(__file__).resolve().parents[2]
OVERCLAIM = re.compile(
    r"\b(prevents?|preventing|prevention|protects?|protecting|stops? (?:your|you)|injury[- ]free|"
    r"bulletproof|injury[- ]proof|guarantee\w*)\b",
    re.IGNORECASE,
)
CAVING_PROMISE = re.compile(
    r"\b(?:stops?|keeps?|keeping|prevents?)\b[^.;]*\bcav(?:e|es|ing)\b", re.IGNORECASE
)
RUNNING_CUE = re.compile(r"\b(?:on your runs?|when you run)\b", re.IGNORECASE)


def _says_something_alone(value: object) -> bool:
    """A wording function that needs nothing (what used to be a text constant)."""
    if not inspect.isfunction(value) or value.__module__ != texts.__name__:
        return False
    return not inspect.signature(value).parameters and inspect.signature(value).return_annotation == "str"


def _runner_facing_texts() -> list[str]:
    programme = load_content(ROOT / "content").programme
    found = [safety.SAFETY_NOTE, *(safety.pain_advice(score) for score in range(11))]
    for drill in programme.drills.values():
        found += [drill.name, drill.purpose, drill.mistake, *drill.cues, drill.tempo or ""]
    for stage in programme.stages:
        found += [stage.summary, stage.effort, stage.hold_effort, stage.rest]
    found += [said() for said in vars(texts).values() if _says_something_alone(said)]
    found += [texts.hold_paragraph(rule) for rule in texts.HOLD_PARAGRAPHS]
    return found


def test_nothing_a_runner_reads_promises_to_prevent_injury() -> None:
    overclaims = [text for text in _runner_facing_texts() if OVERCLAIM.search(text)]
    assert overclaims == []


def test_drills_claim_to_help_control_the_knee_never_to_stop_it_caving_in() -> None:
    drills = load_content(ROOT / "content").programme.drills.values()
    promises = [drill.slug for drill in drills if CAVING_PROMISE.search(drill.purpose)]
    assert promises == []


def test_strength_work_is_paired_with_the_running_form_cue_it_supports() -> None:
    """Strength alone need not change running form: each strength drill says what to think of on a run."""
    programme = load_content(ROOT / "content").programme
    strength = [programme.drills[slug] for slug in programme.stage(3).rotation]
    unpaired = [drill.slug for drill in strength if not RUNNING_CUE.search(drill.purpose)]
    assert unpaired == []


def test_the_safety_note_says_general_information_not_a_diagnosis() -> None:
    assert "general exercise information" in safety.SAFETY_NOTE
    assert "not medical advice or a diagnosis" in safety.SAFETY_NOTE
