import pytest
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models import AuditEntry, Ban, Comment, Report, Status, Thread
from commentsvc.moderation import actions, by_score, claims, undo
from commentsvc.moderation.actions import Decision
from commentsvc.moderation.audit import Action
from commentsvc.moderation.errors import ModerationError
from tests.factories import make_comment, make_moderator, make_site, make_thread


@pytest.fixture
def setup(app):
    site = make_site("s1", mode="pre")
    other = make_site("s2", origins=["https://autre.example.org"])
    moderator = make_moderator("m@example.org", sites=[site])
    return site, other, moderator


def counts() -> tuple:
    return (
        db.session.scalar(select(func.count(AuditEntry.id))),
        tuple(db.session.scalars(select(Comment.status).order_by(Comment.id))),
    )


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (Action.APPROVE, Status.PUBLISHED),
        (Action.REJECT, Status.REJECTED),
        (Action.SPAM, Status.SPAM),
        (Action.NOT_SPAM, Status.PUBLISHED),
        (Action.DELETE, Status.DELETED),
        (Action.BAN, Status.REJECTED),
    ],
)
def test_each_decision_sets_status_counts_and_audit(setup, action, status) -> None:
    site, _other, moderator = setup
    thread = make_thread(site)
    comment = make_comment(thread, status=Status.PENDING, ip_hash="iphash")
    version = thread.version
    actions.decide(comment.id, Decision(action, comment.revision, "motif"), moderator=moderator)
    db.session.refresh(thread)
    assert comment.status == status
    assert thread.published_count == int(status == Status.PUBLISHED)
    assert thread.version > version
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.status_before, entry.status_after) == (action, "pending", status)
    assert entry.actor == "m@example.org" and entry.reason == "motif"
    assert entry.comment_id == comment.id and entry.site_id == site.id


def test_ban_bans_email_and_ip_and_the_next_comment_is_rejected(setup) -> None:
    from commentsvc.moderation.pipeline import Candidate, moderate
    from commentsvc.spam.base import CommentText
    from tests.fakes import FixedSpamModel

    site, _other, moderator = setup
    comment = make_comment(make_thread(site), status=Status.PENDING, ip_hash="iphash")
    actions.decide(comment.id, Decision(Action.BAN), moderator=moderator)
    kinds = set(db.session.scalars(select(Ban.kind)))
    assert kinds == {"email", "ip"}
    text = CommentText(body="autre chose", author="X", email="camille@example.fr")
    verdict = moderate(Candidate(site, None, text), spam_model=FixedSpamModel())
    assert verdict.status == Status.REJECTED


def test_decision_resolves_open_reports(setup) -> None:
    site, _other, moderator = setup
    comment = make_comment(make_thread(site))
    db.session.add(Report(comment_id=comment.id, reason="spam"))
    db.session.commit()
    actions.decide(comment.id, Decision(Action.APPROVE), moderator=moderator)
    assert db.session.scalar(select(Report.resolved)) is True


def test_other_site_is_403_and_nothing_changes(setup) -> None:
    _site, other, moderator = setup
    comment = make_comment(make_thread(other), status=Status.PENDING)
    before = counts()
    with pytest.raises(ModerationError) as refused:
        actions.decide(comment.id, Decision(Action.APPROVE), moderator=moderator)
    assert refused.value.status == 403
    assert counts() == before


def test_unknown_comment_is_404(setup) -> None:
    with pytest.raises(ModerationError) as refused:
        actions.decide(999, Decision(Action.APPROVE), moderator=setup[2])
    assert refused.value.status == 404


def test_admin_may_act_everywhere(setup) -> None:
    _site, other, _moderator = setup
    admin = make_moderator("a@example.org", is_admin=True)
    comment = make_comment(make_thread(other), status=Status.PENDING)
    actions.decide(comment.id, Decision(Action.APPROVE), moderator=admin)
    assert comment.status == Status.PUBLISHED


def test_stale_decision_is_refused(setup) -> None:
    site, _other, moderator = setup
    second = make_moderator("m2@example.org", sites=[site])
    comment = make_comment(make_thread(site), status=Status.PENDING)
    seen = comment.revision
    actions.decide(comment.id, Decision(Action.APPROVE, seen), moderator=second)
    before = counts()
    with pytest.raises(ModerationError) as refused:
        actions.decide(comment.id, Decision(Action.SPAM, seen), moderator=moderator)
    assert refused.value.status == 409 and refused.value.code == "stale"
    assert counts() == before
    assert db.session.get(Comment, comment.id).status == Status.PUBLISHED


def test_overlong_reason_is_refused(setup) -> None:
    site, _other, moderator = setup
    comment = make_comment(make_thread(site), status=Status.PENDING)
    with pytest.raises(ModerationError) as refused:
        actions.decide(comment.id, Decision(Action.REJECT, None, "x" * 501), moderator=moderator)
    assert refused.value.status == 422


