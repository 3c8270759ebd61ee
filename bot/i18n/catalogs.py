"""Keeping the catalogs in step with the code: extract every marked message, merge it into each language's
.po file, and find what would make a runner read English or crash (a missing, empty, fuzzy or outdated entry,
or a translation whose {placeholders} differ from the English)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import BABEL_LOCALES, DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALES_DIR, catalog_path

SOURCE_DIR = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[!:][^{}]*)?\}")
SKIPPED_DIRS = ("sandbox",)
"""The sandbox's chat page is a developer's tool, in English only."""


def extract() -> Catalog:
    """Every message marked in bot/ (gettext, ngettext, N_, _), as a fresh template."""
    template = Catalog(project="glutebot", domain=DOMAIN, fuzzy=False)
    found = extract_from_dir(
        str(SOURCE_DIR),
        method_map=[("**/sandbox/**.py", "ignore"), ("**.py", "python")],
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        if filename.split("/", 1)[0] in SKIPPED_DIRS:
            continue
        template.add(message, None, [(f"bot/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(
            po, locale=BABEL_LOCALES[language] if language else None, domain=DOMAIN, abort_invalid=True
        )


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, width=110, sort_output=False, ignore_obsolete=True, include_previous=True)


def template_path(locales: Path) -> Path:
    return locales / f"{DOMAIN}.pot"


def translated_languages() -> list[str]:
    return [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]


def update(locales: Path = LOCALES_DIR) -> list[Path]:
    """Write the template and merge it into every language's catalog (new entries empty, changed ones fuzzy
    with the previous English kept for the translator). Returns the files written."""
    template = extract()
    _write(template_path(locales), template)
    written = [template_path(locales)]
    for language in translated_languages():
        path = catalog_path(language, locales)
        catalog = (
            read_catalog(path, language)
            if path.exists()
            else Catalog(locale=BABEL_LOCALES[language], project="glutebot")
        )
        catalog.update(template, no_fuzzy_matching=False)
        catalog.fuzzy = False
        _write(path, catalog)
        written.append(path)
    return written


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _entry_problems(language: str, message: Message) -> Iterable[str]:
    """A plural form may leave the count out ("one drill"); none may name a placeholder the code lacks."""
    ids = [str(text) for text in (message.id if isinstance(message.id, tuple | list) else [message.id])]
    strings = [
        str(text or "")
        for text in (message.string if isinstance(message.string, tuple | list) else [message.string])
    ]
    where = f"{language}: {ids[0][:60]!r}"
    if message.fuzzy:
        yield f"{where} is fuzzy: check it and remove the flag"
    if not all(strings):
        yield f"{where} is not translated"
        return
    expected = set().union(*(placeholders(text) for text in ids))
    for text in strings:
        wrong = placeholders(text) - expected if len(ids) > 1 else placeholders(text) ^ expected
        if wrong:
            yield f"{where}: placeholders {sorted(placeholders(text))} differ from {sorted(expected)}"


MARKERS = frozenset({"_", "gettext", "ngettext", "N_"})


def hidden_messages(source: Path = SOURCE_DIR) -> list[str]:
    """Messages marked inside an f-string: the extractor never sees them, so they would stay English."""
    found = []
    for path in sorted(source.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for text in (node for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)):
            for call in (node for node in ast.walk(text) if isinstance(node, ast.Call)):
                named = call.func.id if isinstance(call.func, ast.Name) else None
                if named in MARKERS and any(isinstance(arg, ast.Constant) for arg in call.args):
                    where = path.relative_to(source.parent)
                    found.append(f"{where}:{call.lineno}: marked inside an f-string, so never extracted")
    return found


def problems(locales: Path = LOCALES_DIR) -> list[str]:
    """Everything that stops the catalogs being shipped, one line each; empty when they are complete."""
    wanted = {message.id for message in extract() if message.id}
    found: list[str] = hidden_messages()
    template = template_path(locales)
    if not template.exists() or {m.id for m in read_catalog(template) if m.id} != wanted:
        found.append(f"{template.name} is outdated: run `glutebot i18n update`")
    for language in translated_languages():
        path = catalog_path(language, locales)
        if not path.exists():
            found.append(f"{language}: {path} is missing: run `glutebot i18n update` and translate it")
            continue
        catalog = read_catalog(path, language)
        have = {message.id for message in catalog if message.id}
        found.extend(
            f"{language}: missing {str(mid)[:60]!r}: run `glutebot i18n update`" for mid in wanted - have
        )
        found.extend(
            f"{language}: {str(mid)[:60]!r} is no longer used: run `glutebot i18n update`"
            for mid in have - wanted
        )
        for message in catalog:
            if message.id and message.id in wanted:
                found.extend(_entry_problems(language, message))
    return found
