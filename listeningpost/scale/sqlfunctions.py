"""SQLite functions and operators in PostgreSQL (one pass of ``listeningpost.scale.dialect``).

Each SQLite function with no same-named PostgreSQL twin has a rewriter below; arguments are
rewritten first (nested calls), everything else is copied token by token. Operators: ``GLOB``,
null-safe ``IS``, ``LIKE`` (case-insensitive in SQLite) and ``==``."""

from __future__ import annotations

import re
from typing import Callable, Optional

from listeningpost.scale.sqltokens import (CLAUSE_WORDS, DialectError, Tok, match_paren, sig, split_args,
                                            tokens_of)

_CONDITION_WORDS = {"IS", "IN", "LIKE", "ILIKE", "BETWEEN", "AND", "OR", "NOT", "EXISTS", "GLOB"}
_CONDITION_OPS = {"=", "==", "<>", "!=", "<", ">", "<=", ">="}
_RENAMED = {"IFNULL": "COALESCE", "INSTR": "STRPOS", "MAX": "GREATEST", "MIN": "LEAST"}

#: (head: the name up to its "(", rewritten args, all tokens, index after the call's ")") ->
#: replacement tokens, or None to copy the call as it is
Rewriter = Callable[[list[Tok], list[list[Tok]], list[Tok], int], Optional[list[Tok]]]


def _call(name: str, args: list[list[Tok]]) -> list[Tok]:
    return _with_args([Tok("word", name), Tok("op", "(")], args)


def _with_args(head: list[Tok], args: list[list[Tok]]) -> list[Tok]:
    out = list(head)
    for k, a in enumerate(args):
        if k:
            out.append(Tok("op", ","))
        out.extend(a)
    return out + [Tok("op", ")")]


def _stripped(arg: list[Tok]) -> list[Tok]:
    return arg[sig(arg):]


def _renamed(name: str) -> Rewriter:
    def rewrite(_head, args, _toks, _after):
        if name in ("MAX", "MIN") and len(args) < 2:  # the aggregate keeps its name
            return None
        return _call(_RENAMED[name], args)
    return rewrite


def _group_concat(_head, args, _toks, _after):
    first = args[0]
    s = sig(first)
    distinct = s < len(first) and first[s].up == "DISTINCT"
    if distinct:
        first = first[s + 1:]
    sep = args[1] if len(args) > 1 else [Tok("str", "','")]
    return (tokens_of("STRING_AGG(" + ("DISTINCT " if distinct else "") + "CAST(") + _stripped(first)
            + tokens_of(" AS TEXT), ") + _stripped(sep) + [Tok("op", ")")])


def _counted(arg: list[Tok]) -> list[Tok]:
    # SUM(a = b) counts matches in SQLite (booleans are 0/1); PostgreSQL needs the cast
    return [Tok("op", "(")] + arg + tokens_of(")::int") if _is_condition(arg) else arg


def _sum(name: str) -> Rewriter:
    def rewrite(head, args, _toks, _after):
        if len(args) != 1:
            return None
        arg = _counted(args[0])
        if name == "TOTAL":
            return tokens_of("COALESCE(SUM(") + arg + tokens_of("), 0.0)")
        return _with_args(head, [arg])
    return rewrite


def _datetime(_head, args, _toks, _after):
    if len(args) == 1 and "".join(x.text for x in args[0]).strip().lower() == "'now'":
        return tokens_of("to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')")
    return None


def _json_extract(_head, args, _toks, _after):
    if len(args) != 2 or sig(args[1]) >= len(args[1]) or args[1][sig(args[1])].kind != "str":
        return None
    # literal '$.a.b[0]' path -> text at that path (SQLite returns typed values; compare as text)
    path = args[1][sig(args[1])].text[1:-1]
    keys = [k for k in re.split(r"\.|\[|\]", path.removeprefix("$")) if k]
    return (tokens_of("(CAST(") + _stripped(args[0])
            + tokens_of(" AS jsonb) #>> '{" + ",".join(keys).replace("'", "''") + "}')"))


