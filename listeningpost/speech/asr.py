"""ASR engine interface and registry, and the faster-whisper (CTranslate2) engine.

An engine is a class (or factory) taking :class:`AsrOptions`, registered under a name with
``@register_engine("name")``; the speech stage option ``engine`` (``--opt speech.engine=NAME``)
selects it. Engines living in other modules are imported through ``listeningpost.plugins.ASR_MODULES``
(in every worker process too). See docs/extending.md.

The engine receives VAD-gated audio and the clips (<= 30 s) to decode, and returns segments with
word timestamps, word probabilities, avg log-prob, no-speech probability and a per-clip language
decision. Clips are decoded in batches (``BatchedInferencePipeline``); language ID is computed
from the same encoder output that decoding uses, restricted to the allowed languages.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from math import ceil
from typing import Any, Protocol

import numpy as np

from listeningpost.audio import SAMPLE_RATE
from listeningpost.speech import hallucinations, langid
from listeningpost.threads import thread_count
from listeningpost.registry import Registry


#: engine used when none is given
DEFAULT_ENGINE = "faster-whisper"


@dataclass
class AsrOptions:
    #: registered ASR engine (``ENGINES``); stored as the run's engine
    engine: str = DEFAULT_ENGINE
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
    cpu_threads: int = 0                 # 0: OMP_NUM_THREADS if set, else all cores
    #: CPU: clips decoded side by side by this many model replicas, the threads shared out among
    #: them (0: 2 on 2+ cores). Small per-step matrix products scale poorly over threads: two
    #: replicas on one thread each decode 15-20% faster than one on two.
    cpu_workers: int = 0
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    low_word_probability: float = 0.45
    #: decode timestamp tokens too: keeps Whisper going to the end of long multi-speaker clips
    without_timestamps: bool = False
    allow_download: bool = True          # hub models may be pulled on first use


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
    """What the speech pipeline calls: built once per recording as ``factory(options)``.

    ``transcribe_clips`` gets mono 16 kHz float32 ``audio`` (a streaming window, non-speech zeroed
    by the VAD) and the clips to decode as (start, end) sample ranges, each at most 30 s. It returns
    segments with times in seconds from the start of ``audio``. Turns are built from the segments'
    *words* (a segment without words is dropped), so each word needs text (with its leading space),
    start, end and probability; ``language`` (ru, uk, ...) feeds the call's language. Known
    hallucinations and repetition loops are removed after the engine, for every engine.
    """

    name: str

    def transcribe_clips(self, audio: np.ndarray, clips: list[tuple[int, int]]) -> list[AsrSegment]:
        """Decode ``clips`` (sample ranges of mono 16 kHz ``audio``); times relative to ``audio``."""


ENGINES = Registry("ASR engine", plugins="ASR_MODULES", sort=True, sets_name=False)
#: class decorator: ``@register_engine("name")`` makes ``factory(options)`` the engine ``name``
register_engine = ENGINES.register
check_engine = ENGINES.check


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


def _threads(options: AsrOptions) -> int:
    """``cpu_threads``, else the share a job worker process was given (OMP_NUM_THREADS), else all cores."""
    return thread_count(options.cpu_threads, env="OMP_NUM_THREADS")


def cpu_layout(options: AsrOptions) -> tuple[int, int]:
    """(replicas, threads per replica) for a CPU model."""
    threads = _threads(options)
    workers = options.cpu_workers or (2 if threads >= 2 else 1)  # each replica holds the weights again
    workers = max(1, min(workers, threads))
    return workers, max(1, threads // workers)


def load_whisper(options: AsrOptions):
    """faster-whisper model for ``options``, cached per process."""
    from faster_whisper import WhisperModel

    from listeningpost import modelstore

    device, compute = _device(options)
    path = modelstore.ensure_model(modelstore.whisper_model_name(options.model), download=options.allow_download)
    workers, threads = cpu_layout(options) if device == "cpu" else (1, _threads(options))
    key = (str(path), device, compute, workers, threads)
    if key not in _MODELS:
        _MODELS[key] = WhisperModel(str(path), device=device, compute_type=compute, cpu_threads=threads,
                                    num_workers=workers, local_files_only=True)
    return _MODELS[key]


def _pipeline_class():
    from faster_whisper import BatchedInferencePipeline

    class RestrictedLanguagePipeline(BatchedInferencePipeline):
        """Batched decoding where each clip's language is chosen among the allowed ones.

        On CPU the clips of a batch are shared out among the model's replicas (``cpu_workers``),
        each encoding its clips one at a time (the encoder costs the same per clip in a batch, and
        one clip's activations stay in cache), then decoding them as one batch; words are aligned
        clip by clip (a batch pads every clip to the longest text). On GPU: one batch throughout."""

        def __init__(self, model, allowed: tuple[str, ...]):
            super().__init__(model)
            self.allowed = allowed
            self.workers = model.model.num_workers  # replicas loaded (1 on GPU)
            self.decisions: dict[int, langid.LangDecision] = {}
            self._meta: list[dict] = []
            self._encoded: list = []

        def forward(self, features, tokenizer, chunks_metadata, options):
            self._meta = chunks_metadata
            if not (options.word_timestamps and self._on_cpu()):
                return super().forward(features, tokenizer, chunks_metadata, options)
            outputs = super().forward(features, tokenizer, chunks_metadata, replace(options, word_timestamps=False))
            fps = self.model.frames_per_second
            # each clip's "speech before" is the previous clip's last timestamp, as in one batch
            before = [self.last_speech_timestamp] + [clip[-1]["end"] if clip else 0.0 for clip in outputs[:-1]]

            def align(i: int) -> None:
                if any(t < tokenizer.eot for seg in outputs[i] for t in seg["tokens"]):
                    self.model.add_word_timestamps(
                        [outputs[i]], tokenizer, self._encoded[i], [int(ceil(chunks_metadata[i]["duration"]) * fps)],
                        options.prepend_punctuations, options.append_punctuations, before[i],
                    )

            _map_parallel(align, range(len(outputs)), self.workers)
            if words := [w for clip in outputs for seg in clip for w in seg.get("words") or []]:
                self.last_speech_timestamp = words[-1]["end"]
            return outputs

        def _on_cpu(self) -> bool:
            return self.model.model.device == "cpu"

        def generate_segment_batched(self, features, tokenizer, options):
            prompt = self.model.get_prompt(tokenizer, previous_tokens=[], without_timestamps=options.without_timestamps,
                                           hotwords=options.hotwords)
            index = prompt.index(tokenizer.language) if options.multilingual else None
            groups = (_balanced([m["duration"] for m in self._meta], self.workers) if self._on_cpu()
                      else [list(range(len(features)))])
            parts = _map_parallel(
                lambda group: _decode_group(self, features[group], prompt, index, tokenizer, options),
                groups, len(groups))
            self._encoded = [None] * len(features)
            output: list[dict] = [{}] * len(features)
            for group, (encoded, decisions, results) in zip(groups, parts):
                for j, i in enumerate(group):
                    output[i] = results[j]
                    if decisions:
                        seek = int(self._meta[i]["offset"] * self.model.frames_per_second)
                        self.decisions[seek] = decisions[j]
                    if len(encoded) == len(group):  # per clip (CPU), for the alignment in ``forward``
                        self._encoded[i] = encoded[j]
            # on GPU the batch's encoder output serves the batched alignment of ``forward``
            return (None if self._on_cpu() else parts[0][0][0]), output

    return RestrictedLanguagePipeline


def _decode_group(pipe, features, prompt, index, tokenizer, options):
    """One group of clips on one replica of ``RestrictedLanguagePipeline``: encode them (one at a time
    on CPU), pick each clip's language among the allowed ones (when ``index`` marks the prompt's
    language token), decode them as one batch. Returns (encoder outputs, language decisions, results
    per clip)."""
    import ctranslate2

    if pipe._on_cpu() and len(features) > 1:
        encoded = [pipe.model.encode(features[i:i + 1]) for i in range(len(features))]
        encoder_output = ctranslate2.StorageView.from_array(np.concatenate([np.asarray(e) for e in encoded]))
    else:
        encoder_output = pipe.model.encode(features)
        encoded = [encoder_output]
    prompts, decisions = [prompt] * len(features), []
    if index is not None:  # each clip in the allowed language it sounds most like
        prompts = []
        for probs in pipe.model.model.detect_language(encoder_output):
            decisions.append(langid.decide(probs, pipe.allowed))
            prompt_i = list(prompt)
            prompt_i[index] = tokenizer.tokenizer.token_to_id(f"<|{decisions[-1].decode}|>")
            prompts.append(prompt_i)
    return encoded, decisions, _generate(pipe.model, encoder_output, prompts, options)


def _generate(model, encoder_output, prompts, options) -> list[dict]:
    """Decode the encoded clips with their prompts: tokens, avg log-prob and no-speech probability per clip."""
    results = model.model.generate(
        encoder_output, prompts, beam_size=options.beam_size, patience=options.patience,
        length_penalty=options.length_penalty, max_length=model.max_length,
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
    return output


def _balanced(durations: list[float], groups: int) -> list[list[int]]:
    """Clip indices shared into at most ``groups`` groups of similar total duration (longest first)."""
    bins: list[list[int]] = [[] for _ in range(min(groups, len(durations)) or 1)]
    totals = [0.0] * len(bins)
    for i in sorted(range(len(durations)), key=lambda i: -durations[i]):
        k = totals.index(min(totals))
        bins[k].append(i)
        totals[k] += durations[i]
    return [sorted(b) for b in bins if b]


def _map_parallel(fn, items, workers: int) -> list:
    """``[fn(x) for x in items]``, on ``workers`` threads when more than one (CTranslate2 releases
    the GIL and sends concurrent calls to different model replicas)."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lpost-asr") as pool:
        return list(pool.map(fn, items))


@register_engine(DEFAULT_ENGINE)
class FasterWhisperEngine:
    name = DEFAULT_ENGINE

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
        if not (segs := list(segs)):
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
        if (cut := hallucinations.loop_cut([w.text for w in seg.words])) < len(seg.words):
            seg.words = seg.words[:cut]
            seg.text = "".join(w.text for w in seg.words)
        seg.words = [w for w in seg.words if hallucinations.normalise(w.text)]
        if seg.words and not hallucinations.is_known_hallucination("".join(w.text for w in seg.words)):
            kept.append(seg)
    return kept


def make_engine(options: AsrOptions) -> AsrEngine:
    """The registered engine ``options.engine``, built for one recording."""
    check_engine(options.engine)
    return ENGINES[options.engine](options)
