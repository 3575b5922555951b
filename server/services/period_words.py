"""How every table of a period names it: the list year and the standard it is classified under,
in the words of the standard's data file (its title, and its caveat while it is provisional:
"ngưỡng tạm, chờ văn bản hướng dẫn"). The survey form shows the same caption
(forms/household_survey.py), so a table and the form never name one standard two ways."""

from __future__ import annotations

from server.domain.standards import standard_for_year


def list_year_words(period: int) -> tuple[str, str]:
    """("năm 2027 — <standard, vi>", "2027 — <standard, en>"); NoStandardForYear without one."""
    standard = standard_for_year(period)
    vi, en = standard.caption_for(period, "vi"), standard.caption_for(period, "en")
    return f"năm {period} — {vi}", f"{period} — {en}"
