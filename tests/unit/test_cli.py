"""CLI commands that need no database: content check and the programme preview."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot import cli
from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def shipped_content(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(ROOT / "content"))
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/London")


def test_content_check_passes_on_the_shipped_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "check", str(ROOT / "content"), "--allow-missing-media"]) == 0
    assert "33 drills over 4 stages, 3 levels, and the message catalogs: all good." in capsys.readouterr().out


def test_content_check_lists_every_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "content"
    shutil.copytree(ROOT / "content", broken)
    clamshell = broken / "drills" / "clamshell.yaml"
    clamshell.write_text(clamshell.read_text().replace("regression: null", "regression: clamshel"))
    bridge = broken / "drills" / "glute-bridge.yaml"
    bridge.write_text(bridge.read_text().replace('"2x12"', '"two by twelve"'))
    monkeypatch.chdir(tmp_path)

    assert main(["content", "check", "content", "--allow-missing-media"]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors[0] == (
        "content/drills/clamshell.yaml:13: regression 'clamshel' is not a drill (did you mean 'clamshell'?)"
    )
    assert errors[1].startswith("content/drills/glute-bridge.yaml:12: dose 'two by twelve' does not parse")
    assert errors[2] == "2 problems in content; nothing was written."


def test_programme_shows_four_weeks_for_each_level(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["programme", "--days", "28", "--start", "2026-11-30"]) == 0
    output = capsys.readouterr().out
    for level in (
        "Level 1: New to strength work",
        "Level 2: Some strength training",
        "Level 3: I lift regularly",
    ):
        assert level in output
    lines = [line for line in output.splitlines() if line.startswith("  day")]
    assert len(lines) == 3 * 28
    assert sum("rest day" in line for line in lines) == 3 * 4
    assert "day  1 Mon 30 Nov  stage 1  Glute bridge" in output
    assert "Lighter week" in output


def test_programme_json_is_one_object_per_day_with_the_runners_answers_long_run_and_race(
    capsys: pytest.CaptureFixture[str],
) -> None:
    arguments = ["programme", "--format", "json", "--level", "3", "--days", "28", "--start", "2026-11-30"]
    extra = ["--answers", "done,done,too-hard,pain:6", "--long-run", "sun", "--race", "2026-12-17"]
    assert main([*arguments, *extra, "--kit", "dumbbells,bench-or-sofa,step-or-box"]) == 0
    days = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert len(days) == 28
    assert days[0] | {"reason": ""} == {
        "level": 3, "date": "2026-11-30", "stage": 3, "drill": "weighted-hip-thrust",
        "kit": ["bench-or-sofa", "dumbbells"], "step": 0, "sets": 3,
        "reps": 8, "seconds": None, "metres": None, "each_side": False, "load": None, "intensity": "hard",
        "stronger_band": False, "deload": False, "reason": "",
    }  # fmt: skip
    by_date = {day["date"]: day for day in days}
    assert by_date["2026-12-05"]["intensity"] == "easy"
    assert by_date["2026-12-05"]["reason"] == "Long run tomorrow: an easy one today."
    assert (by_date["2026-12-17"]["sets"], by_date["2026-12-17"]["intensity"]) == (1, "easy"), "race day"
    assert (by_date["2026-12-18"]["drill"], by_date["2026-12-18"]["intensity"]) == (None, "rest")
    assert by_date["2026-12-18"]["reason"] == "The day after your race: rest."
    assert all(by_date[f"2026-12-{day}"]["intensity"] == "easy" for day in (12, 14, 15, 16, 19))


def test_programme_kit_swaps_each_drill_needing_missing_kit_for_its_kit_free_alternative(
    capsys: pytest.CaptureFixture[str],
) -> None:
    arguments = ["programme", "--format", "json", "--days", "56", "--start", "2026-11-30"]
    assert main([*arguments, "--kit", "none"]) == 0
    bare = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert main([*arguments, "--kit", "mini-band"]) == 0
    banded = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert main(arguments) == 0
    everything = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert all(day["kit"] in (None, []) for day in bare)
    assert all(set(day["kit"] or ()) <= {"mini-band"} for day in banded)
    assert any("mini-band" in (day["kit"] or ()) for day in banded)
    assert any(day["kit"] and day["kit"] != ["mini-band"] for day in everything), "no --kit: every kit"
    assert main([*arguments, "--kit", "band"]) == 2
    assert "--kit: unknown kit band: use none, mini-band" in capsys.readouterr().err


def test_programme_keeps_a_drills_easier_version_for_when_it_is_needed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Level 2 answering done with every kit: the split squat is followed by the hip thrust, not its own
    easier version; the band side steps come first, then only the harder monster walk."""
    assert (
        main(["programme", "--format", "json", "--level", "2", "--days", "28", "--start", "2026-11-30"]) == 0
    )
    drills = [json.loads(line)["drill"] for line in capsys.readouterr().out.splitlines()]
    assert drills[2:4] == ["split-squat", "hip-thrust"]
    assert "supported-split-squat" not in drills and "staggered-stance-rdl" not in drills
    walks = [drill for drill in drills if drill in ("band-lateral-walk", "monster-walk")]
    assert walks[:2] == ["band-lateral-walk", "monster-walk"] and "band-lateral-walk" not in walks[1:]


