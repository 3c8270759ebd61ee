"""What the bot says, in one place, as Telegram HTML (anything from a user is escaped)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import escape, unescape
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from babel.lists import format_list
from babel.numbers import format_percent

from bot.content.loader import ContentProblem
from bot.content.sync import describe
from bot.db.models import SUBSCRIBER_STATUSES, Broadcast, Subscriber
from bot.db.repositories import BroadcastFigures
from bot.domain.coaching import Change, NextDrill, Remark
from bot.domain.dose import Dose
from bot.domain.kit import Kit, describe_kit
from bot.domain.load import kg
from bot.domain.programme import Drill, Programme
from bot.domain.safety import ALL_DRILLS, SCREEN_ITEMS, PregnancyStage, Rule, ScreenOutcome, Tag, safety_note
from bot.domain.schedule import describe_days
from bot.domain.week import TAPER_DAYS
from bot.i18n import (
    LANGUAGES,
    N_,
    _,
    format_clock,
    format_day,
    format_number,
    locale,
    ngettext,
    weekday_name,
)
from bot.services.content import ContentUpdate
from bot.services.progress import Progress
from bot.services.safety import ScreenStatus
from bot.services.stats import CHART_DAYS, WEEK_DAYS, CoachStats, DrillFunnel
from bot.services.subscriptions import arrives_silently, quiet_hours_of, sent_today

if TYPE_CHECKING:
    from bot.services.checkins import CoachReply  # checkins reads the planner, which reads these texts

_COMMANDS: tuple[tuple[str, str], ...] = (
    ("today", N_("Today's drill now")),
    ("progress", N_("Your stage, streak and progress card")),
    ("history", N_("Your last two weeks of drills")),
    ("time", N_("Change the delivery time")),
    ("timezone", N_("Change your time zone")),
    ("days", N_("Choose training days")),
    ("level", N_("Change your level")),
    ("longrun", N_("Your long run's day, e.g. /longrun sun (or off)")),
    ("race", N_("Plan a taper: /race 2027-04-12 [name] (or off)")),
    ("kit", N_("The kit you have, e.g. /kit band dumbbells (or none)")),
    ("pause", N_("Pause drills for a few days")),
    ("nudges", N_("Turn the afternoon reminder on or off")),
    ("quiet", N_("Your quiet hours, e.g. /quiet 22:00-06:30")),
    ("language", N_("Choose the language I write in")),
    ("resume", N_("Resume drills")),
    ("cleared", N_("A professional has cleared you to train")),
    ("stop", N_("Unsubscribe (your data is kept)")),
    ("deletedata", N_("Delete everything about you")),
    ("cancel", N_("Leave the question I asked unanswered")),
    ("help", N_("What this bot does and how to use it")),
)


def commands() -> tuple[tuple[str, str], ...]:
    """Every runner's command with what it does, for /help and Telegram's menu (commands stay English)."""
    return tuple((command, _(about)) for command, about in _COMMANDS)


def welcome(first_name: str | None, returning: bool) -> str:
    if returning:
        if first_name:
            # Translators: {name} is the runner's first name.
            return _("Welcome back, {name}! Your drills are on again.").format(name=escape(first_name))
        return _("Welcome back! Your drills are on again.")
    about = _(
        "I send one short glute drill a day for runners.\n"
        "Strong glutes help keep your pelvis level when you land and can add power to your push-off. "
        "Strength alone doesn't change how you run, so each drill comes with form cues to practise."
    )
    # Translators: {name} is the runner's first name.
    hello = _("Hi, {name}!").format(name=escape(first_name)) if first_name else _("Hi!")
    return f"{hello} {about}\n\n<i>{escape(safety_note())}</i>"


def health_question(*, on_its_own: bool = False) -> str:
    items = "\n".join(f"• <b>{escape(_(item.label))}</b>: {escape(_(item.text))}" for item in SCREEN_ITEMS)
    if on_its_own:
        opening = _(
            "Before your next drill: I now ask every runner a short health check, once. Tap each one that "
            "applies to you, then Done. If none do, tap None of these."
        )
    else:
        opening = _(
            "First, a quick health check. Tap each one that applies to you, then Done. If none do, tap None "
            "of these."
        )
    return f"{opening}\n{items}"


def pregnancy_question() -> str:
    return _("Congratulations! Which fits you now?")


def screen_clear() -> str:
    return _("Thanks, nothing there holds you back.")


def screen_first() -> str:
    return _("Your drills start once the quick health check is answered: here it is again.")


def not_for_you_now() -> str:
    return _("This drill isn't in your programme right now: /today shows what is.")


def screen_first_alert() -> str:
    return _("Please answer the quick health check first: it's in the chat.")


def screen_done_alone() -> str:
    return _("Thanks for answering. /today sends today's drill.")


def screen_gone() -> str:
    return _("That health check is already answered. /start asks it again if something has changed.")


def pain_paused_today() -> str:
    return _(
        "Your drills are paused while the pain settles. When everyday movement is comfortable again, tap the "
        "button and we'll start again gently, one stage lower."
    )


def nothing_to_clear() -> str:
    return _("Nothing is on hold or left out of your drills, so there's nothing to clear.")


HOLD_PARAGRAPHS: dict[Rule, str] = {
    Rule.HEART: N_(
        "Thank you for telling me. Chest pain, a racing heart or fainting with exercise, or heart disease, "
        "needs a doctor's go-ahead before new training. Your drills are on hold until then: once your "
        "doctor has cleared you, tap the button below or send /cleared."
    ),
    Rule.REFER: N_(
        "Thank you for telling me. Pain at night or at rest, a tender spot on a bone, numbness or tingling, "
        "or a joint that gives way is worth having checked by a physiotherapist or doctor first. Please stop "
        "for now: your drills are paused until you've been seen. Once you're cleared, tap the button below "
        "or send /cleared."
    ),
}
"""Why drills are held, by the rule that holds them; translated where shown (`hold_paragraph`)."""


def hold_paragraph(rule: Rule) -> str:
    return _(HOLD_PARAGRAPHS[rule])


def restrict_paragraph() -> str:
    return _(
        "After hip surgery or an injection, or a recent stress fracture, I'll leave out drills that load one "
        "leg and hopping drills; the rest of the programme goes on. Please show the drills to "
        "your surgeon or "
        "physiotherapist, and when they've cleared you, tap the button below or send /cleared."
    )


LEFT_OUT_WORDS: tuple[tuple[Tag, str], ...] = (
    (Tag.PLYOMETRIC, N_("hopping drills")),
    (Tag.LYING_ON_BACK, N_("drills lying on your back")),
    (Tag.LOADED_SINGLE_LEG, N_("drills that load one leg")),
)


def _left_out(excluded: frozenset[Tag]) -> str:
    """ "hopping drills and drills lying on your back", joined as the runner's language joins a list."""
    return format_list([_(words) for tag, words in LEFT_OUT_WORDS if tag in excluded], locale=locale())


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def pregnancy_advice(stage: PregnancyStage, outcome: ScreenOutcome) -> str:
    # Translators: {left_out} is a list such as "hopping drills and drills lying on your back".
    advice = _(
        "Please check with your midwife or physiotherapist before starting, and show them the drills. "
        "While this applies I'll leave out {left_out}."
    ).format(left_out=_left_out(outcome.excluded))
    if outcome.held_by is not Rule.PREGNANCY:
        return advice
    held = _("I'll hold your drills until you tell me you've checked: tap the button below or send /cleared.")
    return f"{advice} {held}"


def screen_result(outcome: ScreenOutcome, restricted: bool, pregnancy: PregnancyStage | None) -> str:
    """Why, kindly, once: one paragraph for each kind of answer given."""
    paragraphs = [hold_paragraph(rule) for rule in (Rule.HEART, Rule.REFER) if outcome.held_by is rule]
    if restricted and outcome.held_by is None:
        paragraphs.append(restrict_paragraph())
    if pregnancy is not None:
        paragraphs.append(pregnancy_advice(pregnancy, outcome))
    return "\n\n".join(paragraphs) or screen_clear()


