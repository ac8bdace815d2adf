"""Patient comments: a page of them (searched, filtered by theme, sentiment and rating, personal
details masked), and their themes over time and by department.

Both calls read the comment index (see :mod:`ptx.comments`): the themes and sentiment are
computed once, not on each call. Every statement is restricted to the viewer's access; a
viewer whose role lists no row-level data (an executive) gets counts and trends but no comment
text; a list of 1-7 matching comments is not shown under the small-number rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from ptx import comment_charts
from ptx.api._common import HIDDEN_NOTE, department_names, readable, rule_for, unavailable
from ptx.comments import (
    MAX_PAGE_SIZE,
    THEME_SEPARATOR,
    Choice,
    comment_index,
    comment_rows,
    search_terms,
    theme_counts,
)
from ptx.disclosure import Disclosure, Roles, apply, as_table, count_text
from ptx.errors import PtxError
from ptx.privacy import mask_personal_text
from ptx.query import Filters
from ptx.schema import FFT_LABELS
from ptx.sources import Source
from ptx.spc import SpcOptions, p_chart, signal_sentences
from ptx.themes import SENTIMENTS

COMMENTS_PAGE = "pages/comments.py"
SENTIMENT_LABELS = {s: s.capitalize() for s in SENTIMENTS}  # what a filter offers
FFT_ANSWERS = dict(FFT_LABELS)  # FFT answer code -> label: what the rating filter offers
TRENDS_TAB = "Theme trends"  # the Comments page's tab, as its URL names it
DEFAULT_PAGE_SIZE = 25
# Theme trends are put on a p-chart only where volumes allow: at least this many months, each
# with comments, and this many comments on the theme on average per month.
MIN_SPC_MONTHS = 6
MIN_THEME_PER_MONTH = 5
SPC = SpcOptions(improvement="neither")  # a theme's share is neither better nor worse higher


def rating_text(scale: object, rating: object) -> str:
    """A rating in words: the FFT answer's label, or "8 of 10"; empty without one."""
    if rating is None or rating != rating:
        return ""
    value = int(rating)
    if scale == "fft5":
        return FFT_LABELS.get(value, str(value))
    if scale == "ltr11":
        return f"{value} of 10"
    return str(value)


def segments(text: str, terms: tuple[str, ...]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is a search term) pairs, for highlighting the terms.

    >>> segments("Parking was awful", ("parking",))
    [('Parking', True), (' was awful', False)]
    """
    if not text:
        return []
    if not terms:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    out, at = [], 0
    for found in pattern.finditer(text):
        if found.start() > at:
            out.append((text[at : found.start()], False))
        out.append((found.group(), True))
        at = found.end()
    if at < len(text):
        out.append((text[at:], False))
    return out


SHORT = 80  # characters of a comment in a one-line choice


@dataclass(frozen=True)
class CommentCard:
    """One comment as a page shows it: its details in words, its text cut at the search
    terms, and a one-line summary for a list of choices."""

    feedback_id: str
    details: tuple[str, ...]  # date, department, then rating, sentiment, themes where there are
    segments: tuple[tuple[str, bool], ...]
    short: str


@dataclass(frozen=True)
class Comments:
    """One page of matching comments, newest first, with how many match."""

    rows: pd.DataFrame  # feedback_id, received_date, department, rating, themes, sentiment, comment
    total: int
    by_sentiment: MappingProxyType
    page: int
    page_size: int
    terms: tuple[str, ...]
    rule: Disclosure
    method: str
    suppressed: bool = False  # 1-7 matches: no list under the rule
    withheld: str | None = None  # why the viewer's role sees no comment text
    unavailable: str | None = None  # why there are no comments: the source has no feedback

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def count_text(self) -> str:
        """How many comments match, and their sentiment, with the rule applied."""
        n = count_text(self.total, self.rule)
        counts = {s: self.by_sentiment.get(s, 0) for s in SENTIMENTS}
        # A hidden count would be the total less the others: then no split is shown at all.
        if any(self.rule.small_count(c) for c in counts.values()):
            counts = {}
        parts = [f"{count_text(c, self.rule)} {s}" for s, c in counts.items() if c]
        noun = "comment matches" if self.total == 1 else "comments match"
        return f"{n} {noun}" + (f" ({', '.join(parts)})" if parts else "")

    @property
    def note(self) -> str:
        if self.unavailable:
            return self.unavailable
        if self.withheld:
            return self.withheld
        if self.suppressed:
            return HIDDEN_NOTE
        return "" if len(self.rows) else "No comments match."

    def cards(self, flagged: frozenset[str] = frozenset()) -> list[CommentCard]:
        """The page's comments as cards; those in ``flagged`` say they are flagged."""
        out = []
        for row in self.rows.itertuples():
            when = f"{row.received_date:%d %b %Y}"
            details = [when, row.department, row.rating, row.sentiment, row.themes]
            if row.feedback_id in flagged:
                details.append("flagged for follow-up")
            out.append(
                CommentCard(
                    row.feedback_id,
                    tuple(d for d in details if d),
                    tuple(segments(row.comment, self.terms)),
                    f"{when} · {row.department} · {row.comment[:SHORT]}",
                )
            )
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.rows.copy()

    def table(self, *, export: bool = False) -> pd.DataFrame:
        return readable(
            self.rows,
            {
                "received_date": "Date",
                "department": "Department",
                "rating": "Rating",
                "themes": "Themes",
                "sentiment": "Sentiment",
                "comment": "Comment",
            },
        )


