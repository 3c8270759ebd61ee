"""The progression engine's rules, by example and as properties over random histories."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.content.loader import load_content
from bot.domain.card import NOTE_LIMIT
from bot.domain.dose import Dose
from bot.domain.programme import Drill, Outcome
from bot.domain.progression import (
    BAND_UP_REASON,
    GOOD_OUTCOMES,
    LOAD_UP_REASON,
    NO_PROPOSAL,
    STEP_UP_REASON,
    TOP_DOSE_REASON,
    Decision,
    DrillState,
    Position,
    Proposal,
    SessionResult,
    after_hop_check,
    after_self_test,
    decide,
    decide_within,
    proposal_again,
    start_position,
)
from bot.domain.safety import PAIN_BANDS, Tag
from bot.domain.week import DayPlan, Intensity, intensity_of
from tests.unit.programme_factory import make_drill, make_programme

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME = make_programme()
MONDAY = date(2026, 3, 2)
TUESDAY = MONDAY + timedelta(days=1)


def result(
    day: date, outcome: Outcome | None, pain: int | None = None, slug: str = "bridge"
) -> SessionResult:
    return SessionResult(day, slug, outcome, pain)


def decided(
    position: Position, results: list[SessionResult], today: date, day: DayPlan | None = None
) -> Decision:
    decision = decide(PROGRAMME, position, results, today, day=day or DayPlan(Intensity.HARD))
    assert decision is not None
    return decision


def at(stage: int, **drills: DrillState) -> Position:
    return Position(stage=stage, stage_started_on=MONDAY, drills=drills)


def test_a_new_runner_starts_at_their_level_with_the_first_drill_at_its_first_dose() -> None:
    decision = decided(start_position(PROGRAMME, 2), [], MONDAY)
    assert decision.stage.number == 2
    assert decision.drill.slug == "single-bridge"
    assert str(decision.dose) == "2 × 10"
    assert decision.position.stage_started_on == MONDAY
    assert decision.position.rotation_index == 1


def test_two_good_sessions_on_other_drills_leave_a_new_drill_at_its_first_dose() -> None:
    """The issue's bug: the rung was shared, so two good bridges raised the next, different drill."""
    position = Position(
        stage=1, rotation_index=1, stage_started_on=MONDAY, drills={"bridge": DrillState(good_streak=1)}
    )
    decision = decided(position, [result(MONDAY, Outcome.DONE)], TUESDAY)
    assert decision.drill.slug == "clam"
    assert str(decision.dose) == "2 × 10"
    assert decision.position.state("bridge").good_streak == 2


def test_two_good_sessions_in_a_row_on_a_drill_climb_that_drill_one_rung_when_it_comes_round() -> None:
    position = at(1, bridge=DrillState(good_streak=1), clam=DrillState(last_seen_on=MONDAY))
    decision = decided(position, [result(MONDAY, Outcome.DONE)], TUESDAY)
    assert decision.drill.slug == "bridge"
    state = decision.position.state("bridge")
    assert (state.step, state.good_streak, state.last_outcome) == (1, 0, Outcome.DONE)
    assert str(decision.dose) == "3 × 10"
    assert "dose steps up" in decision.reason


def test_the_rung_never_passes_the_top_of_the_ladder() -> None:
    position = at(1, bridge=DrillState(step=2, good_streak=1))
    decision = decided(position, [result(MONDAY, Outcome.DONE)], TUESDAY)
    assert decision.position.state("bridge").step == 2
    assert "top dose" in decision.reason


def test_enough_good_sessions_after_a_block_ask_the_self_test_which_moves_the_runner_on() -> None:
    started = MONDAY - timedelta(days=28)
    position = Position(stage=1, stage_credit=5, stage_started_on=started)
    decision = decided(position, [result(MONDAY, Outcome.DONE)], TUESDAY)
    assert decision.stage.number == 1
    assert decision.position.readiness_due
    assert "self-test" in decision.reason

    passed, reason = after_self_test(PROGRAMME, decision.position, passed=True)
    assert (passed.stage, passed.stage_credit, passed.stage_started_on, passed.readiness_due) == (
        2,
        0,
        None,
        False,
    )
    assert reason == "Self-test passed: welcome to stage 2!"
    after = decided(passed, [], TUESDAY + timedelta(days=1))
    assert after.drill.slug == "single-bridge"
    assert after.position.stage_started_on == TUESDAY + timedelta(days=1)


def test_not_yet_in_the_self_test_gives_another_block_of_the_stage() -> None:
    due = Position(stage=1, stage_credit=7, stage_started_on=MONDAY - timedelta(days=28), readiness_due=True)
    again, reason = after_self_test(PROGRAMME, due, passed=False)
    assert (again.stage, again.stage_credit, again.stage_started_on, again.readiness_due) == (
        1,
        0,
        None,
        False,
    )
    assert reason == "Another block of stage 1, then the self-test again."


