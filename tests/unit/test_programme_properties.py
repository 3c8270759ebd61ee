"""Sixteen weeks and more of the shipped programme, simulated as `glutebot programme` does, over random
levels, answers, long-run days and race dates: the rules a physiotherapist would check hold every day."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.loader import load_content
from bot.domain.kit import Kit
from bot.domain.load import is_banded, load_step
from bot.domain.preview import Answer, PlannedDay, preview
from bot.domain.programme import Outcome
from bot.domain.progression import (
    PLYOMETRIC_GATE_DRILL,
    Decision,
    Position,
    SessionResult,
    after_hop_check,
    decide_within,
    has_kit,
    mastered,
)
from bot.domain.safety import PREGNANCY_EXCLUDES, RESTRICTED_TAGS, PregnancyStage, Tag
from bot.domain.week import TAPER_DAYS, Intensity, Running, day_plan, intensity_of

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME = load_content(ROOT / "content", allow_missing_media=True).programme
START = date(2026, 11, 30)  # a Monday
WEEKS = 16
FACTOR = PROGRAMME.rules.deload_set_factor

answers = st.lists(
    st.one_of(
        st.sampled_from(
            [Answer(Outcome.DONE), Answer(Outcome.EASY), Answer(Outcome.HARD), Answer(Outcome.SKIPPED)]
        ),
        st.builds(lambda score: Answer(Outcome.PAIN, score), st.integers(0, 10)),
    ),
    min_size=1,
    max_size=12,
)
runnings = st.builds(
    Running,
    long_run_weekday=st.one_of(st.none(), st.integers(0, 6)),
    race_on=st.one_of(st.none(), st.dates(START, START + timedelta(weeks=WEEKS))),
)

trainings = st.frozensets(st.integers(0, 6), min_size=2)
kits = st.frozensets(st.sampled_from([kit.value for kit in Kit]))


def simulate(
    level: int,
    running: Running,
    replies: list[Answer],
    training: frozenset[int],
    kit: frozenset[str] | None = None,
) -> list[PlannedDay]:
    return preview(
        PROGRAMME,
        level,
        days=7 * WEEKS,
        start=START,
        training_weekdays=training,
        running=running,
        answers=replies,
        kit=kit,
    )


def sessions(days: list[PlannedDay]) -> list[PlannedDay]:
    return [day for day in days if day.drill is not None]


def replies_by_session(days: list[PlannedDay], replies: list[Answer]) -> list[tuple[PlannedDay, Answer]]:
    return [(day, replies[index % len(replies)]) for index, day in enumerate(sessions(days))]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), runnings, answers, trainings)
def test_a_drill_starts_at_its_first_dose_and_moves_at_most_one_step_between_appearances(
    level: int, running: Running, replies: list[Answer], training: frozenset[int]
) -> None:
    last_step: dict[str, int] = {}
    for day in sessions(simulate(level, running, replies, training)):
        assert day.drill is not None and day.step is not None
        slug = day.drill.slug
        if slug not in last_step:
            assert day.step == 0, f"{slug} first appears at step {day.step} on {day.local_date}"
        else:
            assert abs(day.step - last_step[slug]) <= 1, f"{slug} jumped on {day.local_date}"
        last_step[slug] = day.step


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), runnings, answers, trainings)
def test_hard_days_are_never_in_a_row_at_most_three_a_week_none_before_the_long_run_or_a_race(
    level: int, running: Running, replies: list[Answer], training: frozenset[int]
) -> None:
    days = simulate(level, running, replies, training)
    hard = {day.local_date for day in days if day.intensity is Intensity.HARD}
    per_week: defaultdict[date, int] = defaultdict(int)
    for day in hard:
        assert day + timedelta(days=1) not in hard, f"hard on {day} and the day after"
        per_week[day - timedelta(days=day.weekday())] += 1
        if running.long_run_weekday is not None:
            assert (day + timedelta(days=1)).weekday() != running.long_run_weekday
        if running.race_on is not None:
            assert not 0 < (running.race_on - day).days <= TAPER_DAYS, f"hard on {day} before the race"
    assert all(count <= 3 for count in per_week.values())
    for day in days:
        if running.race_on is not None and day.local_date == running.race_on and day.dose is not None:
            assert day.intensity is Intensity.EASY and day.dose.sets == 1
        if running.race_on is not None and day.local_date == running.race_on + timedelta(days=1):
            assert day.drill is None


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), runnings, answers, trainings)
def test_a_lighter_week_cuts_each_drills_volume_by_40_percent_and_raises_no_dose(
    level: int, running: Running, replies: list[Answer], training: frozenset[int]
) -> None:
    days = simulate(level, running, replies, training)
    steps_before: dict[str, int] = {}
    for day in sessions(days):
        assert day.drill is not None and day.dose is not None and day.step is not None
        full = day.drill.doses[day.step]
        if day.deload:
            assert day.dose.volume <= FACTOR * full.volume
            assert day.step <= steps_before.get(day.drill.slug, day.step), "no dose rises in a lighter week"
        else:
            steps_before[day.drill.slug] = day.step


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), runnings, answers, trainings)
def test_pain_above_5_makes_the_patterns_next_appearance_easier_and_too_hard_never_harder(
    level: int, running: Running, replies: list[Answer], training: frozenset[int]
) -> None:
    """Easier: the drill's regression, or the drill itself a rung lower (at the first rung, the first rung
    again) with at most `FACTOR` of that rung's volume; on race day the warm-up, one set of its first rung,
    whatever the pain day's dose was (a warm-up's single set can be less than any lighter dose)."""
    answered = replies_by_session(simulate(level, running, replies, training), replies)
    for index, (day, reply) in enumerate(answered):
        assert day.drill is not None and day.dose is not None and day.step is not None
        later = [after for after, _ in answered[index + 1 :]]
        if reply.outcome is Outcome.PAIN and reply.pain is not None and reply.pain > 5:
            pattern = [
                after
                for after in later
                if after.drill is not None and after.drill.pattern == day.drill.pattern
            ]
            if pattern:
                following = pattern[0]
                drill, dose, step = following.drill, following.dose, following.step
                assert drill is not None and dose is not None and step is not None
                if following.local_date == running.race_on:
                    lighter = dose == drill.doses[0].single_set()
                else:
                    lighter = dose.volume <= FACTOR * drill.doses[step].volume
                same = drill.slug == day.drill.slug
                easier = drill.slug == day.drill.regression or (
                    same and step <= max(day.step - 1, 0) and lighter
                )
                assert easier, f"after pain on {day.drill.slug} {day.dose} came {drill.slug} {dose}"
        if reply.outcome is Outcome.HARD:
            again = [after for after in later if after.drill is day.drill]
            if again:
                assert again[0].step is not None and again[0].step <= day.step


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), runnings, answers, trainings)
def test_no_hopping_drill_before_the_entry_gate_is_passed(
    level: int, running: Running, replies: list[Answer], training: frozenset[int]
) -> None:
    """The gate opens on a skater squat of 3 x 8 each side or more answered done or too easy, and closes on
    pain in it."""
    passed = False
    for day, reply in replies_by_session(simulate(level, running, replies, training), replies):
        assert day.drill is not None and day.dose is not None
        if Tag.PLYOMETRIC in day.drill.tags:
            assert passed, f"{day.drill.slug} on {day.local_date} before the entry gate"
        if day.drill.slug == PLYOMETRIC_GATE_DRILL and reply.outcome is Outcome.PAIN:
            passed = False
        elif day.drill.slug == PLYOMETRIC_GATE_DRILL and reply.outcome in (Outcome.DONE, Outcome.EASY):
            passed = passed or (day.dose.sets >= 3 and day.dose.low >= 8)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), runnings, answers, trainings, kits)
def test_a_drill_needing_kit_the_runner_lacks_never_appears(
    level: int, running: Running, replies: list[Answer], training: frozenset[int], kit: frozenset[str]
) -> None:
    """Nor a weight they do not own: a drill asking for dumbbells from a later dose stops below it."""
    for day in sessions(simulate(level, running, replies, training, kit)):
        assert day.drill is not None and day.step is not None
        assert set(day.drill.equipment) <= kit, f"{day.drill.slug} on {day.local_date} without its kit"
        load = day.drill.load
        if load is not None and Kit.DUMBBELLS.value not in kit:
            assert day.step < load.from_rung, f"{day.drill.slug} asks for a weight on {day.local_date}"


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), runnings, answers, trainings, kits)
def test_too_hard_makes_the_patterns_next_appearance_no_harder(
    level: int, running: Running, replies: list[Answer], training: frozenset[int], kit: frozenset[str]
) -> None:
    """After "too hard" the pattern comes back as its easier variant, or the same drill at no higher a
    rung, never as a harder drill of that pattern."""
    answered = replies_by_session(simulate(level, running, replies, training, kit), replies)
    for index, (day, reply) in enumerate(answered):
        assert day.drill is not None and day.dose is not None and day.step is not None
        if reply.outcome is not Outcome.HARD:
            continue
        pattern = [
            after
            for after, _ in answered[index + 1 :]
            if after.drill is not None and after.drill.pattern == day.drill.pattern
        ]
        if not pattern:
            continue
        following = pattern[0]
        assert following.drill is not None and following.dose is not None and following.step is not None
        if following.drill.slug == day.drill.slug:
            assert following.step <= day.step
            assert following.dose.volume <= day.drill.doses[day.step].volume, "a lighter week aside"
        else:
            assert following.drill.stage <= day.drill.stage, (
                f"after too hard on {day.drill.slug} came {following.drill.slug}"
            )


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), runnings, answers, trainings)
def test_the_weight_never_rises_after_pain_or_too_hard_and_rises_in_small_steps(
    level: int, running: Running, replies: list[Answer], training: frozenset[int]
) -> None:
    answered = replies_by_session(simulate(level, running, replies, training), replies)
    for index, (day, reply) in enumerate(answered):
        assert day.drill is not None
        again = [after for after, _ in answered[index + 1 :] if after.drill is day.drill]
        if day.load_kg is None or not again or again[0].load_kg is None:
            continue
        rise = again[0].load_kg - day.load_kg
        assert rise in (0, load_step(day.drill)), f"{day.drill.slug} weight jumped by {rise} kg"
        if reply.outcome in (Outcome.PAIN, Outcome.HARD):
            assert rise == 0, f"{day.drill.slug} got heavier after {reply.outcome} on {day.local_date}"
        # A rise earned before a lighter week waits for the week after it; it never comes inside one.
        assert not (again[0].deload and rise), f"{day.drill.slug} got heavier in a lighter week"


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), runnings, answers, trainings)
def test_a_stronger_band_only_after_its_top_dose_is_beaten_twice_in_a_row_outside_a_lighter_week(
    level: int, running: Running, replies: list[Answer], training: frozenset[int]
) -> None:
    answered = replies_by_session(simulate(level, running, replies, training), replies)
    for index, (day, _reply) in enumerate(answered):
        assert day.drill is not None
        if not day.stronger_band:
            continue
        assert is_banded(day.drill) and not day.deload, f"{day.drill.slug} on {day.local_date}"
        assert day.step == len(day.drill.doses) - 1, f"{day.drill.slug} below its top dose"
        before = [reply for earlier, reply in answered[:index] if earlier.drill is day.drill][-2:]
        good = [reply.outcome in (Outcome.DONE, Outcome.EASY) and reply.pain is None for reply in before]
        assert good == [True, True], f"{day.drill.slug} on {day.local_date} after {before}"


def test_the_last_stage_keeps_one_or_two_loaded_drills_a_week() -> None:
    """Level 3 answering done, every kit: once in stage 4 (which has no loaded drills of its own), each full
    week has one or two loaded drills from stage 3 as strength upkeep."""
    days = preview(PROGRAMME, 3, days=140, start=START)
    last = PROGRAMME.last_stage
    first_week = min(day.local_date for day in days if day.stage == last) + timedelta(days=7)
    weeks: defaultdict[date, int] = defaultdict(int)
    for day in days:
        monday = day.local_date - timedelta(days=day.local_date.weekday())
        if day.stage == last and monday >= first_week:
            weeks[monday] += day.load_kg is not None
    assert len(weeks) >= 8
    assert all(1 <= count <= 2 for count in weeks.values()), dict(weeks)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 3),
    runnings,
    trainings,
    st.one_of(st.none(), kits),
    st.lists(st.sampled_from([Answer(Outcome.DONE), Answer(Outcome.EASY)]), min_size=1, max_size=4),
)
def test_a_runner_doing_well_never_gets_a_regular_day_of_a_regression_of_a_drill_they_did_well(
    level: int, running: Running, training: frozenset[int], kit: frozenset[str] | None, replies: list[Answer]
) -> None:
    """Every answer done (or too easy): no day's drill is the regression of a drill of its own stage served on
    any earlier day while that harder drill is one the runner can do that day (their kit, the day's
    ceiling). A regression is for pain, "too hard" or a harder drill ruled out, not a step back after a good
    session; an easier hop comes back only once every hop above it is mastered (two full sessions at its top
    dose)."""
    served: dict[str, date] = {}
    at_top: dict[str, int] = defaultdict(int)

    def hops_above_mastered(slug: str) -> bool:
        """Every harder hop served so far is mastered, and so are the ones above it."""
        return all(
            drill.slug not in served or (at_top[drill.slug] >= 2 and hops_above_mastered(drill.slug))
            for drill in PROGRAMME.harder_versions(slug)
        )

    for day in sessions(simulate(level, running, replies, training, kit)):
        assert day.drill is not None
        ceiling = day_plan(training, running, day.local_date).ceiling
        returns = Tag.PLYOMETRIC in day.drill.tags and hops_above_mastered(day.drill.slug)
        for harder in PROGRAMME.harder_versions(day.drill.slug):
            usable = has_kit(harder, kit) and intensity_of(harder) <= ceiling
            assert returns or not (usable and harder.slug in served), (
                f"{day.drill.slug} on {day.local_date}, {harder.slug} done on {served.get(harder.slug)}"
            )
        served[day.drill.slug] = day.local_date
        if day.step == len(day.drill.doses) - 1 and not day.deload:
            at_top[day.drill.slug] += 1


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), runnings, answers, trainings, st.one_of(st.none(), kits))
def test_the_day_after_a_good_session_brings_neither_its_regression_nor_a_light_day_of_its_pattern(
    level: int, running: Running, replies: list[Answer], training: frozenset[int], kit: frozenset[str] | None
) -> None:
    """A drill answered done or too easy, without pain: the next day's drill is neither its regression nor
    itself again (a kit swap shared by two rotation drills) unless that day eases a drill after pain or "too
    hard", and a day the stage's rotation cannot fill (between strength days, an easy day) takes another
    pattern, so the same movement does not come two days running as a step back."""
    answered = replies_by_session(simulate(level, running, replies, training, kit), replies)
    for (day, reply), (following, _) in itertools.pairwise(answered):
        assert day.drill is not None and following.drill is not None
        if following.local_date - day.local_date != timedelta(days=1):
            continue
        if reply.outcome not in (Outcome.DONE, Outcome.EASY) or reply.pain is not None:
            continue
        if following.eases is not None:
            continue
        seen = f"{day.drill.slug} on {day.local_date}, then {following.drill.slug}"
        assert following.drill.slug != day.drill.regression, seen
        assert following.drill.slug != day.drill.slug, seen
        rotation = PROGRAMME.stage(following.stage).rotation
        lacking = [PROGRAMME.drills[slug] for slug in rotation if not has_kit(PROGRAMME.drills[slug], kit)]
        swaps = {drill.without_kit for drill in lacking}
        filler = following.drill.slug not in {*rotation, *swaps} and following.intensity < Intensity.HARD
        if filler:
            assert following.drill.pattern != day.drill.pattern, seen


SCREENS = [
    frozenset(),
    frozenset({Tag.PLYOMETRIC}),
    RESTRICTED_TAGS,
    PREGNANCY_EXCLUDES[PregnancyStage.LATER],
]
"""What the health screen can exclude: nothing, hops (pregnancy), the restrict rule's tags, late pregnancy's
ones."""


def _stage_4_sessions(
    training: frozenset[int],
    running: Running,
    kit: frozenset[str] | None,
    excluded: frozenset[Tag],
    weeks: int,
) -> list[Decision]:
    """A runner starting the last stage who answers every drill done, passes the pogo-hop check when it is
    asked, and whose health screen excludes `excluded`."""
    position = Position(stage=PROGRAMME.last_stage)
    previous: list[SessionResult] = []
    served: list[Decision] = []
    for offset in range(7 * weeks):
        today = START + timedelta(days=offset)
        if today.weekday() not in training:
            continue
        plan = day_plan(training, running, today)
        decision = decide_within(
            PROGRAMME,
            position,
            previous,
            today,
            allowed=lambda drill: not drill.tags & excluded,
            day=plan,
            kit=kit,
        )
        if decision is None:
            continue
        served.append(decision)
        position = decision.position
        if position.hop_check_due:
            position = after_hop_check(position, passed=True)
        previous = [SessionResult(today, decision.drill.slug, Outcome.DONE, None, decision.dose)]
    return served


@settings(max_examples=30, deadline=None)
@given(
    st.frozensets(st.integers(0, 6), min_size=4),
    st.builds(Running, long_run_weekday=st.one_of(st.none(), st.integers(0, 6))),
    st.one_of(st.none(), kits),
    st.sampled_from(SCREENS),
)
def test_over_26_weeks_of_the_last_stage_every_drill_the_kit_and_screen_allow_comes_and_hops_progress(
    training: frozenset[int], running: Running, kit: frozenset[str] | None, excluded: frozenset[Tag]
) -> None:
    """Four training days a week or more (one of them may be the easy day before the long run, so as few
    as three take the stage's drills), every answer done, half a year: each drill of the last stage's
    rotation the runner has the kit for and the screen allows comes at least once (a hopping drill once its
    gate drill, the skater squat, is allowed too, and the easier hop it builds on was mastered at least ten
    sessions before the end), and the hops progress: an easier hop comes after a harder one only once that
    harder hop is mastered (its top dose, two good sessions in a row)."""
    served = _stage_4_sessions(training, running, kit, excluded, weeks=26)
    slugs = [decision.drill.slug for decision in served]
    gate_open = not PROGRAMME.drills[PLYOMETRIC_GATE_DRILL].tags & excluded
    for slug in PROGRAMME.stage(PROGRAMME.last_stage).rotation:
        drill = PROGRAMME.drills[slug]
        if drill.tags & excluded or not has_kit(drill, kit):
            continue
        if Tag.PLYOMETRIC in drill.tags and not gate_open:
            continue
        easier = PROGRAMME.drills.get(drill.regression or "")
        if Tag.PLYOMETRIC in drill.tags and easier is not None and Tag.PLYOMETRIC in easier.tags:
            owned = [mastered(PROGRAMME, decision.position, easier, kit) for decision in served[:-10]]
            if not any(owned):
                continue
        assert slug in slugs, f"{slug} never came in 26 weeks"
    for easier_slug, harder_slug in HOP_CHAIN:
        harder = PROGRAMME.drills[harder_slug]
        for decision in served[slugs.index(harder_slug) :] if harder_slug in slugs else []:
            if decision.drill.slug == easier_slug and decision.eases is None:
                assert mastered(PROGRAMME, decision.position, harder, kit), (
                    f"{easier_slug} on {decision.position.last_session_on} before {harder_slug} was mastered"
                )


HOP_CHAIN = [("pogo-hops", "single-leg-hop-stick"), ("single-leg-hop-stick", "lateral-hops")]
"""Each hop and the harder hop built on it."""


def _owned_before_harder(days: list[tuple[str, int, bool]]) -> None:
    """`days` are (drill, step, lighter week) of a runner answering every drill done: each harder hop first
    comes after its easier hop had two full (not lighter-week) sessions at its top dose, in a row."""
    at_top: dict[str, int] = defaultdict(int)
    seen: set[str] = set()
    for slug, step, deload in days:
        for easier, harder in HOP_CHAIN:
            if slug == harder and harder not in seen:
                assert at_top[easier] >= 2, (
                    f"{harder} came after {at_top[easier]} sessions of {easier} at its top"
                )
        seen.add(slug)
        if step == len(PROGRAMME.drills[slug].doses) - 1 and not deload:
            at_top[slug] += 1


@settings(max_examples=20, deadline=None)
@given(
    st.frozensets(st.integers(0, 6), min_size=3),
    st.builds(Running, long_run_weekday=st.one_of(st.none(), st.integers(0, 6))),
    st.one_of(st.none(), kits),
)
def test_a_harder_hop_never_comes_before_the_easier_one_reached_its_top_dose_twice_in_a_row(
    training: frozenset[int], running: Running, kit: frozenset[str] | None
) -> None:
    """Every answer done, 40 weeks of the last stage: each step of the plyometric chain is owned before the
    next (the hop and stick after two sessions of pogo hops at 3 x 15, the lateral hops after two of the hop
    and stick at 3 x 8 each side)."""
    served = _stage_4_sessions(training, running, kit, frozenset(), weeks=40)
    _owned_before_harder([(decision.drill.slug, decision.step, decision.deload) for decision in served])


def test_once_every_hop_is_mastered_hard_days_take_turns_among_them() -> None:
    """Every answer done, every day a training day, 40 weeks of the last stage: once the lateral hops are
    mastered, the pogo hops and the hop and stick come back at their top dose, and no hop comes three hopping
    days running."""
    served = _stage_4_sessions(frozenset(range(7)), Running(long_run_weekday=6), None, frozenset(), weeks=40)
    hops = [decision for decision in served if Tag.PLYOMETRIC in decision.drill.tags]
    lateral = PROGRAMME.drills["lateral-hops"]
    owned = next(
        i for i, decision in enumerate(hops) if mastered(PROGRAMME, decision.position, lateral, None)
    )
    after = hops[owned + 1 :]
    assert {decision.drill.slug for decision in after} == {slug for pair in HOP_CHAIN for slug in pair}
    slugs = [decision.drill.slug for decision in after]
    assert all(len(set(window)) > 1 for window in zip(slugs, slugs[1:], slugs[2:], strict=False))
    pogo = PROGRAMME.drills["pogo-hops"]
    assert all(d.step == len(pogo.doses) - 1 for d in after if d.drill is pogo)


def test_the_cli_runner_at_level_3_owns_each_hop_before_the_next() -> None:
    """The review's case (`glutebot programme --days 168 --level 3`): the pogo hops climb to 3 x 15 and
    come twice there before the hop and stick, which climbs to 3 x 8 each side and comes twice there before
    the lateral hops; no easier hop comes back while the lateral hops climb; hops only on hard days, and the
    stage's lighter drills keep coming."""
    days = sessions(preview(PROGRAMME, 3, days=168, start=START))
    last = [day for day in days if day.stage == PROGRAMME.last_stage and day.drill is not None]
    slugs = [day.drill.slug for day in last if day.drill is not None]
    firsts = [slugs.index(slug) for slug in ("pogo-hops", "single-leg-hop-stick", "lateral-hops")]
    assert firsts == sorted(firsts)
    _owned_before_harder([(day.drill.slug, day.step or 0, day.deload) for day in last if day.drill])
    assert "pogo-hops" not in slugs[firsts[1] :]
    assert "single-leg-hop-stick" not in slugs[firsts[2] :]
    assert all(
        day.intensity is Intensity.HARD for day in last if day.drill and Tag.PLYOMETRIC in day.drill.tags
    )
    weekly_lighter = {"running-man", "skater-squat", "crossover-step-up"}
    assert all(slugs[-6:].count(slug) >= 1 for slug in weekly_lighter), slugs[-6:]
