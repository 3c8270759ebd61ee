"""Each language's text of the programme: read onto the drills, stages and levels, and checked complete."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.content.loader import ContentError, load_content
from bot.domain.card import CAPTION_LIMIT
from bot.i18n import use_language
from tests.unit.content.conftest import ContentTree

Tree = Callable[[], ContentTree]


def problems_of(tree: ContentTree) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_content(tree.root)
    return [str(problem) for problem in raised.value.problems]


def test_text_fields_read_in_the_language_in_force_and_english_by_default(content_tree: Tree) -> None:
    programme = load_content(content_tree().root).programme
    bridge = programme.drills["glute-bridge"]

    assert (bridge.name, programme.stage(1).summary, programme.level(2).name) == (
        "Glute bridge",
        "Wake the glutes up.",
        "Some strength training",
    )
    with use_language("es"):
        assert bridge.name == "es Glute bridge"
        assert bridge.cues == ("es ribs down", "es squeeze at the top")
        assert programme.stage(1).summary == "es wake the glutes up."
        assert programme.stage(2).hold_effort == "es moderate hold"
        assert programme.level(2).name == "es some strength training"
    with use_language("de"):
        assert bridge.mistake == "de arching the lower back."
    assert bridge.english("name") == "Glute bridge"


def test_equality_and_hashing_do_not_follow_the_language(content_tree: Tree) -> None:
    first = load_content(content_tree().root).programme.drills["glute-bridge"]
    again = load_content(content_tree().root).programme.drills["glute-bridge"]
    seen = {first}

    with use_language("es"):
        assert again == first
        assert again in seen
        assert hash(again) == hash(first)
    assert first != first.with_values(translations={})


def test_a_missing_language_file_is_a_problem(content_tree: Tree) -> None:
    tree = content_tree()
    tree.path("locales/de.yaml").unlink()
    assert problems_of(tree) == [
        "content/locales/de.yaml:1: missing: the Deutsch text of every level, stage and drill"
    ]


def test_a_drill_level_or_stage_without_a_translation_is_a_problem(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("locales/es.yaml", '  2: "es some strength training"\n', "")
    text = tree.path("locales/es.yaml").read_text()
    start = text.index("  clamshell:")
    tree.write("locales/es.yaml", text[:start] + text[text.index("  glute-bridge:") :])
    assert problems_of(tree) == [
        "content/locales/es.yaml:3: level '2' has no translation",
        "content/locales/es.yaml:18: drill 'clamshell' has no translation",
    ]


def test_a_missing_field_and_a_different_number_of_cues_are_problems(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("locales/de.yaml", '    summary: "de one leg at a time."\n', "")
    tree.replace("locales/de.yaml", '    mistake: "de arching the lower back."\n', "")
    tree.replace("locales/de.yaml", '      - "de squeeze at the top"\n', "")
    problems = problems_of(tree)
    assert problems == [
        "content/locales/de.yaml:13: missing required field 'summary'",
        "content/locales/de.yaml:19: missing required field 'mistake'",
        "content/locales/de.yaml:23: drill 'clamshell' has 2 cues in English, not 1",
    ]


def test_an_unknown_slug_or_stage_is_named_with_a_suggestion(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("locales/es.yaml", "  glute-bridge:", "  glute-brigde:")
    tree.replace("locales/es.yaml", "  2:\n    name", "  5:\n    name")
    assert problems_of(tree) == [
        "content/locales/es.yaml:6: stage '2' has no translation",
        "content/locales/es.yaml:12: stage '5' is not in the English content",
        "content/locales/es.yaml:19: drill 'glute-bridge' has no translation",
        "content/locales/es.yaml:27: drill 'glute-brigde' is not in the English content "
        "(did you mean 'glute-bridge'?)",
    ]


def test_a_tempo_is_translated_exactly_where_the_english_has_one(content_tree: Tree) -> None:
    tree = content_tree()
    clamshell_mistake = '    mistake: "de arching the lower back."\n'
    tree.replace(
        "locales/de.yaml", clamshell_mistake, clamshell_mistake + '    tempo: "2 s hoch, 3 s runter"\n'
    )
    assert problems_of(tree) == [
        "content/locales/de.yaml:27: drill 'clamshell' has no tempo in English; drop this one"
    ]

    tree.replace("drills/clamshell.yaml", "pattern:", 'tempo: "2 s up, 3 s down"\npattern:')
    assert problems_of(tree) == [
        "content/locales/es.yaml:20: drill 'clamshell' has a tempo in English; translate it"
    ]


def test_a_translation_whose_card_is_too_long_is_reported_in_its_file(content_tree: Tree) -> None:
    tree = content_tree()
    for old, new in (
        ("es builds the hip drive behind your push-off.", "p" * 290),
        ("es ribs down", "c" * 120),
        ("es squeeze at the top", "c" * 120),
        ("es arching the lower back.", "m" * 185),
        ("es wake the glutes up.", "s" * 210),
        ("es Foundation", "f" * 80),
    ):
        tree.replace("locales/es.yaml", f'"{old}"', f'"{new}"')
    problems = problems_of(tree)
    assert len(problems) == 1
    assert problems[0].startswith("content/locales/es.yaml:20: 'clamshell': Español drill card caption is")
    assert problems[0].endswith(f"Telegram allows {CAPTION_LIMIT}")
