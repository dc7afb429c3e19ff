from datetime import timedelta

import pytest

from commentsvc.models import Ban, ModerationMode, Site, Status, WordList, utcnow
from commentsvc.moderation import pipeline
from commentsvc.moderation.pipeline import Candidate, Context, Refused, moderate
from commentsvc.reasons import describe
from commentsvc.spam.base import CommentText, FailSafeModel
from tests.factories import make_comment, make_site, make_thread
from tests.fakes import FixedSpamModel


def candidate(site, body="Merci pour cet article.", **kw) -> Candidate:
    text = CommentText(
        body=body,
        author=kw.pop("author", "Camille"),
        email=kw.pop("email", "camille@example.fr"),
        website=kw.pop("website", ""),
    )
    return Candidate(site=site, thread=kw.pop("thread", None), text=text, **kw)


def ctx(site, body="Merci pour cet article.", *, model=None, **kw) -> Context:
    return Context(candidate(site, body, **kw), model or FixedSpamModel())


def codes(reasons) -> list[str]:
    return [r.code for r in reasons]


def add_words(db, site, action, *words) -> None:
    db.session.add(WordList(site_id=site.id, name=action, action=action, words=list(words)))
    db.session.commit()


# --- each rule alone -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        ("email", "spammer@example.com", {"email": "Spammer@Example.com"}),
        ("ip", "abc123", {"ip_hash": "abc123"}),
        ("name", "jean dupont", {"author": "Jéan  DUPONT"}),
    ],
)
def test_banned_author_is_rejected(app, db, kind, value, field) -> None:
    site = make_site()
    db.session.add(Ban(site_id=site.id, kind=kind, value=value))
    db.session.commit()
    outcome = pipeline.rule_banned_author(ctx(site, **field))
    assert outcome.status == Status.REJECTED
    assert codes(outcome.reasons) == ["banned_author"]


def test_expired_ban_and_other_sites_ban_do_not_apply(app, db) -> None:
    site, other = make_site(), make_site()
    db.session.add(
        Ban(site_id=site.id, kind="email", value="a@b.fr", expires_at=utcnow() - timedelta(1))
    )
    db.session.add(Ban(site_id=other.id, kind="email", value="a@b.fr"))
    db.session.commit()
    assert pipeline.rule_banned_author(ctx(site, email="a@b.fr")) is None


def test_banned_words_reject_and_suspect_words_hold(app, db) -> None:
    site = make_site()
    add_words(db, site, "reject", "viagra")
    add_words(db, site, "hold", "gratuit")
    banned = pipeline.rule_banned_words(ctx(site, "Du v i @ g r a"))
    assert banned.status == Status.REJECTED
    assert banned.reasons[0].params["words"] == ["viagra"]
    assert pipeline.rule_banned_words(ctx(site, "c'est grâtuit")) is None
    suspect = pipeline.rule_suspect_words(ctx(site, "c'est grâtuit"))
    assert suspect.status == Status.PENDING
    assert pipeline.rule_suspect_words(ctx(site, "quelle ingratitude")) is None


def test_rules_read_bans_and_word_lists_as_rows_not_objects(app, db) -> None:
    site = make_site()
    add_words(db, site, "hold", "gratuit")
    db.session.add(Ban(site_id=site.id, kind="email", value="a@b.fr"))
    db.session.commit()
    site_id = site.id
    db.session.expunge_all()
    site = db.session.get(Site, site_id)
    banned = moderate(candidate(site, "Bonjour", email="a@b.fr"), spam_model=FixedSpamModel())
    assert codes(banned.reasons) == ["banned_author"]
    held = moderate(candidate(site, "c'est gratuit"), spam_model=FixedSpamModel())
    assert codes(held.reasons) == ["suspect_words"]
    # Loading Ban and WordList objects into the session cost more than the rules themselves.
    loaded = {type(obj).__name__ for obj in db.session.identity_map.values()}
    assert loaded <= {"Site"}, loaded


def test_words_in_the_author_name_count(app, db) -> None:
    site = make_site()
    add_words(db, site, "reject", "casino*")
    assert pipeline.rule_banned_words(ctx(site, "bonjour", author="Casinos Royal")) is not None


