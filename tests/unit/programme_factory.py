"""Small programmes built in code, so engine tests do not depend on the shipped content."""

from __future__ import annotations

from bot.domain.dose import Dose
from bot.domain.programme import AdvancementRules, Drill, Level, Programme, Stage


def make_drill(
    slug: str, stage: int, *, doses: tuple[str, ...] = ("2x10", "3x10", "3x12"), regression: str | None = None
) -> Drill:
    return Drill(
        slug=slug,
        name=slug.replace("-", " ").capitalize(),
        stage=stage,
        focus="glutes",
        purpose="Helps your running.",
        cues=("Cue one", "Cue two"),
        mistake="A mistake.",
        doses=tuple(Dose.parse(text) for text in doses),
        regression=regression,
        progression=None,
        equipment=(),
        gif=f"gifs/{slug}.gif",
    )


def make_programme(rules: AdvancementRules | None = None) -> Programme:
    drills = [
        make_drill("bridge", 1),
        make_drill("clam", 1),
        make_drill("single-bridge", 2, regression="bridge"),
        make_drill("side-plank", 2, doses=("3x20s each side", "3x30s each side")),
        make_drill("split-squat", 3, regression="single-bridge"),
        make_drill("step-down", 3),
    ]
    stages = tuple(
        Stage(
            number=number,
            name=f"Stage {number}",
            summary="",
            rotation=tuple(drill.slug for drill in drills if drill.stage == number),
            effort="moderate",
            rest="60 s",
        )
        for number in (1, 2, 3)
    )
    return Programme(
        stages=stages,
        levels=(Level(1, "New", 1), Level(2, "Some", 2), Level(3, "Lots", 3)),
        drills={drill.slug: drill for drill in drills},
        rules=rules or AdvancementRules(good_sessions_to_advance=6),
    )
