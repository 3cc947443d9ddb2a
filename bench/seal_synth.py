"""Synthetic sealed and unsealed pages for fitting and measuring the seal detector.

Two splits that share no fonts and no unit names: ``dev`` (fitting, tuning) and ``holdout``
(measurement only). Every page is one document. Cases: red round/oval/square seals, blue
("other") seals, faint and partial-ink seals, seals over the signature text and date, two
seals on a page; deliveries: born-digital-like clean render, colour scan, greyscale scan,
black-and-white scan, phone photo (perspective), page turned 90/180/270°. Traps without seal:
red letterhead (红头, title + rule with a star), red certificate title with a guilloche frame,
red 核心期刊 badge, red bar chart, red fingerprint, printed round school emblem.

Truth boxes are fractions of the page as stored (after turning/perspective).
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

NOTO = "/usr/share/fonts/opentype/noto/"
FONTS = {
    "dev": {"seal": [(NOTO + "NotoSerifCJK-Bold.ttc", 2), ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
                     ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0)],
            "body": [("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
                     ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0)]},
    "holdout": {"seal": [(NOTO + "NotoSansCJK-Bold.ttc", 2), ("/usr/share/fonts/truetype/arphic/uming.ttc", 0)],
                "body": [("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
                         ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0)]},
}
UNITS = {
    "dev": ["绍兴市建筑设计研究院有限公司", "浙江越城交通工程有限公司", "绍兴文理学院", "上虞区人民医院",
            "诸暨市水利水电勘测设计所", "绍兴市柯桥区教育局", "浙江华东测绘技术有限公司",
            "嵊州市农业技术推广中心", "新昌县人力资源和社会保障局", "绍兴市环境监测站"],
    "holdout": ["杭州钱塘规划设计院有限公司", "宁波港口工程建设集团有限公司", "浙江工业大学", "温州市中心医院",
                "湖州市城市建设档案馆", "金华市婺城区财政局", "嘉兴南湖科技发展有限公司",
                "台州市气象局", "丽水市林业科学研究所", "衢州市市场监督管理局"],
}
BODY = ("根据有关规定经研究决定同意该项目通过验收现将有关事项通知如下请各单位认真组织实施确保工作质量"
        "本项目由申报人主持完成技术指标达到设计要求在工程实践中取得了良好的经济效益和社会效益特此证明")
NAMES = ["张伟", "王芳", "李强", "刘洋", "陈静", "杨帆", "赵磊", "周敏"]
SEAL_RED = [(214, 38, 46), (200, 30, 40), (226, 60, 70), (190, 40, 60), (230, 50, 50)]
SEAL_OTHER = [(40, 70, 170), (60, 50, 150), (30, 90, 160)]
A4 = (1654, 2339)  # 200 DPI


@dataclass
class SynthSeal:
    bbox: tuple[float, float, float, float]
    shape: str
    color: str
    text: str
    faint: bool = False


@dataclass
class SynthPage:
    name: str
    image: np.ndarray  # RGB
    seals: list[SynthSeal] = field(default_factory=list)
    delivery: str = "clean"
    trap: str | None = None


def _font(path_index: tuple[str, int], size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path_index[0], size, index=path_index[1])


# --------------------------------------------------------------------------- seal drawing


def _char_img(ch: str, font: ImageFont.FreeTypeFont, size: int) -> Image.Image:
    im = Image.new("L", (size * 2, size * 2), 0)
    d = ImageDraw.Draw(im)
    d.text((size, size), ch, fill=255, font=font, anchor="mm")
    return im


def _arc_text(alpha: Image.Image, text: str, font: ImageFont.FreeTypeFont, cx: float, cy: float,
              rx: float, ry: float, char: int, span_deg: float) -> None:
    """Characters along the upper arc, clockwise, tops outward (like a real seal)."""
    n = len(text)
    span = math.radians(span_deg)
    for i, ch in enumerate(text):
        # image angle: 270° is the top; spread symmetrically, left to right = increasing angle
        t = 1.5 * math.pi + (i - (n - 1) / 2) * (span / max(n - 1, 1))
        x, y = cx + rx * math.cos(t), cy + ry * math.sin(t)
        c = _char_img(ch, font, char)
        # rotate so the top of the character points outward
        deg = -(math.degrees(t) + 90)
        c = c.rotate(deg, resample=Image.Resampling.BICUBIC)
        alpha.paste(255, (round(x - c.width / 2), round(y - c.height / 2)), c)


def _star(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else r * 0.38
        t = -math.pi / 2 + k * math.pi / 5
        pts.append((cx + rr * math.cos(t), cy + rr * math.sin(t)))
    d.polygon(pts, fill=255)


def draw_seal(rng: random.Random, shape: str, text: str, diameter: int,
              font: tuple[str, int]) -> Image.Image:
    """Ink alpha (L image) of one seal; the seal fills the image (square or 4:3 for oval)."""
    if shape == "oval":
        w, h = diameter, round(diameter * rng.uniform(0.7, 0.78))
    else:
        w = h = diameter
    pad = 4
    im = Image.new("L", (w + 2 * pad, h + 2 * pad), 0)
    d = ImageDraw.Draw(im)
    cx, cy = im.width / 2, im.height / 2
    rx, ry = w / 2, h / 2
    ring = max(2, round(diameter * rng.uniform(0.025, 0.045)))
    if shape == "square":
        # half of the name seals are cut in relief (白文: filled, white characters); the
        # choice comes from its own generator so the page's other draws stay as they were
        relief = random.Random(f"{text}-{diameter}").random() < 0.5
        if relief:
            d.rectangle((pad, pad, pad + w - 1, pad + h - 1), fill=255)
        else:
            d.rectangle((pad, pad, pad + w - 1, pad + h - 1), outline=255,
                        width=max(3, round(w * 0.07)))
        chars = text[:4] if len(text) >= 4 else (text + "之印")[:4]
        f = _font(font, round(w * 0.36))
        for i, ch in enumerate(chars):
            col, row = 1 - i // 2, i % 2  # read right column first, top to bottom
            x = pad + w * (0.29 + 0.42 * col)
            y = pad + h * (0.29 + 0.42 * row)
            d.text((x, y), ch, fill=0 if relief else 255, font=f, anchor="mm")
        return im
    d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=255, width=ring)
    if shape == "oval":
        d.ellipse((cx - rx + ring * 2.5, cy - ry + ring * 2.5, cx + rx - ring * 2.5,
                   cy + ry - ring * 2.5), outline=255, width=max(1, ring // 3))
        char = round(h * 0.15)
        _arc_text(im, text, _font(font, char), cx, cy, rx * 0.74, ry * 0.70, char,
                  rng.uniform(190, 230))
        f = _font(font, round(h * 0.13))
        d.text((cx, cy + ry * 0.1), "发票专用章", fill=255, font=f, anchor="mm")
        f2 = _font(font, round(h * 0.09))
        digits = "".join(str(rng.randint(0, 9)) for _ in range(15))
        d.text((cx, cy - ry * 0.18), digits, fill=255, font=f2, anchor="mm")
        return im
    char = round(diameter * rng.uniform(0.13, 0.16))
    _arc_text(im, text, _font(font, char), cx, cy, rx * 0.74, ry * 0.74, char,
              min(250.0, 22.0 * len(text) + 40))
    _star(d, cx, cy, diameter * rng.uniform(0.12, 0.16))
    if rng.random() < 0.5:
        f = _font(font, round(diameter * 0.1))
        d.text((cx, cy + ry * 0.5), rng.choice(["合同专用章", "业务专用章", "科研专用章"]), fill=255,
               font=f, anchor="mm")
    return im


def _ink_damage(rng: random.Random, alpha: np.ndarray, faint: bool) -> np.ndarray:
    a = alpha.astype(np.float32) / 255.0
    h, w = a.shape
    # uneven ink: smooth noise field, some dropouts
    noise = cv2.resize(np.array([[rng.random() for _ in range(6)] for _ in range(6)], np.float32),
                       (w, h), interpolation=cv2.INTER_CUBIC)
    fine = np.random.default_rng(rng.randrange(1 << 30)).random((h, w)).astype(np.float32)
    level = rng.uniform(0.75, 1.0)
    if faint:
        level = rng.uniform(0.3, 0.5)
    a = a * np.clip(level * (0.6 + 0.6 * noise), 0, 1)
    if rng.random() < 0.4:
        a = a * (fine > rng.uniform(0.1, 0.35))
    return cv2.GaussianBlur(a, (3, 3), 0.7)


def stamp(page: np.ndarray, alpha: np.ndarray, colour: tuple[int, int, int], x: int,
          y: int) -> None:
    """Multiply-blend ink onto the page (ink darkens; black text under it stays black)."""
    h, w = alpha.shape
    roi = page[y:y + h, x:x + w].astype(np.float32)
    a = alpha[: roi.shape[0], : roi.shape[1], None]
    col = np.array(colour, np.float32)[None, None, :] / 255.0
    roi = roi * (1 - a + a * col)
    page[y:y + h, x:x + w] = np.clip(roi, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- page content


def _text_page(rng: random.Random, split: str, size: tuple[int, int], unit: str,
               lines: int | None = None) -> tuple[Image.Image, tuple[int, int]]:
    """A white page of body text with a signature block (unit, date) at the bottom right.
    Returns the image and the centre of the signature block."""
    w, h = size
    im = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(im)
    body = _font(rng.choice(FONTS[split]["body"]), round(w * 0.022))
    title = _font(rng.choice(FONTS[split]["body"]), round(w * 0.032))
    d.text((w / 2, h * 0.08), rng.choice(["关于项目验收的证明", "工作证明", "项目完成情况说明", "聘任通知"]),
           fill=(0, 0, 0), font=title, anchor="mm")
    y = h * 0.14
    n = lines if lines is not None else rng.randint(10, 26)
    step = w * 0.04
    for _ in range(n):
        k = rng.randint(20, 36)
        s = "".join(rng.choice(BODY) for _ in range(k))
        d.text((w * 0.1, y), s, fill=(0, 0, 0), font=body)
        y += step
        if y > h * 0.68:
            break
    sx, sy = w * rng.uniform(0.58, 0.68), max(y + step * 2, h * rng.uniform(0.72, 0.8))
    d.text((sx, sy), unit, fill=(0, 0, 0), font=body, anchor="mm")
    yy, mm, dd = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
    d.text((sx, sy + step), f"{yy}年{mm}月{dd}日", fill=(0, 0, 0), font=body, anchor="mm")
    if rng.random() < 0.4:  # a handwritten-ish signature scribble
        pts = [(sx - w * 0.12 + i * 6, sy - step * 1.2 + 10 * math.sin(i / 2.0)) for i in range(40)]
        d.line(pts, fill=(20, 20, 30), width=3)
    return im, (round(sx), round(sy + step * 0.5))


def _letterhead(rng: random.Random, split: str, im: Image.Image, unit: str) -> None:
    w, h = im.size
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, w, h * 0.2), fill=(255, 255, 255))
    f = _font(rng.choice(FONTS[split]["seal"]), round(w * 0.055))
    d.text((w / 2, h * 0.07), unit[:10] + "文件", fill=(210, 30, 35), font=f, anchor="mm")
    yline = h * 0.15
    d.line((w * 0.08, yline, w * 0.92, yline), fill=(210, 30, 35), width=5)
    if rng.random() < 0.6:
        d.regular_polygon((w / 2, yline, w * 0.02), 5, fill=(210, 30, 35))


def _table(rng: random.Random, split: str, im: Image.Image) -> None:
    """A ruled table with short cell texts over the middle of the page (a results list)."""
    w, h = im.size
    d = ImageDraw.Draw(im)
    rows, cols = rng.randint(6, 12), rng.randint(4, 7)
    x0, y0 = w * 0.08, h * rng.uniform(0.2, 0.3)
    cw, rh = w * 0.84 / cols, h * rng.uniform(0.03, 0.045)
    d.rectangle((x0 - 5, y0 - 5, x0 + cw * cols + 5, y0 + rh * rows + 5), fill=(255, 255, 255))
    f = _font(rng.choice(FONTS[split]["body"]), round(rh * 0.4))
    for r in range(rows + 1):
        d.line((x0, y0 + r * rh, x0 + cw * cols, y0 + r * rh), fill=(0, 0, 0), width=2)
    for c in range(cols + 1):
        d.line((x0 + c * cw, y0, x0 + c * cw, y0 + rh * rows), fill=(0, 0, 0), width=2)
    for r in range(rows):
        for c in range(cols):
            txt = "".join(rng.choice(BODY) for _ in range(rng.randint(2, 6)))
            d.text((x0 + c * cw + cw / 2, y0 + r * rh + rh / 2), txt, fill=(0, 0, 0), font=f,
                   anchor="mm")


def _guilloche_frame(im: Image.Image, colour: tuple[int, int, int]) -> None:
    w, h = im.size
    d = ImageDraw.Draw(im)
    for k in range(3):
        m = 30 + k * 10
        d.rectangle((m, m, w - m, h - m), outline=colour, width=2)
    for x in range(40, w - 40, 6):
        y = 70 + 15 * math.sin(x / 17.0)
        d.point([(x, y), (x, h - y)], fill=colour)
    for yv in range(40, h - 40, 6):
        x = 70 + 15 * math.sin(yv / 17.0)
        d.point([(x, yv), (w - x, yv)], fill=colour)


def _bar_chart(rng: random.Random, im: Image.Image) -> None:
    w, h = im.size
    d = ImageDraw.Draw(im)
    x0, y0 = w * 0.15, h * rng.uniform(0.45, 0.7)
    d.rectangle((x0 - 10, y0 - h * 0.25, x0 + w * 0.65, y0 + 10), fill=(255, 255, 255))
    d.line((x0, y0, x0 + w * 0.6, y0), fill=(0, 0, 0), width=2)
    d.line((x0, y0, x0, y0 - h * 0.22), fill=(0, 0, 0), width=2)
    for i in range(rng.randint(4, 8)):
        bh = h * rng.uniform(0.03, 0.2)
        bx = x0 + 20 + i * w * 0.07
        d.rectangle((bx, y0 - bh, bx + w * 0.045, y0), fill=(200, 35, 40))


def _fingerprint(rng: random.Random, page: np.ndarray, x: int, y: int, size: int) -> None:
    h, w = round(size * 1.3), size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cy, cx = h / 2, w / 2
    r = np.sqrt(((xx - cx) / (w / 2)) ** 2 + ((yy - cy) / (h / 2)) ** 2)
    ridges = 0.5 + 0.5 * np.sin(r * rng.uniform(40, 60) + 3 * np.sin(xx / 9.0))
    a = (ridges > 0.5).astype(np.float32) * np.clip(1.2 - r, 0, 1) ** 0.5 * (r < 1)
    stamp(page, cv2.GaussianBlur(a, (3, 3), 1.0) * rng.uniform(0.6, 0.95),
          (190, 40, 50), x, y)


def _emblem(rng: random.Random, split: str, im: Image.Image, x: int, y: int, size: int,
            colour: tuple[int, int, int]) -> None:
    """A printed round school emblem: double ring, name along the arc, a dense centre."""
    alpha = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(alpha)
    c = size / 2
    d.ellipse((2, 2, size - 3, size - 3), outline=255, width=max(2, size // 40))
    d.ellipse((size * 0.2, size * 0.2, size * 0.8, size * 0.8), outline=255,
              width=max(2, size // 50))
    char = round(size * 0.1)
    _arc_text(alpha, rng.choice(UNITS[split])[:8], _font(rng.choice(FONTS[split]["seal"]), char),
              c, c, size * 0.4, size * 0.4, char, 300)
    # centre: a book / building drawing made of many strokes
    for k in range(12):
        yy = size * (0.32 + 0.03 * k)
        d.line((size * 0.3, yy, size * 0.7, yy), fill=255, width=2)
    d.polygon([(c, size * 0.25), (size * 0.3, size * 0.4), (size * 0.7, size * 0.4)], fill=255)
    d.rectangle((size * 0.45, size * 0.45, size * 0.55, size * 0.72), fill=0)
    arr = np.array(im)
    stamp(arr, np.asarray(alpha, np.float32) / 255.0, colour, x, y)
    im.paste(Image.fromarray(arr))


def _badge(rng: random.Random, split: str, im: Image.Image, x: int, y: int, size: int) -> None:
    d = ImageDraw.Draw(im)
    red = (205, 30, 40)
    f = _font(rng.choice(FONTS[split]["seal"]), round(size * 0.22))
    if rng.random() < 0.5:
        d.ellipse((x, y, x + size, y + size), fill=red)
        d.text((x + size / 2, y + size / 2), "核心\n期刊", fill=(255, 255, 255), font=f,
               anchor="mm", align="center")
    else:
        d.rounded_rectangle((x, y, x + size * 1.8, y + size * 0.6), radius=size * 0.12,
                            outline=red, width=4)
        d.text((x + size * 0.9, y + size * 0.3), "北大核心期刊", fill=red, font=f, anchor="mm")


# --------------------------------------------------------------------------- deliveries


def _jpeg(rng: random.Random, img: np.ndarray, lo: int = 55, hi: int = 90) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=rng.randint(lo, hi))
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).copy()


def _affine_pts(mat: np.ndarray, pts: np.ndarray) -> np.ndarray:
    if mat.shape[0] == 2:
        return pts @ mat[:, :2].T + mat[:, 2]
    p = np.hstack([pts, np.ones((len(pts), 1))]) @ mat.T
    return p[:, :2] / p[:, 2:3]


def deliver(rng: random.Random, img: np.ndarray, outlines: list[np.ndarray], delivery: str
            ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Apply a delivery to the page; ``outlines`` (points in px) follow every transform."""
    h, w = img.shape[:2]
    if delivery in ("colour_scan", "grey_scan", "bw_scan"):
        ang = rng.uniform(-1.5, 1.5)
        mat = cv2.getRotationMatrix2D((w / 2, h / 2), ang, 1.0)
        img = cv2.warpAffine(img, mat, (w, h), borderValue=(255, 255, 255))
        outlines = [_affine_pts(mat, o) for o in outlines]
        tint = np.array([rng.uniform(0.93, 1.0) for _ in range(3)], np.float32)
        img = np.clip(img.astype(np.float32) * tint + np.random.default_rng(
            rng.randrange(1 << 30)).normal(0, 5, img.shape), 0, 255).astype(np.uint8)
        scale = rng.choice([1.0, 0.75])  # 200 or 150 DPI
        if scale != 1.0:
            img = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
            outlines = [o * scale for o in outlines]
        if delivery == "grey_scan":
            g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
            img = cv2.cvtColor(g, cv2.COLOR_GRAY2RGB)
        elif delivery == "bw_scan":
            g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
            thr = rng.randint(150, 185)  # red ink (~100 grey) turns black
            img = cv2.cvtColor(np.where(g < thr, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)
            return img, outlines
        return _jpeg(rng, img), outlines
    if delivery == "photo":
        j = 0.05
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        bw, bh = round(w * 1.12), round(h * 1.12)
        off = np.float32([w * 0.06, h * 0.06])
        dst = np.float32([[rng.uniform(-j, j) * w, rng.uniform(-j, j) * h] for _ in range(4)])
        dst = src + dst + off
        mat = cv2.getPerspectiveTransform(src, dst)
        img = cv2.warpPerspective(img, mat, (bw, bh), borderValue=(60, 55, 50))
        outlines = [_affine_pts(mat, o) for o in outlines]
        yy, xx = np.mgrid[0:bh, 0:bw].astype(np.float32)
        light = 0.8 + 0.25 * (xx / bw) * rng.uniform(0.5, 1) + 0.1 * (yy / bh)
        img = np.clip(img.astype(np.float32) * light[..., None] * np.array(
            [1.0, 0.97, 0.92], np.float32), 0, 255).astype(np.uint8)
        img = cv2.GaussianBlur(img, (3, 3), rng.uniform(0.5, 1.2))
        f = 1500 / max(img.shape[:2])
        img = cv2.resize(img, (round(bw * f), round(bh * f)), interpolation=cv2.INTER_AREA)
        outlines = [o * f for o in outlines]
        return _jpeg(rng, img, 70, 92), outlines
    if delivery.startswith("rot"):
        k = int(delivery[3:]) // 90
        img, outlines = deliver(rng, img, outlines, "colour_scan")
        h2 = img.shape[0]
        for _ in range(k):  # clockwise 90°: (x, y) -> (h - 1 - y, x)
            outlines = [np.stack([h2 - 1 - o[:, 1], o[:, 0]], axis=1) for o in outlines]
            img = np.ascontiguousarray(np.rot90(img, -1))
            h2 = img.shape[0]
        return img, outlines
    return img, outlines  # clean (born-digital render)


def _outline(x: int, y: int, w: int, h: int, shape: str) -> np.ndarray:
    if shape == "square":
        return np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    return np.stack([x + w / 2 + w / 2 * np.cos(t), y + h / 2 + h / 2 * np.sin(t)], 1).astype(
        np.float32)


DELIVERIES = ("clean", "colour_scan", "colour_scan", "grey_scan", "grey_scan", "bw_scan",
              "photo", "rot90", "rot180", "rot270")
TRAPS = ("letterhead", "certificate_title", "badge", "bar_chart", "fingerprint", "emblem",
         "table", "plain")


def make_page(split: str, index: int) -> SynthPage:
    """Page ``index`` of ``split``: deterministic. About 60% carry a seal, 40% are traps."""
    rng = random.Random(f"{split}-{index}")
    unit = rng.choice(UNITS[split])
    delivery = DELIVERIES[index % len(DELIVERIES)]
    im, (sx, sy) = _text_page(rng, split, A4, unit)
    w, h = im.size
    sealed = rng.random() < 0.6
    trap = None if sealed else TRAPS[(index // len(DELIVERIES)) % len(TRAPS)]
    seals: list[tuple[np.ndarray, str, str, str, bool]] = []
    arr: np.ndarray
    if trap == "letterhead" or (sealed and rng.random() < 0.3):
        _letterhead(rng, split, im, unit)
    if trap == "table" or (sealed and rng.random() < 0.2):
        _table(rng, split, im)
    if trap == "certificate_title":
        _guilloche_frame(im, rng.choice([(210, 40, 50), (235, 150, 160)]))
        d = ImageDraw.Draw(im)
        d.rectangle((w * 0.2, h * 0.1, w * 0.8, h * 0.2), fill=(255, 255, 255))
        d.text((w / 2, h * 0.15), rng.choice(["荣誉证书", "获奖证书", "结业证书"]), fill=(205, 30, 35),
               font=_font(rng.choice(FONTS[split]["seal"]), round(w * 0.08)), anchor="mm")
    if trap == "badge":
        _badge(rng, split, im, round(w * rng.uniform(0.6, 0.75)), round(h * rng.uniform(0.03, 0.1)),
               round(w * rng.uniform(0.09, 0.14)))
    if trap == "bar_chart":
        _bar_chart(rng, im)
    if trap == "emblem":
        size = round(w * rng.uniform(0.08, 0.16))
        _emblem(rng, split, im, round(w * rng.uniform(0.06, 0.3)), round(h * rng.uniform(0.02, 0.05)),
                size, rng.choice([(30, 60, 150), (20, 20, 20), (200, 40, 45)]))
    arr = np.asarray(im).copy()
    if trap == "fingerprint":
        _fingerprint(rng, arr, round(sx + w * 0.05), round(sy - h * 0.02), round(w * 0.035))
    if sealed:
        n = 2 if rng.random() < 0.15 else 1
        for k in range(n):
            r = rng.random()
            shape = "round" if r < 0.55 else "oval" if r < 0.75 else "square"
            color = "other" if rng.random() < 0.12 else "red"
            faint = delivery != "bw_scan" and rng.random() < 0.2
            diam = round(w * (rng.uniform(0.085, 0.11) if shape == "square" else rng.uniform(0.17, 0.27)))
            text = rng.choice(UNITS[split]) if k else unit
            if shape == "square":
                text = rng.choice(NAMES) + "之印"
            alpha_img = draw_seal(rng, shape, text, diam, rng.choice(FONTS[split]["seal"]))
            a = _ink_damage(rng, np.asarray(alpha_img), faint)
            ah, aw = a.shape
            cx = sx + rng.uniform(-0.05, 0.05) * w - (k * w * 0.35)
            cy = sy + rng.uniform(-0.04, 0.03) * h
            x, y = round(cx - aw / 2), round(cy - ah / 2)
            x = min(max(x, 10), w - aw - 10)
            y = min(max(y, 10), h - ah - 10)
            col = rng.choice(SEAL_RED if color == "red" else SEAL_OTHER)
            stamp(arr, a, col, x, y)
            seals.append((_outline(x + 4, y + 4, aw - 8, ah - 8, shape), shape, color, text, faint))
    img, outs = deliver(rng, arr, [s[0] for s in seals], delivery)
    H, W = img.shape[:2]
    truth = []
    for o, (_, shape, color, text, faint) in zip(outs, seals, strict=True):
        x0, y0 = o.min(axis=0)
        x1, y1 = o.max(axis=0)
        truth.append(SynthSeal((max(0.0, float(x0) / W), max(0.0, float(y0) / H), min(1.0, float(x1) / W),
                                min(1.0, float(y1) / H)), shape,
                               "other" if delivery in ("grey_scan", "bw_scan") else color,
                               text if shape != "square" else "", faint))
    return SynthPage(f"{split}-{index:04d}-{delivery}-{trap or 'seal'}", img, truth, delivery,
                     trap)


def cached_page(split: str, index: int, cache: str | None) -> SynthPage:
    """``make_page`` with the image kept as PNG under ``cache`` (generation is ~0.6 s/page)."""
    if not cache:
        return make_page(split, index)
    import json
    import os

    base = os.path.join(cache, f"{split}-{index:05d}")
    if os.path.exists(base + ".json") and os.path.exists(base + ".png"):
        with open(base + ".json", encoding="utf-8") as fh:
            meta = json.load(fh)
        img = cv2.cvtColor(cv2.imread(base + ".png"), cv2.COLOR_BGR2RGB)
        seals = [SynthSeal(tuple(s["bbox"]), s["shape"], s["color"], s["text"], s["faint"])
                 for s in meta["seals"]]
        return SynthPage(meta["name"], img, seals, meta["delivery"], meta["trap"])
    p = make_page(split, index)
    os.makedirs(cache, exist_ok=True)
    cv2.imwrite(base + ".png", cv2.cvtColor(p.image, cv2.COLOR_RGB2BGR))
    with open(base + ".json", "w", encoding="utf-8") as fh:
        json.dump({"name": p.name, "delivery": p.delivery, "trap": p.trap,
                   "seals": [s.__dict__ for s in p.seals]}, fh, ensure_ascii=False)
    return p
