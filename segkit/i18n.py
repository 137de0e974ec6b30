"""The dashboard's own words in English and Simplified Chinese.

`MESSAGES[lang][key]` holds a message; `t(key, lang, **fmt)` looks it up (falling back
to English, then to the key itself) and fills its `{placeholders}` with `str.format`.
Every key exists in both languages with the same placeholders (tests/test_i18n.py).

Only the dashboard's words are translated: uploaded data, column names, segment names
and keywords are shown as they are. Technical names (K, HDBSCAN, UMAP, PCA, TF-IDF, ARI,
NMI) stay in Latin letters; the Chinese text glosses them on first use.

`CHART_PHRASES` translates the fixed English words that segkit.plots puts into chart
titles, legends and hover boxes (matched as whole strings, never inside user data).
No Streamlit here: the library stays importable anywhere.
"""

from __future__ import annotations

import re
import string

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"

EN: dict[str, str] = {
    # ------------------------------------------------------------------ app / navigation
    "app.page_title": "segkit · user segments",
    "app.language": "Language · 语言",
    "app.language_help": "The dashboard's own words; your data, segment names and keywords are never translated.",
    "nav.workflow": "Workflow",
    "nav.overview": "Overview",
    "nav.data": "1 · Data",
    "nav.segment": "2 · Segment",
    "nav.explore": "3 · Explore",
    "nav.segments": "4 · Segments",
    "nav.compare": "5 · Compare",
    "nav.export": "6 · Export",
    "nav.recommend": "7 · Recommend",
    # ------------------------------------------------------------------ shared (sidebar, helpers)
    "common.sample_label": "store_reviews.csv (bundled sample)",
    "common.none_user": "(each row is its own user)",
    "common.none_label": "(none)",
    "common.sb_dataset": "**Current dataset**",
    "common.sb_none_yet": "none yet: the bundled sample loads automatically",
    "common.sb_rows": "{rows} rows · {fmt}",
    "common.sb_run": "**Current run**",
    "common.sb_not_run": "not segmented yet",
    "common.sb_k": "K = {k}",
    "common.sb_auto": " (automatic)",
    "common.sb_found": "{k} segments found",
    "common.sb_run_details": "embedder {embedder} · text weight {weight}",
    "common.sb_map": "map: {map}",
    "common.sb_map_pending": "{map} (UMAP on its way)",
    "common.sb_noise": "**Noise policy**",
    "common.sb_policy_none": "not needed (every user is assigned)",
    "common.sb_policy_reassign": "reassign to nearest segment",
    "common.sb_policy_keep": "keep as 'Unassigned' ({share} of users)",
    "common.sb_saved": "{n} saved run(s) to compare",
    "common.policy_not_needed": "not needed: this method puts every user in a segment",
    "common.policy_reassign": "reassign outliers to their nearest segment",
    "common.policy_keep": "keep outliers as an 'Unassigned' group",
    "common.embedding_progress": "Embedding {n} texts with {embedder}…",
    "common.embedding_progress_done": "Embedding with {embedder}: {done} of {total} distinct texts",
    "common.too_few_users": "Only {n} user(s) have usable text; segmenting needs at least 3.",
    "common.spin_space": "Building the feature space (once for these settings)…",
    "common.spin_space_umap": " The UMAP reduction takes a little while.",
    "common.spin_auto_k": "Choosing the number of segments (scoring K = 2…15)…",
    "common.spin_segmenting": "Segmenting…",
    "common.spin_sweep": "Scoring K = 2…15 for the chart (once per feature space)…",
    "common.spin_stability": "Checking how stable each segment is across seeds…",
    "common.failed": "segkit could not finish this segmentation ({error}: {detail}). Try other settings; "
                     "the details are in the server log.",
    "common.fallback_tfidf": "Use the tfidf embedder instead",
    "common.map_compiling": " (compiling UMAP once for this server, about half a minute)",
    "common.map_pending": ":material/hourglass_top: The UMAP map is being computed in the background{warm}; "
                          "a PCA map is shown meanwhile and will be replaced automatically.",
    "common.no_words": "no distinctive words",
    "common.unavailable": "unavailable here ({error})",
    "common.secs_unknown": "unknown",
    "common.secs_under_one": "under a second",
    "common.secs_seconds": "about {n} s",
    "common.secs_minutes": "about {n} min",
    "common.run_name": "Run {n}",
    "common.run_name_long": "Run {n}: {algorithm}, {k} segments, {embedder}, text {weight}",
    "common.unassigned": "Unassigned",
    "common.segment_n": "Segment {n}",
    # ------------------------------------------------------------------ metric help
    "help.silhouette": "How much closer users are to their own segment than to the next one, from -1 to 1. "
                       "Above 0.5 is strong, 0.25–0.5 reasonable; text data usually scores 0.05–0.25, so compare "
                       "runs on the same data rather than chasing an absolute value.",
    "help.calinski_harabasz": "Calinski–Harabasz. Separation between segments relative to their spread (higher is better). "
                              "Only comparable between runs on the same data and features.",
    "help.davies_bouldin": "Davies–Bouldin. Average similarity of each segment to its closest neighbour (lower is better, 0 is "
                           "perfect). Below 1 is good; 1–2 is typical for text.",
    "help.noise_share": "Share of users a density method left unassigned. Under 10% is comfortable; above 30% "
                        "means many users are in no segment (see the noise policy).",
    "help.n_segments": "Segments found (not counting 'Unassigned').",
    "help.stability": "Mean agreement (adjusted Rand index) between runs that differ only in the random seed: "
                      "1 = identical segments every time, above 0.8 stable, below 0.6 the segments are not "
                      "reliable.",
    "help.ari": "Adjusted Rand index against the label column you mapped: 1 = the same grouping, 0 = no better "
                "than chance.",
    "help.nmi": "Normalised mutual information against the label column: 1 = the segments tell you the label "
                "exactly.",
    "help.nmi_runs": "Normalised mutual information between the two runs: 1 = one run tells you the other "
                     "exactly.",
    # ------------------------------------------------------------------ stability words
    "stab.not_measured": "not measured",
    "stab.stable": "stable",
    "stab.fairly_stable": "fairly stable",
    "stab.unstable": "unstable: treat with care",
    "stab.unstable_short": "unstable",
    # ------------------------------------------------------------------ embedders, parameters
    "embedder.tfidf": "TF-IDF + SVD: no model, seconds for thousands of reviews; words, not meaning.",
    "embedder.minilm": "all-MiniLM-L6-v2 sentence embeddings (384-d, English): captures meaning, "
                       "not just shared words; runs offline on CPU.",
    "embedder.static": "Static token vectors distilled from MiniLM (model2vec, 256-d): very fast, somewhat "
                       "less precise than minilm.",
    "embedder.multilingual": "multilingual-e5-small (384-d, 4-bit, offline): understands Chinese, English and "
                             "mixed text; slower than TF-IDF.",
    "embedder.precomputed": "Use embedding columns already in the file (emb_0, emb_1, ...).",
    "param.k.label": "K (number of segments)",
    "param.k.help": "How many segments to find.",
    "param.n_init.label": "n init",
    "param.n_init.help": "Restarts; the best is kept.",
    "param.batch_size.label": "batch size",
    "param.batch_size.help": "Users per update step.",
    "param.min_cluster_size.label": "min_cluster_size",
    "param.min_cluster_size.help": "Smallest group that counts as a segment.",
    "param.min_samples.label": "min samples",
    "param.min_samples.help": "How conservative: higher leaves more users unassigned (0 = same as "
                              "min_cluster_size).",
    "param.cluster_selection_epsilon.label": "cluster selection epsilon",
    "param.cluster_selection_epsilon.help": "Merge segments closer than this.",
    "param.cluster_selection_method.label": "cluster selection method",
    "param.cluster_selection_method.help": "eom favours a few large segments, leaf many small ones.",
    "param.eps.label": "eps",
    "param.eps.help": "Neighbourhood radius in the clustering space.",
    "param.covariance_type.label": "covariance type",
    "param.covariance_type.help": "Shape of each segment.",
    "param.linkage.label": "linkage",
    "param.linkage.help": "How segment distance is measured.",
    "param.n_components.label": "n components",
    "param.n_components.help": "Dimensions kept.",
    "param.n_neighbors.label": "n neighbors",
    "param.n_neighbors.help": "Neighbourhood size: larger favours global structure.",
    "param.min_dist.label": "min dist",
    "param.min_dist.help": "How tightly points may pack (0 suits clustering).",
    # ------------------------------------------------------------------ language detection
    "lang.mostly_chinese": "mostly Chinese",
    "lang.mixed": "mixed Chinese/English",
    "lang.mostly_latin": "mostly English/Latin",
    "lang.other": "mostly other scripts",
    "lang.heading": "**Language of the texts**",
    "lang.summary": "{label}: {cjk} of letters are Chinese, {texts} of texts contain Chinese "
                    "({n} texts looked at).",
    "lang.recommend": "Recommended embedder for these texts: **{embedder}** (it becomes the Segment page's "
                      "default).",
    "lang.english_ok": "The default embedder ({embedder}) suits these texts.",
    "lang.why_multilingual": "These texts are {label}, so the embedder starts as **{embedder}** (chosen on "
                             "upload): the multilingual model understands Chinese and English, while the English "
                             "MiniLM model clusters Chinese no better than chance.",
    "lang.why_other": "These texts are {label}, so the embedder starts as **{embedder}** (chosen on upload): the "
                      "multilingual model is unavailable or too slow here, so TF-IDF over Chinese words (jieba) "
                      "is used.",
    "lang.reason_details": "Details: {reason}",
    # ------------------------------------------------------------------ overview
    "ov.title": "Your user segments",
    "ov.intro": "segkit groups users by what they write in their reviews and how they behave (spend, orders, "
                "age…). Each segment below has an automatic name built from its most typical words; rename, "
                "merge and export them on the following pages.",
    "ov.sample_info": "You are looking at the **bundled sample**: 6,197 synthetic store reviews by 2,000 users, "
                      "segmented with the defaults (MiniLM sentence vectors after a TF-IDF preview, K-means, number "
                      "of segments chosen automatically). Upload your own file on the **Data** page.",
    "ov.m_users": "Users segmented",
    "ov.m_users_help": "of {total} users in the file; users without any text cannot be segmented but stay in "
                       "the export.",
    "ov.m_segments": "Segments",
    "ov.auto_rule": " Chosen automatically: {rule}.",
    "ov.m_silhouette": "Silhouette",
    "ov.m_unassigned": "Unassigned",
    "ov.m_ari": "ARI vs {label}",
    "ov.m_weight": "Text weight",
    "ov.m_weight_help": "How much what users write counts against how they behave (Segment page).",
    "ov.noise": "Noise policy: {policy}.",
    "ov.sizes": "Segment sizes",
    "ov.map": "Map of users",
    "ov.map_caption": "Each dot is a user ({method} map of the features); nearby users write and behave alike. "
                      "Explore it on the **Explore** page.",
    "ov.segments": "The segments",
    "ov.th_segment": "Segment",
    "ov.th_users": "Users",
    "ov.th_share": "Share",
    "ov.th_words": "Typical words",
    "ov.next": "Next steps",
    "ov.link_tune": "Tune the segmentation",
    "ov.link_segments": "Read, rename and merge segments",
    "ov.link_explore": "Explore the map",
    "ov.link_export": "Download the results",
    # ------------------------------------------------------------------ data
    "data.intro": "One row per review (or per user). segkit needs a column with what people wrote; a user id "
                  "column lets it combine each user's reviews, and numeric or categorical columns (spend, orders, "
                  "age, region…) let it group by behaviour too.",
    "data.upload": "Upload reviews: CSV, TSV, Excel, Parquet or JSON Lines",
    "data.upload_help": "Up to 200 MB. The encoding and delimiter of text files are detected automatically.",
    "data.use_sample": "Use the bundled sample",
    "data.loaded_sample": "Loaded the bundled sample.",
    "data.reading": "Reading {name}…",
    "data.cannot_use": "{name} cannot be used: {error}",
    "data.still_using": "Still using {name}.",
    "data.unreadable": "{name} could not be read ({error}: {detail}). Check that it is a CSV/TSV, Excel, Parquet "
                       "or JSON Lines file.",
    "data.loaded": "Loaded {name}: {rows} rows.",
    "data.current": "Current dataset: {name}",
    "data.fact_format": "format **{fmt}**",
    "data.fact_encoding": "encoding **{encoding}** (detected)",
    "data.fact_delimiter": "delimiter **{delimiter}**",
    "data.delim_tab": "tab",
    "data.delim_comma": "comma",
    "data.delim_semicolon": "semicolon",
    "data.delim_pipe": "pipe",
    "data.fact_shape": "{rows} rows × {cols} columns",
    "data.preview": "Preview the first rows",
    "data.roles": "What each column is",
    "data.roles_caption": "segkit guessed these roles; change them and press **Apply**. The label column is never "
                          "used to build segments, only to score them (ARI/NMI).",
    "data.text_cols": "Text columns (what users wrote)",
    "data.text_cols_help": "Several text columns (e.g. title and body) are joined.",
    "data.user_col": "User id column",
    "data.user_col_help": "Rows with the same id are one user: their reviews are combined.",
    "data.label_col": "Known segment / label column (optional, for scoring only)",
    "data.numeric_cols": "Numeric traits (behaviour)",
    "data.numeric_cols_help": "Averaged per user, e.g. spend, orders per year, age, rating.",
    "data.categorical_cols": "Categorical traits",
    "data.categorical_cols_help": "Most common value per user, e.g. membership tier, region.",
    "data.vector_cols": "Precomputed embedding columns",
    "data.vector_cols_help": "Only if the file already holds vectors (emb_0, emb_1, …).",
    "data.apply": "Apply column roles",
    "data.not_used": "not used (your choice)",
    "data.applied": "Column roles applied. The segmentation will be recomputed with them.",
    "data.validation": "Validation report",
    "data.m_rows": "Rows",
    "data.m_users": "Users",
    "data.m_users_help": "Distinct user ids (or rows, without a user column).",
    "data.m_with_text": "Users with text",
    "data.m_with_text_help": "Only users with at least one non-empty text can be segmented; the others stay in "
                             "the export.",
    "data.m_empty": "Empty texts",
    "data.m_empty_help": "Rows whose text is empty. They are kept in the export, marked; their user is segmented "
                         "from their other rows if any.",
    "data.m_no_user": "Rows without user id",
    "data.empty_caption": "{n} row(s) have no text ({share}).",
    "data.role_text": "text",
    "data.role_user": "user id",
    "data.role_numeric": "numeric traits",
    "data.role_categorical": "categorical traits",
    "data.role_label": "label (scoring only)",
    "data.role_vectors": "precomputed vectors",
    "data.n_columns": "{n} columns",
    "data.col_role": "role",
    "data.col_columns": "columns",
    "data.used": "**Columns used**",
    "data.ignored": "**Columns ignored, and why**",
    "data.col_column": "column",
    "data.col_why": "why",
    "data.none_ignored": "None: every column has a role.",
    "data.next": "Next: segment these users",
    # ------------------------------------------------------------------ segment
    "seg.intro": "Pick how texts become vectors, how much behaviour counts, and the grouping method. Embedding "
                 "runs once per dataset and embedder; after that every change below re-clusters in well under a "
                 "second and the quality metrics update live.",
    "seg.fix_roles": "Fix the column roles on the Data page",
    "seg.red_auto": "auto: PCA for K methods, UMAP for density methods",
    "seg.red_none": "none: cluster the full feature space",
    "seg.red_pca": "PCA: linear, fast, deterministic",
    "seg.red_umap": "UMAP: non-linear, keeps neighbourhoods (slower)",
    "seg.text_vectors": "Text vectors",
    "seg.text_vectors_help": "How reviews become numbers. Computed once per dataset and embedder, then cached.",
    "seg.embedder": "Embedder",
    "seg.embedder_help": "Choosing shows what it costs; embedding starts only when you press the button.",
    "seg.ready": "**Ready** (cached for this dataset).",
    "seg.expected": "Expected time for these {n} texts: **{time}**, once; then cached.",
    "seg.embed_with": "Embed with {embedder}",
    "seg.in_use": "In use now: {embedder}.",
    "seg.compare_embedders": "Compare embedders on this data",
    "seg.col_embedder": "embedder",
    "seg.col_time": "expected time",
    "seg.col_ready": "ready",
    "seg.col_what": "what it is",
    "seg.compare_caption": "{n} distinct texts. Expected times are rough figures for a 2-core laptop; each "
                           "embedder runs once per dataset, then it is cached.",
    "seg.features": "Features",
    "seg.weight": "Text vs behaviour weight",
    "seg.weight_help": "1 = only what users write; 0 = only their numeric/categorical traits. Distances split "
                       "between text and behaviour in exactly this ratio.",
    "seg.weight_help_none": "No numeric or categorical traits are mapped (Data page), so only text counts.",
    "seg.weight_split": "Text {text} · behaviour {behaviour}",
    "seg.reducer": "Dimension reduction before clustering",
    "seg.reducer_help": "Fewer, denser dimensions make clustering faster and often better.",
    "seg.method": "Grouping method",
    "seg.algorithm": "Algorithm",
    "seg.algorithm_help": "K-means: round segments, you choose K (or let segkit). HDBSCAN/DBSCAN: find dense "
                          "groups of any shape and may leave outliers unassigned.",
    "seg.auto_k": "Choose K automatically",
    "seg.auto_k_help": "K with the highest silhouette over K = 2…15.",
    "seg.noise_policy": "Noise policy: users in no dense group are…",
    "seg.noise_keep": "kept as an 'Unassigned' group",
    "seg.noise_reassign": "reassigned to their nearest segment",
    "seg.noise_help": "Shown on every page and written to the export (segment name 'Unassigned' or the nearest "
                      "segment with confidence 0).",
    "seg.seed": "Random seed",
    "seg.seed_help": "Change it to check that segments do not depend on luck.",
    "seg.quality": "Quality",
    "seg.quality_help": "Computed in the space the clustering ran in (never on the 2-D map). Arrows compare with "
                        "the previous settings.",
    "seg.m_segments": "Segments",
    "seg.m_silhouette": "Silhouette",
    "seg.m_ch": "CH score",
    "seg.m_db": "DB score",
    "seg.m_noise": "Noise share",
    "seg.note_auto_k": "K = {k} chosen automatically ({rule})",
    "seg.note_sample": "silhouette estimated on {n} sampled users",
    "seg.note_time": "clustered and described in {seconds} s",
    "seg.note_policy": "noise policy: {policy}",
    "seg.sizes": "**Segment sizes**",
    "seg.choosing_k": "**Choosing K**",
    "seg.choosing_k_help": "K-means at every K from 2 to 15 on the same features. Look for a silhouette peak and "
                           "a Davies–Bouldin dip; the dashed green line is segkit's suggestion, the red ring the K "
                           "in use.",
    "seg.cliffs": "**HDBSCAN's cliffs**",
    "seg.cliffs_help": "Segments found and users left unassigned for a range of min_cluster_size. Red bands mark "
                       "cliffs: a small change there changes the result a lot.",
    "seg.spin_mcs": "Sweeping min_cluster_size (once per feature space)…",
    "seg.parameters": "**Parameters**",
    "seg.no_k": "This method has no K to sweep; its parameters are on the left.",
    "seg.stability": "Stability",
    "seg.deterministic": "{algorithm} gives the same result for any seed on the same features. To test "
                         "robustness, change the random seed on the left (it also changes the UMAP reduction, "
                         "when used) and compare the runs on the Compare page.",
    "seg.spin_seeds": "Re-running with 5 seeds…",
    "seg.m_stability": "Seed stability (ARI)",
    "seg.stability_caption": "Mean agreement between {n} runs with seeds {seeds} (worst pair {worst}): "
                             "**{verdict}**.",
    "seg.vs_label": "Against the label column '{label}'",
    "seg.vs_label_help": "Only shown because a label column is mapped; it is never used to build segments.",
    "seg.m_ari": "ARI",
    "seg.m_nmi": "NMI",
    "seg.m_labelled": "Users with a label",
    "seg.keep": "Keep this run",
    "seg.name": "Name",
    "seg.save": "Save run for comparison",
    "seg.saved": "Saved '{name}'. Compare saved runs on the Compare page.",
    # ------------------------------------------------------------------ explore
    "exp.intro": "Every dot is a user; users close together write and behave alike. The map is only a picture: "
                 "segments and metrics are computed in the full feature space. Drag a lasso or a box around dots "
                 "to read those users' reviews below.",
    "exp.color_by": "Colour by",
    "exp.color_help": "A segment, or any trait: numbers get a colour scale, categories a colour each.",
    "exp.opt_segment": "segment",
    "exp.opt_confidence": "confidence",
    "exp.show": "Show segments",
    "exp.all_segments": "all segments",
    "exp.map": "Map",
    "exp.map_help": "UMAP keeps neighbourhoods (nicer groups); PCA is a plain linear projection, instant. UMAP "
                    "is computed in the background.",
    "exp.caption": "{n} users shown · {method} map · noise policy: {policy}",
    "exp.selected_n": "Selected users ({n})",
    "exp.selected": "Selected users",
    "exp.select_hint": "Use the lasso or box tool (top right of the map) to select users; click a dot to select "
                       "one.",
    "exp.col_segment": "segment",
    "exp.col_confidence": "confidence",
    "exp.col_reviews": "reviews",
    "exp.col_wrote": "what they wrote",
    "exp.by_segment": "By segment: ",
    # ------------------------------------------------------------------ segments
    "segs.intro": "Each card describes one segment: its size, the words that set it apart, reviews from its most "
                  "typical users, and how it differs from everyone on each trait. Names you type and merges you "
                  "make are kept for this session and flow into every export.",
    "segs.merge": "Merge segments",
    "segs.merge_pick": "Segments to merge into one",
    "segs.merge_name": "Name of the merged segment (optional)",
    "segs.merge_button": "Merge",
    "segs.merge_two": "Pick at least two segments to merge.",
    "segs.merged": "Merged {n} segments into one (it keeps id {id}).",
    "segs.merge_caption": "Merging keeps the smallest id; keywords, examples and profiles are recomputed for the "
                          "merged group.",
    "segs.toolbar": "{n} segments · {merges} merge(s) · {renamed} renamed · noise policy: {policy}",
    "segs.undo": "Undo all edits",
    "segs.unassigned_text": "**{n} users** · {share} of segmented users. The density method found no dense group "
                            "for them. Noise policy: keep as 'Unassigned' (switch to 'reassign' on the Segment "
                            "page to put each into its nearest segment).",
    "segs.name_label": "Segment {n} name",
    "segs.name_help": "Prefilled with the automatic name; press Enter to keep yours.",
    "segs.users": "users",
    "segs.of_users": "of users",
    "segs.stability": "stability",
    "segs.stability_title": "Share of its users found together again with other random seeds",
    "segs.words": "**Words that set it apart**",
    "segs.words_help": "Words and phrases this segment's users use more than everyone else's, most "
                       "certain difference first (log-odds ratio with an informative prior, as a z-score). "
                       "Words every segment uses alike never lead.",
    "segs.reviews": "**Most representative reviews**",
    "segs.no_text": "no text",
    "segs.profile": "**Profile vs all users**",
    "segs.profile_help": "Bars right of 0: this segment averages above all users on that trait; 1 = one "
                         "standard deviation.",
    "segs.makeup": "Make-up by",
    "segs.makeup_help": "Share of each category in this segment (coloured) and among all users (grey).",
    "segs.confidence": "Mean membership confidence {value} (0 = on the border with another segment, 1 = at its "
                       "centre) · segment id {id}",
    # ------------------------------------------------------------------ compare
    "cmp.intro": "Save runs (here or on the Segment page) and compare two of them: their quality side by side, "
                 "how much they agree (ARI: 1 = the same segments), and where users go from one to the other.",
    "cmp.automatic": "automatic",
    "cmp.save_as": "Save the current run as",
    "cmp.save": "Save current run",
    "cmp.none_saved": "No saved runs yet. Save the current run, change a setting on the Segment page (K, "
                      "algorithm, text weight…), save again, and come back.",
    "cmp.col_name": "name",
    "cmp.col_dataset": "dataset",
    "cmp.col_method": "method",
    "cmp.col_segments": "segments",
    "cmp.col_silhouette": "silhouette",
    "cmp.col_noise": "noise share",
    "cmp.remove_runs": "Remove saved runs",
    "cmp.remove_pick": "Runs to remove",
    "cmp.remove": "Remove",
    "cmp.one_more": "Save one more run to compare two.",
    "cmp.run_a": "Run A",
    "cmp.run_b": "Run B",
    "cmp.same_run": "Pick two different runs.",
    "cmp.different_data": "'{a}' and '{b}' were made on different data ({data_a} vs {data_b}, or different "
                          "column roles); only runs on the same users can be compared.",
    "cmp.m_ari": "Agreement (ARI)",
    "cmp.m_ari_help": "Adjusted Rand index between the two runs on the same users: 1 = identical segments "
                      "(whatever their names), 0 = no more alike than chance. Above 0.8 the runs tell the same "
                      "story.",
    "cmp.m_nmi": "NMI between runs",
    "cmp.m_users": "Users compared",
    "cmp.row_ari": "ARI vs label",
    "cmp.row_nmi": "NMI vs label",
    "cmp.col_metric": "metric",
    "cmp.col_better": "better",
    "cmp.col_good": "what good looks like",
    "cmp.higher": "higher is better",
    "cmp.lower": "lower is better",
    "cmp.side_by_side": "**Metrics side by side**",
    "cmp.settings_differ": "**Settings that differ**",
    "cmp.col_setting": "setting",
    "cmp.same_settings": "Same settings (edits such as merges may differ).",
    "cmp.where": "Where users go",
    "cmp.tab_heat": "Contingency heatmap",
    "cmp.tab_sankey": "Flow (Sankey)",
    "cmp.heat_caption": "Rows: segments of A; columns: segments of B. Each cell counts users; colour is the share "
                        "of the row.",
    "cmp.ids_caption": "A: {a} · B: {b}. Segment ids are ordered by size in each run, so the same id need not be "
                       "the same segment; read the heatmap instead ({moved} of users have a different id).",
    # ------------------------------------------------------------------ export
    "out.intro": "Download every uploaded row with its segment, the segment summary, the settings to re-run this "
                 "segmentation, and the segment dictionary: one HTML file you can mail to a colleague (it opens "
                 "offline).",
    "out.preparing": "Preparing the files…",
    "out.m_rows": "Rows in your file",
    "out.m_export": "Rows in the export",
    "out.m_export_help": "Always the same: rows that could not be segmented are kept and marked, never dropped.",
    "out.m_not": "Rows not segmented",
    "out.m_not_help": "No user id, or a user with no text at all. Their segment columns are empty and '{status}' "
                      "says why.",
    "out.m_unassigned": "Rows 'Unassigned'",
    "out.m_unassigned_help": "Outliers of a density method (noise policy 'keep').",
    "out.caption": "Noise policy: {policy}. Map coordinates (map_x, map_y) are from the {method} map. {merges} "
                   "merge(s) and {renames} rename(s) from the Segments page are included.",
    "out.downloads": "Downloads",
    "out.labeled": "**Labeled rows (CSV)**",
    "out.labeled_caption": "Every uploaded row, in the original order, plus segment_id, segment_name, "
                           "segment_confidence, map_x, map_y and {status}. Cells that a spreadsheet would run as "
                           "a formula are prefixed with a quote.",
    "out.dl_labeled": "Download labeled rows",
    "out.dl_labeled_xlsx": "Excel (.xlsx, every cell typed as text)",
    "out.summary": "**Segment summary (CSV)**",
    "out.summary_caption": "One row per segment: name, size, share, keywords, an example, stability and the "
                           "profile (z-scores against all users).",
    "out.dl_summary": "Download segment summary",
    "out.report": "**Segment dictionary (HTML)**",
    "out.report_caption": "A card per segment: name, size, keywords, example reviews, profile chart and "
                          "stability. Self-contained: no internet needed to open it.",
    "out.dl_report": "Download segment dictionary",
    "out.config": "**Run configuration (JSON)**",
    "out.config_caption": "Re-creates this segmentation (before merges and renames) from the command line. Put it "
                          "next to {name} and run:",
    "out.dl_config": "Download run config",
    "out.preview": "Preview",
    "out.preview_caption": "The first 100 rows; segkit's columns first (map_x and map_y are at the end).",
    # ------------------------------------------------------------------ recommend
    "rec.intro": "Upload what users bought, rated or clicked, and see whether recommending the most popular "
                 "items *of the user's segment* beats recommending what is popular overall, measured on each "
                 "user's held-out last interaction. Below: what each segment picks compared with everyone, and "
                 "new users assigned to the segments.",
    "rec.reviews_upload": "Reviews to segment (CSV, Excel, Parquet, JSON Lines)",
    "rec.reviews_first": "Upload a review file to segment first.",
    "rec.spin_segment": "Segmenting (TF-IDF, automatic K)…",
    "rec.current": "Current segmentation of **{name}**: {k} segments ({algorithm}, {embedder}), {n} users with "
                   "a segment.",
    "rec.spin_eval": "Evaluating on held-out interactions…",
    "rec.spin_other_k": "Segmenting again with another K…",
    "rec.evaluation": "Recommendation evaluation",
    "rec.interactions": "Interactions: user id, item id, optional rating and time (CSV/TSV, Excel, Parquet, JSON "
                        "Lines)",
    "rec.interactions_info": "Upload interactions to evaluate. The user ids must be the ones of the segmented "
                             "file.",
    "rec.user_id": "User id",
    "rec.item_id": "Item id",
    "rec.rating": "Rating",
    "rec.time": "Time (held-out = last item)",
    "rec.k": "List length k",
    "rec.n_test": "Held-out items per user",
    "rec.knn": "Also item-kNN variants",
    "rec.other_ks": "Compare with K-means at K =",
    "rec.beat": "beat",
    "rec.worse": "did worse than",
    "rec.same": "was not clearly different from",
    "rec.verdict": "Segment popularity with the current segments **{verdict}** global popularity: NDCG@{k} "
                   "{ndcg} vs {base_ndcg} (difference {gain}, 95% interval {low} to {high}); hit rate@{k} {hr} "
                   "vs {base_hr}.",
    "rec.gain": "NDCG gain",
    "rec.low": "95% low",
    "rec.high": "95% high",
    "rec.table_caption": "Gain = difference to global popularity per user, with a paired bootstrap 95% interval; "
                         "'better' only when the whole interval is above 0. The '(shuffled)' row gives the same "
                         "segment sizes to random users: segments that carry no taste score like that. ",
    "rec.picks": "What each segment picks, next to everyone",
    "rec.segment": "Segment",
    "rec.rank_by": "Rank by",
    "rec.rank_help": "count: what the segment picks most; lift: what it picks far more than average",
    "rec.items": "Items",
    "rec.dl_top": "Download top items of every segment (CSV)",
    "rec.assign": "Assign new users to these segments",
    "rec.assign_caption": "Upload new users with the same columns as the segmented file (text, and the traits "
                          "used). Each user gets the nearest segment with a confidence; users far from every "
                          "segment are flagged as outliers (density methods leave them unassigned).",
    "rec.spin_model": "Preparing the segmentation model…",
    "rec.new_users": "New users",
    "rec.no_model": "This segmentation cannot be saved as a model: {error}",
    "rec.dl_model": "Download the model (.npz, for `segkit assign`)",
    "rec.dl_model_help": "A safe file (JSON settings + arrays, no pickle): `segkit assign segkit_model.npz "
                         "new_users.csv --out labeled.csv`",
    "rec.new_count": "{n} new users: ",
    "rec.dl_new": "Download the new rows with their segment (CSV)",
    # ------------------------------------------------------------------ HTML segment dictionary
    "report.title": "Segment dictionary",
    "report.uploaded": "uploaded data",
    "report.sub": "{dataset} · {segmented} of {total} users in {k} segments · made with segkit {version} on {date}",
    "report.noise_reassign": "outliers were reassigned to their nearest segment (noise policy: reassign)",
    "report.noise_keep": "{share} of users are outliers, kept as 'Unassigned' (noise policy: keep)",
    "report.noise_none": "every user with text is in a segment (no outliers with this method)",
    "report.k_auto": "K = {k} chosen automatically",
    "report.k_n": "{k} segments",
    "report.fact_users": "users segmented (of {total})",
    "report.fact_silhouette": "silhouette: {words}",
    "report.fact_refound": "of users re-found with other seeds",
    "report.fact_deterministic": "deterministic method: same result every run",
    "report.fact_ari": "ARI vs '{label}' (1 = identical)",
    "report.method": "{algorithm} on {embedder} text vectors (text weight {text}, behaviour {behaviour})",
    "report.howto": "<b>How to read this.</b> Each card is one group of users who write and behave alike. "
                    "<i>Keywords</i> are words typical of the group compared with the others; <i>example "
                    "reviews</i> come from the users closest to the group's centre. Profile bars show how the "
                    "group differs from all users: right of <i>average</i> means higher, one step is one standard "
                    "deviation. <i>Stability</i> is the share of the group's users that end up together again when "
                    "the clustering is repeated with other random seeds. In the make-up charts the coloured bar is "
                    "the group and the grey bar all users. ",
    "report.method_line": "Method: {method}; {noise}.",
    "report.th_segment": "Segment",
    "report.th_users": "Users",
    "report.th_share": "Share",
    "report.th_stability": "Stability",
    "report.th_keywords": "Top keywords",
    "report.card_size": "{n} users · {share} of segmented users · segment id {id}",
    "report.keywords": "Keywords",
    "report.no_words": "no distinctive words",
    "report.stability": "Stability",
    "report.confidence": "Mean membership confidence {value} (0 = on the border with another segment, 1 = at its "
                         "centre).",
    "report.profile": "Profile vs all users",
    "report.examples": "Example reviews",
    "report.average": "average",
    "report.unassigned": "Unassigned",
    "report.unassigned_size": "{n} users · {share}",
    "report.unassigned_text": "{algorithm} found no dense group for these users (noise policy: keep). They are "
                              "labelled 'Unassigned' in the exported table; choose the 'reassign' policy to put "
                              "each into its nearest segment instead.",
    "report.not_segmented": "{n} user(s) had no usable text and are not in any segment; they stay in the exported "
                            "table, marked 'not segmented'.",
    "report.config": "Run configuration (re-run with <code>segkit segment --config run.json</code>)",
    "report.sil_none": "not measurable",
    "report.sil_strong": "strong, clearly separated",
    "report.sil_reasonable": "reasonable separation",
    "report.sil_weak": "weak but typical for text",
    "report.sil_little": "little structure",
    "common.preview_note": "These are **preview segments** from {preview}, shown at once. {embedder} segments by "
                           "meaning and gives better segments: it is embedding in the background and its segments "
                           "replace these when ready, without a click.",
    "common.preview_progress": "{embedder}: {done} of {total} texts · {eta} left",
    "common.preview_keep": "Stop {embedder} and keep the {preview} preview",
    "common.preview_failed": "{embedder} could not finish ({error}); the {preview} preview segments stay. Choose an "
                             "embedder on the Segment page to try again.",
    "common.swapped": "Segments now use **{embedder}**; they replaced the {preview} preview.",
    "seg.auto_option": "auto: {embedder}",
    "segs.split": "Look inside: split into sub-segments",
    "segs.split_help": "Segments this segment's users again, on their own (same vectors, automatic K), so you see "
                       "what sets groups inside it apart. Nothing else changes.",
    "segs.split_spin": "Splitting the segment…",
    "segs.split_col_name": "Sub-segment",
    "segs.split_col_users": "Users",
    "segs.split_col_share": "Of this segment",
    "segs.split_col_words": "Words that set it apart",
    "segs.split_col_persona": "In one line",
    "segs.split_caption": "{k} sub-segments, K chosen automatically on this segment's users{strength}.",
    "segs.split_clear": " (clear grouping)",
    "segs.split_weak": " (weak grouping: treat them as tendencies)",
    "segs.split_none": " (no grouping: K chosen for readability)",
    "seg.k_weak": "**No strong grouping** (silhouette {silhouette}, below 0.25): K = {k} is where the segments "
                  "stand out most from cluster-free data of the same shape. Neighbouring K values are nearly as "
                  "good; the K sweep shows why.",
    "seg.k_none": "**No grouping found**: at no K do the segments separate better than in cluster-free data of the "
                  "same shape, so K = {k} was chosen for readability. See the K sweep.",
    "seg.auto_reason": "**Automatic choice: {embedder}.** {reason}",
}

