import json
from datetime import date

from conftest import DATA, need_shared
from listeningpost.context.reference import figure_for, load_personnel

PERSONNEL = DATA / "reference/equipment_losses/petroivaniuk/russia_losses_personnel.json"


def test_figure_matches_the_source_rows_by_hand():
    rows = json.loads(need_shared(PERSONNEL).read_text(encoding="utf-8"))
    by_date = {r["date"]: r["personnel"] for r in rows}
    fig = figure_for(load_personnel(PERSONNEL), date(2023, 5, 1))
    assert fig.cumulative == by_date["2023-05-01"]
    assert fig.daily == by_date["2023-05-01"] - by_date["2023-04-30"]


def test_outside_the_series_gives_nothing():
    series = load_personnel(need_shared(PERSONNEL))
    assert figure_for(series, date(2021, 1, 1)) is None
    first = figure_for(series, min(series))
    assert first.daily is None and first.cumulative == series[min(series)]
