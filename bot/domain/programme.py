"""The programme as the coaches wrote it: stages, their drills and the rules for moving between them.

Drills, stages and levels carry their text in every language the content has (`content/locales/`). Their
text fields read in the language in force (`bot.i18n.current_language()`), so `drill.name` on a Spanish
runner's card is the Spanish name, with the English where a translation lacks a field. Equality and hashing
look at the content itself (the English and every translation), never at the language in force.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Self, TypeVar

from bot.domain.dose import Dose
from bot.domain.safety import Tag
from bot.i18n import DEFAULT_LANGUAGE, current_language

Translations = Mapping[str, Mapping[str, Any]]
"""Per language code, the translated text fields ("name", "cues" ...); a field left out reads in English."""

DRILL_TEXT_FIELDS = ("name", "focus", "purpose", "cues", "mistake", "tempo")
STAGE_TEXT_FIELDS = ("name", "summary", "effort", "hold_effort", "rest")
LEVEL_TEXT_FIELDS = ("name",)


class _Translated:
    """A text field read in the language in force; the English stays in the instance's own `__dict__`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: _Translatable | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        language = current_language()
        if language != DEFAULT_LANGUAGE:
            translated = instance.translations.get(language, {}).get(self.name)
            if translated is not None:
                return translated
        return instance.__dict__[self.name]

    def __set__(self, instance: _Translatable, value: Any) -> None:
        instance.__dict__[self.name] = value


_Class = TypeVar("_Class", bound=type)


def _translated(*names: str) -> Callable[[_Class], _Class]:
    """Make these dataclass fields follow the language in force (applied after @dataclass)."""

    def install(cls: _Class) -> _Class:
        for name in names:
            setattr(cls, name, _Translated(name))
        return cls

    return install


class _Translatable:
    """Equality, hashing and copies by the stored content, whatever language is in force. Never copy one
    with `dataclasses.replace` (it reads the fields in the language in force): use `with_values`."""

    translations: Translations

    def english(self, name: str) -> Any:
        """A field as the English content file has it, whatever language is in force."""
        return self.__dict__[name]

    def with_values(self, **changes: Any) -> Self:
        return type(self)(**{**self.__dict__, **changes})

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *(value for key, value in self.__dict__.items() if key != "translations")))


class Outcome(StrEnum):
    """What a runner reports after a drill."""

    DONE = "done"
    EASY = "easy"
    HARD = "hard"
    SKIPPED = "skipped"
    PAIN = "pain"


@dataclass(frozen=True, slots=True)
class Load:
    """Dumbbells or a kettlebell: a weight the runner could lift about `reps` times, from dose rung
    `from_rung` (0-based) on. Before that rung the weight is not needed, so `equipment` leaves it out."""

    reps: int
    from_rung: int = 0


@_translated(*DRILL_TEXT_FIELDS)
@dataclass(frozen=True, eq=False)
class Drill(_Translatable):
    slug: str
    name: str
    stage: int
    focus: str
    purpose: str
    cues: tuple[str, ...]
    mistake: str
    doses: tuple[Dose, ...]
    """The dose ladder: the programme climbs one rung after two good sessions in a row (2-for-2)."""
    regression: str | None
    progression: str | None
    equipment: tuple[str, ...]
    gif: str
    """Path of the animated GIF, relative to the content directory."""
    pattern: str = ""
    """The movement pattern (e.g. hip-extension): pain that keeps coming back pauses the whole pattern."""
    tags: frozenset[Tag] = frozenset()
    """What the drill asks of the body (loaded single-leg, plyometric, lying on the back), for the health
    screen's restrictions."""
    without_kit: str | None = None
    """A drill of the same pattern that needs no kit, for a runner who lacks this one's `equipment`."""
    tempo: str | None = None
    """How fast each phase goes ("2 s up, 3 s down"), for drills where speed changes the work."""
    load: Load | None = None
    """How heavy a weight to hold, for drills done with dumbbells or a kettlebell."""
    translations: Translations = field(default_factory=dict)


@_translated(*STAGE_TEXT_FIELDS)
@dataclass(frozen=True, eq=False)
class Stage(_Translatable):
    number: int
    name: str
    summary: str
    rotation: tuple[str, ...]
    effort: str
    """How hard a set of repetitions should feel, in reps in reserve."""
    rest: str
    hold_effort: str = "hold with good form; stop before it fades"
    """How hard a timed hold should feel: reps in reserve mean nothing for a hold."""
    translations: Translations = field(default_factory=dict)


@_translated(*LEVEL_TEXT_FIELDS)
@dataclass(frozen=True, eq=False)
class Level(_Translatable):
    number: int
    name: str
    start_stage: int
    translations: Translations = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AdvancementRules:
    good_in_a_row_to_step_up: int = 2
    """The 2-for-2 rule: this many good sessions in a row climb one rung of the dose ladder."""
    good_sessions_to_advance: int = 8
    """Good sessions in a stage ('too easy' counts once) before its readiness self-test."""
    absence_days_to_step_back: int = 7
    deload_every_weeks: int = 4
    deload_set_factor: float = 0.6


@dataclass(frozen=True, slots=True)
class Programme:
    stages: tuple[Stage, ...]
    levels: tuple[Level, ...]
    drills: Mapping[str, Drill]
    rules: AdvancementRules = field(default_factory=AdvancementRules)

    @property
    def first_stage(self) -> int:
        return self.stages[0].number

    @property
    def last_stage(self) -> int:
        return self.stages[-1].number

    def stage(self, number: int) -> Stage:
        for stage in self.stages:
            if stage.number == number:
                return stage
        raise KeyError(f"no stage {number}")

    def harder_versions(self, slug: str) -> tuple[Drill, ...]:
        """The drills of `slug`'s own stage rotation that name it as their regression: the drills it is the
        easier version of, within one stage (`bot.domain.progression` keeps it for when it is needed)."""
        for stage in self.stages:
            if slug in stage.rotation:
                listed = (self.drills.get(other) for other in stage.rotation)
                return tuple(drill for drill in listed if drill is not None and drill.regression == slug)
        return ()

    def level(self, number: int) -> Level:
        for level in self.levels:
            if level.number == number:
                return level
        raise KeyError(f"no level {number}")
