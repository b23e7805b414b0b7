"""E-seal service (企业电子签章 / USB-Key): fee schedule, applications, keys on PKCS#11 tokens,
the X.509 certificates issued for them, and the signed certificates Shenbao issues."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from models.base import TimestampMixin, VersionedMixin, utcnow

YUAN = Numeric(12, 2)


class FeeItem(Model):
    """收费标准 as data: first key (includes the first year), annual fee, replacement key."""

    __tablename__ = "eseal_fee_item"
    id = Column(Integer, primary_key=True)
    code = Column(String(24), nullable=False, unique=True)  # first_key | annual_fee | replacement_key
    name = Column(String(64), nullable=False)
    amount = Column(YUAN, nullable=False)
    unit = Column(String(16), nullable=False)  # 元/把, 元/把/年

    def __repr__(self) -> str:
        return self.name


class SealApplication(VersionedMixin, TimestampMixin, Model):
    """企业电子签名/签章服务申请: first application, renewal (年金) or replacement of a key."""

    __tablename__ = "seal_application"
    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id", name="fk_seal_application_enterprise"),
                           nullable=False, index=True)
    applicant_id = Column(Integer, ForeignKey("ab_user.id", name="fk_seal_application_applicant"), nullable=True)
    kind = Column(String(16), nullable=False)  # first | renewal | replacement
    key_id = Column(Integer, ForeignKey("seal_key.id", name="fk_seal_application_key"), nullable=True)
    years = Column(Integer, nullable=False, default=1)
    status = Column(String(24), nullable=False, default="submitted", index=True)
    # 企业数字证书基本信息
    company_name = Column(String(128), nullable=False)
    department = Column(String(64), nullable=False)
    system_user_id = Column(String(64), nullable=False)
    # EMS详细信息
    ems_contact = Column(String(64), nullable=False)
    ems_company = Column(String(128), nullable=False)
    ems_department = Column(String(64), nullable=False)
    ems_address = Column(String(200), nullable=False)
    ems_postcode = Column(String(6), nullable=False)
    ems_phone = Column(String(32), nullable=False)
    ems_email = Column(String(120), nullable=False)
    # 订单信息
    business_department = Column(String(32), nullable=False)
    fee_amount = Column(YUAN, nullable=False)
    submitted_at = Column(DateTime, nullable=False, default=utcnow)
    # Papers received by post: item -> ticked
    papers = Column(JSON, nullable=False, default=dict)
    papers_received_at = Column(DateTime, nullable=True)
    return_reason = Column(Text, nullable=True)
    # 汇款 recorded by the applicant, confirmed by the operator against the bank receipt
    payer_name = Column(String(128), nullable=True)
    paid_amount = Column(YUAN, nullable=True)
    paid_on = Column(Date, nullable=True)
    payment_reference = Column(String(64), nullable=True)
    payer_differs = Column(Boolean, nullable=False, default=False)
    payment_recorded_at = Column(DateTime, nullable=True)
    payment_confirmed_at = Column(DateTime, nullable=True)
    payment_note = Column(Text, nullable=True)
    # 发票
    invoice_title = Column(String(128), nullable=True)
    invoice_statement_id = Column(Integer, ForeignKey("attachment.id", name="fk_seal_application_statement"),
                                  nullable=True)
    invoice_mailing = Column(String(16), nullable=False, default="with_key")  # with_key | separate
    invoice_number = Column(String(32), nullable=True)
    invoice_issued_at = Column(DateTime, nullable=True)
    invoice_tracking = Column(String(32), nullable=True)
    # Production and shipment
    provisioned_at = Column(DateTime, nullable=True)
    ems_tracking = Column(String(32), nullable=True)
    shipped_at = Column(DateTime, nullable=True)

    enterprise = relationship("Enterprise")
    key = relationship("SealKey", foreign_keys=[key_id])

    def __repr__(self) -> str:
        return f"{self.company_name} #{self.id}"


class SealKey(TimestampMixin, Model):
    """A USB-Key: a PKCS#11 token holding a non-extractable key pair, its certificate and seal."""

    __tablename__ = "seal_key"
    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id", name="fk_seal_key_enterprise"),
                           nullable=False, index=True)
    token_label = Column(String(32), nullable=False, unique=True)
    key_ref = Column(String(40), nullable=False)  # CKA_ID, hex
    public_key = Column(LargeBinary, nullable=False)  # SubjectPublicKeyInfo, DER
    seal_image_id = Column(Integer, ForeignKey("attachment.id", name="fk_seal_key_image"), nullable=True)
    status = Column(String(16), nullable=False, default="active", index=True)  # active | overdue | revoked
    paid_until = Column(Date, nullable=False, index=True)
    revoked_at = Column(DateTime, nullable=True)
    revocation_reason = Column(String(32), nullable=True)
    # Reminders already sent for the current paid period: [30, 7, 1]
    reminders_sent = Column(JSON, nullable=False, default=list)

    enterprise = relationship("Enterprise")
    certificates = relationship("KeyCertificate", back_populates="key", order_by="KeyCertificate.id")

    def __repr__(self) -> str:
        return self.token_label


