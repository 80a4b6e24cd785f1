"""The offline stand-in for CIFAR-10: synthetic images in CIFAR-10's own file format.

    write_stand_in("data/stand-in")   # or: python -m snippets.cifar10 stand-in data/stand-in
    CIFAR10StandIn("data/stand-in", train=True)

It is NOT CIFAR-10. Each image is a scene (sky, sea, road, grass, forest, earth, mud or a room)
with one object painted over it from parts that the classes share: cat, dog, deer and horse are
one four-legged body plan in different proportions; automobile and truck are boxes, windows and
wheels; airplane, bird and ship sit in the same skies and seas. Some cats and dogs (and some deer
and horses) are drawn from one plan for both, so no model can tell them apart. Things of no class
hide part of some objects; light, blur and noise come last. So the classes CIFAR-10 mixes up are
confusable here too, and the notes' network learns it about as fast as it learns CIFAR-10.

It exists so that the chapters, the tests and CI run without a network (CIFAR10_STAND_IN=1); its
numbers are never CIFAR-10 results. Written as `cifar-10-batches-py/` with pickled
`data_batch_1..5`, `test_batch` and `batches.meta`, it loads through torchvision's own CIFAR10
class. Its manifest, STAND-IN.json, records the generator version: a stand-in written by another
version (other images) is refused by CIFAR10StandIn, and rewritten by `cifar10_dataset`.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from torchvision.datasets import CIFAR10
from torchvision.datasets.utils import calculate_md5, check_integrity

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
FOLDER = CIFAR10.base_folder  # "cifar-10-batches-py"
TRAIN_FILES = [name for name, _ in CIFAR10.train_list]  # data_batch_1 .. data_batch_5
TEST_FILE = CIFAR10.test_list[0][0]  # test_batch
META_FILE = CIFAR10.meta["filename"]  # batches.meta
MANIFEST = "STAND-IN.json"  # present only in the stand-in
# Raise it whenever the images change. Version 1 (no version in its manifest) was a coloured
# shape on a coloured background per class; version 2 composes scenes and shared parts.
GENERATOR_VERSION = 2


class CorruptDatasetError(RuntimeError):
    """A dataset file is missing, truncated or altered; the message names it and the fix."""


class StaleStandInError(RuntimeError):
    """The stand-in on disk was written by another version of the generator: other images."""


def is_stand_in(root: str | Path) -> bool:
    """Whether `root` holds a stand-in (of any generator version)."""
    return (Path(root) / FOLDER / MANIFEST).is_file()


def stand_in_version(root: str | Path) -> int:
    """The generator version that wrote the stand-in in `root` (1 for stand-ins from before
    versions were recorded)."""
    return read_manifest(Path(root)).get("generator_version", 1)


def is_stale_stand_in(root: str | Path) -> bool:
    """Whether `root` holds a readable stand-in written by another generator version."""
    try:
        return is_stand_in(root) and stand_in_version(root) != GENERATOR_VERSION
    except CorruptDatasetError:
        return False  # not stale but damaged: CIFAR10StandIn names the file and the fix


class CIFAR10StandIn(CIFAR10):
    """torchvision's CIFAR10 loader over the stand-in; NOT CIFAR-10.

    torchvision checks each file against the md5 sums of the real CIFAR-10, which the stand-in
    cannot match. This subclass checks the stand-in's files against the md5 sums recorded in its
    own manifest instead, so a truncated or altered file is still caught; the real dataset keeps
    torchvision's check untouched. A stand-in written by another generator version is refused.
    """

    def __init__(self, root: str | Path, train: bool = True, transform=None, target_transform=None):
        manifest = read_manifest(Path(root))
        check_version(Path(root), manifest.get("generator_version", 1))
        self.train_list = [[name, manifest["md5"][name]] for name in TRAIN_FILES]
        self.test_list = [[TEST_FILE, manifest["md5"][TEST_FILE]]]
        self.meta = {**CIFAR10.meta, "md5": manifest["md5"][META_FILE]}
        for name, md5 in [*self.train_list, *self.test_list, [META_FILE, self.meta["md5"]]]:
            if not check_integrity(Path(root) / FOLDER / name, md5):
                raise CorruptDatasetError(
                    f"{Path(root) / FOLDER / name} is missing, truncated or altered; write the"
                    f" stand-in again with: python -m snippets.cifar10 stand-in {root}"
                )
        super().__init__(root, train=train, transform=transform, target_transform=target_transform)

    def extra_repr(self) -> str:
        return super().extra_repr() + "\nData: the stand-in (synthetic images), NOT CIFAR-10"


def check_version(root: Path, version: int) -> None:
    if version != GENERATOR_VERSION:
        raise StaleStandInError(
            f"{root / FOLDER} holds a stand-in written by generator version {version}, whose"
            f" images differ from this version's ({GENERATOR_VERSION}); write it again with:"
            f" python -m snippets.cifar10 stand-in {root}"
        )


def read_manifest(root: Path) -> dict:
    path = root / FOLDER / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no stand-in in {root}/; write it with: python -m snippets.cifar10 stand-in {root}"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CorruptDatasetError(
            f"{path} is corrupted ({error}); write the stand-in again with:"
            f" python -m snippets.cifar10 stand-in {root}"
        ) from error


def write_stand_in(
    root: str | Path, train_size: int = 5000, test_size: int = 1000, seed: int = 0
) -> Path:
    """Write the stand-in into `root/cifar-10-batches-py/` and return that folder.

    The folder appears complete or not at all: it is written under a temporary name and renamed.
    An existing stand-in (of any version) is replaced; a folder holding anything else is left
    alone (an error). The same arguments write the same bytes.
    """
    if train_size < len(TRAIN_FILES) or test_size < 1:
        raise ValueError(
            f"train_size must be at least {len(TRAIN_FILES)} (one image per batch file) and"
            f" test_size at least 1; got {train_size} and {test_size}"
        )
    root = Path(root)
    final = root / FOLDER
    if final.exists() and not is_stand_in(root):
        raise FileExistsError(
            f"{final} exists and is not a stand-in (the real CIFAR-10?); write the stand-in to"
            " another folder, or remove this one first"
        )
    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{FOLDER}.partial-", dir=root))
    try:
        write_stand_in_files(partial, train_size, test_size, seed)
        if final.exists():
            old = final.rename(root / f".{FOLDER}.old-{os.getpid()}")
            partial.rename(final)
            shutil.rmtree(old)
        else:
            try:
                partial.rename(final)
            except OSError:  # another process wrote it first: theirs is as good as ours
                if not is_stand_in(root):
                    raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return final


def write_stand_in_files(folder: Path, train_size: int, test_size: int, seed: int) -> None:
    generator = np.random.default_rng(seed)
    train_images, train_labels = stand_in_images(train_size, generator)
    test_images, test_labels = stand_in_images(test_size, generator)
    batches = np.array_split(np.arange(train_size), len(TRAIN_FILES))
    for number, (name, indices) in enumerate(zip(TRAIN_FILES, batches, strict=True), start=1):
        label = f"training batch {number} of {len(TRAIN_FILES)} (stand-in)"
        write_batch(folder / name, label, train_images[indices], train_labels[indices])
    write_batch(folder / TEST_FILE, "testing batch 1 of 1 (stand-in)", test_images, test_labels)
    meta = {"num_cases_per_batch": len(batches[0]), "label_names": list(CLASSES), "num_vis": 3072}
    with open(folder / META_FILE, "wb") as file:
        pickle.dump(meta, file, protocol=2)
    manifest = {
        "stand_in": True,
        "note": "Synthetic images in CIFAR-10's format, written by snippets.cifar10; NOT CIFAR-10.",
        "generator_version": GENERATOR_VERSION,
        "train_size": train_size,
        "test_size": test_size,
        "seed": seed,
        "md5": {
            name: calculate_md5(folder / name) for name in [*TRAIN_FILES, TEST_FILE, META_FILE]
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def write_batch(path: Path, label: str, images: np.ndarray, labels: np.ndarray) -> None:
    """One batch file as CIFAR-10 stores it: rows of 3072 bytes, the R, G then B planes."""
    rows = images.transpose(0, 3, 1, 2).reshape(len(images), 3072)  # (N, 32, 32, 3) -> (N, 3072)
    entry = {
        "batch_label": label,
        "labels": labels.tolist(),
        "data": np.ascontiguousarray(rows),
        "filenames": [f"stand_in_{label.split()[0]}_{i:05d}.png" for i in range(len(images))],
    }
    with open(path, "wb") as file:
        pickle.dump(entry, file, protocol=2)


# ---- the images ------------------------------------------------------------------------------
#
# Coordinates: an object is drawn in its own units, u along it (towards its front) and v
# downwards, about 1 unit from its centre to its ends; a position, a scale (pixels per unit) and
# a facing (left or right) put it in the image. Shapes are boolean masks (n, 32, 32), one image
# per row, built by broadcasting a (n, 1, 32) row of u against a (n, 32, 1) column of v.

SIZE = 32  # pixels a side, as in CIFAR-10
CHUNK = 1000  # images drawn at a time: the working arrays stay small
OCCLUSION = 0.45  # share of images where a thing in front hides part of the object
CONTRAST = 1.4  # stretch around each image's mean: photos span more of 0..255 than flat paint


def palette(*colours: tuple[int, int, int]) -> np.ndarray:
    return np.array(colours, np.float32)  # (colours, 3) RGB


SKY = palette((80, 130, 205), (110, 160, 225), (150, 190, 235), (175, 195, 220))
SEA = palette((40, 75, 125), (45, 100, 120), (85, 110, 135), (30, 55, 90))
GRASS = palette((80, 120, 55), (105, 135, 60), (60, 95, 45), (130, 140, 80))
TREES = palette((40, 70, 40), (60, 85, 50), (75, 70, 50))
EARTH = palette((135, 110, 80), (110, 90, 65), (160, 140, 110))
MOSS = palette((70, 80, 45), (90, 85, 55), (55, 65, 40), (45, 60, 55))  # and murky water
ROAD = palette((90, 90, 92), (115, 112, 110), (70, 72, 78), (135, 130, 125))
BUILDINGS = palette((150, 140, 130), (120, 115, 115), (170, 160, 145), (100, 90, 85))
WALLS = palette((205, 190, 165), (220, 210, 190), (190, 160, 120), (150, 110, 80))
FLOORS = palette((150, 110, 75), (120, 90, 90), (180, 178, 170), (95, 70, 55))
CLUTTER = np.concatenate([GRASS, TREES, EARTH, BUILDINGS, WALLS, FLOORS, SKY[2:], ROAD])
# Coats overlap in part: black and cream cats and dogs, brown deer and horses.
CAT_COATS = palette(  # orange, grey, black, white, cream, light grey
    (200, 120, 50), (130, 130, 135), (40, 35, 35), (225, 220, 210), (215, 190, 150), (150, 150, 150)
)
DOG_COATS = palette(  # brown, tan, black, cream, golden, dark brown
    (120, 80, 50), (165, 125, 85), (40, 35, 35), (215, 190, 150), (200, 150, 80), (95, 65, 45)
)
DEER_COATS = palette((165, 120, 75), (140, 95, 60), (180, 140, 95))
HORSE_COATS = palette(  # brown, dark brown, black, white, grey, chestnut
    (130, 80, 45), (80, 50, 35), (40, 35, 35), (220, 215, 205), (150, 145, 140), (165, 105, 60)
)
FROG_SKINS = palette((85, 140, 60), (115, 125, 60), (120, 95, 60), (150, 165, 70))
BIRD_FEATHERS = palette(  # red, blue, yellow, brown, black, white, grey
    (180, 40, 35), (45, 80, 170), (215, 185, 50), (110, 80, 55), (35, 35, 40), (225, 225, 225),
    (140, 140, 145),
)  # fmt: skip
CAR_PAINT = palette(  # red, blue, black, silver, yellow, green, white
    (190, 40, 40), (40, 70, 160), (35, 35, 40), (170, 172, 178), (225, 190, 40), (50, 120, 70),
    (230, 230, 230),
)  # fmt: skip
TRUCK_PAINT = palette(  # red, blue, white, black, silver, yellow, green, orange
    (190, 40, 40), (40, 70, 160), (230, 230, 230), (35, 35, 40), (170, 172, 178), (225, 190, 40),
    (50, 120, 70), (220, 120, 40),
)  # fmt: skip
CARGO = palette((230, 230, 230), (190, 192, 196), (150, 152, 158))
PLANE_PAINT = palette((235, 235, 240), (200, 202, 208), (160, 165, 172), (70, 72, 80))
HULLS = palette((35, 35, 45), (160, 40, 35), (225, 225, 225), (110, 115, 125), (40, 60, 120))
GLASS = palette((60, 75, 95), (140, 170, 200), (30, 35, 45))
DARK = np.array([25, 25, 28], np.float32)  # eyes, noses, wheels, masts; manes at 1.5x
BEAK = np.array([220, 170, 40], np.float32)
HUB = np.array([150, 150, 150], np.float32)
LAMP = np.array([240, 230, 180], np.float32)


def pick(rng: np.random.Generator, colours: np.ndarray, n: int, jitter: float = 12) -> np.ndarray:
    """(n, 3): a random colour of the palette for each image, lighter or darker by about
    `jitter` (of 255) and slightly tinted."""
    chosen = colours[rng.integers(len(colours), size=n)]
    lighter = 1 + jitter / 128 * rng.standard_normal((n, 1))
    return chosen * lighter + jitter / 3 * rng.standard_normal((n, 3))


def column(values) -> np.ndarray:
    """(n,) -> (n, 1, 1) float32: one value per image, broadcast over its pixels."""
    return np.asarray(values, np.float32).reshape(-1, 1, 1)


def uniform(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    return column(rng.uniform(low, high, n))  # (n, 1, 1)


def chance(rng: np.random.Generator, share: float, n: int) -> np.ndarray:
    """(n,) bool: True for about `share` of the images."""
    return rng.random(n) < share


# ---- shapes -------------------------------------------------------------------------------------


@dataclass
class Frame:
    """Every pixel's coordinates in the object's units."""

    u: np.ndarray  # (n, 1, 32): along the object, towards its front
    v: np.ndarray  # (n, 32, 1): downwards

    @classmethod
    def place(cls, x, y, scale, facing) -> Frame:
        """The object's centre at pixel (x, y), `scale` pixels per unit, facing +1 or -1."""
        pixels = np.arange(SIZE, dtype=np.float32) + 0.5  # pixel centres
        u = facing * (pixels.reshape(1, 1, SIZE) - x) / scale
        v = (pixels.reshape(1, SIZE, 1) - y) / scale
        return cls(u.astype(np.float32), v.astype(np.float32))


