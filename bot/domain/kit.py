"""The kit a drill needs, in the fixed words onboarding asks about and the loader accepts."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.words import fold
from bot.i18n import N_, _


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
    Kit.MINI_BAND: N_("a mini band"),
    Kit.LONG_BAND: N_("a long band"),
    Kit.DUMBBELLS: N_("dumbbells or a kettlebell"),
    Kit.STEP_OR_BOX: N_("a step or box"),
    Kit.BENCH_OR_SOFA: N_("a bench or sofa"),
}
"""English msgids: `kit_label` shows one in the runner's language."""

KIT_WORDS: dict[str, Kit | None] = {
    "none": None, "nothing": None, "no": None,
    "band": Kit.MINI_BAND, "bands": Kit.MINI_BAND, "mini-band": Kit.MINI_BAND, "miniband": Kit.MINI_BAND,
    "loop": Kit.MINI_BAND, "long-band": Kit.LONG_BAND, "tube": Kit.LONG_BAND,
    "dumbbell": Kit.DUMBBELLS, "dumbbells": Kit.DUMBBELLS, "kettlebell": Kit.DUMBBELLS,
    "kettlebells": Kit.DUMBBELLS, "weights": Kit.DUMBBELLS, "weight": Kit.DUMBBELLS,
    "step": Kit.STEP_OR_BOX, "box": Kit.STEP_OR_BOX, "step-or-box": Kit.STEP_OR_BOX,
    "stairs": Kit.STEP_OR_BOX, "bench": Kit.BENCH_OR_SOFA, "sofa": Kit.BENCH_OR_SOFA,
    "couch": Kit.BENCH_OR_SOFA, "chair": Kit.BENCH_OR_SOFA, "bench-or-sofa": Kit.BENCH_OR_SOFA,
    "ninguno": None, "ninguna": None, "nada": None,
    "banda": Kit.MINI_BAND, "bandas": Kit.MINI_BAND, "minibanda": Kit.MINI_BAND, "goma": Kit.MINI_BAND,
    "gomas": Kit.MINI_BAND, "banda-larga": Kit.LONG_BAND, "mancuerna": Kit.DUMBBELLS,
    "mancuernas": Kit.DUMBBELLS, "pesa": Kit.DUMBBELLS, "pesas": Kit.DUMBBELLS, "escalon": Kit.STEP_OR_BOX,
    "escalones": Kit.STEP_OR_BOX, "cajon": Kit.STEP_OR_BOX, "caja": Kit.STEP_OR_BOX,
    "escaleras": Kit.STEP_OR_BOX, "banco": Kit.BENCH_OR_SOFA, "silla": Kit.BENCH_OR_SOFA,
    "keine": None, "keins": None, "nichts": None,
    "bander": Kit.MINI_BAND, "langes-band": Kit.LONG_BAND,
    "kurzhantel": Kit.DUMBBELLS, "kurzhanteln": Kit.DUMBBELLS, "hantel": Kit.DUMBBELLS,
    "hanteln": Kit.DUMBBELLS, "gewichte": Kit.DUMBBELLS, "stufe": Kit.STEP_OR_BOX, "stufen": Kit.STEP_OR_BOX,
    "treppe": Kit.STEP_OR_BOX, "kiste": Kit.STEP_OR_BOX, "bank": Kit.BENCH_OR_SOFA,
    "stuhl": Kit.BENCH_OR_SOFA,
}  # fmt: skip
"""What a runner may type after /kit, in English, Spanish or German (unaccented: `parse_kit` folds);
a plain "band" is the mini band most drills use."""
_JOINED = {
    "mini band": "mini-band", "long band": "long-band", "resistance band": "band", "loop band": "band",
    "banda larga": "banda-larga", "banda elastica": "banda", "mini banda": "banda",
    "langes band": "langes-band", "langem band": "langes-band",
}  # fmt: skip
_FILLER = {
    "and", "a", "an", "some", "or", "my", "i", "have", "got", "own", "kit",
    "y", "o", "un", "una", "unas", "unos", "tengo", "mi", "mis", "de",
    "und", "oder", "ein", "eine", "einen", "ich", "habe", "hab", "meine", "mein",
}  # fmt: skip


def parse_kit(text: str) -> frozenset[Kit] | None:
    """`/kit band dumbbells`, `/kit mini band, step` or `/kit none`: the kit named, or None if a word is
    not kit (so a typo is asked about rather than silently dropped)."""
    lowered = " ".join(fold(text).replace(",", " ").replace("+", " ").replace("&", " ").split())
    for phrase, word in _JOINED.items():
        lowered = lowered.replace(phrase, word)
    words = [word for word in lowered.split() if word not in _FILLER]
    if not words or any(word not in KIT_WORDS for word in words):
        return None
    return frozenset(kit for word in words if (kit := KIT_WORDS[word]) is not None)


def kit_label(item: Kit) -> str:
    """ "a mini band", in the runner's language."""
    return _(KIT_LABELS[item])


def describe_kit(kit: frozenset[Kit]) -> str:
    """ "a mini band and dumbbells or a kettlebell", or "no kit"."""
    labels = [kit_label(item) for item in Kit if item in kit]
    if not labels:
        return _("no kit")
    if len(labels) == 1:
        return labels[0]
    # Translators: the last two items of a list of kit, e.g. "a mini band, a step or box and a bench or sofa".
    return _("{items} and {last}").format(items=", ".join(labels[:-1]), last=labels[-1])
