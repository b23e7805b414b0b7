"""Tech-SME rule sets as administered data (评价规则集), and the test bench's runs.

A rule set is a row whose ``rules`` column holds the JSON of a ``rules.sme.Ruleset``
(``rules.sme.ruleset_json``): the rules administrator drafts one, tests it against past
evaluations, and publishes it through the ``sme_ruleset`` workflow. A published row never
changes, so an evaluation that names it (``sme_evaluation.ruleset_id`` + ``ruleset_version``)
can always say which rules scored it.
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from models.base import TimestampMixin, VersionedMixin, utcnow


class SmeRuleset(VersionedMixin, TimestampMixin, Model):
    __tablename__ = "sme_ruleset"
    __table_args__ = (Index("ix_sme_ruleset_status_year", "status", "year"),)
    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)  # first evaluation year it applies to
    status = Column(String(16), nullable=False, default="draft")  # draft | tested | published
    source = Column(String(200), nullable=False)  # the regulation's title
    document_number = Column(String(64), nullable=False, default="")  # 文号
    regulation_text = Column(Text, nullable=True)  # the regulation's text, for the reader
    rules = Column(JSON, nullable=False)  # rules.sme.ruleset_json document
    # The shipped 2017 set: read-only for everyone.
    builtin = Column(Boolean, nullable=False, default=False)
    copied_from_id = Column(Integer, ForeignKey("sme_ruleset.id", name="fk_sme_ruleset_copied_from"), nullable=True)
    created_by_id = Column(Integer, ForeignKey("ab_user.id", name="fk_sme_ruleset_created_by"), nullable=True)
    # The bench run that justified "tested" (it ran on this version of the draft).
    tested_run_id = Column(Integer, nullable=True)
    tested_at = Column(DateTime, nullable=True)
    published_at = Column(DateTime, nullable=True)

    copied_from = relationship("SmeRuleset", remote_side=[id])

    def __repr__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Year and document number, as pages name the set."""
        return f"{self.year} · {self.document_number or self.source}"


class RulesetTestRun(Model):
    """Past evaluations re-scored under a draft and under the sets that scored them."""

    __tablename__ = "ruleset_test_run"
    id = Column(Integer, primary_key=True)
    ruleset_id = Column(Integer, ForeignKey("sme_ruleset.id", name="fk_ruleset_test_run_ruleset"), nullable=False,
                        index=True)
    ruleset_version = Column(Integer, nullable=False)  # the draft's version that was tested
    user_id = Column(Integer, ForeignKey("ab_user.id", name="fk_ruleset_test_run_user"), nullable=False)
    # The chosen past submissions: an evaluation year and/or a province (None = all).
    selection_year = Column(Integer, nullable=True)
    selection_province = Column(String(6), nullable=True)
    status = Column(String(16), nullable=False, default="queued")  # queued | running | done | failed
    total = Column(Integer, nullable=False, default=0)
    done = Column(Integer, nullable=False, default=0)
    summary = Column(JSON, nullable=True)  # counts each way, score histograms before/after
    error = Column(String(500), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    started_at = Column(DateTime, nullable=True)
    finished_at = Column(DateTime, nullable=True)

    ruleset = relationship("SmeRuleset")


class RulesetTestChange(Model):
    """One evaluation whose outcome or points differ under the draft."""

    __tablename__ = "ruleset_test_change"
    id = Column(Integer, primary_key=True)
    run_id = Column(Integer, ForeignKey("ruleset_test_run.id", name="fk_ruleset_test_change_run",
                                        ondelete="CASCADE"), nullable=False, index=True)
    evaluation_id = Column(Integer, ForeignKey("sme_evaluation.id", name="fk_ruleset_test_change_evaluation"),
                           nullable=False)
    enterprise_name = Column(String(200), nullable=False)
    credit_code = Column(String(18), nullable=True)
    province_code = Column(String(6), nullable=True)
    year = Column(Integer, nullable=False)
    old_qualified = Column(Boolean, nullable=True)
    new_qualified = Column(Boolean, nullable=True)
    old_total = Column(Integer, nullable=True)
    new_total = Column(Integer, nullable=True)
    old_points = Column(JSON, nullable=True)  # [indicator 9, 10, 11] or None when not scored
    new_points = Column(JSON, nullable=True)
    old_path = Column(String(16), nullable=True)
    new_path = Column(String(16), nullable=True)