def _choice(themes, sentiment, ratings, search, labels: dict[str, str]) -> Choice:
    by_label = {v: k for k, v in labels.items()}
    keys = []
    for theme in (themes,) if isinstance(themes, str) else tuple(themes or ()):
        key = theme if theme in labels else by_label.get(theme)
        if key is None:
            raise PtxError(f"No theme {theme!r}; the themes are {', '.join(labels.values())}.")
        keys.append(key)
    sentiments = (sentiment,) if isinstance(sentiment, str) else tuple(sentiment or ())
    for s in sentiments:
        if s not in SENTIMENTS:
            raise PtxError(f"Sentiment {s!r} is not one of {', '.join(SENTIMENTS)}.")
    codes = {label.lower(): code for code, label in FFT_LABELS.items()}
    answers = []
    for rating in (ratings,) if isinstance(ratings, int | str) else tuple(ratings or ()):
        code = codes.get(rating.lower()) if isinstance(rating, str) else rating
        if code not in FFT_LABELS:
            raise PtxError(
                f"FFT answer {rating!r} is not one of 1-6 or {', '.join(FFT_LABELS.values())}."
            )
        answers.append(int(code))
    return Choice(tuple(keys), sentiments, tuple(answers), search_terms(search))


def comments(
    source: Source,
    filters: Filters = Filters(),
    *,
    search: str | None = None,
    themes=(),
    sentiment=(),
    ratings=(),
    page: int = 0,
    page_size: int = DEFAULT_PAGE_SIZE,
    rule: Disclosure = Disclosure(),
) -> Comments:
    """One page of the comments that match, newest first, with personal details masked.

    Parameters
    ----------
    search
        Words and "quoted phrases"; a comment matches when it contains all of them (upper or
        lower case alike). They reach the database as bound parameters only.
    themes, sentiment, ratings
        Theme keys or labels (any of them); "positive", "neutral" or "negative"; FFT answers
        (1 "Very good" ... 5 "Very poor", 6 "Don't know", by code or label).
    page, page_size
        Which page (from 0) of how many; a page holds at most 200 comments.

    >>> ptx.comments(source, ptx.Filters(), search="parking", sentiment="negative")
    ... # doctest: +SKIP
    """
    rule = rule_for(rule, filters)
    index = comment_index(source)
    choice = _choice(themes, sentiment, ratings, search, index.labels)
    size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    method = f"{index.tagger.method}; sentiment from VADER; personal details masked"
    missing = unavailable(source, "feedback")
    page = max(0, int(page))
    rows, counts = comment_rows(source, filters, choice, page=page, page_size=size)
    by_sentiment = MappingProxyType(dict(zip(counts["sentiment"], counts["comments"], strict=True)))
    total = int(counts["comments"].sum())
    last = max(0, (total - 1) // size)
    if page > last:  # past the end (the filters narrowed since): the last page instead
        page = last
        rows, _ = comment_rows(source, filters, choice, page=page, page_size=size)
    common = dict(
        total=total,
        by_sentiment=by_sentiment,
        page=page,
        page_size=size,
        terms=choice.terms,
        rule=rule,
        method=method,
        unavailable=missing,
    )
    columns = ["feedback_id", "received_date", "department", "rating", "themes", "sentiment"]
    empty = pd.DataFrame(columns=[*columns, "comment"])
    if not filters.access.may_see_row_level:
        role = filters.access.role
        return Comments(empty, withheld=f"Comments are not listed for the {role} role.", **common)
    if rule.small_count(total):
        return Comments(empty, suppressed=True, **common)
    names = department_names(source, filters.access)
    labels = index.labels
    out = pd.DataFrame(
        {
            "feedback_id": rows["feedback_id"],
            "received_date": rows["received_date"],
            "department": rows["department_id"].map(lambda d: names.get(d, d)),
            "rating": [
                rating_text(s, r) for s, r in zip(rows["rating_scale"], rows["rating"], strict=True)
            ],
            "themes": rows["themes"].map(
                lambda t: ", ".join(labels.get(k, k) for k in t.split(THEME_SEPARATOR) if k)
            ),
            "sentiment": rows["sentiment"].str.capitalize(),
            "comment": rows["comment"].map(mask_personal_text),
        }
    )
    return Comments(out if len(rows) else empty, **common)


@dataclass(frozen=True)
class ThemeSignal:
    """A theme's special cause, in a form a list of what changed can use: the sentence, the
    page that shows it and the filters and page settings that open it there."""

    theme: str
    label: str
    sentence: str
    rising: bool  # the theme's share is above its usual range in the latest month
    filters: Filters = field(repr=False, default=Filters())
    page: str = COMMENTS_PAGE
    params: tuple[tuple[str, str], ...] = ()  # URL settings of the page: the theme, the tab


@dataclass(frozen=True)
class ThemeTrends:
    """Comments per theme: per month (count, share of the month's comments, by sentiment, with
    p-chart signals where volumes allow) and per department (the heatmap)."""

    months: pd.DataFrame  # month, theme, label, comments, positive, neutral, negative, all, share
    departments: pd.DataFrame  # department_id, department, theme, label, comments, all, share
    signals: tuple[ThemeSignal, ...]
    labels: MappingProxyType
    rule: Disclosure
    method: str = (
        "share of each month's comments tagged with the theme; p-chart (Making Data Count "
        f"rules) for themes with {MIN_SPC_MONTHS}+ months and {MIN_THEME_PER_MONTH}+ comments a "
        "month on average"
    )
    unavailable: str | None = None

    ROLES = Roles(
        counts=("comments", "positive", "neutral", "negative", "all_comments"),
        rates=("share",),
        n="all_comments",
    )

    @property
    def rising(self) -> tuple[ThemeSignal, ...]:
        """The themes whose share is above its usual range in the latest month."""
        return tuple(s for s in self.signals if s.rising)

    @property
    def suppressed(self) -> int:
        return int(as_table(self.months, self.ROLES, self.rule)["comments"].eq("*").sum())

    def _hidden_share(self, frame: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
        """``shown`` with the share hidden wherever the theme's count is: a share of a known
        number of comments would tell the count."""
        shown = shown.copy()
        small = self.rule.small_count(frame["comments"].to_numpy())
        shown["share"] = shown["share"].astype("float64").mask(small)
        return shown

    def to_frame(self) -> pd.DataFrame:
        return self._hidden_share(self.months, apply(self.months, self.ROLES, self.rule))

    def table(self, *, export: bool = False) -> pd.DataFrame:
        shown = as_table(self.months, self.ROLES, self.rule, export=export)
        shown = self._hidden_share(self.months, shown)
        shown["month"] = [f"{m:%b %Y}" for m in self.months["month"]]
        return readable(
            shown,
            {
                "month": "Month",
                "label": "Theme",
                "comments": "Comments",
                "positive": "Positive",
                "neutral": "Neutral",
                "negative": "Negative",
                "all_comments": "All comments that month",
                "share": "% of comments",
            },
        )

    def heatmap_table(self, *, export: bool = False) -> pd.DataFrame:
        shown = as_table(self.departments, self.ROLES, self.rule, export=export)
        shown = self._hidden_share(self.departments, shown)
        return readable(
            shown,
            {
                "department": "Department",
                "label": "Theme",
                "comments": "Comments",
                "negative": "Negative",
                "all_comments": "All comments",
                "share": "% of comments",
            },
        )

    def top_themes(self, n: int = 5) -> list[str]:
        """The keys of the ``n`` themes with the most comments over the range."""
        totals = self.months.groupby("theme")["comments"].sum().sort_values(ascending=False)
        return list(totals.index[:n])

    def figure(self, themes: list[str] | None = None):
        """The share of comments per month of ``themes`` (the five most common by default)."""
        chosen = themes or self.top_themes()
        shown = self.to_frame()
        shown = shown[shown["theme"].isin(chosen)]
        return comment_charts.theme_share_lines(shown, title="Share of comments by theme")

    def sentiment_figure(self, theme: str):
        """Comments on one theme per month, by sentiment."""
        shown = self.to_frame()
        shown = shown[shown["theme"] == theme]
        label = self.labels.get(theme, theme)
        return comment_charts.sentiment_bars(shown, title=f"{label}: comments by sentiment")

    def heatmap_figure(self):
        shown = apply(self.departments, self.ROLES, self.rule)
        return comment_charts.theme_heatmap(
            self._hidden_share(self.departments, shown),
            title="Share of each department's comments by theme",
        )


def _wide(themes: pd.DataFrame, totals: pd.DataFrame, by: str, keys: list[str]) -> pd.DataFrame:
    """Per group (month or department) and theme: comments, per sentiment, and all comments of
    the group; every theme of ``keys`` in every group with comments (0 where it has none)."""
    columns = [by, "theme", *SENTIMENTS, "comments", "all_comments", "share"]
    all_comments = totals.groupby(by)["comments"].sum().rename("all_comments")
    if all_comments.empty:
        return pd.DataFrame(columns=columns)
    grid = pd.MultiIndex.from_product([all_comments.index, keys], names=[by, "theme"])
    wide = themes.pivot_table(
        index=[by, "theme"], columns="sentiment", values="comments", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(index=grid, columns=list(SENTIMENTS), fill_value=0).reset_index()
    wide.columns.name = None
    wide["comments"] = wide[list(SENTIMENTS)].sum(axis=1)
    wide = wide.merge(all_comments.reset_index(), on=by, how="left")
    wide["share"] = 100 * wide["comments"] / wide["all_comments"]
    return wide.astype({c: "int64" for c in (*SENTIMENTS, "comments", "all_comments")})[columns]


def _signals(months: pd.DataFrame, filters: Filters, labels) -> tuple[ThemeSignal, ...]:
    out = []
    all_months = months.groupby("month")["all_comments"].first().sort_index()
    for theme, rows in months.groupby("theme", sort=False):
        series = pd.DataFrame({"period": all_months.index, "denominator": all_months.to_numpy()})
        counts = rows.set_index("month")["comments"]
        series["numerator"] = series["period"].map(counts).fillna(0).astype(int)
        series = series[series["denominator"] > 0]
        enough = len(series) >= MIN_SPC_MONTHS
        if not enough or series["numerator"].mean() < MIN_THEME_PER_MONTH:
            continue
        chart = p_chart(series, SPC)
        sentences = signal_sentences(chart, SPC)
        if not sentences:
            continue
        last = chart.iloc[-1]
        rising = bool(last["special_cause"]) and last["value"] > last["mean"]
        label = labels.get(theme, theme)
        sentence = sentences[0].removesuffix(": neutral")
        out.append(
            ThemeSignal(
                theme=theme,
                label=label,
                sentence=f"{label}: {sentence} (share of comments)",
                rising=rising,
                filters=filters,
                params=(("comments_tab", TRENDS_TAB), ("trend_theme", label)),
            )
        )
    return tuple(sorted(out, key=lambda s: not s.rising))


def theme_trends(
    source: Source,
    filters: Filters = Filters(),
    *,
    search: str | None = None,
    sentiment=(),
    ratings=(),
    rule: Disclosure = Disclosure(),
) -> ThemeTrends:
    """Comments per theme per month (count, share of the month's comments, positive/negative
    split, p-chart signals where volumes allow: "rising themes") and per department.

    >>> trends = ptx.theme_trends(source, ptx.Filters(start="2025-01-01"))  # doctest: +SKIP
    >>> [s.sentence for s in trends.rising]                                 # doctest: +SKIP
    """
    rule = rule_for(rule, filters)
    index = comment_index(source)
    choice = _choice((), sentiment, ratings, search, index.labels)
    labels = index.labels
    # One statement per table, by month and department; both views are sums of it.
    themes_md, totals_md = theme_counts(source, filters, choice, ("month", "department_id"))
    months = _wide(themes_md, totals_md, "month", list(labels))
    departments = _wide(themes_md, totals_md, "department_id", list(labels))
    names = department_names(source, filters.access)
    departments.insert(1, "department", departments["department_id"].map(lambda d: names.get(d, d)))
    order = {k: i for i, k in enumerate(labels)}
    for frame in (months, departments):
        frame.insert(frame.columns.get_loc("theme") + 1, "label", frame["theme"].map(labels))
    months = months.sort_values(
        ["month", "theme"], key=lambda c: c.map(order) if c.name == "theme" else c
    )
    departments = departments.sort_values(
        ["department", "theme"], key=lambda c: c.map(order) if c.name == "theme" else c
    )
    signals = _signals(months, filters, labels) if len(months) else ()
    return ThemeTrends(
        months.reset_index(drop=True),
        departments.reset_index(drop=True),
        signals,
        MappingProxyType(dict(labels)),
        rule,
        unavailable=unavailable(source, "feedback"),
    )


def theme_labels(source: Source) -> dict[str, str]:
    """theme key -> label, of the taxonomy (or model) the source's comments are tagged with."""
    return dict(comment_index(source).labels)


__all__ = [
    "FFT_ANSWERS",
    "SENTIMENT_LABELS",
    "CommentCard",
    "Comments",
    "ThemeSignal",
    "ThemeTrends",
    "comments",
    "rating_text",
    "segments",
    "theme_labels",
    "theme_trends",
]
