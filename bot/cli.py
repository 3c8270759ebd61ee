"""`glutebot`: the one command operators and coaches use (run, db, content, programme, ...).

Every failure an operator can cause (a bad setting, broken content, an unreachable database) ends in one
clear line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.config import MIN_RETENTION_DAYS, Settings, SettingsError, load_settings
from bot.content.loader import ContentError, ContentProblem, LoadedContent, load_content
from bot.db.models import SUBSCRIBER_STATUSES
from bot.db.transient import driver_words
from bot.domain.clock import SystemClock
from bot.domain.parsing import parse_number
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, use_language
from bot.runtime import StartupError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.domain.preview import Answer
    from bot.domain.programme import Level, Programme
    from bot.domain.week import Running

log = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace, Settings], int]


def counted(count: int, noun: str) -> str:
    """For the operator, in English: "1 problem", "2 problems", "1,200 runners" (regular plurals only)."""
    return f"{count:,} {noun if count == 1 else noun + 's'}"


def _fail(message: str, code: int = 1) -> int:
    print(f"glutebot: {message}", file=sys.stderr)
    return code


def _load(directory: Path, *, allow_missing_media: bool, quiet: bool = False) -> LoadedContent | None:
    try:
        content = load_content(directory, allow_missing_media=allow_missing_media)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(
            f"{counted(len(error.problems), 'problem')} in {directory}; nothing was written.", file=sys.stderr
        )
        return None
    if content.missing_media and not quiet:
        print(
            f"warning: {len(content.missing_media)} GIFs missing (allowed by --allow-missing-media): "
            + ", ".join(content.missing_media),
            file=sys.stderr,
        )
    return content


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import migrate

    if args.action == "upgrade":
        migrate.upgrade(settings.database_url, args.revision or "head")
    elif args.action == "downgrade":
        migrate.downgrade(settings.database_url, args.revision or "-1")
    print(migrate.current(settings.database_url) or "(no revision applied)")
    return 0


def cmd_content_check(args: argparse.Namespace, settings: Settings) -> int:
    directory = Path(args.directory) if args.directory else settings.content_dir
    content = _load(directory, allow_missing_media=args.allow_missing_media)
    if content is None:
        return 1
    programme = content.programme
    if not _catalogs_complete():
        return 1
    print(
        f"{directory}: {len(programme.drills)} drills over {len(programme.stages)} stages, "
        f"{len(programme.levels)} levels, and the message catalogs: all good."
    )
    return 0


def _catalogs_complete() -> bool:
    from bot.i18n import catalogs

    found = catalogs.problems()
    for problem in found:
        print(f"messages: {problem}", file=sys.stderr)
    return not found


def cmd_i18n(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import catalogs

    if args.action == "update":
        for path in catalogs.update():
            print(f"wrote {path}")
        return 0
    if not _catalogs_complete():
        return 1
    print("The message catalogs are complete and match the code.")
    return 0


def cmd_content_render(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content.media import render_all

    directory = Path(args.directory) if args.directory else settings.content_dir
    try:
        written = render_all(directory)
    except ContentError as error:
        return _fail(str(error))
    for path in written:
        print(f"rendered {path} ({path.stat().st_size // 1024} KB)")
    print(f"{len(written)} GIFs rendered from {directory / 'poses'}")
    return 0


def cmd_content_sheet(args: argparse.Namespace, settings: Settings) -> int:
    """Review sheets of pose files: four frames, their joint angles, the cues and the checker's verdict."""
    from bot.content.animation import check, poses
    from bot.content.animation.sheet import write_sheet
    from bot.content.loader import read_drill

    directory = Path(args.directory) if args.directory else settings.content_dir
    slugs = args.slugs or sorted(path.stem for path in (directory / "poses").glob("*.yaml"))
    for slug in slugs:
        pose_path = directory / "poses" / f"{slug}.yaml"
        if not pose_path.is_file():
            return _fail(f"sheet {slug}: no pose file poses/{slug}.yaml", 2)
        try:
            pose_file = poses.load(pose_path)
            drill = read_drill(directory / "drills" / f"{slug}.yaml")
        except poses.PoseFileError as error:
            return _fail(str(ContentProblem(pose_path, error.line, error.reason)))
        except ContentError as error:
            return _fail(f"sheet {slug}: {error}")
        target = write_sheet(pose_file, drill, check.problems(pose_file, drill), Path(args.output))
        print(f"wrote {target}")
    return 0


