"""Every kind of broken content is reported as `file:line: what is wrong`, all at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.content.loader import ContentError, load_content
from bot.domain.card import CAPTION_LIMIT, LOAD_LIMIT, NOTE_LIMIT, NOTES_LIMIT, render_caption, visible_length
from bot.domain.dose import Dose
from bot.domain.kit import Kit
from bot.domain.programme import Load
from tests.unit.content.conftest import ContentTree

ROOT = Path(__file__).resolve().parents[3]
Tree = Callable[[], ContentTree]


def problems_of(tree: ContentTree, **options: bool) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_content(tree.root, **options)
    return [str(problem) for problem in raised.value.problems]


def test_a_valid_tree_loads_into_the_programme(content_tree: Tree) -> None:
    content = load_content(content_tree().root)

    programme = content.programme
    assert [stage.number for stage in programme.stages] == [1, 2]
    assert programme.stage(1).rotation == ("glute-bridge", "clamshell")
    assert programme.drills["glute-bridge"].doses == (Dose.parse("2x10"), Dose.parse("3x12 each side"))
    assert programme.drills["single-leg-bridge"].regression == "glute-bridge"
    assert programme.rules.good_sessions_to_advance == 6
    assert programme.rules.deload_every_weeks == 4
    assert set(content.media_hashes) == {"glute-bridge", "clamshell", "single-leg-bridge"}
    assert content.missing_media == ()


def test_yaml_syntax_error_gives_the_parser_line(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/clamshell.yaml", 'focus: "glute max"', 'focus: "glute max')
    assert problems_of(tree)[0].startswith("content/drills/clamshell.yaml:")
    assert "not valid YAML" in problems_of(tree)[0]


def test_unknown_key_suggests_the_right_one(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/clamshell.yaml", "cues:", "cuse:")
    assert problems_of(tree) == [
        "content/drills/clamshell.yaml:1: missing required field 'cues'",
        "content/drills/clamshell.yaml:6: unknown key 'cuse' (did you mean 'cues'?)",
    ]


def test_missing_field_points_at_the_file_start(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/clamshell.yaml", 'mistake: "Arching the lower back."\n', "")
    assert problems_of(tree) == ["content/drills/clamshell.yaml:1: missing required field 'mistake'"]


def test_wrong_type(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/clamshell.yaml", "stage: 1", "stage: two")
    assert problems_of(tree) == ["content/drills/clamshell.yaml:3: 'stage' must be a whole number, not 'two'"]


def test_dose_that_does_not_parse_names_its_item_line(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace(
        "drills/clamshell.yaml", 'dose: ["2x10", "3x12 each side"]', 'dose:\n  - "2x10"\n  - "three sets"'
    )
    [problem] = problems_of(tree)
    assert problem.startswith("content/drills/clamshell.yaml:12: dose 'three sets' does not parse")


def test_unknown_regression_slug_with_suggestion(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/single-leg-bridge.yaml", "regression: glute-bridge", "regression: glute-bridg")
    assert problems_of(tree) == [
        "content/drills/single-leg-bridge.yaml:11: regression 'glute-bridg' is not a drill "
        "(did you mean 'glute-bridge'?)"
    ]


def test_cycle_in_progressions_is_named_once(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/single-leg-bridge.yaml", "progression: null", "progression: clamshell")
    tree.replace("drills/clamshell.yaml", "progression: null", "progression: glute-bridge")
    assert problems_of(tree) == [
        "content/drills/clamshell.yaml:12: progressions form a cycle: "
        "clamshell -> glute-bridge -> single-leg-bridge -> clamshell"
    ]


def test_over_long_caption(content_tree: Tree) -> None:
    tree = content_tree()
    long_cue = "Keep the ribs down and squeeze the glutes hard at the very top of every single rep"
    tree.replace(
        "drills/clamshell.yaml", '  - "Ribs down"\n  - "Squeeze at the top"', f'  - "{long_cue}"\n' * 3
    )
    tree.replace(
        "drills/clamshell.yaml",
        'purpose: "Builds the hip drive behind your push-off."',
        'purpose: "' + ("Builds hip drive. " * 12).strip() + '"',
    )
    tree.replace(
        "drills/clamshell.yaml", 'mistake: "Arching the lower back."', 'mistake: "' + "x" * 139 + '"'
    )
    tree.replace("programme.yaml", 'effort: "easy"', 'effort: "' + "e" * 40 + '"')
    tree.replace("programme.yaml", "name: Foundation", "name: " + "F" * 200)
    problems = problems_of(tree)
    assert any(
        problem.startswith("content/drills/clamshell.yaml:1: drill card caption is")
        and problem.endswith(f"Telegram allows {CAPTION_LIMIT}")
        for problem in problems
    ), problems


def test_slug_must_match_the_file_name(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/clamshell.yaml", "slug: clamshell", "slug: clam")
    assert problems_of(tree)[0] == (
        "content/drills/clamshell.yaml:1: slug 'clam' does not match the file name 'clamshell.yaml'"
    )


def test_rotation_names_an_unknown_drill(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace(
        "programme.yaml", "rotation: [glute-bridge, clamshell]", "rotation: [glute-bridge, clamshel]"
    )
    assert problems_of(tree) == [
        "content/drills/clamshell.yaml:3: drill is in stage 1 but not in that stage's rotation "
        "in programme.yaml",
        "content/programme.yaml:11: stage 1 rotation names 'clamshel', which is not a drill "
        "(did you mean 'clamshell'?)",
    ]


def test_level_starting_at_an_unknown_stage(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("programme.yaml", "start_stage: 2}", "start_stage: 5}")
    assert problems_of(tree) == ["content/programme.yaml:3: level 2 starts at stage 5, which is not defined"]


def test_advancement_out_of_range(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("programme.yaml", "good_sessions_to_advance: 6", "deload_set_factor: 1.5")
    assert problems_of(tree) == [
        "content/programme.yaml:20: 'deload_set_factor' must be between 0.1 and 1, not 1.5"
    ]


def test_text_over_its_limit(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/clamshell.yaml", 'focus: "glute max"', 'focus: "' + "g" * 41 + '"')
    assert problems_of(tree) == ["content/drills/clamshell.yaml:4: 'focus' is 41 characters; keep it to 40"]


def test_missing_gif_is_a_problem_unless_allowed(content_tree: Tree) -> None:
    tree = content_tree()
    tree.path("gifs/clamshell.gif").unlink()
    assert problems_of(tree) == [
        "content/drills/clamshell.yaml:14: GIF gifs/clamshell.gif is missing "
        "(render it with `glutebot content render`)"
    ]
    content = load_content(tree.root, allow_missing_media=True)
    assert content.missing_media == ("gifs/clamshell.gif",)
    assert "clamshell" not in content.media_hashes


def test_gif_problems_are_reported_against_the_drill(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("poses/clamshell.yaml", "hold: 0.4", "hold: 0.5")
    assert problems_of(tree) == [
        "content/drills/clamshell.yaml:14: GIF gifs/clamshell.gif is stale: its pose file changed; "
        "run `glutebot content render`"
    ]


def test_every_problem_in_every_file_at_once_sorted(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/single-leg-bridge.yaml", "stage: 2", "stage: 9")
    tree.replace("drills/clamshell.yaml", "cues:", "cuse:")
    tree.replace("programme.yaml", "good_sessions_to_advance: 6", "good_sessions_to_advanc: 6")
    problems = problems_of(tree)
    assert problems == sorted(problems, key=lambda text: (text.split(":")[0], int(text.split(":")[1])))
    assert len(problems) == 4
    assert {problem.split(":")[0] for problem in problems} == {
        "content/drills/clamshell.yaml",
        "content/drills/single-leg-bridge.yaml",
        "content/programme.yaml",
    }


def test_shipped_content_is_valid_and_every_card_fits_the_caption_limit() -> None:
    content = load_content(ROOT / "content", allow_missing_media=True)
    programme = content.programme
    assert len(programme.drills) >= 24
    assert len(programme.stages) >= 4
    notes = ["n" * NOTE_LIMIT] * NOTES_LIMIT
    for drill in programme.drills.values():
        stage = programme.stage(drill.stage)
        load = "w" * LOAD_LIMIT if drill.load is not None else None
        for dose in drill.doses:
            caption = render_caption(drill, dose, stage, notes=notes, load=load)
            assert visible_length(caption) <= CAPTION_LIMIT, drill.slug
    foundation = set(programme.stage(1).rotation)
    assert {"glute-bridge", "clamshell", "side-lying-abduction"} <= foundation


def test_kit_must_be_one_of_the_words_onboarding_asks_about(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/clamshell.yaml", "equipment: [none]", "equipment: [mat]")
    assert problems_of(tree) == [
        "content/drills/clamshell.yaml:13: unknown kit 'mat' "
        "(one of none, mini-band, long-band, dumbbells, step-or-box, bench-or-sofa)"
    ]


def test_none_is_not_listed_with_other_kit(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/clamshell.yaml", "equipment: [none]", "equipment: [none, mini-band]")
    assert "content/drills/clamshell.yaml:13: 'none' cannot be listed with other kit" in problems_of(tree)


def test_a_drill_needing_kit_names_an_alternative_without_it(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/single-leg-bridge.yaml", "equipment: [none]", "equipment: [bench-or-sofa]")
    assert problems_of(tree) == [
        "content/drills/single-leg-bridge.yaml:13: a drill that needs kit names one of its pattern "
        "without it (without_kit)"
    ]
    tree.replace("drills/single-leg-bridge.yaml", "gif:", "without_kit: glute-bridge\ngif:")
    assert load_content(tree.root).programme.drills["single-leg-bridge"].without_kit == "glute-bridge"


def test_the_alternative_without_kit_is_of_the_same_pattern(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace(
        "drills/single-leg-bridge.yaml", "equipment: [none]", "equipment: [mini-band]\nwithout_kit: clamshell"
    )
    assert problems_of(tree) == [
        "content/drills/single-leg-bridge.yaml:14: without_kit 'clamshell' is a abduction drill, "
        "not hip-extension"
    ]


def test_the_alternative_without_kit_needs_no_kit_itself(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace(
        "drills/single-leg-bridge.yaml",
        "equipment: [none]",
        "equipment: [mini-band]\nwithout_kit: glute-bridge",
    )
    tree.replace(
        "drills/glute-bridge.yaml",
        "equipment: [none]",
        "equipment: [step-or-box]\nwithout_kit: single-leg-bridge",
    )
    assert problems_of(tree) == [
        "content/drills/glute-bridge.yaml:14: without_kit 'single-leg-bridge' needs mini-band",
        "content/drills/single-leg-bridge.yaml:14: without_kit 'glute-bridge' needs step-or-box",
    ]


def test_a_drill_needing_no_kit_has_no_alternative(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/single-leg-bridge.yaml", "gif:", "without_kit: glute-bridge\ngif:")
    assert problems_of(tree) == [
        "content/drills/single-leg-bridge.yaml:14: this drill needs no kit; drop 'without_kit'"
    ]


def test_dumbbells_need_a_load_rule(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace(
        "drills/single-leg-bridge.yaml",
        "equipment: [none]",
        "equipment: [dumbbells]\nwithout_kit: glute-bridge",
    )
    assert problems_of(tree) == [
        "content/drills/single-leg-bridge.yaml:13: dumbbells need a load rule such as 'load: {reps: 12}'"
    ]
    tree.replace("drills/single-leg-bridge.yaml", "gif:", "load: {reps: 12}\ngif:")
    drill = load_content(tree.root).programme.drills["single-leg-bridge"]
    assert drill.load == Load(reps=12, from_rung=0)


def test_a_load_from_the_first_dose_needs_dumbbells(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/single-leg-bridge.yaml", "gif:", "load: {reps: 12}\ngif:")
    assert problems_of(tree) == [
        "content/drills/single-leg-bridge.yaml:14: a load from the first dose needs dumbbells in 'equipment'"
    ]


def test_a_load_from_a_later_dose_leaves_dumbbells_out_of_the_kit(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace(
        "drills/single-leg-bridge.yaml",
        "equipment: [none]",
        "equipment: [dumbbells]\nwithout_kit: glute-bridge\nload: {reps: 15, from_dose: 2}",
    )
    assert problems_of(tree) == [
        "content/drills/single-leg-bridge.yaml:13: the weight is only needed from dose 2; "
        "leave dumbbells out of 'equipment'"
    ]
    tree.replace(
        "drills/single-leg-bridge.yaml",
        "equipment: [dumbbells]\nwithout_kit: glute-bridge",
        "equipment: [none]",
    )
    assert load_content(tree.root).programme.drills["single-leg-bridge"].load == Load(reps=15, from_rung=1)


def test_a_load_names_a_dose_of_the_ladder_and_sensible_reps(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/single-leg-bridge.yaml", "gif:", "load: {reps: 50, from_dose: 3}\ngif:")
    tree.replace("drills/clamshell.yaml", "gif:", "load: {reps: 12, from_dose: 3}\ngif:")
    assert problems_of(tree) == [
        "content/drills/clamshell.yaml:14: 'from_dose' must be a dose of the ladder, 1 to 2",
        "content/drills/single-leg-bridge.yaml:14: 'reps' must be between 5 and 30, not 50",
    ]


def test_a_regression_of_another_pattern_is_refused(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/single-leg-bridge.yaml", "regression: glute-bridge", "regression: clamshell")
    assert problems_of(tree) == [
        "content/drills/single-leg-bridge.yaml:11: regression 'clamshell' is a abduction drill; "
        "a regression must be hip-extension too"
    ]


def test_a_regression_is_not_in_a_later_stage(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/glute-bridge.yaml", "regression: null", "regression: single-leg-bridge")
    tree.replace("drills/single-leg-bridge.yaml", "regression: glute-bridge", "regression: null")
    assert problems_of(tree) == [
        "content/drills/glute-bridge.yaml:11: regression 'single-leg-bridge' is in a later stage (2)"
    ]


def test_only_the_easiest_drill_of_a_pattern_has_no_regression(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/single-leg-bridge.yaml", "regression: glute-bridge", "regression: null")
    assert problems_of(tree) == [
        "content/drills/single-leg-bridge.yaml:1: no regression, but only the easiest hip-extension drill "
        "may have none ('glute-bridge' has none either)"
    ]


def test_regressions_never_loop(content_tree: Tree) -> None:
    tree = content_tree()
    tree.replace("drills/clamshell.yaml", 'pattern: "abduction"', 'pattern: "hip-extension"')
    tree.replace("drills/clamshell.yaml", "regression: null", "regression: glute-bridge")
    tree.replace("drills/glute-bridge.yaml", "regression: null", "regression: clamshell")
    assert problems_of(tree) == [
        "content/drills/clamshell.yaml:11: regressions form a cycle through clamshell, glute-bridge"
    ]


def test_every_shipped_drill_has_kit_words_and_a_regression_of_its_pattern() -> None:
    drills = load_content(ROOT / "content", allow_missing_media=True).programme.drills
    for drill in drills.values():
        assert set(drill.equipment) <= {kit.value for kit in Kit}, drill.slug
        if drill.regression is not None:
            assert drills[drill.regression].pattern == drill.pattern, drill.slug
        if drill.equipment:
            alternative = drills[str(drill.without_kit)]
            assert alternative.pattern == drill.pattern and not alternative.equipment, drill.slug
    roots = [drill.pattern for drill in drills.values() if drill.regression is None]
    assert sorted(roots) == sorted(set(roots))
