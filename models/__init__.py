"""SQLAlchemy models: one module per program plus the shared ones.

Importing this package registers every table on ``flask_appbuilder.Model.metadata``,
which is what Alembic compares against.
"""
from models.accounts import (  # noqa: F401
    CaptchaChallenge,
    EmailChangeRequest,
    LoginFailure,
    PasswordResetToken,
    ShenbaoUser,
    VerificationCode,
)
from models.attachments import Attachment  # noqa: F401
from models.audit import WorkflowLog  # noqa: F401
from models.benchmark import (  # noqa: F401
    Activity,
    Declaration,
    FilingEconomicYear,
    OrganizationFiling,
    Project,
    RecommendingUnit,
)
from models.enterprise import (  # noqa: F401
    CoreInfoChange,
    Enterprise,
    Shareholder,
    VentureInvestment,
)
from models.notify import OutboxMessage  # noqa: F401
from models.rulesets import RulesetTestChange, RulesetTestRun, SmeRuleset  # noqa: F401
from models.sme import (  # noqa: F401
    CertificateCounter,
    EnterpriseIp,
    PublicityBatch,
    SmeEvaluation,
    SpotCheckDraw,
)
from models.reference import (  # noqa: F401
    Agency,
    BusinessRegistryEntry,
    EconomicType,
    ForeignCapitalSource,
    Industry,
    Region,
    TechField,
    Zone,
)
from models.eseal import (  # noqa: F401
    CertificateAuthority,
    CertificateTemplate,
    FeeItem,
    HandedOutPdf,
    IssuedDocument,
    KeyCertificate,
    SealApplication,
    SealKey,
)
from models.portal import PortalArticle, ServiceDesk  # noqa: F401
from models.reports import ExportJob  # noqa: F401
from models.tasks import BackgroundTask  # noqa: F401
from models.publicity import PublicityObjection  # noqa: F401
from models.messages import InboxMessage, NotificationPreference, NotificationTemplate  # noqa: F401
