"""The interface every spam model offers, and the fail-safe stand-in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from commentsvc.reasons import Reason


@dataclass(frozen=True)
class CommentText:
    """What the model sees of a comment."""

    body: str
    author: str = ""
    website: str = ""
    email: str = ""
    # The page the comment is posted under (its thread's URL): a link to it is no sign of spam.
    page_url: str = ""


@dataclass(frozen=True)
class Score:
    probability: float  # P(spam)
    reasons: tuple[Reason, ...]  # readable, strongest first
    model_version: str


@dataclass(frozen=True)
class Thresholds:
    hold: float
    spam: float


class SpamModel(Protocol):
    version: str
    usable: bool
    default_thresholds: Thresholds

    def score(self, comment: CommentText) -> Score: ...


class FailSafeModel:
    """Stands in when no usable model could be loaded: every verdict is "hold for review"."""

    usable = False
    version = "fail-safe"
    default_thresholds = Thresholds(hold=0.0, spam=1.01)

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def score(self, comment: CommentText) -> Score:
        return Score(
            probability=1.0,
            reasons=(Reason("model_unavailable", {"problem": self.problem}, 0.0),),
            model_version=self.version,
        )
