#!/usr/bin/env bash
# Re-measure the analysis rules on the tune/test split of eval/split.json (issue 13).
#
#   scripts/eval_split.sh [--rev REV] [--json FILE] [--tune-details]
#
# Builds the split gold files in a temp folder (scripts/split_gold.py: ../shared/eval/dev_gold.jsonl
# + eval/unseen_gold.jsonl), runs `lpost eval FILE --json` on tune, test, test-new and test-seen,
# and prints entity/claim/theme precision/recall/F1 (overall and per type) for each part.
# Per-call misses and false alarms are NEVER printed for the test parts (they are stripped before
# anything is shown or written): look at test errors and the test set stops being a test set.
#   --rev REV        measure the rules as committed at REV (git archive of listeningpost/ into a temp
#                    folder, run with the repo's .venv), not the working tree (which other people edit)
#   --json FILE      also write the aggregate figures (no per-call lists) as JSON
#   --tune-details   also print the per-call misses/false alarms of the TUNE part (allowed: tuning data)
# Needs ../shared (or $LPOST_SHARED) for dev_gold.jsonl and the gazetteer.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PY:-$REPO/.venv/bin/python}
export LPOST_SHARED=${LPOST_SHARED:-$(cd "$REPO/.." && pwd)/shared}
REV="" JSON_OUT="" TUNE_DETAILS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rev) REV=$2; shift 2 ;;
    --json) JSON_OUT=$2; shift 2 ;;
    --tune-details) TUNE_DETAILS=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "eval_split: unknown argument $1" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$PY" "$REPO/scripts/split_gold.py" "$tmp/gold" >"$tmp/counts.txt"
if [ -n "$REV" ]; then
  commit=$(git -C "$REPO" rev-parse "$REV^{commit}")
  mkdir -p "$tmp/src"
  git -C "$REPO" archive "$commit" listeningpost | tar -x -C "$tmp/src"
  export PYTHONPATH="$tmp/src${PYTHONPATH:+:$PYTHONPATH}"
  state="clean export of $commit"
else
  commit=$(git -C "$REPO" rev-parse HEAD)
  if [ -n "$(git -C "$REPO" status --porcelain -- listeningpost)" ]; then
    state="working tree at $commit WITH uncommitted changes under listeningpost/ (use --rev for a clean measurement)"
  else
    state="working tree at $commit (listeningpost/ clean)"
  fi
fi
(cd "$tmp" && "$PY" -c 'import listeningpost, sys; print(listeningpost.__file__)') >"$tmp/pkg.txt"
for part in tune tune_dev tune_new test test_new test_seen; do
  (cd "$tmp" && "$PY" -c 'from listeningpost.cli import app; app()' eval "$tmp/gold/${part}_gold.jsonl" --json) \
    >"$tmp/$part.json" 2>"$tmp/$part.err" || { echo "eval_split: lpost eval failed on $part" >&2; tail -20 "$tmp/$part.err" >&2; exit 1; }
done
"$PY" - "$tmp" "$state" "$(cat "$tmp/pkg.txt")" "$JSON_OUT" "$TUNE_DETAILS" <<'EOF'
import datetime, json, sys
from pathlib import Path
tmp, state, pkg, json_out, tune_details = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
PARTS = {"tune": "tune (all 17)", "tune_dev": "tune-dev (14 dev_gold calls)", "tune_new": "tune-new (Prigozhin 010-012)",
         "test": "test (all 16)",
         "test_new": "test-new (12 never-seen calls)", "test_seen": "test-seen (4 held-out dev_gold calls)"}
results, details = {}, {}
for part in PARTS:
    raw = json.loads((tmp / f"{part}.json").read_text())
    for sec in ("entities", "claims", "themes"):
        if part == "tune" and sec in raw:
            details[sec] = raw[sec].get("per_call", {})  # tune errors may be looked at
        if sec in raw:
            raw[sec].pop("per_call", None)  # per-call errors never leave this script for test parts
    results[part] = raw
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
print(f"measured {now}; {state}; package {pkg}")
print((tmp / "counts.txt").read_text().rstrip())
def f(x):
    return f"{x:.3f}" if isinstance(x, (int, float)) else "-"
print()
print("| part | entities P | R | F1 | claims P | R | F1 | themes P | R | F1 |")
print("|---|---|---|---|---|---|---|---|---|---|")
for part, label in PARTS.items():
    r = results[part]
    cells = [f(r.get(s, {}).get(k)) for s in ("entities", "claims", "themes") for k in ("precision", "recall", "f1")]
    print(f"| {label} | " + " | ".join(cells) + " |")
for sec, key in (("entities", "per_type"), ("claims", "per_type"), ("themes", "per_theme")):
    types = sorted({t for r in results.values() for t in r.get(sec, {}).get(key, {})})
    print(f"\n{sec} per type: F1 (P/R) [gold/pred]")
    print("| type | " + " | ".join(PARTS) + " |")
    print("|---|" + "---|" * len(PARTS))
    for t in types:
        row = []
        for part in PARTS:
            v = results[part].get(sec, {}).get(key, {}).get(t)
            row.append("-" if not v else f"{v['f1']:.2f} ({v['precision']:.2f}/{v['recall']:.2f}) [{v['gold']}/{v['pred']}]")
        print(f"| {t} | " + " | ".join(row) + " |")
if tune_details:
    print("\nTUNE per-call misses/false alarms:")
    print(json.dumps(details, ensure_ascii=False, indent=1))
if json_out:
    Path(json_out).write_text(json.dumps({"measured": now, "state": state, "results": results}, indent=1) + "\n")
EOF
