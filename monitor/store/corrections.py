"""Corrections and verdicts as training data for the topic and tone models (`monitor train`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.queue_tables import CaseRow, CorrectionRow, StoryRow
from monitor.store.tables import AnalysisRow, ArticleRow

# Verdicts that confirm the models' labels of a flagged story (the story was about us, and as critical as
# the model said, whether or not the allegation turned out true).
CONFIRMING_VERDICTS = ("verified_true", "verified_false", "partly_true")


def record_correction(
    session: Session,
    *,
    case_id: int,
    story_id: int,
    actor_id: int,
    verdict: str,
    wrong_target: bool,
    topic: str | None,
    tone: str | None,
    now: datetime,
) -> None:
    """Store a collaborator's correction (in the decision's transaction)."""
    session.add(
        CorrectionRow(
            case_id=case_id,
            story_id=story_id,
            actor_id=actor_id,
            verdict=verdict,
            wrong_target=wrong_target,
            topic=topic,
            tone=tone,
            created_at=now,
        )
    )
    session.flush()


@dataclass(frozen=True)
class _Labels:
    topic: str | None
    tone: str | None


def _latest_labels(rows: Iterable[CorrectionRow]) -> dict[int, _Labels]:
    """Per case, the latest correction of each label (`rows` oldest first).

    A one-click correction changes one label: correcting the topic, then the tone, keeps both; correcting
    the tone twice keeps the second. Every correction stays in `corrections` and in the case's events.
    """
    out: dict[int, _Labels] = {}
    for c in rows:
        before = out.get(c.case_id, _Labels(None, None))
        out[c.case_id] = _Labels(c.topic or before.topic, c.tone or before.tone)
    return out


def labelled_examples(session: Session) -> list[dict[str, str]]:
    """{"text", "topic", "tone", "source"} per decided case: corrected labels win over the model's, the
    latest correction of each label over earlier ones (`_latest_labels`).

    The text is the story's first article (title, newline, body), so syndicated copies do not weigh more.
    A case closed only as "wrong target" says nothing about topic or tone and is left out (it is the
    matcher's concern); an `irrelevant` verdict without a correction is left out for the same reason.
    """
    corr = _latest_labels(session.scalars(select(CorrectionRow).order_by(CorrectionRow.id)))
    rows = session.execute(
        select(
            CaseRow.id,
            CaseRow.verdict,
            ArticleRow.title,
            ArticleRow.text,
            AnalysisRow.topic,
            AnalysisRow.tone,
        )
        .join(StoryRow, StoryRow.id == CaseRow.story_id)
        .join(ArticleRow, ArticleRow.id == StoryRow.first_article_id)
        .join(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
        .where(CaseRow.verdict.is_not(None))
        .order_by(CaseRow.id)
    ).all()
    out = []
    for case_id, verdict, title, text, topic, tone in rows:
        c = corr.get(case_id)
        if c is not None and (c.topic or c.tone):
            source = "correction"
            topic, tone = c.topic or topic, c.tone or tone
        elif verdict in CONFIRMING_VERDICTS and c is None:
            source = "verdict"
        else:
            continue
        if topic is None or tone is None:
            continue
        out.append({"text": f"{title}\n{text}", "topic": topic, "tone": tone, "source": source})
    return out
