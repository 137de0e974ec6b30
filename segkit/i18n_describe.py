"""Words of the real-unit profile, sentiment and bootstrap stability (issue 13), both languages.

Kept apart from segkit/i18n.py's big catalogs; segkit.i18n merges them into EN / ZH.
"""

from __future__ import annotations

EN = {
    "desc.units": "In real units",
    "desc.th_trait": "Trait",
    "desc.th_segment": "This segment",
    "desc.th_all": "Everyone",
    "desc.th_diff": "Difference",
    "desc.th_lift": "Lift",
    "desc.mean_median": "mean {mean} · median {median}",
    "desc.cells_note": "Cells: mean (median), in the trait's own units.",
    "desc.welch_note": "● significant: Welch's t-test of the segment against all other users, Bonferroni-corrected "
                       "over every segment and trait, p < 0.05. Lift = segment mean / everyone's mean (only for "
                       "traits that are never negative).",
    "desc.over": "More common here",
    "desc.under": "Less common here",
    "desc.none_significant": "no value differs significantly",
    "desc.cat_note": "Share in this segment vs among everyone, × lift; only values that differ significantly "
                     "(two-proportion z-test, segment vs the rest, Bonferroni-corrected, p < 0.05).",
    "desc.sentiment": "Sentiment of its reviews",
    "desc.sentiment_shares": "{pos} positive · {neu} neutral · {neg} negative · mean score {mean} "
                             "(−1 … +1; everyone {all_mean})",
    "desc.sentiment_note": "Each review scored offline: VADER for English, SnowNLP's model for Chinese. "
                           "{n} reviews of this segment scored.",
    "desc.rating_beside": "Rating beside it: {trait} {mean} vs {all} for everyone.",
    "desc.bootstrap_title": "Best-match Jaccard agreement of its members when the method is refitted on {repeats} "
                            "seeded {fraction} resamples of the users (1 = always found again exactly)",
    "desc.fact_bootstrap": "agreement of segments refitted on 80% resamples (bootstrap, deterministic method)",
    "exp.opt_sentiment": "sentiment (mean review score)",
    "desc.sentiment_trait": "Use sentiment as a trait",
    "desc.sentiment_trait_help": "Adds each user's mean review sentiment (−1 … +1, VADER / SnowNLP) to the "
                                 "behaviour traits that are fused with the text (off by default).",
}

ZH = {
    "desc.units": "真实单位",
    "desc.th_trait": "特征",
    "desc.th_segment": "本分群",
    "desc.th_all": "全体用户",
    "desc.th_diff": "差值",
    "desc.th_lift": "提升度",
    "desc.mean_median": "均值 {mean} · 中位数 {median}",
    "desc.cells_note": "单元格：均值（中位数），使用该特征本身的单位。",
    "desc.welch_note": "● 显著：本分群与其余所有用户的 Welch t 检验，对所有分群和特征做 Bonferroni 校正，p < 0.05。"
                       "提升度 = 本分群均值 / 全体均值（仅用于不取负值的特征）。",
    "desc.over": "在此更常见",
    "desc.under": "在此更少见",
    "desc.none_significant": "没有显著不同的取值",
    "desc.cat_note": "本分群中的占比对比全体用户中的占比，× 为提升度；只列出差异显著的取值"
                     "（两比例 z 检验，本分群对其余用户，Bonferroni 校正，p < 0.05）。",
    "desc.sentiment": "评论情感",
    "desc.sentiment_shares": "{pos} 正面 · {neu} 中性 · {neg} 负面 · 平均得分 {mean}（−1 … +1；全体 {all_mean}）",
    "desc.sentiment_note": "每条评论都在本地离线打分：英文用 VADER，中文用 SnowNLP 的模型。本分群共 {n} 条评论参与打分。",
    "desc.rating_beside": "对照评分：{trait} 为 {mean}，全体用户为 {all}。",
    "desc.bootstrap_title": "在 {repeats} 次随机抽取 {fraction} 用户（固定种子）并重新拟合后，其成员最佳匹配的 Jaccard 一致度"
                            "（1 = 每次都完全一样地找回）",
    "desc.fact_bootstrap": "在 80% 重抽样上重新拟合时分群的一致度（自助法，确定性方法）",
    "exp.opt_sentiment": "情感（评论平均得分）",
    "desc.sentiment_trait": "把情感作为特征",
    "desc.sentiment_trait_help": "把每位用户评论的平均情感得分（−1 … +1，VADER / SnowNLP）加入与文本融合的行为特征（默认关闭）。",
}