PATTERN_NAMES: dict[str, str] = {
    "abduction": N_("side-glute (leg out to the side)"),
    "adduction": N_("inner-thigh"),
    "hinge": N_("hip hinge"),
    "hip-extension": N_("bridge and hip-extension"),
    "landing": N_("hopping and landing"),
    "side-plank": N_("side plank"),
    "single-leg-squat": N_("single-leg squat and step-up"),
    "single-leg-stance": N_("single-leg balance"),
}
"""Each movement pattern of the content, as a runner calls it; a new pattern needs a name here."""


def pattern_name(pattern: str) -> str:
    named = PATTERN_NAMES.get(pattern)
    return escape(_(named) if named else pattern.replace("-", " "))


def pain_paused(pause: str) -> str:
    """The referral, said once when pain pauses drills: every drill at 7+, else the painful pattern."""
    if pause == ALL_DRILLS:
        return _(
            "I've paused all your drills. Pain this strong is a sign to rest and have it checked: please "
            "see a physiotherapist or doctor, sooner if it's sharp, swollen or there at night. When it has "
            "settled, tap the button and we'll start again gently, one stage lower."
        )
    # Translators: {pattern} is a movement pattern from the programme, e.g. "hip hinge".
    return _(
        "It keeps hurting, so I've paused your {pattern} drills; the rest of your "
        "programme goes on. If it doesn't settle within a few days, please see a physiotherapist. When it "
        "has settled, tap the button to bring them back, one stage lower."
    ).format(pattern=pattern_name(pause))


def pain_resumed(subscriber: Subscriber) -> str:
    resumed = _("Glad it has settled. We start again gently at stage {stage}.").format(stage=subscriber.stage)
    return f"{resumed} {next_drill(subscriber)}"


def held_today(held_by: Rule) -> str:
    if held_by is Rule.PREGNANCY:
        return _(
            "Your drills are on hold until you've checked with your midwife or physio. Then tap the button."
        )
    if held_by is Rule.HEART:
        return _(
            "Your drills are on hold until your doctor has cleared you. When they have, tap the button or "
            "/cleared."
        )
    return _(
        "Your drills are on hold until a professional has cleared you. When they have, tap the button or "
        "/cleared."
    )


def cleared(outcome: ScreenOutcome, subscriber: Subscriber) -> str:
    back = _("Thanks for letting me know: your drills are back on.")
    if outcome.excluded:
        # Translators: {left_out} is a list such as "hopping drills and drills lying on your back".
        still = _("{left_out} stay out while this applies.").format(left_out=_left_out(outcome.excluded))
        back = f"{back} {_upper_first(still)}"
    return f"{back} {next_drill(subscriber)}"


def level_question() -> str:
    return _("How much strength training do you do now?")


def time_question() -> str:
    return _("What time should your drill arrive? Pick one or type a time like 07:45.")


def timezone_question() -> str:
    return _("Which time zone are you in? Type your city (e.g. London) or a zone like Europe/Berlin.")


def days_question() -> str:
    return _(
        "Which days do you want drills? Rest days matter too. Tap a choice, pick your own days, or type them "
        "(e.g. mon wed sat, or weekends)."
    )


def pause_question() -> str:
    return _("Pause for how long? Tap one or type a number of days (e.g. 10).")


def day_picker_hint() -> str:
    return _("Tap your days, then Save.")


def still_waiting() -> str:
    return _("I'm still waiting for that answer (/cancel leaves it).")


REASK: dict[str, str] = {
    "health": N_("Tap any that apply, then Done; or type none if none of them do."),
    "level": N_("Which fits best? Type 1, 2 or 3, or tap one of the buttons."),
    "time": N_("I couldn't read that as a time. Try HH:MM, for example 07:30 or 18:45."),
    "days": N_("I couldn't read those days. Try daily, weekdays, weekends, or a list like mon wed fri."),
    "longrun": N_("Which day is your long run? Type a day like sun, or none."),
    "pause": N_("Pause for how many days? A number from 1 to 90, e.g. 7."),
    "kit": N_(
        "I couldn't read that kit. Tap what you have, or type it: band, dumbbells, step, bench, or none."
    ),
}
"""A typed reply the open question could not read: ask again, plainly (translated by `reask`)."""


def reask(question: str) -> str:
    return _(REASK[question])


def not_understood() -> str:
    return _(
        "I didn't catch that. To answer your drill, type done, too easy, too hard, skip or pain 0-10; to add "
        "a note, reply to the drill or start with “note”. /help lists everything."
    )


def cancelled() -> str:
    return _("OK, I've stopped waiting for that answer. Nothing was changed.")


def cancelled_onboarding() -> str:
    return _(
        "OK, I've stopped waiting for that answer. The buttons above still work whenever you're ready, and "
        "/help lists every setting."
    )


def nothing_to_cancel() -> str:
    return _("There's no question waiting for your answer. /help lists what I can do.")


def fixed_offset_warning() -> str:
    return _(
        "Note: a fixed offset like this ignores daylight saving, so your drill moves by an hour when your "
        "clocks change. Type your city instead to follow your local time all year."
    )


def time_type_prompt() -> str:
    return _("Type the time as HH:MM, for example 06:45 or 18:30.")


def bad_time() -> str:
    return _("I couldn't read that as a time. Try HH:MM, for example 07:30 or 18:45.")


def long_run_question() -> str:
    return _(
        "Which day is your long run? The day before it gets an easy drill. "
        "Skip this if you don't have a regular one (/longrun changes it later)."
    )


SELF_TEST_CHECKS = (
    N_(
        "Check {number} of {count}: can you do a side plank, 30 s each side, with your body in "
        "a straight line?"
    ),
    N_(
        "Check {number} of {count}: can you do 10 single-leg bridges each side with your pelvis "
        "staying level?"
    ),
    N_(
        "Check {number} of {count}: can you do 5 single-leg squats each side down to a chair, knee over your "
        "toes?"
    ),
)
"""The readiness self-test, asked one check at a time; every one must pass, with good form and no pain."""


def self_test_not_yet() -> str:
    return _("No problem: that's exactly what the self-test is for, and strength takes a few weeks to build.")


def hop_check_question() -> str:
    return _(
        "<b>Nearly ready for hopping drills.</b> Your skater squats are solid. One more check: can you do "
        "20 small two-footed pogo hops on the spot, landing softly, without any pain?"
    )


def hops_open() -> str:
    return _("Great: hopping drills are now part of your programme. Land softly and stop if anything hurts.")


def hops_not_yet() -> str:
    return _("No problem: hops wait. Your next pain-free skater squats at 3 × 8 bring this check back.")


def kit_question() -> str:
    return _(
        "What kit do you have at home? Tap everything you own, then Done. Drills that need kit "
        "you don't have "
        "are swapped for one of the same movement without it (/kit changes this later)."
    )


def bad_kit() -> str:
    return _(
        "I couldn't read that kit. Try /kit band dumbbells, /kit step bench or /kit none "
        "(bands, dumbbells or a kettlebell, a step or box, a bench or sofa)."
    )


def easier_gone() -> str:
    return _("That easier version isn't on offer any more: today's drill has moved on.")


def bad_long_run() -> str:
    return _("Which day is your long run? Try /longrun sun, or /longrun off.")


def bad_race() -> str:
    return _(
        "I couldn't read that race. Try /race 2027-04-12 London Marathon (a date from today up to two years "
        "ahead), or /race off."
    )


def bad_days() -> str:
    return _("I couldn't read those days. Try daily, weekdays, or a list like mon,wed,fri.")


def bad_pause() -> str:
    return _("Pause for how many days? A number from 1 to 90, e.g. /pause 7.")


def bad_level() -> str:
    return _("Levels are 1, 2 or 3, e.g. /level 2.")


