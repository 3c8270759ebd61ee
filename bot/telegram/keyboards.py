"""Inline keyboards and their callback data. Every payload stays well under Telegram's 64 bytes.

Callback data names the delivery a check-in is for; handlers always check it belongs to the person who
pressed, so a forwarded or forged button records nothing.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.programme import Outcome, Programme

CHECK_IN_LABELS: dict[Outcome, str] = {
    Outcome.DONE: "✅ Done",
    Outcome.EASY: "😎 Too easy",
    Outcome.HARD: "😓 Too hard",
    Outcome.SKIPPED: "⏭ Skipped",
    Outcome.PAIN: "⚠️ Pain",
}
COMMON_TIMES = ("06:30", "07:30", "12:30", "17:30", "19:00")
DAY_PRESETS: dict[str, tuple[str, int]] = {
    "daily": ("Every day", 0b1111111),
    "monsat": ("Mon-Sat", 0b0111111),
    "weekdays": ("Weekdays", 0b0011111),
    "mwf": ("Mon, Wed, Fri", 0b0010101),
    "tts": ("Tue, Thu, Sat", 0b0101010),
}
PAUSE_CHOICES = (3, 7, 14)


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def check_in(delivery_id: int) -> InlineKeyboardMarkup:
    buttons = [
        _button(label, f"ci:{delivery_id}:{outcome.value}") for outcome, label in CHECK_IN_LABELS.items()
    ]
    return InlineKeyboardMarkup([buttons[:3], [*buttons[3:], _button("⏰ Later", f"sn:{delivery_id}:menu")]])


def snooze_choices(delivery_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button("In 1 hour", f"sn:{delivery_id}:hour"),
                _button("This evening", f"sn:{delivery_id}:evening"),
            ],
            [_button("Back", f"ci:{delivery_id}:change")],
        ]
    )


def recorded(delivery_id: int, outcome: Outcome, pain: int | None = None) -> InlineKeyboardMarkup:
    label = CHECK_IN_LABELS[outcome]
    if pain is not None:
        label += f" {pain}/10"
    return InlineKeyboardMarkup(
        [
            [
                _button(f"Recorded: {label}", f"ci:{delivery_id}:show"),
                _button("Change", f"ci:{delivery_id}:change"),
            ]
        ]
    )


def pain_scale(prefix: str, delivery_id: int) -> InlineKeyboardMarkup:
    """0-10 in two rows; `prefix` tells a same-day score ("pn") from the next-morning check ("mp")."""
    buttons = [_button(str(score), f"{prefix}:{delivery_id}:{score}") for score in range(11)]
    return InlineKeyboardMarkup([buttons[:6], buttons[6:]])


def health_screen() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button("None of these apply", "set:health:clear")],
            [_button("One of these applies to me", "set:health:flag")],
        ]
    )


def levels(programme: Programme) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(f"{level.number}. {level.name}", f"set:level:{level.number}")]
            for level in programme.levels
        ]
    )


def times() -> InlineKeyboardMarkup:
    buttons = [_button(value, f"set:time:{value.replace(':', '')}") for value in COMMON_TIMES]
    return InlineKeyboardMarkup(
        [buttons[:3], buttons[3:], [_button("Another time (type HH:MM)", "set:time:type")]]
    )


def zones(candidates: list[str]) -> InlineKeyboardMarkup:
    rows = [[_button(zone.replace("_", " "), f"set:tz:{zone}")] for zone in candidates if len(zone) <= 55]
    return InlineKeyboardMarkup(rows)


def days() -> InlineKeyboardMarkup:
    buttons = [_button(label, f"set:days:{key}") for key, (label, _mask) in DAY_PRESETS.items()]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def pause_lengths() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(f"{days} days", f"set:pause:{days}") for days in PAUSE_CHOICES]])


def confirm_delete() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button("Yes, delete everything", "del:yes"), _button("No, keep it", "del:no")]]
    )
