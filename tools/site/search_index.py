"""Search in the reader's language: an index per language, Chinese cut into the course's words.

Material's search plugin writes one index, site/search/search_index.json, and the i18n plugin
fills it with the pages of both languages, so an English query listed Chinese pages and a
Chinese query English ones. Here each language's pages get their own index, in their own folder
(search/ for English, zh/search/ for Chinese), with their own lunr language; a Chinese page's
search looks there (`with_search_base`: its Material config's `base` is the zh/ folder, which is
also what its results' links are relative to).

Material segments Chinese with jieba (where it is installed), which splits some of the course's
terms: 学习率 into 学习/率, 优化器 into 优化/器. `SEARCH_WORDS` are added to jieba's dictionary,
so that they are one word in the index, which a query finds and highlights whole. Material's
search worker cuts a Chinese query into the index's words, but never tried a word that ends with
the query's last character (`fix_worker`): 学习率 was searched as 学习, 张量 as 张.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

from tools.site.site_text import language_root

INDEXES = "pet_search_indexes"  # config.extra key: each language's index, as its build made it

# The course's terms that jieba's own dictionary cuts in two or three (学习率 -> 学习/率): each is
# one idea, which a reader types whole. Terms that are two words (损失函数, loss function) stay
# two words, so that 函数 still finds them.
SEARCH_WORDS = (
    "学习率",
    "批大小",
    "优化器",
    "数据集",
    "训练集",
    "验证集",
    "测试集",
    "数据加载器",
    "自动求导",
    "反向传播",
    "前向传播",
    "计算图",
    "过拟合",
    "叶子张量",
    "混合精度",
    "随机种子",
)

# The "base" of Material's page config (<script id="__config">): the site's root from the page.
CONFIG_BASE = re.compile(
    r'(<script id="__config" type="application/json">\{[^<]*?"base": ")([^"]*)"'
)


# In Material's search worker (9.8.2, minified): for each start `s` of a Chinese query `t`, the
# longest word of the index (`e`) that starts there; `o` is where the word ends, and it stopped
# one short of the query's end, so the whole query was never a word.
QUERY_WORDS = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e"
QUERY_WORDS_FIXED = "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"


def add_search_words() -> None:
    """Teach jieba the course's terms (without jieba, Material indexes Chinese unsegmented)."""
    try:
        import jieba
    except ImportError:
        return
    jieba.setLogLevel(logging.WARNING)  # its dictionary's loading is news to no one building
    for word in SEARCH_WORDS:
        jieba.add_word(word)


def remember_index(config, language: str) -> None:
    """Keep the index of the pages just built (`language`'s only, before the i18n plugin merges
    the languages), with that language alone for lunr and links relative to its folder."""
    search = config.plugins["material/search"]
    index = json.loads(search.search_index.generate_search_index(None))
    index["config"]["lang"] = [language]
    root = language_root(language)
    for doc in index["docs"]:
        doc["location"] = doc["location"].removeprefix(root)
    config.extra.setdefault(INDEXES, {})[language] = json.dumps(
        index, ensure_ascii=False, separators=(",", ":")
    )


def write_indexes(config) -> None:
    """Each language's index into its folder, over the merged one the i18n plugin wrote."""
    for language, index in config.extra.get(INDEXES, {}).items():
        path = Path(config.site_dir) / language_root(language) / "search" / "search_index.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(index, encoding="utf-8")


def with_search_base(html: str, language: str) -> str:
    """A page of the Chinese edition searches the Chinese index: Material fetches
    <base>/search/search_index.json and resolves its results from <base>, so the base becomes the
    zh/ folder (the trailing slash matters to the browser's URL resolution)."""
    root = language_root(language)
    if not root:
        return html
    return CONFIG_BASE.sub(lambda found: f'{found[1]}{found[2]}/{root}"', html, count=1)


def fix_worker(site_dir: str) -> None:
    """Material's search worker, as the site serves it, tries words up to the query's end."""
    for worker in Path(site_dir).glob("assets/javascripts/workers/search.*.min.js"):
        code = worker.read_text(encoding="utf-8")
        if QUERY_WORDS_FIXED in code:
            continue  # this build's folder was fixed by an earlier build
        if QUERY_WORDS not in code:
            raise PluginError(
                f"{worker.name}: Material's search worker changed; see whether its Chinese"
                " queries still lose their last word (tools/site/search_index.py QUERY_WORDS)"
            )
        worker.write_text(code.replace(QUERY_WORDS, QUERY_WORDS_FIXED), encoding="utf-8")