ZH: dict[str, str] = {
    # ------------------------------------------------------------------ app / navigation
    "app.page_title": "segkit · 用户分群",
    "app.language": "Language · 语言",
    "app.language_help": "只切换仪表盘自身的文字；您的数据、分群名称和关键词不会被翻译。",
    "nav.workflow": "工作流程",
    "nav.overview": "概览",
    "nav.data": "1 · 数据",
    "nav.segment": "2 · 分群设置",
    "nav.explore": "3 · 探索",
    "nav.segments": "4 · 分群详情",
    "nav.compare": "5 · 对比",
    "nav.export": "6 · 导出",
    "nav.recommend": "7 · 推荐",
    # ------------------------------------------------------------------ shared (sidebar, helpers)
    "common.sample_label": "store_reviews.csv（内置示例）",
    "common.none_user": "（每行即一个用户）",
    "common.none_label": "（无）",
    "common.sb_dataset": "**当前数据集**",
    "common.sb_none_yet": "尚未加载：将自动载入内置示例",
    "common.sb_rows": "{rows} 行 · {fmt}",
    "common.sb_run": "**当前运行**",
    "common.sb_not_run": "尚未分群",
    "common.sb_k": "K = {k}",
    "common.sb_auto": "（自动）",
    "common.sb_found": "找到 {k} 个分群",
    "common.sb_run_details": "向量化模型 {embedder} · 文本权重 {weight}",
    "common.sb_map": "地图：{map}",
    "common.sb_map_pending": "{map}（UMAP 计算中）",
    "common.sb_noise": "**噪声策略**",
    "common.sb_policy_none": "无需处理（每个用户都已归入分群）",
    "common.sb_policy_reassign": "重新分配到最近的分群",
    "common.sb_policy_keep": "保留为“未分配”（占用户的 {share}）",
    "common.sb_saved": "已保存 {n} 次运行，可供对比",
    "common.policy_not_needed": "无需处理：此方法会把每个用户都归入某个分群",
    "common.policy_reassign": "将离群用户重新分配到最近的分群",
    "common.policy_keep": "将离群用户保留为“未分配”组",
    "common.embedding_progress": "正在用 {embedder} 向量化 {n} 条文本…",
    "common.embedding_progress_done": "{embedder} 向量化中：已完成 {done} / {total} 条不重复文本",
    "common.too_few_users": "只有 {n} 个用户有可用的文本；分群至少需要 3 个。",
    "common.spin_space": "正在构建特征空间（每组设置只需一次）…",
    "common.spin_space_umap": "UMAP 降维需要一点时间。",
    "common.spin_auto_k": "正在选择分群数（为 K = 2…15 打分）…",
    "common.spin_segmenting": "正在分群…",
    "common.spin_sweep": "正在为图表计算 K = 2…15 的得分（每个特征空间一次）…",
    "common.spin_stability": "正在检查各分群在不同随机种子下的稳定性…",
    "common.failed": "segkit 未能完成本次分群（{error}：{detail}）。请换一组设置试试；详细信息见服务器日志。",
    "common.fallback_tfidf": "改用 tfidf 向量化模型",
    "common.map_compiling": "（本服务器首次编译 UMAP，约半分钟）",
    "common.map_pending": ":material/hourglass_top: UMAP 地图正在后台计算{warm}；"
                          "此间先显示 PCA 地图，完成后会自动替换。",
    "common.no_words": "没有特别突出的词",
    "common.unavailable": "此处不可用（{error}）",
    "common.secs_unknown": "未知",
    "common.secs_under_one": "不到一秒",
    "common.secs_seconds": "约 {n} 秒",
    "common.secs_minutes": "约 {n} 分钟",
    "common.run_name": "运行 {n}",
    "common.run_name_long": "运行 {n}：{algorithm}，{k} 个分群，{embedder}，文本 {weight}",
    "common.unassigned": "未分配",
    "common.segment_n": "分群 {n}",
    # ------------------------------------------------------------------ metric help
    "help.silhouette": "轮廓系数（silhouette）：用户离自己所在分群比离最近的其他分群近多少，取值 -1 到 1。"
                       "高于 0.5 为强，0.25–0.5 尚可；文本数据通常只有 0.05–0.25，"
                       "因此请在同一数据上比较不同运行，而不要追求绝对数值。",
    "help.calinski_harabasz": "Calinski–Harabasz 指数：分群之间的分离程度相对于分群内部的离散程度（越高越好）。"
                              "只能在相同数据和特征的运行之间比较。",
    "help.davies_bouldin": "Davies–Bouldin 指数：每个分群与其最相近分群的平均相似度（越低越好，0 为完美）。"
                           "低于 1 为好；文本数据通常在 1–2 之间。",
    "help.noise_share": "噪声占比：密度方法未能归入任何分群的用户比例。低于 10% 较为理想；"
                        "高于 30% 说明很多用户不属于任何分群（参见噪声策略）。",
    "help.n_segments": "找到的分群数（不含“未分配”）。",
    "help.stability": "仅随机种子不同的多次运行之间的平均一致度（调整兰德指数 ARI）："
                      "1 = 每次分群完全相同，高于 0.8 为稳定，低于 0.6 说明分群不可靠。",
    "help.ari": "调整兰德指数（ARI），与您指定的标签列对比：1 = 分组完全一致，0 = 不比随机好。",
    "help.nmi": "标准化互信息（NMI），与标签列对比：1 = 分群能完全确定标签。",
    "help.nmi_runs": "两次运行之间的标准化互信息（NMI）：1 = 知道其中一次的分群即可完全确定另一次。",
    # ------------------------------------------------------------------ stability words
    "stab.not_measured": "未测量",
    "stab.stable": "稳定",
    "stab.fairly_stable": "较稳定",
    "stab.unstable": "不稳定：请谨慎使用",
    "stab.unstable_short": "不稳定",
    # ------------------------------------------------------------------ embedders, parameters
    "embedder.tfidf": "TF-IDF + SVD：无需模型，几千条评论只要几秒；按词语而非语义。",
    "embedder.minilm": "all-MiniLM-L6-v2 句向量（384 维，英文）：理解语义而不只是共有词语，在 CPU 上离线运行。",
    "embedder.static": "从 MiniLM 蒸馏出的静态词向量（model2vec，256 维）：非常快，精度略低于 minilm。",
    "embedder.multilingual": "multilingual-e5-small（384 维，4 位量化，离线）：理解中文、英文及中英混合文本；"
                             "比 TF-IDF 慢。",
    "embedder.precomputed": "使用文件中已有的向量列（emb_0、emb_1 …）。",
    "param.k.label": "K（分群数）",
    "param.k.help": "要找出多少个分群。",
    "param.n_init.label": "n init（重启次数）",
    "param.n_init.help": "重复运行的次数；保留最好的结果。",
    "param.batch_size.label": "batch size（批大小）",
    "param.batch_size.help": "每次更新使用的用户数。",
    "param.min_cluster_size.label": "min_cluster_size（最小分群规模）",
    "param.min_cluster_size.help": "能算作一个分群的最小用户数。",
    "param.min_samples.label": "min samples（最少邻居数）",
    "param.min_samples.help": "保守程度：越高，未分配的用户越多（0 = 与 min_cluster_size 相同）。",
    "param.cluster_selection_epsilon.label": "cluster selection epsilon（合并距离）",
    "param.cluster_selection_epsilon.help": "距离小于此值的分群会被合并。",
    "param.cluster_selection_method.label": "cluster selection method（选择方式）",
    "param.cluster_selection_method.help": "eom 倾向于少量大分群，leaf 倾向于许多小分群。",
    "param.eps.label": "eps（邻域半径）",
    "param.eps.help": "聚类空间中的邻域半径。",
    "param.covariance_type.label": "covariance type（协方差类型）",
    "param.covariance_type.help": "每个分群的形状。",
    "param.linkage.label": "linkage（连接方式）",
    "param.linkage.help": "分群之间距离的计算方式。",
    "param.n_components.label": "n components（保留维数）",
    "param.n_components.help": "保留的维数。",
    "param.n_neighbors.label": "n neighbors（邻居数）",
    "param.n_neighbors.help": "邻域大小：越大越偏重全局结构。",
    "param.min_dist.label": "min dist（最小距离）",
    "param.min_dist.help": "点可以聚得多紧（聚类时宜取 0）。",
    # ------------------------------------------------------------------ language detection
    "lang.mostly_chinese": "以中文为主",
    "lang.mixed": "中英混合",
    "lang.mostly_latin": "以英文/拉丁字母为主",
    "lang.other": "以其他文字为主",
    "lang.heading": "**文本语言**",
    "lang.summary": "{label}：{cjk} 的字母是汉字，{texts} 的文本含有中文（共检查 {n} 条文本）。",
    "lang.recommend": "推荐用于这些文本的向量化模型：**{embedder}**（已设为分群设置页面的默认选项）。",
    "lang.english_ok": "默认的向量化模型（{embedder}）适合这些文本。",
    "lang.why_multilingual": "这些文本{label}，因此向量化模型默认设为 **{embedder}**（上传时自动选择）："
                             "多语言模型能理解中文和英文，而英文 MiniLM 模型对中文的聚类效果不比随机好。",
    "lang.why_other": "这些文本{label}，因此向量化模型默认设为 **{embedder}**（上传时自动选择）："
                      "多语言模型不可用或耗时过长，改用基于 jieba 中文分词的 TF-IDF。",
    "lang.reason_details": "详细原因（英文原文）：{reason}",
    # ------------------------------------------------------------------ overview
    "ov.title": "您的用户分群",
    "ov.intro": "segkit 根据用户在评论中写了什么、以及他们的行为（消费、订单、年龄…）对用户进行分群。"
                "下面每个分群都有一个由其最典型词语自动生成的名称；可在后续页面中重命名、合并和导出。",
    "ov.sample_info": "您正在查看**内置示例**：2,000 名用户撰写的 6,197 条模拟商店评论，"
                      "使用默认设置分群（先显示 TF-IDF 预览，再换成 MiniLM 句向量；K-means；自动选择分群数）。"
                      "可在**数据**页面上传您自己的文件。",
    "ov.m_users": "已分群用户",
    "ov.m_users_help": "文件中共 {total} 名用户；没有任何文本的用户无法分群，但仍保留在导出结果中。",
    "ov.m_segments": "分群数",
    "ov.auto_rule": " 自动选择：{rule}。",
    "ov.m_silhouette": "轮廓系数 silhouette",
    "ov.m_unassigned": "未分配",
    "ov.m_ari": "ARI（对比 {label}）",
    "ov.m_weight": "文本权重",
    "ov.m_weight_help": "用户写的内容相对于其行为所占的比重（在分群设置页面调整）。",
    "ov.noise": "噪声策略：{policy}。",
    "ov.sizes": "分群规模",
    "ov.map": "用户地图",
    "ov.map_caption": "每个点代表一名用户（特征的 {method} 地图）；相互靠近的用户写的内容和行为相似。"
                      "可在**探索**页面中详细查看。",
    "ov.segments": "各个分群",
    "ov.th_segment": "分群",
    "ov.th_users": "用户数",
    "ov.th_share": "占比",
    "ov.th_words": "典型词语",
    "ov.next": "下一步",
    "ov.link_tune": "调整分群设置",
    "ov.link_segments": "查看、重命名和合并分群",
    "ov.link_explore": "探索用户地图",
    "ov.link_export": "下载结果",
    # ------------------------------------------------------------------ data
    "data.intro": "每行一条评论（或一个用户）。segkit 需要一列用户所写的文本；有用户 ID 列时可合并同一用户的多条评论，"
                  "数值列或类别列（消费、订单、年龄、地区…）则让它也能按行为分组。",
    "data.upload": "上传评论：CSV、TSV、Excel、Parquet 或 JSON Lines",
    "data.upload_help": "最大 200 MB。文本文件的编码和分隔符会自动识别。",
    "data.use_sample": "使用内置示例",
    "data.loaded_sample": "已载入内置示例。",
    "data.reading": "正在读取 {name}…",
    "data.cannot_use": "无法使用 {name}：{error}",
    "data.still_using": "仍在使用 {name}。",
    "data.unreadable": "无法读取 {name}（{error}：{detail}）。请确认它是 CSV/TSV、Excel、Parquet 或 JSON Lines 文件。",
    "data.loaded": "已载入 {name}：{rows} 行。",
    "data.current": "当前数据集：{name}",
    "data.fact_format": "格式 **{fmt}**",
    "data.fact_encoding": "编码 **{encoding}**（自动识别）",
    "data.fact_delimiter": "分隔符 **{delimiter}**",
    "data.delim_tab": "制表符",
    "data.delim_comma": "逗号",
    "data.delim_semicolon": "分号",
    "data.delim_pipe": "竖线",
    "data.fact_shape": "{rows} 行 × {cols} 列",
    "data.preview": "预览前几行",
    "data.roles": "各列的作用",
    "data.roles_caption": "以下是 segkit 推测的列角色；可修改后点击**应用**。标签列从不用于构建分群，只用于给分群打分（ARI/NMI）。",
    "data.text_cols": "文本列（用户写的内容）",
    "data.text_cols_help": "多个文本列（如标题和正文）会被拼接在一起。",
    "data.user_col": "用户 ID 列",
    "data.user_col_help": "ID 相同的行属于同一用户：其评论会被合并。",
    "data.label_col": "已知分群 / 标签列（可选，仅用于评分）",
    "data.numeric_cols": "数值特征（行为）",
    "data.numeric_cols_help": "按用户取平均，例如消费、每年订单数、年龄、评分。",
    "data.categorical_cols": "类别特征",
    "data.categorical_cols_help": "按用户取最常见的值，例如会员等级、地区。",
    "data.vector_cols": "预先计算的向量列",
    "data.vector_cols_help": "仅当文件中已有向量时使用（emb_0、emb_1 …）。",
    "data.apply": "应用列角色",
    "data.not_used": "未使用（您的选择）",
    "data.applied": "已应用列角色。分群将按新设置重新计算。",
    "data.validation": "校验报告",
    "data.m_rows": "行数",
    "data.m_users": "用户数",
    "data.m_users_help": "不同用户 ID 的数量（没有用户列时为行数）。",
    "data.m_with_text": "有文本的用户",
    "data.m_with_text_help": "只有至少有一条非空文本的用户才能分群；其他用户仍保留在导出结果中。",
    "data.m_empty": "空文本",
    "data.m_empty_help": "文本为空的行。它们会被标记并保留在导出结果中；若该用户还有其他行，则按其他行分群。",
    "data.m_no_user": "缺少用户 ID 的行",
    "data.empty_caption": "{n} 行没有文本（{share}）。",
    "data.role_text": "文本",
    "data.role_user": "用户 ID",
    "data.role_numeric": "数值特征",
    "data.role_categorical": "类别特征",
    "data.role_label": "标签（仅用于评分）",
    "data.role_vectors": "预先计算的向量",
    "data.n_columns": "{n} 列",
    "data.col_role": "角色",
    "data.col_columns": "列",
    "data.used": "**已使用的列**",
    "data.ignored": "**被忽略的列及原因**",
    "data.col_column": "列",
    "data.col_why": "原因",
    "data.none_ignored": "没有：每一列都有角色。",
    "data.next": "下一步：对这些用户分群",
    # ------------------------------------------------------------------ segment
    "seg.intro": "选择文本如何变成向量、行为占多大比重，以及分组方法。每个数据集和向量化模型只需向量化一次；"
                 "之后下面的任何修改都会在一秒内重新聚类，质量指标实时更新。",
    "seg.fix_roles": "到数据页面修正列角色",
    "seg.red_auto": "自动：K 类方法用 PCA，密度方法用 UMAP",
    "seg.red_none": "不降维：在完整特征空间中聚类",
    "seg.red_pca": "PCA：线性、快速、结果确定",
    "seg.red_umap": "UMAP：非线性，保留邻域结构（较慢）",
    "seg.text_vectors": "文本向量",
    "seg.text_vectors_help": "评论如何变成数字。每个数据集和向量化模型只计算一次，然后缓存。",
    "seg.embedder": "向量化模型（embedder）",
    "seg.embedder_help": "选择后会先显示所需时间；只有点击按钮才开始向量化。",
    "seg.ready": "**已就绪**（此数据集已缓存）。",
    "seg.expected": "这 {n} 条文本预计耗时：**{time}**，仅需一次，之后使用缓存。",
    "seg.embed_with": "用 {embedder} 向量化",
    "seg.in_use": "当前使用：{embedder}。",
    "seg.compare_embedders": "在此数据上比较各向量化模型",
    "seg.col_embedder": "向量化模型",
    "seg.col_time": "预计耗时",
    "seg.col_ready": "已就绪",
    "seg.col_what": "说明",
    "seg.compare_caption": "{n} 条不重复文本。预计耗时是按双核笔记本估算的粗略数字；"
                           "每个向量化模型对每个数据集只运行一次，然后缓存。",
    "seg.features": "特征",
    "seg.weight": "文本与行为的权重",
    "seg.weight_help": "1 = 只看用户写的内容；0 = 只看数值/类别特征。距离严格按此比例在文本与行为之间分配。",
    "seg.weight_help_none": "没有映射任何数值或类别特征（数据页面），因此只有文本起作用。",
    "seg.weight_split": "文本 {text} · 行为 {behaviour}",
    "seg.reducer": "聚类前的降维",
    "seg.reducer_help": "更少、更密集的维度让聚类更快，结果往往也更好。",
    "seg.method": "分组方法",
    "seg.algorithm": "算法",
    "seg.algorithm_help": "K-means：分群呈球形，由您（或 segkit）决定 K。HDBSCAN/DBSCAN："
                          "寻找任意形状的密集群组，可能留下未分配的离群用户。",
    "seg.auto_k": "自动选择 K",
    "seg.auto_k_help": "在 K = 2…15 中选轮廓系数（silhouette）最高的 K。",
    "seg.noise_policy": "噪声策略：不属于任何密集群组的用户…",
    "seg.noise_keep": "保留为“未分配”组",
    "seg.noise_reassign": "重新分配到最近的分群",
    "seg.noise_help": "会显示在每个页面上并写入导出结果（分群名称为“Unassigned”，或最近的分群且置信度为 0）。",
    "seg.seed": "随机种子",
    "seg.seed_help": "修改它，检查分群是否依赖运气。",
    "seg.quality": "质量",
    "seg.quality_help": "在聚类所用的空间中计算（从不在二维地图上计算）。箭头表示与上一组设置的差异。",
    "seg.m_segments": "分群数",
    "seg.m_silhouette": "轮廓系数 silhouette",
    "seg.m_ch": "CH 指数",
    "seg.m_db": "DB 指数",
    "seg.m_noise": "噪声占比",
    "seg.note_auto_k": "K = {k} 为自动选择（{rule}）",
    "seg.note_sample": "轮廓系数基于 {n} 名抽样用户估算",
    "seg.note_time": "聚类和描述用时 {seconds} 秒",
    "seg.note_policy": "噪声策略：{policy}",
    "seg.sizes": "**分群规模**",
    "seg.choosing_k": "**选择 K**",
    "seg.choosing_k_help": "在相同特征上对 K = 2 到 15 逐一运行 K-means。寻找轮廓系数的峰值和 Davies–Bouldin 的低谷；"
                           "绿色虚线是 segkit 的建议，红圈是当前使用的 K。",
    "seg.cliffs": "**HDBSCAN 的“悬崖”**",
    "seg.cliffs_help": "在一系列 min_cluster_size 取值下找到的分群数和未分配用户比例。红色条带标出“悬崖”："
                       "在那里参数稍有变化，结果就会大变。",
    "seg.spin_mcs": "正在扫描 min_cluster_size（每个特征空间一次）…",
    "seg.parameters": "**参数**",
    "seg.no_k": "此方法没有可扫描的 K；其参数在左侧。",
    "seg.stability": "稳定性",
    "seg.deterministic": "在相同特征上，{algorithm} 对任何种子都给出相同结果。要检验稳健性，请修改左侧的随机种子"
                         "（若使用 UMAP，也会改变其降维结果），然后在对比页面比较各次运行。",
    "seg.spin_seeds": "正在用 5 个种子重新运行…",
    "seg.m_stability": "种子稳定性（ARI）",
    "seg.stability_caption": "种子为 {seeds} 的 {n} 次运行之间的平均一致度（最差的一对为 {worst}）：**{verdict}**。",
    "seg.vs_label": "与标签列“{label}”对比",
    "seg.vs_label_help": "仅因为映射了标签列才显示；标签列从不用于构建分群。",
    "seg.m_ari": "ARI",
    "seg.m_nmi": "NMI",
    "seg.m_labelled": "有标签的用户",
    "seg.keep": "保存本次运行",
    "seg.name": "名称",
    "seg.save": "保存运行以便对比",
    "seg.saved": "已保存“{name}”。可在对比页面比较已保存的运行。",
    # ------------------------------------------------------------------ explore
    "exp.intro": "每个点代表一名用户；相互靠近的用户写的内容和行为相似。地图只是示意："
                 "分群和指标都是在完整特征空间中计算的。用套索或方框圈选一些点，即可在下方阅读这些用户的评论。",
    "exp.color_by": "着色依据",
    "exp.color_help": "按分群，或按任一特征着色：数值使用渐变色，类别各用一种颜色。",
    "exp.opt_segment": "分群",
    "exp.opt_confidence": "置信度",
    "exp.show": "显示的分群",
    "exp.all_segments": "全部分群",
    "exp.map": "地图",
    "exp.map_help": "UMAP 保留邻域结构（群组更清晰）；PCA 是简单的线性投影，即时可得。UMAP 在后台计算。",
    "exp.caption": "显示 {n} 名用户 · {method} 地图 · 噪声策略：{policy}",
    "exp.selected_n": "已选用户（{n}）",
    "exp.selected": "已选用户",
    "exp.select_hint": "使用地图右上角的套索或方框工具选择用户；点击某个点可选中单个用户。",
    "exp.col_segment": "分群",
    "exp.col_confidence": "置信度",
    "exp.col_reviews": "评论数",
    "exp.col_wrote": "所写内容",
    "exp.by_segment": "按分群：",
    # ------------------------------------------------------------------ segments
    "segs.intro": "每张卡片描述一个分群：规模、使其与众不同的词语、最典型用户的评论，以及它在各项特征上与全体用户的差异。"
                  "您输入的名称和所做的合并会在本次会话中保留，并体现在所有导出结果中。",
    "segs.merge": "合并分群",
    "segs.merge_pick": "要合并为一个的分群",
    "segs.merge_name": "合并后分群的名称（可选）",
    "segs.merge_button": "合并",
    "segs.merge_two": "请至少选择两个分群进行合并。",
    "segs.merged": "已将 {n} 个分群合并为一个（保留编号 {id}）。",
    "segs.merge_caption": "合并后保留最小的编号；关键词、示例和画像会针对合并后的群组重新计算。",
    "segs.toolbar": "{n} 个分群 · {merges} 次合并 · {renamed} 个已重命名 · 噪声策略：{policy}",
    "segs.undo": "撤销所有编辑",
    "segs.unassigned_text": "**{n} 名用户** · 占已分群用户的 {share}。密度方法没有为他们找到密集群组。"
                            "噪声策略：保留为“未分配”（可在分群设置页面改为“重新分配”，把每个用户归入最近的分群）。",
    "segs.name_label": "分群 {n} 的名称",
    "segs.name_help": "预先填入自动生成的名称；按回车保存您的名称。",
    "segs.users": "名用户",
    "segs.of_users": "的用户",
    "segs.stability": "稳定性",
    "segs.stability_title": "换用其他随机种子后，该分群中仍被分在一起的用户比例",
    "segs.words": "**使其与众不同的词语**",
    "segs.words_help": "该分群用户比其他用户更常用的词语和短语，差异最确定的排在前面（带信息先验的对数几率比，"
                       "以 z 分数表示）。各分群都同样常用的词不会排在前面。",
    "segs.reviews": "**最具代表性的评论**",
    "segs.no_text": "没有文本",
    "segs.profile": "**与全体用户对比的画像**",
    "segs.profile_help": "条形在 0 右侧：该分群在此特征上的平均值高于全体用户；1 = 一个标准差。",
    "segs.makeup": "构成依据",
    "segs.makeup_help": "各类别在此分群中（彩色）和全体用户中（灰色）的占比。",
    "segs.confidence": "平均归属置信度 {value}（0 = 处于与另一分群的边界，1 = 位于分群中心）· 分群编号 {id}",
    # ------------------------------------------------------------------ compare
    "cmp.intro": "保存运行（在此处或分群设置页面），然后比较其中两次：并列查看质量、"
                 "它们的一致程度（ARI：1 = 分群相同），以及用户从一次运行到另一次运行的去向。",
    "cmp.automatic": "自动",
    "cmp.save_as": "将当前运行保存为",
    "cmp.save": "保存当前运行",
    "cmp.none_saved": "还没有保存的运行。先保存当前运行，在分群设置页面修改一项设置（K、算法、文本权重…），"
                      "再保存一次，然后回到这里。",
    "cmp.col_name": "名称",
    "cmp.col_dataset": "数据集",
    "cmp.col_method": "方法",
    "cmp.col_segments": "分群数",
    "cmp.col_silhouette": "轮廓系数",
    "cmp.col_noise": "噪声占比",
    "cmp.remove_runs": "删除已保存的运行",
    "cmp.remove_pick": "要删除的运行",
    "cmp.remove": "删除",
    "cmp.one_more": "再保存一次运行即可比较两次。",
    "cmp.run_a": "运行 A",
    "cmp.run_b": "运行 B",
    "cmp.same_run": "请选择两次不同的运行。",
    "cmp.different_data": "“{a}”和“{b}”基于不同的数据（{data_a} 与 {data_b}，或列角色不同）；"
                          "只有针对相同用户的运行才能比较。",
    "cmp.m_ari": "一致度（ARI）",
    "cmp.m_ari_help": "两次运行在相同用户上的调整兰德指数：1 = 分群完全相同（不论名称），0 = 相似程度不超过随机。"
                      "高于 0.8 时两次运行说明的是同一回事。",
    "cmp.m_nmi": "两次运行间的 NMI",
    "cmp.m_users": "参与比较的用户",
    "cmp.row_ari": "ARI（对比标签）",
    "cmp.row_nmi": "NMI（对比标签）",
    "cmp.col_metric": "指标",
    "cmp.col_better": "更好",
    "cmp.col_good": "怎样算好",
    "cmp.higher": "越高越好",
    "cmp.lower": "越低越好",
    "cmp.side_by_side": "**指标并列对比**",
    "cmp.settings_differ": "**不同的设置**",
    "cmp.col_setting": "设置",
    "cmp.same_settings": "设置相同（合并等编辑可能不同）。",
    "cmp.where": "用户的去向",
    "cmp.tab_heat": "列联热力图",
    "cmp.tab_sankey": "流向图（桑基图 Sankey）",
    "cmp.heat_caption": "行：A 的分群；列：B 的分群。每格为用户数；颜色表示占该行的比例。",
    "cmp.ids_caption": "A：{a} · B：{b}。每次运行中的分群编号按规模排序，相同编号未必是同一分群；"
                       "请以热力图为准（{moved} 的用户编号不同）。",
    # ------------------------------------------------------------------ export
    "out.intro": "下载每一条上传的行及其分群、分群摘要、重新运行本次分群所需的设置，以及分群词典："
                 "一个可以邮件发给同事的 HTML 文件（离线即可打开）。",
    "out.preparing": "正在准备文件…",
    "out.m_rows": "您文件中的行数",
    "out.m_export": "导出的行数",
    "out.m_export_help": "总是相同：无法分群的行会被保留并标记，从不丢弃。",
    "out.m_not": "未分群的行",
    "out.m_not_help": "没有用户 ID，或该用户完全没有文本。这些行的分群列为空，“{status}”列说明原因。",
    "out.m_unassigned": "“未分配”的行",
    "out.m_unassigned_help": "密度方法的离群用户（噪声策略为“保留”）。",
    "out.caption": "噪声策略：{policy}。地图坐标（map_x、map_y）来自 {method} 地图。"
                   "已包含分群详情页面中的 {merges} 次合并和 {renames} 次重命名。",
    "out.downloads": "下载",
    "out.labeled": "**带标签的行（CSV）**",
    "out.labeled_caption": "按原始顺序包含每一条上传的行，另加 segment_id、segment_name、segment_confidence、"
                           "map_x、map_y 和 {status} 列。电子表格会当作公式执行的单元格前会加一个引号。",
    "out.dl_labeled": "下载带标签的行",
    "out.dl_labeled_xlsx": "Excel（.xlsx，每个单元格均为文本）",
    "out.summary": "**分群摘要（CSV）**",
    "out.summary_caption": "每个分群一行：名称、规模、占比、关键词、一条示例、稳定性以及画像（相对全体用户的 z 分数）。",
    "out.dl_summary": "下载分群摘要",
    "out.report": "**分群词典（HTML）**",
    "out.report_caption": "每个分群一张卡片：名称、规模、关键词、示例评论、画像图和稳定性。文件自包含：无需联网即可打开。",
    "out.dl_report": "下载分群词典",
    "out.config": "**运行配置（JSON）**",
    "out.config_caption": "可在命令行中重现本次分群（不含合并和重命名）。把它放在 {name} 旁边，然后运行：",
    "out.dl_config": "下载运行配置",
    "out.preview": "预览",
    "out.preview_caption": "前 100 行；segkit 添加的列在前（map_x 和 map_y 在最后）。",
    # ------------------------------------------------------------------ recommend
    "rec.intro": "上传用户购买、评分或点击过的记录，看看推荐*用户所在分群*最热门的商品是否胜过推荐全站最热门的商品，"
                 "以每个用户被留出的最后一次交互来衡量。下方：每个分群与全体用户相比偏好什么，以及将新用户分配到各分群。",
    "rec.reviews_upload": "要分群的评论（CSV、Excel、Parquet、JSON Lines）",
    "rec.reviews_first": "请先上传要分群的评论文件。",
    "rec.spin_segment": "正在分群（TF-IDF，自动 K）…",
    "rec.current": "**{name}** 的当前分群：{k} 个分群（{algorithm}，{embedder}），{n} 名用户有分群。",
    "rec.spin_eval": "正在用留出的交互进行评估…",
    "rec.spin_other_k": "正在用另一个 K 重新分群…",
    "rec.evaluation": "推荐效果评估",
    "rec.interactions": "交互记录：用户 ID、商品 ID、可选的评分和时间（CSV/TSV、Excel、Parquet、JSON Lines）",
    "rec.interactions_info": "上传交互记录以进行评估。用户 ID 必须与已分群文件中的一致。",
    "rec.user_id": "用户 ID",
    "rec.item_id": "商品 ID",
    "rec.rating": "评分",
    "rec.time": "时间（留出 = 最后一件商品）",
    "rec.k": "推荐列表长度 k",
    "rec.n_test": "每个用户留出的商品数",
    "rec.knn": "同时评估 item-kNN 变体",
    "rec.other_ks": "与以下 K 的 K-means 比较：K =",
    "rec.beat": "优于",
    "rec.worse": "不如",
    "rec.same": "并未明显不同于",
    "rec.verdict": "使用当前分群的分群热门推荐 **{verdict}** 全站热门推荐：NDCG@{k} {ndcg} 对 {base_ndcg}"
                   "（差值 {gain}，95% 区间 {low} 至 {high}）；命中率@{k} {hr} 对 {base_hr}。",
    "rec.gain": "NDCG 增益",
    "rec.low": "95% 下限",
    "rec.high": "95% 上限",
    "rec.table_caption": "增益 = 每个用户相对全站热门推荐的差值，附配对 bootstrap 95% 区间；只有整个区间都大于 0 时才判为“更好”。"
                         "“(shuffled)”行把相同的分群规模随机分给用户：不反映口味的分群得分就会如此。",
    "rec.picks": "每个分群偏好什么（与全体用户对比）",
    "rec.segment": "分群",
    "rec.rank_by": "排序依据",
    "rec.rank_help": "count：该分群选得最多的；lift：该分群选得远多于平均水平的",
    "rec.items": "商品数",
    "rec.dl_top": "下载每个分群的热门商品（CSV）",
    "rec.assign": "把新用户分配到这些分群",
    "rec.assign_caption": "上传与已分群文件列相同的新用户（文本及所用特征）。每个用户会被分到最近的分群并给出置信度；"
                          "远离所有分群的用户会被标记为离群（密度方法不会分配他们）。",
    "rec.spin_model": "正在准备分群模型…",
    "rec.new_users": "新用户",
    "rec.no_model": "无法把本次分群保存为模型：{error}",
    "rec.dl_model": "下载模型（.npz，供 `segkit assign` 使用）",
    "rec.dl_model_help": "安全的文件格式（JSON 设置 + 数组，不使用 pickle）：`segkit assign segkit_model.npz "
                         "new_users.csv --out labeled.csv`",
    "rec.new_count": "{n} 名新用户：",
    "rec.dl_new": "下载带分群的新数据行（CSV）",
    # ------------------------------------------------------------------ HTML segment dictionary
    "report.title": "分群词典",
    "report.uploaded": "上传的数据",
    "report.sub": "{dataset} · {total} 名用户中的 {segmented} 名分为 {k} 个分群 · 由 segkit {version} 生成于 {date}",
    "report.noise_reassign": "离群用户已重新分配到最近的分群（噪声策略：重新分配）",
    "report.noise_keep": "{share} 的用户为离群用户，保留为“未分配”（噪声策略：保留）",
    "report.noise_none": "每个有文本的用户都属于某个分群（此方法没有离群用户）",
    "report.k_auto": "K = {k}，自动选择",
    "report.k_n": "{k} 个分群",
    "report.fact_users": "名用户已分群（共 {total} 名）",
    "report.fact_silhouette": "轮廓系数 silhouette：{words}",
    "report.fact_refound": "的用户在其他种子下被重新找到",
    "report.fact_deterministic": "确定性方法：每次运行结果相同",
    "report.fact_ari": "ARI（对比“{label}”，1 = 完全一致）",
    "report.method": "{algorithm}，基于 {embedder} 文本向量（文本权重 {text}，行为 {behaviour}）",
    "report.howto": "<b>阅读说明。</b>每张卡片是一组写的内容和行为相似的用户。<i>关键词</i>是该组相对其他组的典型词语；"
                    "<i>示例评论</i>来自离该组中心最近的用户。画像条形显示该组与全体用户的差异："
                    "在<i>平均</i>右侧表示更高，一格为一个标准差。<i>稳定性</i>是换用其他随机种子重新聚类后，"
                    "该组中仍被分在一起的用户比例。在构成图中，彩色条为该组，灰色条为全体用户。",
    "report.method_line": "方法：{method}；{noise}。",
    "report.th_segment": "分群",
    "report.th_users": "用户数",
    "report.th_share": "占比",
    "report.th_stability": "稳定性",
    "report.th_keywords": "主要关键词",
    "report.card_size": "{n} 名用户 · 占已分群用户的 {share} · 分群编号 {id}",
    "report.keywords": "关键词",
    "report.no_words": "没有特别突出的词",
    "report.stability": "稳定性",
    "report.confidence": "平均归属置信度 {value}（0 = 处于与另一分群的边界，1 = 位于分群中心）。",
    "report.profile": "与全体用户对比的画像",
    "report.examples": "示例评论",
    "report.average": "平均",
    "report.unassigned": "未分配",
    "report.unassigned_size": "{n} 名用户 · {share}",
    "report.unassigned_text": "{algorithm} 没有为这些用户找到密集群组（噪声策略：保留）。"
                              "它们在导出的表格中标记为“Unassigned”；选择“重新分配”策略可把每个用户归入最近的分群。",
    "report.not_segmented": "{n} 名用户没有可用的文本，不属于任何分群；他们保留在导出的表格中，标记为“not segmented”。",
    "report.config": "运行配置（用 <code>segkit segment --config run.json</code> 重新运行）",
    "report.sil_none": "无法测量",
    "report.sil_strong": "强，分得很清楚",
    "report.sil_reasonable": "分离程度尚可",
    "report.sil_weak": "较弱，但对文本而言属于常见水平",
    "report.sil_little": "几乎没有结构",
    "common.preview_note": "这是用 {preview} 立即得到的**预览分群**。{embedder} 按语义理解文本，分群更好："
                           "它正在后台向量化，完成后自动替换这些分群，无需点击。",
    "common.preview_progress": "{embedder}：{done} / {total} 条文本 · 剩余{eta}",
    "common.preview_keep": "停止 {embedder}，保留 {preview} 预览",
    "common.preview_failed": "{embedder} 未能完成（{error}）；保留 {preview} 预览分群。可在“分群”页重新选择向量化模型再试。",
    "common.swapped": "分群现在使用 **{embedder}**，已替换 {preview} 预览。",
    "seg.auto_option": "自动：{embedder}",
    "segs.split": "查看内部：拆分为子分群",
    "segs.split_help": "仅对本分群的用户重新分群（相同向量、自动选择 K），看看其内部哪些群体各有特点。其他结果不变。",
    "segs.split_spin": "正在拆分该分群…",
    "segs.split_col_name": "子分群",
    "segs.split_col_users": "用户数",
    "segs.split_col_share": "占本分群",
    "segs.split_col_words": "区分性词语",
    "segs.split_col_persona": "一句话描述",
    "segs.split_caption": "{k} 个子分群，K 按本分群用户自动选择{strength}。",
    "segs.split_clear": "（分群结构清晰）",
    "segs.split_weak": "（分群结构较弱：视为倾向即可）",
    "segs.split_none": "（无分群结构：为便于阅读选择 K）",
    "seg.k_weak": "**分群结构不强**（轮廓系数 {silhouette}，低于 0.25）：K = {k} 时分群相对同形状的无分群参照数据最突出。"
                  "相邻的 K 值几乎一样好，见 K 扫描图。",
    "seg.k_none": "**未发现分群结构**：任何 K 下分群都不比同形状的无分群数据分得更开，因此为便于阅读选择 K = {k}。见 K 扫描图。",
    "seg.auto_reason": "**自动选择：{embedder}。** {reason}",
}

