"""GBNF grammars for plans: a model decoding under one can only write the selected tools, with the
right number of arguments, literals of the right types, ``$N`` references to *earlier* steps,
optional ``Thought:`` lines and a final ``join()``, with steps numbered 1, 2, 3... in order.

Step ``k`` has its own rules (one per position, up to :data:`MAX_STEPS`), so its references can
only name steps ``1..k-1``. Strings cannot smuggle a reference in: a string is never a whole
``"$N"`` and never contains ``${``; a bare ``$5`` inside prose ("costs $5") is fine. Nor can a
string or thought contain ``<END_OF_PLAN>`` (``<`` is never followed by ``E``), where decoding stops. Strings hold
at most :data:`MAX_STRING` characters (``Thought:`` lines too) and lists :data:`MAX_ITEMS` items,
so a model that starts repeating itself has to move on instead of running to the token limit.

llama.cpp (server ``grammar`` field, ``LlamaGrammar.from_string``) reads the format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .plan import split_union
from .plugins.tools import Tool

__all__ = ["MAX_ITEMS", "MAX_STEPS", "MAX_STRING", "plan_grammar"]

MAX_STEPS = 24  # calls in one plan; far beyond any request
MAX_STRING = 200  # characters in one string literal or thought (a "$" and the character after it count once)
MAX_ITEMS = 16  # items in one list literal

_BASE = rf"""
ws ::= " "?
hex ::= [0-9a-fA-F]
esc ::= "\\" (["\\/bfnrt] | "u" hex hex hex hex)
chr ::= [^"\\\n$<] | esc
chrnd ::= [^"\\\n$<0-9] | esc
ltx ::= [^"\\\n$<E] | esc
dolx ::= [^"\\\n${{<] | esc
spend ::= "<" ltx | "$" dolx
sp ::= [<$]* spend
lead ::= chr | [<$]+ spend | "<" ltx | "$" ([^"\\\n${{<0-9] | esc) | "$" [0-9]+ (chrnd | sp)
str ::= "\"" (lead (chr | sp){{0,{MAX_STRING - 1}}} [<$]* | [<$]+ | "$" [0-9]+ [<$]+)? "\""
int ::= "-"? [0-9]+
float ::= "-"? [0-9]+ ("." [0-9]+)?
bool ::= "True" | "False"
none ::= "None"
thought ::= "Thought: " ([^\n<] | "<"+ [^\n<E]){{1,{MAX_STRING}}} "\n"
end ::= "join()" "<END_OF_PLAN>"?
""".strip()
_LITERALS = {"str": "str", "int": "int", "float": "float", "bool": "bool", "None": "none"}


def _type_rule(type_text: str, rules: dict[str, str], k: int) -> str:
    """The rule name for a parameter type at step ``k``, adding rules as needed. References to
    steps before ``k`` fit any type."""
    options = []
    for option in (t.strip() for t in split_union(type_text)):
        if option.startswith("list"):
            inner = option[5:-1] if option.startswith("list[") else "str"
            item = _type_rule(inner, rules, k)
            name = f"list-{item}"
            rules[name] = f'"[" ws ({item} ("," ws {item}){{0,{MAX_ITEMS - 1}}})? ws "]"'
            options.append(name)
        else:
            options.append(_LITERALS[option])
    if k > 1:
        options.append(f"ref{k}")
    options = list(dict.fromkeys(options))
    if len(options) == 1:
        return options[0]
    name = "-or-".join(options)
    rules[name] = " | ".join(options)
    return name


def plan_grammar(tools: Sequence[Tool]) -> str:
    """A GBNF grammar for plans over ``tools`` (the request's selection: smaller grammars decode faster)."""
    if not tools:  # nothing selected: the only plan is join()
        return 'root ::= thought? "1. " end\n' + _BASE + "\n"
    rules: dict[str, str] = {}
    lines = ["root ::= thought? s1"]
    for k in range(1, MAX_STEPS + 1):  # step k is numbered k: a call and then step k + 1, or the join
        calls = []
        for tool in tools:
            args = ' "," ws '.join(_type_rule(p.type, rules, k) for p in tool.params)
            name = f"t-{tool.name.replace('_', '-')}{k}"
            rules[name] = f'{json.dumps(tool.name + "(")} {args} ")"' if args else json.dumps(tool.name + "()")
            calls.append(name)
        if k > 1:  # "$1" .. "$(k-1)", plain or braced
            ids = f"ids{k}"
            rules[ids] = " | ".join(f'"{n}"' for n in range(k - 1, 0, -1))
            rules[f"ref{k}"] = f'"\\"$" {ids} "\\"" | "\\"${{" {ids} "}}\\""'
        after = f'(call{k} "\\n" thought? s{k + 1} | end)' if k < MAX_STEPS else "end"
        lines += [f's{k} ::= "{k}. " {after}', f"call{k} ::= " + " | ".join(calls)]
    lines += [f"{name} ::= {body}" for name, body in rules.items()]
    return "\n".join(lines) + "\n" + _BASE + "\n"
