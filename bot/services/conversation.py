"""The question open with a runner, kept on their row: asked, answered (settled), left or lapsed."""

from __future__ import annotations

from datetime import datetime

from bot.db.models import Subscriber
from bot.domain.conversation import Question, is_open, question_of


def ask(subscriber: Subscriber, question: Question, *, now: datetime) -> None:
    """From now a typed reply is read as this question's answer (its buttons' message is noted on sending)."""
    subscriber.question = question.value
    subscriber.question_asked_at = now
    subscriber.question_message_id = None


def open_question(subscriber: Subscriber, *, now: datetime) -> Question | None:
    question = question_of(subscriber.question)
    step = subscriber.onboarding_step
    onboarding = step is not None and (step == question or question is Question.HEALTH)
    if question is None or not is_open(subscriber.question_asked_at, now=now, onboarding=onboarding):
        return None
    return question


def question_of_now(subscriber: Subscriber) -> Question | None:
    """The question on the runner's row, open or lapsed."""
    return question_of(subscriber.question)


def settle(subscriber: Subscriber) -> int | None:
    """The question is answered or left: nothing is waiting any more. The message whose buttons come off."""
    message_id = subscriber.question_message_id
    subscriber.question = None
    subscriber.question_asked_at = None
    subscriber.question_message_id = None
    return message_id


def button_is_live(subscriber: Subscriber, question: Question, *, now: datetime) -> bool:
    """A tapped answer counts while its question is open, or while onboarding still waits on that step
    (a runner who sent /help halfway through can still tap the answer above)."""
    return open_question(subscriber, now=now) is question or subscriber.onboarding_step == question.value