def test_no_self_test_before_the_block_with_its_lighter_week_is_done() -> None:
    position = Position(stage=1, stage_credit=5, stage_started_on=MONDAY - timedelta(days=26))
    decision = decided(position, [result(MONDAY, Outcome.DONE)], TUESDAY)
    assert decision.stage.number == 1
    assert decision.position.stage_credit == 6
    assert not decision.position.readiness_due


def test_too_easy_counts_once_like_done() -> None:
    position = Position(stage=1, stage_credit=4, stage_started_on=MONDAY - timedelta(days=28))
    done = decided(position, [result(MONDAY, Outcome.DONE)], TUESDAY)
    easy = decided(position, [result(MONDAY, Outcome.EASY)], TUESDAY)
    assert not done.position.readiness_due and not easy.position.readiness_due
    assert done.position.stage_credit == easy.position.stage_credit == 5


def test_too_hard_holds_that_drill_and_twice_steps_it_back() -> None:
    position = at(2, **{"single-bridge": DrillState(step=1, good_streak=1)})
    once = decided(position, [result(MONDAY, Outcome.HARD, slug="single-bridge")], TUESDAY)
    assert once.position.state("single-bridge").step == 1
    assert once.position.state("single-bridge").good_streak == 0
    twice = decided(once.position, [result(TUESDAY, Outcome.HARD, slug="single-bridge")], TUESDAY)
    assert twice.position.state("single-bridge").step == 0
    assert "steps back" in twice.reason


def test_pain_steps_that_drill_down_and_serves_its_regression_next() -> None:
    position = replace_stage_credit(at(2, **{"single-bridge": DrillState(step=1)}), 3)
    decision = decided(position, [result(MONDAY, Outcome.PAIN, 6, slug="single-bridge")], TUESDAY)
    assert decision.position.state("single-bridge").step == 0
    assert decision.position.stage == 2
    assert decision.drill.slug == "bridge"
    assert not decision.position.state("single-bridge").easier_next


def replace_stage_credit(position: Position, credit: int) -> Position:
    return Position(
        stage=position.stage, stage_credit=credit, stage_started_on=MONDAY, drills=position.drills
    )


def test_pain_on_the_bottom_rung_steps_back_a_stage() -> None:
    decision = decided(at(2), [result(MONDAY, Outcome.PAIN, 5, slug="single-bridge")], TUESDAY)
    assert decision.stage.number == 1
    assert "pain" in decision.reason.lower()


def test_a_done_with_high_pain_is_treated_as_pain() -> None:
    position = at(1, bridge=DrillState(step=1, good_streak=1))
    decision = decided(position, [result(MONDAY, Outcome.DONE, 5)], TUESDAY)
    assert decision.position.state("bridge").step == 0


def test_low_pain_with_done_still_counts_as_good() -> None:
    position = at(1, bridge=DrillState(good_streak=1))
    decision = decided(position, [result(MONDAY, Outcome.DONE, 3)], TUESDAY)
    assert decision.drill.slug == "bridge"
    assert decision.position.state("bridge").step == 1


def test_skipped_or_unanswered_reset_that_drills_streak_only() -> None:
    position = replace_stage_credit(at(1, bridge=DrillState(step=1, good_streak=1)), 3)
    for outcome in (Outcome.SKIPPED, None):
        decision = decided(position, [result(MONDAY, outcome)], TUESDAY)
        state = decision.position.state("bridge")
        assert (state.step, state.good_streak, decision.position.stage_credit) == (1, 0, 3)


def test_a_week_away_steps_back_one_stage() -> None:
    position = Position(stage=3, last_session_on=MONDAY, stage_started_on=MONDAY)
    decision = decided(position, [], MONDAY + timedelta(days=7))
    assert decision.stage.number == 2
    assert "Welcome back" in decision.reason


def test_the_latest_answer_counts_before_judging_a_week_away() -> None:
    """Two drills a week, Monday and Tuesday: Tuesday's answer is read next Monday, six days later."""
    position = Position(stage=2, last_session_on=MONDAY, stage_started_on=MONDAY)
    decision = decided(
        position, [result(TUESDAY, Outcome.DONE, slug="single-bridge")], MONDAY + timedelta(days=7)
    )
    assert decision.stage.number == 2
    assert "Welcome back" not in decision.reason


def test_every_fourth_week_of_the_stage_is_lighter_counted_from_the_runners_stage_start() -> None:
    started = MONDAY + timedelta(days=3)
    position = Position(stage=1, stage_started_on=started, drills={"bridge": DrillState(step=2)})
    week_three = decided(position, [], started + timedelta(days=20))
    week_four = decided(position, [], started + timedelta(days=21))
    assert not week_three.deload and str(week_three.dose) == "3 × 12"
    assert week_four.deload and week_four.dose.volume <= 0.6 * week_three.dose.volume
    assert week_four.note is not None and "Lighter week" in week_four.note


