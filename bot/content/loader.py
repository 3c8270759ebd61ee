"""Load and validate `content/`: every problem reported at once as `file:line: what is wrong`.

Coaches edit these files by hand; one run of `glutebot content check` should list everything to fix, with
the line to look at, and nothing reaches the database until the whole tree is valid.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.content.media import media_problems
from bot.domain.card import CAPTION_LIMIT, longest_caption, visible_length
from bot.domain.dose import Dose, DoseError
from bot.domain.kit import NO_KIT, Kit
from bot.domain.programme import (
    DRILL_TEXT_FIELDS,
    STAGE_TEXT_FIELDS,
    AdvancementRules,
    Drill,
    Level,
    Load,
    Programme,
    Stage,
)
from bot.domain.safety import Tag
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, use_language

DRILL_KEYS = (
    "slug", "name", "stage", "focus", "pattern", "purpose", "cues", "mistake", "dose",
    "regression", "progression", "equipment", "without_kit", "tempo", "load", "tags", "gif",
)  # fmt: skip
OPTIONAL_DRILL_KEYS = ("regression", "progression", "without_kit", "tempo", "load", "tags")
KIT_WORDS = (NO_KIT, *(kit.value for kit in Kit))
LOAD_KEYS = ("reps", "from_dose")
LOAD_REPS = (5, 30)
TAGS = tuple(tag.value for tag in Tag)
PROGRAMME_KEYS = ("levels", "stages", "advancement")
STAGE_KEYS = ("number", "name", "summary", "effort", "hold_effort", "rest", "rotation")
LEVEL_KEYS = ("number", "name", "start_stage")
TEXT_LIMITS = {
    "name": 60,
    "focus": 40,
    "pattern": 24,
    "purpose": 220,
    "mistake": 140,
    "cue": 90,
    "summary": 160,
    "effort": 40,
    "hold_effort": 40,
    "tempo": 60,
}
TRANSLATION_ALLOWANCE = 1.35
"""A translated field may be this much longer than the English limit (Spanish and German run longer); the
caption check still holds every card to Telegram's limit."""
LOCALE_KEYS = ("language", "levels", "stages", "drills")


