"""The dashboard's pages run a behaviour-only file (issue #18 item 5) without an exception:
segments named from traits on the Overview and Segments pages, a masked-by-default upload."""

from __future__ import annotations

from tests.test_app import _app
from tests.test_traits_only import orders


def test_pages_segment_a_file_without_text():
    at = _app(orders())
    for page in ("pages/data.py", "pages/overview.py", "pages/segments.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
    names = {"Gold · high spend", "Basic · older", "Silver · younger"}
    shown = " ".join([*(str(e.value) for e in at.text_input), *(str(e.value) for e in at.markdown)])
    assert any(name in shown for name in names), shown[:500]
