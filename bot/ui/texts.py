"""What the bot says, in one place, as Telegram HTML (anything from a user is escaped)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import escape, unescape
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.content.loader import ContentProblem
from bot.content.sync import describe
from bot.db.models import SUBSCRIBER_STATUSES, Broadcast, Subscriber
from bot.db.repositories import BroadcastFigures
from bot.domain.coaching import Change, NextDrill, Remark
from bot.domain.dose import Dose
from bot.domain.kit import Kit, describe_kit
from bot.domain.load import kg
from bot.domain.programme import Drill, Programme
from bot.domain.safety import ALL_DRILLS, SAFETY_NOTE, SCREEN_ITEMS, PregnancyStage, Rule, ScreenOutcome, Tag
from bot.domain.schedule import describe_days
from bot.domain.week import TAPER_DAYS, WEEKDAY_NAMES
from bot.i18n import _
from bot.services.content import ContentUpdate
from bot.services.progress import Progress
from bot.services.safety import ScreenStatus
from bot.services.stats import CHART_DAYS, WEEK_DAYS, CoachStats
from bot.services.subscriptions import arrives_silently, quiet_hours_of, sent_today

if TYPE_CHECKING:
    from bot.services.checkins import CoachReply  # checkins reads the planner, which reads these texts

COMMANDS: tuple[tuple[str, str], ...] = (
    ("today", "Today's drill now"),
    ("progress", "Your stage, streak and progress card"),
    ("history", "Your last two weeks of drills"),
    ("time", "Change the delivery time"),
    ("timezone", "Change your time zone"),
    ("days", "Choose training days"),
    ("level", "Change your level"),
    ("longrun", "Your long run's day, e.g. /longrun sun (or off)"),
    ("race", "Plan a taper: /race 2027-04-12 [name] (or off)"),
    ("kit", "The kit you have, e.g. /kit band dumbbells (or none)"),
    ("pause", "Pause drills for a few days"),
    ("nudges", "Turn the afternoon reminder on or off"),
    ("quiet", "Your quiet hours, e.g. /quiet 22:00-06:30"),
    ("language", "Choose the language I write in"),
    ("resume", "Resume drills"),
    ("cleared", "A professional has cleared you to train"),
    ("stop", "Unsubscribe (your data is kept)"),
    ("deletedata", "Delete everything about you"),
    ("cancel", "Leave the question I asked unanswered"),
    ("help", "What this bot does and how to use it"),
)


def counted(count: int, noun: str) -> str:
    """A number with its noun agreeing: "1 drill", "2 drills", "1,200 runners" (regular plurals only)."""
    return f"{count:,} {noun if count == 1 else noun + 's'}"


WELCOME = (
    "Hi{name}! I send one short glute drill a day for runners.\n"
    "Strong glutes help keep your pelvis level when you land and can add power to your push-off. "
    "Strength alone doesn't change how you run, so each drill comes with form cues to practise.\n\n"
    "<i>{safety}</i>"
)
WELCOME_BACK = "Welcome back{name}! Your drills are on again."


def welcome(first_name: str | None, returning: bool) -> str:
    name = f", {escape(first_name)}" if first_name else ""
    if returning:
        return WELCOME_BACK.format(name=name)
    return WELCOME.format(name=name, safety=escape(SAFETY_NOTE))


def health_question(*, on_its_own: bool = False) -> str:
    items = "\n".join(f"• <b>{escape(item.label)}</b>: {escape(item.text)}" for item in SCREEN_ITEMS)
    opening = (
        "Before your next drill: I now ask every runner a short health check, once."
        if on_its_own
        else "First, a quick health check."
    )
    return f"{opening} Tap each one that applies to you, then Done. If none do, tap None of these.\n{items}"


PREGNANCY_QUESTION = "Congratulations! Which fits you now?"
SCREEN_CLEAR = "Thanks, nothing there holds you back."
SCREEN_FIRST = "Your drills start once the quick health check is answered: here it is again."
NOT_FOR_YOU_NOW = "This drill isn't in your programme right now: /today shows what is."
SCREEN_FIRST_ALERT = "Please answer the quick health check first: it's in the chat."
SCREEN_DONE_ALONE = "Thanks for answering. /today sends today's drill."
SCREEN_GONE = "That health check is already answered. /start asks it again if something has changed."
PAIN_PAUSED_TODAY = (
    "Your drills are paused while the pain settles. When everyday movement is comfortable again, tap the "
    "button and we'll start again gently, one stage lower."
)
NOTHING_TO_CLEAR = "Nothing is on hold or left out of your drills, so there's nothing to clear."
HOLD_PARAGRAPHS: dict[Rule, str] = {
    Rule.HEART: (
        "Thank you for telling me. Chest pain, a racing heart or fainting with exercise, or heart disease, "
        "needs a doctor's go-ahead before new training. Your drills are on hold until then: once your "
        "doctor has cleared you, tap the button below or send /cleared."
    ),
    Rule.REFER: (
        "Thank you for telling me. Pain at night or at rest, a tender spot on a bone, numbness or tingling, "
        "or a joint that gives way is worth having checked by a physiotherapist or doctor first. Please stop "
        "for now: your drills are paused until you've been seen. Once you're cleared, tap the button below "
        "or send /cleared."
    ),
}
RESTRICT_PARAGRAPH = (
    "After hip surgery or an injection, or a recent stress fracture, I'll leave out drills that load one "
    "leg and hopping drills; the rest of the programme goes on. Please show the drills to your surgeon or "
    "physiotherapist, and when they've cleared you, tap the button below or send /cleared."
)


def _left_out(excluded: frozenset[Tag]) -> str:
    kinds = [
        words
        for tag, words in (
            (Tag.PLYOMETRIC, "hopping drills"),
            (Tag.LYING_ON_BACK, "drills lying on your back"),
            (Tag.LOADED_SINGLE_LEG, "drills that load one leg"),
        )
        if tag in excluded
    ]
    return " and ".join(kinds)


def pregnancy_advice(stage: PregnancyStage, outcome: ScreenOutcome) -> str:
    held = (
        " I'll hold your drills until you tell me you've checked: tap the button below or send /cleared."
        if outcome.held_by is Rule.PREGNANCY
        else ""
    )
    return (
        "Please check with your midwife or physiotherapist before starting, and show them the drills. "
        f"While this applies I'll leave out {_left_out(outcome.excluded)}.{held}"
    )


def screen_result(outcome: ScreenOutcome, restricted: bool, pregnancy: PregnancyStage | None) -> str:
    """Why, kindly, once: one paragraph for each kind of answer given."""
    paragraphs = [HOLD_PARAGRAPHS[rule] for rule in (Rule.HEART, Rule.REFER) if outcome.held_by is rule]
    if restricted and outcome.held_by is None:
        paragraphs.append(RESTRICT_PARAGRAPH)
    if pregnancy is not None:
        paragraphs.append(pregnancy_advice(pregnancy, outcome))
    return "\n\n".join(paragraphs) or SCREEN_CLEAR


def pain_paused(pause: str) -> str:
    """The referral, said once when pain pauses drills: every drill at 7+, else the painful pattern."""
    if pause == ALL_DRILLS:
        return (
            "I've paused all your drills. Pain this strong is a sign to rest and have it checked: please "
            "see a physiotherapist or doctor, sooner if it's sharp, swollen or there at night. When it has "
            "settled, tap the button and we'll start again gently, one stage lower."
        )
    return (
        f"It keeps hurting, so I've paused your {escape(pause.replace('-', ' '))} drills; the rest of your "
        "programme goes on. If it doesn't settle within a few days, please see a physiotherapist. When it "
        "has settled, tap the button to bring them back, one stage lower."
    )


def pain_resumed(subscriber: Subscriber) -> str:
    return f"Glad it has settled. We start again gently at stage {subscriber.stage}. {next_drill(subscriber)}"


def held_today(held_by: Rule) -> str:
    if held_by is Rule.PREGNANCY:
        return (
            "Your drills are on hold until you've checked with your midwife or physio. Then tap the button."
        )
    who = "your doctor" if held_by is Rule.HEART else "a professional"
    return f"Your drills are on hold until {who} has cleared you. When they have, tap the button or /cleared."


def cleared(outcome: ScreenOutcome, subscriber: Subscriber) -> str:
    still = (
        f" {_left_out(outcome.excluded).capitalize()} stay out while this applies."
        if outcome.excluded
        else ""
    )
    return f"Thanks for letting me know: your drills are back on.{still} {next_drill(subscriber)}"


LEVEL_QUESTION = "How much strength training do you do now?"
TIME_QUESTION = "What time should your drill arrive? Pick one or type a time like 07:45."
TIMEZONE_QUESTION = "Which time zone are you in? Type your city (e.g. London) or a zone like Europe/Berlin."
DAYS_QUESTION = (
    "Which days do you want drills? Rest days matter too. Tap a choice, pick your own days, or type them "
    "(e.g. mon wed sat, or weekends)."
)
PAUSE_QUESTION = "Pause for how long? Tap one or type a number of days (e.g. 10)."
DAY_PICKER_HINT = "Tap your days, then Save."
STILL_WAITING = "I'm still waiting for that answer (/cancel leaves it)."
REASK: dict[str, str] = {
    "health": "Tap any that apply, then Done; or type none if none of them do.",
    "level": "Which fits best? Type 1, 2 or 3, or tap one of the buttons.",
    "time": "I couldn't read that as a time. Try HH:MM, for example 07:30 or 18:45.",
    "days": "I couldn't read those days. Try daily, weekdays, weekends, or a list like mon wed fri.",
    "longrun": "Which day is your long run? Type a day like sun, or none.",
    "pause": "Pause for how many days? A number from 1 to 90, e.g. 7.",
    "kit": "I couldn't read that kit. Tap what you have, or type it: band, dumbbells, step, bench, or none.",
}
"""A typed reply the open question could not read: ask again, plainly."""
NOT_UNDERSTOOD = (
    "I didn't catch that. To answer your drill, type done, too easy, too hard, skip or pain 0-10; to add "
    "a note, reply to the drill or start with “note”. /help lists everything."
)
CANCELLED = "OK, I've stopped waiting for that answer. Nothing was changed."
CANCELLED_ONBOARDING = (
    "OK, I've stopped waiting for that answer. The buttons above still work whenever you're ready, and "
    "/help lists every setting."
)
NOTHING_TO_CANCEL = "There's no question waiting for your answer. /help lists what I can do."
FIXED_OFFSET_WARNING = (
    "Note: a fixed offset like this ignores daylight saving, so your drill moves by an hour when your "
    "clocks change. Type your city instead to follow your local time all year."
)
TIME_TYPE_PROMPT = "Type the time as HH:MM, for example 06:45 or 18:30."
BAD_TIME = "I couldn't read that as a time. Try HH:MM, for example 07:30 or 18:45."
LONG_RUN_QUESTION = (
    "Which day is your long run? The day before it gets an easy drill. "
    "Skip this if you don't have a regular one (/longrun changes it later)."
)
SELF_TEST_CHECKS = (
    "a side plank, 30 s each side, with your body in a straight line",
    "10 single-leg bridges each side with your pelvis staying level",
    "5 single-leg squats each side down to a chair, knee over your toes",
)
"""The readiness self-test, asked one check at a time; every one must pass, with good form and no pain."""
SELF_TEST_NOT_YET = (
    "No problem: that's exactly what the self-test is for, and strength takes a few weeks to build. "
)
HOP_CHECK_QUESTION = (
    "<b>Nearly ready for hopping drills.</b> Your skater squats are solid. One more check: can you do "
    "20 small two-footed pogo hops on the spot, landing softly, without any pain?"
)
HOPS_OPEN = "Great: hopping drills are now part of your programme. Land softly and stop if anything hurts."
HOPS_NOT_YET = "No problem: hops wait. Your next pain-free skater squats at 3 × 8 bring this check back."
KIT_QUESTION = (
    "What kit do you have at home? Tap everything you own, then Done. Drills that need kit you don't have "
    "are swapped for one of the same movement without it (/kit changes this later)."
)
BAD_KIT = (
    "I couldn't read that kit. Try /kit band dumbbells, /kit step bench or /kit none "
    "(bands, dumbbells or a kettlebell, a step or box, a bench or sofa)."
)
EASIER_GONE = "That easier version isn't on offer any more: today's drill has moved on."
BAD_LONG_RUN = "Which day is your long run? Try /longrun sun, or /longrun off."
BAD_RACE = (
    "I couldn't read that race. Try /race 2027-04-12 London Marathon (a date from today up to two years "
    "ahead), or /race off."
)
BAD_DAYS = "I couldn't read those days. Try daily, weekdays, or a list like mon,wed,fri."
BAD_PAUSE = "Pause for how many days? A number from 1 to 90, e.g. /pause 7."
BAD_LEVEL = "Levels are 1, 2 or 3, e.g. /level 2."
NO_ZONE = "I couldn't find that place. Try a bigger city nearby, or a zone like Europe/London or Etc/UTC."
NOT_SUBSCRIBED = "Send /start to begin your glute programme."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
NOT_TEXT = "I can only read text. Reply with done, too easy, too hard, skip or pain 0-10."
TOO_LONG = "That's a long message! Please keep replies under 1,000 characters."
GROUP_CHAT = "I coach one runner at a time: message me privately to start."
SLOW_DOWN = "That's a lot of messages at once! I'll answer the first few; please wait for my replies."
NOTHING_OPEN = "There's no drill waiting for an answer. /today sends today's drill."
NOT_YOURS = "That button belongs to someone else's drill."
TOO_OLD = "That drill is too old to answer now. Today's is what counts!"
GONE = "That drill isn't available any more."
STOPPED = "You're unsubscribed. Your history is kept: /start brings your drills back."
DELETE_QUESTION = (
    "This deletes your settings, every drill you received and every answer you gave. "
    "It cannot be undone. Sure?"
)
DELETED = "Done: everything about you is deleted. /start whenever you want to begin again."
DELETE_KEPT = "Nothing was deleted."
NO_DRILL_TODAY = "There's no drill for you right now; the content is being updated. Try again in a minute."
SEND_FAILED = "I couldn't send the drill just now. Please try /today again in a minute."
PAIN_WHERE_QUESTION = "Sorry it hurt. Where do you feel it?"
PAIN_KIND_QUESTION = "What does it feel like?"
PAIN_SCORE_QUESTION = "How bad was it, from 0 (none) to 10 (worst)?"
MUSCLE_BURN = (
    "That burn is your muscles working, which is what the drill is for: it's not pain, so I've recorded the "
    "drill as done and your programme carries on. If it ever turns sharp or catching, tap Pain again."
)
NOT_PAUSED = "Your drills aren't paused for pain: they carry on as planned."
SNOOZE_QUESTION = "When should it come back?"
SNOOZE_ANSWERED = "Already answered, so there's nothing to put off. Tap Change to give another answer."
SNOOZE_ALREADY = "You've already put this one off once. Tap how it went on the card when you're done."
SNOOZE_GONE = "That time no longer fits before your quiet hours. Pick another, or tap Back."
NUDGES_ON = "Reminders are on: one nudge if a drill is still waiting in the afternoon."
NUDGES_OFF = "Reminders are off. /nudges on brings them back."
NUDGES_SHOWN_ON = "Reminders are on: one nudge if a drill is still waiting in the afternoon. Keep them?"
NUDGES_SHOWN_OFF = "Reminders are off: no nudge when a drill is still waiting. Turn them on?"
BAD_QUIET = (
    "I couldn't read those quiet hours. Give a start and an end on the 24-hour clock, "
    "e.g. /quiet 22:00-06:30, or /quiet off."
)
QUIET_TOO_LONG = (
    "Quiet hours can last at most 16 hours, so reminders still fit in your day. Try /quiet 22:00-07:00."
)


def morning_question(session_day: date, today: date) -> str:
    """The morning pain check names the session's day: "yesterday" only when it was."""
    when = "yesterday" if (today - session_day).days == 1 else f"on {session_day:%A}"
    return f"Morning! How does it feel today where it hurt {when}, from 0 to 10?"


