"""The embedded font of the PDF renderer: Noto Sans from PyPI, prepared once.

PDF/A forbids unembedded fonts, and invoices carry names in Latin, Greek and Cyrillic, so we
embed Noto Sans (``fontpkg-noto-sans``), falling back to Debian's DejaVu Sans. Noto ships as
one variable font, which PDF cannot embed, so a static regular and bold instance is cut from
it, reduced to the scripts invoices use. Doing that takes a second or two, so the result is
kept on disk (keyed by the source font's hash) and in memory; a render then only parses a
font of ~1,500 glyphs. Characters the font lacks are substituted, never left to .notdef.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

FAMILY = "InvoiceSans"
RECIPE = "v3"  # bump when the subset or instancing below changes
CODEPOINTS = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x1F00),
     *range(0x2000, 0x2070), *range(0x20A0, 0x20C1), *range(0x2100, 0x2150)]
)
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
CACHE_ENV = "BILLING_MOCK_FONT_CACHE"
REPLACEMENT = "?"


@dataclass(frozen=True)
class FontFiles:
    """The prepared regular and bold files and the characters both can show."""

    regular: Path
    bold: Path
    charset: frozenset[int]
    source: str

    def printable(self, text: str) -> str:
        """``text`` with every character the font lacks replaced (never a .notdef glyph)."""
        if all(ord(char) in self.charset or char == "\n" for char in text):
            return text
        return "".join(self._substitute(char) for char in text)

    def _substitute(self, char: str) -> str:
        if ord(char) in self.charset or char == "\n":
            return char
        if unicodedata.category(char).startswith("C"):
            return ""  # control and format characters have no glyph to show
        # A compatibility decomposition often keeps the letter: "ﬁ" -> "fi", "①" -> "1".
        decomposed = unicodedata.normalize("NFKD", char)
        kept = "".join(
            c for c in decomposed if ord(c) in self.charset and not unicodedata.combining(c)
        )
        return kept or REPLACEMENT


_lock = threading.Lock()
_prepared: FontFiles | None = None


def font_files() -> FontFiles:
    """The prepared fonts, built on first use (thread-safe) and then reused."""
    global _prepared
    with _lock:
        if _prepared is None:
            _prepared = _prepare()
        return _prepared


def _prepare() -> FontFiles:
    regular_source, bold_source, name = _sources()
    digest = hashlib.sha256(regular_source.read_bytes() + bold_source.read_bytes()).hexdigest()
    folder = _cache_dir() / f"{name}-{RECIPE}-{digest[:16]}"
    regular = _cached(folder / "regular.ttf", regular_source, 400)
    bold = _cached(folder / "bold.ttf", bold_source, 700)
    charset = _charset(regular) & _charset(bold)
    return FontFiles(regular, bold, frozenset(charset), name)


def _sources() -> tuple[Path, Path, str]:
    spec = importlib.util.find_spec("fontpkg_noto_sans")
    if spec and spec.submodule_search_locations:
        variable = Path(spec.submodule_search_locations[0]) / "files" / "NotoSans[wdth,wght].ttf"
        if variable.exists():
            return variable, variable, "noto-sans"
    regular, bold = DEJAVU_DIR / "DejaVuSans.ttf", DEJAVU_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        return regular, bold, "dejavu-sans"
    raise RuntimeError(
        "no embeddable font: install fontpkg-noto-sans (PyPI) or fonts-dejavu-core (Debian)"
    )


def _cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "billing-mock" / "fonts"


def _cached(target: Path, source: Path, weight: int) -> Path:
    if target.exists():
        return target
    data = _build(source, weight)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return _write_atomically(target, data)
    except OSError:
        # A read-only home still renders: fall back to a private temporary directory.
        fallback = Path(tempfile.mkdtemp(prefix="billing-mock-fonts-")) / target.name
        return _write_atomically(fallback, data)


def _write_atomically(target: Path, data: bytes) -> Path:
    # Write then rename, so a concurrent process never reads half a font.
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, target)
    return target


def _build(source: Path, weight: int) -> bytes:
    """A static, reduced copy of ``source`` at ``weight``."""
    with TTFont(source, recalcTimestamp=False) as font:  # fixed head.modified: stable PDFs
        return _reduced(font, weight)


def _reduced(font: TTFont, weight: int) -> bytes:
    options = subset.Options()
    # No shaping happens in the renderer, so layout tables and hinting are dead weight.
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.glyph_names = True
    options.name_IDs = ["*"]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "STAT"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=CODEPOINTS)
    subsetter.subset(font)
    if "fvar" in font:
        axes = {"wght": weight, "wdth": 100}
        instancer.instantiateVariableFont(font, axes, inplace=True, static=True)
        _name_instance(font, weight)
    return _serialise(font)


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


def _serialise(font: TTFont) -> bytes:
    buffer = BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _charset(path: Path) -> set[int]:
    with TTFont(path, lazy=True) as font:  # closed: a lazy font keeps its file open
        return set(font.getBestCmap())
