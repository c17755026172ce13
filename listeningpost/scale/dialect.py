"""SQLite -> PostgreSQL statement rewriting, so the store's SQL (written for sqlite3) runs unchanged.

Only what the code base uses is translated, token by token (string literals and quoted names are
never touched):

* ``?`` / ``:name`` parameters -> ``$1, $2 ...`` (server-side binding; no ``%`` escaping issues);
  ``? IS NULL`` gets a ``::text`` cast because PostgreSQL cannot type a bare parameter there;
* ``INSERT OR IGNORE`` -> ``ON CONFLICT DO NOTHING``; ``INSERT OR REPLACE`` / ``REPLACE`` ->
  ``ON CONFLICT (primary key) DO UPDATE``; ``RETURNING id`` on tables with an identity ``id`` (so
  ``cursor.lastrowid`` works);
* ``ORDER BY`` terms get SQLite's NULL placement (NULLs first ascending, last descending);
* ``LIKE`` -> ``ILIKE`` (SQLite's LIKE ignores ASCII case); ``==`` -> ``=``; ``WHERE 1`` -> ``WHERE TRUE``;
  ``rowid`` -> the table's INTEGER PRIMARY KEY (tables without one get a hidden ``rowid`` identity);
  null-safe ``a IS b`` / ``a IS NOT b`` -> ``IS [NOT] DISTINCT FROM``;
* ``json_each(?)`` over an array of numbers (id lists) -> ``jsonb_array_elements``;
  ``json_extract(x, '$.a')`` -> ``x::jsonb #>> '{a}'`` (text); ``x [NOT] GLOB 'p'`` -> ``x ~ '^regex$'``;
  ``SUM(condition)`` -> ``SUM((condition)::int)``;
* functions: ``ifnull`` -> ``coalesce``, ``instr`` -> ``strpos``, ``group_concat`` -> ``string_agg``,
  multi-argument ``max/min`` -> ``greatest/least``, ``total`` -> ``coalesce(sum, 0)``,
  ``datetime('now')``, ``CAST(x AS REAL)``;
* DDL: ``INTEGER PRIMARY KEY`` -> identity column; ``INTEGER`` -> ``BIGINT`` (SQLite integers are
  64-bit), ``REAL`` -> ``DOUBLE PRECISION`` (PostgreSQL's REAL is 32-bit), ``BLOB`` -> ``BYTEA``.

FTS5 virtual tables and triggers have no mechanical translation: such a migration ships a
PostgreSQL twin (``listeningpost/scale/pg_migrations/<same name>.sql``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

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

_ORDER_END = {"LIMIT", "OFFSET", "UNION", "EXCEPT", "INTERSECT", "WINDOW", "FETCH", "RETURNING", "ON"}


_CLAUSE_WORDS = {"WHERE", "JOIN", "LEFT", "RIGHT", "INNER", "CROSS", "OUTER", "ON", "GROUP", "ORDER", "LIMIT",
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


def _sig(toks: list[Tok], start: int = 0) -> int:
    """Index of the next significant token (not whitespace/comment) at or after ``start``."""
    i = start
    while i < len(toks) and toks[i].kind in ("ws", "comment"):
        i += 1
    return i


def _match_paren(toks: list[Tok], open_i: int) -> int:
    depth = 0
    for i in range(open_i, len(toks)):
        if toks[i].text == "(":
            depth += 1
        elif toks[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    raise DialectError("unbalanced parentheses")


def _split_args(toks: list[Tok]) -> list[list[Tok]]:
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


def _words(*texts: str) -> list[Tok]:
    out: list[Tok] = []
    for text in texts:
        out.extend(tokenize(text))
    return out


def statement_kind(toks: list[Tok]) -> str:
    i = _sig(toks)
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


# -- rewriting passes -------------------------------------------------------------------------------


def _ddl_types(toks: list[Tok]) -> list[Tok]:
    """Column types inside CREATE TABLE / ALTER TABLE."""
    first = toks[_sig(toks)].up
    if first == "CREATE":
        head = [t.up for t in toks if t.kind == "word"][1:4]
        if "VIRTUAL" in head or "TRIGGER" in head:
            raise DialectError("FTS5 tables and triggers need a PostgreSQL twin migration (listeningpost/scale/pg_migrations/)")
        if "TABLE" not in head:
            return toks
    elif first != "ALTER":
        return toks
    out: list[Tok] = []
    integer_key = first != "CREATE"
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.up == "INTEGER":
            j = _sig(toks, i + 1)
            k = _sig(toks, j + 1)
            if j < len(toks) and toks[j].up == "PRIMARY" and k < len(toks) and toks[k].up == "KEY":
                integer_key = True
                out.extend(_words("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"))
                i = k + 1
                a = _sig(toks, i)
                if a < len(toks) and toks[a].up == "AUTOINCREMENT":
                    i = a + 1
                continue
            out.append(Tok("word", "BIGINT"))
        elif t.up in ("REAL", "FLOAT", "DOUBLE"):
            out.extend(_words("DOUBLE PRECISION"))
            j = _sig(toks, i + 1)
            if t.up == "DOUBLE" and j < len(toks) and toks[j].up == "PRECISION":
                i = j
        elif t.up == "BLOB":
            out.append(Tok("word", "BYTEA"))
        elif t.up in ("AUTOINCREMENT", "STRICT"):
            pass
        elif t.up == "WITHOUT":
            j = _sig(toks, i + 1)
            if j < len(toks) and toks[j].up == "ROWID":
                i = j
        else:
            out.append(t)
        i += 1
    if not integer_key:
        # SQLite gives every table a rowid; code that uses it on a table without an INTEGER
        # PRIMARY KEY (speakers, settings) gets an identity column of that name
        close = max(k for k, t in enumerate(out) if t.text == ")")
        out[close:close] = _words(",\n    rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE\n")
    return out


def _order_nulls(toks: list[Tok]) -> list[Tok]:
    """Append SQLite's NULL placement to every ORDER BY term that does not state one."""
    out: list[Tok] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        j = _sig(toks, i + 1)
        if t.up == "ORDER" and j < n and toks[j].up == "BY":
            out.extend(toks[i:j + 1])
            i = j + 1
            depth = 0
            term: list[Tok] = []

            def flush() -> None:
                words = [x.up for x in term if x.kind == "word"]
                if term and "NULLS" not in words:
                    last = words[-1] if words else ""
                    out.extend(term)
                    out.extend(_words(" NULLS LAST" if last == "DESC" else " NULLS FIRST"))
                else:
                    out.extend(term)
                term.clear()

            while i < n:
                x = toks[i]
                if x.text == "(":
                    depth += 1
                elif x.text == ")":
                    if depth == 0:
                        break
                    depth -= 1
                elif depth == 0 and (x.text == ";" or x.up in _ORDER_END):
                    break
                if depth == 0 and x.text == ",":
                    # keep trailing whitespace out of the term so the suffix sits next to it
                    flush()
                    out.append(x)
                    i += 1
                    continue
                term.append(x)
                i += 1
            trailing: list[Tok] = []
            while term and term[-1].kind in ("ws", "comment"):
                trailing.insert(0, term.pop())
            flush()
            out.extend(trailing)
            continue
        out.append(t)
        i += 1
    return out