OOPS = "Sorry, something went wrong on my side. Please try again in a moment."
CANNOT_SAVE = (
    "Sorry, I can't save anything right now: something on my side needs fixing, and the team has been "
    "told. Nothing was changed; please try again later."
)

HELP = (
    "<b>Your daily glute drill</b>\n"
    "Every training day at your chosen time I send one drill with a short animation. "
    "Tap how it went (or reply: done, too easy, too hard, skip, pain 4) and the programme adapts: "
    "it moves on after good sessions, holds when it is too hard and steps back on pain.\n\n"
    + "\n".join(f"/{command} - {description}" for command, description in COMMANDS)
)
COACH_COMMANDS: tuple[tuple[str, str], ...] = (
    ("broadcast", "Coaches: write a message to runners"),
    ("broadcasts", "Coaches: recent broadcasts and their figures"),
    ("cancel_broadcast", "Coaches: stop a scheduled or running broadcast"),
    ("unsend", "Coaches: delete a broadcast from runners' chats"),
    ("stats", "Coaches: subscribers, retention and drills"),
    ("reload", "Coaches: load the content files into the bot"),
)
COACH_HELP = (
    HELP
    + "\n\n<b>For coaches</b>\n"
    + "\n".join(f"/{command} - {about.removeprefix('Coaches: ')}" for command, about in COACH_COMMANDS)
)


