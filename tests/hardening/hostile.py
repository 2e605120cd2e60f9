"""Hostile inputs shared by the hardening tests: names made to break out of every output format.

Ids cannot hold any of this (the format limits them to `[a-z][a-z0-9_-]*`), so the payloads
go where free text is allowed: names, descriptions, tags, data names, flow names, decision
reasons and the model's own metadata.
"""

from __future__ import annotations

from typing import Any

import yaml

#: one payload per way out of an output format
PAYLOADS: dict[str, str] = {
    "html": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "attribute": '" onmouseover="alert(1)" x=\'',
    "cdata": "]]><![CDATA[ -->",
    "comment": "--> <!-- ",
    "mermaid": '"] --> evil["pwned',
    "pipe": "a | b || c",
    "backslash": 'C:\\temp\\new \\l \\n \\" \\',
    "newline": "line one\nline two\r\nline three",
    "guillemets": "<<trust boundary>>",
    "formula": '=HYPERLINK("http://evil.example","click")',
    "at": "@SUM(1+1)",
    "plus": "+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "markdown": "**bold** [link](javascript:alert(1)) `code` # heading _x_",
    "braces": "{record|<port> field} %s %n ${x} {{ jinja }}",
    "path": "../../etc/passwd",
    "unicode": "caf\u00e9 \u202etxt.exe \u200b \U0001f512 \u0000".replace("\u0000", ""),
    "amp": "&amp; &lt; & &#x41;",
}

#: markup that must never appear unescaped in a markup output (as text it is fine)
MARKUP_BREAKERS = ("<script", "<img")


def hostile_model(payloads: dict[str, str] = PAYLOADS) -> dict[str, Any]:
    """A valid model whose every free-text field carries a payload (or a plain stand-in)."""
    p = payloads
    return {
        "trustmap": 1,
        "name": p["html"] + " " + p["formula"],
        "description": p["markdown"] + "\n" + p["newline"],
        "owner": p["at"],
        "region": p["path"],
        "data": {
            "pii": {
                "name": p["cdata"],
                "classification": "restricted",
                "regulations": ["gdpr"],
                "description": p["comment"],
            },
        },
        "boundaries": {
            "internet": {"kind": "internet", "name": p["guillemets"]},
            "acct": {"kind": "account", "name": p["attribute"], "description": p["braces"]},
            "vpc": {"kind": "vpc", "parent": "acct", "name": p["mermaid"]},
            "pub": {"kind": "subnet", "parent": "vpc", "public": True, "name": p["pipe"]},
            "priv": {"kind": "subnet", "parent": "vpc", "name": p["backslash"]},
        },
        "components": {
            "user": {"service": "actor", "boundary": "internet", "name": p["formula"]},
            "lb": {"service": "elb", "boundary": "pub", "name": p["html"], "description": p["attribute"]},
            "web": {
                "service": "ec2",
                "boundary": "priv",
                "name": p["newline"],
                "description": p["cdata"],
                "tags": {p["pipe"]: p["at"], "owner": p["plus"], p["html"]: p["minus"]},
            },
            "db": {"service": "rds", "boundary": "priv", "name": p["mermaid"], "stores": ["pii"]},
            "bucket": {"service": "s3", "boundary": "acct", "name": p["markdown"], "stores": ["pii"]},
            "partner": {"service": "external-system", "name": p["path"], "description": p["tab"]},
            "fn": {"service": "lambda", "boundary": "acct", "name": p["braces"]},
            "queue": {"service": "sqs", "boundary": "acct", "name": p["unicode"] + p["amp"]},
        },
        "flows": [
            {"from": "user", "to": "lb", "protocol": "https", "name": p["at"], "data": ["pii"]},
            {
                "from": "lb",
                "to": "web",
                "protocol": "http",
                "name": p["guillemets"],
                "description": p["comment"],
            },
            {"from": "web", "to": "db", "protocol": "postgres", "id": "web-db-1", "name": p["mermaid"]},
            {"from": "web", "to": "db", "protocol": "postgres", "id": "web-db-2", "name": p["pipe"]},
            {"from": "web", "to": "bucket", "protocol": "https", "name": p["backslash"], "data": ["pii"]},
            {"from": "fn", "to": "partner", "protocol": "http", "name": p["formula"], "data": ["pii"]},
            {"from": "fn", "to": "queue", "protocol": "aws-api", "name": p["newline"]},
            {"from": "queue", "to": "fn", "protocol": "aws-api", "name": p["tab"] + p["plus"]},
        ],
        "accepted": [
            {
                "finding": "lb->web/*",
                "status": "accepted",
                "reason": p["html"] + " " + p["markdown"],
                "owner": p["formula"],
                "ticket": p["mermaid"],
            },
        ],
    }


def hostile_yaml() -> str:
    return yaml.safe_dump(hostile_model(), sort_keys=False, allow_unicode=True)