def ellipse(f: Frame, cu, cv, ru, rv) -> np.ndarray:
    return ((f.u - cu) / ru) ** 2 + ((f.v - cv) / rv) ** 2 < 1


def box(f: Frame, u0, u1, v0, v1) -> np.ndarray:
    return ((f.u > u0) & (f.u < u1)) & ((f.v > v0) & (f.v < v1))


def segment(f: Frame, u0, v0, u1, v1, width) -> np.ndarray:
    """A thick line from (u0, v0) to (u1, v1): legs, necks, tails, antlers, masts, branches."""
    du, dv = u1 - u0, v1 - v0
    along = np.clip(((f.u - u0) * du + (f.v - v0) * dv) / (du**2 + dv**2 + 1e-6), 0, 1)
    return (f.u - u0 - along * du) ** 2 + (f.v - v0 - along * dv) ** 2 < (width / 2) ** 2


def triangle(f: Frame, a: tuple, b: tuple, c: tuple) -> np.ndarray:
    """The triangle with corners a, b and c, each a (u, v) pair: ears, wings, fins, sails."""

    def left_of(p: tuple, q: tuple) -> np.ndarray:  # which side of the line p -> q
        return (q[0] - p[0]) * (f.v - p[1]) - (q[1] - p[1]) * (f.u - p[0]) > 0

    first, second, third = left_of(a, b), left_of(b, c), left_of(c, a)
    return (first == second) & (second == third)  # inside: the same side of all three


