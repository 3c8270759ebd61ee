"""Inline keyboards and their callback data. Every payload stays well under Telegram's 64 bytes.

Callback data names the delivery a check-in is for; handlers always check it belongs to the person who
pressed, so a forwarded or forged button records nothing.
"""

from __future__ import annotations

from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.kit import Kit
from bot.domain.programme import Outcome, Programme
from bot.domain.safety import SCREEN_ITEMS, PainArea, PainKind, PregnancyStage, Rule
from bot.domain.week import WEEKDAY_NAMES
from bot.i18n import LANGUAGES
from bot.services.broadcasts import INACTIVE_DAYS

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


EASIER_NOW_LABEL = "⬇️ Easier version now"


def easier_now(delivery_id: int) -> InlineKeyboardMarkup:
    """Under the answer to "Too hard": today's drill swapped for its easier version."""
    return InlineKeyboardMarkup([[_button(EASIER_NOW_LABEL, f"ez:{delivery_id}:now")]])


SNOOZE_LABELS = {"half": "In 30 min", "hour": "In 1 hour", "evening": "This evening"}


def snooze_choices(delivery_id: int, offers: tuple[str, ...]) -> InlineKeyboardMarkup:
    """Only the choices that will be honoured now; Back restores the check-in buttons."""
    return InlineKeyboardMarkup(
        [
            [_button(SNOOZE_LABELS[option], f"sn:{delivery_id}:{option}") for option in offers],
            [_button("Back", f"ci:{delivery_id}:back")],
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


def health_screen(subscriber_id: int, ticked: list[str]) -> InlineKeyboardMarkup:
    """One button per item (tap again to untick), then Done; "None of these" ends the screen at once."""
    buttons = [
        _button(("✅ " if item.key in ticked else "") + item.label, f"hs:{subscriber_id}:{item.key}")
        for item in SCREEN_ITEMS
    ]
    return InlineKeyboardMarkup(
        [
            *(buttons[start : start + 2] for start in range(0, len(buttons), 2)),
            [
                _button("None of these", f"hs:{subscriber_id}:none"),
                _button("Done", f"hs:{subscriber_id}:done"),
            ],
        ]
    )


PREGNANCY_LABELS: dict[PregnancyStage, str] = {
    PregnancyStage.FIRST_TRIMESTER: "Pregnant: first trimester",
    PregnancyStage.LATER: "Pregnant: second or third trimester",
    PregnancyStage.POSTPARTUM: "Baby born in the last 3 months",
}


def pregnancy_stages(subscriber_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(label, f"hs:{subscriber_id}:{stage.value}")] for stage, label in PREGNANCY_LABELS.items()]
    )


CLEARED_LABELS: dict[Rule | None, str] = {
    Rule.HEART: "My doctor has cleared me",
    Rule.PREGNANCY: "I've checked with my midwife or physio",
    Rule.REFER: "A professional has cleared me",
    None: "I've been cleared",
}


def cleared(subscriber_id: int, held_by: Rule | None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(CLEARED_LABELS[held_by], f"hc:{subscriber_id}:cleared")]])


PAIN_AREA_LABELS: dict[PainArea, str] = {
    PainArea.FRONT_OF_HIP: "Front of hip",
    PainArea.SIDE_OF_HIP: "Side of hip",
    PainArea.GROIN: "Groin",
    PainArea.BUTTOCK: "Buttock",
    PainArea.KNEE: "Knee",
    PainArea.LOWER_BACK: "Lower back",
    PainArea.OTHER: "Somewhere else",
}
PAIN_KIND_LABELS: dict[PainKind, str] = {
    PainKind.MUSCLE_BURN: "Muscle working or burning",
    PainKind.SHARP: "Sharp or catching in a joint",
}


def pain_areas(delivery_id: int) -> InlineKeyboardMarkup:
    buttons = [_button(label, f"pa:{delivery_id}:{area.value}") for area, label in PAIN_AREA_LABELS.items()]
    return InlineKeyboardMarkup([buttons[start : start + 2] for start in range(0, len(buttons), 2)])


def pain_kinds(delivery_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(label, f"pk:{delivery_id}:{kind.value}")] for kind, label in PAIN_KIND_LABELS.items()]
    )


def pain_settled(subscriber_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button("It has settled: resume", f"pr:{subscriber_id}:settled")]])


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


def quieter_time(value: time) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(f"Switch to {value:%H:%M}", f"set:quieter:{value:%H%M}")]])


def zones(candidates: list[str]) -> InlineKeyboardMarkup:
    rows = [[_button(zone.replace("_", " "), f"set:tz:{zone}")] for zone in candidates if len(zone) <= 55]
    return InlineKeyboardMarkup(rows)


def days() -> InlineKeyboardMarkup:
    buttons = [_button(label, f"set:days:{key}") for key, (label, _mask) in DAY_PRESETS.items()]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:], [_button("Pick my own days", "set:dpick:0")]])


def day_picker(mask: int) -> InlineKeyboardMarkup:
    """Each day toggles (its button carries the mask it leads to); Save applies the days ticked."""
    buttons = [
        _button(("✅ " if mask & (1 << day) else "") + name[:3], f"set:dpick:{mask ^ (1 << day)}")
        for day, name in enumerate(WEEKDAY_NAMES)
    ]
    save = [_button("Save", f"set:days:{mask}")] if mask else []
    return InlineKeyboardMarkup([buttons[:4], buttons[4:], save])


