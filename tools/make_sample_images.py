"""Generates the sample signature, seal and logo images of data/ and examples/ (fictitious, marked 样章 / SPECIMEN).

Run from anywhere: python tools/make_sample_images.py. The output is deterministic: every random choice is
seeded from the text it draws, and nothing time-dependent is written into the PNGs.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT_DIR = Path(__file__).resolve().parent.parent
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SANS_BOLD_PATH = FONT_DIR / "NotoSansCJK-Bold.ttc"
SERIF_BOLD_PATH = FONT_DIR / "NotoSerifCJK-Bold.ttc"
SERIF_REGULAR_PATH = FONT_DIR / "NotoSerifCJK-Regular.ttc"

SCALE = 3  # draw at 3x and downsample: cheap anti-aliasing
INK_BLUE = (22, 38, 110)
SEAL_RED = (206, 32, 38)
MAX_BYTES = 60 * 1024


@dataclass(frozen=True)
class Seal:
    file: str
    name: str       # printed around the upper arc
    mark: str       # printed across, under the star: 样章 / SPECIMEN
    footer: str     # printed small along the bottom


@dataclass(frozen=True)
class Logo:
    file: str
    title: str
    subtitle: str
    colour: tuple[int, int, int]


@dataclass(frozen=True)
class AssetSet:
    assets_dir: str
    signatures: tuple[tuple[str, str], ...]   # (file, name as written by hand)
    seals: tuple[Seal, ...]
    logo: Logo


ASSET_SETS = (
    AssetSet(
        assets_dir="data/assets",
        signatures=(
            ("sig-liujun.png", "刘军"),
            ("sig-zhangwei.png", "张伟"),
            ("sig-zhouqi.png", "周琦"),
            ("sig-lina.png", "李娜"),
            ("sig-sunhao.png", "孙浩"),
        ),
        seals=(
            Seal("customer-seal.png", "江临云湖科技园区运营管理有限公司", "样章", "SPECIMEN"),
            Seal("contractor-seal.png", "江临数智信息技术有限公司", "样章", "SPECIMEN"),
        ),
        logo=Logo("logo.png", "数智信息", "SHUZHI INFOTECH", (18, 96, 160)),
    ),
    AssetSet(
        assets_dir="examples/pass-en/assets",
        signatures=(
            ("sig-holt.png", "M. Holt"),
            ("sig-chenhui.png", "Chen Hui"),
            ("sig-okafor.png", "D. Okafor"),
            ("sig-wanglei.png", "Wang Lei"),
            ("sig-marin.png", "Sofia Marin"),
        ),
        seals=(
            Seal("customer-seal.png", "LARKSPUR HARBOUR LOGISTICS CO., LTD.", "SPECIMEN", "样章 NOT VALID"),
            Seal("contractor-seal.png", "BLUEFIN SOFTWARE ENGINEERING CO., LTD.", "SPECIMEN", "样章 NOT VALID"),
        ),
        logo=Logo("logo.png", "Bluefin", "SOFTWARE ENGINEERING", (0, 110, 150)),
    ),
    AssetSet(
        assets_dir="examples/pending-en/assets",
        signatures=(
            ("sig-grant.png", "Amelia Grant"),
            ("sig-liuyang.png", "Liu Yang"),
        ),
        seals=(
            Seal("customer-seal.png", "RIVERSIDE COMMUNITY HEALTH CENTRE", "SPECIMEN", "样章 NOT VALID"),
            Seal("contractor-seal.png", "KESTREL BYTE SOFTWARE LTD.", "SPECIMEN", "样章 NOT VALID"),
        ),
        logo=Logo("logo.png", "Kestrel Byte", "SOFTWARE LTD.", (120, 70, 160)),
    ),
)


def load_font(path: Path, size: int, family_suffix: str = "SC") -> ImageFont.FreeTypeFont:
    """The face of a CJK collection whose family ends with family_suffix (the Simplified Chinese one)."""
    for index in range(8):
        font = ImageFont.truetype(str(path), size, index=index)
        if font.getname()[0].endswith(family_suffix):
            return font
    raise SystemExit(f"{path}: no face ending in {family_suffix}")


def seeded_random(*parts: str) -> random.Random:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def glyph_image(char: str, font: ImageFont.FreeTypeFont, keep_baseline: bool = False) -> Image.Image:
    """A single character as an alpha mask, cropped around its ink (or, keeping the baseline, the line)."""
    left, top, right, bottom = font.getbbox(char)
    if keep_baseline:  # a comma must stay low on the line, not float to the middle of its box
        ascent, descent = font.getmetrics()
        top, bottom = 0, ascent + descent
    mask = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(mask).text((2 - left, 2 - top), char, font=font, fill=255)
    return mask


def shear(mask: Image.Image, amount: float) -> Image.Image:
    """Slant a mask to the right, as handwriting leans."""
    width, height = mask.size
    extra = int(abs(amount) * height) + 2
    return mask.transform(
        (width + extra, height), Image.Transform.AFFINE,
        (1, amount, -extra if amount > 0 else 0, 0, 1, 0), resample=Image.Resampling.BICUBIC,
    )


def stroke(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], width_start: float, width_end: float) -> None:
    """A pen stroke along points whose width tapers from width_start to width_end."""
    count = len(points)
    for i, (x, y) in enumerate(points):
        t = i / max(count - 1, 1)
        radius = (width_start + (width_end - width_start) * t) / 2
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)


def bezier(p0, p1, p2, p3, steps: int) -> list[tuple[float, float]]:
    points = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        points.append((
            u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
            u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
        ))
    return points


def make_signature(name: str) -> Image.Image:
    """A name written quickly in blue ink: slanted, unevenly sized glyphs and a trailing flourish."""
    rng = seeded_random("signature", name)
    width, height = 400 * SCALE, 150 * SCALE
    mask = Image.new("L", (width, height), 0)
    is_cjk = any(ord(char) > 0x2E80 for char in name)
    base_size = (78 if is_cjk else 64) * SCALE
    font_path = SERIF_REGULAR_PATH if not is_cjk else SERIF_BOLD_PATH

    glyphs = []  # (mask, advance) per character; None for a space
    for char in name:
        if char == " ":
            glyphs.append(None)
            continue
        font = load_font(font_path, int(base_size * rng.uniform(0.9, 1.08)))
        glyph = shear(glyph_image(char, font), rng.uniform(0.28, 0.4))
        glyph = glyph.rotate(rng.uniform(-7, 5), resample=Image.Resampling.BICUBIC, expand=True)
        glyphs.append((glyph, font.getlength(char) * (0.9 if is_cjk else 0.94)))

    space = base_size * 0.3
    total = sum(g[1] if g else space for g in glyphs)
    scale = min(1.0, (width * 0.8) / total)
    x = (width - total * scale) / 2 - 10 * SCALE
    baseline = height * 0.62
    wobble = (6 if is_cjk else 3) * SCALE
    for item in glyphs:
        if item is None:
            x += space * scale
            continue
        glyph, advance = item
        if scale < 1.0:
            glyph = glyph.resize((max(1, int(glyph.width * scale)), max(1, int(glyph.height * scale))),
                                 Image.Resampling.LANCZOS)
        # Centre each glyph on its advance, so narrow letters do not sink into their neighbours.
        left = x + advance * scale / 2 - glyph.width / 2
        top = baseline - glyph.height * 0.78 + rng.uniform(-wobble, wobble)
        mask.paste(255, (int(left), int(top)), glyph)
        x += advance * scale

    # The flourish: from under the last glyph, back beneath the name, rising at the end.
    draw = ImageDraw.Draw(mask)
    end_x = min(x + 10 * SCALE, width - 20 * SCALE)
    start_y = baseline + rng.uniform(8, 16) * SCALE
    curve = bezier(
        (end_x - 30 * SCALE, baseline - 10 * SCALE),
        (end_x + 20 * SCALE, start_y + 25 * SCALE),
        (width * 0.25, start_y + rng.uniform(10, 22) * SCALE),
        (width * 0.12, start_y - rng.uniform(4, 12) * SCALE),
        160,
    )
    stroke(draw, curve, 5.0 * SCALE, 1.2 * SCALE)

    mask = mask.filter(ImageFilter.GaussianBlur(0.6 * SCALE)).point(lambda v: 255 if v > 110 else v * 2)
    mask = mask.resize((400, 150), Image.Resampling.LANCZOS)
    image = Image.new("RGBA", (400, 150), INK_BLUE + (0,))
    image.putalpha(mask)
    return image


def star_points(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def arc_text(mask: Image.Image, text: str, font: ImageFont.FreeTypeFont, centre: tuple[float, float],
             radius: float, span_degrees: float, top: bool) -> None:
    """Set text along an arc, each character upright relative to the circle (top arc reads clockwise)."""
    advances = [font.getlength(char) for char in text]
    total = sum(advances)
    cx, cy = centre
    position = 0.0
    for char, advance in zip(text, advances):
        middle = (position + advance / 2) / total - 0.5     # -0.5 … 0.5 along the text
        position += advance
        if char == " ":
            continue
        offset = math.radians(middle * span_degrees)
        angle = -math.pi / 2 + offset if top else math.pi / 2 - offset
        glyph = glyph_image(char, font, keep_baseline=True)
        box = Image.new("L", (max(glyph.size) * 2, max(glyph.size) * 2), 0)
        box.paste(glyph, ((box.width - glyph.width) // 2, (box.height - glyph.height) // 2))
        rotation = -math.degrees(offset) if top else math.degrees(offset)
        box = box.rotate(rotation, resample=Image.Resampling.BICUBIC)
        x = cx + radius * math.cos(angle) - box.width / 2
        y = cy + radius * math.sin(angle) - box.height / 2
        mask.paste(255, (int(round(x)), int(round(y))), box)


def make_seal(seal: Seal) -> Image.Image:
    """A round red company seal with a star, marked as a specimen; slightly uneven ink, as stamped."""
    size = 400 * SCALE
    centre = (size / 2, size / 2)
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    ring_outer = 192 * SCALE
    ring_width = 11 * SCALE
    draw.ellipse((centre[0] - ring_outer, centre[1] - ring_outer, centre[0] + ring_outer, centre[1] + ring_outer),
                 outline=255, width=ring_width)
    draw.polygon(star_points(centre[0], centre[1] - 8 * SCALE, 62 * SCALE, 24 * SCALE), fill=255)

    # A Chinese name is spread over a fixed arc, as on a real seal; a Latin one only as wide as it needs.
    is_cjk = any(ord(char) > 0x2E80 for char in seal.name)
    max_span = 250 if is_cjk else 244
    name_size = (46 if is_cjk else 32) * SCALE
    while True:  # shrink the name until it fits its arc with a little air between the characters
        font = load_font(SANS_BOLD_PATH, name_size)
        radius = ring_outer - ring_width - name_size * 0.62
        needed = math.degrees(font.getlength(seal.name) * (1.12 if is_cjk else 1.08) / radius)
        if needed <= max_span:
            break
        name_size -= SCALE
    span = max_span if is_cjk else max(needed, 150)
    arc_text(mask, seal.name, font, centre, radius, span, top=True)

    mark_font = load_font(SANS_BOLD_PATH, (62 if seal.mark == "样章" else 40) * SCALE)
    left, top, right, bottom = draw.textbbox((0, 0), seal.mark, font=mark_font)
    draw.text((centre[0] - (left + right) / 2, centre[1] + 78 * SCALE - (top + bottom) / 2), seal.mark,
              font=mark_font, fill=255)
    footer_font = load_font(SANS_BOLD_PATH, 20 * SCALE)
    left, top, right, bottom = draw.textbbox((0, 0), seal.footer, font=footer_font)
    draw.text((centre[0] - (left + right) / 2, centre[1] + 138 * SCALE - (top + bottom) / 2), seal.footer,
              font=footer_font, fill=255)

    # Uneven ink: a few pale specks on the ring and the star, seeded by the party name; none on the
    # lettering, so that the name and the specimen mark stay perfectly legible.
    rng = seeded_random("seal", seal.name)
    specks = ImageDraw.Draw(mask)
    for _ in range(90):
        angle = rng.uniform(0, 2 * math.pi)
        distance = rng.choice((56 * math.sqrt(rng.random()), rng.uniform(ring_outer / SCALE - 12, ring_outer / SCALE)))
        x = centre[0] + distance * SCALE * math.cos(angle)
        y = centre[1] - 8 * SCALE + distance * SCALE * math.sin(angle)
        radius = rng.uniform(0.8, 2.2) * SCALE
        specks.ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)

    mask = mask.resize((400, 400), Image.Resampling.LANCZOS).point(lambda v: v * 225 // 255)
    image = Image.new("RGBA", (400, 400), SEAL_RED + (0,))
    image.putalpha(mask)
    return image


def make_logo(logo: Logo) -> Image.Image:
    """A contractor logo: a rounded square mark with a stylised node graph, then the name."""
    width, height = 300 * SCALE, 100 * SCALE
    image = Image.new("RGBA", (width, height), logo.colour + (0,))
    draw = ImageDraw.Draw(image)
    colour = logo.colour + (255,)
    pad = 14 * SCALE
    draw.rounded_rectangle((pad, pad, height - pad, height - pad), radius=14 * SCALE, fill=colour)
    nodes = [(0.32, 0.34), (0.66, 0.30), (0.50, 0.56), (0.30, 0.70), (0.70, 0.70)]
    inner = height - 2 * pad
    points = [(pad + nx * inner, pad + ny * inner) for nx, ny in nodes]
    for a, b in ((0, 1), (0, 2), (1, 2), (2, 3), (2, 4), (3, 4)):
        draw.line((points[a], points[b]), fill=(255, 255, 255, 255), width=3 * SCALE)
    for x, y in points:
        r = 5 * SCALE
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 255))

    is_cjk = any(ord(char) > 0x2E80 for char in logo.title)
    title_font = load_font(SANS_BOLD_PATH, (34 if is_cjk else 32) * SCALE)
    sub_font = load_font(SANS_BOLD_PATH, 12 * SCALE)
    text_x = height + 2 * SCALE
    draw.text((text_x, 16 * SCALE), logo.title, font=title_font, fill=colour)
    draw.text((text_x + 2 * SCALE, 66 * SCALE), logo.subtitle, font=sub_font, fill=(90, 96, 104, 255))
    return image.resize((300, 100), Image.Resampling.LANCZOS)


def write_png(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary_path = path.with_suffix(".png.tmp")
    image.save(temporary_path, format="PNG", optimize=True)
    size = temporary_path.stat().st_size
    if size > MAX_BYTES:
        temporary_path.unlink()
        raise SystemExit(f"{path}: {size} bytes, over the {MAX_BYTES}-byte budget")
    temporary_path.replace(path)
    print(f"{path.relative_to(ROOT_DIR)}  {image.width}x{image.height}  {size} bytes")


def main() -> None:
    for asset_set in ASSET_SETS:
        assets_dir = ROOT_DIR / asset_set.assets_dir
        for file, name in asset_set.signatures:
            write_png(make_signature(name), assets_dir / file)
        for seal in asset_set.seals:
            write_png(make_seal(seal), assets_dir / seal.file)
        write_png(make_logo(asset_set.logo), assets_dir / asset_set.logo.file)


if __name__ == "__main__":
    main()