_CONDITION_WORDS = {"IS", "IN", "LIKE", "ILIKE", "BETWEEN", "AND", "OR", "NOT", "EXISTS", "GLOB"}
_CONDITION_OPS = {"=", "==", "<>", "!=", "<", ">", "<=", ">="}


def _rowids(toks: list[Tok], rowid_of: Callable[[str], str] | None) -> list[Tok]:
    """``rowid`` -> the column it stands for: the table's INTEGER PRIMARY KEY, else the hidden
    ``rowid`` identity column the DDL translation adds to tables without one."""
    if not any(t.up in ("ROWID", "_ROWID_", "OID") for t in toks):
        return toks
    table = ""
    for i, t in enumerate(toks):
        if t.up in ("FROM", "UPDATE", "INTO"):
            j = _sig(toks, i + 1)
            if j < len(toks) and toks[j].kind in ("word", "ident"):
                table = toks[j].text.strip('"')
                break
    out = list(toks)
    for i, t in enumerate(toks):
        if t.up not in ("ROWID", "_ROWID_", "OID"):
            continue
        owner = toks[i - 2].text.strip('"') if i >= 2 and toks[i - 1].text == "." else table
        column = rowid_of(owner) if rowid_of and owner else "id"
        if column == "rowid" and rowid_of and table and owner != table:
            column = rowid_of(table)  # owner was an alias of the statement's table
        out[i] = Tok("word", column)
    return out


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