def test_no_rung_or_stage_rises_in_a_lighter_week() -> None:
    deload_day = MONDAY + timedelta(days=22)
    position = Position(
        stage=1, stage_credit=5, stage_started_on=MONDAY, drills={"bridge": DrillState(good_streak=1)}
    )
    decision = decided(position, [result(deload_day - timedelta(days=1), Outcome.DONE)], deload_day)
    assert decision.deload
    assert decision.stage.number == 1
    assert decision.position.state("bridge").step == 0


def test_the_days_ceiling_keeps_hard_drills_out_and_says_why() -> None:
    easy_day = DayPlan(Intensity.EASY, "Long run tomorrow: an easy one today.")
    decision = decided(Position(stage=3, stage_started_on=MONDAY), [], MONDAY, easy_day)
    assert decision.stage.number == 3
    assert decision.drill.stage == 1
    assert decision.note == "Long run tomorrow: an easy one today."


def test_a_rest_day_has_no_drill() -> None:
    assert decide(PROGRAMME, Position(stage=1), [], MONDAY, day=DayPlan(Intensity.REST)) is None


outcomes = st.one_of(st.none(), st.sampled_from(list(Outcome)))
histories = st.lists(
    st.tuples(st.integers(min_value=1, max_value=9), outcomes, st.one_of(st.none(), st.integers(0, 10))),
    max_size=40,
)


def _replay(
    level: int, history: list[tuple[int, Outcome | None, int | None]]
) -> list[tuple[Position, Decision]]:
    """Walk a random history through the engine, one decision per session, returning each step."""
    position = start_position(PROGRAMME, level)
    today = MONDAY
    steps: list[tuple[Position, Decision]] = []
    previous: SessionResult | None = None
    for gap, outcome, pain in history:
        decision = decided(position, [previous] if previous else [], today)
        steps.append((position, decision))
        position = decision.position
        previous = SessionResult(today, decision.drill.slug, outcome, pain)
        today += timedelta(days=gap)
    return steps


@given(st.integers(1, 3), histories)
def test_stage_and_steps_stay_within_the_programme(
    level: int, history: list[tuple[int, Outcome | None, int | None]]
) -> None:
    for _before, decision in _replay(level, history):
        position = decision.position
        assert PROGRAMME.first_stage <= position.stage <= PROGRAMME.last_stage
        for slug, state in position.drills.items():
            assert 0 <= state.step < len(PROGRAMME.drills[slug].doses)
        assert len(decision.reason) <= NOTE_LIMIT
        assert decision.note is None or len(decision.note) <= NOTE_LIMIT


@given(
    st.integers(1, 3),
    st.integers(0, 2),
    st.integers(0, 3),
    st.integers(0, 20),
    st.one_of(st.just(Outcome.PAIN), st.sampled_from(list(Outcome))),
    st.integers(0, 10),
)
def test_pain_never_advances(
    level: int, step: int, streak: int, credit: int, outcome: Outcome, pain: int
) -> None:
    stage = start_position(PROGRAMME, level).stage
    slug = PROGRAMME.stage(stage).rotation[0]
    position = Position(
        stage=stage,
        stage_credit=credit,
        stage_started_on=MONDAY,
        last_session_on=MONDAY,
        drills={slug: DrillState(step=step, good_streak=streak)},
    )
    painful = outcome is Outcome.PAIN or not PAIN_BANDS.green.covers(pain)
    decision = decided(position, [result(MONDAY, outcome, pain, slug=slug)], TUESDAY)
    if painful:
        before = (position.stage, step)
        after = (decision.position.stage, decision.position.state(slug).step)
        assert after < before or before == (PROGRAMME.first_stage, 0)


@given(st.integers(1, 3), histories)
def test_same_inputs_same_decision(level: int, history: list[tuple[int, Outcome | None, int | None]]) -> None:
    assert _replay(level, history) == _replay(level, history)


