"""The Streamlit dashboard's shared code; the page files in pages/ only lay out widgets.

routing (every page through app.py) · state (one session's dataset, settings, memo) ·
words (the session's language) · resources (one per process: models, workers) ·
compute (library stages behind st.cache_data) · context (settings -> the current run,
with edits) · preview · maps · ui (escaping, formats, sidebar) · language · upload ·
drilldown · history_store · history_time. segkit does the work; nothing here segments.
"""