def settings_summary(subscriber: Subscriber, programme: Programme) -> str:
    level = programme.level(subscriber.level)
    when = subscriber.delivery_time.strftime("%H:%M")
    days = describe_days(subscriber.training_days)
    return (
        f"All set! Level {level.number} ({escape(level.name)}), drills {days} "
        f"at {when} ({escape(zone_label(subscriber.timezone))} time).\n"
        f"{next_drill(subscriber)}\n/help shows every command."
    )


def zone_label(zone: str) -> str:
    """ "America/New_York" as a runner says it: "New York"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def next_drill(subscriber: Subscriber) -> str:
    """When the next drill comes; "/today" is offered only while today's has not been sent."""
    if subscriber.next_delivery_at is None:
        return "No drill is scheduled."
    local = subscriber.next_delivery_at.astimezone(ZoneInfo(subscriber.timezone))
    offer = "" if sent_today(subscriber) else " Want one now? /today"
    return f"Next drill: {local:%a %d %b} at {local:%H:%M}.{offer}"


def time_set(subscriber: Subscriber) -> str:
    when = subscriber.delivery_time.strftime("%H:%M")
    return f"Drills now arrive at {when}.{silent_note(subscriber)} {next_drill(subscriber)}"


def busy_minute(chosen: time, quieter: time) -> str:
    """Offered, not forced: the runner keeps the time they picked unless they tap."""
    return (
        f"{chosen:%H:%M} is busy: lots of runners get their drill then, so yours could come a few minutes "
        f"late. {quieter:%H:%M} gets yours out on the dot. Tap below to switch, or keep {chosen:%H:%M}."
    )