def _functions(toks: list[Tok]) -> list[Tok]:
    out: list[Tok] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        j = _sig(toks, i + 1) if t.kind == "word" else i
        if t.kind == "word" and j < n and toks[j].text == "(":
            name = t.up
            close = _match_paren(toks, j)
            inner = toks[j + 1:close]
            args = [_functions(a) for a in _split_args(inner)]
            if name in ("IFNULL", "INSTR", "MAX", "MIN") and not (name in ("MAX", "MIN") and len(args) < 2):
                new = {"IFNULL": "COALESCE", "INSTR": "STRPOS", "MAX": "GREATEST", "MIN": "LEAST"}[name]
                out.append(Tok("word", new))
                out.append(Tok("op", "("))
                for k, a in enumerate(args):
                    if k:
                        out.append(Tok("op", ","))
                    out.extend(a)
                out.append(Tok("op", ")"))
                i = close + 1
                continue
            if name == "GROUP_CONCAT":
                first = args[0]
                s = _sig(first)
                distinct = s < len(first) and first[s].up == "DISTINCT"
                if distinct:
                    first = first[s + 1:]
                sep = args[1] if len(args) > 1 else [Tok("str", "','")]
                out.extend(_words("STRING_AGG(" + ("DISTINCT " if distinct else "") + "CAST("))
                out.extend(first[_sig(first):])
                out.extend(_words(" AS TEXT), "))
                out.extend(sep[_sig(sep):])
                out.append(Tok("op", ")"))
                i = close + 1
                continue
            if name in ("SUM", "TOTAL", "AVG") and len(args) == 1 and _is_condition(args[0]):
                # SUM(a = b) counts matches in SQLite (booleans are 0/1); PostgreSQL needs the cast
                inner = [Tok("op", "(")] + args[0] + _words(")::int")
                args = [inner]
            if name == "TOTAL" and len(args) == 1:
                out.extend(_words("COALESCE(SUM("))
                out.extend(args[0])
                out.extend(_words("), 0.0)"))
                i = close + 1
                continue
            if name == "DATETIME" and len(args) == 1 and "".join(x.text for x in args[0]).strip().lower() == "'now'":
                out.extend(_words("to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"))
                i = close + 1
                continue
            if name == "JSON_EXTRACT" and len(args) == 2 and _sig(args[1]) < len(args[1]) \
                    and args[1][_sig(args[1])].kind == "str":
                # literal '$.a.b[0]' path -> text at that path (SQLite returns typed values; compare as text)
                path = args[1][_sig(args[1])].text[1:-1]
                keys = [k for k in re.split(r"\.|\[|\]", path.removeprefix("$")) if k]
                out.extend(_words("(CAST("))
                out.extend(args[0][_sig(args[0]):])
                out.extend(_words(" AS jsonb) #>> '{" + ",".join(keys).replace("'", "''") + "}')"))
                i = close + 1
                continue
            if name == "JSON_EACH" and len(args) == 1:
                # arrays of numbers (the id lists the code passes); a string element fails loudly
                out.extend(_words("(SELECT j.ord - 1 AS key, (j.e #>> '{}')::numeric AS value"
                                  " FROM jsonb_array_elements(CAST("))
                out.extend(args[0])
                out.extend(_words(" AS jsonb)) WITH ORDINALITY AS j(e, ord))"))
                a = _sig(toks, close + 1)
                nxt = toks[a] if a < n else None
                if nxt is None or nxt.kind != "word" or nxt.up in _CLAUSE_WORDS:
                    out.extend(_words(" AS json_each"))
                i = close + 1
                continue
            if name == "CAST":
                body = args[0]
                if len(body) >= 2 and body[-1].up == "REAL":
                    body = body[:-1] + _words("DOUBLE PRECISION")
                out.extend(toks[i:j + 1])
                out.extend(body)
                out.append(Tok("op", ")"))
                i = close + 1
                continue
            out.extend(toks[i:j + 1])
            for k, a in enumerate(args):
                if k:
                    out.append(Tok("op", ","))
                out.extend(a)
            out.append(Tok("op", ")"))
            i = close + 1
            continue
        if t.up == "GLOB":
            # x [NOT] GLOB 'pattern' -> x ~ / !~ '^regex$' (case-sensitive, like GLOB)
            negate = False
            k = len(out) - 1
            while k >= 0 and out[k].kind in ("ws", "comment"):
                k -= 1
            if k >= 0 and out[k].up == "NOT":
                negate = True
                del out[k:]
            a = _sig(toks, i + 1)
            if a >= n or toks[a].kind != "str":
                raise DialectError("GLOB needs a literal pattern on PostgreSQL")
            out.append(Tok("op", "!~" if negate else "~"))
            out.append(Tok("ws", " "))
            out.append(Tok("str", _glob_regex(toks[a].text)))
            i = a + 1
            continue
        if t.up == "IS":
            # SQLite's null-safe "a IS b" / "a IS NOT b" (b not NULL/TRUE/FALSE) -> IS [NOT] DISTINCT FROM
            a = _sig(toks, i + 1)
            negate = a < n and toks[a].up == "NOT"
            b = _sig(toks, a + 1) if negate else a
            if b < n and toks[b].up not in ("NULL", "TRUE", "FALSE", "DISTINCT", "UNKNOWN"):
                out.extend(_words("IS DISTINCT FROM" if negate else "IS NOT DISTINCT FROM"))
                i = b
                out.append(Tok("ws", " "))
                continue
            out.append(t)
        elif t.up == "LIKE":
            out.append(Tok("word", "ILIKE"))
        elif t.text == "==":
            out.append(Tok("op", "="))
        else:
            out.append(t)
        i += 1
    return out


