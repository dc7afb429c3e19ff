"""Test doubles passed by keyword (``spam_model=``), never monkeypatched in."""

from __future__ import annotations

from commentsvc.reasons import Reason
from commentsvc.spam.base import CommentText, Score, Thresholds


class FixedSpamModel:
    """Scores every comment the same; records what it was asked."""

    usable = True
    version = "fixed-test"
    default_thresholds = Thresholds(hold=0.5, spam=0.9)

    def __init__(self, probability: float = 0.01, reasons: tuple[Reason, ...] = ()) -> None:
        self.probability = probability
        self.reasons = reasons
        self.seen: list[CommentText] = []

    def score(self, comment: CommentText) -> Score:
        self.seen.append(comment)
        return Score(self.probability, self.reasons, self.version)
