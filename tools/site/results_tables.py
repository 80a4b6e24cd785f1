"""The benchmark results tables (benchmarks/results/), in Chinese, for the Chinese edition.

    text = results_table("benchmarks/results/training-speed-cpu.md", "zh")   # the table, in Chinese
    markdown = with_results_tables(markdown, "zh")     # a page's includes of them, written out
    untranslated("benchmarks/results/training-speed-cpu.md")                  # [] when all is

The benchmark scripts write their tables in English, from measured numbers. A chapter of the
Chinese edition includes the same file as its English page (`--8<-- "benchmarks/results/..."`,
which tools/site/translations.py proves equal); the site hooks and the notebooks put the table in
its place, in the page's language. It changes words only: PHRASES, in order, rewrite what the
scripts write around the numbers, and tests/test_translations.py checks that every committed
table comes out with the same numbers in the same order and no English left but code names and
machine names (KEEP). A table with a new phrase fails that test, naming the words to add here.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
INCLUDE = re.compile(r'^--8<-- "(?P<path>benchmarks/results/[\w.-]+\.md)"$', re.M)
NUMBER = r"[\d.,]+"
# (pattern, replacement), applied in this order: longer phrases before the words inside them.
PHRASES = [
    # The releases checked (benchmarks/results/torch-versions.md, tools/verify/versions.py). A
    # printed line stays as it is, in its code span.
    (
        r"The outputs on this site are verified with torch ([\d.]+) and torchvision ([\d.]+)"
        r" \(constraints\.txt\)\. Each column is a torch release: blocks that run / blocks that"
        r" print what the page shows\.",
        r"本站的输出用 torch \1 与 torchvision \2 核对（constraints.txt）。每一列是一个 torch"
        r" 版本：能运行的代码块数 / 印出页面上的输出的代码块数。",
    ),
    (
        r"torch ([\d.]+), torchvision ([\d.]+): (\d+) of (\d+) blocks run, (\d+) print what the"
        r" page shows\. Checked (\d{4}-\d\d-\d\d) \(([^)]*)\)\.",
        r"torch \1，torchvision \2：能运行的代码块 \3 个（共 \4 个），\5 个印出页面上的输出。"
        r"核对于 \6（\7）。",
    ),
    (r"\| chapter \| blocks \|", "| 章节 | 代码块 |"),
    (r"Nothing differs\.", "没有不同之处。"),
    (
        r"block (\d+): prints (`[^`]*`) where the page shows (`[^`]*`)",
        r"第 \1 个代码块：印出 \2，页面上是 \3",
    ),
    (r"block (\d+): prints more: (`[^`]*`)", r"第 \1 个代码块：多印出 \2"),
    (r"block (\d+): prints less, not (`[^`]*`)", r"第 \1 个代码块：少印出 \2"),
    (r"block (\d+): raises (`[^`]*`)", r"第 \1 个代码块：抛出 \2"),
    (r"block (\d+): did not finish", r"第 \1 个代码块：没有运行完"),
    (r"block (\d+): not reached", r"第 \1 个代码块：没有运行到"),
    (r"blocks (\d+) to (\d+): not reached", r"第 \1 至 \2 个代码块：没有运行到"),
    (r"block (\d+): shows another figure or value", r"第 \1 个代码块：显示的图或值不同"),
    (r"not run: (`[^`]*`)", r"没有运行：\1"),
    (r"(\d+) cores\b", r"\1 核"),
    # The GPU table before any GPU run (benchmarks/results/training-speed-gpu.md).
    (
        r"\*Not measured on a GPU yet\. This site prints no GPU figure that no run produced: the"
        r" table takes\s+this place once `make gpu-check` \(which runs"
        r" `benchmarks/training_speed\.py --write`\) has run on a\s+CUDA machine\.\*",
        "*尚未在 GPU 上测量。本站不印出任何没有运行支持的 GPU 数字：在 CUDA 机器上"
        "运行过 `make gpu-check`（它会运行 `benchmarks/training_speed.py --write`）之后，"
        "这里会换成那张表。*",
    ),
    # Headers.
    (rf"recipe, (CPU|GPU) \(({NUMBER}) stand-in images\)", r"配方，\1（\2 张替代数据集图像）"),
    (r"\| images/s \| epoch \| speed-up \|", "| 图像/秒 | 每轮用时 | 加速比 |"),
    (
        r"\| trained for \| time \| val accuracy \| speed-up \|",
        "| 训练量 | 用时 | 验证准确率 | 加速比 |",
    ),
    (
        r"\| device \| machine \| time per (\d+) x (\d+) matmul \| GFLOP/s \| torch"
        r" \| measured on \|",
        r"| 设备 | 机器 | 每次 \1 x \2 矩阵乘法用时 | GFLOP/s | torch | 测量日期 |",
    ),
    # The notes under the tables.
    (
        rf"Validation accuracy after (\d+) epochs of InMemoryBatches, channels_last: batch (\d+)"
        rf" \(lr ({NUMBER})\) ({NUMBER}%), batch (\d+) \(lr ({NUMBER})\) ({NUMBER}%)\.",
        r"InMemoryBatches 与 channels_last 训练 \1 轮后的验证准确率：批大小 \2（lr \3）为 \4，"
        r"批大小 \5（lr \6）为 \7。",
    ),
    (
        rf"Evaluation of ({NUMBER}) test images: no_grad ({NUMBER}) s, inference_mode ({NUMBER})"
        rf" s \(({NUMBER})x\)\.",
        r"评估 \1 张测试图像：no_grad 用 \2 s，inference_mode 用 \3 s（\4x）。",
    ),
    (
        rf"The target is the first row's validation accuracy after (\d+) epochs, ({NUMBER}%) on"
        rf" the stand-in's ({NUMBER}) test images\. The other rows check theirs every 1/(\d+)"
        r" epoch and stop at the target; the checks are not timed, decoding the data is\. Each"
        r" row is the faster of two identical runs\.",
        r"目标是第一行训练 \1 轮后的验证准确率 \2（在替代数据集的 \3 张测试图像上）。"
        r"其他各行每隔 1/\4 轮检查一次准确率，达到目标即停止；检查不计时，解码数据计时。"
        r"每一行取两次相同运行中较快的一次。",
    ),
    (r"Measured on (.+), torch ([\d.]+), (\d{4}-\d\d-\d\d)\.", r"测量环境：\1，torch \2，\3。"),
    (r"bf16 instructions unknown", "bf16 指令未知"),
    (r"no bf16 instructions", "无 bf16 指令"),
    (r"bf16 instructions: ", "bf16 指令："),
    (r"(\d+) threads", r"\1 个线程"),
    # The rows' recipes.
    (r"the chapters' recipe, the notes' way: ", "各章的配方，课程笔记的写法："),
    (r"DataLoader \((\d+) workers, pinned\)", r"DataLoader（\1 个工作进程，锁页内存）"),
    (r"(\d+) DataLoader worker processes", r"\1 个 DataLoader 工作进程"),
    (
        r"InMemoryBatches instead of the DataLoader \(decoded once\)",
        "用 InMemoryBatches 代替 DataLoader（只解码一次）",
    ),
    (
        r"InMemoryBatches on the CPU, each batch copied to the GPU",
        "InMemoryBatches 在 CPU 上，每个批次复制到 GPU",
    ),
    (r"data resident in GPU memory", "数据常驻 GPU 显存"),
    (r"CUDA graph of the whole step", "整个训练步的 CUDA 图"),
    (r"\(no CUDA graph\)", "（不用 CUDA 图）"),
    (r"\(CUDA graph\)", "（CUDA 图）"),
    (r"PIL transforms", "PIL 变换"),
    (r"lr ([\d.]+) \(scaled with the batch\)", r"lr \1（随批大小缩放）"),
    (r"AdamW warmed up to lr", "AdamW 预热到 lr"),
    (r"cosine decay over 1 epoch\b", "在 1 轮内余弦衰减"),
    (r"cosine decay over (\S+) epochs", r"在 \1 轮内余弦衰减"),
    (rf"\+ ({NUMBER}) s to decode, once", r"+ 解码 \1 s，仅一次"),
    (rf"\+ ({NUMBER}) s to capture, once", r"+ 捕获 \1 s，仅一次"),
    (
        rf"\+ ({NUMBER}) s to compile with an empty cache, ({NUMBER}) s with a warm one",
        r"+ 缓存为空时编译 \1 s，缓存已热时 \2 s",
    ),
    (rf"\+ ({NUMBER}) s to compile with an empty cache", r"+ 缓存为空时编译 \1 s"),
    (
        r": not measured, to stay within the run's time limit\.",
        "：未测量，以免超出这次运行的时间限制。",
    ),
    (r"failed: (\w+)", r"失败：\1"),
    (r"not reached", "未达到"),
    (r"\| ([\d.]+) epochs? \|", r"| \1 轮 |"),
    (r"batch (\d+)", r"批大小 \1"),
]
# Punctuation last, outside code spans: the commas and brackets that are left sit between
# Chinese words; a printed line keeps its own.
PUNCTUATION = [(r", ", "，"), (r" \(([^()|]*)\)", r"（\1）")]
CODE_SPAN = re.compile(r"(`[^`\n]*`)")
LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")
# English that stays: code names, units, hardware and data names.
KEEP = {
    "AdamW", "ATen", "AVX2", "AVX512", "autocast", "bf16", "channels_last", "compile", "cpu",
    "CPU", "cuda", "CUDA", "DataLoader", "float32", "GFLOP", "GPU", "InMemoryBatches",
    "inference_mode", "lr", "momentum", "ms", "s", "x", "NCHW", "no_grad", "PIL", "SGD", "torch",
    "make", "gpu", "check", "benchmarks", "training_speed", "py", "write",
    "torchvision", "constraints", "txt",
}  # fmt: skip
# Names of machines: whatever the scripts found (a CPU model, a GPU's name) stays as it is.
MACHINE = re.compile(
    r"测量环境：[^（，]*(?:（[^）]*）)?"  # the CPU or GPU, as the script named it
    r"|\| (?:cuda|cpu) \| [^|]* \|"  # a device, in the matmul table
    r"|\d+\.\d+\.\d+\+\w+"  # a torch build, 2.11.0+cu130
    r"|核对于 [\d-]+（[^）]*）"  # the machine a release was checked on
)


def results_table(path: str, language: str) -> str:
    """A results file's text in `language` (English: as the script wrote it)."""
    return translate((ROOT / path).read_text(encoding="utf-8"), language)