def test_hopping_drills_wait_for_a_pain_free_skater_squat_of_3_x_8_then_pain_free_pogo_hops() -> None:
    shipped = load_content(ROOT / "content", allow_missing_media=True).programme
    # The chain's first hop: the others wait for the hop before them to be mastered as well.
    hops = next(
        slug
        for slug, drill in shipped.drills.items()
        if Tag.PLYOMETRIC in drill.tags and drill.regression not in shipped.drills
    )

    def served_after(outcome: Outcome, dose: str, pain: int | None = None, *, pogo: bool = True) -> set[str]:
        """Every drill of stage 4 the day after the skater squat (when the pogo-hop check is asked, and
        answered `pogo`) and the day after that."""
        skater = SessionResult(MONDAY, "skater-squat", outcome, pain, Dose.parse(dose))
        slugs = set()
        for index in range(len(shipped.stage(4).rotation)):
            position = Position(
                stage=4, rotation_index=index, hard_rotation_index=index, stage_started_on=MONDAY
            )
            first = decide(shipped, position, [skater], TUESDAY, day=DayPlan(Intensity.HARD))
            assert first is not None and first.drill.slug != hops
            checked = first.position
            if checked.hop_check_due:
                checked = after_hop_check(checked, passed=pogo)
            checked = replace(checked, rotation_index=index, hard_rotation_index=index)
            second = decide(shipped, checked, [], TUESDAY + timedelta(days=2), day=DayPlan(Intensity.HARD))
            assert second is not None
            slugs.add(second.drill.slug)
        return slugs

    assert hops not in served_after(Outcome.DONE, "3x6 each side")
    assert hops not in served_after(Outcome.DONE, "3x4 each side"), "a lighter week's 3 x 8 is not the gate"
    assert hops not in served_after(Outcome.DONE, "3x8 each side", pain=6)
    assert hops not in served_after(Outcome.HARD, "3x8 each side")
    assert hops not in served_after(Outcome.DONE, "3x8 each side", pogo=False)
    assert hops in served_after(Outcome.DONE, "3x8 each side")
    assert hops in served_after(Outcome.EASY, "3x10 each side")


BANDED = replace(
    PROGRAMME,
    drills={**PROGRAMME.drills, "bridge": replace(PROGRAMME.drills["bridge"], equipment=("mini-band",))},
)


def band_decision(state: DrillState, answer: SessionResult, today: date = TUESDAY) -> Decision:
    decision = decide(BANDED, at(1, bridge=state), [answer], today)
    assert decision is not None and decision.drill.slug == "bridge"
    return decision


def test_a_band_drills_top_dose_beaten_twice_proposes_a_stronger_band_at_that_dose() -> None:
    decision = band_decision(DrillState(step=2, good_streak=1), result(MONDAY, Outcome.DONE))
    assert decision.stronger_band and decision.proposal.stronger_band
    assert decision.reason == BAND_UP_REASON
    assert str(decision.dose) == "3 × 12", "the weight rule's shape: the dose stays at the top"
    state = decision.position.state("bridge")
    assert (state.step, state.good_streak) == (2, 0), "two more good sessions before the next one"
    assert decision.load_kg is None


def test_below_its_top_dose_a_band_drill_climbs_its_ladder_instead() -> None:
    decision = band_decision(DrillState(step=1, good_streak=1), result(MONDAY, Outcome.EASY))
    assert not decision.stronger_band
    assert str(decision.dose) == "3 × 12" and decision.reason == STEP_UP_REASON


def test_no_stronger_band_after_pain_too_hard_a_skip_or_in_a_lighter_week() -> None:
    top = DrillState(step=2, good_streak=1)
    for answer in (
        result(MONDAY, Outcome.PAIN, 6),
        result(MONDAY, Outcome.DONE, 6),
        result(MONDAY, Outcome.HARD),
        result(MONDAY, Outcome.SKIPPED),
        result(MONDAY, None),
    ):
        decision = decide(BANDED, at(1, bridge=top), [answer], TUESDAY)
        assert decision is not None and not decision.stronger_band, answer
    deload_day = MONDAY + timedelta(days=22)
    decision = band_decision(top, result(deload_day - timedelta(days=1), Outcome.DONE), deload_day)
    assert decision.deload and not decision.stronger_band
    assert decision.position.state("bridge").good_streak == 1, "a lighter week's session keeps the streak"


def test_a_drill_without_a_band_at_its_top_dose_proposes_nothing_more() -> None:
    decision = decided(
        at(1, bridge=DrillState(step=2, good_streak=1)), [result(MONDAY, Outcome.DONE)], TUESDAY
    )
    assert not decision.stronger_band and decision.reason == TOP_DOSE_REASON


def test_a_warm_up_only_day_proposes_no_stronger_band() -> None:
    day = DayPlan(Intensity.EASY, warm_up_only=True)
    decision = decide(
        BANDED,
        at(1, bridge=DrillState(step=2, good_streak=1)),
        [result(MONDAY, Outcome.DONE)],
        TUESDAY,
        day=day,
    )
    assert decision is not None and decision.drill.slug == "bridge"
    assert not decision.stronger_band and str(decision.dose) == "1 × 10"


