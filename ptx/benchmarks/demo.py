"""A synthetic set of published results for the demo: the demo trust among 300 peer trusts.

Three annual releases (windows October to September, as the demo's own data), HCAHPS-style
measures with top, middle and bottom boxes and star ratings, and FFT inpatient % positive and
% negative by trust, in NHS England's seven regions, with region and England values. Like
published data it has completed surveys as bands in its first release, footnotes and "Not
Available" for trusts with too few surveys, and four trusts with an identical imputed score
set. The demo trust (:data:`DEMO_UNIT`) is a little above average and improving.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ptx.benchmarks.model import conform, survey_band

DEMO_UNIT = "R0X"
DEMO_UNIT_NAME = "Riverside and Hillview Hospitals NHS Trust"
DEMO_REGION = "Y59"
PEERS = 300
NATION = "ENG"
REGIONS = {
    "Y56": "London",
    "Y58": "South West",
    "Y59": "South East",
    "Y60": "Midlands",
    "Y61": "East of England",
    "Y62": "North West",
    "Y63": "North East and Yorkshire",
}
RELEASES = {
    "2024": (date(2023, 10, 1), date(2024, 9, 30)),
    "2025": (date(2024, 10, 1), date(2025, 9, 30)),
    "2026": (date(2025, 10, 1), date(2026, 9, 30)),
}
# measure id -> (label, typical top box %, spread, middle share of the rest)
MEASURES = {
    "H_COMP_1": ("Communication with Nurses", 79, 4.0, 0.7),
    "H_COMP_2": ("Communication with Doctors", 80, 3.5, 0.65),
    "H_CLEAN_HSP": ("Cleanliness of Hospital Environment", 73, 5.0, 0.6),
    "H_HSP_RATING": ("Overall Hospital Rating", 72, 5.5, 0.7),
}
FFT = ("FFT_INPATIENT", "Friends and Family Test (Inpatient)", 94.0, 2.0)
PLACE_NAMES = (
    "Ashford Arden Barnet Bedford Bolton Bradford Bristol Burnley Bury Calder Carlisle "
    "Chester Colchester Crawley Croydon Darlington Derby Dorset Dudley Durham Ealing Exeter "
    "Frimley Gateshead Harrogate Hereford Hull Ipswich Kettering Kingston Lancaster Leeds "
    "Leicester Lewisham Lincoln Luton Medway Milton Newham Norfolk Northgate Oldham Oxford "
    "Poole Preston Reading Salford Sandwell Sheffield Solent Southport Stockport Swindon "
    "Tameside Torbay Walsall Warrington Wigan Worcester Yeovil York"
)
PLACES = PLACE_NAMES.split()
VARIANTS = ("", " and District", " Valley", " Teaching", " Community")
KINDS = ("Hospitals NHS Trust", "NHS Foundation Trust", "University Hospitals NHS Trust")
IMPUTED = 4


def _peers(rng: np.random.Generator) -> pd.DataFrame:
    codes = [f"R{i:03d}" for i in range(1, PEERS + 1)]
    # 61 places x 5 variants x 3 kinds of trust: every name is different.
    names = [
        f"{PLACES[i % len(PLACES)]}{VARIANTS[(i // len(PLACES)) % len(VARIANTS)]} "
        f"{KINDS[i % len(KINDS)]}"
        for i in range(PEERS)
    ]
    frame = pd.DataFrame(
        {
            "unit_id": codes,
            "unit_name": names,
            "parent_id": rng.choice(list(REGIONS), PEERS),
            "effect": rng.normal(0, 1, PEERS),
            "size": np.exp(rng.normal(5.7, 0.7, PEERS)).round(),  # completed surveys
        }
    )
    ours = pd.DataFrame(
        {
            "unit_id": [DEMO_UNIT],
            "unit_name": [DEMO_UNIT_NAME],
            "parent_id": [DEMO_REGION],
            "effect": [0.4],
            "size": [820.0],
        }
    )
    return pd.concat([frame, ours], ignore_index=True)


def _surveys_text(n: float, first_release: bool) -> str:
    if not first_release:
        return f"{int(n)}"
    if n >= 300:
        return "300 or more"
    return "Between 100 and 299" if n >= 100 else "Fewer than 100"


def benchmark_frame(seed: int = 2026) -> pd.DataFrame:
    """The synthetic published results, in ``benchmark_results`` columns."""
    rng = np.random.default_rng(seed + 12)
    units = _peers(rng)
    rows = []
    for r, (release, (start, end)) in enumerate(RELEASES.items()):
        first = r == 0
        n = (units["size"] * rng.uniform(0.85, 1.15, len(units))).round().clip(20)
        n[units["unit_id"] == DEMO_UNIT] = 800 + 40 * r
        text = [_surveys_text(v, first) for v in n]
        band = [survey_band(t) for t in text]
        too_few = n < 50
        trend = np.where(units["unit_id"] == DEMO_UNIT, 1.2 * r, 0.2 * r)
        common = {
            "release": release,
            "period_start": start,
            "period_end": end,
            "unit_level": "trust",
            "unit_id": units["unit_id"],
            "unit_name": units["unit_name"],
            "parent_id": units["parent_id"],
            "completed_surveys": [b[0] for b in band],
            "surveys_low": [b[1] for b in band],
            "surveys_high": [b[2] for b in band],
            "surveys_text": text,
            "response_rate": rng.uniform(15, 35, len(units)).round(),
            "footnote_codes": np.where(too_few, "1", np.where(n < 100, "6", None)),
        }
        for measure, (label, centre, spread, middle_share) in MEASURES.items():
            noise = rng.normal(0, 1.0, len(units)) / np.sqrt(n / 300)
            top = (centre + spread * units["effect"] + trend + noise).clip(40, 98).round()
            middle = ((100 - top) * middle_share).round()
            bottom = 100 - top - middle
            stars = pd.qcut(top.rank(method="first"), 5, labels=False) + 1
            for category, value in (("top", top), ("middle", middle), ("bottom", bottom)):
                rows.append(
                    pd.DataFrame(
                        common
                        | {
                            "measure_id": measure,
                            "measure_label": label,
                            "category": category,
                            "percent": np.where(too_few, np.nan, value),
                            "value_text": np.where(too_few, "Not Available", None),
                        }
                    )
                )
            rows.append(
                pd.DataFrame(
                    common
                    | {
                        "measure_id": measure,
                        "measure_label": label,
                        "category": "star rating",
                        "score": np.where(too_few, np.nan, stars),
                        "value_text": np.where(too_few, "Not Available", None),
                    }
                )
            )
        fft_id, fft_label, fft_centre, fft_spread = FFT
        responses = (n * rng.uniform(2.5, 4.0, len(units))).round()
        positive = (
            (fft_centre + fft_spread * units["effect"] + trend / 2 + rng.normal(0, 0.8, len(units)))
            .clip(70, 99.5)
            .round()
        )
        negative = ((100 - positive) * 0.45).round()
        for category, value in (("positive", positive), ("negative", negative)):
            rows.append(
                pd.DataFrame(
                    common
                    | {
                        "measure_id": fft_id,
                        "measure_label": fft_label,
                        "category": category,
                        "percent": value,
                        "numerator": (value * responses / 100).round(),
                        "denominator": responses,
                        "completed_surveys": responses,
                        "surveys_low": responses,
                        "surveys_high": responses,
                        "surveys_text": responses.astype(int).astype(str),
                        "footnote_codes": None,
                    }
                )
            )
    frame = pd.concat(rows, ignore_index=True)
    frame = _imputed(frame)
    frame["footnote_text"] = frame["footnote_codes"].map(
        {
            "1": "The number of cases/patients is too few to report.",
            "6": "Fewer than 100 patients completed the survey; use these scores with caution.",
        }
    )
    return conform(pd.concat([frame, _aggregates(frame)], ignore_index=True))


def _imputed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a few trusts of the latest release one identical score set, as imputation does."""
    latest = list(RELEASES)[-1]
    donors = [f"R{i:03d}" for i in range(10, 10 + IMPUTED)]
    hcahps = frame["measure_id"].isin(list(MEASURES)) & (frame["release"] == latest)
    template = frame[hcahps & (frame["unit_id"] == donors[0])].set_index(["measure_id", "category"])
    for unit in donors[1:]:
        rows = hcahps & (frame["unit_id"] == unit)
        keys = pd.MultiIndex.from_frame(frame.loc[rows, ["measure_id", "category"]])
        frame.loc[rows, "percent"] = template["percent"].reindex(keys).to_numpy()
        frame.loc[rows, "score"] = template["score"].reindex(keys).to_numpy()
        frame.loc[rows, "value_text"] = None
    frame["imputed"] = hcahps & frame["unit_id"].isin(donors)
    return frame


