"""The database models. Import them from here."""

from itembank.models.assembly import AssemblyRun, ItemParameters, RunStatus
from itembank.models.audit import AuditEvent, AuditTamperError
from itembank.models.forms import (
    Blueprint,
    BlueprintRow,
    BlueprintSection,
    EnemyPair,
    Form,
    FormEntry,
    FormSection,
    FormStatus,
)
from itembank.models.imports import ImportBatch, ImportEntry
from itembank.models.items import (
    Comment,
    Item,
    ItemClassification,
    ItemVersion,
    Review,
    VersionContributor,
)
from itembank.models.jobs import FINISHED, Job, JobFile, JobStatus
from itembank.models.media import Media, MediaBlob
from itembank.models.notifications import (
    MailPreference,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from itembank.models.passages import (
    Passage,
    PassageComment,
    PassageContributor,
    PassageReview,
    PassageVersion,
)
from itembank.models.results import (
    Administration,
    AdministrationForm,
    CandidateResult,
    ResultImport,
)
from itembank.models.sessions import UserSession
from itembank.models.statistics import Analysis, CalibrationRun, ReviewFlag
from itembank.models.taxonomy import TaxonomyNode, TaxonomyRecord
from itembank.models.tokens import ApiToken, LoginAttempt
from itembank.models.users import Bank, Membership, Role, User

__all__ = [
    "FINISHED",
    "Administration",
    "AdministrationForm",
    "Analysis",
    "ApiToken",
    "AssemblyRun",
    "AuditEvent",
    "AuditTamperError",
    "Bank",
    "Blueprint",
    "BlueprintRow",
    "BlueprintSection",
    "CalibrationRun",
    "CandidateResult",
    "Comment",
    "EnemyPair",
    "Form",
    "FormEntry",
    "FormSection",
    "FormStatus",
    "ImportBatch",
    "ImportEntry",
    "Item",
    "ItemClassification",
    "ItemParameters",
    "ItemVersion",
    "Job",
    "JobFile",
    "JobStatus",
    "LoginAttempt",
    "MailPreference",
    "Media",
    "MediaBlob",
    "Membership",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Passage",
    "PassageComment",
    "PassageContributor",
    "PassageReview",
    "PassageVersion",
    "ResultImport",
    "Review",
    "ReviewFlag",
    "Role",
    "RunStatus",
    "TaxonomyNode",
    "TaxonomyRecord",
    "User",
    "UserSession",
    "VersionContributor",
]