@given(st.lists(st.sampled_from([Outcome.DONE, Outcome.EASY, Outcome.HARD, Outcome.PAIN, None]), max_size=30))
def test_a_stronger_band_comes_only_at_the_top_dose_after_two_good_answers_in_a_row_on_that_drill(
    outcomes: list[Outcome | None],
) -> None:
    """Only the band drill is served (its rotation of one), answered as drawn, one day at a time."""
    programme = replace(BANDED, stages=(replace(BANDED.stages[0], rotation=("bridge",)), *BANDED.stages[1:]))
    position = Position(stage=1, stage_started_on=MONDAY)
    answers: list[Outcome | None] = []
    previous: list[SessionResult] = []
    for offset, outcome in enumerate(outcomes):
        today = MONDAY + timedelta(days=offset)
        decision = decide(programme, position, previous, today)
        assert decision is not None
        if decision.drill.slug != "bridge":
            break
        if decision.stronger_band:
            assert not decision.deload and decision.step == 2
            assert len(answers) >= 2 and all(answer in GOOD_OUTCOMES for answer in answers[-2:])
        position = decision.position
        answers.append(outcome)
        previous = [SessionResult(today, "bridge", outcome, None, decision.dose)]


def test_a_card_sent_again_proposes_what_it_did_when_planned() -> None:
    content = load_content(ROOT / "content", allow_missing_media=True).programme
    walk, thrust = content.drills["monster-walk"], content.drills["weighted-hip-thrust"]
    every_kit = None
    assert proposal_again(
        walk, DrillState(step=2), BAND_UP_REASON, kit=every_kit, warm_up_only=False
    ) == Proposal(stronger_band=True)
    assert (
        proposal_again(walk, DrillState(step=2), TOP_DOSE_REASON, kit=every_kit, warm_up_only=False)
        == NO_PROPOSAL
    )
    raised = DrillState(step=2, load_kg=17.0)
    assert proposal_again(thrust, raised, LOAD_UP_REASON, kit=every_kit, warm_up_only=False) == Proposal(
        17.0, 12.0
    )
    assert proposal_again(thrust, raised, "On plan.", kit=every_kit, warm_up_only=False) == Proposal(
        17.0, 17.0
    )
    assert proposal_again(thrust, raised, LOAD_UP_REASON, kit=every_kit, warm_up_only=True) == NO_PROPOSAL
    assert (
        proposal_again(thrust, DrillState(step=2), "On plan.", kit=every_kit, warm_up_only=False)
        == NO_PROPOSAL
    )
    split = content.drills["split-squat"]
    below = DrillState(step=1, load_kg=10.0)
    assert split.load is not None and below.step < split.load.from_rung
    assert proposal_again(split, below, "On plan.", kit=every_kit, warm_up_only=False) == NO_PROPOSAL


LISTED = replace(
    PROGRAMME,
    drills={
        **PROGRAMME.drills,
        "squat": make_drill("squat", 2, regression="supported-squat"),
        "supported-squat": make_drill("supported-squat", 2),
        "box-squat": replace(
            make_drill("box-squat", 2), equipment=("step-or-box",), without_kit="supported-squat"
        ),
    },
    stages=(
        PROGRAMME.stages[0],
        replace(PROGRAMME.stages[1], rotation=("squat", "supported-squat", "side-plank", "box-squat")),
        PROGRAMME.stages[2],
    ),
)
"""Stage 2 lists a drill's regression right after it, as the shipped stage 2 lists the split squat and the
supported split squat, and a drill needing a box whose kit-free alternative is that regression."""


def listed_decision(
    squat: Outcome | None,
    *,
    index: int = 1,
    kit: frozenset[str] | None = None,
    allowed: Callable[[Drill], bool] = lambda _drill: True,
    squat_on: date = MONDAY,
) -> Decision:
    """The decision on the regression's rotation day, Tuesday, the squat last answered `squat` on `squat_on`
    (None: never had)."""
    drills = {} if squat is None else {"squat": DrillState(last_outcome=squat, last_seen_on=squat_on)}
    position = Position(stage=2, rotation_index=index, stage_started_on=MONDAY, drills=drills)
    decision = decide_within(LISTED, position, [], TUESDAY, allowed=allowed, kit=kit)
    assert decision is not None
    return decision


def test_the_harder_versions_of_a_drill_are_those_of_its_own_stage_that_name_it_as_regression() -> None:
    shipped = load_content(ROOT / "content", allow_missing_media=True).programme
    assert [drill.slug for drill in shipped.harder_versions("supported-split-squat")] == [
        "split-squat",
        "step-up",
    ]
    assert [drill.slug for drill in shipped.harder_versions("staggered-stance-rdl")] == ["single-leg-rdl"]
    assert shipped.harder_versions("split-squat") == (), "the Bulgarian split squat is a stage-3 drill"
    assert shipped.harder_versions("no-such-drill") == ()


