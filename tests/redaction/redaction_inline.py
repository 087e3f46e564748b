"""Parse the eval set's inline annotation format: [[ENTITY_ID|TYPE|IDTYPE|surface]]."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TAG = re.compile(r"\[\[([^|\]]+)\|([^|\]]+)\|([^|\]]+)\|([^\]]+)\]\]")


@dataclass
class Entity:
    entity_id: str
    entity_type: str
    identifier_type: str
    mentions: list[tuple[int, int]] = field(default_factory=list)


def parse(source: str) -> tuple[str, str, list[Entity]]:
    """(lang, plain text, entities) from an annotated file."""
    header, _, body = source.partition("\n\n")
    lang = header.split(":", 1)[1].strip()
    text_parts: list[str] = []
    entities: dict[str, Entity] = {}
    pos = 0
    length = 0
    for m in TAG.finditer(body):
        before = body[pos : m.start()]
        text_parts.append(before)
        length += len(before)
        eid, etype, idtype, surface = m.groups()
        ent = entities.setdefault(eid, Entity(eid, etype, idtype))
        ent.mentions.append((length, length + len(surface)))
        text_parts.append(surface)
        length += len(surface)
        pos = m.end()
    text_parts.append(body[pos:])
    return lang, "".join(text_parts), list(entities.values())