def silent_note(subscriber: Subscriber) -> str:
    """Said when their drill time falls in their quiet hours: their choice wins, without a sound."""
    if not arrives_silently(subscriber):
        return ""
    return f" That's inside your quiet hours ({quiet_hours_of(subscriber)}), so it will arrive silently."


def quiet_hours(subscriber: Subscriber) -> str:
    quiet = quiet_hours_of(subscriber)
    if quiet.off:
        return (
            "You have no quiet hours: reminders and the morning check can come at any time. "
            "Set some with e.g. /quiet 22:00-06:30."
        )
    return (
        f"Your quiet hours are {quiet} ({escape(subscriber.timezone)} time). Inside them nothing that can "
        "wait makes a sound: reminders, the morning pain check and drills you put off wait until they end, "
        "and a drill due then arrives silently. Change them with e.g. /quiet 22:00-06:30, or /quiet off."
    )


def quiet_set(subscriber: Subscriber) -> str:
    quiet = quiet_hours_of(subscriber)
    if quiet.off:
        return "Quiet hours are off: reminders and the morning check can come at any time."
    if arrives_silently(subscriber):
        return (
            f"Quiet hours set to {quiet}. Your drills at {subscriber.delivery_time:%H:%M} fall inside them, "
            "so they will arrive silently."
        )
    return f"Quiet hours set to {quiet}."


def timezone_set(subscriber: Subscriber) -> str:
    warning = f"\n{FIXED_OFFSET_WARNING}" if subscriber.timezone.startswith("Etc/GMT") else ""
    return f"Time zone set to {escape(subscriber.timezone)}. {next_drill(subscriber)}{warning}"


def settled(command: str) -> str:
    """A tap on a button whose question was already answered (or left): it changes nothing."""
    return f"That question is already settled, so nothing changed. /{command} asks it again."


def zone_noted(subscriber: Subscriber) -> str:
    """A zone chosen during onboarding, said before the next question (a fixed offset warned about)."""
    zone = subscriber.timezone
    warning = f" {FIXED_OFFSET_WARNING}" if zone.startswith("Etc/GMT") else ""
    return f"Time zone: {escape(zone)}.{warning}"


def zone_choices(query: str) -> str:
    return f"Which of these is yours for “{escape(query[:60])}”?"


def days_set(subscriber: Subscriber) -> str:
    return f"Training days: {describe_days(subscriber.training_days)}. {next_drill(subscriber)}"


def long_run_set(subscriber: Subscriber) -> str:
    if subscriber.long_run_weekday is None:
        return "No regular long run: the week is planned on your training days alone."
    day = WEEKDAY_NAMES[subscriber.long_run_weekday]
    return f"Long run on {day}: nothing hard the day before it."


def easier_offer(easier: Drill) -> str:
    return (
        "Thanks for saying so: next time this movement comes as an easier version. "
        f"Want to try the easier one now, {escape(easier.name)}?"
    )


STRONGER_BAND = "Top dose twice: time for a stronger band, or move it further down your legs."
"""A band drill's card once its top dose is beaten twice in a row (within `bot.domain.card.BAND_LIMIT`)."""


def load_logged(load_kg: float) -> str:
    return f"Weight noted: {kg(load_kg)}. Your next card for this drill suggests the weight from it."