from segkit import i18n_describe as _describe  # noqa: E402 - profile, sentiment, bootstrap words

EN.update(_describe.EN)
ZH.update(_describe.ZH)
MESSAGES: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}

# Fixed English words that segkit.plots writes into figures, with their Chinese. Matched
# against whole strings (trace names, axis and legend titles, subplot titles, hover
# templates), so uploaded data that merely contains these words is never changed.
CHART_PHRASES: dict[str, dict[str, str]] = {
    "zh": {
        "Silhouette (higher is better, max 1)": "轮廓系数 silhouette（越高越好，最大 1）",
        "Calinski–Harabasz (higher is better)": "Calinski–Harabasz（越高越好）",
        "Davies–Bouldin (lower is better)": "Davies–Bouldin（越低越好）",
        "current K": "当前 K",
        "cluster-free reference": "无分群的参照数据",
        "K (number of segments)": "K（分群数）",
        "Segments found": "找到的分群数",
        "Users left unassigned (noise share)": "未分配的用户（噪声占比）",
        "cliff": "悬崖",
        "vs all users (standard deviations)": "相对全体用户（标准差）",
        "this segment": "该分群",
        "all users": "全体用户",
        "Segment": "分群",
        "share of row": "占该行比例",
        "run A": "运行 A",
        "run B": "运行 B",
        "Run A": "运行 A",
        "Run B": "运行 B",
        "share of Run A row": "占运行 A 该行的比例",
        "%{y}: %{x:,} users<extra></extra>": "%{y}：%{x:,} 名用户<extra></extra>",
        "K=%{x}: %{y:.3f}<extra></extra>": "K=%{x}：%{y:.3f}<extra></extra>",
        "current K=%{x}: %{y:.3f}<extra></extra>": "当前 K=%{x}：%{y:.3f}<extra></extra>",
        "min_cluster_size=%{x}: %{y} segments<extra></extra>": "min_cluster_size=%{x}：%{y} 个分群<extra></extra>",
        "min_cluster_size=%{x}: %{y:.0%} unassigned<extra></extra>":
            "min_cluster_size=%{x}：%{y:.0%} 未分配<extra></extra>",
        "%{y}: segment mean %{customdata[1]:.2f}, %{customdata[0]:+.2f} SD vs all users<extra></extra>":
            "%{y}：分群均值 %{customdata[1]:.2f}，相对全体用户 %{customdata[0]:+.2f} 个标准差<extra></extra>",
        "%{y}: %{x:.0%} of this segment<extra></extra>": "%{y}：占该分群的 %{x:.0%}<extra></extra>",
        "%{y}: %{x:.0%} of all users<extra></extra>": "%{y}：占全体用户的 %{x:.0%}<extra></extra>",
        "segment %{y}<br>label %{x}<br>%{text} users (%{z:.0%} of the segment)<extra></extra>":
            "分群 %{y}<br>标签 %{x}<br>%{text} 名用户（占该分群的 %{z:.0%}）<extra></extra>",
        "Run A: %{y}<br>Run B: %{x}<br>%{text} users (%{z:.0%})<extra></extra>":
            "运行 A：%{y}<br>运行 B：%{x}<br>%{text} 名用户（%{z:.0%}）<extra></extra>",
        "%{source.label} → %{target.label}: %{value} users<extra></extra>":
            "%{source.label} → %{target.label}：%{value} 名用户<extra></extra>",
    },
}
# Patterns for chart words with a number in them (matched on the whole string).
CHART_PATTERNS: dict[str, list[tuple[str, str]]] = {
    "zh": [(r"suggested K = (\d+)", r"建议 K = \1")],
}


