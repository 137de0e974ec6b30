"""The History page's words in English and Chinese, and its st.Page (registered in app.py)."""

from __future__ import annotations

EN = {
    "nav": "History",
    "intro": "Runs saved with “Save run for comparison” are kept in the run database ({location}) and stay "
             "across sessions and server restarts. Reopen one, compare two, or delete them.",
    "save_failed": "Saved for this session, but not in the run database: {error}",
    "none": "No saved runs yet. Save one on the Segment or Compare page.",
    "col_id": "Id", "col_saved": "Saved", "col_name": "Name", "col_dataset": "Dataset", "col_users": "Users",
    "col_method": "Method", "col_embedder": "Embedder", "col_segments": "Segments",
    "tab_open": "Reopen", "tab_compare": "Compare two", "tab_delete": "Delete", "tab_time": "Over time",
    "pick": "Run", "facts": "**{name}** · {dataset} · {users} users · {method}, {embedder} · saved {saved}",
    "loaded": "This run's dataset is loaded: reopen it with the run's settings to explore it again.",
    "not_loaded": "This run's dataset is not loaded: showing the summary and per-user labels stored with it.",
    "reopen": "Reopen with these settings", "to_compare": "Add to the Compare page",
    "added": "Added to the Compare page.", "labels_csv": "Per-user labels (CSV)",
    "run_a": "Run A", "run_b": "Run B", "same_run": "Pick two different runs.",
    "different_users": "These runs segment different users ({a} and {b}): compare runs of the same data.",
    "ari": "Agreement (ARI)", "nmi": "Shared information (NMI)", "users_both": "Users in both",
    "moved": "{moved} of users are in a different segment in B.",
    "delete_pick": "Runs to delete", "delete": "Delete for good", "deleted": "Deleted {n} run(s).",
    "time_intro": "Segment sizes per period for the current run, from a date column of the data.",
    "time_col": "Time column", "freq": "Period", "no_time": "The data has no column that reads as dates or Unix times.",
    "time_none": "(choose)", "period_a": "Period A", "period_b": "Period B",
    "movers_intro": "Movers: the current run's model assigns each period's users from that period's rows; users "
                    "in both periods have a from → to. Biggest flows first.",
    "no_both": "No user wrote in both periods.",
    "movers_line": "{both} users in both periods; {moved} changed segment.",
    "no_shift": "No segment grew or faded by 10 points or more between {a} and {b}.",
    "no_run": "Segment the data first (Segment page) to see it over time.",
}
ZH = {
    "nav": "历史记录",
    "intro": "用“保存运行以便比较”保存的运行存放在运行数据库（{location}）中，跨会话和服务器重启保留。"
             "可重新打开、比较两次运行或删除。",
    "save_failed": "已在本会话中保存，但未写入运行数据库：{error}",
    "none": "还没有保存的运行。请在分群设置或对比页面保存。",
    "col_id": "编号", "col_saved": "保存时间", "col_name": "名称", "col_dataset": "数据集", "col_users": "用户数",
    "col_method": "方法", "col_embedder": "嵌入模型", "col_segments": "分群数",
    "tab_open": "重新打开", "tab_compare": "比较两次", "tab_delete": "删除", "tab_time": "随时间变化",
    "pick": "运行", "facts": "**{name}** · {dataset} · {users} 位用户 · {method}，{embedder} · 保存于 {saved}",
    "loaded": "该运行的数据集已加载：可用该运行的设置重新打开并继续探索。",
    "not_loaded": "该运行的数据集未加载：显示随运行保存的摘要和每位用户的标签。",
    "reopen": "用这些设置重新打开", "to_compare": "加入对比页面",
    "added": "已加入对比页面。", "labels_csv": "每位用户的标签（CSV）",
    "run_a": "运行 A", "run_b": "运行 B", "same_run": "请选择两次不同的运行。",
    "different_users": "这两次运行分群的用户不同（{a} 和 {b}）：请比较同一数据的运行。",
    "ari": "一致性（ARI）", "nmi": "共享信息（NMI）", "users_both": "共同用户",
    "moved": "{moved} 的用户在 B 中属于不同的分群。",
    "delete_pick": "要删除的运行", "delete": "永久删除", "deleted": "已删除 {n} 次运行。",
    "time_intro": "根据数据中的日期列，显示当前运行每个时期的分群规模。",
    "time_col": "时间列", "freq": "时期", "no_time": "数据中没有可读作日期或 Unix 时间的列。",
    "time_none": "（请选择）", "period_a": "时期 A", "period_b": "时期 B",
    "movers_intro": "迁移：当前运行的模型根据每个时期的记录为该时期的用户分群；两个时期都出现的用户有“从 → 到”。"
                    "按流量从大到小排列。",
    "no_both": "没有用户在两个时期都有记录。",
    "movers_line": "{both} 位用户在两个时期都出现；其中 {moved} 位换了分群。",
    "no_shift": "从 {a} 到 {b}，没有分群增减 10 个百分点以上。",
    "no_run": "请先对数据分群（分群设置页面），再查看随时间的变化。",
}


def htr(key: str, **fmt) -> str:
    from pages._shared.common import lang

    text = (ZH if lang() == "zh" else EN).get(key, EN.get(key, key))
    return text.format(**fmt) if fmt else text