# (not WHEN: in "CASE x WHEN 1" the 1 is a value)
_BOOL_BEFORE = {"WHERE", "AND", "OR", "ON", "HAVING", "NOT"}
_BOOL_AFTER = {"AND", "OR", "ORDER", "GROUP", "LIMIT", "OFFSET", "UNION", "EXCEPT", "INTERSECT", "WINDOW",
               "RETURNING", ")", ";"}


def _bool_literals(toks: list[Tok]) -> list[Tok]:
    """``WHERE 1`` / ``AND 0``: SQLite takes integers as conditions, PostgreSQL wants booleans."""
    out = list(toks)
    for i, t in enumerate(toks):
        if t.kind != "num" or t.text not in ("0", "1"):
            continue
        p = i - 1
        while p >= 0 and toks[p].kind in ("ws", "comment"):
            p -= 1
        a = _sig(toks, i + 1)
        before = toks[p].up if p >= 0 else ""
        after = (toks[a].up or toks[a].text) if a < len(toks) else ""
        if before in _BOOL_BEFORE and (after in _BOOL_AFTER or a >= len(toks)):
            out[i] = Tok("word", "TRUE" if t.text == "1" else "FALSE")
    return out


def _insert_conflict(toks: list[Tok], pk_of: Callable[[str], list[str]] | None) -> tuple[list[Tok], str | None, str | None]:
    """Strip ``OR IGNORE`` / ``OR REPLACE``; returns (tokens, conflict clause, table)."""
    i = _sig(toks)
    verb = toks[i].up
    mode = None
    if verb == "REPLACE":
        toks = toks[:i] + [Tok("word", "INSERT")] + toks[i + 1:]
        mode = "REPLACE"
    else:
        j = _sig(toks, i + 1)
        if j < len(toks) and toks[j].up == "OR":
            k = _sig(toks, j + 1)
            mode = toks[k].up
            toks = toks[:i + 1] + toks[k + 1:]
    into = _sig(toks, _sig(toks) + 1)
    tbl_i = _sig(toks, into + 1)
    table = toks[tbl_i].text.strip('"') if tbl_i < len(toks) else None
    if mode is None:
        return toks, None, table
    if mode in ("IGNORE",):
        return toks, " ON CONFLICT DO NOTHING", table
    if mode != "REPLACE":
        raise DialectError(f"INSERT OR {mode} has no PostgreSQL equivalent")
    p = _sig(toks, tbl_i + 1)
    if p >= len(toks) or toks[p].text != "(":
        raise DialectError("INSERT OR REPLACE needs an explicit column list on PostgreSQL")
    cols = ["".join(x.text for x in a).strip() for a in _split_args(toks[p + 1:_match_paren(toks, p)])]
    pk = pk_of(table) if pk_of else []
    if not pk:
        raise DialectError(f"INSERT OR REPLACE into {table}: no primary key known")
    rest = [c for c in cols if c.strip('"').lower() not in {k.lower() for k in pk}]
    if not rest:
        return toks, f" ON CONFLICT ({', '.join(pk)}) DO NOTHING", table
    sets = ", ".join(f"{c}=excluded.{c}" for c in rest)
    return toks, f" ON CONFLICT ({', '.join(pk)}) DO UPDATE SET {sets}", table


