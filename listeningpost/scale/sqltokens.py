"""SQL tokens for the SQLite -> PostgreSQL rewriting (``listeningpost.scale.dialect``): a token
stream in which string literals and quoted names are single tokens, and the helpers the passes share."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<str>'(?:[^']|'')*')
  | (?P<ident>"(?:[^"]|"")*"|`[^`]*`)
  | (?P<param>\?\d*|[:@][A-Za-z_][A-Za-z0-9_]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<op>::|\|\||<=|>=|<>|!=|==|.)
    """,
    re.S | re.X,
)

ORDER_END = {"LIMIT", "OFFSET", "UNION", "EXCEPT", "INTERSECT", "WINDOW", "FETCH", "RETURNING", "ON"}


CLAUSE_WORDS = {"WHERE", "JOIN", "LEFT", "RIGHT", "INNER", "CROSS", "OUTER", "ON", "GROUP", "ORDER", "LIMIT",
                 "UNION", "EXCEPT", "INTERSECT", "HAVING", "WINDOW", "OFFSET", "USING", "NATURAL", "FULL"}


class DialectError(ValueError):
    """A statement the translator cannot express in PostgreSQL."""


@dataclass
class Tok:
    kind: str
    text: str

    @property
    def up(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


@dataclass
class Translated:
    sql: str
    #: names of the ``:name`` parameters in ``$n`` order (None: positional ``?``)
    names: list[str] | None
    kind: str  # select, insert, update, delete, ddl, begin, commit, rollback, pragma, other
    returning_id: bool = False


def tokenize(sql: str) -> list[Tok]:
    toks = []
    for m in _TOKEN.finditer(sql):
        kind = m.lastgroup or "op"
        text = m.group()
        if kind == "ident" and text.startswith("`"):
            text = '"' + text[1:-1] + '"'
        toks.append(Tok(kind, text))
    return toks


def sig(toks: list[Tok], start: int = 0) -> int:
    """Index of the next significant token (not whitespace/comment) at or after ``start``."""
    i = start
    while i < len(toks) and toks[i].kind in ("ws", "comment"):
        i += 1
    return i


def match_paren(toks: list[Tok], open_i: int) -> int:
    depth = 0
    for i in range(open_i, len(toks)):
        if toks[i].text == "(":
            depth += 1
        elif toks[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    raise DialectError("unbalanced parentheses")


def split_args(toks: list[Tok]) -> list[list[Tok]]:
    args, cur, depth = [], [], 0
    for t in toks:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        if t.text == "," and depth == 0:
            args.append(cur)
            cur = []
        else:
            cur.append(t)
    args.append(cur)
    return args


def tokens_of(*texts: str) -> list[Tok]:
    out: list[Tok] = []
    for text in texts:
        out.extend(tokenize(text))
    return out


def statement_kind(toks: list[Tok]) -> str:
    i = sig(toks)
    first = toks[i].up if i < len(toks) else ""
    if first in ("CREATE", "ALTER", "DROP"):
        return "ddl"
    if first in ("INSERT", "REPLACE"):
        return "insert"
    if first == "WITH":
        # a CTE ahead of the real verb
        for t in toks:
            if t.up in ("INSERT", "UPDATE", "DELETE"):
                return t.up.lower()
        return "select"
    if first in ("SELECT", "VALUES"):
        return "select"
    if first in ("UPDATE", "DELETE", "BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE", "END"):
        return {"END": "commit"}.get(first, first.lower())
    return "other"