def normalize_lang(lang: str | None) -> str:
    """A supported language code for `lang` ('zh-CN', 'zh_Hans', '中文' -> 'zh'); English otherwise."""
    if not lang:
        return DEFAULT_LANGUAGE
    value = str(lang).strip().lower()
    if value in MESSAGES:
        return value
    if value.startswith("zh") or value in ("中文", "简体中文", "chinese"):
        return "zh"
    return DEFAULT_LANGUAGE


def t(key: str, lang: str | None = DEFAULT_LANGUAGE, **fmt) -> str:
    """The message `key` in `lang`, formatted with `fmt` (English, then the key, if missing)."""
    catalog = MESSAGES[normalize_lang(lang)]
    text = catalog.get(key)
    if text is None:
        text = EN.get(key, key)
    return text.format(**fmt) if fmt else text


def has(key: str, lang: str | None = DEFAULT_LANGUAGE) -> bool:
    return key in MESSAGES[normalize_lang(lang)]


def placeholders(text: str) -> set[str]:
    """The `{names}` a message expects (format specs and conversions ignored)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def chart_phrase(text: str, lang: str | None) -> str:
    """`text` in `lang` when it is one of segkit.plots' fixed chart phrases; otherwise unchanged."""
    lang = normalize_lang(lang)
    if lang == DEFAULT_LANGUAGE or not isinstance(text, str):
        return text
    phrases = CHART_PHRASES.get(lang, {})
    if text in phrases:
        return phrases[text]
    for pattern, replacement in CHART_PATTERNS.get(lang, []):
        if re.fullmatch(pattern, text):
            return re.sub(pattern, replacement, text)
    return text


LANGUAGE_LABEL_KEYS = {
    "mostly Chinese": "lang.mostly_chinese",
    "mixed Chinese/English": "lang.mixed",
    "mostly English/Latin": "lang.mostly_latin",
    "mostly other scripts": "lang.other",
}


def language_label(label: str, lang: str | None) -> str:
    """segkit.io.language's label ('mostly Chinese'...) in `lang`."""
    key = LANGUAGE_LABEL_KEYS.get(label)
    return t(key, lang) if key else label


__all__ = ["CHART_PHRASES", "DEFAULT_LANGUAGE", "LANGUAGES", "MESSAGES", "chart_phrase", "has", "language_label",
           "normalize_lang", "placeholders", "t"]
