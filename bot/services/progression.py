"""A runner's place in the programme, between their row and the engine, and the readiness self-test."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.db.models import Subscriber
from bot.domain.programme import Programme
from bot.domain.progression import DrillState, Position, after_hop_check, after_self_test


def position_of(subscriber: Subscriber, drills: Mapping[str, DrillState]) -> Position:
    return Position(
        stage=subscriber.stage,
        stage_credit=subscriber.stage_credit,
        rotation_index=subscriber.rotation_index,
        hard_rotation_index=subscriber.hard_rotation_index,
        stage_started_on=subscriber.stage_started_on,
        last_session_on=subscriber.last_session_on,
        readiness_due=subscriber.readiness_due,
        plyometric_ready=subscriber.plyometric_ready,
        hop_check_due=subscriber.hop_check_due,
        drills=drills,
    )


def store_position(subscriber: Subscriber, position: Position, reason: str, *, now: datetime) -> None:
    """The runner's side of a position (each drill's own progress is stored by the planner)."""
    subscriber.stage = position.stage
    subscriber.stage_credit = position.stage_credit
    subscriber.rotation_index = position.rotation_index
    subscriber.hard_rotation_index = position.hard_rotation_index
    subscriber.stage_started_on = position.stage_started_on
    subscriber.last_session_on = position.last_session_on
    subscriber.readiness_due = position.readiness_due
    subscriber.plyometric_ready = position.plyometric_ready
    subscriber.hop_check_due = position.hop_check_due
    subscriber.last_reason = reason
    subscriber.updated_at = now


def answer_self_test(
    subscriber: Subscriber, programme: Programme, *, passed: bool, now: datetime
) -> str | None:
    """The readiness self-test's answer moves the runner on or gives them another block; None if no
    self-test was due (an old button)."""
    if not subscriber.readiness_due:
        return None
    position, reason = after_self_test(programme, position_of(subscriber, {}), passed=passed)
    store_position(subscriber, position, reason, now=now)
    return reason


def answer_hop_check(subscriber: Subscriber, *, passed: bool, now: datetime) -> bool:
    """The entry gate's pogo-hop check; False if none was due (an old button)."""
    if not subscriber.hop_check_due:
        return False
    position = after_hop_check(position_of(subscriber, {}), passed=passed)
    subscriber.plyometric_ready = position.plyometric_ready
    subscriber.hop_check_due = position.hop_check_due
    subscriber.updated_at = now
    return True