def no_zone() -> str:
    return _("I couldn't find that place. Try a bigger city nearby, or a zone like Europe/London or Etc/UTC.")


def not_subscribed() -> str:
    return _("Send /start to begin your glute programme.")


def unknown_command() -> str:
    return _("I don't know that command. /help lists what I can do.")


def not_text() -> str:
    return _("I can only read text. Reply with done, too easy, too hard, skip or pain 0-10.")


def too_long() -> str:
    return _("That's a long message! Please keep replies under 1,000 characters.")


def group_chat() -> str:
    return _("I coach one runner at a time: message me privately to start.")


def slow_down() -> str:
    return _("That's a lot of messages at once! I'll answer the first few; please wait for my replies.")


def nothing_open() -> str:
    return _("There's no drill waiting for an answer. /today sends today's drill.")


def not_yours() -> str:
    return _("That button belongs to someone else's drill.")


def too_old() -> str:
    return _("That drill is too old to answer now. Today's is what counts!")


def gone() -> str:
    return _("That drill isn't available any more.")


def stopped() -> str:
    return _("You're unsubscribed. Your history is kept: /start brings your drills back.")


def delete_question() -> str:
    return _(
        "This deletes your settings, every drill you received and every answer you gave. "
        "It cannot be undone. Sure?"
    )


def deleted() -> str:
    return _("Done: everything about you is deleted. /start whenever you want to begin again.")


def delete_kept() -> str:
    return _("Nothing was deleted.")


def no_drill_today() -> str:
    return _("There's no drill for you right now; the content is being updated. Try again in a minute.")


def send_failed() -> str:
    return _("I couldn't send the drill just now. Please try /today again in a minute.")


def pain_where_question() -> str:
    return _("Sorry it hurt. Where do you feel it?")


def pain_kind_question() -> str:
    return _("What does it feel like?")


def pain_score_question() -> str:
    return _("How bad was it, from 0 (none) to 10 (worst)?")


def muscle_burn() -> str:
    return _(
        "That burn is your muscles working, which is what the drill is for: it's not pain, so "
        "I've recorded the "
        "drill as done and your programme carries on. If it ever turns sharp or catching, tap Pain again."
    )


def not_pain_paused() -> str:
    return _("Your drills aren't paused for pain: they carry on as planned.")


def snooze_question() -> str:
    return _("When should it come back?")


def snooze_answered() -> str:
    return _("Already answered, so there's nothing to put off. Tap Change to give another answer.")


def snooze_already() -> str:
    return _("You've already put this one off once. Tap how it went on the card when you're done.")


def snooze_gone() -> str:
    return _("That time no longer fits before your quiet hours. Pick another, or tap Back.")


def nudges_on() -> str:
    return _("Reminders are on: one nudge if a drill is still waiting in the afternoon.")


def nudges_off() -> str:
    return _("Reminders are off. /nudges on brings them back.")


def nudges_shown_on() -> str:
    return _("Reminders are on: one nudge if a drill is still waiting in the afternoon. Keep them?")


def nudges_shown_off() -> str:
    return _("Reminders are off: no nudge when a drill is still waiting. Turn them on?")


def bad_quiet() -> str:
    return _(
        "I couldn't read those quiet hours. Give a start and an end on the 24-hour clock, "
        "e.g. /quiet 22:00-06:30, or /quiet off."
    )


def quiet_too_long() -> str:
    return _(
        "Quiet hours can last at most 16 hours, so reminders still fit in your day. Try /quiet 22:00-07:00."
    )


def morning_question(session_day: date, today: date) -> str:
    """The morning pain check names the session's day: "yesterday" only when it was."""
    if (today - session_day).days == 1:
        return _("Morning! How does it feel today where it hurt yesterday, from 0 to 10?")
    # Translators: {weekday} is a day's full name, e.g. "Tuesday".
    return _("Morning! How does it feel today where it hurt on {weekday}, from 0 to 10?").format(
        weekday=weekday_name(session_day)
    )


def oops() -> str:
    return _("Sorry, something went wrong on my side. Please try again in a moment.")


def cannot_save() -> str:
    return _(
        "Sorry, I can't save anything right now: something on my side needs fixing, and the team has been "
        "told. Nothing was changed; please try again later."
    )


def help_text() -> str:
    about = _(
        "<b>Your daily glute drill</b>\n"
        "Every training day at your chosen time I send one drill with a short animation. "
        "Tap how it went (or reply: done, too easy, too hard, skip, pain 4) and the programme adapts: "
        "it moves on after good sessions, holds when it is too hard and steps back on pain."
    )
    return f"{about}\n\n" + "\n".join(f"/{command} - {description}" for command, description in commands())


_COACH_COMMANDS: tuple[tuple[str, str], ...] = (
    ("broadcast", N_("write a message to runners")),
    ("broadcasts", N_("recent broadcasts and their figures")),
    ("cancel_broadcast", N_("stop a scheduled or running broadcast")),
    ("unsend", N_("delete a broadcast from runners' chats")),
    ("stats", N_("subscribers, retention and drills")),
    ("reload", N_("load the content files into the bot")),
)


def coach_commands() -> tuple[tuple[str, str], ...]:
    """The coaches' commands as Telegram's menu shows them, each marked as theirs."""
    # Translators: a coach-only command in Telegram's menu; {about} says what it does.
    marked = _("Coaches: {about}")
    return tuple((command, marked.format(about=_(about))) for command, about in _COACH_COMMANDS)


def coach_help() -> str:
    lines = "\n".join(f"/{command} - {_(about)}" for command, about in _COACH_COMMANDS)
    heading = _("<b>For coaches</b>")
    return f"{help_text()}\n\n{heading}\n{lines}"


def settings_summary(subscriber: Subscriber, programme: Programme) -> str:
    level = programme.level(subscriber.level)
    # Translators: {days} is a list of training days such as "on Mon, Wed and Fri"; {zone} a city.
    summary = _("All set! Level {number} ({level}), drills {days} at {time} ({zone} time).").format(
        number=level.number,
        level=escape(level.name),
        days=describe_days(subscriber.training_days),
        time=format_clock(subscriber.delivery_time),
        zone=escape(zone_label(subscriber.timezone)),
    )
    every_command = _("/help shows every command.")
    return f"{summary}\n{next_drill(subscriber)}\n{every_command}"


def zone_label(zone: str) -> str:
    """ "America/New_York" as a runner says it: "New York"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def next_drill(subscriber: Subscriber) -> str:
    """When the next drill comes; "/today" is offered only while today's has not been sent."""
    if subscriber.next_delivery_at is None:
        return _("No drill is scheduled.")
    local = subscriber.next_delivery_at.astimezone(ZoneInfo(subscriber.timezone))
    # Translators: {day} is a short date such as "Tue 1 Dec"; {time} is 24-hour, e.g. 07:30.
    when = _("Next drill: {day} at {time}.").format(day=format_day(local), time=format_clock(local.time()))
    offer = _("Want one now? /today")
    return when if sent_today(subscriber) else f"{when} {offer}"


def time_set(subscriber: Subscriber) -> str:
    arrives = _("Drills now arrive at {time}.").format(time=format_clock(subscriber.delivery_time))
    return " ".join(filter(None, (arrives, silent_note(subscriber), next_drill(subscriber))))


def busy_minute(chosen: time, quieter: time) -> str:
    """Offered, not forced: the runner keeps the time they picked unless they tap."""
    # Translators: {chosen} and {quieter} are times on the 24-hour clock, e.g. 07:30.
    return _(
        "{chosen} is busy: lots of runners get their drill then, so yours could come a few minutes "
        "late. {quieter} gets yours out on the dot. Tap below to switch, or keep {chosen}."
    ).format(chosen=format_clock(chosen), quieter=format_clock(quieter))


