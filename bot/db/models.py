"""The tables, typed with `Mapped[...]`; the same models serve SQLite and PostgreSQL.

The constraints carry the delivery guarantees: one delivery per subscriber and local date, one recipient
row per broadcast and subscriber, and a partial index on `next_delivery_at` so finding due subscribers
stays cheap whatever the number of paused or stopped ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.domain.schedule import DEFAULT_QUIET_HOURS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SUBSCRIBER_STATUSES = ("active", "paused", "stopped", "blocked")
DELIVERY_STATUSES = ("claimed", "sent", "failed")
OUTCOMES = ("done", "easy", "hard", "skipped", "pain")
BROADCAST_STATUSES = ("draft", "scheduled", "sending", "done", "cancelled", "deleted")
RECIPIENT_STATUSES = ("pending", "sending", "sent", "blocked", "failed", "deleted")
DRAFT_STEPS = ("content", "audience", "confirm", "send_at", "button")
"""Where a coach's `/broadcast` conversation stands, so any bot process can take their next message."""
EVERY_DAY_BUT_SUNDAY = 0b0111111
"""Training weekdays as a bitmask, bit 0 = Monday: Monday to Saturday, Sunday as the rest day."""


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, also on SQLite, which keeps no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


BIG_ID = BigInteger().with_variant(Integer, "sqlite")
"""64-bit keys for the tables that grow by the day; SQLite only auto-increments an INTEGER primary key."""


def _check_in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        date: Date(),
        time: Time(),
        str: String(255),
    }


