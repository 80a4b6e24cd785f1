"""Every sentence the site adds to the pages, in each language: one table.

    text("zh", "notebook")                          # "Jupyter 笔记本"
    text("en", "opener meta", minutes=12, ...)      # "About 12 minutes to read and run ..."
    badge(skip, "zh")                               # ("仅限 GPU", "需要 CUDA GPU。……")

The chapters' own prose is Markdown (docs/<page>.md, and its translation docs/<page>.zh.md); what
the site adds around it (the stamp, the badges, the opener's last line, the notes under tolerant
and GPU-only outputs, the notebook buttons, the home page's outline table, the notebooks' first
cell) is built from these templates by tools/site/chapter_page.py, tools/site/notebook_pages.py,
tools/site/notebooks.py and tools/site/notebook_setup.py. A skip directive's reason is part of
the page's syntax (the harness reports it in English); `REASONS` gives it in Chinese where it is
known. The Chinese strings keep to the edition's glossary, tools/site/glossary.py
(tests/test_glossary.py).
"""

from __future__ import annotations

from tools.pages.syntax import SkipIf

LANGUAGES = ("en", "zh")
TEXT = {
    "en": {
        "you will learn": "You will learn ",
        "opener meta": "About {minutes} minutes to read and run {blocks} code blocks ·"
        " {exercises} with solutions · {setup} to run it",
        "set up": "Set up",
        "exercises": "{count} exercise|{count} exercises",
        "minutes": "{minutes} min",
        "hours": "{hours} h {minutes:02d} min",
        "outline header": "| Chapter | You will learn |",
        "outline total": "In all: {chapters} chapters, about {time} of reading and running,"
        " {exercises} with solutions.",
        "notebook": "Notebook",
        "download notebook": "Download notebook",
        "open in colab": "Open in Colab",
        "permalink": "Permanent link",
        "search dialog": "Search",
        "source on github": "Source on GitHub",
        "chapter": "Chapter",  # a notebook page's button to its chapter, as "Notebook" is back
        "tolerance note": "Approximate output: the last digits vary with the hardware and the"
        " thread count.",
        "expected output": "Expected output: not yet run on a GPU",
        "verified output": "Verified on {device}, torch {torch}, {date}",
        "stamp summary": "Outputs verified with torch {version} on {device}{data} · {date}",
        "stand-in data": " · stand-in data",
        "cifar-10 data": " · CIFAR-10",
        "stamp gpu": " · GPU-only outputs: {proven} of {blocks} verified on a GPU",
        "stamp details": "Every output on this page{but_gpu} was printed by the code above it,"
        " run with torch {torch}{build} on {device} on {date}. Before the site is published, every"
        " block runs again and what it prints is compared with the page.",
        "but the gpu-only ones": " but the GPU-only ones",
        "build": " (the {build} build)",
        "sentence gap": " ",  # between two sentences the site puts together
        "data": " Data: {data}.",
        # The data a page's stamp names, as snippets.cifar10.describe_data words it.
        "data described": "{kind}, {split} split, {count} images",
        "data the stand-in": "the stand-in (synthetic images, not CIFAR-10)",
        "data CIFAR-10": "CIFAR-10",
        "data training": "training",
        "data test": "test",
        "gpu all proven": "Its {blocks}: {runs}.",
        "gpu none proven": "Its {blocks} show the expected output, marked as such: not yet run"
        " on a GPU.",
        "gpu some proven": "Of its {blocks}, {proven}: {runs}; the others show the expected"
        " output, marked as such: not yet run on a GPU.",
        "gpu-only output": "{count} GPU-only output|{count} GPU-only outputs",
        "gpu-only block": "{count} GPU-only block|{count} GPU-only blocks",
        "badge separator": ": ",  # between a badge's title and its sentence
        # What a learner on a CPU does: skip it, or run the "Without a GPU" block that follows.
        "badge gpu": "GPU only|{reason}. Without an NVIDIA GPU, skip it; where the next block is"
        " marked “Without a GPU”, run that one instead.",
        "badge no-gpu": "Without a GPU|runs where there is no CUDA GPU ({reason}).",
        "badge conditional": "Runs only where it applies|skipped when {reason}.",
        "notebook gpu note": "*The output shown under this cell: {shown}.*",
        "notebook verified": "verified {run}",
        "notebook expected": "expected, not yet run on a GPU",
        "proof run": "on {device}, torch {torch}, {date}",
        "setup comment": "# Setup: what this chapter imports, installed where it is missing, and"
        " the torch version\n# that verified the outputs below.",
        "setup needs comment": "# What this chapter imports, and what pip installs for each"
        " where it is missing:",
        "setup missing comment": "# e.g. in Colab, for the helper package",
        "setup printed": "outputs verified with torch {{VERIFIED_WITH}}; this runs torch"
        " {{torch.__version__}}",
        "setup warning": "another torch version: most outputs match; some messages may differ",
        "setup from a clone": "this chapter uses the helper package `snippets`: in a clone of the"
        " project's repository, run `pip install -e .`, then restart the kernel",
        "no repository install": "This build of the site does not know its repository, so there"
        " is no line to copy here: in a clone of the project, `pip install -e .` installs the"
        " helper package with PyTorch and torchvision.",
        "no repository clone": "In a clone of the project (this build of the site does not know"
        " its repository):",
        "serve comment": "installs everything into .venv on first use; http://127.0.0.1:8000",
    },
    "zh": {
        "you will learn": "你将学会",
        "opener meta": "阅读并运行 {blocks} 个代码块约需 {minutes} 分钟 · {exercises}（附解答） ·"
        " 运行前请先{setup}",
        "set up": "准备环境",
        "exercises": "{count} 道练习|{count} 道练习",
        "minutes": "{minutes} 分钟",
        "hours": "{hours} 小时 {minutes:02d} 分钟",
        "outline header": "| 章节 | 你将学会 |",
        "outline total": "合计：{chapters} 章，阅读并运行约需 {time}，{exercises}（附解答）。",
        "notebook": "Jupyter 笔记本",
        "download notebook": "下载 Jupyter 笔记本",
        "open in colab": "在 Colab 中打开",
        "permalink": "永久链接",
        "search dialog": "搜索",
        "source on github": "GitHub 上的源代码",
        "chapter": "返回本章",
        "tolerance note": "近似输出：最后几位数字随硬件和线程数而变。",
        "expected output": "预期输出：尚未在 GPU 上运行",
        "verified output": "已在 {device} 上验证，torch {torch}，{date}",
        "stamp summary": "输出已用 torch {version} 在 {device} 上验证{data} · {date}",
        "stand-in data": " · 替代数据集",
        "cifar-10 data": " · CIFAR-10",
        "stamp gpu": " · 仅限 GPU 的输出：{blocks} 个中有 {proven} 个已在 GPU 上验证",
        "stamp details": "本页{but_gpu}的每个输出都由其上方的代码打印，"
        "运行环境为 torch {torch}{build}，{device}，{date}；"
        "网站发布之前，每个代码块都会重新运行，其输出会与页面上的内容逐一比较。",
        "but the gpu-only ones": "除仅限 GPU 的输出外",
        "build": "（{build} 版本）",
        "sentence gap": "",
        "data": "数据：{data}。",
        "data described": "{kind}，{split}，{count} 张图像",
        "data the stand-in": "离线替代数据集（合成图像，不是 CIFAR-10）",
        "data CIFAR-10": "CIFAR-10",
        "data training": "训练集",
        "data test": "测试集",
        "gpu all proven": "它的 {blocks}：{runs}。",
        "gpu none proven": "它的 {blocks}显示的是预期输出，并已注明：尚未在 GPU 上运行。",
        "gpu some proven": "它的 {blocks}中，{proven} 个：{runs}；"
        "其余显示预期输出，并已注明：尚未在 GPU 上运行。",
        "gpu-only output": "{count} 个仅限 GPU 的输出|{count} 个仅限 GPU 的输出",
        "gpu-only block": "{count} 个仅限 GPU 的代码块|{count} 个仅限 GPU 的代码块",
        "badge separator": "：",
        "badge gpu": "仅限 GPU|{reason}。没有 NVIDIA GPU 时请跳过它；"
        "如果下一个代码块标着“无 GPU 时”，就改为运行那一个。",
        "badge no-gpu": "无 GPU 时|在没有 CUDA GPU 的地方运行（{reason}）。",
        "badge conditional": "仅在适用时运行|以下情况跳过：{reason}。",
        "notebook gpu note": "*此单元格下方显示的输出：{shown}。*",
        "notebook verified": "已验证，{run}",
        "notebook expected": "预期输出，尚未在 GPU 上运行",
        "proof run": "{device}，torch {torch}，{date}",
        "setup comment": "# 准备：安装本章导入但缺少的包，并显示验证下方输出所用的 torch 版本。",
        "setup needs comment": "# 本章导入的模块，以及缺少时 pip 为其安装的包：",
        "setup missing comment": "# 例如在 Colab 中，缺少的是辅助包",
        "setup printed": "输出已用 torch {{VERIFIED_WITH}} 验证；当前运行的是 torch"
        " {{torch.__version__}}",
        "setup warning": "torch 版本不同：大多数输出一致，部分消息的措辞可能不同",
        "setup from a clone": "本章使用辅助包 `snippets`：请在项目仓库的克隆中运行"
        " `pip install -e .`，然后重启内核",
        "no repository install": "这次构建的网站不知道自己的仓库，因此这里没有可复制的命令："
        "在项目的克隆中，`pip install -e .` 会安装辅助包以及 PyTorch 和 torchvision。",
        "no repository clone": "在项目的克隆中（这次构建的网站不知道自己的仓库）：",
        "serve comment": "首次使用时把一切安装到 .venv；http://127.0.0.1:8000",
    },
}
# A skip directive's reason, as the harness reports it, in Chinese.
REASONS = {
    "needs a CUDA GPU": "需要 CUDA GPU",
    "needs the real CIFAR-10 download; CIFAR10_STAND_IN=1 selects the stand-in": (
        "需要下载真实的 CIFAR-10；CIFAR10_STAND_IN=1 选择的是替代数据集"
    ),
    "where CUDA exists, the block above runs instead": "有 CUDA 的环境改为运行上面的代码块",
    "this machine has an accelerator": "这台机器有加速器",
}


def text(language: str, key: str, **fields) -> str:
    """The sentence `key` in `language`, its fields filled in."""
    return TEXT[language][key].format(**fields)


def counted(language: str, key: str, count: int) -> str:
    """A count with its noun, in the singular or the plural form of `key` ("1 exercise")."""
    one, many = TEXT[language][key].split("|")
    return (one if count == 1 else many).format(count=count)


def reason(skip: SkipIf, language: str) -> str:
    return REASONS.get(skip.reason, skip.reason) if language == "zh" else skip.reason


def badge(skip: SkipIf, language: str) -> tuple[str, str]:
    """(title, sentence) of the badge the site shows before a skipped block."""
    title, sentence = TEXT[language][f"badge {skip.kind}"].split("|")
    return title, sentence.format(reason=reason(skip, language))


def language_root(language: str) -> str:
    """Where a language's pages are, from the site's root: the Chinese edition's in zh/."""
    return "" if language == "en" else f"{language}/"