def test_after_a_good_session_on_a_drill_its_regression_is_not_the_next_regular_day() -> None:
    """The physiotherapist's finding: split squat done, then the supported split squat the next day."""
    for outcome in GOOD_OUTCOMES:
        first = decide(LISTED, Position(stage=2), [], MONDAY)
        assert first is not None and first.drill.slug == "squat"
        second = decide(LISTED, first.position, [SessionResult(MONDAY, "squat", outcome)], TUESDAY)
        assert second is not None and second.drill.slug == "side-plank", outcome
        assert second.position.rotation_index == 3
    assert listed_decision(Outcome.DONE).drill.slug == "side-plank"


def test_a_runner_new_to_the_pattern_or_whose_last_squat_did_not_go_well_gets_the_regression() -> None:
    for squat in (None, Outcome.SKIPPED, Outcome.HARD, Outcome.PAIN):
        decision = listed_decision(squat)
        assert decision.drill.slug == "supported-squat", squat
        assert decision.note is None, "its own rotation day, not an eased one"


def test_the_regression_comes_when_the_harder_drill_is_ruled_out_for_the_runner_today() -> None:
    box = replace(LISTED.drills["squat"], equipment=("step-or-box",))
    hops = replace(LISTED.drills["squat"], tags=frozenset({Tag.PLYOMETRIC}))
    for harder, kit, allowed in (
        (box, frozenset(), lambda _drill: True),
        (LISTED.drills["squat"], None, lambda drill: drill.slug != "squat"),
        (hops, None, lambda _drill: True),
    ):
        programme = replace(LISTED, drills={**LISTED.drills, "squat": harder})
        position = Position(
            stage=2,
            rotation_index=1,
            stage_started_on=MONDAY,
            drills={"squat": DrillState(last_outcome=Outcome.DONE, last_seen_on=MONDAY)},
        )
        decision = decide_within(programme, position, [], TUESDAY, allowed=allowed, kit=kit)
        assert decision is not None and decision.drill.slug == "supported-squat", harder


def test_after_too_hard_or_pain_the_regression_comes_next_and_the_rotation_waits() -> None:
    for answer in (
        SessionResult(MONDAY, "squat", Outcome.HARD),
        SessionResult(MONDAY, "squat", Outcome.PAIN, 6),
    ):
        position = Position(
            stage=2, rotation_index=2, stage_started_on=MONDAY, drills={"squat": DrillState(step=1)}
        )
        decision = decide(LISTED, position, [answer], TUESDAY)
        assert decision is not None and decision.drill.slug == "supported-squat", answer.outcome
        assert decision.position.rotation_index == 2, "the side plank's day is still to come"


def test_a_kit_swap_that_would_land_on_an_outgrown_regression_moves_on_to_the_next_drill() -> None:
    """No box: the box squat's kit-free alternative is the supported squat, outgrown once the squat went
    well; with a box the box squat itself comes. The squat done the day before is passed over too."""
    last_week = MONDAY - timedelta(days=7)
    assert listed_decision(Outcome.DONE, index=3, kit=frozenset(), squat_on=last_week).drill.slug == "squat"
    assert listed_decision(Outcome.DONE, index=3, kit=frozenset()).drill.slug == "side-plank"
    assert listed_decision(Outcome.DONE, index=3, kit=frozenset({"step-or-box"})).drill.slug == "box-squat"
    assert listed_decision(None, index=3, kit=frozenset()).drill.slug == "supported-squat"


SHIPPED = load_content(ROOT / "content", allow_missing_media=True).programme
LIGHT_DAY = DayPlan(Intensity.MODERATE)


def after_a_good_day_of(slug: str, *, stage: int, rotation_index: int) -> Position:
    """`slug` done on Monday; every other drill of the earlier stages seen a week before, so the drill's
    regression (never seen) is the least recently seen one, first in line for a light day."""
    earlier = [drill for number in range(1, stage) for drill in SHIPPED.stage(number).rotation]
    drills = {other: DrillState(last_seen_on=MONDAY - timedelta(days=7)) for other in earlier}
    regression = SHIPPED.drills[slug].regression
    if regression is not None:
        drills.pop(regression, None)
    drills[slug] = DrillState(last_outcome=Outcome.DONE, last_seen_on=MONDAY)
    return Position(stage=stage, rotation_index=rotation_index, stage_started_on=MONDAY, drills=drills)


def test_a_light_day_after_a_good_strength_day_is_another_pattern_not_its_regression() -> None:
    """The physiotherapist's finding: a Bulgarian split squat done on Monday, then its stage-2 regression,
    the split squat, as Tuesday's light day. Tuesday takes another pattern, and not the copenhagen plank's
    (Wednesday's), and says it is the light day between strength days."""
    position = after_a_good_day_of("bulgarian-split-squat", stage=3, rotation_index=3)
    results = [SessionResult(MONDAY, "bulgarian-split-squat", Outcome.DONE)]
    decision = decide(SHIPPED, position, results, TUESDAY, day=LIGHT_DAY)
    assert decision is not None
    assert decision.drill.slug != "split-squat"
    assert decision.drill.pattern not in ("single-leg-squat", "adduction")
    assert decision.reason == "Good session, keep it going."
    assert decision.note == "Between strength days: a lighter drill today."
    assert decision.eases is None
    assert decision.position.rotation_index == 3, "the copenhagen plank's day is still to come"