def cmd_content_sync(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content.sync import describe
    from bot.db.engine import create_engine, create_session_factory
    from bot.services.content import apply_content

    if args.announce:
        settings.require_bot_token()
    content = _load(settings.content_dir, allow_missing_media=args.allow_missing_media)
    if content is None:
        return 1

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            update = await apply_content(
                create_session_factory(engine), content, now=SystemClock().now(), announce=args.announce,
                created_by=0,
            )  # fmt: skip
            for line in describe(update.report):
                print(line)
            for item in update.announcements:
                who = f"{counted(item.recipients, 'runner')} at stage {item.stage}"
                print(f"announcing to {who} (broadcast {item.broadcast_id})")
            await _send_broadcasts(settings, engine, [item.broadcast_id for item in update.announcements])
        finally:
            await engine.dispose()

    asyncio.run(run())
    return 0


def _serve(service: Coroutine[Any, Any, None], settings: Settings, *, token: str | None) -> int:
    """Run a long-lived process (the bot, the sandbox) until it stops; start-up problems are one line.

    `token` is the one the process talks to the Bot API with, masked in every log line.
    """
    from bot.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format, tokens=[token])
    try:
        asyncio.run(service)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return _fail(f"{len(error.problems)} content problems; fix them or run `glutebot content check`")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.process import run

    return _serve(run(settings, role=args.role), settings, token=settings.bot_token)


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """The container's health check: does `glutebot run` here answer /healthz? Exit 0 only if healthy."""
    if settings.metrics_port is None:
        return _fail("METRICS_PORT: not set, so `glutebot run` serves no /healthz to ask")
    url = f"http://127.0.0.1:{settings.metrics_port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            print(response.read().decode())
    except urllib.error.HTTPError as error:
        return _fail(f"unhealthy: {error.read().decode()}")
    except OSError as error:
        return _fail(f"{url}: {getattr(error, 'reason', None) or error}")
    return 0