def _aggregates(frame: pd.DataFrame) -> pd.DataFrame:
    """Region and England values: the survey-weighted mean of the trusts' percentages."""
    boxes = frame[frame["percent"].notna() & ~frame["imputed"]]
    weight = boxes["surveys_low"].astype("float64")
    out = []
    for level, key in (("region", "parent_id"), ("nation", None)):
        group = ["release", "period_start", "period_end", "measure_id", "measure_label", "category"]
        group = group + ([key] if key else [])
        weighted = boxes.assign(w=weight, wp=weight * boxes["percent"]).groupby(group)
        means = (weighted["wp"].sum() / weighted["w"].sum()).round().rename("percent")
        means = means.reset_index()
        means["unit_level"] = level
        if key:
            means["unit_id"] = means[key]
            means["unit_name"] = means[key].map(REGIONS)
            means["parent_id"] = None
        else:
            means["unit_id"] = NATION
            means["unit_name"] = "England"
        out.append(means)
    return pd.concat(out, ignore_index=True)


def write_benchmarks(target, seed: int = 2026) -> int:
    """Write the synthetic set and the demo trust as the organisation's unit; return rows."""
    from ptx.benchmarks.choices import record_own_unit
    from ptx.benchmarks.imports import write_results

    written = write_results(target, benchmark_frame(seed), replace=True)
    record_own_unit(target, DEMO_UNIT)
    return written
