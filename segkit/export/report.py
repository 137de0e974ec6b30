"""The segment dictionary: one self-contained HTML file describing every segment.

A card per segment with its name, size, keywords, example reviews, profile against all
users and how stable it is across random seeds, so a marketer can mail it to a
colleague. The file needs no network: CSS is inline, charts are inline SVG, there is no
JavaScript and no external reference. Every text that came from an upload (reviews,
ids, column names, category values, names people typed) is HTML-escaped.
"""

from __future__ import annotations

import datetime as _dt
import html
from pathlib import Path

import numpy as np

from segkit import waits
from segkit.cluster.base import NOISE
from segkit.cluster.noise import apply_noise_policy
from segkit.cluster.registry import CLUSTERERS, get_clusterer
from segkit.derived_cache import DerivedCache, get_or_build
from segkit.explain.words import tr as explain_tr
from segkit.export.explain_html import rules_html, separability_html
from segkit.export.profile_html import number, over_under_html, sentiment_html, units_table_html
from segkit.i18n import normalize_lang, t
from segkit.metrics.stability import bootstrap_stability
from segkit.plots.colors import NOISE_COLOR, segment_color
from segkit.plots.svg import diverging_bars_svg, meter_svg, paired_share_bars_svg
from segkit.privacy import mask
from segkit.privacy.words import kinds_text, word

STABILITY_SEEDS = (1, 2, 3, 4)


def _segkit_version() -> str:
    try:
        from segkit import __version__
    except ImportError:  # an unusual import path (namespace package); the version is cosmetic
        return "?"
    return str(__version__)


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


# ------------------------------------------------------------------------ stability


def segment_stability(run, seeds=STABILITY_SEEDS, memory=None) -> dict:
    """How well each segment comes back when the clustering is re-run with other seeds.

    For each other seed, the new run's segments are matched to this run's segments by
    largest overlap (several may match one: a merged segment absorbs its parts); a user
    is 'stable' when their new segment maps back to their segment. Per segment: the
    share of its users that are stable, averaged over seeds (1 = always reproduced).
    The clustering space is fixed (same features and reduction); only the clusterer's
    seed changes. Returns {"per_segment": {id: share}, "overall": share of all
    segmented users, "seeds": [...], "deterministic": bool}.

    Deterministic methods (HDBSCAN, DBSCAN, agglomerative) give the same labels for any
    seed, so a seed comparison would say "100%" by construction. They get bootstrap
    stability instead (`segkit.metrics.stability.bootstrap_stability`: refits on seeded
    80% resamples, per-segment best-match Jaccard), with "method": "bootstrap". A segment
    whose number cannot be computed is absent from "per_segment" (shown without a badge).
    """
    # An edited run is measured on the run it came from: merged segments are the analyst's
    # choice, so each is scored by how well the segments it is made of come back.
    labels = np.asarray(run.result.labels)
    run = run.unedited if run.unedited is not None else run
    algorithm = run.config.algorithm
    clusterer_class = CLUSTERERS[algorithm]
    params = {k: v for k, v in run.result.params.items() if k != "seed"}
    segments = sorted(int(s) for s in np.unique(labels) if s != NOISE)
    deterministic = CLUSTERERS.flag(algorithm, "deterministic")
    if not segments:
        return {"per_segment": {}, "overall": None, "seeds": [], "deterministic": deterministic}
    if deterministic:
        return _bootstrap_for_edits(run, labels, params, memory)
    kept = labels != NOISE
    stable_counts = np.zeros(len(labels), dtype=float)
    for done, seed in enumerate(seeds):
        if done:
            waits.progress(done, len(seeds))  # an open wait's bar (segkit.waits.plans.refits_wait)
        result = get_clusterer(algorithm, **params).fit(run.space.matrix, seed=int(seed))
        if clusterer_class.density_based:
            result = apply_noise_policy(result, run.space.matrix, run.config.noise_policy)
        other = result.labels
        mapping: dict[int, int] = {}
        for cluster in np.unique(other):
            if cluster == NOISE:
                continue
            members = (other == cluster) & kept
            if not members.any():
                continue
            values, counts = np.unique(labels[members], return_counts=True)
            mapping[int(cluster)] = int(values[np.argmax(counts)])
        mapped = np.array([mapping.get(int(c), -999) for c in other])
        stable_counts += (mapped == labels)
    share = stable_counts / len(seeds)
    per = {s: float(share[labels == s].mean()) for s in segments}
    return {"per_segment": per, "overall": float(share[kept].mean()), "seeds": [int(s) for s in seeds],
            "deterministic": False}


