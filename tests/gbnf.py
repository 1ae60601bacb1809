"""A small GBNF reader and matcher, so tests can ask "does this grammar accept this text?"
without a model. Covers what tinyagent's grammars use: literals, classes, groups, | * + ? {m,n}."""

from __future__ import annotations

import re
from functools import cache

_ESC = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "]": "]", "[": "[", "/": "/", "-": "-", "^": "^"}


class Grammar:
    def __init__(self, text: str):
        self.rules: dict[str, tuple] = {}
        for line in text.splitlines():
            if line.strip():
                name, _, body = line.partition("::=")
                self.rules[name.strip()] = _Parser(body.strip()).parse()

    def accepts(self, text: str, start: str = "root") -> bool:
        @cache
        def match(node: tuple, pos: int) -> frozenset[int]:
            kind = node[0]
            if kind == "lit":
                return frozenset([pos + len(node[1])]) if text.startswith(node[1], pos) else frozenset()
            if kind == "cls":
                if pos >= len(text):
                    return frozenset()
                inside = any(lo <= text[pos] <= hi for lo, hi in node[2])
                return frozenset([pos + 1]) if inside != node[1] else frozenset()
            if kind == "ref":
                return match(self.rules[node[1]], pos)
            if kind == "seq":
                ends = frozenset([pos])
                for item in node[1]:
                    ends = frozenset(e for p in ends for e in match(item, p))
                return ends
            if kind == "alt":
                return frozenset(e for option in node[1] for e in match(option, pos))
            if kind == "rep":  # (node, min, max)
                seen, frontier, count = set(), {pos}, 0
                if node[2] == 0:
                    seen |= frontier
                while frontier and (node[3] is None or count < node[3]):
                    count += 1
                    frontier = {e for p in frontier for e in match(node[1], p)} - seen
                    if count >= node[2]:
                        seen |= frontier
                return frozenset(seen)
            raise ValueError(kind)

        return len(text) in match(self.rules[start], 0)


class _Parser:
    def __init__(self, src: str):
        self.src, self.i = src, 0

    def parse(self) -> tuple:
        node = self.alt()
        assert self.i == len(self.src), f"trailing {self.src[self.i :]!r}"
        return node

    def ws(self) -> None:
        while self.i < len(self.src) and self.src[self.i] == " ":
            self.i += 1

    def alt(self) -> tuple:
        options = [self.seq()]
        while self.peek() == "|":
            self.i += 1
            options.append(self.seq())
        return options[0] if len(options) == 1 else ("alt", tuple(options))

    def peek(self) -> str:
        self.ws()
        return self.src[self.i] if self.i < len(self.src) else ""

    def seq(self) -> tuple:
        items = []
        while self.peek() not in ("", "|", ")"):
            item = self.atom()
            while self.peek() in ("*", "+", "?", "{"):
                op = self.src[self.i]
                if op == "{":  # {m}, {m,} or {m,n}
                    m = re.match(r"\{(\d+)(,(\d*))?\}", self.src[self.i :])
                    assert m, f"cannot read {self.src[self.i :]!r}"
                    self.i += m.end()
                    low = int(m.group(1))
                    high = low if m.group(2) is None else int(m.group(3)) if m.group(3) else None
                    item = ("rep", item, low, high)
                    continue
                self.i += 1
                item = ("rep", item, 1 if op == "+" else 0, 1 if op == "?" else None)
            items.append(item)
        return ("seq", tuple(items))

    def atom(self) -> tuple:
        ch = self.peek()
        if ch == "(":
            self.i += 1
            node = self.alt()
            assert self.peek() == ")"
            self.i += 1
            return node
        if ch == '"':
            self.i += 1
            out = ""
            while self.src[self.i] != '"':
                out += self.char()
            self.i += 1
            return ("lit", out)
        if ch == "[":
            self.i += 1
            negated = self.src[self.i] == "^"
            self.i += negated
            ranges = []
            while self.src[self.i] != "]":
                lo = self.char()
                if self.src[self.i] == "-" and self.src[self.i + 1] != "]":
                    self.i += 1
                    ranges.append((lo, self.char()))
                else:
                    ranges.append((lo, lo))
            self.i += 1
            return ("cls", negated, tuple(ranges))
        m = re.match(r"[a-zA-Z0-9-]+", self.src[self.i :])
        assert m, f"cannot read {self.src[self.i :]!r}"
        self.i += m.end()
        return ("ref", m.group(0))

    def char(self) -> str:
        ch = self.src[self.i]
        if ch == "\\":
            width = {"x": 2, "u": 4, "U": 8}.get(self.src[self.i + 1])
            if width:  # \x41, \u0041, \U00000041
                self.i += 2 + width
                return chr(int(self.src[self.i - width : self.i], 16))
            self.i += 2
            return _ESC[self.src[self.i - 1]]
        self.i += 1
        return ch
