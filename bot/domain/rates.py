"""Telegram's sending rates, the one place the bot reads them from.

The domain plans with them (how many drills a minute clears, how early a crowded minute starts) and the
limiter enforces them; the domain imports nothing of Telegram, so the figures live here and a test holds
them equal to python-telegram-bot's `FloodLimit`.
"""

from __future__ import annotations

MESSAGES_PER_SECOND = 30
"""Messages a bot may send a second to different chats."""
PAID_MESSAGES_PER_SECOND = 1000
"""The same with paid broadcasts (`allow_paid_broadcast`)."""


def messages_per_second(*, paid: bool) -> int:
    """The rate the bulk sends (drills, nudges, broadcasts) go out at."""
    return PAID_MESSAGES_PER_SECOND if paid else MESSAGES_PER_SECOND