class Drill(Base):
    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    stage: Mapped[int] = mapped_column(SmallInteger)
    focus: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(Text)
    cues: Mapped[list[str]] = mapped_column(JSON)
    mistake: Mapped[str] = mapped_column(Text)
    doses: Mapped[list[str]] = mapped_column(JSON)
    regression_slug: Mapped[str | None] = mapped_column(String(80))
    progression_slug: Mapped[str | None] = mapped_column(String(80))
    equipment: Mapped[list[str]] = mapped_column(JSON)
    gif_path: Mapped[str] = mapped_column(String(255))
    gif_hash: Mapped[str | None] = mapped_column(String(64))
    pattern: Mapped[str | None] = mapped_column(String(24))
    tags: Mapped[list[str] | None] = mapped_column(JSON)
    without_kit_slug: Mapped[str | None] = mapped_column(String(80))
    tempo: Mapped[str | None] = mapped_column(String(60))
    load_reps: Mapped[int | None] = mapped_column(SmallInteger)
    load_from_rung: Mapped[int | None] = mapped_column(SmallInteger)
    """The load rule (a weight you could lift about `load_reps` times, from this 0-based dose rung)."""
    translations: Mapped[dict[str, dict[str, Any]] | None] = mapped_column(JSON)
    """The text fields in each other language, {"es": {"name": ..., "cues": [...]}}; NULL before a sync."""
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Subscriber(Base):
    __tablename__ = "subscribers"
    __table_args__ = (
        CheckConstraint(_check_in("status", SUBSCRIBER_STATUSES), name="status"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level"),
        CheckConstraint("training_days BETWEEN 0 AND 127", name="training_days"),
        Index(
            "ix_subscribers_due",
            "next_delivery_at",
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        Index(
            "ix_subscribers_pause_ends",
            "next_delivery_at",
            postgresql_where=text("status = 'paused'"),
            sqlite_where=text("status = 'paused'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(16), default="en", server_default=text("'en'"))
    """The language the runner is spoken to in (`bot.i18n.LANGUAGES`): Telegram's at /start, or /language."""
    source: Mapped[str | None] = mapped_column(String(64))
    """Deep-link payload from `/start <payload>`, so coaches can see where runners came from."""
    timezone: Mapped[str] = mapped_column(String(64))
    delivery_time: Mapped[time]
    training_days: Mapped[int] = mapped_column(SmallInteger, default=EVERY_DAY_BUT_SUNDAY)
    level: Mapped[int] = mapped_column(SmallInteger, default=1)
    status: Mapped[str] = mapped_column(String(16), default="active")
    paused_until: Mapped[date | None]
    onboarding_step: Mapped[str | None] = mapped_column(String(32))
    """Where onboarding stands; kept here, not in memory, so any bot process can serve the next answer."""
    question: Mapped[str | None] = mapped_column(String(32))
    """The question the bot is waiting on (`bot.domain.conversation.Question`): a typed reply answers it."""
    question_asked_at: Mapped[datetime | None]
    question_message_id: Mapped[int | None] = mapped_column(BigInteger)
    """The message carrying the open question's buttons, taken off when it is settled."""
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    quiet_start: Mapped[time] = mapped_column(
        default=DEFAULT_QUIET_HOURS.start, server_default=text("'21:00:00'")
    )
    quiet_end: Mapped[time] = mapped_column(
        default=DEFAULT_QUIET_HOURS.end, server_default=text("'07:00:00'")
    )
    """The runner's quiet hours, local wall time (/quiet); equal start and end mean none."""
    stage: Mapped[int] = mapped_column(SmallInteger, default=1)
    stage_credit: Mapped[int] = mapped_column(SmallInteger, default=0)
    rotation_index: Mapped[int] = mapped_column(SmallInteger, default=0)
    hard_rotation_index: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    """The rotation's place among its hard drills, which only hard days move (`Position`)."""
    stage_started_on: Mapped[date | None]
    """The runner's own start of their current stage: lighter weeks count from it."""
    last_session_on: Mapped[date | None]
    kit: Mapped[list[str] | None] = mapped_column(JSON)
    """The kit words the runner owns (`bot.domain.kit`); None until they say, planned as no kit."""
    long_run_weekday: Mapped[int | None] = mapped_column(SmallInteger)
    """The weekly long run (0 Monday .. 6 Sunday, `/longrun`): the day before it is always easy."""
    race_on: Mapped[date | None]
    race_name: Mapped[str | None] = mapped_column(String(64))
    """A race (`/race`): the week before it tapers, the days after it recover."""
    readiness_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    """The stage's block is done: the next good check-in asks the readiness self-test."""
    plyometric_ready: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    """The entry gate for hopping drills is passed (a pain-free skater squat of 3 × 8 each side, then
    pain-free two-leg pogo hops)."""
    hop_check_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    """The skater squat part of the gate is passed: the next good check-in asks about pogo hops."""
    last_reason: Mapped[str | None] = mapped_column(Text)
    last_drill_sent_at: Mapped[datetime | None]
    """When a drill card last reached this runner: retention asks whether that came N days after joining
    without reading their deliveries. Set with each successful send."""
    next_delivery_at: Mapped[datetime | None]
    """The one scheduling key, in UTC: the dispatcher claims active subscribers whose time has come."""
    health_answers: Mapped[list[str] | None] = mapped_column(JSON)
    """The health screen items that apply (keys of `bot.domain.safety`); ticked so far while it is open."""
    health_asked_at: Mapped[datetime | None]
    """When the screen was put to the runner: a runner from before it existed is asked once, at a drill."""
    health_screened_at: Mapped[datetime | None]
    """When they finished the screen; None means not yet screened, and no drill goes out."""
    health_cleared_at: Mapped[datetime | None]
    """When they confirmed a professional cleared them (`/cleared`), lifting holds and restrictions."""
    pain_pause: Mapped[str | None] = mapped_column(String(32))
    """Pain paused every drill ("all") or one movement pattern, until the runner says it has settled."""
    pain_pause_area: Mapped[str | None] = mapped_column(String(16))
    pain_paused_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "local_date", name="uq_deliveries_subscriber_day"),
        CheckConstraint(_check_in("status", DELIVERY_STATUSES), name="status"),
        Index("ix_deliveries_status_claimed_at", "status", "claimed_at"),
        Index("ix_deliveries_local_date", "local_date"),
        Index(
            "ix_deliveries_snoozed_until",
            "snoozed_until",
            postgresql_where=text("snoozed_until IS NOT NULL"),
            sqlite_where=text("snoozed_until IS NOT NULL"),
        ),
        Index(
            "ix_deliveries_nudge_at",
            "nudge_at",
            postgresql_where=text("nudge_at IS NOT NULL"),
            sqlite_where=text("nudge_at IS NOT NULL"),
        ),
        Index(
            "ix_deliveries_morning_check",
            "morning_check_at",
            postgresql_where=text("morning_check_at IS NOT NULL"),
            sqlite_where=text("morning_check_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="RESTRICT"), index=True)
    local_date: Mapped[date]
    dose: Mapped[str] = mapped_column(String(40))
    stage: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    replaced_drill_id: Mapped[int | None] = mapped_column(Integer)
    """The drill this delivery replaced when the runner asked for the easier version after "too hard" (a
    plain id: drills are retired, never deleted)."""
    swapped_after: Mapped[int | None] = mapped_column(BIG_ID)
    """The last check-in about the replaced drill: only answers after it are about this one."""
    on_demand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    """Sent because the runner asked (`/today`) rather than by the daily dispatcher."""
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(255))
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    morning_check_at: Mapped[datetime | None]
    """When to ask how the pain feels the morning after a painful session; cleared once asked."""
    snoozed_until: Mapped[datetime | None]
    """"Later": when the card comes back, once; cleared when it is re-sent."""
    snoozed_at: Mapped[datetime | None]
    """When the runner tapped "Later": a card is put off once, so a second tap is refused."""
    nudge_at: Mapped[datetime | None]
    """When to send the one gentle reminder if there is still no answer; cleared once decided."""


class DrillProgress(Base):
    """One runner's progress on one drill: each drill climbs its own dose ladder."""

    __tablename__ = "drill_progress"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "drill_id", name="uq_drill_progress_subscriber_drill"),
        CheckConstraint(
            f"last_outcome IS NULL OR {_check_in('last_outcome', OUTCOMES)}", name="last_outcome"
        ),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="RESTRICT"), index=True)
    step: Mapped[int] = mapped_column(SmallInteger, default=0)
    """The rung of the drill's dose ladder it is at."""
    good_streak: Mapped[int] = mapped_column(SmallInteger, default=0)
    last_outcome: Mapped[str | None] = mapped_column(String(16))
    last_seen_on: Mapped[date | None]
    load_kg: Mapped[float | None] = mapped_column(Float)
    """The weight last used on a loaded drill, in kg; None for bodyweight or not yet logged."""
    easier_next: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    """Serve this drill's pattern as its easier variant next time (after pain)."""
    updated_at: Mapped[datetime]


class CheckIn(Base):
    __tablename__ = "check_ins"
    __table_args__ = (
        CheckConstraint(f"outcome IS NULL OR {_check_in('outcome', OUTCOMES)}", name="outcome"),
        CheckConstraint("pain IS NULL OR pain BETWEEN 0 AND 10", name="pain"),
        Index("ix_check_ins_delivery_received", "delivery_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("deliveries.id", ondelete="CASCADE"))
    outcome: Mapped[str | None] = mapped_column(String(16))
    """None for a note or a morning-after pain score that does not change the outcome."""
    pain: Mapped[int | None] = mapped_column(SmallInteger)
    pain_area: Mapped[str | None] = mapped_column(String(16))
    """Where it hurt (`PainArea`), from the button after Pain; copied onto the score that follows."""
    pain_kind: Mapped[str | None] = mapped_column(String(16))
    """What it felt like (`PainKind`): a muscle burn is not counted as pain."""
    note: Mapped[str | None] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(16))
    """How it came in: button, text, reply or morning (the next-day pain check)."""
    received_at: Mapped[datetime]


class DrillDayCount(Base):
    """Drill cards per local day and drill: sent, failed, and the sent ones by their latest answer
    (columns named after the outcomes). `/stats` reads these few hundred rows instead of millions of
    deliveries; every change of a delivery's status or latest answer adds to them in its own transaction."""

    __tablename__ = "drill_day_counts"

    local_date: Mapped[date] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="RESTRICT"), primary_key=True)
    sent: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer)
    easy: Mapped[int] = mapped_column(Integer)
    hard: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    pain: Mapped[int] = mapped_column(Integer)