def silent_note(subscriber: Subscriber) -> str:
    """Said when their drill time falls in their quiet hours: their choice wins, without a sound."""
    if not arrives_silently(subscriber):
        return ""
    # Translators: {quiet} is a span on the 24-hour clock, e.g. 22:00-06:30.
    return _("That's inside your quiet hours ({quiet}), so it will arrive silently.").format(
        quiet=quiet_hours_of(subscriber)
    )


def quiet_hours(subscriber: Subscriber) -> str:
    quiet = quiet_hours_of(subscriber)
    if quiet.off:
        return _(
            "You have no quiet hours: reminders and the morning check can come at any time. "
            "Set some with e.g. /quiet 22:00-06:30."
        )
    # Translators: {quiet} is a span on the 24-hour clock, e.g. 22:00-06:30; {zone} a time zone name.
    return _(
        "Your quiet hours are {quiet} ({zone} time). Inside them nothing that can "
        "wait makes a sound: reminders, the morning pain check and drills you put off wait until they end, "
        "and a drill due then arrives silently. Change them with e.g. /quiet 22:00-06:30, or /quiet off."
    ).format(quiet=quiet, zone=escape(subscriber.timezone))


def quiet_set(subscriber: Subscriber) -> str:
    quiet = quiet_hours_of(subscriber)
    if quiet.off:
        return _("Quiet hours are off: reminders and the morning check can come at any time.")
    if arrives_silently(subscriber):
        # Translators: {quiet} is a span such as 22:00-06:30; {time} a time such as 07:30.
        return _(
            "Quiet hours set to {quiet}. Your drills at {time} fall inside them, so they will "
            "arrive silently."
        ).format(quiet=quiet, time=format_clock(subscriber.delivery_time))
    return _("Quiet hours set to {quiet}.").format(quiet=quiet)


def timezone_set(subscriber: Subscriber) -> str:
    warning = f"\n{fixed_offset_warning()}" if subscriber.timezone.startswith("Etc/GMT") else ""
    zone_set = _("Time zone set to {zone}.").format(zone=escape(subscriber.timezone))
    return f"{zone_set} {next_drill(subscriber)}{warning}"


def settled(command: str) -> str:
    """A tap on a button whose question was already answered (or left): it changes nothing."""
    # Translators: {command} is a bot command such as /time (never translated).
    return _("That question is already settled, so nothing changed. {command} asks it again.").format(
        command=f"/{command}"
    )


def zone_noted(subscriber: Subscriber) -> str:
    """A zone chosen during onboarding, said before the next question (a fixed offset warned about)."""
    zone = _("Time zone: {zone}.").format(zone=escape(subscriber.timezone))
    return f"{zone} {fixed_offset_warning()}" if subscriber.timezone.startswith("Etc/GMT") else zone


def zone_choices(query: str) -> str:
    # Translators: {query} is what the runner typed when asked for their city.
    return _("Which of these is yours for “{query}”?").format(query=escape(query[:60]))


def days_set(subscriber: Subscriber) -> str:
    # Translators: {days} describes the training days, e.g. "every day" or "on Mon, Wed and Fri".
    days = _("Training days: {days}.").format(days=describe_days(subscriber.training_days))
    return f"{days} {next_drill(subscriber)}"


def long_run_set(subscriber: Subscriber) -> str:
    if subscriber.long_run_weekday is None:
        return _("No regular long run: the week is planned on your training days alone.")
    a_monday = date(2024, 1, 1)
    day = weekday_name(a_monday + timedelta(days=subscriber.long_run_weekday))
    # Translators: {weekday} is a day's full name, e.g. "Sunday".
    return _("Long run on {weekday}: nothing hard the day before it.").format(weekday=day)


def easier_offer(easier: Drill) -> str:
    # Translators: {drill} is the name of a drill.
    return _(
        "Thanks for saying so: next time this movement comes as an easier version. "
        "Want to try the easier one now, {drill}?"
    ).format(drill=escape(easier.name))


def stronger_band() -> str:
    """A band drill's card once its top dose is beaten twice in a row (`bot.domain.card.BAND_LIMIT`)."""
    return _("Top dose twice: time for a stronger band, or move it further down your legs.")


def load_logged(load_kg: float) -> str:
    # Translators: {load} is a weight such as "12.5 kg".
    return _("Weight noted: {load}. Your next card for this drill suggests the weight from it.").format(
        load=kg(load_kg)
    )


def self_test_check(index: int) -> str:
    """One check of the readiness self-test; the first one says what the test is for."""
    check = _(SELF_TEST_CHECKS[index]).format(number=index + 1, count=len(SELF_TEST_CHECKS))
    if index:
        return check
    intro = _(
        "<b>Block done: ready for the next stage?</b> A short self-test, one check at a time, "
        "with good form and no pain."
    )
    return f"{intro}\n{check}"


def self_test_result(reason: str | None, *, passed: bool) -> str | None:
    """What the programme decided, kindly put when a check did not pass yet."""
    if reason is None or passed:
        return reason
    return f"{self_test_not_yet()} {reason}"


def kit_set(subscriber: Subscriber) -> str:
    owned = describe_kit(frozenset(Kit(word) for word in subscriber.kit or ()))
    # Translators: {kit} lists the runner's kit, e.g. "a band and dumbbells".
    return _("Your kit: {kit}. Drills that need anything else are swapped for one without it.").format(
        kit=owned
    )


def _day_with_year(day: date) -> str:
    """ "Sun, 12 Apr 2027", "dom, 12 abr 2027", "So., 12. Apr. 2027"."""
    return format_skeleton("yMMMEd", day, locale=locale())


def race_status(subscriber: Subscriber) -> str:
    if subscriber.race_on is None:
        return _("No race planned. /race 2027-04-12 London Marathon plans a taper for one.")
    name = escape(subscriber.race_name) if subscriber.race_name else _("Your race")
    # Translators: {race} is the race's name (or "Your race"), {date} its date, {days} a number of days.
    return _(
        "{race} on {date}: easy drills only in the {days} days before, "
        "an optional warm-up on the day, a rest day after and two easy days. /race off cancels it."
    ).format(race=name, date=_day_with_year(subscriber.race_on), days=TAPER_DAYS)


def level_set(subscriber: Subscriber, programme: Programme) -> str:
    level = programme.level(subscriber.level)
    stage = programme.stage(subscriber.stage)
    # Translators: {level} and {stage} are names from the programme, e.g. "Beginner", "Foundation".
    return _("Level {number}: {level}. You're on stage {stage_number}, {stage}.").format(
        number=level.number, level=escape(level.name), stage_number=stage.number, stage=escape(stage.name)
    )


def paused(until: date) -> str:
    # Translators: {day} is a short date such as "Tue 1 Dec".
    return _("Paused until {day}. Drills start again the day after; /resume any time.").format(
        day=format_day(until)
    )


def resumed(subscriber: Subscriber) -> str:
    back = _("You're back on!")
    return f"{back} {next_drill(subscriber)}"


def not_paused(subscriber: Subscriber) -> str:
    carry_on = _("You're not paused: your drills carry on as planned.")
    return f"{carry_on} {next_drill(subscriber)}"


def nudge(drill_name: str) -> str:
    # Translators: {drill} is the name of today's drill.
    return _(
        "Still time for today's drill, <b>{drill}</b>: a few minutes is enough. "
        "Tap how it went on the card when you're done."
    ).format(drill=escape(drill_name))


def when_next(subscriber: Subscriber, now: datetime) -> str:
    """ "Thursday at 07:30" (or "tomorrow", "today"); the runner's own clock, rest days skipped."""
    if subscriber.next_delivery_at is None:
        return ""
    zone = ZoneInfo(subscriber.timezone)
    local = subscriber.next_delivery_at.astimezone(zone)
    clock = format_clock(local.time())
    days = (local.date() - now.astimezone(zone).date()).days
    if days == 0:
        # Translators: said as "Your next drill comes today at 07:30." or "Next: today at 07:30".
        return _("today at {time}").format(time=clock)
    if days == 1:
        return _("tomorrow at {time}").format(time=clock)
    if days < 7:
        # Translators: {weekday} is a day's full name: "Your next drill comes Thursday at 07:30."
        return _("{weekday} at {time}").format(weekday=weekday_name(local), time=clock)
    # Translators: {day} is a short date such as "Tue 1 Dec": "Your next drill comes Tue 1 Dec at 07:30."
    return _("{day} at {time}").format(day=format_day(local), time=clock)