class KeyCertificate(Model):
    """An X.509 certificate issued by the platform's issuing CA for a key."""

    __tablename__ = "key_certificate"
    id = Column(Integer, primary_key=True)
    key_id = Column(Integer, ForeignKey("seal_key.id", name="fk_key_certificate_key"), nullable=False, index=True)
    serial = Column(String(40), nullable=False, unique=True)  # hex
    subject = Column(String(255), nullable=False)
    not_before = Column(DateTime, nullable=False)
    not_after = Column(DateTime, nullable=False)
    der = Column(LargeBinary, nullable=False)
    issued_at = Column(DateTime, nullable=False, default=utcnow)
    revoked_at = Column(DateTime, nullable=True)
    revocation_reason = Column(String(32), nullable=True)

    key = relationship("SealKey", back_populates="certificates")


class CertificateAuthority(Model):
    """The platform CA (root and issuing): keys on a PKCS#11 token, certificates mirrored here."""

    __tablename__ = "certificate_authority"
    id = Column(Integer, primary_key=True)
    role = Column(String(16), nullable=False, unique=True)  # root | issuing
    token_label = Column(String(32), nullable=False)
    key_ref = Column(String(40), nullable=False)
    der = Column(LargeBinary, nullable=False)
    crl_number = Column(Integer, nullable=False, default=0)
    crl_der = Column(LargeBinary, nullable=True)
    crl_issued_at = Column(DateTime, nullable=True)


class CertificateTemplate(TimestampMixin, Model):
    """A certificate an operator issues from a template: body with {placeholders}."""

    __tablename__ = "certificate_template"
    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False, unique=True)
    title = Column(String(64), nullable=False)
    body = Column(Text, nullable=False)
    number_prefix = Column(String(8), nullable=False, default="SB")

    def __repr__(self) -> str:
        return self.name


class IssuedDocument(Model):
    """A certificate Shenbao issued and signed with its HSM key (电子版证书), one row per version."""

    __tablename__ = "issued_document"
    __table_args__ = (UniqueConstraint("number", "version", name="uq_issued_document_version"),
                      UniqueConstraint("task_id", name="uq_issued_document_task"))
    id = Column(Integer, primary_key=True)
    number = Column(String(40), nullable=False, index=True)
    version = Column(Integer, nullable=False)
    kind = Column(String(24), nullable=False)  # sme_certificate | benchmark_result | template
    title = Column(String(128), nullable=False)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id", name="fk_issued_document_enterprise"),
                           nullable=True, index=True)
    holder_name = Column(String(128), nullable=False)
    record_type = Column(String(32), nullable=True)
    record_id = Column(Integer, nullable=True)
    attachment_id = Column(Integer, ForeignKey("attachment.id", name="fk_issued_document_file"), nullable=False)
    sha256 = Column(String(64), nullable=False, index=True)
    status = Column(String(16), nullable=False, default="current")  # current | superseded | revoked
    issued_at = Column(DateTime, nullable=False, default=utcnow)
    issued_by_id = Column(Integer, ForeignKey("ab_user.id", name="fk_issued_document_issuer"), nullable=True)
    superseded_at = Column(DateTime, nullable=True)
    revoked_at = Column(DateTime, nullable=True)
    revoke_reason = Column(Text, nullable=True)
    # The background task that issued this version (app.services.certificate_issuance): unique, so
    # a retried task finds its version instead of issuing another. Null: issued in a request.
    task_id = Column(Integer, ForeignKey("background_task.id", name="fk_issued_document_task"), nullable=True)

    def __repr__(self) -> str:
        return f"{self.number} v{self.version}"


class HandedOutPdf(Model):
    """A PDF Shenbao handed to an enterprise to sign (SME cover, benchmark declaration): a
    signed upload must extend exactly these bytes."""

    __tablename__ = "handed_out_pdf"
    id = Column(Integer, primary_key=True)
    purpose = Column(String(24), nullable=False)  # sme_cover | declaration
    record_id = Column(Integer, nullable=False)
    enterprise_id = Column(Integer, ForeignKey("enterprise.id", name="fk_handed_out_pdf_enterprise"),
                           nullable=False, index=True)
    sha256 = Column(String(64), nullable=False)
    size = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