def self_test(subscriber_id: int, check: int) -> InlineKeyboardMarkup:
    """One check of the readiness self-test: `st:<subscriber>:<check>:yes|no`."""
    return InlineKeyboardMarkup(
        [
            [
                _button("✅ Yes", f"st:{subscriber_id}:{check}:yes"),
                _button("Not yet", f"st:{subscriber_id}:{check}:no"),
            ]
        ]
    )


def hop_check(subscriber_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button("✅ Yes, pain-free", f"hp:{subscriber_id}:yes"),
                _button("Not yet", f"hp:{subscriber_id}:no"),
            ]
        ]
    )


KIT_BUTTONS: dict[Kit, str] = {
    Kit.MINI_BAND: "Mini band",
    Kit.LONG_BAND: "Long band",
    Kit.DUMBBELLS: "Dumbbells or kettlebell",
    Kit.STEP_OR_BOX: "Step or box",
    Kit.BENCH_OR_SOFA: "Bench or sofa",
}


def kit(owned: frozenset[str]) -> InlineKeyboardMarkup:
    """One button per kit (tap again to untick), then "None of these" and Done."""
    buttons = [
        _button(("✅ " if item.value in owned else "") + label, f"set:kit:{item.value}")
        for item, label in KIT_BUTTONS.items()
    ]
    return InlineKeyboardMarkup(
        [
            *(buttons[start : start + 2] for start in range(0, len(buttons), 2)),
            [_button("None of these", "set:kit:none"), _button("Done", "set:kit:done")],
        ]
    )


def long_run_days() -> InlineKeyboardMarkup:
    buttons = [_button(name[:3], f"set:longrun:{number}") for number, name in enumerate(WEEKDAY_NAMES)]
    return InlineKeyboardMarkup(
        [buttons[:4], buttons[4:], [_button("No regular long run", "set:longrun:off")]]
    )


def nudges(enabled: bool) -> InlineKeyboardMarkup:
    """On and Off, the current setting ticked."""
    return InlineKeyboardMarkup(
        [
            [
                _button(("✅ " if enabled else "") + "On", "nd:on"),
                _button(("" if enabled else "✅ ") + "Off", "nd:off"),
            ]
        ]
    )


def pause_lengths() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(f"{days} days", f"set:pause:{days}") for days in PAUSE_CHOICES]])


def confirm_delete() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button("Yes, delete everything", "del:yes"), _button("No, keep it", "del:no")]]
    )


TRY_IT_LABEL = "▶️ Try it now"
ALL_ACTIVE_LABEL = "All active runners"


def try_drill(broadcast_id: int) -> InlineKeyboardMarkup:
    """Under a broadcast: the drill it names, sent to whoever taps."""
    return InlineKeyboardMarkup([[_button(TRY_IT_LABEL, f"try:{broadcast_id}")]])


def audiences(broadcast_id: int, programme: Programme, sources: list[str]) -> InlineKeyboardMarkup:
    """Who gets a broadcast: everyone active, a level, a stage, a deep-link source, or the inactive."""
    prefix = f"bc:{broadcast_id}:aud"
    levels = [
        _button(f"Level {level.number}", f"{prefix}:level:{level.number}") for level in programme.levels
    ]
    stages = [
        _button(f"Stage {stage.number}", f"{prefix}:stage:{stage.number}") for stage in programme.stages
    ]
    tags = [
        _button(f"From “{source}”", f"{prefix}:source:{source}")
        for source in sources
        if len(f"{prefix}:source:{source}".encode()) <= 64
    ]
    return InlineKeyboardMarkup(
        [
            [_button(ALL_ACTIVE_LABEL, f"{prefix}:all")],
            levels,
            *(stages[start : start + 4] for start in range(0, len(stages), 4)),
            *(tags[start : start + 2] for start in range(0, len(tags), 2)),
            [_button(f"Inactive for {INACTIVE_DAYS}+ days", f"{prefix}:inactive")],
            [_button("Cancel", f"bc:{broadcast_id}:cancel")],
        ]
    )


def broadcast_confirm(broadcast_id: int, *, has_button: bool) -> InlineKeyboardMarkup:
    prefix = f"bc:{broadcast_id}"
    button = (
        _button("Remove the Try it now button", f"{prefix}:nobutton")
        if has_button
        else _button("Add a Try it now drill button", f"{prefix}:button")
    )
    return InlineKeyboardMarkup(
        [
            [_button("Send now", f"{prefix}:now"), _button("Send a test to me", f"{prefix}:test")],
            [_button("Send at…", f"{prefix}:at"), button],
            [_button("Cancel", f"{prefix}:cancel")],
        ]
    )


def drill_choices(broadcast_id: int, drills: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """Drill ids and names to pick the Try it now drill from."""
    buttons = [_button(name, f"bc:{broadcast_id}:drill:{drill_id}") for drill_id, name in drills]
    return InlineKeyboardMarkup(
        [
            *(buttons[start : start + 2] for start in range(0, len(buttons), 2)),
            [_button("Back", f"bc:{broadcast_id}:back")],
        ]
    )


def languages(current: str) -> InlineKeyboardMarkup:
    """/language: each language named in itself (whatever the runner reads now), the current one ticked."""
    return InlineKeyboardMarkup(
        [
            [_button(f"✓ {name}" if code == current else name, f"lang:{code}")]
            for code, name in LANGUAGES.items()
        ]
    )
