"""segkit dashboard: segment the users of a recommender system by what they write and do.

Start it with:  .venv/bin/streamlit run app.py   (listens on 127.0.0.1 only: .streamlit/config.toml)
It opens on the bundled sample and segments it straight away (a TF-IDF preview, then MiniLM;
automatic K);
upload your own file on the Data page. Each page lives in pages/; all logic in segkit/.
"""

from pathlib import Path

from segkit.runtime import configure_process

configure_process()  # first: offline hub, torch's OpenMP before numba (segkit/runtime.py)

import streamlit as st  # noqa: E402

from dashboard.resources import start_umap_warmup  # noqa: E402
from dashboard.routing import app_context  # noqa: E402
from dashboard.state import init_state  # noqa: E402
from dashboard.ui import sidebar_status, style  # noqa: E402
from dashboard.upload import process_pending_upload  # noqa: E402
from dashboard.words import language_selector, tr  # noqa: E402

ICON_PATH = Path(__file__).resolve().parent / "assets" / "segkit_icon.png"

# The dashboard's language lives in this browser session (st.session_state["sk_lang"]).
st.session_state.setdefault("sk_lang", "en")
st.set_page_config(
    page_title=tr("app.page_title"),
    # A local image, served by this server: a ":material/..." or emoji icon makes the
    # browser fetch an SVG from an outside font/emoji host on every page load.
    page_icon=str(ICON_PATH),
    layout="wide",
    initial_sidebar_state="expanded",
)

# UMAP pays ~35 s of numba compilation once per process: start it with the first
# session (the earliest moment Streamlit runs app code), in the background, so that
# no user ever waits for it (pages show a PCA map meanwhile).
start_umap_warmup()
init_state()
style()

PAGES = {
    "": [
        st.Page("pages/overview.py", title=tr("nav.overview"), icon=":material/dashboard:", default=True),
    ],
    tr("nav.workflow"): [
        st.Page("pages/data.py", title=tr("nav.data"), icon=":material/upload_file:", url_path="data"),
        st.Page("pages/segment.py", title=tr("nav.segment"), icon=":material/tune:", url_path="segment"),
        st.Page("pages/explore.py", title=tr("nav.explore"), icon=":material/scatter_plot:", url_path="explore"),
        st.Page("pages/segments.py", title=tr("nav.segments"), icon=":material/groups:", url_path="segments"),
        st.Page("pages/compare.py", title=tr("nav.compare"), icon=":material/compare_arrows:", url_path="compare"),
        st.Page("pages/export.py", title=tr("nav.export"), icon=":material/download:", url_path="export"),
        st.Page("pages/recommend.py", title=tr("nav.recommend"), icon=":material/recommend:", url_path="recommend"),
    ],
}

# Saved runs across sessions (segkit/store); the page keeps its words in history_text.py.
PAGES[tr("nav.workflow")].append(
    st.Page("pages/history.py", title=tr("hist.nav"), icon=":material/history:", url_path="history"))
page = st.navigation(PAGES)
language_selector()
# The dataset, run and noise policy in the sidebar on every page: drawn before the page
# (what is known so far, which stays if the page stops early) and again after it, with
# the run the page just computed.
status_slot = st.sidebar.empty()
# A file dropped on the Data page is read here, before whichever page comes next: an
# analyst who clicks away at once still gets their data (pages/_shared/upload.py).
process_pending_upload()
sidebar_status(status_slot)
with app_context():
    page.run()
sidebar_status(status_slot)