def self_test_check(index: int) -> str:
    """One check of the readiness self-test; the first one says what the test is for."""
    count = len(SELF_TEST_CHECKS)
    intro = (
        "<b>Block done: ready for the next stage?</b> A short self-test, one check at a time, "
        "with good form and no pain.\n"
        if index == 0
        else ""
    )
    return f"{intro}Check {index + 1} of {count}: can you do {SELF_TEST_CHECKS[index]}?"


def self_test_result(reason: str | None, *, passed: bool) -> str | None:
    """What the programme decided, kindly put when a check did not pass yet."""
    if reason is None or passed:
        return reason
    return f"{SELF_TEST_NOT_YET}{reason}"


def kit_set(subscriber: Subscriber) -> str:
    owned = describe_kit(frozenset(Kit(word) for word in subscriber.kit or ()))
    return f"Your kit: {owned}. Drills that need anything else are swapped for one without it."


def race_status(subscriber: Subscriber) -> str:
    if subscriber.race_on is None:
        return "No race planned. /race 2027-04-12 London Marathon plans a taper for one."
    name = escape(subscriber.race_name or "Your race")
    return (
        f"{name} on {subscriber.race_on:%a %d %b %Y}: easy drills only in the {TAPER_DAYS} days before, "
        "an optional warm-up on the day, a rest day after and two easy days. /race off cancels it."
    )


def level_set(subscriber: Subscriber, programme: Programme) -> str:
    level = programme.level(subscriber.level)
    stage = programme.stage(subscriber.stage)
    return (
        f"Level {level.number}: {escape(level.name)}. You're on stage {stage.number}, {escape(stage.name)}."
    )


def paused(until: date) -> str:
    return f"Paused until {until:%a %d %b}. Drills start again the day after; /resume any time."


def resumed(subscriber: Subscriber) -> str:
    return f"You're back on! {next_drill(subscriber)}"


def not_paused(subscriber: Subscriber) -> str:
    return f"You're not paused: your drills carry on as planned. {next_drill(subscriber)}"


def nudge(drill_name: str) -> str:
    return (
        f"Still time for today's drill, <b>{escape(drill_name)}</b>: a few minutes is enough. "
        "Tap how it went on the card when you're done."
    )


def when_next(subscriber: Subscriber, now: datetime) -> str:
    """ "Thursday at 07:30" (or "tomorrow", "today"); the runner's own clock, rest days skipped."""
    if subscriber.next_delivery_at is None:
        return ""
    zone = ZoneInfo(subscriber.timezone)
    local = subscriber.next_delivery_at.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    day = {0: "today", 1: "tomorrow"}.get(days, f"{local:%A}" if days < 7 else f"{local:%a %d %b}")
    return f"{day} at {local:%H:%M}"


def snooze_too_late(subscriber: Subscriber, now: datetime) -> str:
    comes = when_next(subscriber, now)
    later = f" Your next drill comes {comes}." if comes else ""
    return f"It's too late to put it off today: nothing fits before your quiet hours.{later}"


def snooze_old_card(card_day: date, todays_drill: str | None, subscriber: Subscriber, now: datetime) -> str:
    if todays_drill is not None:
        return f"That was {card_day:%A}'s drill. Today's is {todays_drill}: use Later on its card."
    comes = when_next(subscriber, now)
    later = f" Your next drill comes {comes}." if comes else ""
    return f"That was {card_day:%A}'s drill, so it can't be put off now.{later}"


FIRST_STAGE_DONE = "First stage done: here's every drill that got you here."
COACH_LINES: dict[Remark, tuple[str, str, str]] = {
    Remark.FIRST_WEEK: (
        "A full week of drills done! That's the habit started: here's your first week.",
        "Your first full week is in the bag. Here it is, day by day.",
        "One full week done! Keep this rhythm and the stages follow.",
    ),
    Remark.HEAVIEST: (
        "{load}: your heaviest yet on the {drill}.",
        "That's the most weight you've moved on the {drill}: {load}.",
        "{load} on the {drill}, a new heaviest. The strength is building.",
    ),
    Remark.PERSONAL_BEST: (
        "A personal best: {dose} on the {drill}.",
        "That's the most you've done on the {drill}: {dose}.",
        "New best on the {drill}: {dose}. The strength is building.",
    ),
    Remark.STREAK: (
        "{streak} drills in a row! Steady work like this is what makes glutes strong.",
        "That's a {streak}-drill streak. Keep it rolling.",
        "{streak} in a row: your hips will thank you on the next long run.",
    ),
    Remark.STEP_UP_NEXT: (
        "Two good sessions in a row: the {drill} steps up next time.",
        "That's two good ones on the {drill}, so it gets a bit harder next time.",
        "Solid again. The {drill} moves up a notch next time you see it.",
    ),
    Remark.ONE_MORE: (
        "Nice work. One more good session on the {drill} and it steps up.",
        "Good. Another like that on the {drill} and it gets harder.",
        "Noted. Do the {drill} well once more and it moves up.",
    ),
    Remark.HOLD: (
        "Thanks for saying so: the {drill} stays at this dose next time, so you can own it.",
        "No problem: the {drill} holds here until it feels right.",
        "Fair enough. The same {drill} next time; it gets easier.",
    ),
    Remark.STEP_BACK: (
        "Twice too hard, so the {drill} steps back a notch next time.",
        "Let's ease off: the {drill} gets a lighter dose next time.",
        "Two tough ones in a row: the {drill} goes back a rung, and we build from there.",
    ),
}


