"""Survey responses: resident, business and staff waves, and the monthly
post-contact (transactional) survey. One row per respondent, wide.

The published figures must come back out of the delivered files: for a
weighted wave the weighted share of positive answers (base: non-empty answers,
Don't know included) must match the Cabinet report within half a point. So the
sample is drawn first, weighted (rim weights to the Census, trimmed), and only
then are answers assigned: respondents are ranked on a latent score (a general
attitude, a question-specific part and realistic group effects, e.g. 65+ and
disabled residents finding access harder) and the top of the ranking answers
positively until the weighted share reaches the target.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from tools.demo import calibration as C
from tools.demo.calendar import first_day, last_day, parse_month, trend
from tools.demo.context import Context, DemoConfig, SourceResult
from tools.demo.randomness import exact_counts
from tools.demo.weighting import rake

SOURCE = "survey_responses"
FIXED = ["response_id", "survey", "wave", "responded_on", "ward_code", "age_band", "gender", "ethnicity", "disability",
         "channel", "service", "weight"]
AGE_BANDS = ["16-24", "25-34", "35-44", "45-54", "55-64", "65+"]
ETHNICITIES = ["White", "Mixed", "Asian", "Black", "Other"]
TXN_CHANNELS = ["phone", "online", "email", "webchat", "face_to_face", "social_media"]
POS, NEG, DK, NEITHER = 0, 1, 2, 3


# --------------------------------------------------------------------------- answers
def assign(z: np.ndarray, w: np.ndarray, answered: np.ndarray, targets: tuple[float, float, float],
           rng: np.random.Generator) -> np.ndarray:
    """Answer classes (POS/NEG/DK/NEITHER, -1 = blank) hitting the weighted targets.

    Positive: the highest latent scores, as many as make the weighted share closest
    to the target (error at most half the largest weight over the base, < 0.2 points
    for n ~ 1,100). Don't know: at random among the rest. Negative: the lowest scores.
    """
    pos, neg, dk = targets
    out = np.full(len(z), -1)
    idx = np.flatnonzero(answered)
    total = w[idx].sum()
    ranked = idx[np.argsort(-z[idx], kind="stable")]
    cum = np.concatenate([[0.0], np.cumsum(w[ranked])])
    k = int(np.argmin(np.abs(cum / total - pos)))
    out[ranked[:k]] = POS
    rest = ranked[k:]
    shuffled = rest[rng.permutation(len(rest))]
    n_dk = int(np.searchsorted(np.cumsum(w[shuffled]), dk * total)) if dk > 0 else 0
    out[shuffled[:n_dk]] = DK
    left = np.array([i for i in rest[::-1] if out[i] == -1], dtype=int)  # lowest scores first
    n_neg = int(np.searchsorted(np.cumsum(w[left]), neg * total)) if neg > 0 and len(left) else 0
    out[left[:n_neg]] = NEG
    out[left[n_neg:]] = NEITHER
    return out


def likert_labels(classes: np.ndarray, z: np.ndarray) -> list[str]:
    """Classes -> labels; the strongest scores within positive/negative say 'Strongly'."""
    labels = np.full(len(classes), "", dtype=object)
    for cls, strong, mild, share, sign in ((POS, "Strongly agree", "Agree", C.STRONGLY_SHARE, -1),
                                           (NEG, "Strongly disagree", "Disagree", C.STRONGLY_NEG_SHARE, 1)):
        members = np.flatnonzero(classes == cls)
        ranked = members[np.argsort(sign * z[members], kind="stable")]
        n_strong = int(round(share * len(ranked)))
        labels[ranked[:n_strong]] = strong
        labels[ranked[n_strong:]] = mild
    labels[classes == DK] = "Don't know"
    labels[classes == NEITHER] = "Neither agree nor disagree"
    return list(labels)


def latent(rng, n: int, general: np.ndarray, question: str, age: np.ndarray, disabled: np.ndarray) -> np.ndarray:
    z = 0.6 * general + 0.8 * rng.standard_normal(n)
    for group, effect in C.GROUP_EFFECTS.get(question, {}).items():
        z = z + effect * (disabled if group == "disabled" else (age == group))
    return z


# --------------------------------------------------------------------------- samples
def _exact(rng, shares: dict[str, float], n: int) -> np.ndarray:
    """A column with exactly the published shares (largest remainder), in random order."""
    values = np.repeat(np.array(list(shares), dtype=object), exact_counts(list(shares.values()), n))
    return values[rng.permutation(n)]


def _draw(rng, shares: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _disability(rng, age: np.ndarray) -> np.ndarray:
    """Disability ~13% overall, more common with age (Census 2021)."""
    factor = np.select([age == "65+", age == "55-64", age == "45-54"], [3.0, 1.8, 1.2], 0.7)
    return rng.random(len(age)) < C.DISABLED_SHARE * factor / factor.mean()


def _days_in(rng, month: str, n: int, first: int = 1, last: int | None = None) -> np.ndarray:
    start = first_day(month) + dt.timedelta(days=first - 1)
    end = last_day(month) if last is None else first_day(month) + dt.timedelta(days=last - 1)
    span = (end - start).days + 1
    return np.sort(np.datetime64(start) + rng.integers(0, span, size=n))


def resident_wave(ctx: Context, wave: str, spec: dict) -> tuple[list[str], list[list]]:
    y, m = parse_month(wave)
    rng = ctx.rng("survey-resident", y * 12 + m)
    n = spec["n"]
    ward_by_name = {w["ward_name"]: w["ward_code"] for w in ctx.ref.wards}
    if wave == "2023-06":  # the sample exactly as published (Cabinet report para 3.12)
        gender = _exact(rng, C.SAMPLE_2023["gender"], n)
        age = _exact(rng, C.SAMPLE_2023["age_band"], n)
        ethnicity = _exact(rng, C.SAMPLE_2023["ethnicity"], n)
        ward = _exact(rng, {ward_by_name[k]: v for k, v in C.SAMPLE_2023["ward_name"].items()}, n)
    else:
        gender = _draw(rng, C.SAMPLE_OTHER["gender"], n)
        age = _draw(rng, C.SAMPLE_OTHER["age_band"], n)
        ethnicity = _draw(rng, C.SAMPLE_OTHER["ethnicity"], n)
        ward = _draw(rng, dict(zip(ctx.ref.ward_codes, ctx.ref.ward_population, strict=True)), n)
    disabled = _disability(rng, age)
    profile = ctx.ref.population_profile
    weight = rake({"age_band": age, "gender": gender, "ethnicity": ethnicity},
                  {d: profile[d] for d in ("age_band", "gender", "ethnicity")}, C.WEIGHT_TRIM)
    weight = np.round(weight, 4)  # as delivered: the targets must hold with these exact values
    general = rng.standard_normal(n)
    questions = [q for q in ctx.ref.survey_questions("resident") if q in spec["answers"]]
    answers = {}
    for q in questions:
        z = latent(rng, n, general, q, age, disabled)
        answered = rng.random(n) >= C.RESIDENT_BLANK
        answers[q] = likert_labels(assign(z, weight, answered, spec["answers"][q], rng), z)
    when = _days_in(rng, wave, n, first=5, last=28)
    header = FIXED if spec["weighted"] else [c for c in FIXED if c != "weight"]
    rows = []
    for i in range(n):
        row = [f"R{wave}-{i + 1:04d}", "resident", wave, str(when[i]), ward[i], age[i], gender[i], ethnicity[i],
               "Y" if disabled[i] else "N", None, None]
        if spec["weighted"]:
            row.append(float(weight[i]))
        rows.append(row + [answers[q][i] or None for q in questions])
    return header + questions, rows


def small_wave(ctx: Context, survey: str, wave: str, spec: dict) -> tuple[list[str], list[list]]:
    """Business and staff waves: small unweighted samples, exact counts."""
    y, m = parse_month(wave)
    rng = ctx.rng(f"survey-{survey}", y * 12 + m)
    n = spec["n"]
    questions = [q for q in ctx.ref.survey_questions(survey) if q in spec["answers"]]
    general = rng.standard_normal(n)
    w = np.ones(n)
    answers = {}
    for q in questions:
        z = 0.6 * general + 0.8 * rng.standard_normal(n)
        answers[q] = likert_labels(assign(z, w, np.ones(n, dtype=bool), spec["answers"][q], rng), z)
    if survey == "business":  # businesses cluster in the commercial wards
        weights = {w_["ward_code"]: float(w_["population_census_2021"]) * C.BUSINESS_WARD_WEIGHT.get(w_["ward_name"], 1.0)
                   for w_ in ctx.ref.wards}
        ward = _draw(rng, weights, n)
    else:
        ward = np.full(n, None, dtype=object)  # staff survey: anonymous, no address
    when = _days_in(rng, wave, n, first=1, last=21)
    prefix = "B" if survey == "business" else "S"
    rows = [[f"{prefix}{wave}-{i + 1:04d}", survey, wave, str(when[i]), ward[i], None, None, None, None, None, None,
             None] + [answers[q][i] for q in questions] for i in range(n)]
    return FIXED + questions, rows


def transactional_month(ctx: Context, month: str) -> tuple[list[str], list[list]]:
    y, m = parse_month(month)
    rng = ctx.rng("survey-transactional", y * 12 + m)
    n = int(rng.integers(C.TXN_PER_MONTH[0], C.TXN_PER_MONTH[1] + 1))
    day = first_day(month)
    mix = np.array([trend({k: v[ch] for k, v in C.TXN_CHANNEL_MIX.items()}, day) for ch in TXN_CHANNELS])
    if month < C.WEBCHAT_LAUNCH[:7]:
        mix[TXN_CHANNELS.index("webchat")] = 0.0
    channel = rng.choice(len(TXN_CHANNELS), size=n, p=mix / mix.sum())
    services = list(ctx.ref.services)
    service = np.empty(n, dtype=object)
    for ci, ch in enumerate(TXN_CHANNELS):
        sel = np.flatnonzero(channel == ci)
        shares = C.QUEUE_SHARE if ch == "phone" else C.SERVICE_MIX[ch]
        keys = [s for s in services if s in shares]
        p = np.array([shares[s] for s in keys])
        service[sel] = np.array(keys, dtype=object)[rng.choice(len(keys), size=len(sel), p=p / p.sum())]
    p_sat = trend(C.TXN_SATISFIED, day) + np.array([C.TXN_CHANNEL_OFFSET[TXN_CHANNELS[c]] for c in channel])
    is_phone = channel == TXN_CHANNELS.index("phone")
    if m in (3, 4):  # council tax peak: long queues
        p_sat = p_sat - C.TXN_PHONE_PEAK_PENALTY * is_phone
    if month == C.TELEPHONY_GO_LIVE[:7]:  # the new platform's first weeks
        p_sat = p_sat - 0.08 * is_phone
    sat = rng.random(n) < np.clip(p_sat, 0.05, 0.98)
    easy = rng.random(n) < np.clip(np.where(sat, 0.90, 0.35) + C.TXN_EASY_GAP, 0.02, 0.98)
    sat_label = np.where(sat, np.where(rng.random(n) < 0.42, "Very satisfied", "Satisfied"),
                         np.array(C.SATISFACTION[2:], dtype=object)[rng.choice(3, size=n, p=[0.5, 0.3, 0.2])])
    easy_label = np.where(easy, np.where(rng.random(n) < 0.38, "Strongly agree", "Agree"),
                          np.array(C.LIKERT[2:], dtype=object)[rng.choice(4, size=n, p=[0.45, 0.3, 0.15, 0.1])])
    easy_label[rng.random(n) < 0.02] = None  # skipped the second question
    known = rng.random(n) < C.TXN_DEMOGRAPHICS
    age = np.empty(n, dtype=object)
    for ci, ch in enumerate(TXN_CHANNELS):  # phone callers' ages look like email users'
        sel = np.flatnonzero(channel == ci)
        p = np.array(C.AGE_PROFILE.get(ch, C.AGE_PROFILE["email"]))
        age[sel] = np.array(AGE_BANDS, dtype=object)[rng.choice(6, size=len(sel), p=p / p.sum())]
    profile = ctx.ref.population_profile
    gender = _draw(rng, profile["gender"], n)
    ethnicity = _draw(rng, profile["ethnicity"], n)
    disabled = _disability(rng, age)
    when = _days_in(rng, month, n)
    rows = []
    for i in range(n):
        demo = [age[i], gender[i], ethnicity[i], "Y" if disabled[i] else "N"] if known[i] else [None] * 4
        rows.append([f"T{month}-{i + 1:04d}", "transactional", month, str(when[i]), None, *demo,
                     TXN_CHANNELS[channel[i]], service[i], None, sat_label[i], easy_label[i]])
    return FIXED + ["txn_satisfied", "txn_easy"], rows


# --------------------------------------------------------------------------- delivery
def generate(config: DemoConfig) -> SourceResult:
    ctx = Context(config)
    in_range = set(config.months)
    for wave, spec in C.RESIDENT_WAVES.items():
        if wave in in_range:  # resident waves come from the agency as Excel
            header, rows = resident_wave(ctx, wave, spec)
            ctx.delivery.rows_xlsx(SOURCE, f"resident_{wave}.xlsx", header, rows)
    for survey, waves in (("business", C.BUSINESS_WAVES), ("staff", C.STAFF_WAVES)):
        for wave, spec in waves.items():
            if wave in in_range:
                header, rows = small_wave(ctx, survey, wave, spec)
                ctx.delivery.rows_csv(SOURCE, f"{survey}_{wave}.csv", header, rows)
    txn_months = [m for m in config.months if m >= C.FIRST_MONTH]
    bad = set()
    if config.faults and txn_months:
        rng = ctx.rng("survey-faults")
        bad = {txn_months[int(i)] for i in rng.choice(len(txn_months), size=min(3, len(txn_months)), replace=False)}
    for month in txn_months:
        header, rows = transactional_month(ctx, month)
        name = f"transactional_{month}.csv"
        if month in bad:
            # a label the scale does not have: the agency's own wording slipped through
            y, m = parse_month(month)
            rng = ctx.rng("survey-faults", y * 12 + m)
            i = int(rng.integers(0, len(rows)))
            col = header.index("txn_satisfied")
            rows[i][col] = str(rng.choice(["Quite satisfied", "Very Satisfied!", "N/A"]))
            ctx.faults.add(SOURCE, name, i + 1, "unknown_answer_label", "txn_satisfied", rows[i][col])
        ctx.delivery.rows_csv(SOURCE, name, header, rows)
    return ctx.result()