def cmd_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox.runner import TOKEN, run_sandbox

    return _serve(
        run_sandbox(args.port, args.database, announce=lambda line: print(line, flush=True)),
        settings,
        token=TOKEN,
    )


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db.engine import create_engine, create_session_factory
    from bot.db.repositories import Repository

    today = datetime.now(ZoneInfo(settings.default_timezone)).date()
    week_start = today - timedelta(days=6)

    async def gather() -> list[str]:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session:
                stats = Repository(session).stats
                statuses = await stats.subscribers_by_status()
                languages = await stats.active_by_language()
                day = await stats.deliveries_between(today, today)
                week = await stats.deliveries_between(week_start, today)
        finally:
            await engine.dispose()
        by_status = ", ".join(f"{status} {statuses.get(status, 0)}" for status in SUBSCRIBER_STATUSES)
        by_language = ", ".join(f"{code} {languages.get(code, 0)}" for code in LANGUAGES)
        return [
            f"subscribers: {sum(statuses.values())} ({by_status})",
            f"active by language: {by_language}",
            f"deliveries today ({today}): sent {day.sent}, failed {day.failed}, pending {day.pending}",
            f"check-in rate today: {day.check_in_rate:.0%} ({day.answered} of {day.sent})",
            f"check-in rate last 7 days: {week.check_in_rate:.0%} ({week.answered} of {week.sent})",
        ]

    for line in asyncio.run(gather()):
        print(line)
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Bad arguments are checked here rather than by argparse, so each is one line."""
    from bot.db.engine import create_engine, create_session_factory
    from bot.services.export import export_check_ins

    if args.what != "check-ins":
        return _fail(f"export {args.what}: nothing by that name; try `glutebot export check-ins`", 2)
    if args.format != "csv":
        return _fail(f"--format {args.format}: only csv is supported", 2)
    try:
        since = date.fromisoformat(args.since) if args.since is not None else None
    except ValueError:
        return _fail(f"--since {args.since}: expected a date as YYYY-MM-DD", 2)
    target = Path(args.output) if args.output else None
    partial = target.with_name(f".{target.name}.partial") if target else None

    async def write(out: TextIO) -> int:
        engine = create_engine(settings.database_url)
        try:
            return await export_check_ins(create_session_factory(engine), out, since=since)
        finally:
            await engine.dispose()

    if partial is None or target is None:
        try:
            rows = asyncio.run(write(sys.stdout))
            sys.stdout.flush()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    else:
        try:
            out = partial.open("w", newline="", encoding="utf-8")
        except OSError as error:
            return _fail(f"--output {target}: {error.strerror or error}")
        try:
            with out:
                rows = asyncio.run(write(out))
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    print(f"{rows} check-ins exported", file=sys.stderr)
    return 0


def cmd_prune(args: argparse.Namespace, settings: Settings) -> int:
    """What the dispatcher does once a day, on demand: fold and delete everything past retention."""
    from bot.db.engine import create_engine, create_session_factory
    from bot.services.retention import cutoff, prune

    days = args.days if args.days is not None else settings.retention_days
    before = cutoff(SystemClock().now(), days)

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            return await prune(create_session_factory(engine), before=before)
        finally:
            await engine.dispose()

    pruned = asyncio.run(run())
    print(f"{pruned} deliveries before {before} folded into history and deleted")
    return 0


def _segment(pairs: list[str]) -> dict[str, object]:
    from bot.db.repositories.broadcasts import SEGMENT_KEYS

    segment: dict[str, object] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if key not in SEGMENT_KEYS or not value:
            raise SettingsError(f"--segment {pair}: expected one of {', '.join(SEGMENT_KEYS)} as key=value")
        number = parse_number(value)
        if key != "source" and number is None:
            raise SettingsError(f"--segment {pair}: {key} takes a number")
        segment[key] = value if key == "source" else number
    return segment


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def cmd_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db.engine import create_engine, create_session_factory
    from bot.db.repositories import Repository

    if args.words[:1] == ["status"]:
        broadcast_id = parse_number(args.words[1]) if len(args.words) == 2 else None
        if broadcast_id is None:
            return _fail("usage: glutebot broadcast status ID", 2)
        return asyncio.run(_broadcast_status(settings, broadcast_id))
    if args.words or not args.text:
        return _fail(
            "usage: glutebot broadcast --text TEXT [--gif PATH] [--segment key=value] [--dry-run]", 2
        )
    segment = _segment(args.segment or [])
    if args.gif and not Path(args.gif).is_file():
        return _fail(f"--gif {args.gif}: no such file", 2)

    async def go() -> int:
        engine = create_engine(settings.database_url)
        try:
            now = SystemClock().now()
            async with create_session_factory(engine)() as session, session.begin():
                repo = Repository(session)
                count = await repo.broadcasts.count_audience(segment, now=now)
                if args.dry_run:
                    print(f"{count} recipients; the message:\n{args.text}")
                    return 0
                broadcast = await repo.broadcasts.create(
                    created_by=0, text=args.text, segment=segment,
                    media_kind="animation" if args.gif else None, media_path=args.gif,
                    button_drill_slug=None, now=now,
                )  # fmt: skip
                broadcast_id = broadcast.id
            print(f"broadcast {broadcast_id}: {count} recipients")
            await _send_broadcasts(settings, engine, [broadcast_id])
            return 0
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def _send_broadcasts(settings: Settings, engine: AsyncEngine, broadcast_ids: list[int]) -> None:
    """Run broadcasts to the end through the bot's one sender, with a progress bar on stderr."""
    from bot.db.repositories import BroadcastFigures
    from bot.delivery.broadcasts import BroadcastRunner
    from bot.process import build_runtime
    from bot.telegram.app import build_application, initialized
    from bot.telegram.context import SENDER_KEY

    if not broadcast_ids:
        return
    content = load_content(settings.content_dir, allow_missing_media=True)
    runtime = build_runtime(settings, engine, content, SystemClock())
    application = build_application(runtime)

    async def progress(figures: BroadcastFigures) -> None:
        done = figures.total - figures.pending
        print(f"\r{_bar(done, figures.total)}", end="", file=sys.stderr, flush=True)

    async with initialized(application):
        for broadcast_id in broadcast_ids:
            started = time.monotonic()
            figures = await BroadcastRunner(runtime, application.bot_data[SENDER_KEY]).run(
                broadcast_id, progress=progress
            )
            print(file=sys.stderr)
            print(
                f"broadcast {broadcast_id}: sent {figures.sent}, blocked {figures.blocked}, "
                f"failed {figures.failed}, pending {figures.pending} in {time.monotonic() - started:.1f} s"
            )


