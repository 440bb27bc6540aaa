"""The fonts of the PDF renderer: a body font, fallback faces for what it lacks, all embedded.

PDF/A forbids unembedded fonts. The body font is Noto Sans (PyPI ``fontpkg-noto-sans``),
falling back to Debian's DejaVu Sans, cut to the Latin, Greek and Cyrillic that most names
use (~1,500 glyphs, quick to parse on every render). What it lacks comes from fallback faces,
tried in this order, each loaded into a PDF only when a text needs it:

- Noto Sans JP, KR, SC and TC (PyPI ``justmytype-intl-cjk``): Japanese, Korean and Chinese
  names, and symbols such as ``≥``, ``✓``, ``→`` and ``★``;
- Noto Emoji, the monochrome emoji font (PyPI ``manimgx-fonts``): emoji.

Each face is cut for one document to the characters it prints from that face (:class:`Face`).

A character no installed face has prints as U+FFFD (the replacement character, a diamond
with a question mark), never as ``?`` and never as an empty .notdef box; variation selectors
and other invisible format characters are dropped.
"""

from __future__ import annotations

import importlib.util
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from mockserver.documents.pdf_font_files import charset, prepared, source_folder

FAMILY = "InvoiceSans"
CODEPOINTS = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x1F00),
     *range(0x2000, 0x2070), *range(0x20A0, 0x20C1), *range(0x2100, 0x2150), 0xFFFD]
)
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
REPLACEMENT = "\ufffd"
REGULAR, BOLD = 400, 700
CJK_PACKAGE, EMOJI_PACKAGE = "justmytype_intl_cjk", "manimgx_fonts"
# (family fpdf2 knows the face by, package that ships it, file inside the package)
FALLBACKS = (
    ("NotoSansJP", CJK_PACKAGE, "fonts/ofl/notosansjp/NotoSansJP[wght].ttf"),
    ("NotoSansKR", CJK_PACKAGE, "fonts/ofl/notosanskr/NotoSansKR[wght].ttf"),
    ("NotoSansSC", CJK_PACKAGE, "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"),
    ("NotoSansTC", CJK_PACKAGE, "fonts/ofl/notosanstc/NotoSansTC[wght].ttf"),
    ("NotoEmoji", EMOJI_PACKAGE, "NotoEmoji[wght].ttf"),
)


def _is_invisible(char: str) -> bool:
    """Control and format characters, and variation selectors (U+FE0F after an emoji)."""
    code = ord(char)
    return (unicodedata.category(char).startswith("C") or 0xFE00 <= code <= 0xFE0F
            or 0xE0100 <= code <= 0xE01EF)


@dataclass(eq=False)
class Face:
    """A fallback typeface: its variable source and the characters it covers (read lazily).

    A face is cut per document to the characters that document prints from it: cutting a
    static weight of a whole CJK face (17,000-31,000 glyphs) takes 15-60 s, cutting the few
    dozen glyphs of a name under a second.
    """

    family: str
    source: Path
    _charset: frozenset[int] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def covers(self, codepoint: int) -> bool:
        with self._lock:
            if self._charset is None:
                self._charset = charset(self.source)
        return codepoint in self._charset

    def cut(self, weight: int, codepoints: frozenset[int], folder: Path) -> Path:
        """A static file at ``weight`` (400 or 700) with just ``codepoints``, in ``folder``."""
        return prepared(folder / f"{self.family}-{weight}.ttf", self.source, weight, codepoints)


@dataclass(frozen=True)
class FontFiles:
    """The body font's regular and bold files, what both show, and the fallback faces."""

    regular: Path
    bold: Path
    charset: frozenset[int]
    source: str
    fallbacks: tuple[Face, ...] = ()

    def resolve(self, text: str, cuts: dict[Face, frozenset[int]] | None = None
                ) -> tuple[str, list[Face]]:
        """``text`` as it can be printed, and the fallback faces that printing it needs.

        With ``cuts`` (the characters a document's cut of each face has), a character its
        face's cut lacks is replaced too.
        """
        if all(ord(char) in self.charset or char == "\n" for char in text):
            return text, []
        faces: list[Face] = []
        kept = []
        for char in text:
            shown, face = self._place(char)
            if face is not None and cuts is not None and ord(char) not in cuts.get(face, ()):
                shown, face = REPLACEMENT, None
            kept.append(shown)
            if face is not None and face not in faces:
                faces.append(face)
        return "".join(kept), faces

    def plan(self, text: str) -> dict[Face, frozenset[int]]:
        """For each fallback face ``text`` needs, the characters it takes from that face."""
        taken: dict[Face, set[int]] = {}
        for char in set(text):
            _, face = self._place(char)
            if face is not None:
                taken.setdefault(face, set()).add(ord(char))
        return {face: frozenset(codepoints) for face, codepoints in taken.items()}

    def printable(self, text: str) -> str:
        """``text`` with every character no font has replaced (never a .notdef glyph)."""
        return self.resolve(text)[0]

    def _place(self, char: str) -> tuple[str, Face | None]:
        if ord(char) in self.charset or char == "\n":
            return char, None
        if _is_invisible(char):
            return "", None
        face = self.face_for(ord(char))
        if face is not None:
            return char, face
        # A compatibility decomposition often keeps the letter: "ﬁ" -> "fi", "①" -> "1".
        decomposed = unicodedata.normalize("NFKD", char)
        kept = "".join(
            c for c in decomposed if ord(c) in self.charset and not unicodedata.combining(c)
        )
        return kept or REPLACEMENT, None

    def face_for(self, codepoint: int) -> Face | None:
        """The first fallback face that has ``codepoint``."""
        return next((face for face in self.fallbacks if face.covers(codepoint)), None)


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
    folder = source_folder(name, regular_source, bold_source)
    regular = prepared(folder / "regular.ttf", regular_source, REGULAR, CODEPOINTS)
    bold = prepared(folder / "bold.ttf", bold_source, BOLD, CODEPOINTS)
    return FontFiles(regular, bold, charset(regular) & charset(bold), name, _fallback_faces())


def _sources() -> tuple[Path, Path, str]:
    folder = _package_folder("fontpkg_noto_sans")
    if folder and (folder / "files" / "NotoSans[wdth,wght].ttf").exists():
        variable = folder / "files" / "NotoSans[wdth,wght].ttf"
        return variable, variable, "noto-sans"
    regular, bold = DEJAVU_DIR / "DejaVuSans.ttf", DEJAVU_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        return regular, bold, "dejavu-sans"
    raise RuntimeError(
        "no embeddable font: install fontpkg-noto-sans (PyPI) or fonts-dejavu-core (Debian)"
    )


def _fallback_faces() -> tuple[Face, ...]:
    """The fallback faces whose package is installed, in the order they are tried."""
    faces = []
    for family, package, relative in FALLBACKS:
        folder = _package_folder(package)
        if folder and (folder / relative).exists():
            faces.append(Face(family, folder / relative))
    return tuple(faces)


def _package_folder(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return None
