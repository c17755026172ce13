"""Translation stage: ru/uk turns -> English, with the military glossary enforced and reliability flagged.

Modules: ``engines`` (interface + registry), ``llm`` (llama.cpp GGUF; default, offline draft with the
packaged Gemma 3 270M), ``nmt`` (CTranslate2 Marian/NLLB, `lpost models pull opus-mt-ru-en`),
``whisper`` (task=translate on the turn's audio), ``glossary`` (+ ``glossary.yaml``), ``core``
(protect -> translate in batches -> restore -> post-check -> flags), ``stage`` (stage "translate"),
``stream`` (`lpost translate`), ``models`` (model-manager entries). Human translations supplied at
ingest are rows with engine='human'; they are never touched and are shown first.

    lpost process --stages translate [--engine llm|nmt|whisper] [--model NAME|PATH]
    lpost translate [--engine ...] [--call ID] [--batch 32] [--skip-human] [--force]
    lpost glossary ["text to check"]
"""