async def _broadcast_status(settings: Settings, broadcast_id: int) -> int:
    from bot.db.engine import create_engine, create_session_factory
    from bot.db.repositories import Repository

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            repo = Repository(session)
            broadcast = await repo.broadcasts.get(broadcast_id)
            if broadcast is None:
                return _fail(f"broadcast {broadcast_id}: no such broadcast")
            figures = await repo.broadcasts.figures(broadcast_id)
    finally:
        await engine.dispose()
    bar = _bar(figures.total - figures.pending, figures.total)
    print(
        f"broadcast {broadcast_id} ({broadcast.status}): {bar} "
        f"sent {figures.sent}, blocked {figures.blocked}, failed {figures.failed}, pending {figures.pending}"
    )
    return 0


def _next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7)


def cmd_programme(args: argparse.Namespace, settings: Settings) -> int:
    from bot.domain.preview import parse_answers, parse_kit
    from bot.domain.week import Running

    content = _load(settings.content_dir, allow_missing_media=True, quiet=True)
    if content is None:
        return 1
    programme = content.programme
    today = datetime.now(ZoneInfo(settings.default_timezone)).date()
    start = args.start or _next_monday(today)
    levels = [level for level in programme.levels if args.level in (None, level.number)]
    if not levels:
        known = ", ".join(str(level.number) for level in programme.levels)
        return _fail(f"--level {args.level}: no such level; the programme has levels {known}", 2)
    try:
        answers = parse_answers(args.answers)
    except ValueError as error:
        return _fail(f"--answers: {error}", 2)
    try:
        kit = None if args.kit is None else parse_kit(args.kit)
    except ValueError as error:
        return _fail(f"--kit: {error}", 2)
    running = Running(long_run_weekday=args.long_run, race_on=args.race)
    with use_language(args.language):
        _print_programme(args, programme, levels, start=start, running=running, answers=answers, kit=kit)
    return 0


def _print_programme(
    args: argparse.Namespace,
    programme: Programme,
    levels: Sequence[Level],
    *,
    start: date,
    running: Running,
    answers: Sequence[Answer],
    kit: frozenset[str] | None,
) -> None:
    """The runner's words (level and drill names, doses, reasons) in the language in force; the table's
    own words stay the operator's English."""
    from bot.domain.preview import preview

    for level in levels:
        days = preview(
            programme, level.number, days=args.days, start=start, running=running, answers=answers, kit=kit
        )
        if args.format == "json":
            for planned in days:
                print(json.dumps({"level": level.number, **planned.as_json()}, ensure_ascii=False))
            continue
        print(f"\nLevel {level.number}: {level.name} (starts at stage {level.start_stage})")
        for planned in days:
            day = f"day {planned.day:>2} {planned.local_date:%a %d %b}"
            if planned.drill is None or planned.dose is None:
                print(f"  {day}  rest day  {planned.reason}")
                continue
            dose = f"{planned.dose}" + (f" @ {planned.load_kg:g} kg" if planned.load_kg else "")
            drill = f"{planned.drill.name:<34} {dose:<30} {planned.intensity.label:<8}"
            print(f"  {day}  stage {planned.stage}  {drill} {planned.reason}")