# --- claims ---------------------------------------------------------------------------


def test_claims_show_who_holds_and_expire(setup) -> None:
    from datetime import timedelta

    from commentsvc.models import utcnow

    site, _other, moderator = setup
    second = make_moderator("m2@example.org", sites=[site])
    second.display_name = "Bob"
    db.session.commit()
    comment = make_comment(make_thread(site), status=Status.PENDING)
    mine = claims.claim(comment.id, moderator=second)
    assert mine.mine and mine.holder == "Bob"
    theirs = claims.claim(comment.id, moderator=moderator)
    assert not theirs.mine and theirs.holder == "Bob"
    later = utcnow() + claims.CLAIM_DURATION + timedelta(seconds=1)
    taken = claims.claim(comment.id, moderator=moderator, now=later)
    assert taken.mine
    # A claim is not a change: decisions naming the revision still pass.
    assert db.session.get(Comment, comment.id).revision == comment.revision


def test_claim_on_another_site_is_403(setup) -> None:
    _site, other, moderator = setup
    comment = make_comment(make_thread(other), status=Status.PENDING)
    with pytest.raises(ModerationError) as refused:
        claims.claim(comment.id, moderator=moderator)
    assert refused.value.status == 403


# --- selections -------------------------------------------------------------------------


def test_decide_many(setup) -> None:
    site, _other, moderator = setup
    thread = make_thread(site)
    items = [make_comment(thread, f"c{i}", status=Status.PENDING) for i in range(3)]
    done = actions.decide_many(
        [(c.id, c.revision) for c in items], Action.SPAM, moderator=moderator
    )
    assert done == 3
    assert set(db.session.scalars(select(Comment.status))) == {"spam"}
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 3


@pytest.mark.parametrize("problem", ["other_site", "unknown", "stale", "too_many", "empty"])
def test_decide_many_is_all_or_nothing(setup, problem) -> None:
    site, other, moderator = setup
    thread = make_thread(site)
    items = [make_comment(thread, f"c{i}", status=Status.PENDING) for i in range(2)]
    selection = [(c.id, c.revision) for c in items]
    expected = {"other_site": 403, "unknown": 404, "stale": 409, "too_many": 413, "empty": 422}
    if problem == "other_site":
        foreign = make_comment(make_thread(other), status=Status.PENDING)
        selection.append((foreign.id, foreign.revision))
    elif problem == "unknown":
        selection.append((99999, 0))
    elif problem == "stale":
        selection[1] = (items[1].id, items[1].revision + 7)
    elif problem == "too_many":
        selection = [(i, None) for i in range(1, actions.MAX_SELECTION + 2)]
    else:
        selection = []
    before = counts()
    with pytest.raises(ModerationError) as refused:
        actions.decide_many(selection, Action.APPROVE, moderator=moderator)
    assert refused.value.status == expected[problem]
    assert counts() == before


# --- by score ---------------------------------------------------------------------------


def _scored(thread, scores, status=Status.PENDING):
    return [
        make_comment(thread, f"s{i}", status=status, spam_score=s) for i, s in enumerate(scores)
    ]


def test_by_score_preview_then_run(setup) -> None:
    site, _other, moderator = setup
    thread, elsewhere = make_thread(site), make_thread(site)
    _scored(thread, [0.99, 0.985, 0.5, None])
    _scored(elsewhere, [0.99])
    _scored(thread, [0.99], status=Status.PUBLISHED)
    rule = by_score.ScoreRule(site.id, thread.id, Status.PENDING, 0.98)
    assert by_score.preview(rule, moderator=moderator) == 2
    site_wide = by_score.ScoreRule(site.id, None, Status.PENDING, 0.98)
    assert by_score.preview(site_wide, moderator=moderator) == 3
    assert by_score.run(rule, Action.REJECT, expected=2, moderator=moderator) == 2
    statuses = dict(
        db.session.execute(
            select(Comment.spam_score, Comment.status).where(
                Comment.thread_id == thread.id, Comment.status != "published"
            )
        ).all()
    )
    assert statuses[0.99] == "rejected" and statuses[0.985] == "rejected"
    assert statuses[0.5] == "pending"


