"""The words of segment rules, separability and "why this user", in English and Chinese.

Kept here until they are folded into the dashboard's message files; `tr` looks a key up
like `segkit.i18n.t` (falling back to English). Both languages have the same keys and the
same {placeholders} (tests/test_explain.py checks).
"""

from __future__ import annotations

EN: dict[str, str] = {
    # rules: conditions
    "explain.gt": "{name} > {value}",
    "explain.le": "{name} ≤ {value}",
    "explain.ge": "{name} ≥ {value}",
    "explain.eq": "{name} = {value}",
    "explain.between": "{low} < {name} ≤ {high}",
    "explain.between_int": "{name} {low}–{high}",
    "explain.is_level": "{column} is {level}",
    "explain.not_level": "{column} is not {level}",
    "explain.mentions": "mentions “{term}”",
    "explain.not_mentions": "does not mention “{term}”",
    "explain.and": " and ",
    "explain.everyone": "every user",
    # rules: lines
    "explain.rule_title": "Rules that pick out this segment",
    "explain.rule_line": "{rule} → {coverage} of this segment's users, {precision} precision",
    "explain.no_rule": "No rule of up to {depth} conditions picks out this segment with at least {precision} precision.",
    "explain.rules_note": ("Coverage: share of the segment's users the rule covers. Precision: share of the users it "
                           "covers who are in the segment. From a decision tree of depth ≤ {depth} per segment over "
                           "the traits and the segments' keywords, on {n} users."),
    "explain.agreement": "The trees agree with the segments for {agreement} of users.",
    "explain.excluded": "{n} unassigned users were left out.",
    # separability
    "explain.sep_title": "How well a classifier tells this segment apart",
    "explain.sep_line": "F1 {f1} (precision {precision}, recall {recall}), cross-validated",
    "explain.hard_to_tell": "hard to tell from {other}: consider merging",
    "explain.sep_note": ("{model}, {folds}-fold cross-validation on {n} users; the decision tree above scores "
                         "accuracy {tree_accuracy} on the same folds."),
    "explain.too_small": "{segment} has fewer than {folds} users: too few to cross-validate, left out.",
    # why this user
    "explain.why_title": "Why this user is in this segment",
    "explain.why_nearest": "Nearest segments: {segments}",
    "explain.why_distance": "{name} ({distance})",
    "explain.why_pull_text": "what they wrote",
    "explain.why_pulls": "Pulled toward {own} rather than {second} by: {pulls}",
    "explain.why_against": "; against: {name}",
    "explain.why_terms": "Uses keywords of this segment: {terms}",
    "explain.why_rule": "Covered by the rule: {rule}",
}

ZH: dict[str, str] = {
    "explain.gt": "{name} > {value}",
    "explain.le": "{name} ≤ {value}",
    "explain.ge": "{name} ≥ {value}",
    "explain.eq": "{name} = {value}",
    "explain.between": "{low} < {name} ≤ {high}",
    "explain.between_int": "{name} {low}–{high}",
    "explain.is_level": "{column}为{level}",
    "explain.not_level": "{column}不是{level}",
    "explain.mentions": "提到“{term}”",
    "explain.not_mentions": "未提到“{term}”",
    "explain.and": " 且 ",
    "explain.everyone": "所有用户",
    "explain.rule_title": "识别本细分的规则",
    "explain.rule_line": "{rule} → 覆盖本细分 {coverage} 的用户，精确率 {precision}",
    "explain.no_rule": "没有不超过 {depth} 个条件、精确率至少 {precision} 的规则能识别本细分。",
    "explain.rules_note": ("覆盖率：规则覆盖的本细分用户所占比例。精确率：规则覆盖的用户中属于本细分的比例。"
                           "规则来自每个细分一棵深度不超过 {depth} 的决策树（基于特征和各细分的关键词），共 {n} 位用户。"),
    "explain.agreement": "这些决策树与细分结果一致的用户占 {agreement}。",
    "explain.excluded": "已排除 {n} 位未分配的用户。",
    "explain.sep_title": "分类器区分本细分的能力",
    "explain.sep_line": "F1 {f1}（精确率 {precision}，召回率 {recall}），交叉验证",
    "explain.hard_to_tell": "难以与{other}区分：可考虑合并",
    "explain.sep_note": ("{model}，在 {n} 位用户上做 {folds} 折交叉验证；上面的决策树在相同折上的准确率为 "
                         "{tree_accuracy}。"),
    "explain.too_small": "{segment}的用户少于 {folds} 位：太少，无法交叉验证，已排除。",
    "explain.why_title": "为什么该用户属于这个细分",
    "explain.why_nearest": "最近的细分：{segments}",
    "explain.why_distance": "{name}（{distance}）",
    "explain.why_pull_text": "所写内容",
    "explain.why_pulls": "使其更接近{own}而非{second}的因素：{pulls}",
    "explain.why_against": "；反向因素：{name}",
    "explain.why_terms": "使用了本细分的关键词：{terms}",
    "explain.why_rule": "符合规则：{rule}",
}


def tr(key: str, lang: str | None = "en", **fmt) -> str:
    """The message `key` in `lang` ('en' or 'zh'), its {placeholders} filled."""
    text = (ZH if lang == "zh" else EN).get(key) or EN.get(key, key)
    return text.format(**fmt) if fmt else text