def _next_drill_comes(subscriber: Subscriber, now: datetime) -> str:
    comes = when_next(subscriber, now)
    # Translators: {when} is e.g. "tomorrow at 07:30" or "Thursday at 07:30".
    return _("Your next drill comes {when}.").format(when=comes) if comes else ""


def snooze_too_late(subscriber: Subscriber, now: datetime) -> str:
    too_late = _("It's too late to put it off today: nothing fits before your quiet hours.")
    return " ".join(filter(None, (too_late, _next_drill_comes(subscriber, now))))


def snooze_old_card(card_day: date, todays_drill: str | None, subscriber: Subscriber, now: datetime) -> str:
    weekday = weekday_name(card_day)
    if todays_drill is not None:
        # Translators: {weekday} is a day's full name; {drill} the name of today's drill.
        return _("That was {weekday}'s drill. Today's is {drill}: use Later on its card.").format(
            weekday=weekday, drill=todays_drill
        )
    too_old = _("That was {weekday}'s drill, so it can't be put off now.").format(weekday=weekday)
    return " ".join(filter(None, (too_old, _next_drill_comes(subscriber, now))))


def first_stage_done() -> str:
    return _("First stage done: here's every drill that got you here.")


COACH_LINES: dict[Remark, tuple[str, str, str]] = {
    Remark.FIRST_WEEK: (
        N_("A full week of drills done! That's the habit started: here's your first week."),
        N_("Your first full week is in the bag. Here it is, day by day."),
        N_("One full week done! Keep this rhythm and the stages follow."),
    ),
    Remark.HEAVIEST: (
        # Translators: {load} is a weight such as "12.5 kg"; {drill} a drill's name.
        N_("{load}: your heaviest yet on the {drill}."),
        N_("That's the most weight you've moved on the {drill}: {load}."),
        N_("{load} on the {drill}, a new heaviest. The strength is building."),
    ),
    Remark.PERSONAL_BEST: (
        # Translators: {dose} is a dose such as "3 × 12"; {drill} a drill's name.
        N_("A personal best: {dose} on the {drill}."),
        N_("That's the most you've done on the {drill}: {dose}."),
        N_("New best on the {drill}: {dose}. The strength is building."),
    ),
    Remark.STREAK: (
        # Translators: {streak} is a number of drills in a row, always two or more.
        N_("{streak} drills in a row! Steady work like this is what makes glutes strong."),
        N_("That's a {streak}-drill streak. Keep it rolling."),
        N_("{streak} in a row: your hips will thank you on the next long run."),
    ),
    Remark.STEP_UP_NEXT: (
        N_("Two good sessions in a row: the {drill} steps up next time."),
        N_("That's two good ones on the {drill}, so it gets a bit harder next time."),
        N_("Solid again. The {drill} moves up a notch next time you see it."),
    ),
    Remark.ONE_MORE: (
        N_("Nice work. One more good session on the {drill} and it steps up."),
        N_("Good. Another like that on the {drill} and it gets harder."),
        N_("Noted. Do the {drill} well once more and it moves up."),
    ),
    Remark.HOLD: (
        N_("Thanks for saying so: the {drill} stays at this dose next time, so you can own it."),
        N_("No problem: the {drill} holds here until it feels right."),
        N_("Fair enough. The same {drill} next time; it gets easier."),
    ),
    Remark.STEP_BACK: (
        N_("Twice too hard, so the {drill} steps back a notch next time."),
        N_("Let's ease off: the {drill} gets a lighter dose next time."),
        N_("Two tough ones in a row: the {drill} goes back a rung, and we build from there."),
    ),
}


"""Three ways to say each remark, translated where shown (`coach_line`)."""

NEXT_DRILL_WORDS: dict[Change, str] = {
    # Translators: what the next drill will be, after "Next: tomorrow at 07:30, ". {drill} is a drill's
    # name or "the same drill".
    Change.NEW: N_("a first go at {drill}"),
    Change.EASIER: N_("an easier version: {drill}"),
    Change.SAME: N_("{drill} at the same dose"),
    Change.MORE_SETS: N_("{drill} with one more set"),
    Change.MORE_REPS: N_("{drill} with more reps"),
    Change.LONGER: N_("{drill} with a longer hold"),
    Change.FURTHER: N_("{drill} a little further"),
    Change.HEAVIER: N_("{drill} with a little more weight"),
    Change.LIGHTER: N_("{drill} at a lighter dose"),
}


def next_drill_words(coming: NextDrill) -> str:
    """ "Side plank with a longer hold", "the same drill with one more set"."""
    drill = _("the same drill") if coming.same_drill else escape(coming.name)
    return _(NEXT_DRILL_WORDS[coming.change]).format(drill=drill)


def coach_line(coached: CoachReply, subscriber: Subscriber, now: datetime) -> str:
    """One short line after a check-in, then when the next drill comes and, if the plan knows, what."""
    line = _(COACH_LINES[coached.coaching.remark][coached.coaching.variant]).format(
        drill=escape(coached.drill),
        dose=escape(coached.dose),
        streak=coached.streak,
        load=kg(coached.load_kg) if coached.load_kg is not None else "",
    )
    comes = when_next(subscriber, now)
    if not comes:
        return line
    if coached.next_drill is not None:
        # Translators: {when} is e.g. "tomorrow at 07:30"; {what} e.g. "Side plank with a longer hold".
        upcoming = _("Next: {when}, {what}.").format(when=comes, what=next_drill_words(coached.next_drill))
    else:
        upcoming = _("Next: {when}.").format(when=comes)
    return f"{line} {upcoming}"


def snoozed(moment: datetime, zone: str) -> str:
    return _("I'll send it again at {time}.").format(time=local_time(moment, zone))


def local_time(moment: datetime, zone: str) -> str:
    return format_clock(moment.astimezone(ZoneInfo(zone)).time())


OUTCOME_WORDS = {
    "done": N_("✅ done"),
    "easy": N_("😎 too easy"),
    "hard": N_("😓 too hard"),
    "skipped": N_("⏭ skipped"),
    "pain": N_("⚠️ pain"),
}
"""How each answer reads in /history, translated where shown."""


def _percent(share: float) -> str:
    """ "75%" / "75 %": a share as the runner's language writes it."""
    return format_percent(share, locale=locale())


def _day_and_month(day: date) -> str:
    """ "2 Apr", "2 abr", "2. Apr."."""
    return format_skeleton("dMMM", day, locale=locale())


