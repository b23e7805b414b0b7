"""Public portal content: articles (notices, regulations, downloads, FAQ) and the service desks.

An article's files are ``Attachment`` rows with ``record_type = "portal_article"`` and
``record_id`` = the article (app.storage); the public may download them only while the article
is public (app.services.portal).
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Date, Index, Integer, String, Text

from models.base import TimestampMixin

# 平台 / 科技型中小企业 / 全国质量标杆 / 企业电子签章
PROGRAMS = ("platform", "sme", "benchmark", "eseal")
# 通知公告 / 政策法规 / 文件下载 / 常见问题
KINDS = ("notice", "regulation", "download", "faq")
STATUSES = ("draft", "published")


class PortalArticle(TimestampMixin, Model):
    """One piece of public content. A FAQ entry: the title is the question, the body the answer.
    Public when published, its publish date reached and its expiry date (if any) not passed."""

    __tablename__ = "portal_article"
    __table_args__ = (Index("ix_portal_article_listing", "kind", "status", "publish_on"),)
    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    program = Column(String(16), nullable=False, index=True)
    status = Column(String(16), nullable=False, default="draft")
    pinned = Column(Boolean, nullable=False, default=False)
    title_zh = Column(String(200), nullable=False)
    title_en = Column(String(200), nullable=True)
    body_zh = Column(Text, nullable=True)  # sanitised HTML (app.services.portal.sanitize)
    body_en = Column(Text, nullable=True)
    publish_on = Column(Date, nullable=False)  # 发布日期
    expires_on = Column(Date, nullable=True)  # not shown after this day
    doc_number = Column(String(64), nullable=True)  # 文号, e.g. 国科发政〔2017〕115号
    issuer_zh = Column(String(128), nullable=True)  # 发文机关
    issuer_en = Column(String(128), nullable=True)

    def __repr__(self) -> str:
        return self.title_zh


class ServiceDesk(TimestampMixin, Model):
    """A program's service desk (客服): phone, hours, e-mail, the mailing address for papers and,
    for the e-seal service, the bank account remittances go to."""

    __tablename__ = "service_desk"
    id = Column(Integer, primary_key=True)
    program = Column(String(16), nullable=False, unique=True)
    name_zh = Column(String(128), nullable=False)
    name_en = Column(String(128), nullable=True)
    phone = Column(String(64), nullable=True)
    email = Column(String(128), nullable=True)
    hours_zh = Column(String(128), nullable=True)
    hours_en = Column(String(128), nullable=True)
    mail_address_zh = Column(String(255), nullable=True)  # where printed papers are posted
    mail_address_en = Column(String(255), nullable=True)
    mail_recipient = Column(String(128), nullable=True)
    bank_account_name = Column(String(128), nullable=True)
    bank_name = Column(String(128), nullable=True)
    bank_account = Column(String(64), nullable=True)
    note_zh = Column(Text, nullable=True)
    note_en = Column(Text, nullable=True)

    def __repr__(self) -> str:
        return self.name_zh
