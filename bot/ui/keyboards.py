"""Inline keyboards and their callback data. Every payload stays well under Telegram's 64 bytes.

Labels are English msgids (label maps marked with `N_`), translated as each keyboard is built; callback
data is never translated.

Callback data names the delivery a check-in is for; handlers always check it belongs to the person who
pressed, so a forwarded or forged button records nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import time
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.kit import Kit
from bot.domain.programme import Outcome, Programme
from bot.domain.replies import parse_local_time
from bot.domain.safety import SCREEN_ITEMS, PainArea, PainKind, PregnancyStage, Rule
from bot.domain.schedule import day_names
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _, format_clock, ngettext
from bot.services.broadcasts import INACTIVE_DAYS

CHECK_IN_LABELS: dict[Outcome, str] = {
    Outcome.DONE: N_("✅ Done"),
    Outcome.EASY: N_("😎 Too easy"),
    Outcome.HARD: N_("😓 Too hard"),
    Outcome.SKIPPED: N_("⏭ Skipped"),
    Outcome.PAIN: N_("⚠️ Pain"),
}
COMMON_TIMES = ("06:30", "07:30", "12:30", "17:30", "19:00")
DAY_PRESETS: dict[str, tuple[str, int]] = {
    "daily": (N_("Every day"), 0b1111111),
    "monsat": (N_("Mon-Sat"), 0b0111111),
    "weekdays": (N_("Weekdays"), 0b0011111),
    "mwf": (N_("Mon, Wed, Fri"), 0b0010101),
    "tts": (N_("Tue, Thu, Sat"), 0b0101010),
}
PAUSE_CHOICES = (3, 7, 14)


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def check_in(delivery_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(text, data) for text, data in row] for row in _check_in_rows(delivery_id)]
    )


def check_in_json(delivery_id: int) -> dict[str, Any]:
    """`check_in` as the Bot API's JSON, for the drill card the dispatcher sends thousands of a minute:
    PTB's button objects, built and serialised for each card, cost about 0.1 ms of CPU a send."""
    return {
        "inline_keyboard": [
            [{"callback_data": data, "text": text} for text, data in row]
            for row in _check_in_rows(delivery_id)
        ]
    }


def _check_in_rows(delivery_id: int) -> list[list[tuple[str, str]]]:
    """The drill card's buttons, label and callback data, in their rows."""
    buttons = [(_(label), f"ci:{delivery_id}:{outcome.value}") for outcome, label in CHECK_IN_LABELS.items()]
    return [buttons[:3], [*buttons[3:], (_("⏰ Later"), f"sn:{delivery_id}:menu")]]


EASIER_NOW_LABEL = N_("⬇️ Easier version now")


def easier_now(delivery_id: int) -> InlineKeyboardMarkup:
    """Under the answer to "Too hard": today's drill swapped for its easier version."""
    return InlineKeyboardMarkup([[_button(_(EASIER_NOW_LABEL), f"ez:{delivery_id}:now")]])


SNOOZE_LABELS = {"half": N_("In 30 min"), "hour": N_("In 1 hour"), "evening": N_("This evening")}
SNOOZE_ON_CARD = "sn"
SNOOZE_TYPED = "sl"


def snooze_choices(
    delivery_id: int, offers: tuple[str, ...], *, on_card: bool = True
) -> InlineKeyboardMarkup:
    """Only the choices that will be honoured now; on the card, Back restores its check-in buttons. Under
    the answer to a typed "later" (`sl:`, so a tap knows where it is) there is nothing to go back to."""
    prefix = SNOOZE_ON_CARD if on_card else SNOOZE_TYPED
    rows = [[_button(_(SNOOZE_LABELS[option]), f"{prefix}:{delivery_id}:{option}") for option in offers]]
    if on_card:
        rows.append([_button(_("Back"), f"ci:{delivery_id}:back")])
    return InlineKeyboardMarkup(rows)