def progress(view: Progress) -> str:
    summary = view.summary
    used = summary.free_pass_used_in(view.today)
    # Translators: {count} is the number of drills in the runner's current streak; {best} their best streak.
    streak = ngettext(
        "Streak: {count} drill (best {best})", "Streak: {count} drills (best {best})", summary.current
    )
    # Translators: {completed} of {count} drills sent, then the share done, e.g. "(75%)".
    completed = ngettext(
        "Completed: {completed} of {count} drill ({share})",
        "Completed: {completed} of {count} drills ({share})",
        summary.delivered,
    )
    if used:
        # Translators: {day} is a day and month such as "2 Apr".
        free_pass = _(
            "Free pass this month: used on {day} (the first missed drill each month doesn't "
            "break your streak)"
        ).format(day=_day_and_month(used))
    else:
        free_pass = _(
            "Free pass this month: still available (the first missed drill each month doesn't "
            "break your streak)"
        )
    # Translators: {number} of {count} stages; {name} is the stage's name from the programme.
    heading = _("<b>Stage {number} of {count}: {name}</b>").format(
        number=view.stage.number, count=view.stage_count, name=escape(view.stage.name)
    )
    lines = [
        heading,
        escape(view.stage.summary),
        streak.format(count=format_number(summary.current), best=format_number(summary.best)),
        completed.format(
            completed=format_number(summary.completed),
            count=format_number(summary.delivered),
            share=_percent(summary.completion_rate),
        ),
        free_pass,
        _(SCREEN_STATUS_LINES[view.screen]),
    ]
    if view.pain_pause == ALL_DRILLS:
        lines.append(_("Paused for pain: every drill, until it settles."))
    elif view.pain_pause is not None:
        # Translators: {pattern} is a movement pattern from the programme, e.g. "hip hinge".
        paused_pattern = _("Paused for pain: your {pattern} drills, until it settles.")
        lines.append(paused_pattern.format(pattern=pattern_name(view.pain_pause)))
    if view.last_reason:
        # Translators: {reason} is the programme's own explanation, e.g. "Two good sessions: step up."
        decision = _("<i>Latest programme decision:</i> {reason}")
        lines.append(decision.format(reason=escape(view.last_reason)))
    return "\n".join(lines)


SCREEN_STATUS_LINES = {
    ScreenStatus.NOT_SCREENED: N_("Health check: not answered yet; /today shows it."),
    ScreenStatus.HELD: N_("Health check: drills on hold until you're cleared (/cleared)."),
    ScreenStatus.RESTRICTED: N_("Health check: some drills are left out for now."),
    ScreenStatus.CLEAR: N_("Health check: nothing holds you back."),
}
"""The health check's line on the progress card, translated where shown."""


def history(view: Progress, programme: Programme) -> str:
    if not view.recent:
        return _("No drills yet. /today sends your first one.")
    lines = [_("<b>Your recent drills</b>")]
    for answer in reversed(view.recent):
        name = escape(_drill_name(programme, answer.drill_slug))
        if answer.replaced_slug is not None:
            # Translators: {drill} took the place of {harder}, which the runner had found too hard.
            name = _("{drill} (easier version: {harder} was too hard)").format(
                drill=name, harder=escape(_drill_name(programme, answer.replaced_slug))
            )
        outcome = OUTCOME_WORDS.get(answer.outcome or "")
        result = _(outcome) if outcome else _("no answer")
        if answer.pain is not None:
            # Translators: {outcome} is how the drill went, e.g. "✅ done"; {score} a pain score from 0 to 10.
            with_pain_noted = _("{outcome} (pain {score}/10)")
            with_pain = "{outcome} {score}/10" if answer.outcome == "pain" else with_pain_noted
            result = with_pain.format(outcome=result, score=answer.pain)
        dose = Dose.parse(answer.delivery.dose)
        lines.append(f"{format_day(answer.delivery.local_date)} · {name} · {dose} · {result}")
    return "\n".join(lines)


def _drill_name(programme: Programme, slug: str) -> str:
    drill = programme.drills.get(slug)
    return drill.name if drill else slug


MESSAGE_LIMIT = 4096


def stats_chart_caption() -> str:
    return _("Answers per day over the last {days} days, by how the drill went.").format(days=CHART_DAYS)


def _share(part: int, whole: int) -> str:
    return _percent(part / whole) if whole else "-"


SUBSCRIBER_STATUS_WORDS = {
    "active": N_("active"),
    "paused": N_("paused"),
    "stopped": N_("stopped"),
    "blocked": N_("blocked"),
}
"""Each subscriber status as `/stats` names it (the stored word stays English), translated where shown."""


def _funnel_line(funnel: DrillFunnel) -> str:
    # Translators: one drill's line in /stats; {name} is the drill, the rest are counts and shares.
    return _(
        "{name} (stage {stage}): sent {sent} → answered {answered} ({answered_share}) → done {done} "
        "({done_share}) · too easy {easy} · too hard {hard} · pain {pain} · skipped {skipped}"
    ).format(
        name=escape(funnel.name),
        stage=funnel.stage,
        sent=format_number(funnel.delivered),
        answered=format_number(funnel.checked_in),
        answered_share=_share(funnel.checked_in, funnel.delivered),
        done=format_number(funnel.done),
        done_share=_share(funnel.done, funnel.checked_in),
        easy=_share(funnel.easy, funnel.checked_in),
        hard=_share(funnel.hard, funnel.checked_in),
        pain=_share(funnel.pain, funnel.checked_in),
        skipped=_share(funnel.skipped, funnel.checked_in),
    )


def _more_drills(count: int) -> str:
    return ngettext("... and {count} more drill", "... and {count} more drills", count).format(
        count=format_number(count)
    )


def coach_stats(stats: CoachStats) -> str:
    """The `/stats` figures; drill lines are dropped from the end rather than exceed one message."""
    by_status = stats.by_status()
    week = stats.last_week
    safety = stats.safety
    by_stage = " · ".join(
        f"{stage}: {format_number(count)}" for stage, count in stats.active_by_stage().items()
    )
    lines = [
        _("<b>Subscribers: {count}</b>").format(count=format_number(sum(by_status.values()))),
        " · ".join(
            f"{_(SUBSCRIBER_STATUS_WORDS[status])} {format_number(by_status.get(status, 0))}"
            for status in SUBSCRIBER_STATUSES
        ),
        _("Active by stage: {stages}").format(stages=by_stage) if by_stage else _("Active by stage: none"),
        active_by_language(stats.active_by_language),
        _("New this week: {count}").format(count=format_number(stats.joined_this_week)),
        _(
            "Safety: not yet screened {not_screened} · held by the health check {held} · "
            "some drills left out {restricted} · paused for pain {pain_paused}"
        ).format(
            not_screened=format_number(safety.not_screened),
            held=format_number(safety.held),
            restricted=format_number(safety.restricted),
            pain_paused=format_number(safety.pain_paused),
        ),
        "",
        # Translators: {days} is a number of days; {first} and {last} are dates such as "2 Apr".
        _("<b>Last {days} days</b> ({first} to {last})").format(
            days=WEEK_DAYS, first=_day_and_month(stats.first_week_day), last=_day_and_month(stats.today)
        ),
        _("Drills sent {sent} · failed {failed} · pending {pending}").format(
            sent=format_number(week.sent),
            failed=format_number(week.failed),
            pending=format_number(week.pending),
        ),
        _("Check-in rate {share} ({answered} of {sent})").format(
            share=_share(week.answered, week.sent),
            answered=format_number(week.answered),
            sent=format_number(week.sent),
        ),
        "",
        _("<b>Retention</b> (still active N days after joining)"),
        *(
            # Translators: {days} is a number of days since joining; {share} e.g. "40%".
            _("{days} days: {share} ({retained} of {joined} who joined {days}+ days ago)").format(
                days=figure.days,
                share=_share(figure.retained, figure.joined),
                retained=format_number(figure.retained),
                joined=format_number(figure.joined),
            )
            for figure in stats.retention
        ),
        "",
        _(
            "<b>Drills, last {days} days</b>: sent → answered → done (done or too easy). "
            "Too easy, too hard, pain and skipped are shares of the answers; "
            "too hard and pain never count as done."
        ).format(days=CHART_DAYS),
    ]
    drills = [_funnel_line(funnel) for funnel in stats.funnels] or [_("No drills sent yet.")]
    text = "\n".join(lines + drills)
    while len(text) > MESSAGE_LIMIT:
        drills.pop()
        text = "\n".join([*lines, *drills, _more_drills(len(stats.funnels) - len(drills))])
    return text


def reload_usage() -> str:
    return _("/reload syncs the content files; /reload announce also tells runners about new drills.")


PROBLEMS_SHOWN = 20