def _params(toks: list[Tok]) -> tuple[str, list[str] | None]:
    out: list[str] = []
    names: list[str] = []
    named = None
    n = 0
    for i, t in enumerate(toks):
        if t.kind != "param":
            out.append(t.text)
            continue
        if t.text.startswith("?"):
            if named:
                raise DialectError("mixed ? and :name parameters")
            named = False
            n = int(t.text[1:]) if len(t.text) > 1 else n + 1
        else:
            if named is False:
                raise DialectError("mixed ? and :name parameters")
            named = True
            names.append(t.text[1:])
            n = len(names)
        j = _sig(toks, i + 1)
        cast = "::text" if j < len(toks) and toks[j].up == "IS" and _is_null_test(toks, j) else ""
        out.append(f"${n}{cast}")
    return "".join(out), (names if named else None)


def _is_null_test(toks: list[Tok], is_i: int) -> bool:
    j = _sig(toks, is_i + 1)
    if j < len(toks) and toks[j].up == "NOT":
        j = _sig(toks, j + 1)
    return j < len(toks) and toks[j].up == "NULL"


def translate(
    sql: str,
    pk_of: Callable[[str], list[str]] | None = None,
    has_identity: Callable[[str], bool] | None = None,
    rowid_of: Callable[[str], str] | None = None,
) -> Translated:
    """Translate one SQLite statement. ``pk_of(table)`` and ``has_identity(table)`` read the live
    catalog (for INSERT OR REPLACE and ``lastrowid``)."""
    toks = tokenize(sql.strip().rstrip(";"))
    kind = statement_kind(toks)
    if kind in ("begin", "commit", "rollback", "pragma", "savepoint", "release"):
        return Translated(sql.strip().rstrip(";"), None, kind)
    if kind == "ddl":
        toks = _ddl_types(toks)
    conflict, table = None, None
    if kind == "insert":
        toks, conflict, table = _insert_conflict(toks, pk_of)
    if kind != "ddl":
        toks = _rowids(toks, rowid_of)
    toks = _order_nulls(toks)
    toks = _functions(toks)
    toks = _bool_literals(toks)
    returning_id = False
    if kind == "insert":
        tail = []
        has_returning = any(t.up == "RETURNING" for t in toks)
        if conflict:
            tail.extend(tokenize(conflict))
        if not has_returning and table and has_identity and has_identity(table):
            tail.extend(tokenize(" RETURNING id"))
            returning_id = True
        if tail:
            r = next((k for k, t in enumerate(toks) if t.up == "RETURNING"), len(toks))
            toks = toks[:r] + tail + toks[r:]
    text, names = _params(toks)
    return Translated(text, names, kind, returning_id)
