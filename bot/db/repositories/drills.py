"""Drills as synced from `content/`: upserted by slug, retired rather than deleted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Drill as DrillRow
from bot.domain.dose import Dose
from bot.domain.programme import DRILL_TEXT_FIELDS, Drill, Load
from bot.domain.safety import Tag


@dataclass(frozen=True, slots=True)
class DrillSyncReport:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    retired: tuple[str, ...]
    restored: tuple[str, ...]
    """Drills that were retired and are back in the files."""

    @property
    def any_change(self) -> bool:
        return bool(self.added or self.changed or self.retired or self.restored)


def row_values(drill: Drill, gif_hash: str | None) -> dict[str, Any]:
    """The row for a drill: its English text whatever language is in force, and every translation."""
    english = {name: drill.english(name) for name in DRILL_TEXT_FIELDS}
    return {
        "name": english["name"],
        "stage": drill.stage,
        "focus": english["focus"],
        "purpose": english["purpose"],
        "cues": list(english["cues"]),
        "mistake": english["mistake"],
        "doses": [dose.as_text() for dose in drill.doses],
        "regression_slug": drill.regression,
        "progression_slug": drill.progression,
        "equipment": list(drill.equipment),
        "gif_path": drill.gif,
        "gif_hash": gif_hash,
        "pattern": drill.pattern,
        "tags": sorted(tag.value for tag in drill.tags),
        "without_kit_slug": drill.without_kit,
        "tempo": english["tempo"],
        "load_reps": drill.load.reps if drill.load else None,
        "load_from_rung": drill.load.from_rung if drill.load else None,
        "translations": {
            language: {name: list(text) if name == "cues" else text for name, text in sorted(texts.items())}
            for language, texts in sorted(drill.translations.items())
        },
    }


def drill_from_row(row: DrillRow) -> Drill:
    return Drill(
        slug=row.slug,
        name=row.name,
        stage=row.stage,
        focus=row.focus,
        purpose=row.purpose,
        cues=tuple(row.cues),
        mistake=row.mistake,
        doses=tuple(Dose.parse(text) for text in row.doses),
        regression=row.regression_slug,
        progression=row.progression_slug,
        equipment=tuple(row.equipment),
        gif=row.gif_path,
        pattern=row.pattern or "",
        tags=frozenset(Tag(tag) for tag in row.tags or ()),
        without_kit=row.without_kit_slug,
        tempo=row.tempo,
        load=Load(row.load_reps, row.load_from_rung or 0) if row.load_reps else None,
        translations={
            language: {name: tuple(text) if name == "cues" else text for name, text in texts.items()}
            for language, texts in (row.translations or {}).items()
        },
    )


class DrillRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_active(self) -> list[DrillRow]:
        rows = await self.session.scalars(
            select(DrillRow).where(DrillRow.retired.is_(False)).order_by(DrillRow.stage, DrillRow.slug)
        )
        return list(rows)

    async def get(self, drill_id: int) -> DrillRow | None:
        return await self.session.get(DrillRow, drill_id)

    async def by_slug(self, slug: str) -> DrillRow | None:
        return await self.session.scalar(select(DrillRow).where(DrillRow.slug == slug))

    async def last_change(self) -> datetime | None:
        """When a sync last added, changed, retired or restored a drill: how running processes notice."""
        return await self.session.scalar(select(func.max(DrillRow.updated_at)))

    async def ids_by_slug(self, *, include_retired: bool = False) -> dict[str, int]:
        query = select(DrillRow.slug, DrillRow.id)
        if not include_retired:
            query = query.where(DrillRow.retired.is_(False))
        return {slug: drill_id for slug, drill_id in await self.session.execute(query)}

    async def sync(
        self, drills: Iterable[Drill], *, gif_hashes: Mapping[str, str], now: datetime
    ) -> DrillSyncReport:
        """Make the table match the content files; the caller commits, so a failure writes nothing."""
        existing = {row.slug: row for row in await self.session.scalars(select(DrillRow))}
        added: list[str] = []
        changed: list[str] = []
        restored: list[str] = []
        seen: set[str] = set()
        for drill in drills:
            seen.add(drill.slug)
            values = row_values(drill, gif_hashes.get(drill.slug))
            row = existing.get(drill.slug)
            if row is None:
                self.session.add(
                    DrillRow(slug=drill.slug, retired=False, created_at=now, updated_at=now, **values)
                )
                added.append(drill.slug)
                continue
            differs = any(getattr(row, key) != value for key, value in values.items())
            if row.retired:
                restored.append(drill.slug)
            elif differs:
                changed.append(drill.slug)
            if differs or row.retired:
                for key, value in values.items():
                    setattr(row, key, value)
                row.retired = False
                row.updated_at = now
        retired = sorted(slug for slug, row in existing.items() if slug not in seen and not row.retired)
        for slug in retired:
            existing[slug].retired = True
            existing[slug].updated_at = now
        await self.session.flush()
        return DrillSyncReport(
            added=tuple(sorted(added)),
            changed=tuple(sorted(changed)),
            retired=tuple(retired),
            restored=tuple(sorted(restored)),
        )