def reloaded(update: ContentUpdate, programme: Programme) -> str:
    drills = ngettext("{count} drill", "{count} drills", len(programme.drills)).format(
        count=format_number(len(programme.drills))
    )
    # Translators: {drills} is e.g. "42 drills" (translated separately for its plural).
    reloaded_line = ngettext(
        "<b>Content reloaded</b>: {drills} over {count} stage.",
        "<b>Content reloaded</b>: {drills} over {count} stages.",
        len(programme.stages),
    ).format(drills=drills, count=format_number(len(programme.stages)))
    lines = [reloaded_line, *(escape(line) for line in describe(update.report))]
    if update.report.any_change:
        lines.append(_("Runners get the changes from their next day; today's drills stay as they are."))
    lines += [
        ngettext(
            "Announcing to {count} runner at stage {stage} (broadcast {broadcast}).",
            "Announcing to {count} runners at stage {stage} (broadcast {broadcast}).",
            item.recipients,
        ).format(count=format_number(item.recipients), stage=item.stage, broadcast=item.broadcast_id)
        for item in update.announcements
    ]
    return "\n".join(lines)


def reload_refused(problems: tuple[ContentProblem, ...]) -> str:
    refused = ngettext(
        "<b>Nothing was changed</b>: {count} problem in the content.",
        "<b>Nothing was changed</b>: {count} problems in the content.",
        len(problems),
    ).format(count=format_number(len(problems)))
    lines = [refused, *(escape(str(problem), quote=False) for problem in problems[:PROBLEMS_SHOWN])]
    if len(problems) > PROBLEMS_SHOWN:
        lines.append(
            _("... and {count} more; `glutebot content check` lists them all.").format(
                count=format_number(len(problems) - PROBLEMS_SHOWN)
            )
        )
    return "\n".join(lines)


# ---- coaches (admins): broadcasts ----------------------------------------------------------------------


def broadcast_ask() -> str:
    return _(
        "Send me the message for your runners: text, or a GIF or photo with a caption. "
        "Formatting is kept. Send /broadcast again to start over."
    )


def broadcast_unsupported() -> str:
    return _("I can broadcast text, or a GIF or photo with a caption. Please send one of those.")


def broadcast_audience() -> str:
    return _("Who should get it?")


def broadcast_nobody() -> str:
    return _("Nobody is in that audience right now. Please choose another.")


def broadcast_draft_gone() -> str:
    return _("That broadcast is no longer a draft. Send /broadcast to write a new one.")


def broadcast_draft_cancelled() -> str:
    return _("Cancelled. Nothing was sent.")


def broadcast_pick_drill() -> str:
    return _("Which drill should the Try it now button send?")


def broadcast_test_sent() -> str:
    return _("Test sent to you: it's the message just above.")


def broadcast_usage_cancel() -> str:
    return _("Which broadcast? For example /cancel_broadcast 12 (/broadcasts lists them).")


def broadcast_usage_unsend() -> str:
    return _("Which broadcast? For example /unsend 12 (/broadcasts lists them).")


def broadcasts_none() -> str:
    return _("No broadcasts yet. /broadcast writes one.")


def _send_at_example(now: datetime, zone: str) -> str:
    """A dated example that is always ahead: tomorrow at 07:00 in the coach's zone (the format typed back)."""
    tomorrow = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    return f"{tomorrow:%Y-%m-%d} 07:00"


def broadcast_send_at_question(zone: str, now: datetime) -> str:
    # Translators: {example} is a date and time to type, e.g. "2026-12-02 07:00"; {zone} a time zone name.
    return _(
        "When should it go out? Type a time like 18:30 (the next one to come) or {example}, in {zone}."
    ).format(example=_send_at_example(now, zone), zone=escape(zone))


def broadcast_bad_send_at(zone: str, now: datetime) -> str:
    # Translators: {example} is a date and time to type, e.g. "2026-12-02 07:00"; {zone} a time zone name.
    return _("I couldn't read that as a time in the next 60 days. Try 18:30 or {example} ({zone}).").format(
        example=_send_at_example(now, zone), zone=escape(zone)
    )


def dated_time(moment: datetime, zone: str) -> str:
    """A moment a coach can place without doing sums: "Tue 3 Mar, 18:30 Europe/London"."""
    local = moment.astimezone(ZoneInfo(zone))
    # Translators: {day} is a short date such as "Tue 3 Mar", {time} e.g. 18:30, {zone} e.g. Europe/London.
    return _("{day}, {time} {zone}").format(
        day=format_day(local), time=format_clock(local.time()), zone=escape(zone)
    )


def audience_label(segment: dict[str, object], programme: Programme, *, in_sentence: bool = False) -> str:
    """Whom a broadcast is for, as a heading ("All active runners") or inside a sentence ("Audience: all
    active runners"): two messages each, since only some languages lower the first letter mid-sentence."""
    if "level" in segment:
        number = int(str(segment["level"]))
        name = escape(programme.level(number).name)
        # Translators: a broadcast's audience; {name} is the level's name from the programme.
        label = _("level {number}, {name}") if in_sentence else _("Level {number}, {name}")
        return label.format(number=number, name=name)
    if "stage" in segment:
        number = int(str(segment["stage"]))
        name = escape(programme.stage(number).name)
        # Translators: a broadcast's audience; {name} is the stage's name from the programme.
        label = _("stage {number}, {name}") if in_sentence else _("Stage {number}, {name}")
        return label.format(number=number, name=name)
    if "source" in segment:
        source = _("runners who came from “{source}”")
        # Translators: a broadcast's audience; {source} is the tag of the link runners came through.
        label = source if in_sentence else _("Runners who came from “{source}”")
        return label.format(source=escape(str(segment["source"])))
    if "inactive_days" in segment:
        label = (
            _("runners inactive for {days}+ days") if in_sentence else _("Runners inactive for {days}+ days")
        )
        return label.format(days=segment["inactive_days"])
    return _("all active runners") if in_sentence else _("All active runners")