@pytest.mark.parametrize(("links", "held"), [(0, False), (2, False), (3, True)])
def test_too_many_links_hold(app, links, held) -> None:
    site = make_site(max_links=2)
    body = " ".join(f"voir https://ex{i}.fr/page" for i in range(links))
    outcome = pipeline.rule_links(ctx(site, body))
    assert (outcome is not None) == held
    if held:
        assert outcome.status == Status.PENDING
        assert outcome.reasons[0].params == {"count": 3, "allowed": 2}


@pytest.mark.parametrize(
    ("honeypot", "seconds", "spam"),
    [("", None, False), ("", 10.0, False), ("", 1.5, True), ("http://x", 20.0, True)],
)
def test_bot_traps(app, honeypot, seconds, spam) -> None:
    site = make_site(min_seconds=3)
    outcome = pipeline.rule_bot_traps(ctx(site, honeypot=honeypot, seconds_to_fill=seconds))
    assert (outcome is not None and outcome.status == Status.SPAM) == spam


def test_duplicate_by_same_email_or_ip_is_refused(app) -> None:
    site = make_site()
    thread = make_thread(site)
    make_comment(thread, "Premier  commentaire", author_email="a@b.fr", ip_hash="h1")
    with pytest.raises(Refused) as refused:
        pipeline.rule_duplicate(ctx(site, "premier commentaire", email="A@b.fr"))
    assert refused.value.code == "duplicate"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert "déjà" in str(refused.value.message)
    with pytest.raises(Refused):
        pipeline.rule_duplicate(ctx(site, "Premier commentaire", email="", ip_hash="h1"))
    assert pipeline.rule_duplicate(ctx(site, "Premier commentaire", email="z@b.fr")) is None
    assert pipeline.rule_duplicate(ctx(site, "Autre chose", email="a@b.fr")) is None


def test_old_duplicate_is_allowed(app) -> None:
    site = make_site()
    make_comment(make_thread(site), "Bonjour", author_email="a@b.fr", age=timedelta(hours=2))
    assert pipeline.rule_duplicate(ctx(site, "Bonjour", email="a@b.fr")) is None


@pytest.mark.parametrize(
    ("probability", "status"),
    [(0.1, None), (0.6, Status.PENDING), (0.95, Status.SPAM)],
)
def test_spam_score_in_auto_mode(app, probability, status) -> None:
    site = make_site(mode="auto")
    outcome = pipeline.rule_spam_score(ctx(site, model=FixedSpamModel(probability)))
    assert (outcome.status if outcome else None) == status


def test_site_thresholds_override_the_model_defaults(app) -> None:
    site = make_site(mode="auto", hold_threshold=0.2, spam_threshold=0.3)
    outcome = pipeline.rule_spam_score(ctx(site, model=FixedSpamModel(0.35)))
    assert outcome.status == Status.SPAM


def test_spam_score_is_ignored_outside_auto_mode(app) -> None:
    site = make_site(mode="post")
    assert pipeline.rule_spam_score(ctx(site, model=FixedSpamModel(0.99))) is None


def test_unusable_model_holds_in_auto_mode(app) -> None:
    site = make_site(mode="auto")
    outcome = pipeline.rule_spam_score(ctx(site, model=FailSafeModel("none")))
    assert codes(outcome.reasons) == ["model_unavailable"]


def test_trusted_author(app) -> None:
    site = make_site(trusted_after=2)
    thread = make_thread(site)
    make_comment(thread, "un", author_email="fidele@b.fr")
    assert pipeline.rule_trusted_author(ctx(site, email="fidele@b.fr")) is None
    make_comment(thread, "deux", author_email="fidele@b.fr")
    assert pipeline.rule_trusted_author(ctx(site, email="fidele@b.fr")).status == Status.PUBLISHED
    make_comment(thread, "trois", author_email="fidele@b.fr", status=Status.REJECTED)
    assert pipeline.rule_trusted_author(ctx(site, email="fidele@b.fr")) is None


def test_trusted_rule_off_when_zero(app) -> None:
    site = make_site(trusted_after=0)
    assert pipeline.rule_trusted_author(ctx(site)) is None


def test_mode_pre_holds(app) -> None:
    assert pipeline.rule_mode(ctx(make_site(mode="pre"))).status == Status.PENDING
    assert pipeline.rule_mode(ctx(make_site(mode="post"))) is None


# --- combinations through moderate() -----------------------------------------------------


