"""Content sync upserts drills by slug in one transaction and retires, never deletes, removed ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Drill as DrillRow
from bot.db.repositories import DrillSyncReport, Repository
from bot.db.repositories.drills import drill_from_row
from bot.domain.dose import Dose
from bot.domain.programme import Drill, Load
from bot.domain.safety import Tag
from bot.i18n import use_language

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def drill(slug: str, **changes: object) -> Drill:
    base = Drill(
        slug=slug,
        name=slug.replace("-", " ").capitalize(),
        stage=1,
        focus="glute max",
        purpose="Builds push-off.",
        cues=("Ribs down", "Squeeze at the top"),
        mistake="Arching the back.",
        doses=(Dose.parse("2x10"), Dose.parse("3x12")),
        regression=None,
        progression=None,
        equipment=("mat",),
        gif=f"gifs/{slug}.gif",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def sync(
    factory: async_sessionmaker[AsyncSession], drills: list[Drill], hashes: dict[str, str] | None = None
) -> DrillSyncReport:
    async with factory() as session, session.begin():
        return await Repository(session).drills.sync(drills, gif_hashes=hashes or {}, now=NOW)


async def rows(factory: async_sessionmaker[AsyncSession]) -> dict[str, DrillRow]:
    async with factory() as session:
        return {row.slug: row for row in await session.scalars(select(DrillRow))}


async def test_first_sync_adds_every_drill(session_factory: async_sessionmaker[AsyncSession]) -> None:
    report = await sync(
        session_factory, [drill("glute-bridge"), drill("clamshell")], {"clamshell": "ab" * 32}
    )

    assert report.added == ("clamshell", "glute-bridge")
    assert report.changed == report.retired == report.restored == ()
    stored = await rows(session_factory)
    assert stored["clamshell"].gif_hash == "ab" * 32
    assert stored["glute-bridge"].doses == ["2x10", "3x12"]
    assert stored["glute-bridge"].cues == ["Ribs down", "Squeeze at the top"]


async def test_second_sync_reports_changes_and_retirements(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await sync(session_factory, [drill("glute-bridge"), drill("clamshell"), drill("hip-hike")])
    report = await sync(
        session_factory,
        [drill("glute-bridge", purpose="Powers the stride."), drill("clamshell"), drill("side-plank")],
    )

    assert report.added == ("side-plank",)
    assert report.changed == ("glute-bridge",)
    assert report.retired == ("hip-hike",)
    stored = await rows(session_factory)
    assert stored["hip-hike"].retired is True
    assert stored["glute-bridge"].purpose == "Powers the stride."
    assert not stored["clamshell"].retired


async def test_unchanged_content_is_a_no_op(session_factory: async_sessionmaker[AsyncSession]) -> None:
    await sync(session_factory, [drill("glute-bridge")])
    report = await sync(session_factory, [drill("glute-bridge")])
    assert not report.any_change


async def test_a_retired_drill_comes_back(session_factory: async_sessionmaker[AsyncSession]) -> None:
    await sync(session_factory, [drill("glute-bridge"), drill("clamshell")])
    await sync(session_factory, [drill("glute-bridge")])
    report = await sync(session_factory, [drill("glute-bridge"), drill("clamshell")])

    assert report.restored == ("clamshell",)
    assert (await rows(session_factory))["clamshell"].retired is False


async def test_a_failing_sync_writes_nothing(session_factory: async_sessionmaker[AsyncSession]) -> None:
    await sync(session_factory, [drill("glute-bridge")])
    with pytest.raises(RuntimeError):
        async with session_factory() as session, session.begin():
            await Repository(session).drills.sync(
                [drill("glute-bridge", purpose="changed"), drill("new-one")], gif_hashes={}, now=NOW
            )
            raise RuntimeError("the process died half-way")
    stored = await rows(session_factory)
    assert set(stored) == {"glute-bridge"}
    assert stored["glute-bridge"].purpose == "Builds push-off."


async def test_the_engines_fields_are_stored_and_a_change_to_them_is_a_change(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Pattern, tags, kit-free alternative, tempo and load rule reach the table, so another process reading
    it (and `/reload`'s report) sees an edit to any of them."""
    loaded = drill(
        "weighted-hip-thrust",
        pattern="hip-extension",
        tags=frozenset({Tag.LOADED_SINGLE_LEG}),
        without_kit="glute-bridge",
        tempo="1 s up, 3 s down",
        load=Load(reps=12, from_rung=1),
    )
    await sync(session_factory, [loaded, drill("glute-bridge")])
    stored = (await rows(session_factory))["weighted-hip-thrust"]
    assert drill_from_row(stored) == loaded

    report = await sync(session_factory, [replace(loaded, tempo="2 s up, 2 s down"), drill("glute-bridge")])
    assert report.changed == ("weighted-hip-thrust",)
    assert (await rows(session_factory))["weighted-hip-thrust"].tempo == "2 s up, 2 s down"
    report = await sync(session_factory, [replace(loaded, load=Load(reps=10)), drill("glute-bridge")])
    assert report.changed == ("weighted-hip-thrust",)
    assert drill_from_row((await rows(session_factory))["weighted-hip-thrust"]).load == Load(reps=10)


async def test_translations_are_stored_in_english_rows_and_read_back(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Each drill's other languages reach the table with it, whatever language the syncing process speaks,
    so another process rebuilds the same drill; an edited translation is a change."""
    spanish = {"name": "Puente de glúteos", "cues": ("Costillas abajo", "Aprieta arriba"), "tempo": "2 s"}
    loaded = drill(
        "glute-bridge", tempo="2 s up", translations={"es": spanish, "de": {"name": "Glute-Brücke"}}
    )
    with use_language("es"):
        report = await sync(session_factory, [loaded])
    assert report.added == ("glute-bridge",)
    stored = (await rows(session_factory))["glute-bridge"]
    assert (stored.name, stored.cues, stored.tempo) == (
        "Glute bridge",
        ["Ribs down", "Squeeze at the top"],
        "2 s up",
    )
    assert stored.translations == {
        "de": {"name": "Glute-Brücke"},
        "es": {"cues": ["Costillas abajo", "Aprieta arriba"], "name": "Puente de glúteos", "tempo": "2 s"},
    }
    rebuilt = drill_from_row(stored)
    assert rebuilt == loaded
    with use_language("es"):
        assert (rebuilt.name, rebuilt.cues, rebuilt.focus) == (
            "Puente de glúteos",
            ("Costillas abajo", "Aprieta arriba"),
            "glute max",
        )

    assert (await sync(session_factory, [loaded])).changed == ()
    edited = loaded.with_values(translations={"es": {**spanish, "name": "Puente"}})
    assert (await sync(session_factory, [edited])).changed == ("glute-bridge",)
    assert drill_from_row((await rows(session_factory))["glute-bridge"]) == edited