def recorded(delivery_id: int, outcome: Outcome, pain: int | None = None) -> InlineKeyboardMarkup:
    label = _(CHECK_IN_LABELS[outcome])
    if pain is not None:
        label += f" {pain}/10"
    return InlineKeyboardMarkup(
        [
            [
                _button(recorded_text(label), f"ci:{delivery_id}:show"),
                _button(_("Change"), f"ci:{delivery_id}:change"),
            ]
        ]
    )


def recorded_text(answer: str) -> str:
    """ "Recorded: ✅ Done": what the runner's answer was recorded as (`answer` already translated)."""
    # Translators: {answer} is a check-in button's label, e.g. "✅ Done" or "⚠️ Pain 4/10".
    return _("Recorded: {answer}").format(answer=answer)


def pain_scale(prefix: str, delivery_id: int) -> InlineKeyboardMarkup:
    """0-10 in two rows; `prefix` tells a same-day score ("pn") from the next-morning check ("mp")."""
    buttons = [_button(str(score), f"{prefix}:{delivery_id}:{score}") for score in range(11)]
    return InlineKeyboardMarkup([buttons[:6], buttons[6:]])


def health_screen(subscriber_id: int, ticked: list[str]) -> InlineKeyboardMarkup:
    """One button per item (tap again to untick), then Done; "None of these" ends the screen at once."""
    buttons = [
        _button(("✅ " if item.key in ticked else "") + _(item.label), f"hs:{subscriber_id}:{item.key}")
        for item in SCREEN_ITEMS
    ]
    return _several(buttons, none=f"hs:{subscriber_id}:none", done=f"hs:{subscriber_id}:done")


def _several(buttons: list[InlineKeyboardButton], *, none: str, done: str) -> InlineKeyboardMarkup:
    """A question that takes several answers: its buttons two to a row, then "None of these" and Done."""
    return InlineKeyboardMarkup(
        [
            *(buttons[start : start + 2] for start in range(0, len(buttons), 2)),
            [_button(_("None of these"), none), _button(_("Done"), done)],
        ]
    )


PREGNANCY_LABELS: dict[PregnancyStage, str] = {
    PregnancyStage.FIRST_TRIMESTER: N_("Pregnant: first trimester"),
    PregnancyStage.LATER: N_("Pregnant: second or third trimester"),
    PregnancyStage.POSTPARTUM: N_("Baby born in the last 3 months"),
}


def pregnancy_stages(subscriber_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(_(label), f"hs:{subscriber_id}:{stage.value}")]
            for stage, label in PREGNANCY_LABELS.items()
        ]
    )


CLEARED_LABELS: dict[Rule | None, str] = {
    Rule.HEART: N_("My doctor has cleared me"),
    Rule.PREGNANCY: N_("I've checked with my midwife or physio"),
    Rule.REFER: N_("A professional has cleared me"),
    None: N_("I've been cleared"),
}


def cleared(subscriber_id: int, held_by: Rule | None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(_(CLEARED_LABELS[held_by]), f"hc:{subscriber_id}:cleared")]])


PAIN_AREA_LABELS: dict[PainArea, str] = {
    PainArea.FRONT_OF_HIP: N_("Front of hip"),
    PainArea.SIDE_OF_HIP: N_("Side of hip"),
    PainArea.GROIN: N_("Groin"),
    PainArea.BUTTOCK: N_("Buttock"),
    PainArea.KNEE: N_("Knee"),
    PainArea.LOWER_BACK: N_("Lower back"),
    PainArea.OTHER: N_("Somewhere else"),
}
PAIN_KIND_LABELS: dict[PainKind, str] = {
    PainKind.MUSCLE_BURN: N_("Muscle working or burning"),
    PainKind.SHARP: N_("Sharp or catching in a joint"),
}


def pain_areas(delivery_id: int) -> InlineKeyboardMarkup:
    buttons = [
        _button(_(label), f"pa:{delivery_id}:{area.value}") for area, label in PAIN_AREA_LABELS.items()
    ]
    return InlineKeyboardMarkup([buttons[start : start + 2] for start in range(0, len(buttons), 2)])


