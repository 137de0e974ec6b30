"""Personal data in texts (issue #18 item 4): each kind is found and masked, Chinese
formats too, and prices, dates, order numbers, ISBNs, model numbers and years are not."""

from __future__ import annotations

import pandas as pd
import pytest

from segkit.privacy import KINDS, PLACEHOLDERS, detect, mask, mask_frame, scan_texts
from segkit.tokenize import tokenize


@pytest.mark.parametrize("text, kind, value", [
    ("write to jane.doe+shop@example.co.uk please", "email", "jane.doe+shop@example.co.uk"),
    ("邮箱123456@qq.com 联系", "email", "123456@qq.com"),
    ("call (415) 555-2671 after six", "phone", "(415) 555-2671"),
    ("ring +44 20 7946 0958 tomorrow", "phone", "+44 20 7946 0958"),
    ("London office 020 7946 0958.", "phone", "020 7946 0958"),
    ("手机13812345678谢谢", "phone", "13812345678"),
    ("my cell is +86 138 1234 5678 ok", "phone", "+86 138 1234 5678"),
    ("座机010-12345678，白天打", "phone", "010-12345678"),
    ("paid with 4111 1111 1111 1111 yesterday", "card", "4111 1111 1111 1111"),
    ("amex 3782-822463-10005 was charged", "card", "3782-822463-10005"),
    ("refund to DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX", "iban", "DE89 3704 0044 0532 0130 00"),
    ("IBAN GB82WEST12345698765432.", "iban", "GB82WEST12345698765432"),
    ("身份证号 11010519491231002X 已登记", "id", "11010519491231002X"),
    ("SSN 536-90-4399 on the form", "id", "536-90-4399"),
    ("see https://shop.example.com/p?id=42&ref=mail. Bye", "url", "https://shop.example.com/p?id=42&ref=mail"),
    ("follow @guitar_guy for tips", "handle", "@guitar_guy"),
    ("谢谢 @小明 的推荐", "handle", "@小明"),
])
def test_each_kind_is_masked_with_its_placeholder(text, kind, value):
    masked = mask(text)
    assert value not in masked
    assert masked == text.replace(value, PLACEHOLDERS[kind])
    assert detect(text).by_kind == {kind: 1}


@pytest.mark.parametrize("text", [
    "It cost $1,299.99 and shipping was 12.50",
    "Bought on 2024-03-05, arrived 12/05/2023, returned 05.12.2023",
    "Order #123456789 arrived late; order number 4111111111111111 too",
    "ISBN 978-0-306-40615-7 and ISBN 9780306406157",
    "Model SM-G960U, part no. 1234-5678-9012, serial 4155552671",
    "We went in 1999 and again in 2015-2016, 3 stars",
    "2 @ $5 each, meet @5pm or @10, 50% off",
    "骑行川藏线｜20120723-25 行程",
    "订单号 13812345678 已发货",
    "a plain link www.example.com/about and https://example.com/page stays",
    "tracking 1Z999AA10123456784",
    "Useless motherf*&#$@s!",
    "read it on tstartstomorrow.com/post/2983024079/two-hippies",
])
def test_false_positives_stay(text):
    assert mask(text) == text
    assert detect(text).total == 0


def test_masking_is_deterministic_and_counts_never_hold_values():
    texts = ["a@b.com and c@d.org", "", "nothing here", "call (415) 555-2671 or a@b.com"]
    first, second = scan_texts(texts), scan_texts(texts)
    assert first == second
    assert first.masked[0] == "[EMAIL] and [EMAIL]"
    assert first.counts.by_kind == {"email": 3, "phone": 1}
    assert first.counts.n_texts == 3 and first.counts.n_texts_with_any == 2
    assert "a@b.com" not in repr(first.counts)
    assert first.row_note(3) == "1 email, 1 phone" and first.row_note(2) == ""


def test_an_address_in_a_link_goes_with_the_link_and_is_no_handle():
    assert mask("go to https://x.com/unsub?email=jane@example.com now") == "go to [URL] now"
    assert mask("mail jane@example.com") == "mail [EMAIL]"  # "@example" is no handle


