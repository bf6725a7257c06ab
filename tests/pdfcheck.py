"""What a reader of a PDF relies on, checked on the file itself: tags, language, title,
embedded fonts, extractable text, and the contrast of every word as drawn.

Page 1 is rendered (pdfium) to PNG under build/test-artefacts/ so a person can look at it.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import pypdf
import pypdfium2 as pdfium

ARTEFACTS = Path(__file__).resolve().parents[1] / "build" / "test-artefacts"
SCALE = 4  # 288 dpi: the stems of 8 pt text are whole pixels, not anti-aliased grey


def text(data: bytes) -> str:
    """The text as a reader would copy it, whitespace squeezed."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def structure(data: bytes) -> dict:
    """The catalogue's accessibility entries and the structure types used, in document order."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    types: list[str] = []

    def walk(node, depth: int = 0) -> None:
        node = node.get_object()
        if not isinstance(node, dict) or depth > 40:
            return
        if "/S" in node:
            types.append(str(node["/S"]))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if kid is not None and not isinstance(kid, int):
                walk(kid, depth + 1)

    if "/StructTreeRoot" in root:
        walk(root["/StructTreeRoot"])
    fonts = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get(
                "/FontDescriptor"
            )
            descriptor = descriptor.get_object() if descriptor else {}
            fonts.append(
                (
                    str(font["/BaseFont"]),
                    any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")),
                )
            )
    return {
        "marked": bool((root.get("/MarkInfo") or {}).get("/Marked")),
        "tagged": "/StructTreeRoot" in root,
        "lang": str(root.get("/Lang", "")),
        "title": str((reader.metadata or {}).get("/Title", "")),
        "display_title": bool((root.get("/ViewerPreferences") or {}).get("/DisplayDocTitle")),
        "types": types,
        "fonts": fonts,
    }


@functools.cache
def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def word_contrasts(data: bytes, page_index: int = 0) -> list[tuple[str, float]]:
    """Every word on the page with the contrast of its ink against the ground it stands on,
    as rendered: the ground is the commonest colour in the word's box, the ink the colour
    in it that differs most from the ground."""
    doc = pdfium.PdfDocument(data)
    page = doc[page_index]
    image = page.render(scale=SCALE).to_pil().convert("RGB")
    height = page.get_height()
    textpage = page.get_textpage()
    words: list[tuple[str, list[tuple[float, float, float, float]]]] = []
    current, boxes = "", []
    for i in range(textpage.count_chars()):
        char = textpage.get_text_range(i, 1)
        if not char.strip():
            if current:
                words.append((current, boxes))
            current, boxes = "", []
            continue
        current += char
        boxes.append(textpage.get_charbox(i))
    if current:
        words.append((current, boxes))
    found = []
    for word, char_boxes in words:
        if sum(c.isalnum() for c in word) < 2:
            continue  # a lone digit or sign: too few pixels to judge its ink
        left = min(b[0] for b in char_boxes)
        bottom = min(b[1] for b in char_boxes)
        right = max(b[2] for b in char_boxes)
        top = max(b[3] for b in char_boxes)
        box = (
            int(left * SCALE),
            int((height - top) * SCALE),
            int(right * SCALE) + 1,
            int((height - bottom) * SCALE) + 1,
        )
        crop = image.crop(box)
        colours = crop.getcolors(maxcolors=crop.width * crop.height) or []
        if not colours:
            continue
        ground = max(colours)[1]
        # the ratio grows with the distance in luminance: the ink is the darkest or lightest
        darkest = min((c for _, c in colours), key=_luminance)
        lightest = max((c for _, c in colours), key=_luminance)
        found.append((word, max(contrast(darkest, ground), contrast(lightest, ground))))
    textpage.close()
    page.close()
    doc.close()
    return found


def save_first_page(data: bytes, name: str) -> Path:
    """Page 1 as PNG in build/test-artefacts/, to look at."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(data)
    path = ARTEFACTS / f"{name}.png"
    page = doc[0]
    page.render(scale=1.5).to_pil().save(path)
    page.close()
    doc.close()
    return path