BROADCAST_STATUS_WORDS = {
    "draft": N_("draft"),
    "scheduled": N_("scheduled"),
    "sending": N_("sending"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
    "deleted": N_("unsent"),
}
"""Each broadcast status as coaches read it (a broadcast taken back with /unsend reads "unsent")."""


def _status_word(status: str) -> str:
    words = BROADCAST_STATUS_WORDS.get(status)
    return _(words) if words else status


def broadcast_summary(broadcast: Broadcast, programme: Programme, count: int, drill_name: str | None) -> str:
    lines = [
        _("<b>Broadcast #{id}</b>: the message above is exactly what runners will see.").format(
            id=broadcast.id
        ),
        # Translators: {audience} is e.g. "Stage 2, Strength"; {count} how many runners are in it.
        _("Audience: {audience} (<b>{count}</b>).").format(
            audience=audience_label(broadcast.segment, programme, in_sentence=True),
            count=format_number(count),
        ),
    ]
    if drill_name is not None:
        lines.append(_("Try it now sends: {drill}.").format(drill=escape(drill_name)))
    return "\n".join(lines)


def broadcast_settled(broadcast_id: int, status: str) -> str:
    """The answer to a button left on a broadcast that is no longer a draft: the tap changes nothing."""
    if status == "scheduled":
        return _("Broadcast #{id} is already scheduled. To stop it: /cancel_broadcast {id}").format(
            id=broadcast_id
        )
    if status == "cancelled":
        return _("Broadcast #{id} was cancelled; nothing more goes out. /broadcast writes a new one.").format(
            id=broadcast_id
        )
    return _(
        "Broadcast #{id} has already gone out, so nothing was sent again. /broadcasts has its figures."
    ).format(id=broadcast_id)


def broadcast_scheduled(broadcast_id: int, moment: datetime, zone: str, count: int) -> str:
    # Translators: {when} is e.g. "Tue 3 Mar, 18:30 Europe/London"; {count} how many runners are now in it.
    return _(
        "Broadcast #{id} is scheduled for {when}. It goes to the runners in "
        "its audience at that moment ({count} now). /cancel_broadcast {id} stops it."
    ).format(id=broadcast_id, when=dated_time(moment, zone), count=format_number(count))


def _figures(figures: BroadcastFigures) -> str:
    return _("sent {sent} · blocked {blocked} · failed {failed}").format(
        sent=format_number(figures.sent),
        blocked=format_number(figures.blocked),
        failed=format_number(figures.failed),
    )


def broadcast_progress(broadcast_id: int, figures: BroadcastFigures) -> str:
    done = figures.total - figures.pending
    sending = _("Broadcast #{id}: sending… {done} of {total}").format(
        id=broadcast_id, done=format_number(done), total=format_number(figures.total)
    )
    return f"{sending}\n{_figures(figures)}"


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return _("{seconds} s").format(seconds=whole)
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=rest)
    return _("{hours} h {minutes} min").format(hours=minutes // 60, minutes=minutes % 60)


def broadcast_report(broadcast: Broadcast, figures: BroadcastFigures) -> str:
    """The final word on a broadcast: how many got it, who had blocked the bot, what failed, how long."""
    took = (
        _duration((broadcast.finished_at - broadcast.started_at).total_seconds())
        if broadcast.finished_at is not None and broadcast.started_at is not None
        else "–"
    )
    if broadcast.status == "done":
        # Translators: {took} is a duration such as "2 min 5 s".
        head = _("Broadcast #{id} finished in {took}.").format(id=broadcast.id, took=took)
    else:
        head = ngettext(
            "Broadcast #{id} was cancelled after {took}; {count} runner did not get it.",
            "Broadcast #{id} was cancelled after {took}; {count} runners did not get it.",
            figures.pending,
        ).format(id=broadcast.id, took=took, count=format_number(figures.pending))
    # Translators: {figures} is e.g. "sent 10 · blocked 1 · failed 0"; {total} everyone it was for.
    tally = _("{figures} (of {total})").format(figures=_figures(figures), total=format_number(figures.total))
    return f"{head}\n{tally}"


def _sent_and_deleted(figures: BroadcastFigures) -> str:
    """Runners who got it, then how many of those it was taken back from with /unsend."""
    got_it = format_number(figures.sent + figures.deleted)
    if not figures.deleted:
        return _("sent {sent}").format(sent=got_it)
    deleted = format_number(figures.deleted)
    if not figures.sent:
        return _("sent {sent}, deleted {deleted}").format(sent=got_it, deleted=deleted)
    return ngettext(
        "sent {sent}, deleted {deleted} ({count} chat still has it)",
        "sent {sent}, deleted {deleted} ({count} chats still have it)",
        figures.sent,
    ).format(sent=got_it, deleted=deleted, count=format_number(figures.sent))


def broadcast_line(broadcast: Broadcast, figures: BroadcastFigures, programme: Programme, zone: str) -> str:
    """One broadcast in `/broadcasts`: number, status, when (in the coach's zone), audience, figures and how
    it starts. A broadcast taken back with /unsend reads "unsent", and still counts whom it reached."""
    moment = broadcast.started_at or broadcast.send_at or broadcast.created_at
    start = " ".join(_plain(broadcast.text).split())
    start = start if len(start) <= 40 else start[:39] + "…"
    audience = audience_label(broadcast.segment, programme)
    # Translators: {sent} is e.g. "sent 10" or "sent 10, deleted 4 (6 chats still have it)".
    tally = _("{sent} · blocked {blocked} · failed {failed} · pending {pending}").format(
        sent=_sent_and_deleted(figures),
        blocked=format_number(figures.blocked),
        failed=format_number(figures.failed),
        pending=format_number(figures.pending),
    )
    line = (
        f"<b>#{broadcast.id}</b> {_status_word(broadcast.status)} · {dated_time(moment, zone)} · {audience}\n"
        f"{tally}"
    )
    return line + (f"\n<i>{escape(start)}</i>" if start else "")


def _plain(html_text: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html_text))


def broadcast_cancelled(broadcast_id: int, figures: BroadcastFigures) -> str:
    return ngettext(
        "Broadcast #{id} is cancelled; {count} runner had already got it.",
        "Broadcast #{id} is cancelled; {count} runners had already got it.",
        figures.sent,
    ).format(id=broadcast_id, count=format_number(figures.sent))


def broadcast_not_cancellable(broadcast_id: int, status: str | None) -> str:
    if status is None:
        return _("There is no broadcast #{id}. /broadcasts lists them.").format(id=broadcast_id)
    # Translators: {status} is a broadcast's status, e.g. "done" or "cancelled".
    return _("Broadcast #{id} is {status}, so there is nothing to cancel.").format(
        id=broadcast_id, status=_status_word(status)
    )


def unsend_refused(broadcast_id: int, status: str | None) -> str:
    if status is None:
        return _("There is no broadcast #{id}. /broadcasts lists them.").format(id=broadcast_id)
    if status in ("scheduled", "sending"):
        # Translators: {status} is "scheduled" or "sending".
        return _("Broadcast #{id} is still {status}: /cancel_broadcast {id} first.").format(
            id=broadcast_id, status=_status_word(status)
        )
    return _("Broadcast #{id} was never sent, so there is nothing to delete.").format(id=broadcast_id)


def unsend_too_old(broadcast_id: int, sent_at: datetime) -> str:
    # Translators: {sent_at} is a date and time in UTC, e.g. "2026-12-01 07:30".
    return _(
        "Sorry, I can't delete broadcast #{id}: it went out {sent_at} UTC, "
        "more than 48 hours ago, and Telegram only lets a bot delete its own messages for 48 hours."
    ).format(id=broadcast_id, sent_at=f"{sent_at:%Y-%m-%d %H:%M}")


def unsend_started(broadcast_id: int) -> str:
    return _("Deleting broadcast #{id} from runners' chats…").format(id=broadcast_id)


def unsend_report(broadcast_id: int, deleted: int, failed: int) -> str:
    report = ngettext(
        "Broadcast #{id} is deleted from {count} chat.",
        "Broadcast #{id} is deleted from {count} chats.",
        deleted,
    ).format(id=broadcast_id, count=format_number(deleted))
    if not failed:
        return report
    refused = _("{count} could not be deleted (Telegram refused, e.g. older than 48 hours).").format(
        count=format_number(failed)
    )
    return f"{report} {refused}"


VERSION_ASKS = {
    "es": N_(
        "Send me the Spanish version of the message: its text, or the caption for a GIF or photo. "
        "Runners who chose Spanish get it instead of the one above."
    ),
    "de": N_(
        "Send me the German version of the message: its text, or the caption for a GIF or photo. "
        "Runners who chose German get it instead of the one above."
    ),
}


def broadcast_version_ask(language: str) -> str:
    return _(VERSION_ASKS[language])


def broadcast_versions(languages: list[str]) -> str:
    """The summary's line naming the versions a draft has, each language named in itself."""
    # Translators: {languages} is a list of language names as each writes its own ("Español, Deutsch").
    return _("Also in: {languages}. Everyone else gets the message above.").format(
        languages=", ".join(LANGUAGES[code] for code in languages if code in LANGUAGES)
    )


def active_by_language(counts: dict[str, int]) -> str:
    """The /stats line of active runners per language, each named in itself, in the order they are offered."""
    # Translators: {counts} lists language names with a number each ("English 5 · Español 2 · Deutsch 0").
    return _("Active by language: {counts}").format(
        counts=" · ".join(f"{name} {format_number(counts.get(code, 0))}" for code, name in LANGUAGES.items())
    )


def language_question() -> str:
    return _("Which language should I write to you in?")


def language_chosen() -> str:
    # Translators: said in the language just chosen; name it in that language ("en español").
    return _("Done: from now on I'll write to you in English.")


def language_not_known(typed: str) -> str:
    # Translators: {typed} is what the runner wrote after /language, a language we do not have.
    return _("I can't write in “{typed}” yet. Choose one of these:").format(typed=escape(typed))