def test_every_kind_has_a_placeholder_the_tokenizer_drops():
    assert set(PLACEHOLDERS) == set(KINDS)
    text = " ".join(PLACEHOLDERS.values()) + " guitar strings"
    assert tokenize(text) == ["guitar", "strings"]
    assert "phone" in tokenize("my phone broke")


def test_mask_frame_masks_only_the_text_columns_and_keeps_missing_cells():
    frame = pd.DataFrame({"review": ["mail a@b.com", None, "fine"], "note": ["a@b.com", "x", "y"]})
    out = mask_frame(frame, ["review"])
    assert out["review"].tolist()[0] == "mail [EMAIL]" and pd.isna(out["review"].iloc[1])
    assert out["note"].tolist() == frame["note"].tolist()
    assert frame["review"].iloc[0] == "mail a@b.com"  # the input is not changed


def test_words_have_both_languages_with_the_same_placeholders():
    import string

    from segkit.i18n import messages
    from segkit.privacy.words import personal_data_lines

    EN = {k: v for k, v in messages("en").items() if k.startswith("privacy.")}
    ZH = {k: v for k, v in messages("zh").items() if k.startswith("privacy.")}
    assert set(EN) == set(ZH) and len(EN) >= 16
    for key in EN:
        names = {f for _, f, _, _ in string.Formatter().parse(EN[key]) if f}
        assert names == {f for _, f, _, _ in string.Formatter().parse(ZH[key]) if f}, key
    counts = detect(["a@b.com", "call (415) 555-2671", "fine"])
    assert personal_data_lines(counts, True, "zh")[0] == "3 条文本中有 2 条含个人信息：电子邮箱 1，电话号码 1。"
    assert personal_data_lines(detect(["fine"]), True) == ["No personal data found in 1 texts."]


def test_the_user_table_masks_by_default_and_counts_either_way():
    from segkit.io.prepare import prepare_users
    from segkit.io.roles import ColumnRoles

    frame = pd.DataFrame({"u": ["a", "a", "b"], "text": ["mail x@y.com", "call (415) 555-2671", "hi there"]})
    roles = ColumnRoles(text_cols=("text",), user_col="u")
    masked = prepare_users(frame, roles)
    assert masked.user_texts()[0] == "mail [EMAIL]\ncall [PHONE]" and masked.texts_masked
    kept = prepare_users(frame, roles, mask_personal_data=False)
    assert kept.user_texts()[0] == "mail x@y.com\ncall (415) 555-2671" and not kept.texts_masked
    assert masked.personal_data == kept.personal_data and masked.personal_data.by_kind == {"email": 1, "phone": 1}


def test_the_scan_prefilter_skips_only_texts_no_finder_can_match():
    """scan_texts passes over texts without '?', '@' or a seven-digit run (one Arrow pass);
    what it returns must equal mask_counted on every text, Unicode digits and spaces included."""
    from segkit.privacy.masking import _may_hold_personal_data, mask_counted, scan_texts

    texts = [
        "great dress, fits well", "", "call me at (415) 555-2671 tonight", "mail jane@example.com",
        "see https://shop.example.com/p?id=42&ref=me", "order 1234567 arrived", "fullwidth １３８００１３８０００",
        "arabic-indic ٤١٥٥٥٥٢٦٧١ digits", "spaced 138\u3000001\u00a0380\u200900", "handle @someone_here",
        "fullwidth at ＠weibo_user", "price $12.99 on 2023-05-01", "card 4111 1111 1111 1111",
        "ssn 123-45-6789", "why?", "1 2 3 4 5 6", "12 34 56 7",
    ]
    candidates = _may_hold_personal_data(texts)
    scanned = scan_texts(texts)
    for i, text in enumerate(texts):
        expected_text, expected_found = mask_counted(text)
        assert scanned.masked[i] == expected_text and scanned.found[i] == expected_found, text
        if expected_found:
            assert candidates[i], f"a text holding personal data was skipped: {text!r}"
    assert candidates[texts.index("spaced 138\u3000001\u00a0380\u200900")]
    assert not candidates[0] and not candidates[texts.index("1 2 3 4 5 6")]
