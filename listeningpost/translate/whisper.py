"""Whisper `task=translate` engine: English straight from each turn's stretch of the recording.

Only for calls that came as audio/video and whose turns have times. Whisper reads the audio, not our
text, so glossary terms cannot be protected -- the post-check still flags lines that miss them.
"""

from __future__ import annotations

from pathlib import Path

from listeningpost.audio import SAMPLE_RATE
from listeningpost.threads import thread_count
from listeningpost.translate.engines import BeamEngine, Segment, register_engine


@register_engine("whisper")
class WhisperTranslateEngine(BeamEngine):
    name = "whisper"
    glossary_mode = "none"
    batch_size = 8

    def __init__(self, model: str | None = None, beam_size: int = 5, threads: int | None = None, **_: object):
        super().__init__(model or "whisper-base", beam_size, thread_count(threads, "LPOST_THREADS", cap=4))
        self._model = None
        self._audio: tuple[str, object] | None = None
        # Whisper base translates to nonsense (MODELS.md §1.1): anything that small is draft grade
        self.draft = Path(self.model).name in ("whisper-base", "base", "whisper-tiny", "tiny")

    def cache_text(self, segment: Segment) -> str:
        return f"audio:{segment.audio_path}:{segment.start}:{segment.end}"

    def _whisper(self):
        if self._model is None:
            from faster_whisper import WhisperModel

            from listeningpost import modelstore

            folder = modelstore.ensure_model(modelstore.whisper_model_name(self.model), download=False)
            self._model = WhisperModel(str(folder), device="auto", compute_type="int8", cpu_threads=self.threads)
        return self._model

    def _samples(self, path: str):
        # one call's turns arrive together: decode its recording once
        if self._audio is None or self._audio[0] != path:
            from listeningpost import audio

            self._audio = (path, audio.decode(path, channels=1)[0])
        return self._audio[1]

    def translate(self, segments: list[Segment]) -> list[str]:
        return [self._one(s) for s in segments]

    def _one(self, seg: Segment) -> str:
        if not seg.audio_path or seg.start is None or seg.end is None or seg.end <= seg.start:
            raise ValueError("whisper translation needs the turn's audio span (a call ingested as audio)")
        audio = self._samples(seg.audio_path)[int(seg.start * SAMPLE_RATE):int(seg.end * SAMPLE_RATE)]
        if len(audio) < SAMPLE_RATE // 10:
            return ""
        parts, _info = self._whisper().transcribe(
            audio, task="translate", language=seg.lang if seg.lang in ("ru", "uk") else None,
            beam_size=self.beam_size, temperature=0.0, condition_on_previous_text=False, vad_filter=False,
        )
        return " ".join(p.text.strip() for p in parts).strip()

    def close(self) -> None:
        self._model = None
        self._audio = None
