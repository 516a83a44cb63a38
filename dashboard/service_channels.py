"""CMT's questions on the Channel shift page, answered directly (issue 12 item 4):
which services still take the most phone contacts and how that has changed on
a year before, and each service's share of its contacts by phone month by
month. With a channel chosen in the sidebar, the same for that channel; the
directorate and service filters narrow the services shown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import components as ui
from dashboard import data, sections, service_charts
from dashboard.filters import CHANNEL, DIRECTORATE, PERIOD, SERVICE, WINDOW, Filters
from dashboard.formatting import fmt_change, fmt_count, fmt_pct, period_label


def ranked_channel(f: Filters) -> str:
    """The channel services are ranked by: the one chosen, else phone."""
    return f.channel or data.RANKED_CHANNEL


def ranked_section(run: data.Run, f: Filters) -> None:
    """Services ranked by their contacts in one channel (phone unless another is
    chosen) in the month, against the same month a year before. With every channel:
    each service's contacts split by channel; with one: that channel now and then."""
    channel = ranked_channel(f)
    name = data.label(run, "channel", channel)
    ranking = data.service_channel_ranking(run, f.period, channel, f.directorate, f.service)
    year_before = (pd.Timestamp(f"{f.period}-01") - pd.DateOffset(months=12)).strftime("%Y-%m")
    now_text, before_text = period_label(f.period), period_label(year_before)
    title = (f"Contacts by service and channel, ranked by {name.lower()} contacts" if f.all_channels
             else f"Which services take the most {name.lower()} contacts")
    with sections.section("services-ranked", title, follows={PERIOD, DIRECTORATE, SERVICE, CHANNEL},
                          instead={WINDOW: f"it compares {now_text} with {before_text}"}):
        st.markdown(f"Services ranked by their {name.lower()} contacts in **{now_text}**, against "
                    f"**{before_text}** (the same month a year before, so the season is the same), for "
                    f"{f.scope(run)}. The share is the part of each service's contacts, in every channel, made by "
                    f"{name.lower()}." + (" Choose a channel in the sidebar to rank by it." if f.all_channels else ""))
        if ranking.empty or ranking["all_contacts"].sum() == 0:
            ui.empty_state(f"No contacts recorded for {f.scope(run)} in {now_text}.")
            return
        st.markdown(ranking_summary(ranking, name, now_text, before_text))
        if f.all_channels:
            mix = data.contacts_by_service_and_channel(run, f.period, f.directorate, f.service)
            fig = service_charts.services_by_channel_chart(
                mix, order=list(ranking["label"]), channels=list(dict.fromkeys(mix["channel_name"])),
                title=f"Contacts in {period_label(f.period, short=True)} by service and channel")
            table = ranking_table(ranking, name, now_text, before_text).merge(
                mix.pivot_table(index="label", columns="channel_name", values="contacts", aggfunc="sum")
                [list(dict.fromkeys(mix["channel_name"]))].map(fmt_count).add_suffix(f", {now_text}")
                .reset_index().rename(columns={"label": "Service"}), on="Service", how="left")
        else:
            fig = service_charts.ranked_services_chart(ranking, now_label=period_label(f.period, short=True),
                                                       before_label=period_label(year_before, short=True),
                                                       title=f"{name} contacts by service")
            table = ranking_table(ranking, name, now_text, before_text)
        ui.chart(fig, "services-ranked")
        ui.table_with_download(table, label=f"Services ranked by {name.lower()} contacts", key="services-ranked",
                               file_name=f"services-by-{channel}-contacts-{f.period}.csv")


def ranking_summary(ranking: pd.DataFrame, name: str, now_text: str, before_text: str) -> str:
    """The answer in a sentence: which service leads, and who moved up the ranking."""
    top = ranking.iloc[0]
    moved = ranking.dropna(subset=["rank_year_before"])
    risers = moved[moved["rank"] < moved["rank_year_before"]]
    text = (f"Most {name.lower()} contacts in {now_text}: **{top['label']}** ({fmt_count(top['contacts'])}, "
            f"{fmt_pct(top['share'])} of its contacts"
            + (f"; {fmt_count(top['contacts_year_before'])} in {before_text}" if top["all_contacts_year_before"]
               else "") + ").")
    if len(risers):
        text += f" Moved up the ranking since {before_text}: " + ", ".join(
            f"{r.label} ({_ordinal(r.rank_year_before)} to {_ordinal(r.rank)})" for r in risers.itertuples()) + "."
    return text


