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


EQUIPMENT = DATA / "reference/equipment_losses/petroivaniuk/russia_losses_equipment.json"
ORYX = DATA / "reference/equipment_losses/oryx_scarnecchia/daily_count.csv"


def test_equipment_figure_matches_the_source_rows_by_hand():
    from listeningpost.context.reference import load_equipment

    rows = json.loads(need_shared(EQUIPMENT).read_text(encoding="utf-8"))
    by_date = {r["date"]: r for r in rows}
    series = load_equipment(EQUIPMENT)
    fig = figure_for(series["tank"], date(2022, 7, 8), category="tank")
    assert (fig.cumulative, fig.daily) == (by_date["2022-07-08"]["tank"],
                                           by_date["2022-07-08"]["tank"] - by_date["2022-07-07"]["tank"])
    assert fig.category == "tank" and fig.day == date(2022, 7, 8)
    # before 2022-05-01 'vehicles and fuel tanks' is the sum of the two columns it was split into
    apr = by_date["2022-04-27"]
    assert series["vehicles and fuel tanks"][date(2022, 4, 27)] == apr["military auto"] + apr["fuel tank"]
    assert series["vehicles and fuel tanks"][date(2022, 7, 15)] == by_date["2022-07-15"]["vehicles and fuel tanks"]


def test_oryx_uses_the_nearest_earlier_record():
    import csv

    from listeningpost.context.reference import load_oryx

    with open(need_shared(ORYX), encoding="utf-8") as fh:
        tanks = sorted((r["date_recorded"], int(r["type_total"])) for r in csv.DictReader(fh)
                       if r["country"] == "Russia" and r["equipment_type"] == "Tanks")
    (d1, v1), (d2, v2) = tanks[1], tanks[2]
    between = date.fromisoformat(d1).toordinal() + 1
    assert between < date.fromisoformat(d2).toordinal(), "the test needs a gap between two records"
    fig = figure_for(load_oryx(ORYX)["tank"], date.fromordinal(between), "oryx", "tank")
    assert (fig.day.isoformat(), fig.cumulative, fig.daily) == (d1, v1, v1 - tanks[0][1])
    assert fig.previous.isoformat() == tanks[0][0]
    assert figure_for(load_oryx(ORYX)["tank"], date(2030, 1, 1)) is None


def test_equipment_text_maps_to_general_staff_categories():
    from listeningpost.context.claims import categories_of

    assert categories_of("tanks near DPS posts") == ["tank"]
    assert categories_of("aircraft") == ["aircraft"]
    assert categories_of("vehicles, mortars") == ["vehicles and fuel tanks"]
    assert categories_of("BMP infantry fighting vehicle") == ["APC"]
    assert categories_of("armoured vehicles") == ["APC"]
    assert categories_of("танк, бэха") == ["tank", "APC"]
    assert categories_of("ATGM anti-tank missile") == []
    assert categories_of("Ka-52 helicopter") == ["helicopter"]
    assert categories_of("BM-21 Grad MLRS") == ["MRL"]
    assert categories_of(None) == [] and categories_of("mortar") == []