NEXT_DRILL_WORDS: dict[Change, str] = {
    Change.NEW: "a first go at {drill}",
    Change.EASIER: "an easier version: {drill}",
    Change.SAME: "{drill} at the same dose",
    Change.MORE_SETS: "{drill} with one more set",
    Change.MORE_REPS: "{drill} with more reps",
    Change.LONGER: "{drill} with a longer hold",
    Change.FURTHER: "{drill} a little further",
    Change.HEAVIER: "{drill} with a little more weight",
    Change.LIGHTER: "{drill} at a lighter dose",
}


def next_drill_words(coming: NextDrill) -> str:
    """ "Side plank with a longer hold", "the same drill with one more set"."""
    drill = "the same drill" if coming.same_drill else escape(coming.name)
    return NEXT_DRILL_WORDS[coming.change].format(drill=drill)


def coach_line(coached: CoachReply, subscriber: Subscriber, now: datetime) -> str:
    """One short line after a check-in, then when the next drill comes and, if the plan knows, what."""
    line = COACH_LINES[coached.coaching.remark][coached.coaching.variant].format(
        drill=escape(coached.drill),
        dose=escape(coached.dose),
        streak=coached.streak,
        load=kg(coached.load_kg) if coached.load_kg is not None else "",
    )
    comes = when_next(subscriber, now)
    if comes and coached.next_drill is not None:
        return f"{line} Next: {comes}, {next_drill_words(coached.next_drill)}."
    return f"{line} Next: {comes}." if comes else line


def snoozed(moment: datetime, zone: str) -> str:
    return f"I'll send it again at {local_time(moment, zone)}."