def _json_each(_head, args, toks, after):
    if len(args) != 1:
        return None
    # arrays of numbers (the id lists the code passes); a string element fails loudly
    out = (tokens_of("(SELECT j.ord - 1 AS key, (j.e #>> '{}')::numeric AS value FROM jsonb_array_elements(CAST(")
           + args[0] + tokens_of(" AS jsonb)) WITH ORDINALITY AS j(e, ord))"))
    a = sig(toks, after)
    nxt = toks[a] if a < len(toks) else None
    if nxt is None or nxt.kind != "word" or nxt.up in CLAUSE_WORDS:
        out.extend(tokens_of(" AS json_each"))
    return out


def _cast(head, args, _toks, _after):
    body = args[0]
    if len(body) >= 2 and body[-1].up == "REAL":
        body = body[:-1] + tokens_of("DOUBLE PRECISION")
    return head + body + [Tok("op", ")")]


REWRITERS: dict[str, Rewriter] = {
    **{name: _renamed(name) for name in _RENAMED},
    **{name: _sum(name) for name in ("SUM", "TOTAL", "AVG")},
    "GROUP_CONCAT": _group_concat, "DATETIME": _datetime, "JSON_EXTRACT": _json_extract,
    "JSON_EACH": _json_each, "CAST": _cast,
}


def rewrite_functions(toks: list[Tok]) -> list[Tok]:
    out: list[Tok] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        j = sig(toks, i + 1) if t.kind == "word" else i
        if t.kind == "word" and j < n and toks[j].text == "(":
            close = match_paren(toks, j)
            args = [rewrite_functions(a) for a in split_args(toks[j + 1:close])]
            head, rewriter = toks[i:j + 1], REWRITERS.get(t.up)
            new = rewriter(head, args, toks, close + 1) if rewriter else None
            out.extend(new if new is not None else _with_args(head, args))
            i = close + 1
        elif t.up == "GLOB":
            i = _glob(toks, i, out)
        elif t.up == "IS":
            i = _is(toks, i, out)
        else:
            out.append(Tok("word", "ILIKE") if t.up == "LIKE" else Tok("op", "=") if t.text == "==" else t)
            i += 1
    return out


def _glob(toks: list[Tok], i: int, out: list[Tok]) -> int:
    """x [NOT] GLOB 'pattern' -> x ~ / !~ '^regex$' (case-sensitive, like GLOB)."""
    negate = False
    k = len(out) - 1
    while k >= 0 and out[k].kind in ("ws", "comment"):
        k -= 1
    if k >= 0 and out[k].up == "NOT":
        negate = True
        del out[k:]
    a = sig(toks, i + 1)
    if a >= len(toks) or toks[a].kind != "str":
        raise DialectError("GLOB needs a literal pattern on PostgreSQL")
    out.extend([Tok("op", "!~" if negate else "~"), Tok("ws", " "), Tok("str", _glob_regex(toks[a].text))])
    return a + 1


def _is(toks: list[Tok], i: int, out: list[Tok]) -> int:
    """SQLite's null-safe "a IS b" / "a IS NOT b" (b not NULL/TRUE/FALSE) -> IS [NOT] DISTINCT FROM."""
    n = len(toks)
    a = sig(toks, i + 1)
    negate = a < n and toks[a].up == "NOT"
    b = sig(toks, a + 1) if negate else a
    if b < n and toks[b].up not in ("NULL", "TRUE", "FALSE", "DISTINCT", "UNKNOWN"):
        out.extend(tokens_of("IS DISTINCT FROM" if negate else "IS NOT DISTINCT FROM"))
        out.append(Tok("ws", " "))
        return b
    out.append(toks[i])
    return i + 1


def _glob_regex(literal: str) -> str:
    """A quoted GLOB pattern as a quoted, anchored POSIX regular expression."""
    pattern = literal[1:-1].replace("''", "'")
    out, i = ["^"], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                out.append("\\[")
            else:
                body = pattern[i + 1:end]
                out.append("[" + ("^" + body[1:] if body.startswith("^") else body) + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    out.append("$")
    return "'" + "".join(out).replace("'", "''") + "'"


def _is_condition(arg: list[Tok]) -> bool:
    depth = 0
    for t in arg:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif depth == 0 and (t.text in _CONDITION_OPS or t.up in _CONDITION_WORDS):
            return True
    return False
