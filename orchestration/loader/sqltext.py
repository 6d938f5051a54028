"""Quoting helpers: header names and paths come from users' files, so never paste them raw into SQL."""

from __future__ import annotations


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal_list(values: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(literal(v) for v in values) + "]"