def pain_kinds(delivery_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(_(label), f"pk:{delivery_id}:{kind.value}")] for kind, label in PAIN_KIND_LABELS.items()]
    )


def pain_settled(subscriber_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(_("It has settled: resume"), f"pr:{subscriber_id}:settled")]])


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
        [buttons[:3], buttons[3:], [_button(_("Another time (type HH:MM)"), "set:time:type")]]
    )


def button_time(value: str) -> time | None:
    """The time a `set:time:HHMM` or `set:quieter:HHMM` button carries (None for "type")."""
    return parse_local_time(f"{value[:2]}:{value[2:]}") if len(value) == 4 else None


def quieter_time(value: time) -> InlineKeyboardMarkup:
    switch = _("Switch to {time}").format(time=format_clock(value))
    return InlineKeyboardMarkup([[_button(switch, f"set:quieter:{value:%H%M}")]])


def zones(candidates: list[str]) -> InlineKeyboardMarkup:
    rows = [[_button(zone.replace("_", " "), f"set:tz:{zone}")] for zone in candidates if len(zone) <= 55]
    return InlineKeyboardMarkup(rows)


def days() -> InlineKeyboardMarkup:
    buttons = [_button(_(label), f"set:days:{key}") for key, (label, _mask) in DAY_PRESETS.items()]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:], [_button(_("Pick my own days"), "set:dpick:0")]])


def day_picker(mask: int) -> InlineKeyboardMarkup:
    """Each day toggles (its button carries the mask it leads to); Save applies the days ticked."""
    buttons = [
        _button(("✅ " if mask & (1 << day) else "") + name, f"set:dpick:{mask ^ (1 << day)}")
        for day, name in enumerate(day_names())
    ]
    save = [_button(_("Save"), f"set:days:{mask}")] if mask else []
    return InlineKeyboardMarkup([buttons[:4], buttons[4:], save])


def self_test(subscriber_id: int, check: int) -> InlineKeyboardMarkup:
    """One check of the readiness self-test: `st:<subscriber>:<check>:yes|no`."""
    return InlineKeyboardMarkup(
        [
            [
                _button(_("✅ Yes"), f"st:{subscriber_id}:{check}:yes"),
                _button(_("Not yet"), f"st:{subscriber_id}:{check}:no"),
            ]
        ]
    )


def hop_check(subscriber_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(_("✅ Yes, pain-free"), f"hp:{subscriber_id}:yes"),
                _button(_("Not yet"), f"hp:{subscriber_id}:no"),
            ]
        ]
    )


KIT_BUTTONS: dict[Kit, str] = {
    Kit.MINI_BAND: N_("Mini band"),
    Kit.LONG_BAND: N_("Long band"),
    Kit.DUMBBELLS: N_("Dumbbells or kettlebell"),
    Kit.STEP_OR_BOX: N_("Step or box"),
    Kit.BENCH_OR_SOFA: N_("Bench or sofa"),
}


def kit(owned: frozenset[str]) -> InlineKeyboardMarkup:
    """One button per kit (tap again to untick), then "None of these" and Done."""
    buttons = [
        _button(("✅ " if item.value in owned else "") + _(label), f"set:kit:{item.value}")
        for item, label in KIT_BUTTONS.items()
    ]
    return _several(buttons, none="set:kit:none", done="set:kit:done")


def long_run_days() -> InlineKeyboardMarkup:
    buttons = [_button(name, f"set:longrun:{number}") for number, name in enumerate(day_names())]
    return InlineKeyboardMarkup(
        [buttons[:4], buttons[4:], [_button(_("No regular long run"), "set:longrun:off")]]
    )


def nudges(enabled: bool) -> InlineKeyboardMarkup:
    """On and Off, the current setting ticked."""
    return InlineKeyboardMarkup(
        [
            [
                _button(("✅ " if enabled else "") + _("On"), "nd:on"),
                _button(("" if enabled else "✅ ") + _("Off"), "nd:off"),
            ]
        ]
    )


