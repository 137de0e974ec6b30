"""User-facing words of the cold-start and leakage-free evaluation, English and Chinese.

Kept here until the lead folds them into the dashboard's data files; the placeholders
are the same in both languages. `say(key, lang, **values)` fills one.
"""

from __future__ import annotations

EN = {
    "group.warm": "Warm users (full history)",
    "group.thin": "Thin history (1-2 training items)",
    "group.new": "New users (sign-up review only)",
    "who.warm": "warm users",
    "who.thin": "users with 1-2 training items",
    "who.new": "new (cold-start) users",
    "method.global_popularity": "Global popularity",
    "method.segment_popularity": "Segment popularity",
    "method.segment_popularity_shuffled": "Segment popularity, shuffled segments (control)",
    "method.text_knn": "Nearest users by embedding",
    "method.item_knn": "Item-kNN",
    "method.hybrid_segment": "Hybrid: item-kNN + segment prior",
    "method.hybrid_global": "Hybrid: item-kNN + global prior, same weight (control)",
    "verdict.segments_gain": "Segments help {group}: {gain:+.4f} NDCG@{k} [{low:+.4f}, {high:+.4f}] over global popularity.",
    "verdict.segments_none": "Segments: no measurable gain for {group} over global popularity "
                             "({gain:+.4f} NDCG@{k} [{low:+.4f}, {high:+.4f}]).",
    "verdict.segments_loss": "Segments do worse than global popularity for {group}: {gain:+.4f} NDCG@{k} "
                             "[{low:+.4f}, {high:+.4f}].",
    "verdict.hybrid_gain": "The segment prior improves item-kNN for {group}: {gain:+.4f} NDCG@{k} "
                           "[{low:+.4f}, {high:+.4f}] (weight {weight:.1f}).",
    "verdict.hybrid_none": "The segment prior: no measurable gain over item-kNN for {group} "
                           "({gain:+.4f} NDCG@{k} [{low:+.4f}, {high:+.4f}], weight {weight:.1f}).",
    "verdict.hybrid_loss": "The segment prior makes item-kNN worse for {group}: {gain:+.4f} NDCG@{k} "
                           "[{low:+.4f}, {high:+.4f}] (weight {weight:.1f}).",
    "verdict.prior_gain": "For {group} that gain comes from the segments: {gain:+.4f} NDCG@{k} [{low:+.4f}, "
                          "{high:+.4f}] over the same blend with global popularity as the prior.",
    "verdict.prior_none": "For {group} the segments add nothing measurable to the blend: with global popularity as "
                          "the prior it does as well ({gain:+.4f} NDCG@{k} [{low:+.4f}, {high:+.4f}]).",
    "verdict.prior_loss": "For {group} the blend does better with global popularity than with the segment prior: "
                          "{gain:+.4f} NDCG@{k} [{low:+.4f}, {high:+.4f}].",
    "column.method": "Method",
    "column.users": "Users",
    "column.hit_rate": "Hit rate@{k}",
    "column.ndcg": "NDCG@{k}",
    "column.gain": "NDCG@{k} vs global popularity [95% CI]",
    "label.leakage_free": "leakage-free",
    "label.optimistic": "optimistic",
    "caveat.leakage_free": "Segments were re-built from training-period text only ({users} users); held-out "
                           "and new users were assigned with the saved model and never entered the fit.",
    "caveat.optimistic": "Optimistic: these segments were built from text that includes the held-out "
                         "interactions' reviews, so the gain can be overstated. Reason: {reason}",
    "reason.no_link": "the text table has neither the item column nor the time column, so its training-period "
                      "rows cannot be told apart",
    "reason.refit_failed": "re-segmenting the training-period text failed ({error})",
}

ZH = {
    "group.warm": "老用户（完整历史）",
    "group.thin": "历史很少的用户（训练中只有 1-2 个物品）",
    "group.new": "新用户（只有注册时的一条评论）",
    "who.warm": "老用户",
    "who.thin": "只有 1-2 个训练物品的用户",
    "who.new": "新用户（冷启动）",
    "method.global_popularity": "全局热门",
    "method.segment_popularity": "分群热门",
    "method.segment_popularity_shuffled": "分群热门，打乱分群（对照）",
    "method.text_knn": "嵌入最相近的用户",
    "method.item_knn": "物品近邻（item-kNN）",
    "method.hybrid_segment": "混合：物品近邻 + 分群先验",
    "method.hybrid_global": "混合：物品近邻 + 全局先验，相同权重（对照）",
    "verdict.segments_gain": "分群对{group}有帮助：NDCG@{k} 比全局热门高 {gain:+.4f} [{low:+.4f}, {high:+.4f}]。",
    "verdict.segments_none": "分群：对{group}与全局热门相比没有可测的提升"
                             "（NDCG@{k} {gain:+.4f} [{low:+.4f}, {high:+.4f}]）。",
    "verdict.segments_loss": "对{group}，分群比全局热门更差：NDCG@{k} {gain:+.4f} [{low:+.4f}, {high:+.4f}]。",
    "verdict.hybrid_gain": "分群先验改进了{group}的物品近邻推荐：NDCG@{k} {gain:+.4f} "
                           "[{low:+.4f}, {high:+.4f}]（权重 {weight:.1f}）。",
    "verdict.hybrid_none": "分群先验：对{group}与物品近邻相比没有可测的提升"
                           "（NDCG@{k} {gain:+.4f} [{low:+.4f}, {high:+.4f}]，权重 {weight:.1f}）。",
    "verdict.hybrid_loss": "分群先验让{group}的物品近邻推荐变差：NDCG@{k} {gain:+.4f} "
                           "[{low:+.4f}, {high:+.4f}]（权重 {weight:.1f}）。",
    "verdict.prior_gain": "对{group}，这一提升来自分群：比以全局热门为先验的同样混合高 NDCG@{k} {gain:+.4f} "
                          "[{low:+.4f}, {high:+.4f}]。",
    "verdict.prior_none": "对{group}，分群没有给混合带来可测的提升：以全局热门为先验效果相当"
                          "（NDCG@{k} {gain:+.4f} [{low:+.4f}, {high:+.4f}]）。",
    "verdict.prior_loss": "对{group}，以全局热门为先验的混合比分群先验更好：NDCG@{k} {gain:+.4f} "
                          "[{low:+.4f}, {high:+.4f}]。",
    "column.method": "方法",
    "column.users": "用户数",
    "column.hit_rate": "命中率@{k}",
    "column.ndcg": "NDCG@{k}",
    "column.gain": "NDCG@{k} 相对全局热门 [95% 置信区间]",
    "label.leakage_free": "无泄漏",
    "label.optimistic": "偏乐观",
    "caveat.leakage_free": "分群只用训练期的文本重新构建（{users} 个用户）；留出的用户和新用户由保存的模型分配，"
                           "从未参与拟合。",
    "caveat.optimistic": "偏乐观：这些分群所用的文本包含了被留出交互的评论，提升可能被高估。原因：{reason}",
    "reason.no_link": "文本表既没有物品列也没有时间列，无法区分训练期的行",
    "reason.refit_failed": "用训练期文本重新分群失败（{error}）",
}

WORDS = {"en": EN, "zh": ZH}


def say(key: str, lang: str = "en", **values) -> str:
    """The sentence `key` in `lang` ('en' or 'zh'; anything else falls back to English)."""
    table = WORDS.get(lang, EN)
    return table.get(key, EN[key]).format(**values)