def _weekday(text: str) -> int:
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    if text[:3].lower() not in names:
        raise argparse.ArgumentTypeError("a day of the week, e.g. sun")
    return names.index(text[:3].lower())


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _retention_days(text: str) -> int:
    if not text.isdigit() or int(text) < MIN_RETENTION_DAYS:
        raise argparse.ArgumentTypeError(f"expected a number of days, at least {MIN_RETENTION_DAYS}")
    return int(text)


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be from 1 to 65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glutebot", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (long polling, or a webhook when WEBHOOK_URL is set)")
    run.add_argument(
        "--role",
        choices=["all", "bot", "worker"],
        default="all",
        help="all: updates and deliveries; bot: updates only; worker: deliveries only (for scaling out)",
    )
    run.set_defaults(handler=cmd_run)

    sandbox = commands.add_parser(
        "sandbox", help="the whole bot on this machine with a Telegram-like chat page; no token needed"
    )
    sandbox.add_argument("--port", type=_port, default=8080, help="the chat page's port (default 8080)")
    sandbox.add_argument(
        "--database", type=Path, help="keep the sandbox's SQLite database in this file (default: a fresh one)"
    )
    sandbox.set_defaults(handler=cmd_sandbox)

    broadcast = commands.add_parser(
        "broadcast", help="send a message to all or a segment of active runners; `broadcast status ID`"
    )
    broadcast.add_argument("words", nargs="*", help="`status ID` to show a broadcast's progress")
    broadcast.add_argument("--text", help="the message, Telegram HTML allowed")
    broadcast.add_argument("--gif", help="an animation to send with the text as its caption")
    broadcast.add_argument(
        "--segment", action="append", help="level=N, stage=N, source=TAG or inactive_days=N (repeatable)"
    )
    broadcast.add_argument("--dry-run", action="store_true", help="show the recipient count, send nothing")
    broadcast.set_defaults(handler=cmd_broadcast)

    export = commands.add_parser("export", help="check-ins as CSV for spreadsheets: export check-ins")
    export.add_argument("what", help="check-ins")
    export.add_argument(
        "--since", metavar="DATE", help="only drills of this local date or later (YYYY-MM-DD)"
    )
    export.add_argument("--format", default="csv", help="csv (the default and only format)")
    export.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    export.set_defaults(handler=cmd_export)

    prune = commands.add_parser(
        "prune", help="fold deliveries and check-ins past RETENTION_DAYS into history and delete them"
    )
    prune.add_argument(
        "--days", type=_retention_days, metavar="N", help="keep this many days (default: RETENTION_DAYS)"
    )
    prune.set_defaults(handler=cmd_prune)

    health = commands.add_parser(
        "health", help="ask the running bot's /healthz (METRICS_PORT); exit 1 unless ok"
    )
    health.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the answer")
    health.set_defaults(handler=cmd_health)

    stats = commands.add_parser("stats", help="subscribers by status, today's deliveries, check-in rate")
    stats.set_defaults(handler=cmd_stats)

    db = commands.add_parser("db", help="apply or inspect database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade", "current"])
    db.add_argument("revision", nargs="?", help="target revision (upgrade: head, downgrade: -1)")
    db.set_defaults(handler=cmd_db)

    i18n = commands.add_parser("i18n", help="the message catalogs: extract and merge (update), or check")
    i18n.add_argument("action", choices=["update", "check"])
    i18n.set_defaults(handler=cmd_i18n)

    content = commands.add_parser("content", help="check or sync the programme content")
    content_actions = content.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = content_actions.add_parser("check", help="validate content files; exit 1 listing every problem")
    check.add_argument("directory", nargs="?", help="content directory (default: CONTENT_DIR)")
    check.add_argument("--allow-missing-media", action="store_true", help="accept drills without a GIF yet")
    check.set_defaults(handler=cmd_content_check)
    render = content_actions.add_parser("render", help="render every drill GIF from content/poses/")
    render.add_argument("directory", nargs="?", help="content directory (default: CONTENT_DIR)")
    render.set_defaults(handler=cmd_content_render)
    sheet = content_actions.add_parser(
        "sheet", help="review sheets (PNG) of pose files: frames, angles, cues"
    )
    sheet.add_argument("slugs", nargs="*", metavar="SLUG", help="drills to draw (default: every pose file)")
    sheet.add_argument("--output", required=True, help="directory for the PNGs")
    sheet.add_argument("--directory", help="content directory (default: CONTENT_DIR)")
    sheet.set_defaults(handler=cmd_content_sheet)
    sync = content_actions.add_parser("sync", help="upsert drills into the database, retire removed ones")
    sync.add_argument("--allow-missing-media", action="store_true", help="accept drills without a GIF yet")
    sync.add_argument(
        "--announce", action="store_true", help="tell runners at each stage that got new drills what is new"
    )
    sync.set_defaults(handler=cmd_content_sync)

    programme = commands.add_parser(
        "programme",
        help="print the first days a new subscriber would get",
        description="Simulate a new runner with the bot's own engine: per-drill dose steps, the week around "
        "the long run and race, lighter weeks, readiness self-tests (passed), the hopping gate (passed), "
        "kit swaps and weights (10 kg logged the first time one is asked for).",
    )
    programme.add_argument("--days", type=_positive_int, default=28, help="how many days (default: 28)")
    programme.add_argument("--level", type=int, help="only this level (default: every level)")
    programme.add_argument(
        "--start", type=date.fromisoformat, help="first day, YYYY-MM-DD (default: next Monday)"
    )
    programme.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: one object per day and level (date, stage, drill, kit, step, sets, reps or seconds, "
        "load in kg, intensity, deload, reason)",
    )
    programme.add_argument(
        "--answers",
        default="done",
        help="the runner's answers, one per session and repeated: done, too-easy, too-hard, skipped, "
        "pain:N (e.g. done,done,too-hard,pain:6); pain pauses (7+) are the bot's and not simulated",
    )
    programme.add_argument(
        "--kit",
        help="the kit the runner owns, e.g. mini-band,dumbbells or none (default: every kit); a drill "
        "needing kit they lack is swapped for the same pattern's drill without it",
    )
    programme.add_argument("--long-run", type=_weekday, help="the weekly long run's day, e.g. sun")
    programme.add_argument("--race", type=date.fromisoformat, help="a race date, YYYY-MM-DD: plans a taper")
    programme.add_argument(
        "--language",
        choices=tuple(LANGUAGES),
        default=DEFAULT_LANGUAGE,
        help="the language runners read: level and drill names, doses and reasons (default: en)",
    )
    programme.set_defaults(handler=cmd_programme)
    return parser


def _shown(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Every command logs through the one masking handler (`broadcast` and `content sync --announce` talk to
    Telegram too), one-shot commands from WARNING up unless LOG_LEVEL asks for less or more; a crash nobody
    foresaw is logged there, token masked, instead of Python printing it."""
    from bot.logs import configure_logging

    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        quiet_level = "WARNING" if settings.log_level == "INFO" else settings.log_level
        configure_logging(quiet_level, settings.log_format, tokens=[settings.bot_token])
        code: int = args.handler(args, settings)
        return code
    except SettingsError as error:
        return _fail(str(error), 2)
    except StartupError as error:
        return _fail(str(error))
    except (DBAPIError, OSError) as error:
        return _fail(f"database {_shown(settings.database_url)} (DATABASE_URL): {driver_words(error)}")
    except KeyboardInterrupt:
        return 130
    except Exception:
        logging.getLogger(__name__).exception(
            "glutebot %s failed unexpectedly", " ".join(argv or sys.argv[1:])
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