def test_clean_comment_is_published_with_its_score(app) -> None:
    verdict = moderate(candidate(make_site(mode="auto")), spam_model=FixedSpamModel(0.1))
    assert verdict.status == Status.PUBLISHED
    assert verdict.reasons == ()
    assert verdict.score.probability == 0.1


def test_ban_beats_everything_and_is_silent(app, db) -> None:
    site = make_site(mode="pre")
    db.session.add(Ban(site_id=site.id, kind="email", value="camille@example.fr"))
    db.session.commit()
    verdict = moderate(candidate(site, honeypot="x"), spam_model=FixedSpamModel())
    assert verdict.status == Status.REJECTED
    assert codes(verdict.reasons) == ["banned_author"]


def test_honeypot_escalates_a_held_comment_to_spam_keeping_both_reasons(app) -> None:
    site = make_site(max_links=0)
    verdict = moderate(candidate(site, "https://x.fr", honeypot="y"), spam_model=FixedSpamModel())
    assert verdict.status == Status.SPAM
    assert codes(verdict.reasons) == ["too_many_links", "honeypot"]


def test_several_holds_are_all_explained(app, db) -> None:
    site = make_site(max_links=0)
    add_words(db, site, "hold", "gratuit")
    verdict = moderate(candidate(site, "gratuit https://x.fr"), spam_model=FixedSpamModel())
    assert verdict.status == Status.PENDING
    assert codes(verdict.reasons) == ["suspect_words", "too_many_links"]


def test_trusted_author_skips_pre_moderation_but_not_a_hold(app, db) -> None:
    site = make_site(mode="pre", trusted_after=1)
    make_comment(make_thread(site), "ancien", author_email="camille@example.fr")
    verdict = moderate(candidate(site), spam_model=FixedSpamModel())
    assert verdict.status == Status.PUBLISHED
    assert codes(verdict.reasons) == ["trusted_author"]
    add_words(db, site, "hold", "article")
    assert moderate(candidate(site), spam_model=FixedSpamModel()).status == Status.PENDING


def test_trusted_author_does_not_override_a_spam_score(app) -> None:
    site = make_site(mode="auto", trusted_after=1)
    make_comment(make_thread(site), "ancien", author_email="camille@example.fr")
    assert moderate(candidate(site), spam_model=FixedSpamModel(0.6)).status == Status.PENDING
    assert moderate(candidate(site), spam_model=FixedSpamModel(0.95)).status == Status.SPAM


def test_duplicate_is_refused_before_scoring(app) -> None:
    site = make_site(mode="auto")
    make_comment(make_thread(site), "Merci pour cet article.")
    with pytest.raises(Refused):
        moderate(candidate(site), spam_model=FixedSpamModel(0.1))


def test_pre_mode_holds_clean_comments(app) -> None:
    site = make_site(mode=ModerationMode.PRE)
    verdict = moderate(candidate(site), spam_model=FixedSpamModel(0.01))
    assert (verdict.status, codes(verdict.reasons)) == (Status.PENDING, ["mode_pre"])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_reason_reads_in_both_languages(app, lang) -> None:
    from flask_babel import force_locale

    from commentsvc.reasons import Reason

    samples = [
        Reason("banned_author", {"kind": "email"}),
        Reason("banned_words", {"words": ["viagra"]}),
        Reason("suspect_words", {"words": ["gratuit"]}),
        Reason("too_many_links", {"count": 3, "allowed": 2}),
        Reason("honeypot"),
        Reason("too_fast", {"seconds": 1.2, "minimum": 3}),
        Reason("spam_score", {"score": 0.97}),
        Reason("model_unavailable"),
        Reason("trusted_author", {"published": 3}),
        Reason("mode_pre"),
        Reason("reported", {"count": 3}),
    ]
    with app.test_request_context(), force_locale(lang):
        texts = [describe(r) for r in samples]
    assert all(t and t != r.code for t, r in zip(texts, samples, strict=True))
    if lang == "fr":
        assert "Mots interdits" in texts[1]
        assert "liens" in texts[3]


def test_an_edited_comment_is_not_its_own_duplicate(app) -> None:
    site = make_site()
    stored = make_comment(make_thread(site), "Même texte", author_email="a@b.fr")
    again = candidate(site, "Même texte", email="a@b.fr", comment_id=stored.id)
    assert pipeline.rule_duplicate(Context(again, FixedSpamModel())) is None