class Canvas:
    """n images being drawn: a background, and which painted part covers each pixel."""

    def __init__(self, background: np.ndarray) -> None:
        self.background = background  # (n, 32, 32, 3) float32
        self.part = np.zeros(background.shape[:3], np.int8)  # 0: the background shows
        self.colours = [np.zeros((len(background), 3), np.float32)]

    def paint(self, mask: np.ndarray, colour: np.ndarray, only=None) -> None:
        """Cover `mask` (n, 32, 32) with `colour` ((3,) or (n, 3)); `only` (n,) picks images."""
        if only is not None:
            mask = mask & only.reshape(-1, 1, 1)
        n = len(self.part)
        self.colours.append(np.broadcast_to(np.asarray(colour, np.float32), (n, 3)))
        np.copyto(self.part, len(self.colours) - 1, where=mask)  # later parts cover earlier

    def image(self) -> np.ndarray:
        """(n, 32, 32, 3) float32: each pixel the colour of the part on top, or the scene."""
        colours = np.stack(self.colours, axis=1)  # (n, parts, 3)
        first = np.arange(len(colours)).reshape(-1, 1, 1) * colours.shape[1]
        painted = np.take(colours.reshape(-1, 3), self.part + first, axis=0)  # (n, 32, 32, 3)
        np.copyto(self.background, painted, where=(self.part > 0)[..., None])
        return self.background


# ---- scenes -------------------------------------------------------------------------------------


def scene(top: np.ndarray, bottom: np.ndarray, horizon: np.ndarray) -> np.ndarray:
    """(n, 32, 32, 3): colour `top` (n, 3) above the horizon row (n,), `bottom` below it."""
    rows = np.arange(SIZE, dtype=np.float32).reshape(1, SIZE, 1, 1)
    horizon = horizon.reshape(-1, 1, 1, 1)
    near = np.clip((rows - horizon) / SIZE, 0, 1)  # ground darkens towards the viewer
    haze = np.clip(1 - (horizon - rows) / SIZE, 0, 1)  # sky lightens towards the horizon
    top = top[:, None, None, :] * (0.85 + 0.2 * haze)
    bottom = bottom[:, None, None, :] * (1.05 - 0.35 * near)
    return np.where(rows < horizon, top, bottom).astype(np.float32)