def test_after_too_hard_the_light_day_is_the_regression_and_says_why() -> None:
    position = after_a_good_day_of("bulgarian-split-squat", stage=3, rotation_index=3)
    results = [SessionResult(MONDAY, "bulgarian-split-squat", Outcome.HARD)]
    decision = decide(SHIPPED, position, results, TUESDAY, day=LIGHT_DAY)
    assert decision is not None and decision.drill.slug == "split-squat"
    assert decision.eases == "bulgarian-split-squat"
    assert decision.reason.startswith("Last drill felt too hard")


def test_a_light_day_takes_yesterdays_pattern_only_when_nothing_else_is_allowed() -> None:
    """The health screen (here: squats and the strength drills only) leaves the same movement or nothing."""
    position = after_a_good_day_of("bulgarian-split-squat", stage=3, rotation_index=3)
    results = [SessionResult(MONDAY, "bulgarian-split-squat", Outcome.DONE)]
    decision = decide_within(
        SHIPPED,
        position,
        results,
        TUESDAY,
        allowed=lambda drill: drill.pattern == "single-leg-squat" or drill.stage == 3,
        day=LIGHT_DAY,
    )
    assert decision is not None and decision.drill.slug == "split-squat"
    assert decision.note == "Between strength days: a lighter drill today."


def test_strength_upkeep_in_the_last_stage_avoids_yesterdays_pattern() -> None:
    """A crossover step-up done on Monday: Tuesday's upkeep is not the lateral step-up (its regression),
    though that is the loaded drill least recently seen."""
    seen = {
        "weighted-hip-thrust": MONDAY - timedelta(days=9),
        "weighted-single-leg-rdl": MONDAY - timedelta(days=8),
        "lateral-step-up": MONDAY - timedelta(days=10),
    }
    drills = {slug: DrillState(last_seen_on=day, load_kg=10.0) for slug, day in seen.items()}
    drills["crossover-step-up"] = DrillState(last_outcome=Outcome.DONE, last_seen_on=MONDAY)
    position = Position(stage=4, rotation_index=1, stage_started_on=MONDAY, drills=drills)
    results = [SessionResult(MONDAY, "crossover-step-up", Outcome.DONE)]
    decision = decide(SHIPPED, position, results, TUESDAY)
    assert decision is not None and decision.drill.slug == "weighted-hip-thrust"
    assert decision.note == "Strength upkeep: a loaded drill keeps the strength you built."


def test_a_kit_swap_never_serves_yesterdays_drill_again_nor_an_outgrown_regressions_alternative() -> None:
    """No step or box in the last stage: the crossover step-up's kit-free alternative is the skater squat,
    done yesterday, and the lateral step-down's is the split squat, a step back once the skater squat (the
    step-down's harder version) went well. The running man comes instead."""
    position = Position(
        stage=4,
        rotation_index=3,
        stage_started_on=MONDAY,
        drills={"skater-squat": DrillState(last_outcome=Outcome.DONE, last_seen_on=MONDAY)},
    )
    results = [SessionResult(MONDAY, "skater-squat", Outcome.DONE)]
    decision = decide(SHIPPED, position, results, TUESDAY, day=LIGHT_DAY, kit=frozenset({"mini-band"}))
    assert decision is not None and decision.drill.slug == "running-man"
    assert decision.position.rotation_index == 2
    with_a_box = decide(SHIPPED, position, results, TUESDAY, day=LIGHT_DAY, kit=frozenset({"step-or-box"}))
    assert with_a_box is not None and with_a_box.drill.slug == "crossover-step-up"


def test_an_easier_version_after_pain_or_too_hard_climbs_nothing_that_day() -> None:
    """The bridge, two good sessions in a row behind it, stands in for the single-leg bridge after pain or
    "too hard": it comes at the rung it had, the answer's own reason stays, and its streak waits for a
    later day."""
    for answer, reason in (
        (Outcome.PAIN, "You reported pain, so that drill is a step lighter next time."),
        (
            Outcome.HARD,
            "Last drill felt too hard: its easier version comes next, then it stays at the same dose.",
        ),
    ):
        drills = {"bridge": DrillState(step=1, good_streak=2), "single-bridge": DrillState(step=1)}
        position = Position(stage=2, stage_started_on=MONDAY, drills=drills)
        decision = decided(position, [result(MONDAY, answer, slug="single-bridge")], TUESDAY)
        assert decision.drill.slug == "bridge" and decision.eases == "single-bridge"
        assert decision.step == 1 and decision.dose == PROGRAMME.drills["bridge"].doses[1]
        assert decision.reason == reason
        assert decision.position.state("bridge").good_streak == 2