def test_by_score_refuses_when_the_count_changed(setup) -> None:
    site, _other, moderator = setup
    thread = make_thread(site)
    _scored(thread, [0.99, 0.99])
    rule = by_score.ScoreRule(site.id, thread.id, Status.PENDING, 0.98)
    before = counts()
    with pytest.raises(ModerationError) as refused:
        by_score.run(rule, Action.SPAM, expected=1, moderator=moderator)
    assert refused.value.status == 409
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"min_score": 1.5}, 422),
        ({"min_score": float("nan")}, 422),
        ({"min_score": 0.9, "max_score": 0.5}, 422),
        ({"thread_id": 99999}, 404),
        ({"site_id": 99999}, 404),
        ({"other_site": True}, 403),
    ],
)
def test_by_score_bad_rules(setup, change, status) -> None:
    site, other, moderator = setup
    thread = make_thread(site)
    values = {
        "site_id": site.id,
        "thread_id": thread.id,
        "status": Status.PENDING,
        "min_score": 0.9,
    }
    if change.pop("other_site", False):
        values["site_id"] = other.id
        values["thread_id"] = None
    values.update(change)
    with pytest.raises(ModerationError) as refused:
        by_score.preview(by_score.ScoreRule(**values), moderator=moderator)
    assert refused.value.status == status


# --- edits and undo -------------------------------------------------------------------


def test_undo_restores_status_and_is_logged(setup) -> None:
    site, _other, moderator = setup
    thread = make_thread(site)
    comment = make_comment(thread, status=Status.PENDING)
    actions.decide(comment.id, Decision(Action.APPROVE), moderator=moderator)
    entry = db.session.scalar(select(AuditEntry))
    undo_entry = undo.undo(entry.id, moderator=moderator)
    assert comment.status == Status.PENDING
    assert db.session.get(Thread, thread.id).published_count == 0
    assert undo_entry.undoes_id == entry.id and undo_entry.action == "undo"
    with pytest.raises(ModerationError) as again:
        undo.undo(entry.id, moderator=moderator)
    assert again.value.status == 409
    with pytest.raises(ModerationError) as undo_of_undo:
        undo.undo(undo_entry.id, moderator=moderator)
    assert undo_of_undo.value.status == 422


def test_undo_of_a_ban_lifts_it(setup) -> None:
    site, _other, moderator = setup
    comment = make_comment(make_thread(site), status=Status.PENDING, ip_hash="h")
    actions.decide(comment.id, Decision(Action.BAN), moderator=moderator)
    entry = db.session.scalar(select(AuditEntry))
    undo.undo(entry.id, moderator=moderator)
    assert db.session.scalar(select(func.count(Ban.id))) == 0
    assert comment.status == Status.PENDING


def test_undo_refused_when_the_comment_moved_on(setup) -> None:
    site, _other, moderator = setup
    comment = make_comment(make_thread(site), status=Status.PENDING)
    actions.decide(comment.id, Decision(Action.APPROVE), moderator=moderator)
    first = db.session.scalar(select(AuditEntry))
    actions.decide(comment.id, Decision(Action.SPAM), moderator=moderator)
    with pytest.raises(ModerationError) as refused:
        undo.undo(first.id, moderator=moderator)
    assert refused.value.status == 409
    assert comment.status == Status.SPAM


def test_edit_is_audited_with_both_texts_and_can_be_undone(setup) -> None:
    site, _other, moderator = setup
    comment = make_comment(make_thread(site), "Appelez le 06 12 34 56 78")
    actions.edit_text(
        comment.id, "Appelez le [numéro retiré]", revision=comment.revision, moderator=moderator
    )
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "edit"
    assert entry.text_before == "Appelez le 06 12 34 56 78"
    assert entry.text_after == "Appelez le [numéro retiré]"
    assert "retiré" in comment.body_html
    undo.undo(entry.id, moderator=moderator)
    assert comment.body_source == "Appelez le 06 12 34 56 78"


def test_undo_of_another_sites_entry_is_403(setup) -> None:
    _site, other, moderator = setup
    admin = make_moderator("a@example.org", is_admin=True)
    comment = make_comment(make_thread(other), status=Status.PENDING)
    actions.decide(comment.id, Decision(Action.APPROVE), moderator=admin)
    entry = db.session.scalar(select(AuditEntry))
    with pytest.raises(ModerationError) as refused:
        undo.undo(entry.id, moderator=moderator)
    assert refused.value.status == 403


def test_decisions_are_the_models_training_labels(setup) -> None:
    from commentsvc.spam.labels import latest_decisions

    site, _other, moderator = setup
    thread = make_thread(site)
    spam, fine, rejected = (make_comment(thread, t, status=Status.PENDING) for t in "abc")
    actions.decide(spam.id, Decision(Action.NOT_SPAM), moderator=moderator)
    actions.decide(spam.id, Decision(Action.SPAM), moderator=moderator)  # the latest counts
    actions.decide(fine.id, Decision(Action.APPROVE), moderator=moderator)
    actions.decide(rejected.id, Decision(Action.REJECT), moderator=moderator)
    assert latest_decisions() == {spam.id: 1, fine.id: 0}
    # An undone decision teaches nothing.
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.comment_id == fine.id, AuditEntry.action == "approve")
    )
    undo.undo(entry.id, moderator=moderator)
    assert latest_decisions() == {spam.id: 1}
