"""The one reader of the runbooks' fenced code blocks, and their placeholders filled in.

Two runbooks are run by the tests as written: the operators' docs/runbook.md (an
allocation part, then a credit part) and the credits engineer's seed
docs/sources/credit-reconciliation-runbook.txt.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "docs" / "runbook.md"
CREDIT_RUNBOOK_SEED = ROOT / "docs" / "sources" / "credit-reconciliation-runbook.txt"
# docs/runbook.md's credit part starts at this heading.
CREDIT_PART_HEADING = "\n## Credit reconciliation"
PLACEHOLDER = re.compile(r"<([a-z][a-z-]*)>")


def code_blocks(text: str, language: str = "sql") -> list[str]:
    """The ```<language> blocks of `text`, verbatim, in order."""
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def runbook_part(part: str) -> str:
    """docs/runbook.md's `allocation` part (before the credit heading) or its `credits` part."""
    assert part in ("allocation", "credits"), part
    allocation, credits = RUNBOOK.read_text(encoding="utf-8").split(CREDIT_PART_HEADING, 1)
    return allocation if part == "allocation" else credits


def runbook_sql(part: str = "allocation") -> list[str]:
    """The ```sql blocks of one part of docs/runbook.md, in order."""
    return code_blocks(runbook_part(part))


def seed_blocks(language: str) -> list[str]:
    """The ```<language> blocks of the credit runbook seed, verbatim, in order."""
    return code_blocks(CREDIT_RUNBOOK_SEED.read_text(encoding="utf-8"), language)


def seed_sql_under(heading_word: str) -> str:
    """The one ```sql block that follows the seed's heading containing `heading_word`."""
    text = CREDIT_RUNBOOK_SEED.read_text(encoding="utf-8")
    sections = re.split(r"\n(?=#+ )", text)
    matches = [
        block
        for section in sections
        if heading_word in section.splitlines()[0]
        for block in code_blocks(section)
    ]
    assert len(matches) == 1, f"expected one sql block under a heading with {heading_word!r}"
    return matches[0]


def fill(text: str, **ids: str) -> str:
    """Replace <campaign-id> etc. (keyword campaign_id) and make sure none is left."""
    filled = PLACEHOLDER.sub(lambda m: ids[m.group(1).replace("-", "_")], text)
    assert not PLACEHOLDER.search(filled)
    return filled


def substitute(block: str, variables: dict[str, object]) -> str:
    """psql's :'name' (quoted literal) and :name (as is); a variable the test lacks is an error."""

    def quoted(match: re.Match) -> str:
        return "'" + str(variables[match.group(1)]).replace("'", "''") + "'"

    def plain(match: re.Match) -> str:
        return str(variables[match.group(1)])

    block = re.sub(r"(?<!:):'([a-z_]+)'", quoted, block)
    return re.sub(r"(?<![:\w]):([a-z_]+)\b", plain, block)
