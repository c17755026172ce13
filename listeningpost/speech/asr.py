"""ASR engine interface and the faster-whisper (CTranslate2) engine.

The engine receives VAD-gated audio and the clips (<= 30 s) to decode, and returns segments with
word timestamps, word probabilities, avg log-prob, no-speech probability and a per-clip language
decision. Clips are decoded in batches (``BatchedInferencePipeline``); language ID is computed
from the same encoder output that decoding uses, restricted to the allowed languages.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from listeningpost.speech import hallucinations, langid
from listeningpost.speech.audio import SAMPLE_RATE


@dataclass
class AsrOptions:
    model: str = "whisper-base"          # registered name, faster-whisper size, hub repo id or folder
    device: str = "auto"                 # cpu, cuda, auto
    compute_type: str = "auto"           # int8 on CPU, float16 on GPU when auto
    beam_size: int = 5
    batch_size: int = 8
    language: str | None = None          # force one language (skips detection)
    languages: tuple[str, ...] = ("ru", "uk")
    #: first temperature for all clips; the rest is a short fallback for clips that loop
    temperatures: tuple[float, ...] = (0.0, 0.4)
    condition_on_previous_text: bool = False
    cpu_threads: int = 0                 # 0: all cores
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    low_word_probability: float = 0.45
    #: decode timestamp tokens too: keeps Whisper going to the end of long multi-speaker clips
    without_timestamps: bool = False
    allow_download: bool = True          # hub models may be pulled on first use

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AsrWord:
    text: str
    start: float
    end: float
    probability: float


@dataclass
class AsrSegment:
    start: float
    end: float
    text: str
    words: list[AsrWord] = field(default_factory=list)
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None
    language: str | None = None
    language_prob: float | None = None


class AsrEngine(Protocol):
    name: str

    def transcribe_clips(self, audio: np.ndarray, clips: list[tuple[int, int]]) -> list[AsrSegment]:
        """Decode ``clips`` (sample ranges of mono 16 kHz ``audio``); times relative to ``audio``."""


_MODELS: dict[tuple, Any] = {}


def _device(options: AsrOptions) -> tuple[str, str]:
    device = options.device
    if device == "auto":
        import ctranslate2

        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    compute = options.compute_type
    if compute == "auto":
        compute = "float16" if device == "cuda" else "int8"
    return device, compute


def load_whisper(options: AsrOptions):
    """faster-whisper model for ``options``, cached per process."""
    from faster_whisper import WhisperModel

    from listeningpost import modelstore

    device, compute = _device(options)
    path = modelstore.ensure_model(modelstore.whisper_model_name(options.model), download=options.allow_download)
    threads = options.cpu_threads or (os.cpu_count() or 1)
    key = (str(path), device, compute, threads)
    if key not in _MODELS:
        _MODELS[key] = WhisperModel(str(path), device=device, compute_type=compute, cpu_threads=threads,
                                    local_files_only=True)
    return _MODELS[key]


def _pipeline_class():
    from faster_whisper import BatchedInferencePipeline

    class RestrictedLanguagePipeline(BatchedInferencePipeline):
        """Batched decoding where each clip's language is chosen among the allowed ones."""

        def __init__(self, model, allowed: tuple[str, ...]):
            super().__init__(model)
            self.allowed = allowed
            self.decisions: dict[int, langid.LangDecision] = {}
            self._meta: list[dict] = []

        def forward(self, features, tokenizer, chunks_metadata, options):
            self._meta = chunks_metadata
            return super().forward(features, tokenizer, chunks_metadata, options)

        def generate_segment_batched(self, features, tokenizer, options):
            if not options.multilingual:
                return super().generate_segment_batched(features, tokenizer, options)
            prompt = self.model.get_prompt(tokenizer, previous_tokens=[], without_timestamps=options.without_timestamps,
                                           hotwords=options.hotwords)
            encoder_output = self.model.encode(features)
            index = prompt.index(tokenizer.language)
            prompts = []
            for meta, probs in zip(self._meta, self.model.model.detect_language(encoder_output)):
                decision = langid.decide(probs, self.allowed)
                self.decisions[_seek(meta["offset"], self.model.frames_per_second)] = decision
                prompt_i = list(prompt)
                prompt_i[index] = tokenizer.tokenizer.token_to_id(f"<|{decision.decode}|>")
                prompts.append(prompt_i)
            results = self.model.model.generate(
                encoder_output, prompts, beam_size=options.beam_size, patience=options.patience,
                length_penalty=options.length_penalty, max_length=self.model.max_length,
                suppress_blank=options.suppress_blank, suppress_tokens=options.suppress_tokens,
                return_scores=True, return_no_speech_prob=True, sampling_temperature=options.temperatures[0],
                repetition_penalty=options.repetition_penalty, no_repeat_ngram_size=options.no_repeat_ngram_size,
            )
            output = []
            for result in results:
                seq_len = len(result.sequences_ids[0])
                cum_logprob = result.scores[0] * (seq_len ** options.length_penalty)
                output.append(dict(avg_logprob=cum_logprob / (seq_len + 1), no_speech_prob=result.no_speech_prob,
                                   tokens=result.sequences_ids[0]))
            return encoder_output, output

    return RestrictedLanguagePipeline