def either(choose: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """(n, 3): `first` for the images where `choose` (n,) is True, else `second`."""
    return np.where(choose.reshape(-1, 1), first, second)


# Each scene: (rng, ground) -> backgrounds, `ground` (n,) being the row where the object stands;
# the horizon lies some rows above it.


def sky_scene(rng: np.random.Generator, ground: np.ndarray) -> np.ndarray:
    n = len(ground)
    low = chance(rng, 0.25, n)  # a strip of land at the bottom; else sky only
    horizon = np.where(low, rng.uniform(25, 31, n), 40)
    land = either(chance(rng, 0.5, n), pick(rng, GRASS, n), pick(rng, ROAD, n))
    return scene(pick(rng, SKY, n), land, horizon)


def sea_scene(rng: np.random.Generator, ground: np.ndarray) -> np.ndarray:
    n = len(ground)
    horizon = np.clip(ground - rng.uniform(3, 12, n), 3, 24)
    images = scene(pick(rng, SKY, n), pick(rng, SEA, n), horizon)
    waves = np.sin(np.arange(SIZE, dtype=np.float32) * rng.uniform(1.2, 2.2, (n, 1)))  # (n, 32)
    below = np.arange(SIZE) > horizon[:, None]
    images += (12 * waves * below)[:, :, None, None]  # lighter and darker rows of waves
    return images


def road_scene(rng: np.random.Generator, ground: np.ndarray) -> np.ndarray:
    n = len(ground)
    horizon = np.clip(ground - rng.uniform(4, 14, n), 2, 26)
    behind = either(chance(rng, 0.5, n), pick(rng, BUILDINGS, n), pick(rng, SKY, n))
    return scene(behind, pick(rng, ROAD, n), horizon)


def grass_scene(rng: np.random.Generator, ground: np.ndarray) -> np.ndarray:
    n = len(ground)
    horizon = np.clip(ground - rng.uniform(4, 18, n), 1, 26)
    behind = either(chance(rng, 0.4, n), pick(rng, TREES, n), pick(rng, SKY, n))
    return scene(behind, pick(rng, GRASS, n), horizon)


def forest_scene(rng: np.random.Generator, ground: np.ndarray) -> np.ndarray:
    n = len(ground)
    horizon = np.clip(ground - rng.uniform(3, 10, n), 4, 28)
    floor = either(chance(rng, 0.5, n), pick(rng, EARTH, n), pick(rng, GRASS, n))
    return scene(pick(rng, TREES, n), floor, horizon)


def dirt_scene(rng: np.random.Generator, ground: np.ndarray) -> np.ndarray:
    n = len(ground)
    horizon = np.clip(ground - rng.uniform(4, 14, n), 2, 26)
    behind = either(chance(rng, 0.5, n), pick(rng, TREES, n), pick(rng, SKY, n))
    return scene(behind, pick(rng, EARTH, n), horizon)


def mud_scene(rng: np.random.Generator, ground: np.ndarray) -> np.ndarray:
    n = len(ground)
    horizon = rng.uniform(-4, 6, n)  # seen from close above: little or nothing behind
    return scene(pick(rng, TREES, n), pick(rng, MOSS, n), horizon)


def room_scene(rng: np.random.Generator, ground: np.ndarray) -> np.ndarray:
    n = len(ground)
    horizon = np.clip(ground - rng.uniform(3, 12, n), 6, 28)  # where the wall meets the floor
    return scene(pick(rng, WALLS, n), pick(rng, FLOORS, n), horizon)


SCENES: dict[str, Callable] = {
    "sky": sky_scene,
    "sea": sea_scene,
    "road": road_scene,
    "grass": grass_scene,
    "forest": forest_scene,
    "dirt": dirt_scene,
    "mud": mud_scene,
    "room": room_scene,
}


def mixture(rng: np.random.Generator, shares: dict, n: int, draw: Callable) -> np.ndarray:
    """(n, 32, 32, 3): each image drawn by one key of `shares` (key: probability), picked at
    random; `draw(key, rows)` draws the images that `rows` ((n,) bool) marks for that key."""
    keys = list(shares)
    weights = np.array(list(shares.values()))
    chosen = rng.choice(len(keys), size=n, p=weights / weights.sum())
    images = np.empty((n, SIZE, SIZE, 3), np.float32)
    for index, key in enumerate(keys):
        rows = chosen == index
        if rows.any():
            images[rows] = draw(key, rows)
    return images


def backgrounds(rng: np.random.Generator, shares: dict, ground: np.ndarray) -> np.ndarray:
    """One scene per image, drawn from `shares` (scene name: probability)."""
    return mixture(rng, shares, len(ground), lambda name, rows: SCENES[name](rng, ground[rows]))


def clutter(canvas: Canvas, rng: np.random.Generator) -> None:
    """A thing of no class (a stone, a bush, a post, a chair) in front of the object in
    OCCLUSION of the images: it hides part of the object, or of the scene."""
    n = len(canvas.part)
    f = Frame.place(column(rng.uniform(0, SIZE, n)), column(rng.uniform(4, SIZE, n)), 1.0, 1.0)
    rounded = chance(rng, 0.5, n).reshape(-1, 1, 1)
    ru, rv = uniform(rng, 2, 7, n), uniform(rng, 2, 7, n)  # in pixels: this frame's unit
    shape = np.where(
        rounded, ellipse(f, 0, 0, ru, rv), box(f, -ru / 2, ru / 2, -rv * 1.5, rv * 1.5)
    )
    canvas.paint(shape, pick(rng, CLUTTER, n), chance(rng, OCCLUSION, n))


@dataclass
class Pose:
    frame: Frame
    ground: np.ndarray  # (n,): the image row where the object stands, for the horizon


def place(rng: np.random.Generator, n: int, scale: tuple, foot: float) -> Pose:
    """A random position, size and facing; `foot`: how far below its centre the object stands,
    in its units. Sizes spread beyond `scale` (pixels per unit): some objects fill the image."""
    pixels = rng.uniform(*scale, n) * np.exp(0.15 * rng.standard_normal(n))
    x = rng.uniform(10, 22, n)
    y = rng.uniform(11.3, 19.7, n)
    facing = np.where(chance(rng, 0.5, n), -1.0, 1.0)
    frame = Frame.place(column(x), column(y), column(pixels), column(facing))
    return Pose(frame, y + foot * pixels)


# ---- four-legged animals: cat, dog, deer, horse ---------------------------------------------


@dataclass
class BodyPlan:
    """The four-legged body plan: cat, dog, deer and horse differ only in these numbers, whose
    ranges (low, high) overlap. Lengths are in body units, angles in degrees above horizontal."""

    length: tuple  # half the body's length
    height: tuple  # half the body's height
    legs: tuple  # below the body
    leg_width: tuple
    neck: tuple
    neck_angle: tuple
    head: tuple  # radius
    snout: tuple
    ear: tuple  # height
    tail: tuple
    tail_angle: tuple  # negative: hanging down
    pointed_ears: float  # share of animals with pointed ears; the others' hang down
    antlers: float  # share with antlers
    mane: float  # share with a dark mane
    coats: np.ndarray
    scale: tuple  # pixels per unit
    scenes: dict  # scene name: share


RANGES = ("length", "height", "legs", "leg_width", "neck", "neck_angle", "head", "snout", "ear")
RANGES += ("tail", "tail_angle")

CAT = BodyPlan(
    length=(0.5, 0.7), height=(0.22, 0.32), legs=(0.25, 0.45), leg_width=(0.1, 0.14),
    neck=(0.1, 0.25), neck_angle=(40, 70), head=(0.2, 0.27), snout=(0.0, 0.16), ear=(0.16, 0.26),
    tail=(0.5, 0.8), tail_angle=(10, 80), pointed_ears=0.95, antlers=0.0, mane=0.0,
    coats=CAT_COATS, scale=(15.8, 23), scenes={"room": 0.8, "grass": 0.2},
)  # fmt: skip
DOG = BodyPlan(
    length=(0.55, 0.8), height=(0.22, 0.34), legs=(0.28, 0.5), leg_width=(0.1, 0.15),
    neck=(0.15, 0.3), neck_angle=(35, 65), head=(0.18, 0.26), snout=(0.04, 0.2), ear=(0.12, 0.24),
    tail=(0.3, 0.7), tail_angle=(0, 70), pointed_ears=0.75, antlers=0.0, mane=0.0,
    coats=DOG_COATS, scale=(14.4, 21.6), scenes={"room": 0.6, "grass": 0.4},
)  # fmt: skip
DEER = BodyPlan(
    length=(0.55, 0.72), height=(0.2, 0.28), legs=(0.5, 0.75), leg_width=(0.07, 0.11),
    neck=(0.35, 0.55), neck_angle=(55, 80), head=(0.13, 0.18), snout=(0.1, 0.2), ear=(0.12, 0.2),
    tail=(0.05, 0.12), tail_angle=(20, 60), pointed_ears=1.0, antlers=0.3, mane=0.0,
    coats=DEER_COATS, scale=(12.9, 18.7), scenes={"forest": 0.5, "grass": 0.5},
)  # fmt: skip
HORSE = BodyPlan(
    length=(0.65, 0.85), height=(0.24, 0.34), legs=(0.5, 0.75), leg_width=(0.09, 0.13),
    neck=(0.35, 0.55), neck_angle=(45, 75), head=(0.13, 0.18), snout=(0.18, 0.32), ear=(0.08, 0.14),
    tail=(0.35, 0.6), tail_angle=(-80, -30), pointed_ears=1.0, antlers=0.0, mane=0.5,
    coats=HORSE_COATS, scale=(12.9, 18), scenes={"grass": 0.6, "forest": 0.2, "dirt": 0.2},
)  # fmt: skip


# The images that two confusable classes share: drawn from one plan for both labels, as a photo of
# a small dog can be a photo of a cat. No model can tell these apart: it can only memorise them.
PET = BodyPlan(
    length=(0.5, 0.8), height=(0.22, 0.34), legs=(0.25, 0.5), leg_width=(0.1, 0.15),
    neck=(0.1, 0.3), neck_angle=(35, 70), head=(0.18, 0.27), snout=(0.0, 0.2), ear=(0.12, 0.26),
    tail=(0.3, 0.8), tail_angle=(0, 80), pointed_ears=0.85, antlers=0.0, mane=0.0,
    coats=np.concatenate([CAT_COATS, DOG_COATS]), scale=(14.4, 23),
    scenes={"room": 0.7, "grass": 0.3},
)  # fmt: skip
HOOFED = BodyPlan(
    length=(0.55, 0.85), height=(0.2, 0.34), legs=(0.5, 0.75), leg_width=(0.07, 0.13),
    neck=(0.35, 0.55), neck_angle=(45, 80), head=(0.13, 0.18), snout=(0.1, 0.32), ear=(0.08, 0.2),
    tail=(0.05, 0.6), tail_angle=(-80, 60), pointed_ears=1.0, antlers=0.0, mane=0.0,
    coats=np.concatenate([DEER_COATS, HORSE_COATS[[0, 5]]]), scale=(12.9, 18.7),
    scenes={"grass": 0.55, "forest": 0.3, "dirt": 0.15},
)  # fmt: skip
SHARED = 0.1  # share of a confusable class's images drawn from the plan it shares
# Face close-ups: the share with pointed ears (the others' hang down), the muzzle's length range.
CAT_FACE, DOG_FACE, PET_FACE = (0.9, (0.0, 0.14)), (0.75, (0.06, 0.22)), (0.85, (0.0, 0.2))


def draw_quadruped(rng: np.random.Generator, plan: BodyPlan, n: int) -> np.ndarray:
    """n animals seen from the side, legs on the ground, from one body plan."""
    size = {name: uniform(rng, *getattr(plan, name), n) for name in RANGES}
    pose = place(rng, n, plan.scale, foot=float(np.mean(plan.height) + np.mean(plan.legs)))
    canvas = Canvas(backgrounds(rng, plan.scenes, pose.ground))
    coat, patch = pick(rng, plan.coats, n), pick(rng, plan.coats, n)
    paint_body(canvas, rng, pose.frame, size, coat, patch)
    paint_head(canvas, rng, pose.frame, size, coat, plan)
    clutter(canvas, rng)
    return canvas.image()


def paint_body(canvas: Canvas, rng, f: Frame, size: dict, coat, patch) -> None:
    """Far legs and tail (in shade), the body with a patch on some, then the near legs."""
    length, height, width = size["length"], size["height"], size["leg_width"]
    bottom = height + size["legs"]
    shade = coat * 0.7
    for end in (-0.62 * length, 0.62 * length):  # the far legs, a little behind the near ones
        canvas.paint(box(f, end - width / 2 + 0.07, end + width / 2 + 0.07, 0, bottom), shade)
    angle = np.radians(size["tail_angle"])
    root_u, root_v = -length * 0.9, -height * 0.4
    tip_u, tip_v = root_u - size["tail"] * np.cos(angle), root_v - size["tail"] * np.sin(angle)
    canvas.paint(segment(f, root_u, root_v, tip_u, tip_v, width * 0.8), shade)
    body = ellipse(f, 0, 0, length, height)
    canvas.paint(body, coat)
    n = len(coat)
    spotted = chance(rng, 0.35, n)
    spot = ellipse(f, uniform(rng, -0.4, 0.3, n), uniform(rng, -0.1, 0.1, n), 0.25, 0.18)
    canvas.paint(spot & body, patch, spotted)
    for end in (-0.62 * length, 0.62 * length):
        canvas.paint(box(f, end - width / 2, end + width / 2, 0, bottom), coat)


def paint_head(canvas: Canvas, rng, f: Frame, size: dict, coat, plan: BodyPlan) -> None:
    """Neck (with a mane on some), head, snout, ears, antlers on some, an eye."""
    n, head, snout = len(coat), size["head"], size["snout"]
    angle = np.radians(size["neck_angle"])
    nu, nv = 0.75 * size["length"], -0.3 * size["height"]  # where the neck leaves the body
    hu, hv = nu + size["neck"] * np.cos(angle), nv - size["neck"] * np.sin(angle)  # the head
    neck_width = np.maximum(head * 1.3, size["leg_width"] * 1.5)
    canvas.paint(segment(f, nu, nv, hu, hv, neck_width), coat)
    mane = segment(f, nu, nv, hu, hv, head * 0.5) & (f.u < (nu + hu) / 2)
    canvas.paint(mane, DARK * 1.5, chance(rng, plan.mane, n))
    canvas.paint(ellipse(f, hu, hv, head * 1.05, head), coat)
    snout_u = hu + head * 0.6 + snout / 2
    canvas.paint(ellipse(f, snout_u, hv + head * 0.3, snout / 2 + 0.06, head * 0.5), coat)
    pointed = chance(rng, plan.pointed_ears, n)
    tip = (hu - head * 0.3, hv - head * 0.6 - size["ear"])
    ear = triangle(f, (hu - head * 0.55, hv - head * 0.5), (hu + head * 0.05, hv - head * 0.6), tip)
    canvas.paint(ear, coat, pointed)
    hanging = ellipse(f, hu - head * 0.45, hv + head * 0.2, head * 0.32, head * 0.2 + size["ear"])
    canvas.paint(hanging, coat * 0.7, ~pointed)
    antlers = chance(rng, plan.antlers, n)
    top = hv - head - uniform(rng, 0.35, 0.5, n)
    beam = segment(f, hu - head * 0.2, hv - head * 0.6, hu - head * 0.8, top, 0.07)
    tine = segment(f, hu - head * 0.5, (hv + top) / 2, hu + head * 0.4, top + 0.08, 0.06)
    canvas.paint(beam, EARTH[1] * 0.8, antlers)
    canvas.paint(tine, EARTH[1] * 0.8, antlers)
    canvas.paint(ellipse(f, hu + head * 0.4, hv - head * 0.25, 0.06, 0.06), DARK)  # the eye


def draw_face(
    rng: np.random.Generator, n: int, coats, pointed_ears: float, muzzle: tuple, scenes: dict
) -> np.ndarray:
    """n close-ups of a face from the front, as many cat and dog photos are: pointed ears for
    `pointed_ears` of them (the others' hang down), a muzzle of length `muzzle` (low, high)."""
    pixels = rng.uniform(10, 15, n)
    x, y = rng.uniform(12, 20, n), rng.uniform(13, 19, n)
    f = Frame.place(column(x), column(y), column(pixels), 1.0)
    canvas = Canvas(backgrounds(rng, scenes, y + 1.6 * pixels))
    coat = pick(rng, coats, n)
    canvas.paint(ellipse(f, 0, 1.3, 1.0, 0.7), coat)  # shoulders
    pointed = chance(rng, pointed_ears, n)
    for side in (-1, 1):
        ear = triangle(f, (side * 0.25, -0.6), (side * 0.85, -0.3), (side * 0.7, -1.2))
        canvas.paint(ear, coat, pointed)
        canvas.paint(ellipse(f, side * 0.8, 0.05, 0.25, 0.55), coat * 0.7, ~pointed)
    canvas.paint(ellipse(f, 0, 0, 0.75, 0.68), coat)
    length = uniform(rng, *muzzle, n)
    light = np.minimum(coat * 1.3 + 30, 245)
    canvas.paint(ellipse(f, 0, 0.3, 0.3 + length * 0.3, 0.18 + length), light)
    for side in (-1, 1):
        canvas.paint(ellipse(f, side * 0.3, -0.15, 0.12, 0.1), DARK)  # eyes
    canvas.paint(ellipse(f, 0, 0.18 + length * 0.5, 0.1, 0.07), DARK)  # nose
    clutter(canvas, rng)
    return canvas.image()


def draw_pets(
    rng: np.random.Generator, n: int, plan: BodyPlan, face: tuple, shared: float = SHARED
) -> np.ndarray:
    """Cats or dogs: from the side or as a face close-up (`face`: the share with pointed ears,
    the muzzle's length range), and `shared` of them from the plan cats and dogs share."""

    def draw(kind: str, rows: np.ndarray) -> np.ndarray:
        count = int(rows.sum())
        if kind == "side":
            return draw_quadruped(rng, plan, count)
        if kind == "face":
            return draw_face(rng, count, plan.coats, *face, plan.scenes)
        return draw_pets(rng, count, PET, PET_FACE, shared=0)

    kinds = {"side": 0.6 * (1 - shared), "face": 0.4 * (1 - shared), "shared": shared}
    return mixture(rng, kinds, n, draw)


def draw_cats(rng: np.random.Generator, n: int) -> np.ndarray:
    return draw_pets(rng, n, CAT, CAT_FACE)


def draw_dogs(rng: np.random.Generator, n: int) -> np.ndarray:
    return draw_pets(rng, n, DOG, DOG_FACE)


def draw_hoofed(rng: np.random.Generator, n: int, plan: BodyPlan) -> np.ndarray:
    """Deer or horses, and SHARED of them from the plan deer and horses share."""

    def draw(kind: str, rows: np.ndarray) -> np.ndarray:
        return draw_quadruped(rng, plan if kind == "own" else HOOFED, int(rows.sum()))

    return mixture(rng, {"own": 1 - SHARED, "shared": SHARED}, n, draw)


def draw_deer(rng: np.random.Generator, n: int) -> np.ndarray:
    return draw_hoofed(rng, n, DEER)


def draw_horses(rng: np.random.Generator, n: int) -> np.ndarray:
    return draw_hoofed(rng, n, HORSE)


# ---- frog, bird, airplane, ship ---------------------------------------------------------------


def draw_frogs(rng: np.random.Generator, n: int) -> np.ndarray:
    """Close-ups of a frog, mostly on mud, some spotted."""
    pose = place(rng, n, (19, 28), foot=0.35)
    f = pose.frame
    canvas = Canvas(backgrounds(rng, {"mud": 0.75, "grass": 0.15, "dirt": 0.1}, pose.ground))
    skin = pick(rng, FROG_SKINS, n)
    canvas.paint(ellipse(f, -0.35, 0.15, 0.38, 0.22), skin * 0.75)  # hind leg
    canvas.paint(ellipse(f, 0, 0, 0.6, 0.32), skin)  # body
    canvas.paint(ellipse(f, 0.45, -0.06, 0.32, 0.24), skin)  # head
    for _ in range(3):  # dark spots on some
        spot = ellipse(f, uniform(rng, -0.45, 0.35, n), uniform(rng, -0.2, 0.1, n), 0.09, 0.07)
        canvas.paint(spot, skin * 0.6, chance(rng, 0.6, n))
    canvas.paint(box(f, 0.35, 0.48, 0.1, 0.38), skin * 0.85)  # front leg
    canvas.paint(ellipse(f, 0.45, -0.3, 0.12, 0.11), np.minimum(skin * 1.3 + 20, 250))  # eye
    canvas.paint(ellipse(f, 0.47, -0.31, 0.06, 0.06), DARK)
    clutter(canvas, rng)
    return canvas.image()


def draw_birds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Flying in the sky, perched on a branch against the sky, or standing on the ground."""
    flying = chance(rng, 0.4, n)
    pose = place(rng, n, (13.8, 21.9), foot=0.45)
    f = pose.frame
    branch = ~flying & chance(rng, 0.6, n)
    sky = backgrounds(rng, {"sky": 1.0}, pose.ground)
    ground = backgrounds(rng, {"grass": 0.45, "forest": 0.55}, pose.ground)
    canvas = Canvas(np.where((flying | branch).reshape(-1, 1, 1, 1), sky, ground))
    perch = segment(f, -1.2, 0.47, 1.2, uniform(rng, 0.3, 0.65, n), 0.12)
    canvas.paint(perch, EARTH[1] * 0.7, branch)
    body = pick(rng, BIRD_FEATHERS, n)
    wing = either(chance(rng, 0.5, n), body * 0.7, pick(rng, BIRD_FEATHERS, n))
    canvas.paint(triangle(f, (-0.3, -0.05), (-0.75, -0.2), (-0.75, 0.15)), wing)  # tail
    canvas.paint(segment(f, 0.0, 0.2, 0.05, 0.45, 0.06), DARK, ~flying)  # legs
    canvas.paint(ellipse(f, 0, 0, 0.42, 0.22), body)
    canvas.paint(ellipse(f, -0.05, 0.0, 0.3, 0.14), wing, ~flying)  # folded wing
    lift = uniform(rng, -0.2, 0.6, n)  # how far the spread wings reach up
    canvas.paint(triangle(f, (-0.2, -0.05), (0.2, -0.05), (-0.25, -0.5 - lift)), wing, flying)
    lower = triangle(f, (-0.15, 0.05), (0.15, 0.05), (-0.3, 0.35 + lift * 0.3))
    canvas.paint(lower, wing * 0.8, flying)
    canvas.paint(ellipse(f, 0.38, -0.15, 0.17, 0.16), body)  # head
    canvas.paint(triangle(f, (0.5, -0.2), (0.5, -0.08), (0.72, -0.13)), BEAK)
    canvas.paint(ellipse(f, 0.42, -0.19, 0.04, 0.04), DARK)
    clutter(canvas, rng)
    return canvas.image()


def draw_airplanes(rng: np.random.Generator, n: int) -> np.ndarray:
    """From the side or from below (both wings), in the sky, over a runway or over the sea."""
    pose = place(rng, n, (15.8, 23), foot=0.3)
    f = pose.frame
    over_sea = chance(rng, 0.06, n).reshape(-1, 1, 1, 1)
    sky = backgrounds(rng, {"sky": 0.9, "road": 0.1}, pose.ground)
    sea = backgrounds(rng, {"sea": 1.0}, pose.ground + 6)
    canvas = Canvas(np.where(over_sea, sea, sky))
    paint = pick(rng, PLANE_PAINT, n, jitter=10)
    below = chance(rng, 0.35, n)
    canvas.paint(triangle(f, (-0.55, -0.05), (-0.95, -0.5), (-0.8, -0.05)), paint * 0.9)  # fin
    far_wing = triangle(f, (0.15, -0.04), (-0.25, -0.04), (-0.45, -0.9))
    canvas.paint(far_wing, paint * 0.85, below)
    canvas.paint(ellipse(f, 0, 0, 0.95, uniform(rng, 0.1, 0.15, n)), paint)  # fuselage
    canvas.paint(triangle(f, (0.15, 0.04), (-0.25, 0.04), (-0.45, 0.9)), paint * 0.8, below)
    canvas.paint(triangle(f, (0.2, 0.05), (-0.15, 0.05), (-0.35, 0.35)), paint * 0.75, ~below)
    canvas.paint(ellipse(f, 0.05, 0.2, 0.14, 0.06), paint * 0.6, ~below)  # engine
    canvas.paint(ellipse(f, 0.8, -0.04, 0.1, 0.05), GLASS[0])  # cockpit
    clutter(canvas, rng)
    return canvas.image()


def draw_ships(rng: np.random.Generator, n: int) -> np.ndarray:
    """Motor ships (a cabin, some a mast) and sailing boats, on the sea."""
    pose = place(rng, n, (14.4, 21.6), foot=0.25)
    f = pose.frame
    canvas = Canvas(backgrounds(rng, {"sea": 1.0}, pose.ground - 2))
    hull = pick(rng, HULLS, n)
    white = pick(rng, PLANE_PAINT[:2], n, jitter=8)
    sail = chance(rng, 0.25, n)
    canvas.paint(triangle(f, (-0.1, -0.05), (-0.1, -1.1), (-0.7, -0.05)), white, sail)
    canvas.paint(segment(f, -0.05, -0.05, -0.05, -1.15, 0.05), DARK * 2, sail)  # mast
    top = uniform(rng, 0.3, 0.5, n)  # the cabin's height
    canvas.paint(box(f, -0.55, uniform(rng, -0.1, 0.3, n), -top, 0.0), white, ~sail)
    bridge = box(f, -0.4, -0.1, -top - 0.25, -top + 0.01)
    canvas.paint(bridge, white * 0.9, ~sail & chance(rng, 0.6, n))
    canvas.paint(box(f, -0.5, 0.2, -top + 0.1, -top + 0.17), GLASS[2], ~sail)  # windows
    canvas.paint(
        segment(f, 0.35, 0.0, 0.35, -top - 0.3, 0.05), DARK * 2, ~sail & chance(rng, 0.5, n)
    )
    depth = uniform(rng, 0.2, 0.3, n)
    stern = triangle(f, (-1.0, 0.0), (0.75, depth), (-0.85, depth))
    canvas.paint(triangle(f, (-1.0, 0.0), (1.0, -0.08), (0.75, depth)) | stern, hull)
    clutter(canvas, rng)
    return canvas.image()


# ---- automobile, truck ------------------------------------------------------------------------

ROAD_SCENES = {"road": 0.85, "dirt": 0.1, "grass": 0.05}


def paint_wheels(canvas: Canvas, f: Frame, positions: tuple, v: float, radius: float) -> None:
    for u in positions:
        canvas.paint(ellipse(f, u, v, radius, radius), DARK)
        canvas.paint(ellipse(f, u, v, radius * 0.45, radius * 0.45), HUB)


def draw_automobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    """Cars from the side; some are vans and SUVs, with a higher, longer roof."""
    pose = place(rng, n, (15.8, 21.6), foot=0.5)
    f = pose.frame
    canvas = Canvas(backgrounds(rng, ROAD_SCENES, pose.ground))
    paint = pick(rng, CAR_PAINT, n)
    tall = chance(rng, 0.3, n)
    roof = np.where(
        tall.reshape(-1, 1, 1), uniform(rng, -0.65, -0.5, n), uniform(rng, -0.45, -0.3, n)
    )
    cabin = triangle(f, (-0.65, 0.0), (-0.4, roof), (0.35, roof))
    canvas.paint(cabin | triangle(f, (-0.65, 0.0), (0.35, roof), (0.6, 0.0)), paint)
    canvas.paint(box(f, -0.95, -0.3, roof, 0.0), paint, tall)
    glass = triangle(f, (-0.5, -0.03), (-0.35, roof + 0.06), (0.3, roof + 0.06))
    glass |= triangle(f, (-0.5, -0.03), (0.3, roof + 0.06), (0.48, -0.03))
    canvas.paint(glass, pick(rng, GLASS, n, jitter=8))
    canvas.paint(box(f, -1.0, 1.0, -0.05, 0.35), paint)
    canvas.paint(ellipse(f, 0.95, 0.05, 0.06, 0.05), LAMP)
    paint_wheels(canvas, f, (-0.6, 0.6), 0.35, 0.19)
    clutter(canvas, rng)
    return canvas.image()


def draw_trucks(rng: np.random.Generator, n: int) -> np.ndarray:
    """A cab and, behind it, a tall cargo box (mostly white or grey), or a pickup's low bed."""
    pose = place(rng, n, (14.4, 20.1), foot=0.55)
    f = pose.frame
    canvas = Canvas(backgrounds(rng, ROAD_SCENES, pose.ground))
    paint = pick(rng, TRUCK_PAINT, n)
    cargo = either(chance(rng, 0.7, n), pick(rng, CARGO, n, jitter=8), paint)
    pickup = chance(rng, 0.3, n).reshape(-1, 1, 1)
    top = np.where(pickup, uniform(rng, -0.15, 0.0, n), uniform(rng, -0.8, -0.5, n))
    canvas.paint(box(f, -1.0, 0.38, top, 0.3), cargo)
    canvas.paint(box(f, 0.42, 1.0, -0.45, 0.3), paint)  # cab
    canvas.paint(box(f, 0.62, 0.95, -0.38, -0.1), pick(rng, GLASS, n, jitter=8))
    canvas.paint(box(f, 0.38, 0.42, -0.1, 0.3), DARK * 2)  # the gap between cab and cargo
    paint_wheels(canvas, f, (-0.7, -0.35, 0.7), 0.33, 0.19)
    clutter(canvas, rng)
    return canvas.image()


# ---- all ten -----------------------------------------------------------------------------------

DRAWERS = (  # in the order of CLASSES
    draw_airplanes, draw_automobiles, draw_birds, draw_cats, draw_deer,
    draw_dogs, draw_frogs, draw_horses, draw_ships, draw_trucks,
)  # fmt: skip


def stand_in_images(count: int, generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`count` images (N, 32, 32, 3) uint8 and their labels, classes in equal shares."""
    labels = generator.permutation(np.arange(count) % len(CLASSES))
    images = np.empty((count, SIZE, SIZE, 3), np.uint8)
    for start in range(0, count, CHUNK):
        chunk = labels[start : start + CHUNK]
        drawn = np.empty((len(chunk), SIZE, SIZE, 3), np.float32)
        for label, draw in enumerate(DRAWERS):
            rows = chunk == label
            if rows.any():
                drawn[rows] = draw(generator, int(rows.sum()))
        images[start : start + CHUNK] = photograph(generator, drawn)
    return images, labels.astype(np.int64)


def photograph(rng: np.random.Generator, images: np.ndarray) -> np.ndarray:
    """What a camera adds to the painted images: soft edges, light, contrast, noise; 0..255."""
    n = len(images)
    images = soften(images)
    gain = rng.uniform(0.85, 1.15, (n, 1, 1, 1)) * (1 + 0.03 * rng.standard_normal((n, 1, 1, 3)))
    images *= gain.astype(np.float32)  # brighter or darker, slightly tinted
    images += rng.uniform(-10, 10, (n, 1, 1, 1)).astype(np.float32)
    mean = images.mean(axis=(1, 2, 3), keepdims=True)
    images -= mean
    images *= CONTRAST
    images += mean
    grain = rng.uniform(3, 12, (n, 1, 1, 1)).astype(np.float32)
    images += grain * rng.standard_normal((n, SIZE, SIZE, 1), dtype=np.float32)  # one per pixel
    return np.clip(images, 0, 255, out=images).astype(np.uint8)


def soften(images: np.ndarray) -> np.ndarray:
    """In place: each pixel half itself, half the mean of its 3 x 3 neighbourhood (the border
    rows and columns stay sharp)."""
    rows = images[:, :-2] + images[:, 1:-1] + images[:, 2:]  # (n, 30, 32, 3)
    blurred = (rows[:, :, :-2] + rows[:, :, 1:-1] + rows[:, :, 2:]) / 9  # (n, 30, 30, 3)
    images[:, 1:-1, 1:-1] = 0.5 * images[:, 1:-1, 1:-1] + 0.5 * blurred
    return images
