"""CTranslate2 NMT engine on a tiny random Marian model built here (proves the code path, not quality):
sentencepiece trained on synthetic text -> MarianMT config -> ctranslate2 TransformersConverter ->
batched translation through the engine and the stage, placeholders restored or flagged."""

from __future__ import annotations

import json

import pytest

from listeningpost.records import Turn

from translate_fixtures import add_call  # noqa: F401  (fixture)

pytest.importorskip("sentencepiece")
pytest.importorskip("ctranslate2")

SYNTHETIC = [
    "командир сказал что завтра выходим на позиции",
    "у нас всё нормально не волнуйся мама",
    "танк стоит возле дороги за посадкой",
    "the commander said we move out tomorrow",
    "everything is fine here do not worry",
    "a tank is standing near the road",
] * 40


@pytest.fixture(scope="module")
def tiny_marian(tmp_path_factory):
    transformers = pytest.importorskip("transformers", reason="the tiny-Marian test needs transformers + torch (test extra)")
    pytest.importorskip("torch")
    import ctranslate2.converters
    import sentencepiece as spm

    root = tmp_path_factory.mktemp("marian")
    corpus = root / "corpus.txt"
    corpus.write_text("\n".join(SYNTHETIC), encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(root / "sp"), vocab_size=60, hard_vocab_limit=False, minloglevel=2,
                                   character_coverage=1.0, model_type="unigram", bos_id=-1, eos_id=0, unk_id=1,
                                   pad_id=-1, eos_piece="</s>", unk_piece="<unk>")
    hf = root / "hf"
    hf.mkdir()
    sp = spm.SentencePieceProcessor(model_file=str(root / "sp.model"))
    # Marian layout: </s>=0, <unk>=1, ..., <pad> last (the decoder start token)
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    vocab["<pad>"] = len(vocab)
    pad = vocab["<pad>"]
    (hf / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    for name in ("source.spm", "target.spm"):
        (hf / name).write_bytes((root / "sp.model").read_bytes())
    config = transformers.MarianConfig(
        vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=512,
        pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad, forced_eos_token_id=0,
    )
    transformers.MarianMTModel(config).save_pretrained(hf)
    transformers.MarianTokenizer(source_spm=str(hf / "source.spm"), target_spm=str(hf / "target.spm"),
                                 vocab=str(hf / "vocab.json")).save_pretrained(hf)
    out = root / "ct2"
    ctranslate2.converters.TransformersConverter(str(hf), copy_files=["source.spm", "target.spm"]).convert(str(out))
    return out


def test_tiny_marian_batch_roundtrip(tiny_marian):
    from listeningpost.translate.engines import Segment, make_engine

    engine = make_engine("nmt", str(tiny_marian), beam_size=2)
    assert engine.model_name == "ct2"
    texts = ["командир сказал что завтра", "танк стоит возле дороги", "у нас всё нормально"]
    out = engine.translate([Segment(t, "ru") for t in texts])
    assert len(out) == 3 and all(isinstance(o, str) for o in out)
    # deterministic: the same batch gives the same output
    assert engine.translate([Segment(t, "ru") for t in texts]) == out


def test_nmt_stage_placeholders_restored_or_flagged(case, add_call, tiny_marian):
    from listeningpost.pipeline import make_stage
    from listeningpost.translate.glossary import PLACEHOLDER_RE, default_glossary

    call = add_call(case, [Turn("Комбат сказал что танк стоит"), Turn("у нас всё нормально")])
    stage = make_stage("translate", engine="nmt", model=str(tiny_marian))
    item = stage.load(case, call)
    assert "ZXQ0" in item.jobs[0].segment.text and "Комбат" not in item.jobs[0].segment.text
    results = stage.compute(item)
    with case.transaction():
        stage.save(case, call, results, None)
    rows = case.query("SELECT * FROM translations WHERE engine='nmt' ORDER BY turn_id")
    assert len(rows) == 2 and rows[0]["model"] == "ct2"
    for row in rows:
        assert not PLACEHOLDER_RE.search(row["text"])      # restored, never shown raw
    glossary = json.loads(rows[0]["glossary_json"])
    flags = json.loads(rows[0]["flags_json"])
    # a random model keeps or drops the placeholder; either way the row tells the truth
    for g in glossary:
        assert g["ok"] == default_glossary().get(g["term"]).rendered_in(rows[0]["text"])
    assert ("glossary_miss" in flags) == (not all(g["ok"] for g in glossary))


def test_unpulled_hub_model_fails_with_instructions(tmp_path, monkeypatch):
    from listeningpost.modelstore import ModelError
    from listeningpost.translate.engines import Segment, make_engine

    monkeypatch.setenv("LPOST_MODELS", str(tmp_path))
    engine = make_engine("nmt")  # opus-mt per language, not pulled here
    with pytest.raises(ModelError, match="lpost models pull opus-mt-ru-en"):
        engine.translate([Segment("привет", "ru")])