def _bootstrap_for_edits(run, labels: np.ndarray, params: dict, memory=None) -> dict:
    """Bootstrap stability of the run's own segments, then per edited segment the
    size-weighted mean over the original segments it is made of (a merge is the
    analyst's choice, not the method's instability). Kept in `memory` per space and labels."""
    base_labels = np.asarray(run.result.labels)
    settings = (run.config.algorithm, repr(sorted(params.items())), run.config.noise_policy,
                DerivedCache.digest(base_labels))
    base = get_or_build(
        memory, "bootstraps", run.space.matrix, settings,
        lambda: bootstrap_stability(run.space.matrix, base_labels, run.config.algorithm, params,
                                    run.config.noise_policy, seed=run.config.seed))
    per_base = base["per_segment"]
    per: dict[int, float] = {}
    for segment in sorted(int(s) for s in np.unique(labels) if s != NOISE):
        parts, sizes = np.unique(base_labels[labels == segment], return_counts=True)
        real = parts != NOISE
        if real.any() and all(int(p) in per_base for p in parts[real]):
            weights = sizes[real]
            per[segment] = float(np.dot([per_base[int(p)] for p in parts[real]], weights) / weights.sum())
    kept = labels != NOISE
    sizes = {s: int((labels == s).sum()) for s in per}
    overall = sum(per[s] * sizes[s] for s in per) / sum(sizes.values()) if per and kept.any() else None
    return {"per_segment": per, "overall": overall, "seeds": [], "deterministic": True,
            "method": "bootstrap", "repeats": base["repeats"], "fraction": base["fraction"]}


def stability_words(share: float | None, lang: str = "en") -> str:
    if share is None:
        return t("stab.not_measured", lang)
    if share >= 0.85:
        return t("stab.stable", lang)
    if share >= 0.65:
        return t("stab.fairly_stable", lang)
    return t("stab.unstable", lang)


def silhouette_words(value: float | None, lang: str = "en") -> str:
    if value is None:
        return t("report.sil_none", lang)
    if value >= 0.5:
        return t("report.sil_strong", lang)
    if value >= 0.25:
        return t("report.sil_reasonable", lang)
    if value >= 0.1:
        return t("report.sil_weak", lang)
    return t("report.sil_little", lang)


def _explanations(run, rules, separability):
    """The run's rules and separability, computed when not given; separability is None when
    too few segments are large enough to cross-validate (the cards then show no classifier)."""
    from segkit.errors import SegkitInputError
    from segkit.explain.rules import segment_rules
    from segkit.explain.separability import segment_separability

    if rules is None:
        try:
            rules = segment_rules(run)
        except SegkitInputError:  # too few users for a tree: the cards show no rules
            rules = None
    if separability is None:
        try:
            separability = segment_separability(run)
        except SegkitInputError:
            separability = None
    return rules, separability


# --------------------------------------------------------------------------- report