class RunnerDay(Base):
    """A pruned delivery folded into the runner's history: what `/progress`, `/history` and the streaks read
    for days older than `RETENTION_DAYS`, and what `/deletedata` takes out of the per-day counts."""

    __tablename__ = "runner_days"
    __table_args__ = (
        CheckConstraint(_check_in("status", ("sent", "failed")), name="status"),
        CheckConstraint(f"outcome IS NULL OR {_check_in('outcome', OUTCOMES)}", name="outcome"),
    )

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    local_date: Mapped[date] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="RESTRICT"))
    dose: Mapped[str] = mapped_column(String(40))
    stage: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    """The latest answer that carried an outcome, as it counted when the delivery was pruned."""
    pain: Mapped[int | None] = mapped_column(SmallInteger)
    """The worst pain reported for it."""
    has_note: Mapped[bool] = mapped_column(Boolean)
    excused: Mapped[bool] = mapped_column(Boolean)
    """A note said why (a skip with a reason leaves the streak as it is)."""


class ArchivedCheckIn(Base):
    """A pruned check-in, kept with what the coaches' export prints: the export reads the same rows before
    and after pruning, in the same order (the original check-in id)."""

    __tablename__ = "archived_check_ins"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=False)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="RESTRICT"))
    local_date: Mapped[date]
    outcome: Mapped[str | None] = mapped_column(String(16))
    pain: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]


