"""GBNF grammars for plans: a model decoding under one can only write the selected tools, with the
right number of arguments, literals of the right types, ``$N`` references, optional ``Thought:``
lines and a final ``join()``, with steps numbered 1, 2, 3... in order (one rule per position, up to
:data:`MAX_STEPS`). References that must point backwards would need a rule per tool and position;
:func:`tinyagent.plan.validate_step` still checks those.

llama.cpp (server ``grammar`` field, ``LlamaGrammar.from_string``) reads the format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .plan import split_union
from .plugins.tools import Tool

__all__ = ["MAX_STEPS", "plan_grammar"]

MAX_STEPS = 24  # calls in one plan; far beyond any request

_BASE = r"""
ws ::= " "?
num ::= [1-9] [0-9]?
ref ::= "\"$" num "\"" | "\"${" num "}\""
str ::= "\"" ([^"\\\n] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F]))* "\""
int ::= "-"? [0-9]+
float ::= "-"? [0-9]+ ("." [0-9]+)?
bool ::= "True" | "False"
none ::= "None"
thought ::= "Thought: " [^\n]+ "\n"
end ::= "join()" "<END_OF_PLAN>"?
""".strip()


def _type_rule(type_text: str, rules: dict[str, str]) -> str:
    """The rule name for a parameter type, adding list rules as needed. References fit any type."""
    options = []
    for option in (t.strip() for t in split_union(type_text)):
        if option.startswith("list"):
            inner = option[5:-1] if option.startswith("list[") else "str"
            item = _type_rule(inner, rules)
            name = f"list-{item}"
            rules[name] = f'"[" ws ({item} ("," ws {item})*)? ws "]"'
            options.append(name)
        else:
            options.append({"str": "str", "int": "int", "float": "float", "bool": "bool", "None": "none"}[option])
    options.append("ref")
    name = "-or-".join(dict.fromkeys(options))
    if len(options) > 1:
        rules[name] = " | ".join(dict.fromkeys(options))
    return name


def plan_grammar(tools: Sequence[Tool]) -> str:
    """A GBNF grammar for plans over ``tools`` (the request's selection: smaller grammars decode faster)."""
    rules: dict[str, str] = {}
    calls = []
    for tool in tools:
        args = ' "," ws '.join(_type_rule(p.type, rules) for p in tool.params)
        name = f"call-{tool.name.replace('_', '-')}"
        rules[name] = f'{json.dumps(tool.name + "(")} {args} ")"' if args else json.dumps(tool.name + "()")
        calls.append(name)
    if not calls:  # nothing selected: the only plan is join()
        return 'root ::= thought? "1. " end\n' + _BASE + "\n"
    lines = ["root ::= thought? s1", "call ::= " + " | ".join(calls)]
    for k in range(1, MAX_STEPS + 1):  # step k is numbered k: a call and then step k + 1, or the join
        after = f'(call "\\n" thought? s{k + 1} | end)' if k < MAX_STEPS else "end"
        lines.append(f's{k} ::= "{k}. " {after}')
    lines += [f"{name} ::= {body}" for name, body in rules.items()]
    return "\n".join(lines) + "\n" + _BASE + "\n"
