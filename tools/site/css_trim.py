"""A style sheet cut down to the rules that can match a page, judged by the classes it uses.

    first, second = used_rules([first, second], classes_of(html))

nbconvert gives each notebook page the whole of JupyterLab's CSS (about 560 kB: its widgets,
menus, dialogs, file browser), of which a page of cells uses a few per cent. A rule is kept when
one of its selectors names only classes that the page has (the classes inside `:not()` need not
be there); rules that name no class (elements, custom properties) are kept; so are @media rules
with a rule kept inside, and @keyframes that a kept rule names. The page has no script that adds
JupyterLab classes later (mkdocs.yml: include_requirejs false). Of the custom properties
(JupyterLab's theme: 90 kB of them, icons as data URIs), only those that a kept rule reads stay.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
NEGATION = re.compile(r":not\((?:[^()]|\([^()]*\))*\)")  # :not(...), one level of nesting
CLASS_ATTRIBUTE = re.compile(r'\sclass="(?P<names>[^"]*)"')
VARIABLE = re.compile(r"var\(\s*(--[\w-]+)")


def classes_of(html: str) -> frozenset[str]:
    return frozenset(name for found in CLASS_ATTRIBUTE.finditer(html) for name in found[1].split())


def selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside :is(...), :not(...))."""
    parts, depth, start = [], 0, 0
    for index, character in enumerate(prelude):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == "," and depth == 0:
            parts.append(prelude[start:index])
            start = index + 1
    return [*parts, prelude[start:]]


def needed_classes(selector: str) -> frozenset[str]:
    return frozenset(CLASS.findall(NEGATION.sub("", selector)))


@dataclass(frozen=True)
class Declaration:
    name: str  # a property, or a custom property (--jp-...)
    text: str  # the whole declaration, as written back
    uses: frozenset[str]  # the custom properties its value reads with var()


@dataclass(frozen=True)
class Rule:
    kind: str  # "style", "media", "keyframes" or "other"
    text: str  # a style rule's selectors; a media rule's "@media ..."; the others' whole text
    needs: tuple = ()  # a style rule: the classes each selector needs; a media rule: its rules
    declarations: tuple[Declaration, ...] = ()
    name: str = ""  # the name of a @keyframes rule


@functools.cache
def parsed(css: str) -> tuple[Rule, ...]:
    """The style sheet's rules (parsed once a build: every notebook page has the same CSS)."""
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return tuple(parsed_rule(rule) for rule in rules)


def parsed_rule(rule) -> Rule:
    import tinycss2

    prelude = tinycss2.serialize(rule.prelude or []).strip()
    if rule.type == "qualified-rule":
        needs = tuple(needed_classes(selector) for selector in selectors(prelude))
        return Rule("style", prelude, needs, declarations(rule.content))
    keyword = getattr(rule, "lower_at_keyword", "")
    if keyword == "media" and rule.content is not None:
        inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
        return Rule("media", f"@media {prelude}", tuple(parsed_rule(each) for each in inner))
    if keyword.endswith("keyframes"):
        return Rule("keyframes", tinycss2.serialize([rule]), name=prelude)
    return Rule("other", tinycss2.serialize([rule]))


def declarations(content) -> tuple[Declaration, ...]:
    import tinycss2

    found = []
    for item in tinycss2.parse_declaration_list(content, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration":
            continue
        value = tinycss2.serialize(item.value).strip()
        important = " !important" if item.important else ""
        uses = frozenset(VARIABLE.findall(value))
        found.append(Declaration(item.name, f"{item.name}:{value}{important}", uses))
    return tuple(found)


def used_rules(sheets: list[str], classes: frozenset[str]) -> list[str]:
    """Each of a page's style sheets with only the rules that can match a page with `classes`,
    and of their custom properties only those that some kept value of any of them reads (one
    sheet may define what another reads: mkdocs-jupyter's theme and JupyterLab's)."""
    kept = [
        [rule for rule in (kept_rule(each, classes) for each in parsed(css)) if rule]
        for css in sheets
    ]
    live = read_properties([rule for rules in kept for rule in rules])
    trimmed = []
    for css, rules in zip(sheets, kept, strict=True):
        text = "".join(written(rule, live) for rule in rules)
        animations = "".join(
            rule.text for rule in parsed(css) if rule.kind == "keyframes" and rule.name in text
        )
        trimmed.append(text + animations)
    return trimmed


def kept_rule(rule: Rule, classes: frozenset[str]) -> Rule | None:
    """The rule, if it can match a page with `classes` (a media rule: with the rules that can)."""
    if rule.kind == "style":
        return rule if any(needs <= classes for needs in rule.needs) else None
    if rule.kind == "media":
        inner = tuple(kept for each in rule.needs if (kept := kept_rule(each, classes)))
        return Rule("media", rule.text, inner) if inner else None
    return None if rule.kind == "keyframes" else rule


def style_rules(rules) -> list[Rule]:
    found = []
    for rule in rules:
        found += style_rules(rule.needs) if rule.kind == "media" else [rule]
    return [rule for rule in found if rule.kind == "style"]


def read_properties(rules: list[Rule]) -> set[str]:
    """The custom properties that the kept rules' values read, directly or through others."""
    every = [each for rule in style_rules(rules) for each in rule.declarations]
    defined: dict[str, set[str]] = {}
    for each in every:
        if each.name.startswith("--"):
            defined.setdefault(each.name, set()).update(each.uses)
    live = set().union(*(each.uses for each in every if not each.name.startswith("--")))
    pending = list(live)
    while pending:
        for used in defined.get(pending.pop(), ()):
            if used not in live:
                live.add(used)
                pending.append(used)
    return live


def written(rule: Rule, live: set[str]) -> str:
    if rule.kind == "media":
        return f"{rule.text}{{{''.join(written(each, live) for each in rule.needs)}}}"
    if rule.kind != "style":
        return rule.text
    kept = [d.text for d in rule.declarations if not d.name.startswith("--") or d.name in live]
    return f"{rule.text}{{{';'.join(kept)}}}" if kept else ""