def test_programme_speaks_the_runners_language_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    """Level and drill names, doses and reasons as a runner reads them; the table's own words stay English."""
    arguments = ["programme", "--level", "1", "--days", "7", "--start", "2026-11-30", "--long-run", "sun"]
    assert main([*arguments, "--language", "es"]) == 0
    spanish = capsys.readouterr().out
    assert main([*arguments, "--language", "de", "--format", "json"]) == 0
    german = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert "Level 1: Principiante en fuerza (starts at stage 1)" in spanish
    assert "day  1 Mon 30 Nov  stage 1  Puente de glúteos" in spanish
    assert "2 × 12 por lado" in spanish
    assert "Tirada larga mañana: hoy, uno suave." in spanish
    assert german[5]["reason"] == "Morgen langer Lauf: heute etwas Leichtes."
    assert german[6]["reason"] == "Ruhetag."
    with pytest.raises(SystemExit):
        main([*arguments, "--language", "fr"])
    assert "--language: invalid choice: 'fr'" in capsys.readouterr().err


def test_programme_rejects_answers_it_cannot_read(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["programme", "--answers", "done,maybe"]) == 2
    assert "--answers: answer 'maybe'" in capsys.readouterr().err


def test_programme_rejects_an_unknown_level(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["programme", "--level", "7"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == "glutebot: --level 7: no such level; the programme has levels 1, 2, 3"
    )


def test_broadcast_numbers_in_other_scripts_are_a_usage_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["broadcast", "status", "²"]) == 2
    assert capsys.readouterr().err == "glutebot: usage: glutebot broadcast status ID\n"
    assert main(["broadcast", "--text", "x", "--segment", "level=²"]) == 2
    assert capsys.readouterr().err == "glutebot: --segment level=²: level takes a number\n"