def pause_lengths() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(ngettext("{count} day", "{count} days", days).format(count=days), f"set:pause:{days}")
                for days in PAUSE_CHOICES
            ]
        ]
    )


def confirm_delete() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(_("Yes, delete everything"), "del:yes"), _button(_("No, keep it"), "del:no")]]
    )


TRY_IT_LABEL = N_("▶️ Try it now")
ALL_ACTIVE_LABEL = N_("All active runners")


def try_drill(broadcast_id: int) -> InlineKeyboardMarkup:
    """Under a broadcast: the drill it names, sent to whoever taps."""
    return InlineKeyboardMarkup([[_button(_(TRY_IT_LABEL), f"try:{broadcast_id}")]])


def audiences(broadcast_id: int, programme: Programme, sources: list[str]) -> InlineKeyboardMarkup:
    """Who gets a broadcast: everyone active, a level, a stage, a deep-link source, or the inactive."""
    prefix = f"bc:{broadcast_id}:aud"
    levels = [
        _button(_("Level {number}").format(number=level.number), f"{prefix}:level:{level.number}")
        for level in programme.levels
    ]
    stages = [
        _button(_("Stage {number}").format(number=stage.number), f"{prefix}:stage:{stage.number}")
        for stage in programme.stages
    ]
    tags = [
        # Translators: {source} is the deep-link tag runners arrived by, e.g. “From “parkrun””.
        _button(_("From “{source}”").format(source=source), f"{prefix}:source:{source}")
        for source in sources
        if len(f"{prefix}:source:{source}".encode()) <= 64
    ]
    return InlineKeyboardMarkup(
        [
            [_button(_(ALL_ACTIVE_LABEL), f"{prefix}:all")],
            levels,
            *(stages[start : start + 4] for start in range(0, len(stages), 4)),
            *(tags[start : start + 2] for start in range(0, len(tags), 2)),
            [_button(_("Inactive for {days}+ days").format(days=INACTIVE_DAYS), f"{prefix}:inactive")],
            [_button(_("Cancel"), f"bc:{broadcast_id}:cancel")],
        ]
    )


ADD_VERSION = {"es": N_("Add a Spanish version"), "de": N_("Add a German version")}
CHANGE_VERSION = {"es": N_("Change the Spanish version"), "de": N_("Change the German version")}
"""A broadcast's version per language: each language's own button (a new language adds its two here)."""


def broadcast_confirm(
    broadcast_id: int, *, has_button: bool, versions: Collection[str] = ()
) -> InlineKeyboardMarkup:
    prefix = f"bc:{broadcast_id}"
    button = (
        _button(_("Remove the Try it now button"), f"{prefix}:nobutton")
        if has_button
        else _button(_("Add a Try it now drill button"), f"{prefix}:button")
    )
    languages = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE and code in ADD_VERSION]
    version_buttons = [
        _button(_((CHANGE_VERSION if code in versions else ADD_VERSION)[code]), f"{prefix}:version:{code}")
        for code in languages
    ]
    return InlineKeyboardMarkup(
        [
            [_button(_("Send now"), f"{prefix}:now"), _button(_("Send a test to me"), f"{prefix}:test")],
            [_button(_("Send at…"), f"{prefix}:at"), button],
            version_buttons,
            [_button(_("Cancel"), f"{prefix}:cancel")],
        ]
    )


def drill_choices(broadcast_id: int, drills: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """Drill ids and names to pick the Try it now drill from."""
    buttons = [_button(name, f"bc:{broadcast_id}:drill:{drill_id}") for drill_id, name in drills]
    return InlineKeyboardMarkup(
        [
            *(buttons[start : start + 2] for start in range(0, len(buttons), 2)),
            [_button(_("Back"), f"bc:{broadcast_id}:back")],
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