_CSS = """
:root{--ink:#1F2430;--muted:#5F6B7A;--line:#E3E7ED;--bg:#F6F7F9;--accent:#2F6FB0}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 -apple-system,"Segoe UI",Inter,Helvetica,Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:32px 24px 64px}
h1{font-size:30px;margin:0 0 4px}
h2{font-size:21px;margin:0}
h3{font-size:14px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:18px 0 8px}
.sub{color:var(--muted);margin:0 0 24px}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px;margin:0 0 20px}
.fact{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.fact b{display:block;font-size:22px}
.fact span{color:var(--muted);font-size:13px}
.howto{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 16px;color:var(--muted);font-size:14px}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);border-radius:10px;overflow:hidden;margin:16px 0 28px}
th,td{text-align:left;padding:8px 12px;border-bottom:1px solid var(--line);vertical-align:top;font-size:14px}
th{background:#FAFBFC;color:var(--muted);font-weight:600}
td.num{text-align:right;white-space:nowrap}
.dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:8px;vertical-align:middle}
.card{background:#fff;border:1px solid var(--line);border-left:6px solid var(--c);border-radius:12px;padding:20px 22px;margin:0 0 22px;page-break-inside:avoid}
.card header{display:flex;justify-content:space-between;align-items:baseline;gap:16px;flex-wrap:wrap}
.size{color:var(--muted);font-size:14px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:8px 28px}
@media (max-width:760px){.grid{grid-template-columns:1fr}}
.chips{display:flex;flex-wrap:wrap;gap:6px}
.chip{background:#EEF3F9;border:1px solid #D7E2EF;color:#22415F;border-radius:999px;padding:2px 10px;font-size:13px}
blockquote{margin:0 0 8px;padding:8px 12px;background:#FAFBFC;border-left:3px solid var(--line);border-radius:4px;font-size:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.badge{display:inline-block;border-radius:6px;padding:1px 8px;font-size:12px;font-weight:600}
.ok{background:#E6F4EA;color:#1E6B34}.mid{background:#FFF4DE;color:#8A5A00}.bad{background:#FDE8E8;color:#9B1C1C}
.note{color:var(--muted);font-size:13px}
.persona{font-size:15px;margin:6px 0 4px;color:#2B3340}
details{background:#fff;border:1px solid var(--line);border-radius:10px;padding:10px 14px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px}
a{color:var(--accent)}
"""


def _badge(share: float | None, lang: str = "en") -> str:
    if share is None:  # no number could be computed: no badge rather than a made-up one
        return ""
    cls = "ok" if share >= 0.85 else ("mid" if share >= 0.65 else "bad")
    return f'<span class="badge {cls}">{share:.0%} · {_e(stability_words(share, lang))}</span>'


