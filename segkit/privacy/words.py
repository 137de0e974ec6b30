"""What the privacy stage says to people, in English and Chinese (the lead folds these
into the dashboard's word files; same {placeholders} in both languages)."""

from __future__ import annotations

from segkit.privacy.base import KINDS, PersonalDataCounts

EN = {
    "privacy.kind.url": "links with a query",
    "privacy.kind.email": "e-mail addresses",
    "privacy.kind.iban": "IBANs",
    "privacy.kind.id": "ID numbers",
    "privacy.kind.card": "card numbers",
    "privacy.kind.phone": "phone numbers",
    "privacy.kind.handle": "@handles",
    "privacy.heading": "Personal data in the texts",
    "privacy.none": "No personal data found in {n} texts.",
    "privacy.found": "Personal data in {with_any} of {n} texts: {kinds}.",
    "privacy.masked": "Masked ([EMAIL], [PHONE] …) in everything segkit embeds and shows; "
                      "exports keep the original text unless you choose to mask them.",
    "privacy.kept": "Not masked: the texts are embedded and shown as written.",
    "privacy.export_option": "Mask personal data in the exported texts",
    "privacy.export_masked": "Text columns: masked.",
    "privacy.export_original": "Text columns: original text (column segkit_personal_data says what each row holds).",
    "privacy.report_line": "Personal data in the texts ({kinds}) is masked in every quote.",
}

ZH = {
    "privacy.kind.url": "带查询参数的链接",
    "privacy.kind.email": "电子邮箱",
    "privacy.kind.iban": "IBAN 账号",
    "privacy.kind.id": "证件号码",
    "privacy.kind.card": "银行卡号",
    "privacy.kind.phone": "电话号码",
    "privacy.kind.handle": "@用户名",
    "privacy.heading": "文本中的个人信息",
    "privacy.none": "在 {n} 条文本中未发现个人信息。",
    "privacy.found": "{n} 条文本中有 {with_any} 条含个人信息：{kinds}。",
    "privacy.masked": "在 segkit 嵌入和展示的所有内容中均已遮盖（[EMAIL]、[PHONE] …）；"
                      "导出文件保留原文，除非选择遮盖。",
    "privacy.kept": "未遮盖：文本按原样嵌入和展示。",
    "privacy.export_option": "在导出的文本中遮盖个人信息",
    "privacy.export_masked": "文本列：已遮盖。",
    "privacy.export_original": "文本列：原文（segkit_personal_data 列说明每行含有什么）。",
    "privacy.report_line": "文本中的个人信息（{kinds}）在所有引用中均已遮盖。",
}

WORDS = {"en": EN, "zh": ZH}


def word(key: str, lang: str = "en", **values) -> str:
    table = WORDS.get(lang, EN)
    return table.get(key, EN[key]).format(**values)


def kinds_text(counts: PersonalDataCounts, lang: str = "en") -> str:
    """'e-mail addresses 3, phone numbers 1' (KINDS order; counts only, never values)."""
    sep = "，" if lang == "zh" else ", "
    by_kind = counts.by_kind
    return sep.join(f"{word(f'privacy.kind.{k}', lang)} {by_kind[k]:,}" for k in KINDS if by_kind.get(k))


def personal_data_lines(counts: PersonalDataCounts, masked: bool, lang: str = "en") -> list[str]:
    """What a data report shows: what was found, by kind, and whether it is masked."""
    if not counts.total:
        return [word("privacy.none", lang, n=f"{counts.n_texts:,}")]
    return [word("privacy.found", lang, with_any=f"{counts.n_texts_with_any:,}", n=f"{counts.n_texts:,}",
                 kinds=kinds_text(counts, lang)),
            word("privacy.masked" if masked else "privacy.kept", lang)]


def personal_data_summary(counts: PersonalDataCounts, masked: bool, lang: str = "en") -> str:
    return " ".join(personal_data_lines(counts, masked, lang))