def translate(text: str, language: str) -> str:
    """A results table's text in `language`: PHRASES, then PUNCTUATION outside code spans."""
    if language == "en":
        return text
    for pattern, replacement in PHRASES:
        text = re.sub(pattern, replacement, text)
    parts = CODE_SPAN.split(text)  # odd parts are code spans
    for number in range(0, len(parts), 2):
        for pattern, replacement in PUNCTUATION:
            parts[number] = re.sub(pattern, replacement, parts[number])
    return "".join(parts)


def with_results_tables(markdown: str, language: str, on_site: bool = False) -> str:
    """A page's Markdown with each results table it includes written out, in `language`: for the
    site's pages (`on_site`: each in a box that a phone's style sheet can lay out, see
    for_the_site), and for the notebooks, where an include line would show as it is."""

    def written(found: re.Match) -> str:
        text = results_table(found["path"], language).rstrip("\n")
        return for_the_site(text) if on_site else text

    return INCLUDE.sub(written, markdown)


# A first column longer than this (a recipe) would wrap over many lines of a phone's screen
# beside the result columns, or push them out of sight; so would more columns than this.
LONG_FIRST_COLUMN = 24
MANY_COLUMNS = 4


def for_the_site(text: str) -> str:
    """A results file in a `results-table` box (md_in_html). Where its table's first column is
    long or its columns many, the box is marked `results-table--stacked`, with the number of
    columns to show under it: on a phone each row then shows its first cell on a line of its own
    and the results in columns under it (docs/stylesheets/extra.css), every column in sight."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    longest = max((len(row[0]) for row in cells), default=0)
    if not cells or (longest <= LONG_FIRST_COLUMN and len(cells[0]) <= MANY_COLUMNS):
        return f'<div class="results-table" markdown>\n\n{text}\n\n</div>'
    others = len(cells[0]) - 1
    # More than MANY_COLUMNS results: on two lines of columns under the first cell.
    columns = others if others <= MANY_COLUMNS else math.ceil(others / 2)
    return (
        f'<div class="results-table results-table--stacked" style="--results-columns: {columns}"'
        f" markdown>\n\n{text}\n\n</div>"
    )


def untranslated(path: str) -> list[str]:
    """The English words left in a results file's Chinese rendering (beyond KEEP and machines)."""
    return untranslated_text(results_table(path, "zh"))


def untranslated_text(chinese: str) -> list[str]:
    """The English words of a translated table, beyond KEEP, machine names, code spans (what a
    run printed) and links (a page's file name)."""
    rest = LINK.sub("", CODE_SPAN.sub("", MACHINE.sub("", chinese)))
    return sorted({word for word in re.findall(r"[A-Za-z][A-Za-z_0-9]*", rest)} - KEEP)


def numbers(text: str) -> list[str]:
    """The numbers of a text, in order: a translation keeps every one."""
    return re.findall(r"\d+(?:[.,]\d+)*", text)
