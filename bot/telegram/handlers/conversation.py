"""Typed replies to the question the bot has open, and the ways out of it (`/cancel`, any command).

A reply is read by the open question's own parser; a reply that clearly is a check-in leaves the question
and counts as the check-in; anything else gets the question's friendly re-ask, and the question stays open.
"""

from __future__ import annotations

from telegram import Update

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.domain.conversation import Question, Unread, is_check_in, puts_the_drill_off, read_answer
from bot.services import conversation
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import Outbox, runner_command, subscriber_for_update
from bot.telegram.handlers.safety import answer_screen
from bot.telegram.handlers.settings import apply_answer, offer_zones
from bot.ui import texts


async def answer_typed(
    outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber, text: str
) -> bool:
    """True when the open question took the reply; False when none is open or the reply left it."""
    runtime = context.runtime
    question = conversation.open_question(subscriber, now=runtime.clock.now())
    if question is None:
        return False
    if puts_the_drill_off(question, text):
        conversation.settle(subscriber)
        return False
    answer = read_answer(question, text, {level.number for level in runtime.programme.levels})
    if not isinstance(answer, Unread) and question is Question.HEALTH:
        answer_screen(outbox, context, subscriber, str(answer))
    elif not isinstance(answer, Unread):
        await apply_answer(outbox, context, repo, subscriber, question, answer)
    elif is_check_in(text):
        conversation.settle(subscriber)
        return False
    elif question is Question.TIMEZONE:
        offer_zones(outbox, context, subscriber, text)
    else:
        outbox.add(f"{texts.reask(question)} {texts.still_waiting()}")
    return True


async def leave_on_command(update: Update, context: BotContext) -> None:
    """Any command is a way out of an open question (one that asks a question opens it again). A look
    first: most commands come with no question open, and then nothing is written."""
    async with context.runtime.reading() as repo:
        subscriber = await subscriber_for_update(repo, update)
        waiting = subscriber is not None and subscriber.question is not None
    if not waiting:
        return
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is not None:
            conversation.settle(subscriber)


@runner_command
async def cancel_command(
    outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber
) -> None:
    """/cancel: stop waiting for an answer; what was set stays as it was."""
    if not conversation.open_question(subscriber, now=context.runtime.clock.now()):
        outbox.add(texts.nothing_to_cancel())
        return
    onboarding = subscriber.onboarding_step is not None
    if (message_id := conversation.settle(subscriber)) is not None and not onboarding:
        outbox.unbutton.append(message_id)
    outbox.add(texts.cancelled_onboarding() if onboarding else texts.cancelled())