class Broadcast(Base):
    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint(_check_in("status", BROADCAST_STATUSES), name="status"),
        CheckConstraint(f"draft_step IS NULL OR {_check_in('draft_step', DRAFT_STEPS)}", name="draft_step"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    media_kind: Mapped[str | None] = mapped_column(String(16))
    media_path: Mapped[str | None] = mapped_column(String(255))
    media_file_id: Mapped[str | None] = mapped_column(String(255))
    button_drill_slug: Mapped[str | None] = mapped_column(String(80))
    versions: Mapped[dict[str, str] | None] = mapped_column(JSON)
    """The message (or caption) in other languages, {"es": ...}: a runner gets theirs, else `text`."""
    version_language: Mapped[str | None] = mapped_column(String(16))
    """While the coach writes a version: its language (the draft's step is `content` again)."""
    segment: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    draft_step: Mapped[str | None] = mapped_column(String(16))
    """While `draft`: what the coach's next message or tap answers; None once the broadcast is confirmed."""
    send_at: Mapped[datetime | None]
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    summary_message_id: Mapped[int | None] = mapped_column(BigInteger)
    """The latest summary with the send buttons, in the coach's chat; they go once it is confirmed."""
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class BroadcastRecipient(Base):
    """One runner's copy of a broadcast; the index serves both the figures and claims in id order."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "subscriber_id", name="uq_broadcast_recipients_once"),
        CheckConstraint(_check_in("status", RECIPIENT_STATUSES), name="status"),
        Index("ix_broadcast_recipients_progress", "broadcast_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending, then `sending` while one process holds it (claimed with its time), then how it ended."""
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class MediaFile(Base):
    """A file Telegram already holds: upload a GIF once per bot, then re-send it by `file_id`."""

    __tablename__ = "media_files"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """Update ids already handled, so a webhook update Telegram re-sends is processed once."""

    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class LiveSender(Base):
    """A process that delivers drills (roles `all` and `worker`), refreshed by its heartbeat: each one
    counts the live rows and paces its bulk sends at its share of Telegram's rate."""

    __tablename__ = "senders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]