def _seek(offset_s: float, fps: int) -> int:
    return int(offset_s * fps)


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, options: AsrOptions):
        self.options = options
        self.model = load_whisper(options)

    def transcribe_clips(self, audio: np.ndarray, clips: list[tuple[int, int]]) -> list[AsrSegment]:
        if not clips:
            return []
        opts = self.options
        pipeline = _pipeline_class()(self.model, opts.languages)
        forced = opts.language
        segments, _info = pipeline.transcribe(
            audio, language=forced or opts.languages[0], multilingual=forced is None,
            clip_timestamps=[{"start": s / SAMPLE_RATE, "end": e / SAMPLE_RATE} for s, e in clips],
            vad_filter=False, beam_size=opts.beam_size, batch_size=opts.batch_size, word_timestamps=True,
            without_timestamps=opts.without_timestamps,
            temperature=opts.temperatures[0], log_progress=False,
        )
        out = []
        for seg in segments:
            decision = pipeline.decisions.get(seg.seek) if forced is None else None
            if decision is None and forced is None:  # seek rounding differs by a frame at most
                decision = min(pipeline.decisions.items(), key=lambda kv: abs(kv[0] - seg.seek))[1]
            item = _segment(seg, decision, forced)
            if _loops(item) and len(opts.temperatures) > 1:
                item = self._fallback(audio, item, decision.decode if decision else forced) or item
            out.append(item)
        return out

    def _fallback(self, audio: np.ndarray, item: AsrSegment, language: str) -> AsrSegment | None:
        """Re-decode one looping clip sequentially with the fallback temperatures."""
        start, end = int(item.start * SAMPLE_RATE), int(item.end * SAMPLE_RATE)
        if end - start < SAMPLE_RATE // 2:
            return None
        segs, _ = self.model.transcribe(
            audio[start:end], language=language, beam_size=self.options.beam_size,
            temperature=list(self.options.temperatures[1:]), condition_on_previous_text=False,
            word_timestamps=True, vad_filter=False,
        )
        segs = list(segs)
        if not segs:
            return None
        words = [AsrWord(w.word, w.start + item.start, w.end + item.start, w.probability) for s in segs for w in s.words or []]
        merged = AsrSegment(
            start=item.start, end=item.end, text="".join(s.text for s in segs), words=words,
            avg_logprob=float(np.mean([s.avg_logprob for s in segs])), no_speech_prob=float(np.mean([s.no_speech_prob for s in segs])),
            compression_ratio=max(s.compression_ratio for s in segs), language=item.language, language_prob=item.language_prob,
        )
        return None if _loops(merged) else merged


def _segment(seg, decision: langid.LangDecision | None, forced: str | None) -> AsrSegment:
    return AsrSegment(
        start=float(seg.start), end=float(seg.end), text=seg.text,
        words=[AsrWord(w.word, float(w.start), float(w.end), float(w.probability)) for w in seg.words or []],
        avg_logprob=float(seg.avg_logprob), no_speech_prob=float(seg.no_speech_prob),
        compression_ratio=float(seg.compression_ratio),
        language=forced or (decision.label if decision else None),
        language_prob=None if forced else (decision.probability if decision else None),
    )


def _loops(item: AsrSegment) -> bool:
    texts = [w.text for w in item.words]
    return (item.compression_ratio or 0) > 2.4 or hallucinations.loop_cut(texts) < len(texts)


def clean_segments(segments: list[AsrSegment], options: AsrOptions) -> list[AsrSegment]:
    """Drop phantom segments and cut repetition loops."""
    kept = []
    for seg in segments:
        if hallucinations.is_known_hallucination(seg.text):
            continue
        if (seg.no_speech_prob or 0) > options.no_speech_threshold and (seg.avg_logprob or 0) < options.log_prob_threshold:
            continue
        cut = hallucinations.loop_cut([w.text for w in seg.words])
        if cut < len(seg.words):
            seg.words = seg.words[:cut]
            seg.text = "".join(w.text for w in seg.words)
        seg.words = [w for w in seg.words if hallucinations.normalise(w.text)]
        if seg.words and not hallucinations.is_known_hallucination("".join(w.text for w in seg.words)):
            kept.append(seg)
    return kept


def make_engine(options: AsrOptions) -> AsrEngine:
    return FasterWhisperEngine(options)