def test_a_lighter_day_leaves_the_hops_place_and_a_hard_day_takes_the_next_hop() -> None:
    """Stage 4, hops allowed: a moderate day serves the next drill below hard and leaves the hops' place
    where it was; the next hard day takes the hop there, not the lighter drill after it."""
    rotation = SHIPPED.stage(4).rotation
    hop_stick = rotation.index("single-leg-hop-stick")
    position = Position(
        stage=4,
        rotation_index=rotation.index("running-man"),
        hard_rotation_index=hop_stick,
        stage_started_on=MONDAY,
        plyometric_ready=True,
        drills={"pogo-hops": DrillState(step=2, good_streak=2)},  # the hop before it is mastered
    )
    light = decide(SHIPPED, position, [], MONDAY, day=LIGHT_DAY)
    assert light is not None and light.drill.slug == "running-man"
    assert light.position.hard_rotation_index == hop_stick
    assert light.position.rotation_index == rotation.index("skater-squat")
    hard = decide(SHIPPED, light.position, [], TUESDAY + timedelta(days=1), day=DayPlan(Intensity.HARD))
    assert hard is not None and hard.drill.slug == "single-leg-hop-stick"
    assert hard.position.hard_rotation_index == rotation.index("lateral-hops")
    assert hard.position.rotation_index == rotation.index("skater-squat")


def test_hard_days_alternate_hops_and_lighter_drills_when_a_hop_had_the_latest_rotation_day() -> None:
    """A runner whose training days are all hard: after a hop day the next hard day is the lighter
    drills' turn, after a lighter drill the hops' (strength upkeep came the day before the hop, so it
    waits for the next hop)."""
    hard_day = DayPlan(Intensity.HARD)
    upkeep = DrillState(last_seen_on=MONDAY - timedelta(days=3), load_kg=10.0)
    after_hop = Position(
        stage=4,
        stage_started_on=MONDAY,
        plyometric_ready=True,
        drills={
            "weighted-hip-thrust": upkeep,
            "running-man": DrillState(last_outcome=Outcome.DONE, last_seen_on=MONDAY - timedelta(days=5)),
            "pogo-hops": DrillState(last_outcome=Outcome.DONE, last_seen_on=MONDAY - timedelta(days=4)),
        },
    )
    lighter = decide(SHIPPED, after_hop, [], MONDAY, day=hard_day)
    assert lighter is not None and intensity_of(lighter.drill) is Intensity.MODERATE
    hop = decide(SHIPPED, lighter.position, [], MONDAY + timedelta(days=2), day=hard_day)
    assert hop is not None and Tag.PLYOMETRIC in hop.drill.tags


def test_the_hop_and_stick_waits_for_two_good_pogo_sessions_at_the_top_and_says_so_once() -> None:
    """Stage 4, hops allowed: with the pogo hops at their top dose and one good session there, the hop and
    stick does not come yet (the pogo hops do, without a step-up reason); two good sessions there master
    them and the hop and stick comes, at its first dose. A mastered hop keeps its streak, so "you're at its
    top dose" is said once, not at every session."""
    rotation = SHIPPED.stage(4).rotation

    def hard_day(pogo: DrillState, turn: str, results: list[SessionResult] | None = None) -> Decision:
        position = Position(
            stage=4,
            hard_rotation_index=rotation.index(turn),
            stage_started_on=MONDAY,
            plyometric_ready=True,
            drills={"pogo-hops": pogo},
        )
        decision = decide(
            SHIPPED, position, results or [], TUESDAY, day=DayPlan(Intensity.HARD), kit=frozenset()
        )
        assert decision is not None
        return decision

    once = hard_day(DrillState(step=2, good_streak=1, last_outcome=Outcome.DONE), "single-leg-hop-stick")
    assert once.drill.slug == "pogo-hops" and once.reason != TOP_DOSE_REASON
    twice = DrillState(step=2, good_streak=2, last_outcome=Outcome.DONE)
    entered = hard_day(twice, "single-leg-hop-stick")
    assert entered.drill.slug == "single-leg-hop-stick" and entered.step == 0
    at_top = hard_day(twice, "pogo-hops")
    assert at_top.drill.slug == "pogo-hops" and at_top.reason == TOP_DOSE_REASON
    assert at_top.position.state("pogo-hops").good_streak == 2
    done = SessionResult(MONDAY, "pogo-hops", Outcome.DONE, dose=at_top.dose)
    later = hard_day(replace(at_top.position.state("pogo-hops"), last_seen_on=None), "pogo-hops", [done])
    assert later.drill.slug == "pogo-hops" and later.reason != TOP_DOSE_REASON
    assert later.position.state("pogo-hops").good_streak == 3
