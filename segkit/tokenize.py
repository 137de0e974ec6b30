"""Word tokens for TF-IDF and keywords, for English, Chinese and text mixing both.

Latin-script words come from a regex; runs of Chinese characters are cut into words by
jieba (loaded only when Chinese appears, since its dictionary takes a second to load).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from segkit.privacy.base import PLACEHOLDER_PATTERN

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# A word may hold asterisks inside ("f***ing", "sh*t"): masked words stay one token (not
# "ing"), so segment names can recognise and refuse them (segkit/describe/naming.py).
_LATIN_WORD = re.compile(r"[^\W\d_][\w'’*-]*[^\W_]|[^\W\d_]", re.UNICODE)

# Review-specific filler on top of sklearn's English list: words every segment uses.
_EXTRA_ENGLISH = {
    "really", "just", "like", "get", "got", "one", "would", "also", "even", "much", "bit",
    "im", "i'm", "it's", "its", "don't", "didn't", "dont", "didnt", "can't", "cant", "ve",
    "ll", "s", "t", "don", "did", "does", "doesn", "isn", "wasn", "won", "will", "still",
    # Names of HTML entities left in scraped text ("&quot;", "#39;" with the & lost).
    "quot", "amp", "lt", "gt", "nbsp", "apos",
}
_CHINESE_STOP_WORDS = set(
    "的 了 是 我 你 他 她 它 们 在 也 和 就 都 而 及 与 着 或 一个 没有 我们 你们 他们 这 那 这个 那个 "
    "之 吧 吗 呢 啊 哦 呀 很 还 又 让 被 给 把 对 但 但是 因为 所以 如果 就是 还是 什么 怎么 "
    "可以 不 没 有 要 会 能 说 去 来 到 上 下 个 为 以 于 中 从 自己 这样 那样 已经 非常 比较 "
    "一下 一些 一直 然后 其实 感觉 觉得 真的 东西 这么 那么 现在 时候".split()
)
# More Chinese words that every segment uses: question words and fillers of titles and
# reviews, numerals and units, and single characters that are function words (a single
# character that names a thing, like 车 or 钱, stays a token).
_CHINESE_FILLER = set(
    "为什么 如何 哪些 为何 怎样 哪个 哪里 哪 谁 啥 咋 几 到底 多少 怎么样 怎么办 是否 看待 知道 "
    "这些 那些 这种 那种 这里 那里 这是 那是 不是 不会 不能 不要 不用 可能 应该 需要 还有 还会 "
    "一样 大家 以及 或者 而且 并且 虽然 然而 不过 只是 只有 而是 一般 一定 一次 一起 一种 一点 "
    "之后 之前 以后 以前 其中 如此 有点 有些 有的 出来 起来 下来 上来 的话 而已 没什么 "
    "特别 十分 真是 确实 简直 挺 蛮 哈哈 哈哈哈 呵呵 嗯嗯 啦 嘛 哈 呗 么 哇 嗯 哎 哟 喔 您 咱 "
    "将 却 最 更 再 才 该 已 等 向 并 只 当 比 里 过 得 太 可 地 其 此 每 各 些 则 即 便 若 且 "
    "至 由 所 自 好 看 人 做 用 想 多 大 小 新 一 二 三 四 五 六 七 八 九 十 百 千 万 亿 "
    "年 月 日 号 天 次 岁 元 块 点 分 第 时 丨 后 前 出 成 跟 因 曾 竟 仅 起 真 请 像 "
    "很多 什么样 有没有 终于 最后 看到 看看".split()
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | _EXTRA_ENGLISH | _CHINESE_STOP_WORDS | _CHINESE_FILLER)


def has_cjk(text: str) -> bool:
    return _CJK_RUN.search(text) is not None


def cjk_share(texts) -> float:
    """Share of the non-space characters, over all texts, that are CJK ideographs."""
    cjk = total = 0
    for text in texts:
        text = str(text)
        total += sum(1 for ch in text if not ch.isspace())
        cjk += sum(len(run) for run in _CJK_RUN.findall(text))
    return cjk / total if total else 0.0


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize(text: str, drop_stop_words: bool = True) -> list[str]:
    """Lower-cased word tokens; Chinese runs segmented into words."""
    # A masked value ("[PHONE]") is no word: it must not count as "phone" in keywords.
    text = PLACEHOLDER_PATTERN.sub(" ", str(text))
    # NFKC folds full-width Latin letters and digits (ｉＰｈｏｎｅ) into ASCII ones.
    text = unicodedata.normalize("NFKC", html.unescape(text)).lower()
    tokens: list[str] = []
    position = 0
    for match in _CJK_RUN.finditer(text):
        tokens.extend(_LATIN_WORD.findall(text[position:match.start()]))
        tokens.extend(w for w in _jieba().lcut(match.group()) if w.strip())
        position = match.end()
    tokens.extend(_LATIN_WORD.findall(text[position:]))
    if drop_stop_words:
        # Single Latin letters carry nothing; a single Chinese character can be a word.
        tokens = [t for t in tokens if t not in STOP_WORDS and (len(t) > 1 or _CJK_RUN.match(t))]
    return tokens