def test_content_check_names_the_line_of_a_control_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "content"
    shutil.copytree(ROOT / "content", broken)
    for path, line in (
        (broken / "drills" / "clamshell.yaml", 4),
        (broken / "poses" / "glute-bridge.yaml", 2),
    ):
        lines = path.read_text().splitlines(keepends=True)
        lines[line - 1] = lines[line - 1].rstrip("\n") + "\x07\n"
        path.write_text("".join(lines))
    monkeypatch.chdir(tmp_path)

    assert main(["content", "check", "content"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "content/drills/clamshell.yaml:4: not valid YAML: a control character (#x0007) is not allowed",
        "content/drills/glute-bridge.yaml:18: poses/glute-bridge.yaml:2: not valid YAML: "
        "a control character (#x0007) is not allowed",
        "2 problems in content; nothing was written.",
    ]


def test_content_render_names_the_line_of_a_broken_pose_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "content"
    shutil.copytree(ROOT / "content", broken)
    pose = broken / "poses" / "glute-bridge.yaml"
    lines = pose.read_text().splitlines(keepends=True)
    lines[1] = lines[1].rstrip("\n") + "\x07\n"
    pose.write_text("".join(lines))
    monkeypatch.chdir(tmp_path)

    assert main(["content", "render", "content"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "glutebot: content/poses/glute-bridge.yaml:2: not valid YAML: "
        "a control character (#x0007) is not allowed"
    ]


NOT_3D = (
    "poses/running-man.yaml:2: not a 3D pose file: it needs `format: 3d` (see docs/animations/AUTHORING.md)"
)


@pytest.fixture
def content_with_a_2d_pose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped content with one pose file from before the 3D figure."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "poses" / "running-man.yaml").write_text("# a stick figure\nformat: 2d\nkeyframes: []\n")
    monkeypatch.chdir(tmp_path)
    return content


def test_content_check_reports_a_pose_file_not_in_3d_at_its_line(
    content_with_a_2d_pose: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "check", "content"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"content/drills/running-man.yaml:18: {NOT_3D}",
        "1 problem in content; nothing was written.",
    ]


def test_content_render_refuses_a_pose_file_not_in_3d_before_writing_any_gif(
    content_with_a_2d_pose: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {gif.name: gif.read_bytes() for gif in (content_with_a_2d_pose / "gifs").iterdir()}
    assert main(["content", "render", "content"]) == 1
    output = capsys.readouterr()
    assert output.err.splitlines() == [f"glutebot: content/{NOT_3D}"]
    assert output.out == ""
    assert {gif.name: gif.read_bytes() for gif in (content_with_a_2d_pose / "gifs").iterdir()} == before


def test_content_sheet_refuses_a_pose_file_not_in_3d_in_one_line(
    content_with_a_2d_pose: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sheets = tmp_path / "sheets"
    assert main(["content", "sheet", "running-man", "--output", str(sheets), "--directory", "content"]) == 1
    assert capsys.readouterr().err.splitlines() == [f"glutebot: content/{NOT_3D}"]
    assert not sheets.exists()


BAD_ANGLE = "poses/clamshell.yaml:18: keyframe closed: unknown angle 'left_hipp_abd'"


@pytest.fixture
def content_with_a_misspelt_angle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped content with a typo in an angle's name in the clamshell's first keyframe."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    pose = content / "poses" / "clamshell.yaml"
    pose.write_text(pose.read_text().replace("left_hip_abd: 8,", "left_hipp_abd: 8,", 1))
    monkeypatch.chdir(tmp_path)
    return content


def test_a_bad_keyframe_is_one_line_at_its_keyframe_in_check_render_and_sheet(
    content_with_a_misspelt_angle: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["content", "check", "content"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"content/drills/clamshell.yaml:17: {BAD_ANGLE}",
        "1 problem in content; nothing was written.",
    ]
    assert main(["content", "render", "content"]) == 1
    assert capsys.readouterr().err.splitlines() == [f"glutebot: content/{BAD_ANGLE}"]
    sheets = tmp_path / "sheets"
    assert main(["content", "sheet", "clamshell", "--output", str(sheets), "--directory", "content"]) == 1
    assert capsys.readouterr().err.splitlines() == [f"glutebot: content/{BAD_ANGLE}"]
    assert not sheets.exists()


def test_an_unforeseen_crash_is_logged_with_the_token_masked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash nobody foresaw is logged by the masking handler, not printed by Python."""
    token = "7012345678:AAHq3vWcb-SecretPartOfTheToken"
    monkeypatch.setenv("BOT_TOKEN", token)

    def crash(_args: object, _settings: object) -> int:
        raise RuntimeError(f"POST https://api.telegram.org/bot{token}/getMe failed")

    monkeypatch.setattr(cli, "cmd_health", crash)

    assert main(["health"]) == 1
    logged = capsys.readouterr().err
    assert "glutebot health failed unexpectedly" in logged
    assert "RuntimeError: POST https://api.telegram.org/bot7012345678:***/getMe failed" in logged
    assert "SecretPartOfTheToken" not in logged