def local_time(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M")


OUTCOME_WORDS = {
    "done": "✅ done",
    "easy": "😎 too easy",
    "hard": "😓 too hard",
    "skipped": "⏭ skipped",
    "pain": "⚠️ pain",
}


def progress(view: Progress) -> str:
    summary = view.summary
    used = summary.free_pass_used_in(view.today)
    free_pass = f"used on {used:%d %b}" if used else "still available"
    lines = [
        f"<b>Stage {view.stage.number} of {view.stage_count}: {escape(view.stage.name)}</b>",
        escape(view.stage.summary),
        f"Streak: {counted(summary.current, 'drill')} (best {summary.best})",
        f"Completed: {summary.completed} of {counted(summary.delivered, 'drill')} "
        f"({summary.completion_rate:.0%})",
        f"Free pass this month: {free_pass} (the first missed drill each month doesn't break your streak)",
    ]
    lines.append(SCREEN_STATUS_LINES[view.screen])
    if view.pain_pause == ALL_DRILLS:
        lines.append("Paused for pain: every drill, until it settles.")
    elif view.pain_pause is not None:
        lines.append(
            f"Paused for pain: your {escape(view.pain_pause.replace('-', ' '))} drills, until it settles."
        )
    if view.last_reason:
        lines.append(f"<i>Latest programme decision:</i> {escape(view.last_reason)}")
    return "\n".join(lines)


SCREEN_STATUS_LINES = {
    ScreenStatus.NOT_SCREENED: "Health check: not answered yet; /today shows it.",
    ScreenStatus.HELD: "Health check: drills on hold until you're cleared (/cleared).",
    ScreenStatus.RESTRICTED: "Health check: some drills are left out for now.",
    ScreenStatus.CLEAR: "Health check: nothing holds you back.",
}


def history(view: Progress, programme: Programme) -> str:
    if not view.recent:
        return "No drills yet. /today sends your first one."
    lines = ["<b>Your recent drills</b>"]
    for answer in reversed(view.recent):
        name = _drill_name(programme, answer.drill_slug)
        if answer.replaced_slug is not None:
            name += f" (easier version: {_drill_name(programme, answer.replaced_slug)} was too hard)"
        result = OUTCOME_WORDS.get(answer.outcome or "", "no answer")
        if answer.pain is not None:
            result = (
                f"{result} {answer.pain}/10"
                if answer.outcome == "pain"
                else f"{result} (pain {answer.pain}/10)"
            )
        dose = Dose.parse(answer.delivery.dose)
        lines.append(f"{answer.delivery.local_date:%a %d %b} · {escape(name)} · {dose} · {result}")
    return "\n".join(lines)


def _drill_name(programme: Programme, slug: str) -> str:
    drill = programme.drills.get(slug)
    return drill.name if drill else slug


MESSAGE_LIMIT = 4096
STATS_CHART_CAPTION = f"Answers per day over the last {CHART_DAYS} days, by how the drill went."


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def coach_stats(stats: CoachStats) -> str:
    """The `/stats` figures; drill lines are dropped from the end rather than exceed one message."""
    by_status = stats.by_status()
    week = stats.last_week
    lines = [
        f"<b>Subscribers: {sum(by_status.values()):,}</b>",
        " · ".join(f"{status} {by_status.get(status, 0):,}" for status in SUBSCRIBER_STATUSES),
        "Active by stage: "
        + (" · ".join(f"{stage}: {count:,}" for stage, count in stats.active_by_stage().items()) or "none"),
        f"New this week: {stats.joined_this_week:,}",
        f"Safety: not yet screened {stats.safety.not_screened:,} · held by the health check "
        f"{stats.safety.held:,} · some drills left out {stats.safety.restricted:,} · "
        f"paused for pain {stats.safety.pain_paused:,}",
        "",
        f"<b>Last {WEEK_DAYS} days</b> ({stats.first_week_day:%d %b} to {stats.today:%d %b})",
        f"Drills sent {week.sent:,} · failed {week.failed:,} · pending {week.pending:,}",
        f"Check-in rate {_share(week.answered, week.sent)} ({week.answered:,} of {week.sent:,})",
        "",
        "<b>Retention</b> (still active N days after joining)",
        *(
            f"{figure.days} days: {_share(figure.retained, figure.joined)} "
            f"({figure.retained:,} of {figure.joined:,} who joined {figure.days}+ days ago)"
            for figure in stats.retention
        ),
        "",
        f"<b>Drills, last {CHART_DAYS} days</b>: sent → answered → done (done or too easy). "
        "Too easy, too hard, pain and skipped are shares of the answers; "
        "too hard and pain never count as done.",
    ]
    drills = [
        f"{escape(funnel.name)} (stage {funnel.stage}): sent {funnel.delivered:,} → answered "
        f"{funnel.checked_in:,} ({_share(funnel.checked_in, funnel.delivered)}) → done {funnel.done:,} "
        f"({_share(funnel.done, funnel.checked_in)}) · too easy {_share(funnel.easy, funnel.checked_in)} · "
        f"too hard {_share(funnel.hard, funnel.checked_in)} · "
        f"pain {_share(funnel.pain, funnel.checked_in)} · skipped {_share(funnel.skipped, funnel.checked_in)}"
        for funnel in stats.funnels
    ]
    if not drills:
        drills = ["No drills sent yet."]
    text = "\n".join(lines + drills)
    while len(text) > MESSAGE_LIMIT:
        drills.pop()
        text = "\n".join(
            [*lines, *drills, f"... and {counted(len(stats.funnels) - len(drills), 'more drill')}"]
        )
    return text


RELOAD_USAGE = "/reload syncs the content files; /reload announce also tells runners about new drills."
PROBLEMS_SHOWN = 20


def reloaded(update: ContentUpdate, programme: Programme) -> str:
    lines = [
        f"<b>Content reloaded</b>: {counted(len(programme.drills), 'drill')} over "
        f"{counted(len(programme.stages), 'stage')}.",
        *(escape(line) for line in describe(update.report)),
    ]
    if update.report.any_change:
        lines.append("Runners get the changes from their next day; today's drills stay as they are.")
    lines += [
        f"Announcing to {counted(item.recipients, 'runner')} at stage {item.stage} "
        f"(broadcast {item.broadcast_id})."
        for item in update.announcements
    ]
    return "\n".join(lines)


def reload_refused(problems: tuple[ContentProblem, ...]) -> str:
    lines = [f"<b>Nothing was changed</b>: {counted(len(problems), 'problem')} in the content."]
    lines += [escape(str(problem), quote=False) for problem in problems[:PROBLEMS_SHOWN]]
    if len(problems) > PROBLEMS_SHOWN:
        lines.append(
            f"... and {len(problems) - PROBLEMS_SHOWN} more; `glutebot content check` lists them all."
        )
    return "\n".join(lines)


# ---- coaches (admins): broadcasts ----------------------------------------------------------------------

BROADCAST_ASK = (
    "Send me the message for your runners: text, or a GIF or photo with a caption. "
    "Formatting is kept. Send /broadcast again to start over."
)
BROADCAST_UNSUPPORTED = "I can broadcast text, or a GIF or photo with a caption. Please send one of those."
BROADCAST_AUDIENCE = "Who should get it?"
BROADCAST_NOBODY = "Nobody is in that audience right now. Please choose another."
BROADCAST_DRAFT_GONE = "That broadcast is no longer a draft. Send /broadcast to write a new one."
BROADCAST_DRAFT_CANCELLED = "Cancelled. Nothing was sent."
BROADCAST_PICK_DRILL = "Which drill should the Try it now button send?"
BROADCAST_TEST_SENT = "Test sent to you: it's the message just above."
BROADCAST_USAGE_CANCEL = "Which broadcast? For example /cancel_broadcast 12 (/broadcasts lists them)."
BROADCAST_USAGE_UNSEND = "Which broadcast? For example /unsend 12 (/broadcasts lists them)."
BROADCASTS_NONE = "No broadcasts yet. /broadcast writes one."


def _send_at_example(now: datetime, zone: str) -> str:
    """A dated example that is always ahead: tomorrow at 07:00 in the coach's zone."""
    tomorrow = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    return f"{tomorrow:%Y-%m-%d} 07:00"


def broadcast_send_at_question(zone: str, now: datetime) -> str:
    return (
        f"When should it go out? Type a time like 18:30 (the next one to come) or "
        f"{_send_at_example(now, zone)}, in {escape(zone)}."
    )


def broadcast_bad_send_at(zone: str, now: datetime) -> str:
    return (
        f"I couldn't read that as a time in the next 60 days. Try 18:30 or {_send_at_example(now, zone)} "
        f"({escape(zone)})."
    )


def dated_time(moment: datetime, zone: str) -> str:
    """A moment a coach can place without doing sums: "Tue 3 Mar, 18:30 Europe/London"."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {escape(zone)}"


def audience_label(segment: dict[str, object], programme: Programme) -> str:
    if "level" in segment:
        number = int(str(segment["level"]))
        return f"Level {number}, {escape(programme.level(number).name)}"
    if "stage" in segment:
        number = int(str(segment["stage"]))
        return f"Stage {number}, {escape(programme.stage(number).name)}"
    if "source" in segment:
        return f"Runners who came from “{escape(str(segment['source']))}”"
    if "inactive_days" in segment:
        return f"Runners inactive for {segment['inactive_days']}+ days"
    return "All active runners"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def broadcast_summary(broadcast: Broadcast, programme: Programme, count: int, drill_name: str | None) -> str:
    lines = [
        f"<b>Broadcast #{broadcast.id}</b>: the message above is exactly what runners will see.",
        f"Audience: {_lower_first(audience_label(broadcast.segment, programme))} (<b>{count:,}</b>).",
    ]
    if drill_name is not None:
        lines.append(f"Try it now sends: {escape(drill_name)}.")
    return "\n".join(lines)


def broadcast_settled(broadcast_id: int, status: str) -> str:
    """The answer to a button left on a broadcast that is no longer a draft: the tap changes nothing."""
    if status == "scheduled":
        return f"Broadcast #{broadcast_id} is already scheduled. To stop it: /cancel_broadcast {broadcast_id}"
    if status == "cancelled":
        return f"Broadcast #{broadcast_id} was cancelled; nothing more goes out. /broadcast writes a new one."
    return (
        f"Broadcast #{broadcast_id} has already gone out, so nothing was sent again. "
        "/broadcasts has its figures."
    )


def broadcast_scheduled(broadcast_id: int, moment: datetime, zone: str, count: int) -> str:
    return (
        f"Broadcast #{broadcast_id} is scheduled for {dated_time(moment, zone)}. It goes to the runners in "
        f"its audience at that moment ({count:,} now). /cancel_broadcast {broadcast_id} stops it."
    )


def broadcast_progress(broadcast_id: int, figures: BroadcastFigures) -> str:
    done = figures.total - figures.pending
    return (
        f"Broadcast #{broadcast_id}: sending… {done:,} of {figures.total:,}\n"
        f"sent {figures.sent:,} · blocked {figures.blocked:,} · failed {figures.failed:,}"
    )


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def broadcast_report(broadcast: Broadcast, figures: BroadcastFigures) -> str:
    """The final word on a broadcast: how many got it, who had blocked the bot, what failed, how long."""
    took = (
        _duration((broadcast.finished_at - broadcast.started_at).total_seconds())
        if broadcast.finished_at is not None and broadcast.started_at is not None
        else "–"
    )
    head = (
        f"Broadcast #{broadcast.id} finished in {took}."
        if broadcast.status == "done"
        else f"Broadcast #{broadcast.id} was cancelled after {took}; "
        f"{counted(figures.pending, 'runner')} did not get it."
    )
    return (
        f"{head}\nsent {figures.sent:,} · blocked {figures.blocked:,} · failed {figures.failed:,} "
        f"(of {figures.total:,})"
    )


def _sent_and_deleted(figures: BroadcastFigures) -> str:
    """Runners who got it, then how many of those it was taken back from with /unsend."""
    got_it = figures.sent + figures.deleted
    if not figures.deleted:
        return f"sent {got_it:,}"
    left = f" ({counted(figures.sent, 'chat')} still {'has' if figures.sent == 1 else 'have'} it)"
    return f"sent {got_it:,}, deleted {figures.deleted:,}" + (left if figures.sent else "")


def broadcast_line(broadcast: Broadcast, figures: BroadcastFigures, programme: Programme, zone: str) -> str:
    """One broadcast in `/broadcasts`: number, status, when (in the coach's zone), audience, figures and how
    it starts. A broadcast taken back with /unsend reads "unsent", and still counts whom it reached."""
    moment = broadcast.started_at or broadcast.send_at or broadcast.created_at
    start = " ".join(_plain(broadcast.text).split())
    start = start if len(start) <= 40 else start[:39] + "…"
    audience = audience_label(broadcast.segment, programme)
    status = "unsent" if broadcast.status == "deleted" else broadcast.status
    return (
        f"<b>#{broadcast.id}</b> {status} · {dated_time(moment, zone)} · {audience}\n"
        f"{_sent_and_deleted(figures)} · blocked {figures.blocked:,} · failed {figures.failed:,} · "
        f"pending {figures.pending:,}" + (f"\n<i>{escape(start)}</i>" if start else "")
    )


def _plain(html_text: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html_text))


def broadcast_cancelled(broadcast_id: int, figures: BroadcastFigures) -> str:
    return f"Broadcast #{broadcast_id} is cancelled; {counted(figures.sent, 'runner')} had already got it."


def broadcast_not_cancellable(broadcast_id: int, status: str | None) -> str:
    if status is None:
        return f"There is no broadcast #{broadcast_id}. /broadcasts lists them."
    return f"Broadcast #{broadcast_id} is {status}, so there is nothing to cancel."


def unsend_refused(broadcast_id: int, status: str | None) -> str:
    if status is None:
        return f"There is no broadcast #{broadcast_id}. /broadcasts lists them."
    if status in ("scheduled", "sending"):
        return f"Broadcast #{broadcast_id} is still {status}: /cancel_broadcast {broadcast_id} first."
    return f"Broadcast #{broadcast_id} was never sent, so there is nothing to delete."


def unsend_too_old(broadcast_id: int, sent_at: datetime) -> str:
    return (
        f"Sorry, I can't delete broadcast #{broadcast_id}: it went out {sent_at:%Y-%m-%d %H:%M} UTC, "
        "more than 48 hours ago, and Telegram only lets a bot delete its own messages for 48 hours."
    )


def unsend_started(broadcast_id: int) -> str:
    return f"Deleting broadcast #{broadcast_id} from runners' chats…"


def unsend_report(broadcast_id: int, deleted: int, failed: int) -> str:
    text = f"Broadcast #{broadcast_id} is deleted from {counted(deleted, 'chat')}."
    if failed:
        text += f" {failed:,} could not be deleted (Telegram refused, e.g. older than 48 hours)."
    return text


def language_question() -> str:
    return _("Which language should I write to you in?")


def language_chosen() -> str:
    # Translators: said in the language just chosen; name it in that language ("en español").
    return _("Done: from now on I'll write to you in English.")


def language_not_known(typed: str) -> str:
    # Translators: {typed} is what the runner wrote after /language, a language we do not have.
    return _("I can't write in “{typed}” yet. Choose one of these:").format(typed=escape(typed))
