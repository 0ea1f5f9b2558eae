"""Analysis → the reply a coder reviews: plain text and HTML rendered from Jinja2 templates."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from consultant.templating import environment

WRAP_COLUMNS = 72
CPT_NOTICE = (
    "CPT is a registered trademark of the American Medical Association; CPT codes are "
    "quoted here by number only."
)


def reply_context(
    *,
    case_id: int | None,
    requester_name: str,
    requester: str,
    subject: str,
    question_text: str,
    question_date: str,
    analysis: dict[str, Any],
) -> dict[str, Any]:
    """Plain data for templates/replies/reply.*: built from the analysis JSON only."""
    versions = analysis.get("code_sets", {})
    codes = []
    for code in analysis.get("codes", []):
        system = code["system"]
        if code.get("known") is None:
            status = "descriptor not loaded" if system == "CPT" else "not checked"
        elif not code["known"]:
            status = "not found in the code set"
        elif code.get("billable") is False:
            status = "valid, not billable (needs more characters)"
        else:
            status = "valid"
        version = versions.get(system)
        codes.append(
            {
                "code": code["code"],
                "system": system,
                "title": code.get("title") or "",
                "status": status,
                "source": f"{system}, {version}" if version else system,
            }
        )
    findings = [
        {"severity": f.get("severity", "info"), "message": f["message"], "kind": f["kind"]}
        for f in analysis.get("findings", [])
    ]
    suggestions = [
        {
            "for": s["for"],
            "candidates": [
                {"code": c["code"], "system": c.get("system", ""), "title": c.get("title", "")}
                for c in s.get("candidates", [])[:3]
            ],
        }
        for s in analysis.get("suggestions", [])
    ]
    first_name = (requester_name or "").split(" ")[0].strip(",\"'") or "there"
    tag = f" [Case #{case_id}]" if case_id is not None else ""
    base_subject = subject or "your coding question"
    if not base_subject.lower().startswith("re:"):
        base_subject = f"Re: {base_subject}"
    return {
        "subject": base_subject + (tag if tag.strip() not in base_subject else ""),
        "greeting_name": first_name,
        "codes": codes,
        "findings": findings,
        "suggestions": suggestions,
        "has_cpt": any(c["system"] == "CPT" for c in codes),
        "cpt_notice": CPT_NOTICE,
        "sources": [f"{system}: {version}" for system, version in sorted(versions.items())],
        "question_attribution": f"On {question_date}, {requester_name or requester} wrote:",
        "question_lines": (question_text or "").strip().splitlines(),
    }


def reviewer_notes(analysis: dict[str, Any]) -> list[str]:
    """What the system was unsure of, for the coder's eyes only."""
    notes = []
    for code in analysis.get("codes", []):
        if code.get("known") is None and code["system"] != "CPT":
            notes.append(f"{code['code']} ({code['system']}) could not be checked: not loaded.")
    if not analysis.get("codes") and not analysis.get("suggestions"):
        notes.append("No code was found in the question; answer it by hand.")
    return notes


def render_draft(context: dict[str, Any], *, template_dir: Path | None = None) -> dict[str, Any]:
    env = environment(template_dir)
    text = env.get_template("replies/reply.txt.j2").render(**context)
    html = env.get_template("replies/reply.html.j2").render(**context)
    return {"subject": context["subject"], "text": wrap_text(text), "html": html}


def draft_reply(
    context: dict[str, Any], analysis: dict[str, Any], *, template_dir: Path | None = None
) -> dict[str, Any]:
    return render_draft(context, template_dir=template_dir) | {
        "reviewer_notes": reviewer_notes(analysis)
    }


def wrap_text(text: str, width: int = WRAP_COLUMNS) -> str:
    """Wrap prose at `width` columns; quoted lines and table rows stay as they are."""
    out = []
    for line in text.splitlines():
        if len(line) <= width or line.startswith(">") or "|" in line:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        bullet = "- " if line.lstrip().startswith("- ") else ""
        out.extend(
            textwrap.wrap(
                line.strip(),
                width=width,
                initial_indent=indent,
                subsequent_indent=indent + " " * len(bullet),
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out) + "\n"
