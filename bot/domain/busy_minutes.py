"""Spreading drill times: a minute is busy when more drills fall due in it than Telegram lets a bot send.

Runners pick from a few preset times, so thousands can share one minute while the minutes around it are
empty. Telegram's cap clears about `MESSAGES_PER_SECOND * 60` messages a minute; what does not fit waits for
the next minute, and so on. A runner who picks a busy minute is offered the nearest one that still clears
on time, never forced to take it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.rates import messages_per_second

LOOK_BACK_MINUTES = 30
"""Minutes before the chosen one whose overflow is followed into it."""
REACH_MINUTES = 15
"""How far from the chosen minute a quieter one may be offered."""


def minute_budget(*, paid: bool) -> int:
    """How many drills the bot can send in one minute."""
    return messages_per_second(paid=paid) * 60


def quieter_offsets(
    counts: Sequence[int], *, chosen: int, budget: int, reach: int = REACH_MINUTES
) -> list[int]:
    """Minutes (as offsets from the chosen one) that would get one more drill out on the dot, nearest first
    and earlier first on a tie; empty when the chosen minute already does.

    `counts[i]` is how many drills fall due in minute `i` of the window, the runner's own at `chosen`
    counted in. A minute's drills go out on time when the overflow carried in from the minutes before it
    and its own drills fit the budget."""
    carried_in: list[int] = []
    carry = 0
    for count in counts:
        carried_in.append(carry)
        carry = max(0, carry + count - budget)

    def on_time(index: int, extra: int) -> bool:
        return carried_in[index] + counts[index] + extra <= budget

    if on_time(chosen, 0):
        return []
    nearby = (chosen + sign * distance for distance in range(1, reach + 1) for sign in (-1, 1))
    return [index - chosen for index in nearby if 0 <= index < len(counts) and on_time(index, 1)]