def segment_report_html(run, *, title: str | None = None, stability: dict | None = None,
                        seed_ari: float | None = None, generated: _dt.datetime | None = None,
                        lang: str = "en", memory=None, rules=None, separability=None) -> str:
    """The segment dictionary for `run`, as one HTML string.

    An edited run (`segkit.edits.Edits.apply`) shows the analyst's names and merges;
    `stability` is `segment_stability(...)`'s result when already
    computed (otherwise it is computed here: a few re-fits); `seed_ari` the mean
    pairwise ARI across seeds, when known. `lang` ('en' or 'zh') is the language of
    the report's own words; names, keywords and reviews are shown as they are.
    `rules` (segkit.explain.rules.segment_rules) and `separability`
    (segkit.explain.separability.segment_separability) of the edited run are computed here
    when not given (a second or a few at 5,000 users).
    """
    lang = normalize_lang(lang)

    def tr(key: str, **fmt) -> str:
        return t(key, lang, **fmt)

    edited = run
    summary = edited.summary
    table = summary.table
    metrics = edited.metrics
    config = edited.config
    if stability is None:
        stability = segment_stability(run, memory=memory)
    rules, separability = _explanations(edited, rules, separability)
    per_segment = stability.get("per_segment", {})
    dataset = title or (Path(config.input_path).name if config.input_path else tr("report.uploaded"))
    generated = generated or _dt.datetime.now()
    version = _segkit_version()

    clusterer = CLUSTERERS[config.algorithm]
    n_users_total = int(metrics.get("n_users_total", edited.table.n_users))
    n_segmented = int(metrics.get("n_users_segmented", len(edited.labels)))
    real = table[table["segment_id"] >= 0]
    noise_rows = table[table["segment_id"] < 0]
    noise_share = float(metrics.get("noise_share") or 0.0)

    out: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(tr('report.title'))} · {_e(dataset)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>{_e(tr('report.title'))}</h1>",
        '<p class="sub">' + _e(tr("report.sub", dataset=dataset, segmented=f"{n_segmented:,}",
                                  total=f"{n_users_total:,}", k=len(real), version=version,
                                  date=generated.strftime("%Y-%m-%d %H:%M" if lang == "zh" else "%d %b %Y, %H:%M")))
        + "</p>",
    ]

    # Key facts.
    policy = config.noise_policy
    if clusterer.density_based:
        if policy == "reassign":
            noise_text = tr("report.noise_reassign")
        else:
            noise_text = tr("report.noise_keep", share=f"{noise_share:.0%}")
    else:
        noise_text = tr("report.noise_none")
    k_text = tr("report.k_auto", k=metrics["auto_k"]) if "auto_k" in metrics else tr("report.k_n", k=len(real))
    facts = [
        (f"{n_segmented:,}", tr("report.fact_users", total=f"{n_users_total:,}")),
        (f"{len(real)}", k_text),
        (number(metrics.get("silhouette")) if metrics.get("silhouette") is not None else "–",
         tr("report.fact_silhouette", words=silhouette_words(metrics.get("silhouette"), lang))),
        (f"{stability.get('overall'):.0%}" if stability.get("overall") is not None else "–",
         tr("report.fact_refound") if not stability.get("deterministic")
         else tr("desc.fact_bootstrap") if stability.get("method") == "bootstrap" else tr("report.fact_deterministic")),
    ]
    if "ari" in metrics and config.roles.label_col:
        facts.append((f"{metrics['ari']:.2f}", tr("report.fact_ari", label=config.roles.label_col)))
    out.append('<section class="facts">')
    for big, small in facts:
        out.append(f'<div class="fact"><b>{_e(big)}</b><span>{_e(small)}</span></div>')
    out.append("</section>")
    weight = edited.effective_text_weight  # what fusion used: 100% text for a text-only upload
    method = tr("report.method", algorithm=_e(clusterer.label or config.algorithm), embedder=_e(config.embedder),
                text=f"{weight:.0%}", behaviour=f"{1 - weight:.0%}")
    out.append(
        '<div class="howto">' + tr("report.howto")
        + f"<br><span class='note'>{tr('report.method_line', method=method, noise=_e(noise_text))}</span></div>"
    )
    found = edited.table.personal_data
    if found.total:  # counts by kind only; the quotes below are masked whatever the run's setting
        out.append(f"<p class='note'>{_e(word('privacy.report_line', lang, kinds=kinds_text(found, lang)))}</p>")

    # Overview table.
    out.append("<table><thead><tr>" + "".join(f"<th>{_e(tr(key))}</th>" for key in (
        "report.th_segment", "report.th_users", "report.th_share", "report.th_stability", "report.th_keywords"))
        + "</tr></thead><tbody>")
    for _, row in table.iterrows():
        segment = int(row["segment_id"])
        color = segment_color(segment)
        anchor = f"seg-{segment}" if segment >= 0 else "unassigned"
        keywords = ", ".join(term for term, _ in summary.keywords.get(segment, [])[:5])
        out.append(
            f'<tr><td><span class="dot" style="background:{color}"></span><a href="#{anchor}">'
            f'{_e(row["segment_name"])}</a></td><td class="num">{int(row["size"]):,}</td>'
            f'<td class="num">{float(row["share"]):.1%}</td>'
            f"<td>{_badge(per_segment.get(segment), lang) if segment >= 0 else '–'}</td><td>{_e(keywords)}</td></tr>"
        )
    out.append("</tbody></table>")

    numeric = summary.numeric
    for _, row in real.iterrows():
        segment = int(row["segment_id"])
        color = segment_color(segment)
        out.append(f'<article class="card" id="seg-{segment}" style="--c:{color}">')
        size_text = tr("report.card_size", n=f"{int(row['size']):,}", share=f"{float(row['share']):.1%}", id=segment)
        out.append(f'<header><h2><span class="dot" style="background:{color}"></span>{_e(row["segment_name"])}</h2>'
                   f'<span class="size">{_e(size_text)}</span></header>')
        persona = summary.persona(segment, lang)
        if persona:
            out.append(f'<p class="persona">{_e(persona)}</p>')
        out.append(meter_svg(float(row["share"]), color, width=240))
        out.append('<div class="grid"><div>')
        out.append(f"<h3>{_e(tr('report.keywords'))}</h3><div class='chips'>")
        for term, _ in summary.keywords.get(segment, []):
            out.append(f'<span class="chip">{_e(term)}</span>')
        if not summary.keywords.get(segment):
            out.append(f'<span class="note">{_e(tr("report.no_words"))}</span>')
        out.append("</div>")
        if per_segment.get(segment) is not None:
            out.append(f"<h3>{_e(tr('report.stability'))}</h3><p>{_badge(per_segment.get(segment), lang)}</p>")
        mood = sentiment_html(summary, segment, lang)
        if mood:
            out.append(f"<h3>{_e(tr('desc.sentiment'))}</h3>{mood}")
        confidence = row.get("mean_confidence")
        if confidence is not None and confidence == confidence:
            out.append(f'<p class="note">{_e(tr("report.confidence", value=f"{float(confidence):.2f}"))}</p>')
        out.append("</div><div>")
        if numeric is not None and not numeric.empty and segment in numeric.index:
            rows = []
            for column in numeric["z"].columns:
                z = float(numeric["z"].loc[segment, column])
                mean = float(numeric["mean"].loc[segment, column])
                rows.append((str(column), z, f"{number(mean)} ({z:+.1f} SD)" if z == z else number(mean)))
            out.append(f"<h3>{_e(tr('report.profile'))}</h3>")
            svg = diverging_bars_svg(rows, title=f"profile of {row['segment_name']}")
            if lang != "en":  # the chart's one word: the zero line
                svg = svg.replace('font-size="10">average</text>', f'font-size="10">{_e(tr("report.average"))}</text>')
            out.append(svg)
        units = units_table_html(summary, segment, lang)
        if units:
            out.append(f"<h3>{_e(tr('desc.units'))}</h3>{units}")
        out.append("</div></div>")
        explained = rules_html(rules, segment, lang)
        if explained:
            out.append(f"<h3>{_e(explain_tr('explain.rule_title', lang))}</h3>{explained}")
        explained = separability_html(separability, segment, summary.names, lang)
        if explained:
            out.append(f"<h3>{_e(explain_tr('explain.sep_title', lang))}</h3>{explained}")
        examples = summary.representative_texts.get(segment, [])
        if examples:
            out.append(f"<h3>{_e(tr('report.examples'))}</h3>")
            for text in examples[:4]:
                # A report is mailed around: its quotes are masked even in a run that kept the texts.
                out.append(f"<blockquote>{_e(mask(text))}</blockquote>")
        if summary.categorical:
            out.append('<div class="grid">')
            for column, makeup in summary.categorical.items():
                if segment not in makeup.index:
                    continue
                top = makeup.columns[:6]
                rows = [(str(c), float(makeup.loc[segment, c]), float(makeup.loc["all users", c])) for c in top]
                out.append(f"<div><h3>{_e(column)}</h3>{paired_share_bars_svg(rows, color, title=str(column))}</div>")
            out.append("</div>")
            out.append(over_under_html(summary, segment, lang))
        out.append("</article>")

    if not noise_rows.empty:
        size = int(noise_rows["size"].iloc[0])
        size_text = tr("report.unassigned_size", n=f"{size:,}", share=f"{float(noise_rows['share'].iloc[0]):.1%}")
        out.append(f'<article class="card" id="unassigned" style="--c:{NOISE_COLOR}">'
                   f"<header><h2>{_e(tr('report.unassigned'))}</h2><span class='size'>"
                   f"{_e(size_text)}</span></header>"
                   f"<p>{_e(tr('report.unassigned_text', algorithm=clusterer.label))}</p></article>")

    not_segmented = n_users_total - n_segmented
    if not_segmented:
        out.append(f"<p class='note'>{_e(tr('report.not_segmented', n=f'{not_segmented:,}'))}</p>")
    out.append(f"<details><summary>{tr('report.config')}"
               f"</summary><pre>{_e(config.to_json())}</pre></details>")
    out.append("</main></body></html>")
    return "\n".join(out)
