"""Query language -> a match tree over the index columns, filters and the text for semantic search.

Syntax (case of operators matters: ``OR``/``NOT`` upper case):

* ``танк``            any inflection (танков, танками): matched on the lemma column; Latin words match
                      the lemma column and the English translation (Porter-stemmed).
* ``"в лесу сидим"``  exact word forms in order (the text column; Latin phrases also the translation).
* ``танк*``           prefix of a word form or lemma.
* ``a OR b``, ``a | b``, ``NOT a``, ``-a``, ``( ... )``; juxtaposition is AND.
* filters ``field:value`` or ``field:"two words"`` (repeat a field for OR):
  publisher, lang, speaker, call, entity (canonical norm or surface; ``entity:PLACE:Bakhmut``),
  claim (type), theme, status (machine|confirmed|rejected|corrected|reviewed|unreviewed),
  after/before (published date, after inclusive, before exclusive; YYYY, YYYY-MM or YYYY-MM-DD),
  published (date prefix), mentioned (a DATE entity in the call whose norm starts with the value).

Transliteration (Latin <-> Cyrillic) is applied only when asked (``translit=True``).

``compile_query`` turns the syntax tree into a match tree (``Words`` in ``InColumns`` of the index,
``AnyOf``, ``AllOf``, ``Without``) that each search backend renders in its own dialect
(``listeningpost.search.backends``: an FTS5 MATCH string on SQLite, tsquery SQL on PostgreSQL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from listeningpost.text import fts

FILTER_FIELDS = {
    "publisher", "lang", "language", "speaker", "call", "entity", "claim", "theme", "status",
    "after", "before", "published", "mentioned",
}
_ALIASES = {"language": "lang"}
_OPERATORS = {"OR": "or", "|": "or", "NOT": "not", "AND": None, "&": None}

_TOKEN = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<field>[A-Za-z_]+):(?:"(?P<fq>[^"]*)"?|(?P<fv>[^\s()]+))'
    r'|"(?P<phrase>[^"]*)"?|(?P<word>[^\s()"]+))'
)


class QueryError(ValueError):
    """The query cannot be expressed (e.g. ``a OR NOT b``)."""


# -- syntax tree ---------------------------------------------------------------------------------
@dataclass
class Term:
    word: str
    prefix: bool = False


@dataclass
class Phrase:
    text: str


@dataclass
class Not:
    child: object


@dataclass
class And:
    children: list


@dataclass
class Or:
    children: list


@dataclass
class ParsedQuery:
    tree: object | None
    filters: dict[str, list[str]] = field(default_factory=dict)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if bracket := m.group("lp") or m.group("rp"):
            out.append((bracket, bracket))
        elif m.group("field") and m.group("field").lower() in FILTER_FIELDS:
            name = m.group("field").lower()
            out.append(("filter", f"{_ALIASES.get(name, name)}\x1f{m.group('fq') if m.group('fq') is not None else m.group('fv')}"))
        elif m.group("field"):
            out.append(("word", m.group(0).strip()))  # not a filter (e.g. 12:30): a plain word
        elif m.group("phrase") is not None:
            out.append(("phrase", m.group("phrase")))
        elif kind := _OPERATORS.get(m.group("word"), "word"):  # AND is implied: no token
            out.append((kind, m.group("word")))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.pos = tokens, 0
        self.filters: dict[str, list[str]] = {}

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def parse_or(self):
        parts = [self.parse_and()]
        while self.peek() == "or":
            self.pos += 1
            parts.append(self.parse_and())
        parts = [p for p in parts if p is not None]
        return None if not parts else parts[0] if len(parts) == 1 else Or(parts)

    def parse_and(self):
        parts = []
        while self.peek() not in (None, "or", ")"):
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        return None if not parts else parts[0] if len(parts) == 1 else And(parts)

    def parse_unary(self):
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "not":
            if self.peek() in (None, "or", ")"):
                return None
            child = self.parse_unary()
            return Not(child) if child is not None else None
        if kind == "(":
            node = self.parse_or()
            if self.peek() == ")":
                self.pos += 1
            return node
        if kind == "filter":
            name, val = value.split("\x1f", 1)
            self.filters.setdefault(name, []).append(val)
            return None
        if kind == "phrase":
            return Phrase(value) if fts.words(value) else None
        if kind == "word":
            if value.startswith("-") and len(value) > 1:
                child = self._word(value[1:])
                return Not(child) if child is not None else None
            return self._word(value)
        return None

    def _word(self, value: str):
        parts = fts.words(value)
        if not parts:
            return None
        if len(parts) > 1:  # Точка-У, б/у: the words in order
            return Phrase(" ".join(parts))
        return Term(parts[0], prefix=value.endswith("*"))


def parse(text: str) -> ParsedQuery:
    parser = _Parser(_tokens(text or ""))
    tree = parser.parse_or()
    while parser.pos < len(parser.tokens):  # stray ')' etc.
        parser.pos += 1
        more = parser.parse_or()
        if more is not None:
            tree = And([tree, more]) if tree is not None else more
    return ParsedQuery(tree, parser.filters)


# -- match tree: what compile_query produces and the search backends render ------------------------
COLUMNS = ("text", "lemmas", "translation")  # the indexed columns of search_docs


@dataclass(frozen=True)
class Words:
    """Word forms or lemmas in order (one word: a term); ``prefix``: the last word is a prefix."""
    text: str
    prefix: bool = False


@dataclass(frozen=True)
class InColumns:
    """``child`` (Words, or AnyOf of Words) matched in these columns only."""
    columns: tuple[str, ...]
    child: object

    def __post_init__(self):
        unknown = [c for c in self.columns if c not in COLUMNS]
        if unknown:
            raise QueryError(f"no such column: {', '.join(unknown)}")


@dataclass(frozen=True)
class AnyOf:
    children: tuple


@dataclass(frozen=True)
class AllOf:
    children: tuple


@dataclass(frozen=True)
class Without:
    """Rows matching ``keep`` and not ``drop``."""
    keep: object
    drop: object


# -- compilation -----------------------------------------------------------------------------------
@dataclass
class Compiled:
    match: object | None        # match tree of the positive part
    exclude: object | None      # match tree whose matches are removed
    semantic_text: str          # what the embedder reads (positive words and phrases)
    lemmas: set[str] = field(default_factory=set)      # for highlighting
    forms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)


def translit_variants(word: str) -> set[str]:
    """Other-script spellings of a word (only used with the explicit transliteration option)."""
    import cyrtranslit

    if fts.is_cyrillic(word):
        lang = "ua" if fts.guess_lang(word) == "uk" else "ru"
        latin = cyrtranslit.to_latin(word, lang).lower()
        return {latin, latin.replace("h", "kh"), latin.replace("c", "ts")} - {word}
    low = word.lower()
    # English habit: kh/zh/ts/ya for х/ж/ц/я; cyrtranslit's Russian scheme writes h, zh, c, ja
    guess = low.replace("kh", "h").replace("ts", "c").replace("ya", "ja").replace("yu", "ju")
    out = {cyrtranslit.to_cyrillic(v, "ru").lower() for v in {low, guess}}
    out |= {cyrtranslit.to_cyrillic(v, "ua").lower() for v in {low, guess}}
    return out


class _Compiler:
    def __init__(self, translit: bool):
        self.translit = translit
        self.out = Compiled(None, None, "")
        self.semantic: list[str] = []

    def term(self, node: Term):
        word = node.word
        if node.prefix:
            stem = fts.fold(word)
            self.out.prefixes.add(stem)
            return InColumns(COLUMNS, Words(stem, prefix=True))
        parts = []
        if fts.is_cyrillic(word):
            self.out.forms.add(fts.fold(word))
            parts.append(self.lemmas(word))
        else:
            low = fts.fold(word)
            self.out.forms.add(low)
            self.out.lemmas.add(low)
            parts.append(InColumns(("lemmas", "translation"), Words(low)))
        if self.translit:
            for variant in sorted(translit_variants(word)):
                if fts.is_cyrillic(variant):
                    parts.append(self.lemmas(variant))
                else:
                    self.out.forms.add(variant)
                    parts.append(InColumns(("translation",), Words(variant)))
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def lemmas(self, word: str) -> InColumns:
        """Any lemma of a Cyrillic ``word``, in the lemmas column."""
        variants = set(fts.lemma_variants(word))
        self.out.lemmas |= variants
        return InColumns(("lemmas",), AnyOf(tuple(Words(v) for v in sorted(variants))))

    def phrase(self, node: Phrase):
        tokens = [fts.fold(w) for w in fts.words(node.text)]
        self.out.phrases.append(tokens)
        cols = ("text", "translation") if not fts.is_cyrillic(node.text) else ("text",)
        return InColumns(cols, Words(" ".join(tokens)))

    def node(self, node, negative: bool = False):
        if isinstance(node, (Term, Phrase)):
            if negative:  # excluded words are neither highlighted nor embedded
                return _Compiler(self.translit).node(node)
            self.semantic.append(node.word if isinstance(node, Term) else node.text)
            return self.term(node) if isinstance(node, Term) else self.phrase(node)
        if isinstance(node, Or):
            if any(isinstance(c, Not) for c in node.children):
                raise QueryError("NOT cannot stand inside OR; write `a NOT b` or `(a OR b) NOT c`")
            return AnyOf(tuple(self.node(c, negative) for c in node.children))
        if isinstance(node, And):
            pos = [c for c in node.children if not isinstance(c, Not)]
            neg = [c.child for c in node.children if isinstance(c, Not)]
            if not pos:
                raise QueryError("a group needs at least one word that is not negated")
            expr = AllOf(tuple(self.node(c, negative) for c in pos))
            return Without(expr, AnyOf(tuple(self.node(c, True) for c in neg))) if neg else expr
        if isinstance(node, Not):
            raise QueryError("a group needs at least one word that is not negated")
        raise QueryError(f"cannot compile {node!r}")


def compile_query(parsed: ParsedQuery, translit: bool = False) -> Compiled:
    comp = _Compiler(translit)
    tree = parsed.tree
    if tree is None:
        return comp.out
    # top level: positives AND-ed, negatives may stand alone ("NOT x" alone = everything but x)
    children = tree.children if isinstance(tree, And) else [tree]
    pos = [c for c in children if not isinstance(c, Not)]
    neg = [c.child for c in children if isinstance(c, Not)]
    if pos:
        comp.out.match = comp.node(pos[0] if len(pos) == 1 else And(pos))
    if neg:
        drop = [comp.node(c, True) for c in neg]
        comp.out.exclude = drop[0] if len(drop) == 1 else AnyOf(tuple(drop))
    comp.out.semantic_text = " ".join(comp.semantic)
    return comp.out
