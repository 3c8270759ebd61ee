"""Safety rules: the pain traffic light, the health screen's outcomes and when pain pauses the programme.

Kind and plain rather than alarming: most discomfort during glute work is normal muscle effort, but some
signs mean stop, and some people should check with a professional before starting. The pain bands here are
the only thresholds: the advice text, the progression engine and the pause rules all read these objects, so
what the bot says is what the programme does.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import N_, _

SAFETY_NOTE = N_(
    "This is general exercise information, not medical advice or a diagnosis. Muscle effort and a little "
    "soreness are normal; sharp or catching pain is not. Stop if something hurts and tell me with the "
    "Pain button."
)


def safety_note() -> str:
    """`SAFETY_NOTE` in the runner's language."""
    return _(SAFETY_NOTE)


@dataclass(frozen=True, slots=True)
class PainBand:
    """Scores from `low` to `high` inclusive, out of 10."""

    name: str
    low: int
    high: int

    def covers(self, score: int) -> bool:
        return self.low <= score <= self.high


@dataclass(frozen=True, slots=True)
class PainBands:
    green: PainBand
    """Fine to keep training: the only band the programme progresses in."""
    amber: PainBand
    """Acceptable only if it settles by the next morning; the programme eases off a step."""
    red: PainBand
    """Too much: stop the drill today; the programme steps back."""
    severe: PainBand
    """Pauses every drill and refers the runner to a professional."""

    def band_of(self, score: int) -> PainBand:
        for band in (self.green, self.amber, self.red, self.severe):
            if band.covers(score):
                return band
        raise ValueError(f"pain is scored 0-10, got {score}")

    def progresses(self, score: int) -> bool:
        return self.green.covers(score)


PAIN_BANDS = PainBands(
    green=PainBand("green", 0, 3),
    amber=PainBand("amber", 4, 5),
    red=PainBand("red", 6, 6),
    severe=PainBand("severe", 7, 10),
)


def pain_advice(score: int) -> str:
    """The traffic-light band for a 0-10 score, in one or two sentences, saying what the programme does."""
    band = PAIN_BANDS.band_of(score)
    if band is PAIN_BANDS.green:
        return _(
            "{score}/10 is in the green zone: fine to keep training. Keep the same drill and dose."
        ).format(score=score)
    if band is PAIN_BANDS.amber:
        return _(
            "{score}/10 is amber: the programme eases off a step. It should settle by tomorrow morning; "
            "I'll ask you then."
        ).format(score=score)
    if band is PAIN_BANDS.red:
        return _(
            "{score}/10 is too much: stop this drill for today. The programme steps back. If the pain is "
            "sharp, swollen or still there in a few days, please see a physiotherapist or doctor."
        ).format(score=score)
    return _("{score}/10 is a lot: please stop for today. Your drills are paused until it settles.").format(
        score=score
    )


# ---- the health screen -------------------------------------------------------------------------------


class Tag(StrEnum):
    """What a drill asks of the body, as the health screen's restrictions name it."""

    LOADED_SINGLE_LEG = "loaded-single-leg"
    PLYOMETRIC = "plyometric"
    LYING_ON_BACK = "lying-on-back"


class Rule(StrEnum):
    HEART = "heart"
    """No drills at all until a doctor has cleared them."""
    RESTRICT = "restrict"
    """No loaded single-leg or plyometric drills until cleared; the rest goes on."""
    PREGNANCY = "pregnancy"
    """Hold until they confirm they checked with their midwife or physio; then no plyometrics (and no
    lying on the back after the first trimester) for as long as the answer stands."""
    REFER = "refer"
    """A sign to get checked: drills paused until cleared."""


@dataclass(frozen=True, slots=True)
class ScreenItem:
    key: str
    label: str
    """The button: short enough for a phone. Label and text are English msgids: show them with `_()`."""
    text: str
    rule: Rule


