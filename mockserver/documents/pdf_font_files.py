"""Static, reduced font files cut from variable Noto fonts, kept on disk between runs.

PDF cannot embed a variable font, so a static instance is cut at each weight the invoice
uses, without the layout tables and hinting a renderer that does no shaping never reads.
Cutting takes from a fraction of a second (Noto Sans) to several seconds (a CJK face of
17,000-31,000 glyphs), so the result is written once to a cache folder keyed by the source's
hash and the recipe below, and every later process only reads it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

RECIPE = "v4"  # bump when the subset or instancing below changes
CACHE_ENV = "BILLING_MOCK_FONT_CACHE"
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "STAT")


def cache_dir() -> Path:
    """``$BILLING_MOCK_FONT_CACHE``, else ``$XDG_CACHE_HOME/billing-mock/fonts``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "billing-mock" / "fonts"


def source_folder(name: str, *sources: Path) -> Path:
    """The cache folder for font files cut from ``sources`` (named, and keyed by content)."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    return cache_dir() / f"{name}-{RECIPE}-{digest.hexdigest()[:16]}"


def prepared(target: Path, source: Path, weight: int, codepoints: frozenset[int] | None) -> Path:
    """``target``, cut from ``source`` at ``weight`` first if it is not there yet.

    ``codepoints`` limits the characters kept (None keeps every character of the source).
    """
    if target.exists():
        return target
    data = _build(source, weight, codepoints)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return _write_atomically(target, data)
    except OSError:
        # A read-only home still renders: fall back to a private temporary directory.
        fallback = Path(tempfile.mkdtemp(prefix="billing-mock-fonts-")) / target.name
        return _write_atomically(fallback, data)


def charset(path: Path) -> frozenset[int]:
    """The characters a font file maps to glyphs."""
    with TTFont(path, lazy=True) as font:  # closed: a lazy font keeps its file open
        return frozenset(font.getBestCmap())


def _write_atomically(target: Path, data: bytes) -> Path:
    # Write then rename, so a concurrent process never reads half a font.
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, target)
    return target


def _build(source: Path, weight: int, codepoints: frozenset[int] | None) -> bytes:
    """A static, reduced copy of ``source`` at ``weight``."""
    # A fixed head.modified keeps PDFs stable; lazy, so that unused tables are never parsed.
    with TTFont(source, recalcTimestamp=False, lazy=True) as font:  # closed when cut
        return _reduced(font, weight, codepoints)


def _reduced(font: TTFont, weight: int, codepoints: frozenset[int] | None) -> bytes:
    # No shaping happens in the renderer, so layout tables and hinting are dead weight; they
    # go before the subsetter would read them (most of a CJK face's cutting time).
    for tag in LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.glyph_names = True
    options.name_IDs = ["*"]
    options.drop_tables += list(LAYOUT_TABLES)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints if codepoints is not None else font.getBestCmap())
    subsetter.subset(font)
    if "fvar" in font:
        wanted = {"wght": weight, "wdth": 100}
        axes = {axis.axisTag: wanted[axis.axisTag] for axis in font["fvar"].axes
                if axis.axisTag in wanted}
        instancer.instantiateVariableFont(font, axes, inplace=True, static=True)
        _name_instance(font, weight)
    buffer = BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _name_instance(font: TTFont, weight: int) -> None:
    """Give a cut instance its own style name and bold flags.

    Without this both cuts keep the variable font's default name, and the PDF would embed
    two different fonts under one /BaseFont name.
    """
    style = "Bold" if weight >= 700 else "Regular"
    names = font["name"]
    family = names.getDebugName(1) or "Noto Sans"
    full = family if style == "Regular" else f"{family} {style}"
    for name_id, value in ((2, style), (4, full), (6, f"{family.replace(' ', '')}-{style}"),
                           (17, style)):
        names.removeNames(nameID=name_id)
        names.setName(value, name_id, 3, 1, 0x409)
    if style == "Bold":
        font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~0x40) | 0x20  # REGULAR -> BOLD
        font["head"].macStyle |= 0x01
