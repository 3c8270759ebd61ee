"""`glutebot export check-ins` as coaches run it: a real process, both databases, the hand-built data set."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CheckIn, Delivery, Subscriber
from bot.services.export import export_check_ins
from tests.support.cli import glutebot
from tests.support.data import build_data_set

HEADER = [
    "subscriber_id", "drill", "local_date", "outcome", "pain", "note", "received_at",
    "health_screen", "health_answers", "pain_pause", "language",
]  # fmt: skip
NOT_SCREENED = ["not screened", "", "", "en"]
CLEAR_BUT_PAUSED = ["clear", "", "hip-extension", "es"]
HELD = ["held", "heart", "", "de"]
"""The runner's screen, pause and language as they stand now (A never chose a language: English)."""


async def prepare(factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """The data set, plus notes that CSV and spreadsheets must survive; returns subscriber ids by runner."""
    await build_data_set(factory)
    async with factory() as session, session.begin():
        ids = {
            name.removeprefix("Runner "): subscriber_id
            for name, subscriber_id in await session.execute(select(Subscriber.first_name, Subscriber.id))
        }
        latest = (
            select(Delivery).where(Delivery.subscriber_id == ids["A"]).order_by(Delivery.local_date.desc())
        )
        delivery = await session.scalar(latest.limit(1))
        assert delivery is not None
        screened_at = datetime(2026, 3, 1, tzinfo=UTC)
        for name, answers, pause, language in (
            ("B", [], "hip-extension", "es"),
            ("G", ["heart"], None, "de"),
        ):
            runner = await session.get_one(Subscriber, ids[name])
            runner.health_answers, runner.health_screened_at, runner.pain_pause = answers, screened_at, pause
            runner.language = language
        for minute, note in ((30, 'tight, then "fine"\nnext line'), (31, '=HYPERLINK("http://x")')):
            session.add(
                CheckIn(
                    delivery_id=delivery.id, outcome=None, pain=None, note=note, via="reply",
                    received_at=datetime(2026, 3, 30, 9, minute, tzinfo=UTC),
                )
            )  # fmt: skip
    return ids


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_export_since_a_date_to_a_file(
    database_url: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    ids = asyncio.run(prepare(session_factory))
    target = tmp_path / "check-ins.csv"

    result = glutebot(
        "export", "check-ins", "--since", "2026-03-28", "--format", "csv", "--output", str(target),
        database_url=database_url,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == "8 check-ins exported"
    a, b, g = str(ids["A"]), str(ids["B"]), str(ids["G"])
    assert rows(target.read_text(encoding="utf-8")) == [
        HEADER,
        [a, "glute-bridge", "2026-03-30", "done", "", "", "2026-03-30T09:00:00+00:00", *NOT_SCREENED],
        [b, "clamshell", "2026-03-28", "hard", "", "", "2026-03-28T09:00:00+00:00", *CLEAR_BUT_PAUSED],
        [b, "clamshell", "2026-03-28", "", "", "felt it in the left hip", "2026-03-28T09:01:00+00:00",
         *CLEAR_BUT_PAUSED],
        [b, "clamshell", "2026-03-28", "done", "", "", "2026-03-28T09:02:00+00:00", *CLEAR_BUT_PAUSED],
        [g, "clamshell", "2026-03-30", "pain", "6", "", "2026-03-30T09:00:00+00:00", *HELD],
        [g, "clamshell", "2026-03-30", "", "3", "", "2026-03-30T09:01:00+00:00", *HELD],
        [a, "glute-bridge", "2026-03-30", "", "", 'tight, then "fine"\nnext line',
         "2026-03-30T09:30:00+00:00", *NOT_SCREENED],
        [a, "glute-bridge", "2026-03-30", "", "", '\'=HYPERLINK("http://x")',
         "2026-03-30T09:31:00+00:00", *NOT_SCREENED],
    ]  # fmt: skip
    assert not list(tmp_path.glob(".*partial"))


def test_export_everything_to_standard_output(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    asyncio.run(prepare(session_factory))
    result = glutebot("export", "check-ins", database_url=database_url)
    assert result.returncode == 0, result.stderr
    exported = rows(result.stdout)
    assert exported[0] == HEADER
    assert len(exported) == 1 + 17
    assert sorted({row[2] for row in exported[1:]}) == [
        "2026-02-05", "2026-02-20", "2026-03-02", "2026-03-03", "2026-03-05", "2026-03-10", "2026-03-18",
        "2026-03-26", "2026-03-28", "2026-03-30",
    ]  # fmt: skip


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_another_process_writes_while_an_export_reads(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """An export takes no write lock on SQLite, however long it runs: the bot keeps recording meanwhile."""
    await prepare(session_factory)
    written_meanwhile: list[str] = []

    class WritingWhileExported(io.StringIO):
        def write(self, text: str) -> int:
            if self.tell() and not written_meanwhile:  # the header is out: the export is reading rows
                bot = sqlite3.connect(str(make_url(database_url).database), timeout=0, isolation_level=None)
                try:
                    bot.execute("UPDATE subscribers SET first_name = 'Renamed' WHERE first_name = 'Runner A'")
                finally:
                    bot.close()
                written_meanwhile.append(text)
            return super().write(text)

    out = WritingWhileExported()
    assert await export_check_ins(session_factory, out, since=None) == 17
    assert written_meanwhile and len(rows(out.getvalue())) == 1 + 17


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_bad_arguments_are_one_line_and_write_nothing(database_url: str, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    target = exports / "out.csv"
    for arguments, message in (
        (["--since", "2026-02-30"], "glutebot: --since 2026-02-30: expected a date as YYYY-MM-DD"),
        (["--since", "last week"], "glutebot: --since last week: expected a date as YYYY-MM-DD"),
        (["--format", "xlsx"], "glutebot: --format xlsx: only csv is supported"),
    ):
        result = glutebot(
            "export", "check-ins", *arguments, "--output", str(target), database_url=database_url
        )
        assert (result.returncode, result.stderr.strip(), result.stdout) == (2, message, "")
    wrong = glutebot("export", "runners", database_url=database_url)
    assert (
        wrong.stderr.strip()
        == "glutebot: export runners: nothing by that name; try `glutebot export check-ins`"
    )
    missing = glutebot(
        "export",
        "check-ins",
        "--output",
        str(exports / "no" / "such.csv"),
        database_url=database_url,
    )
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"glutebot: --output {exports}/no/such.csv: No such file or directory"
    assert list(exports.iterdir()) == []