SCREEN_ITEMS = (
    ScreenItem(
        "heart", N_("Heart"),
        N_("Chest pain, a racing heart or fainting when you exercise, or known heart disease"), Rule.HEART,
    ),
    ScreenItem("surgery", N_("Hip surgery or injection"),
               N_("Hip surgery or a hip injection in the last six months"), Rule.RESTRICT),
    ScreenItem("fracture", N_("Stress fracture"), N_("A stress fracture in the last three months"),
               Rule.RESTRICT),
    ScreenItem("pregnancy", N_("Pregnancy or new baby"),
               N_("Pregnancy, or a baby born in the last three months"), Rule.PREGNANCY),
    ScreenItem("rest_pain", N_("Night or rest pain"), N_("Hip, groin or leg pain at night or at rest"),
               Rule.REFER),
    ScreenItem("bone", N_("Tender spot on a bone"), N_("A tender spot on a bone, or groin pain when you hop"),
               Rule.REFER),
    ScreenItem("numbness", N_("Numbness or tingling"), N_("Numbness or tingling in a leg"), Rule.REFER),
    ScreenItem("giving_way", N_("A joint gives way"), N_("A hip or knee that gives way"), Rule.REFER),
)  # fmt: skip
SCREEN_KEYS = frozenset(item.key for item in SCREEN_ITEMS)


class PregnancyStage(StrEnum):
    """Asked after the pregnancy item, and stored as the answer in its place."""

    FIRST_TRIMESTER = "pregnancy_first"
    LATER = "pregnancy_later"
    POSTPARTUM = "postpartum"


PREGNANCY_EXCLUDES: dict[PregnancyStage, frozenset[Tag]] = {
    PregnancyStage.FIRST_TRIMESTER: frozenset({Tag.PLYOMETRIC}),
    PregnancyStage.LATER: frozenset({Tag.PLYOMETRIC, Tag.LYING_ON_BACK}),
    PregnancyStage.POSTPARTUM: frozenset({Tag.PLYOMETRIC}),
}
RESTRICTED_TAGS = frozenset({Tag.LOADED_SINGLE_LEG, Tag.PLYOMETRIC})


def rule_of(answer: str) -> Rule | None:
    if answer in PregnancyStage.__members__.values():
        return Rule.PREGNANCY
    return next((item.rule for item in SCREEN_ITEMS if item.key == answer), None)


@dataclass(frozen=True, slots=True)
class ScreenOutcome:
    """What the runner's answers allow now: nothing at all (`held_by`), or every drill but the excluded."""

    held_by: Rule | None
    excluded: frozenset[Tag]

    @property
    def held(self) -> bool:
        return self.held_by is not None


HOLD_ORDER = (Rule.HEART, Rule.REFER, Rule.PREGNANCY)
"""When several answers hold the runner, the first here is the one the bot talks about."""


def screen_outcome(answers: Collection[str], *, cleared: bool) -> ScreenOutcome:
    """The answers' combined effect; `cleared` is the runner's word that a professional said go ahead."""
    rules = {rule for answer in answers if (rule := rule_of(answer)) is not None}
    held_by = None if cleared else next((rule for rule in HOLD_ORDER if rule in rules), None)
    excluded: set[Tag] = set()
    if Rule.RESTRICT in rules and not cleared:
        excluded |= RESTRICTED_TAGS
    for stage, tags in PREGNANCY_EXCLUDES.items():
        if stage.value in answers:
            excluded |= tags
    return ScreenOutcome(held_by=held_by, excluded=frozenset(excluded))


# ---- pain that escalates -----------------------------------------------------------------------------


class PainArea(StrEnum):
    FRONT_OF_HIP = "hip_front"
    SIDE_OF_HIP = "hip_side"
    GROIN = "groin"
    BUTTOCK = "buttock"
    KNEE = "knee"
    LOWER_BACK = "back"
    OTHER = "other"


class PainKind(StrEnum):
    MUSCLE_BURN = "burn"
    """The normal burn of a working muscle: not pain, never regresses."""
    SHARP = "sharp"
    """Sharp or catching, in a joint: counts as pain."""


ALL_DRILLS = "all"
"""A pain pause of everything rather than one movement pattern."""
AMBER_WINDOW_DAYS = 7
AMBERS_TO_PAUSE = 2


def pain_pause(score: int, *, morning: bool, ambers_on_area: int, pattern: str) -> str | None:
    """What a pain score pauses: every drill, the painful drill's pattern, or nothing.

    `ambers_on_area` counts the sessions with an amber score on the same area within the last
    `AMBER_WINDOW_DAYS`, this one included.
    """
    band = PAIN_BANDS.band_of(score)
    if band is PAIN_BANDS.severe:
        return ALL_DRILLS
    if morning and band is not PAIN_BANDS.green:
        return pattern
    if band is PAIN_BANDS.amber and ambers_on_area >= AMBERS_TO_PAUSE:
        return pattern
    return None
