"""Model manager: offline Whisper base assembled and verified, pack/unpack for air-gapped use."""

from __future__ import annotations

import json

import pytest

from listeningpost import modelstore
from listeningpost.modelstore import ModelError, ModelSpec


@pytest.fixture
def tiny_model(tmp_path, monkeypatch):
    """A registered model whose 'weights' are written by its assembler."""
    monkeypatch.setenv("LPOST_MODELS", str(tmp_path / "cache"))
    payload = b"synthetic weights " * 100
    import hashlib

    def assemble(target):
        (target / "weights.bin").write_bytes(payload)
        (target / "config.json").write_text("{}")

    spec = modelstore.register_model(ModelSpec(name="test-tiny", kind="test", assemble=assemble,
                                               sha256={"weights.bin": hashlib.sha256(payload).hexdigest()}))
    yield spec
    modelstore._REGISTRY.pop("test-tiny", None)


def test_default_whisper_base_is_assembled_and_verified():
    path = modelstore.ensure_model("whisper-base")
    assert (path / "model.bin").stat().st_size == 145_217_532
    manifest = json.loads((path / modelstore.MANIFEST).read_text())
    assert manifest["files"]["model.bin"]["sha256"] == modelstore.WHISPER_BASE_SHA256
    assert modelstore.whisper_model_name("base") == "whisper-base"
    assert modelstore.whisper_model_name("large-v3") == "whisper-large-v3"
    assert modelstore.whisper_model_name("turbo") == "whisper-large-v3-turbo"
    assert modelstore.whisper_model_name(str(path)) == str(path)  # a folder is used as is


def test_pack_and_unpack_round_trip(tiny_model, tmp_path, monkeypatch):
    built = modelstore.ensure_model("test-tiny")
    assert modelstore.installed_path("test-tiny") == built
    packed = tmp_path / "usb"
    assert modelstore.pack(packed, ["test-tiny"]) == ["test-tiny"]
    # another machine: empty cache
    monkeypatch.setenv("LPOST_MODELS", str(tmp_path / "other"))
    assert modelstore.installed_path("test-tiny") is None
    assert modelstore.unpack(packed) == ["test-tiny"]
    assert (modelstore.installed_path("test-tiny") / "weights.bin").read_bytes() == (built / "weights.bin").read_bytes()


def test_damaged_copy_is_refused(tiny_model, tmp_path):
    modelstore.ensure_model("test-tiny")
    packed = tmp_path / "usb"
    modelstore.pack(packed, ["test-tiny"])
    (packed / "test-tiny" / "weights.bin").write_bytes(b"bit rot")
    with pytest.raises(ModelError, match="checksum"):
        modelstore.unpack(packed)


def test_wrong_checksum_fails_assembly(tmp_path, monkeypatch):
    monkeypatch.setenv("LPOST_MODELS", str(tmp_path / "cache"))
    modelstore.register_model(ModelSpec(name="test-bad", kind="test", sha256={"w.bin": "0" * 64},
                                        assemble=lambda t: (t / "w.bin").write_bytes(b"x")))
    try:
        with pytest.raises(ModelError, match="SHA-256"):
            modelstore.ensure_model("test-bad")
        assert not list((tmp_path / "cache").iterdir())  # nothing half-built left behind
    finally:
        modelstore._REGISTRY.pop("test-bad", None)


def test_hub_model_without_download_explains_offline_path(tmp_path, monkeypatch):
    monkeypatch.setenv("LPOST_MODELS", str(tmp_path / "cache"))
    with pytest.raises(ModelError, match="lpost models pull whisper-large-v3"):
        modelstore.ensure_model("whisper-large-v3", download=False)
    with pytest.raises(ModelError, match="unknown model"):
        modelstore.ensure_model("no-such-model")


def test_models_list_shows_both_translation_llms_with_checksums():
    from typer.testing import CliRunner

    from listeningpost.cli import app

    result = CliRunner().invoke(app, ["models", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)["models"]}
    qwen, gemma = rows["qwen2.5-1.5b-instruct"], rows["gemma3-270m-gguf"]
    assert qwen["sha256"] == {"qwen2.5-coder-1.5b-instruct-q4_k_m.gguf":
                              "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"}
    assert len(next(iter(gemma["sha256"].values()))) == 64
    for row in (qwen, gemma):
        assert row["kind"] == "llm" and row["source"] == "registry packages (offline)"
        assert row["size_bytes"] is None or row["size_bytes"] > 100e6