@dataclass(frozen=True, slots=True, order=True)
class ContentProblem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{_shown(self.path)}:{self.line}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True, slots=True)
class LoadedContent:
    programme: Programme
    media_hashes: Mapping[str, str]
    missing_media: tuple[str, ...] = ()


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def yaml_problem(error: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The line of a YAML error and what is wrong. The scanner's and parser's errors carry a mark; the
    reader's (a control character) only an offset into the text."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        return (mark.line + 1 if mark is not None else 1), str(error.problem or error.context)
    if isinstance(error, yaml.reader.ReaderError):
        code = ord(error.character) if isinstance(error.character, str) else error.character
        return text.count("\n", 0, error.position) + 1, f"a control character (#x{code:04x}) is not allowed"
    return 1, str(error)


@dataclass
class _File:
    """Reads one YAML file's nodes, noting problems against their lines instead of stopping at the first."""

    path: Path
    problems: list[ContentProblem]

    def problem(self, node: Node | int, message: str) -> None:
        line = node if isinstance(node, int) else _line(node)
        self.problems.append(ContentProblem(self.path, line, message))

    def compose(self) -> Node | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.problem(1, f"cannot be read: {error}")
            return None
        try:
            node = yaml.compose(text)
        except yaml.YAMLError as error:
            line, reason = yaml_problem(error, text)
            self.problem(line, f"not valid YAML: {reason}")
            return None
        if node is None:
            self.problem(1, "is empty")
        return node

    def mapping(
        self, node: Node, required: tuple[str, ...], optional: tuple[str, ...] = (), what: str = "this"
    ) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values")
            return None
        known = (*required, *optional)
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key is None or key not in known:
                suggestion = difflib.get_close_matches(str(key), known, n=1)
                hint = f" (did you mean '{suggestion[0]}'?)" if suggestion else ""
                self.problem(key_node, f"unknown key '{key}'{hint}")
                continue
            if key in found:
                self.problem(key_node, f"key '{key}' appears twice")
            found[key] = value_node
        for key in required:
            if key not in found and key not in optional:
                self.problem(node, f"missing required field '{key}'")
        return found

    def text(self, node: Node | None, field_name: str, *, limit: int | None = None) -> str | None:
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str" or not node.value.strip():
            self.problem(node, f"'{field_name}' must be non-empty text")
            return None
        value = " ".join(node.value.split())
        if limit is not None and len(value) > limit:
            self.problem(node, f"'{field_name}' is {len(value)} characters; keep it to {limit}")
        return value

    def optional_slug(self, node: Node | None, field_name: str) -> str | None:
        if node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
            return None
        return self.text(node, field_name)

    def integer(self, node: Node | None, field_name: str) -> int | None:
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:int":
            self.problem(node, f"'{field_name}' must be a whole number, not {_describe(node)}")
            return None
        return int(node.value)

    def number(self, node: Node, field_name: str) -> float | None:
        if not isinstance(node, ScalarNode) or node.tag not in (
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
        ):
            self.problem(node, f"'{field_name}' must be a number, not {_describe(node)}")
            return None
        return float(node.value)

    def items(self, node: Node | None, field_name: str) -> list[Node] | None:
        if node is None:
            return None
        if not isinstance(node, SequenceNode):
            self.problem(node, f"'{field_name}' must be a list, not {_describe(node)}")
            return None
        return list(node.value)


def _describe(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return f"'{node.value}'" if node.value else "empty"
    return "a list" if isinstance(node, SequenceNode) else "a mapping"


@dataclass
class _DrillSource:
    drill: Drill
    file: _File
    lines: dict[str, int] = field(default_factory=dict)


def read_drill(path: Path) -> Drill:
    """One drill file on its own (review sheets draw a drill whose content does not pass yet)."""
    problems: list[ContentProblem] = []
    source = _read_drill(path, problems)
    if source is None or problems:
        raise ContentError(problems)
    return source.drill


def _read_drill(path: Path, problems: list[ContentProblem]) -> _DrillSource | None:
    file = _File(path, problems)
    root = file.compose()
    if root is None:
        return None
    fields = file.mapping(root, DRILL_KEYS, OPTIONAL_DRILL_KEYS, what="a drill file")
    if fields is None:
        return None
    slug = file.text(fields.get("slug"), "slug")
    if slug is not None and slug != path.stem:
        file.problem(fields["slug"], f"slug '{slug}' does not match the file name '{path.stem}.yaml'")
    cues: list[str] = []
    cue_nodes = file.items(fields.get("cues"), "cues")
    if cue_nodes is not None:
        if not 2 <= len(cue_nodes) <= 3:
            file.problem(fields["cues"], f"give 2 or 3 cues, not {len(cue_nodes)}")
        cues = [cue for node in cue_nodes if (cue := file.text(node, "cue", limit=TEXT_LIMITS["cue"]))]
    doses: list[Dose] = []
    dose_nodes = file.items(fields.get("dose"), "dose")
    if dose_nodes is not None:
        if not 1 <= len(dose_nodes) <= 4:
            file.problem(fields["dose"], f"the dose ladder needs 1 to 4 rungs, not {len(dose_nodes)}")
        for node in dose_nodes:
            text = file.text(node, "dose")
            if text is None:
                continue
            try:
                doses.append(Dose.parse(text))
            except DoseError as error:
                file.problem(node, str(error))
    equipment = _equipment(file, fields.get("equipment"))
    load = _load(file, fields.get("load"), len(doses))
    tags = _tags(file, fields.get("tags"))
    values = {
        "name": file.text(fields.get("name"), "name", limit=TEXT_LIMITS["name"]),
        "stage": file.integer(fields.get("stage"), "stage"),
        "focus": file.text(fields.get("focus"), "focus", limit=TEXT_LIMITS["focus"]),
        "pattern": file.text(fields.get("pattern"), "pattern", limit=TEXT_LIMITS["pattern"]),
        "purpose": file.text(fields.get("purpose"), "purpose", limit=TEXT_LIMITS["purpose"]),
        "mistake": file.text(fields.get("mistake"), "mistake", limit=TEXT_LIMITS["mistake"]),
        "gif": file.text(fields.get("gif"), "gif"),
    }
    complete = (
        slug is not None
        and all(value is not None for value in values.values())
        and len(cues) == len(cue_nodes or [])
        and cues
        and len(doses) == len(dose_nodes or [])
        and doses
    )
    if not complete:
        return None
    drill = Drill(
        slug=str(slug),
        name=str(values["name"]),
        stage=int(values["stage"] or 0),
        focus=str(values["focus"]),
        purpose=str(values["purpose"]),
        cues=tuple(cues),
        mistake=str(values["mistake"]),
        doses=tuple(doses),
        regression=file.optional_slug(fields.get("regression"), "regression"),
        progression=file.optional_slug(fields.get("progression"), "progression"),
        equipment=equipment,
        gif=str(values["gif"]),
        pattern=str(values["pattern"]),
        tags=tags,
        without_kit=file.optional_slug(fields.get("without_kit"), "without_kit"),
        tempo=file.text(fields.get("tempo"), "tempo", limit=TEXT_LIMITS["tempo"]),
        load=load,
    )
    lines = {key: _line(node) for key, node in fields.items()}
    lines["_file"] = _line(root)
    return _DrillSource(drill, file, lines)


def _equipment(file: _File, node: Node | None) -> tuple[str, ...]:
    """The kit words onboarding asks about, or `none` alone; a drill that needs nothing has no equipment."""
    nodes = file.items(node, "equipment")
    if nodes is None:
        return ()
    if not nodes and node is not None:
        file.problem(node, "name the kit the drill needs, or `[none]`")
    words = []
    for item in nodes:
        text = file.text(item, "equipment")
        if text is None:
            continue
        if text not in KIT_WORDS:
            suggestion = difflib.get_close_matches(text, KIT_WORDS, n=1)
            hint = f"did you mean '{suggestion[0]}'?" if suggestion else f"one of {', '.join(KIT_WORDS)}"
            file.problem(item, f"unknown kit '{text}' ({hint})")
            continue
        words.append(text)
    if NO_KIT in words and len(nodes) > 1 and node is not None:
        file.problem(node, "'none' cannot be listed with other kit")
    return tuple(word for word in words if word != NO_KIT)


def _load(file: _File, node: Node | None, rungs: int) -> Load | None:
    """How heavy: `{reps: 12}` (a weight you could lift about 12 times), from dose `from_dose` (1-based)."""
    if node is None:
        return None
    fields = file.mapping(node, ("reps",), ("from_dose",), what="load")
    if fields is None:
        return None
    reps = file.integer(fields.get("reps"), "reps")
    from_dose = file.integer(fields.get("from_dose"), "from_dose") if "from_dose" in fields else 1
    if reps is not None and not LOAD_REPS[0] <= reps <= LOAD_REPS[1]:
        file.problem(fields["reps"], f"'reps' must be between {LOAD_REPS[0]} and {LOAD_REPS[1]}, not {reps}")
        return None
    if from_dose is not None and rungs and not 1 <= from_dose <= rungs:
        file.problem(fields["from_dose"], f"'from_dose' must be a dose of the ladder, 1 to {rungs}")
        return None
    if reps is None or from_dose is None:
        return None
    return Load(reps=reps, from_rung=from_dose - 1)


def _tags(file: _File, node: Node | None) -> frozenset[Tag]:
    """The health screen's restrictions name these; an unknown tag would silently restrict nothing."""
    tags: set[Tag] = set()
    for item in file.items(node, "tags") or []:
        text = file.text(item, "tag")
        if text is None:
            continue
        if text not in TAGS:
            suggestion = difflib.get_close_matches(text, TAGS, n=1)
            hint = f" (did you mean '{suggestion[0]}'?)" if suggestion else f" (one of {', '.join(TAGS)})"
            file.problem(item, f"unknown tag '{text}'{hint}")
            continue
        tags.add(Tag(text))
    return frozenset(tags)


@dataclass
class _ProgrammeSource:
    stages: list[Stage]
    levels: list[Level]
    rules: AdvancementRules
    file: _File
    stage_lines: dict[int, int]
    rotation_lines: dict[tuple[int, str], int]
    level_lines: dict[int, int]


def _read_programme(path: Path, problems: list[ContentProblem]) -> _ProgrammeSource | None:
    file = _File(path, problems)
    if not path.exists():
        file.problem(1, "missing: the programme file defines levels, stages and advancement rules")
        return None
    root = file.compose()
    if root is None:
        return None
    fields = file.mapping(root, PROGRAMME_KEYS, ("advancement",), what="the programme")
    if fields is None:
        return None
    source = _ProgrammeSource([], [], AdvancementRules(), file, {}, {}, {})
    for node in file.items(fields.get("stages"), "stages") or []:
        stage_fields = file.mapping(node, STAGE_KEYS, what="a stage")
        if stage_fields is None:
            continue
        number = file.integer(stage_fields.get("number"), "number")
        texts = {
            key: file.text(stage_fields.get(key), key, limit=TEXT_LIMITS.get(key, 40))
            for key in ("name", "summary", "effort", "hold_effort", "rest")
        }
        rotation: list[str] = []
        for item in file.items(stage_fields.get("rotation"), "rotation") or []:
            slug = file.text(item, "rotation entry")
            if slug is not None:
                rotation.append(slug)
                if number is not None:
                    source.rotation_lines[(number, slug)] = _line(item)
        if "rotation" in stage_fields and not rotation:
            file.problem(stage_fields["rotation"], "the rotation lists no drills")
        if number is None or any(value is None for value in texts.values()) or not rotation:
            continue
        source.stage_lines[number] = _line(node)
        source.stages.append(
            Stage(
                number=number,
                name=str(texts["name"]),
                summary=str(texts["summary"]),
                rotation=tuple(rotation),
                effort=str(texts["effort"]),
                rest=str(texts["rest"]),
                hold_effort=str(texts["hold_effort"]),
            )
        )
    numbers = [stage.number for stage in source.stages]
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        file.problem(fields["stages"], f"stages must be numbered 1, 2, 3 ... in order, found {numbers}")
    for node in file.items(fields.get("levels"), "levels") or []:
        level_fields = file.mapping(node, LEVEL_KEYS, what="a level")
        if level_fields is None:
            continue
        number = file.integer(level_fields.get("number"), "number")
        name = file.text(level_fields.get("name"), "name", limit=60)
        start = file.integer(level_fields.get("start_stage"), "start_stage")
        if number is None or name is None or start is None:
            continue
        if start not in numbers:
            file.problem(
                level_fields["start_stage"], f"level {number} starts at stage {start}, which is not defined"
            )
        source.level_lines[number] = _line(node)
        source.levels.append(Level(number=number, name=name, start_stage=start))
    if "advancement" in fields:
        source.rules = _read_rules(file, fields["advancement"])
    return source


_RULE_RANGES: dict[str, tuple[float, float]] = {
    "good_in_a_row_to_step_up": (1, 10),
    "good_sessions_to_advance": (1, 60),
    "absence_days_to_step_back": (2, 60),
    "deload_every_weeks": (2, 12),
    "deload_set_factor": (0.1, 1.0),
}


def _read_rules(file: _File, node: Node) -> AdvancementRules:
    fields = file.mapping(node, (), tuple(_RULE_RANGES), what="advancement")
    if fields is None:
        return AdvancementRules()
    values: dict[str, Any] = {}
    for key, value_node in fields.items():
        low, high = _RULE_RANGES[key]
        value = file.number(value_node, key) if key == "deload_set_factor" else file.integer(value_node, key)
        if value is None:
            continue
        if not low <= value <= high:
            file.problem(value_node, f"'{key}' must be between {low:g} and {high:g}, not {value:g}")
            continue
        values[key] = value
    return AdvancementRules(**values)


def _check_links(sources: dict[str, _DrillSource], present: set[str]) -> None:
    """Regressions, progressions and kit-free alternatives name real drills, and progressions never loop; a
    broken target file is reported once."""
    for slug, source in sources.items():
        for key in ("regression", "progression", "without_kit"):
            target = getattr(source.drill, key)
            if target is None or target in sources or target in present:
                continue
            suggestion = difflib.get_close_matches(target, list(sources), n=1)
            hint = f" (did you mean '{suggestion[0]}'?)" if suggestion else ""
            source.file.problem(source.lines[key], f"{key} '{target}' is not a drill{hint}")
        if source.drill.regression == slug or source.drill.progression == slug:
            source.file.problem(source.lines["_file"], f"drill '{slug}' refers to itself")
    reported: set[str] = set()
    for start in sorted(sources):
        chain = [start]
        current = sources[start].drill.progression
        while current is not None and current in sources and current not in chain:
            chain.append(current)
            current = sources[current].drill.progression
        if current is None or current not in chain:
            continue
        cycle = chain[chain.index(current) :]
        if reported.isdisjoint(cycle):
            first = min(cycle)
            rotated = cycle[cycle.index(first) :] + cycle[: cycle.index(first)]
            source = sources[first]
            source.file.problem(
                source.lines["progression"], f"progressions form a cycle: {' -> '.join([*rotated, first])}"
            )
            reported.update(cycle)


def _check_kit(sources: dict[str, _DrillSource]) -> None:
    """A runner without the kit gets the same pattern without it; a weight is only asked for with a rule."""
    for source in sources.values():
        drill, line = source.drill, source.lines
        alternative = sources.get(drill.without_kit) if drill.without_kit else None
        if drill.equipment and drill.without_kit is None:
            source.file.problem(
                line["equipment"], "a drill that needs kit names one of its pattern without it (without_kit)"
            )
        elif not drill.equipment and drill.without_kit is not None:
            source.file.problem(line["without_kit"], "this drill needs no kit; drop 'without_kit'")
        elif alternative is not None and alternative.drill.pattern != drill.pattern:
            source.file.problem(
                line["without_kit"],
                f"without_kit '{alternative.drill.slug}' is a {alternative.drill.pattern} drill, "
                f"not {drill.pattern}",
            )
        elif alternative is not None and alternative.drill.equipment:
            source.file.problem(
                line["without_kit"],
                f"without_kit '{alternative.drill.slug}' needs {', '.join(alternative.drill.equipment)}",
            )
        needs_weight = Kit.DUMBBELLS.value in drill.equipment
        if needs_weight and drill.load is None:
            source.file.problem(line["equipment"], "dumbbells need a load rule such as 'load: {reps: 12}'")
        elif drill.load is not None and drill.load.from_rung == 0 and not needs_weight:
            source.file.problem(line["load"], "a load from the first dose needs dumbbells in 'equipment'")
        elif drill.load is not None and drill.load.from_rung > 0 and needs_weight:
            source.file.problem(
                line["equipment"],
                f"the weight is only needed from dose {drill.load.from_rung + 1}; leave dumbbells out of "
                "'equipment'",
            )


def _check_regressions(sources: dict[str, _DrillSource]) -> None:
    """ "Too hard" leads to an easier drill of the same movement; only the easiest of a pattern has none."""
    roots: dict[str, list[str]] = {}
    for slug, source in sorted(sources.items()):
        drill = source.drill
        easier = sources.get(drill.regression) if drill.regression else None
        if drill.regression is None:
            roots.setdefault(drill.pattern, []).append(slug)
        elif easier is not None and easier.drill.pattern != drill.pattern:
            source.file.problem(
                source.lines["regression"],
                f"regression '{easier.drill.slug}' is a {easier.drill.pattern} drill; "
                f"a regression must be {drill.pattern} too",
            )
        elif easier is not None and easier.drill.stage > drill.stage:
            source.file.problem(
                source.lines["regression"],
                f"regression '{easier.drill.slug}' is in a later stage ({easier.drill.stage})",
            )
    reported: set[str] = set()
    for start in sorted(sources):
        chain = [start]
        current = sources[start].drill.regression
        while current in sources and current not in chain:
            chain.append(current)
            current = sources[current].drill.regression
        if current in chain and reported.isdisjoint(chain):
            cycle = chain[chain.index(current) :]
            first = min(cycle)
            sources[first].file.problem(
                sources[first].lines["regression"],
                f"regressions form a cycle through {', '.join(sorted(cycle))}",
            )
            reported.update(cycle)
    for pattern, slugs in roots.items():
        for slug in slugs[1:]:
            source = sources[slug]
            source.file.problem(
                source.lines["_file"],
                f"no regression, but only the easiest {pattern} drill may have none "
                f"('{slugs[0]}' has none either)",
            )


def _check_stages(
    programme_source: _ProgrammeSource, sources: dict[str, _DrillSource], present: set[str]
) -> None:
    """Rotations and drill stages agree; a drill whose own file is broken is reported there, not here too."""
    file = programme_source.file
    stage_of_rotation: dict[str, int] = {}
    for stage in programme_source.stages:
        for slug in stage.rotation:
            line = programme_source.rotation_lines[(stage.number, slug)]
            if slug not in sources and slug in present:
                continue
            if slug not in sources:
                suggestion = difflib.get_close_matches(slug, list(sources), n=1)
                hint = f" (did you mean '{suggestion[0]}'?)" if suggestion else ""
                file.problem(
                    line, f"stage {stage.number} rotation names '{slug}', which is not a drill{hint}"
                )
            elif slug in stage_of_rotation:
                file.problem(line, f"'{slug}' is already in the rotation of stage {stage_of_rotation[slug]}")
            else:
                stage_of_rotation[slug] = stage.number
    numbers = {stage.number for stage in programme_source.stages}
    for slug, source in sources.items():
        if source.drill.stage not in numbers:
            source.file.problem(
                source.lines["stage"], f"stage {source.drill.stage} is not defined in programme.yaml"
            )
        elif stage_of_rotation.get(slug) != source.drill.stage:
            source.file.problem(
                source.lines["stage"],
                f"drill is in stage {source.drill.stage} but not in that stage's rotation in programme.yaml",
            )


def _check_captions(
    programme: Programme, sources: dict[str, _DrillSource], locales: dict[str, _LocaleSource]
) -> None:
    """Every card fits in every language: the longest dose with every programme note and a proposed weight.
    A translation's card too long is reported at the drill in that language's file."""
    for language in LANGUAGES:
        locale = locales.get(language)
        if language != DEFAULT_LANGUAGE and locale is None:
            continue
        with use_language(language):
            for slug, source in sources.items():
                drill = source.drill
                if drill.stage not in {stage.number for stage in programme.stages}:
                    continue
                longest = visible_length(longest_caption(drill, programme.stage(drill.stage)))
                if longest <= CAPTION_LIMIT:
                    continue
                message = (
                    f"drill card caption is {longest} characters at its longest (longest dose, every "
                    f"programme note, a proposed weight); Telegram allows {CAPTION_LIMIT}"
                )
                if locale is None:
                    source.file.problem(source.lines["_file"], message)
                elif slug in locale.drill_lines:
                    locale.file.problem(
                        locale.drill_lines[slug], f"'{slug}': {LANGUAGES[language]} {message}"
                    )


@dataclass
class _LocaleSource:
    """One language's text of the programme (`content/locales/<language>.yaml`), by level, stage and drill."""

    file: _File
    levels: dict[int, dict[str, Any]] = field(default_factory=dict)
    stages: dict[int, dict[str, Any]] = field(default_factory=dict)
    drills: dict[str, dict[str, Any]] = field(default_factory=dict)
    drill_lines: dict[str, int] = field(default_factory=dict)


def _translated_limit(key: str) -> int:
    return round(TEXT_LIMITS.get(key, 40) * TRANSLATION_ALLOWANCE)


def _entries(file: _File, node: Node | None, known: list[str], what: str, section: str) -> dict[str, Node]:
    """The entries of a locale section by key: an unknown key or a missing one is a problem."""
    if node is None:
        return {}
    if not isinstance(node, MappingNode):
        file.problem(node, f"'{section}' must be a mapping of {what}s to their text")
        return {}
    found: dict[str, Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
        if key not in known:
            suggestion = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean '{suggestion[0]}'?)" if suggestion else ""
            file.problem(key_node, f"{what} '{key}' is not in the English content{hint}")
        elif key in found:
            file.problem(key_node, f"{what} '{key}' appears twice")
        else:
            found[key] = value_node
    for key in known:
        if key not in found:
            file.problem(node, f"{what} '{key}' has no translation")
    return found


def _read_locale(
    content_dir: Path,
    language: str,
    programme_source: _ProgrammeSource,
    sources: dict[str, _DrillSource],
    present: set[str],
    problems: list[ContentProblem],
) -> _LocaleSource | None:
    """A language's file: every level, stage and drill of the English, each field present, as many cues."""
    file = _File(content_dir / "locales" / f"{language}.yaml", problems)
    if not file.path.exists():
        file.problem(1, f"missing: the {LANGUAGES[language]} text of every level, stage and drill")
        return None
    root = file.compose()
    if root is None:
        return None
    fields = file.mapping(root, LOCALE_KEYS, what=f"the {LANGUAGES[language]} text")
    if fields is None:
        return None
    locale = _LocaleSource(file)
    stated = file.text(fields.get("language"), "language")
    if stated is not None and stated != language:
        file.problem(fields["language"], f"language '{stated}' in the file for '{language}'")
    levels = [str(level.number) for level in programme_source.levels]
    for key, node in _entries(file, fields.get("levels"), levels, "level", "levels").items():
        name = file.text(node, "name", limit=_translated_limit("name"))
        if name is not None:
            locale.levels[int(key)] = {"name": name}
    stages = {str(stage.number): stage for stage in programme_source.stages}
    for key, node in _entries(file, fields.get("stages"), list(stages), "stage", "stages").items():
        stage_fields = file.mapping(node, STAGE_TEXT_FIELDS, what=f"stage {key}")
        if stage_fields is not None:
            texts = {
                name: file.text(value, name, limit=_translated_limit(name))
                for name, value in stage_fields.items()
            }
            locale.stages[int(key)] = {name: text for name, text in texts.items() if text is not None}
    drill_nodes = _entries(file, fields.get("drills"), sorted(present), "drill", "drills")
    for slug, node in drill_nodes.items():
        if slug not in sources:
            continue  # its English file is broken, and reported there
        locale.drill_lines[slug] = _line(node)
        drill_texts = _read_drill_text(file, node, sources[slug].drill)
        if drill_texts is not None:
            locale.drills[slug] = drill_texts
    return locale


def _read_drill_text(file: _File, node: Node, drill: Drill) -> dict[str, Any] | None:
    english_tempo = drill.english("tempo")
    fields = file.mapping(node, DRILL_TEXT_FIELDS, ("tempo",), what=f"drill '{drill.slug}'")
    if fields is None:
        return None
    if english_tempo is not None and "tempo" not in fields:
        file.problem(node, f"drill '{drill.slug}' has a tempo in English; translate it")
    elif english_tempo is None and "tempo" in fields:
        file.problem(fields["tempo"], f"drill '{drill.slug}' has no tempo in English; drop this one")
    texts: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "cues":
            continue
        text = file.text(value, name, limit=_translated_limit(name))
        if text is not None:
            texts[name] = text
    cue_nodes = file.items(fields.get("cues"), "cues")
    if cue_nodes is not None:
        english = len(drill.english("cues"))
        if len(cue_nodes) != english:
            file.problem(
                fields["cues"], f"drill '{drill.slug}' has {english} cues in English, not {len(cue_nodes)}"
            )
        cues = [file.text(cue, "cue", limit=_translated_limit("cue")) for cue in cue_nodes]
        texts["cues"] = tuple(cue for cue in cues if cue is not None)
    return texts


def _attach_translations(
    programme_source: _ProgrammeSource, sources: dict[str, _DrillSource], locales: dict[str, _LocaleSource]
) -> None:
    """Give each level, stage and drill its text in every language read."""

    def per_language(part: str, key: int | str) -> dict[str, dict[str, Any]]:
        return {
            language: texts
            for language, locale in locales.items()
            if (texts := getattr(locale, part).get(key))
        }

    programme_source.levels = [
        level.with_values(translations=per_language("levels", level.number))
        for level in programme_source.levels
    ]
    programme_source.stages = [
        stage.with_values(translations=per_language("stages", stage.number))
        for stage in programme_source.stages
    ]
    for slug, source in sources.items():
        source.drill = source.drill.with_values(translations=per_language("drills", slug))


def load_content(content_dir: Path, *, allow_missing_media: bool = False) -> LoadedContent:
    """The whole programme, validated; raises ContentError listing every problem, writes nothing."""
    content_dir = Path(content_dir)
    problems: list[ContentProblem] = []
    if not content_dir.is_dir():
        raise ContentError([ContentProblem(content_dir, 1, "content directory does not exist")])
    programme_source = _read_programme(content_dir / "programme.yaml", problems)
    drill_paths = sorted((content_dir / "drills").glob("*.yaml"))
    if not drill_paths:
        problems.append(ContentProblem(content_dir / "drills", 1, "no drill files (drills/*.yaml)"))
    sources: dict[str, _DrillSource] = {}
    for path in drill_paths:
        source = _read_drill(path, problems)
        if source is None:
            continue
        if source.drill.slug in sources:
            source.file.problem(source.lines["slug"], f"slug '{source.drill.slug}' is used by another drill")
            continue
        sources[source.drill.slug] = source
    present = {path.stem for path in drill_paths}
    _check_links(sources, present)
    _check_kit(sources)
    _check_regressions(sources)
    hashes: dict[str, str] = {}
    missing: list[str] = []
    for slug, source in sorted(sources.items()):
        gif = content_dir / source.drill.gif
        if gif.is_file():
            hashes[slug] = hashlib.sha256(gif.read_bytes()).hexdigest()
        elif allow_missing_media:
            missing.append(source.drill.gif)
            continue
        for message in media_problems(content_dir, source.drill):
            source.file.problem(source.lines["gif"], message)
    if programme_source is None:
        raise ContentError(problems)
    _check_stages(programme_source, sources, present)
    locales = {
        language: locale
        for language in LANGUAGES
        if language != DEFAULT_LANGUAGE
        and (locale := _read_locale(content_dir, language, programme_source, sources, present, problems))
        is not None
    }
    _attach_translations(programme_source, sources, locales)
    programme = Programme(
        stages=tuple(programme_source.stages),
        levels=tuple(programme_source.levels),
        drills={slug: source.drill for slug, source in sorted(sources.items())},
        rules=programme_source.rules,
    )
    _check_captions(programme, sources, locales)
    if not programme.stages and not problems:
        programme_source.file.problem(1, "no stages defined")
    if not programme.levels and not problems:
        programme_source.file.problem(1, "no levels defined")
    if problems:
        raise ContentError(problems)
    return LoadedContent(programme=programme, media_hashes=hashes, missing_media=tuple(missing))