def ranking_table(r: pd.DataFrame, name: str, now_text: str, before_text: str) -> pd.DataFrame:
    return pd.DataFrame({
        "Rank": r["rank"].astype(int),
        "Service": r["label"],
        "Directorate": r["directorate"],
        f"{name} contacts, {now_text}": r["contacts"].map(fmt_count),
        f"{name} contacts, {before_text}": [fmt_count(v) if b > 0 else "–"
                                            for v, b in zip(r["contacts_year_before"], r["all_contacts_year_before"],
                                                            strict=True)],
        "Change": [fmt_change(c, "count") if b > 0 else "–"
                   for c, b in zip(r["change"], r["all_contacts_year_before"], strict=True)],
        f"Share by {name.lower()}, {now_text}": r["share"].map(fmt_pct),
        f"Share by {name.lower()}, {before_text}": r["share_year_before"].map(fmt_pct),
        "Change in share": [fmt_change(a - b, "rate") if pd.notna(a) and pd.notna(b) else "–"
                            for a, b in zip(r["share"], r["share_year_before"], strict=True)],
        f"Rank, {before_text}": [_ordinal(v) if pd.notna(v) else "–" for v in r["rank_year_before"]],
        f"All contacts, {now_text}": r["all_contacts"].map(fmt_count),
    })


def _ordinal(n) -> str:
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def share_section(run: data.Run, f: Filters) -> None:
    channel = ranked_channel(f)
    name = data.label(run, "channel", channel)
    with sections.section("services-share", f"Share of each service's contacts made by {name.lower()}, "
                                            "month by month",
                          follows={PERIOD, WINDOW, DIRECTORATE, SERVICE, CHANNEL},
                          default_shows={CHANNEL: data.RANKED_CHANNEL}):
        shares = data.service_channel_share(run, f.start, f.period, channel, f.directorate, f.service)
        if shares.empty or shares["all_contacts"].sum() == 0:
            ui.empty_state(f"No contacts recorded for {f.scope(run)} in this period.")
            return
        # Services in the order of the ranking above: most contacts in the channel in the month first.
        latest = shares[shares["period"] == shares["period"].max()].sort_values("contacts", ascending=False)
        order = list(dict.fromkeys([*latest["label"], *shares["label"]]))
        first, last = shares["period"].min(), shares["period"].max()
        change = shares[shares["period"].isin([first, last])].pivot_table(index="label", columns="period",
                                                                         values="share")
        if first != last and first in change and last in change:
            moved = (change[last] - change[first]).dropna().sort_values()
            if len(moved):
                fell, rose = moved.index[0], moved.index[-1]
                st.markdown(
                    f"From {period_label(first)} to {period_label(last)}: the share made by {name.lower()} fell most "
                    f"for **{fell}** ({fmt_pct(change.loc[fell, first])} to {fmt_pct(change.loc[fell, last])})"
                    + (f" and rose most for **{rose}** ({fmt_pct(change.loc[rose, first])} to "
                       f"{fmt_pct(change.loc[rose, last])})" if moved.iloc[-1] > 0 else "") + ".")
        st.caption("Each cell: the per cent of the service's contacts that month made by "
                   f"{name.lower()}; darker is a larger share. Services in order of their {name.lower()} contacts "
                   f"in {period_label(last)}.")
        ui.chart(service_charts.share_heatmap(shares, order=order), "services-share")
        table = shares.pivot_table(index="label", columns="period", values="share").reindex(order)
        table = table.rename(columns={p: period_label(p, short=True) for p in table.columns}).reset_index().rename(
            columns={"label": "Service"})
        ui.table_with_download(table, label=f"Share made by {name.lower()}, by service and month",
                               key="services-share", file_name=f"share-by-{channel}-by-service-{f.period}.csv",
                               column_config={c: st.column_config.NumberColumn(format="percent")
                                              for c in table.columns if c != "Service"})
