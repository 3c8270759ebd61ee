"""The kit a drill needs, in the fixed words onboarding asks about and the loader accepts."""

from __future__ import annotations

from enum import StrEnum


class Kit(StrEnum):
    """What a runner may own; a drill file names the ones it needs (`none` for bodyweight drills)."""

    MINI_BAND = "mini-band"
    LONG_BAND = "long-band"
    DUMBBELLS = "dumbbells"
    STEP_OR_BOX = "step-or-box"
    BENCH_OR_SOFA = "bench-or-sofa"


NO_KIT = "none"
"""How a drill file says it needs nothing; such a drill's `equipment` is empty."""

KIT_LABELS: dict[Kit, str] = {
    Kit.MINI_BAND: "a mini band",
    Kit.LONG_BAND: "a long band",
    Kit.DUMBBELLS: "dumbbells or a kettlebell",
    Kit.STEP_OR_BOX: "a step or box",
    Kit.BENCH_OR_SOFA: "a bench or sofa",
}
