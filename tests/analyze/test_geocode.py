"""Geocoding real place names as calls say them (inflected, with prepositions), ambiguity, context."""

import pytest
from conftest import DATA, need_shared

from listeningpost.analyze import geocode as geo
from listeningpost.analyze.document import build_document
from listeningpost.analyze.entities import extract_entities


@pytest.mark.parametrize(
    "phrase, en, lat, lon",
    [
        ("под Бахмутом", "Bakhmut", 48.6, 38.0),
        ("в Мариуполе", "Mariupol", 47.1, 37.55),
        ("на Херсонщине", "Kherson Oblast", 46.6, 33.4),
        ("Ставрополь", "Stavropol", 45.04, 41.97),
        ("в Ставрополе", "Stavropol", 45.04, 41.97),
        ("из Грозного", "Grozny", 43.32, 45.69),
        ("в Сирии", "Syria", 34.8, 38.99),
        ("на Днепре", "Dnipro River", 46.8, 33.4),
        ("в Лимане", "Lyman", 48.99, 37.81),
    ],
)
def test_hand_and_shipped_names(phrase, en, lat, lon):
    r = geo.geocode(phrase)
    assert r.place is not None and r.place.en == en
    assert abs(r.place.lat - lat) < 0.05 and abs(r.place.lon - lon) < 0.05
    assert r.confidence >= 0.8


def test_shipped_gazetteer_hromada_centre_and_raion():
    """Names only the ISC infoportal table knows: a hromada centre and a raion, in inflected forms."""
    r = geo.geocode("в Краматорске")
    assert r.place is not None and abs(r.place.lat - 48.73) < 0.1 and abs(r.place.lon - 37.55) < 0.1
    r = geo.geocode("Бахмутского района")
    assert r.place is not None and r.place.kind == "raion" and r.place.oblast == "UA14"


def test_unknown_name():
    r = geo.geocode("в Тридесятом царстве")
    assert r.place is None and r.confidence == 0.0


def test_ambiguous_village_resolved_by_oblast_context():
    need_shared(DATA / "reference" / "gazetteer" / "katotth_kodifikator_2025-05-16.csv")
    r = geo.geocode("в Торском")
    assert r.ambiguous and r.confidence < 0.5  # three villages called Торське
    assert {c.oblast for c in r.candidates} >= {"UA14", "UA61"}
    r = geo.geocode("в Торском", context_oblasts={"UA14"})
    assert r.place.oblast == "UA14"  # two Торське in Donetsk oblast: still ambiguous by oblast alone
    # in a call that also mentions Lyman the extractor picks the Торське nearest to it (Lyman hromada)
    doc = build_document([{"text": "Мы когда Лиман сдавали, в Торском всех повырезали."}])
    extract_entities(doc)
    torske = next(e for e in doc.entities if e.text == "Торском")
    assert torske.data["geo"]["place"]["oblast"] == "UA14"
    assert abs(torske.lat - 49.03) < 0.1 and abs(torske.lon - 37.87) < 0.1
    assert len(torske.data["geo"]["candidates"]) >= 2


def test_place_entities_carry_coordinates():
    doc = build_document([{"text": "Каждый день привозят двухсотых в Ставрополь, а мы стоим под Бахмутом."}])
    extract_entities(doc)
    places = {e.text: e for e in doc.entities if e.type == "PLACE"}
    assert places["Ставрополь"].norm == "Stavropol" and places["Ставрополь"].geo_confidence >= 0.8
    assert places["Бахмутом"].norm == "Bakhmut" and abs(places["Бахмутом"].lon - 38.0) < 0.1
