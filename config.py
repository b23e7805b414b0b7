"""All settings. Each one can be overridden by an environment variable of the same name."""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("SHENBAO_INSTANCE_DIR", BASE_DIR / "instance"))

_DEV_SECRET = "dev-only-secret-change-me"


def _env(name: str, default):
    """Read ``name`` from the environment, coerced to the type of ``default``."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


# --- runtime mode -----------------------------------------------------------
# "development" (default) or "production". Production refuses to start on the dev secret.
SHENBAO_ENV = _env("SHENBAO_ENV", "development")
SECRET_KEY = _env("SECRET_KEY", _DEV_SECRET)
DEV_SECRET_KEY = _DEV_SECRET

# --- database ---------------------------------------------------------------
SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'shenbao.db'}")
SQLALCHEMY_TRACK_MODIFICATIONS = False


def _json_loads(text):
    # JSON columns (the SME tables, snapshots) are read with orjson: same Python values as the
    # json module, several times faster on large documents (bench/export_xlsx.py).
    import orjson

    return orjson.loads(text)


SQLALCHEMY_ENGINE_OPTIONS = {"json_deserializer": _json_loads}

# --- Flask-AppBuilder -------------------------------------------------------
APP_NAME = _env("APP_NAME", "Shenbao 申报")
APP_THEME = ""
FAB_API_SWAGGER_UI = _env("FAB_API_SWAGGER_UI", True)
# Tables come from migrations only; permissions and roles are written by `flask init`.
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False
FAB_ADD_SECURITY_VIEWS = True
FAB_ADD_SECURITY_API = False
# FAB's /api/v1/menu/ is for FAB's React front end and accepts a cookie session; Shenbao renders
# its menu server-side and its REST APIs are JWT only (docs/security.md V3.5): not registered.
FAB_ADD_MENU_API = False
FAB_PASSWORD_COMPLEXITY_ENABLED = True
AUTH_TYPE = 1  # AUTH_DB
AUTH_USER_REGISTRATION = False  # self-registration is Shenbao's own view (local captcha, SMS)
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
RECAPTCHA_PUBLIC_KEY = ""  # never used: reCAPTCHA is unreachable in mainland China
FAB_ROLES = {}  # filled by app.security.roles at start-up (roles as data)

# --- language ---------------------------------------------------------------
BABEL_DEFAULT_LOCALE = _env("BABEL_DEFAULT_LOCALE", "zh")
BABEL_DEFAULT_TIMEZONE = _env("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "gb", "name": "English"},
}

# --- sessions and security headers -------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", SHENBAO_ENV == "production")
REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
WTF_CSRF_ENABLED = _env("WTF_CSRF_ENABLED", True)
WTF_CSRF_TIME_LIMIT = None
PERMANENT_SESSION_LIFETIME = _env("PERMANENT_SESSION_LIFETIME", 8 * 3600)

# --- behind a reverse proxy -----------------------------------------------------
# true when exactly one proxy (nginx / SLB) in front of gunicorn sets X-Forwarded-For and
# X-Forwarded-Proto: the per-IP login limit then counts the client's address instead of the
# proxy's (one address for everyone: 20 failures anywhere would refuse every login). Never
# true without such a proxy: a client could then choose its own address.
PROXY_FIX = _env("PROXY_FIX", False)

# --- rate limits (login) --------------------------------------------------------
# Failures counted in the database so every app server sees the same numbers.
LOGIN_MAX_FAILURES_PER_ACCOUNT = _env("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
LOGIN_MAX_FAILURES_PER_IP = _env("LOGIN_MAX_FAILURES_PER_IP", 20)
LOGIN_FAILURE_WINDOW_SECONDS = _env("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", True)
RATELIMIT_STORAGE_URI = _env("REDIS_URL", "memory://")
AUTH_RATE_LIMITED = _env("AUTH_RATE_LIMITED", True)
AUTH_RATE_LIMIT = _env("AUTH_RATE_LIMIT", "30 per minute")

# --- verification codes -------------------------------------------------------
SMS_CODE_TTL_SECONDS = _env("SMS_CODE_TTL_SECONDS", 180)
SMS_CODE_RESEND_SECONDS = _env("SMS_CODE_RESEND_SECONDS", 60)
SMS_CODE_MAX_TRIES = _env("SMS_CODE_MAX_TRIES", 5)
SMS_CODE_MAX_PER_DAY = _env("SMS_CODE_MAX_PER_DAY", 10)  # per mobile, all purposes, rolling 24 hours
SMS_SEND_LIMIT_PER_ADDRESS = _env("SMS_SEND_LIMIT_PER_ADDRESS", "10 per hour;30 per day")  # code requests per client address
CAPTCHA_TTL_SECONDS = _env("CAPTCHA_TTL_SECONDS", 300)
# Public lists (公示异议, 异议结果查询, 证书查询): requests per client address.
PUBLIC_OBJECTION_LIMIT_PER_ADDRESS = _env("PUBLIC_OBJECTION_LIMIT_PER_ADDRESS", "5 per hour;20 per day")
PUBLIC_LOOKUP_LIMIT_PER_ADDRESS = _env("PUBLIC_LOOKUP_LIMIT_PER_ADDRESS", "10 per minute;100 per day")
PUBLIC_QUERY_LIMIT_PER_ADDRESS = _env("PUBLIC_QUERY_LIMIT_PER_ADDRESS", "20 per minute;500 per day")
RESET_LINK_TTL_SECONDS = _env("RESET_LINK_TTL_SECONDS", 30 * 60)

# --- notifications ------------------------------------------------------------
# outbox (default: a table the admin can read) | smtp | http
EMAIL_BACKEND = _env("EMAIL_BACKEND", "outbox")
SMS_BACKEND = _env("SMS_BACKEND", "outbox")
SMTP_HOST = _env("SMTP_HOST", "127.0.0.1")
SMTP_PORT = _env("SMTP_PORT", 25)
SMTP_USER = _env("SMTP_USER", "")
SMTP_PASSWORD = _env("SMTP_PASSWORD", "")
SMTP_STARTTLS = _env("SMTP_STARTTLS", False)
MAIL_FROM = _env("MAIL_FROM", "noreply@shenbao.local")
SMS_GATEWAY_URL = _env("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = _env("SMS_GATEWAY_TOKEN", "")
# Domain of the Message-ID (the idempotency key of an e-mail); empty: this host's name.
MAIL_DOMAIN = _env("MAIL_DOMAIN", "")
# Who delivers the outbox (app/notify/delivery.py, docs/deploy.md "Notifications"):
# "thread" (default: a thread in each process, woken after a commit that queued messages),
# "external" (production: `flask --app run worker` delivers; nothing in the web process),
# "inline" (tests: right after the commit, in the committing thread).
NOTIFY_WORKER = _env("NOTIFY_WORKER", "thread")
NOTIFY_POLL_SECONDS = _env("NOTIFY_POLL_SECONDS", 5.0)  # retries and orphaned leases are found by polling
NOTIFY_LEASE_SECONDS = _env("NOTIFY_LEASE_SECONDS", 60.0)  # a claimed message is due again after this
NOTIFY_RETRY_BASE_SECONDS = _env("NOTIFY_RETRY_BASE_SECONDS", 30.0)  # back-off: base * 2^(attempts-1)
NOTIFY_RETRY_MAX_SECONDS = _env("NOTIFY_RETRY_MAX_SECONDS", 3600.0)
NOTIFY_MAX_ATTEMPTS = _env("NOTIFY_MAX_ATTEMPTS", 6)  # then the message is marked failed
# Links in e-mails and SMS (password reset, messages). Embedded default: the address `make run`
# serves on, PORT included (a link to :5000 from an app on :5077 leads nowhere).
PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT') or '5000'}")

# --- attachments --------------------------------------------------------------
# Where stored files live (docs/storage.md): "local" (default: the folder UPLOAD_DIR) or "s3"
# (an S3-compatible bucket, e.g. SeaweedFS, MinIO, OSS/COS/OBS; needed by two or more app servers).
STORAGE_BACKEND = _env("STORAGE_BACKEND", "local")
UPLOAD_DIR = _env("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
# S3: endpoint (empty: AWS), bucket (private: downloads go through the app), key pair, region,
# and an optional key prefix (one bucket shared by several instances).
S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL", "")
S3_BUCKET = _env("S3_BUCKET", "")
S3_ACCESS_KEY = _env("S3_ACCESS_KEY", "")
S3_SECRET_KEY = _env("S3_SECRET_KEY", "")
S3_REGION = _env("S3_REGION", "us-east-1")
S3_PREFIX = _env("S3_PREFIX", "")
# Compiled templates kept on disk: a new gunicorn worker loads them instead of compiling
# FAB's and Shenbao's templates again (Jinja checks each source's checksum). Empty: off.
JINJA_BYTECODE_DIR = _env("JINJA_BYTECODE_DIR", str(INSTANCE_DIR / "jinja-cache"))
UPLOAD_MAX_BYTES = _env("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
MAX_CONTENT_LENGTH = _env("MAX_CONTENT_LENGTH", 60 * 1024 * 1024)
# Files under UPLOAD_DIR that no attachment row names (a process killed between writing the
# file and committing its row) and left-over ".part" files are removed once this old.
UPLOAD_ORPHAN_GRACE_SECONDS = _env("UPLOAD_ORPHAN_GRACE_SECONDS", 3600)

# --- business registry provider ("table" or a dotted path to a provider class) ---
BUSINESS_REGISTRY_PROVIDER = _env("BUSINESS_REGISTRY_PROVIDER", "table")

# --- e-seal service and PKI (PKCS#11) ---------------------------------------------
# Any PKCS#11 module: SoftHSM2 by default (tokens under instance/tokens), or a real HSM's.
PKCS11_MODULE = _env("PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
# SoftHSM reads its configuration from SOFTHSM2_CONF; unset, Shenbao writes one under instance/.
SOFTHSM2_CONF = _env("SOFTHSM2_CONF", str(INSTANCE_DIR / "softhsm2.conf"))
CA_TOKEN_LABEL = _env("CA_TOKEN_LABEL", "Shenbao CA")
CA_TOKEN_PIN = _env("CA_TOKEN_PIN", "shenbao-ca-pin")  # production: set from a secret store
CA_TOKEN_SO_PIN = _env("CA_TOKEN_SO_PIN", "shenbao-ca-so-pin")
CA_NAME = _env("CA_NAME", "Shenbao 申报平台")
CRL_VALIDITY_DAYS = _env("CRL_VALIDITY_DAYS", 7)
# OCSP answers (at /ocsp, signed by the issuing CA) hold for this long (nextUpdate); the
# responder signs a fresh one per request, so a revocation shows in the next answer.
OCSP_VALIDITY_HOURS = _env("OCSP_VALIDITY_HOURS", 24)
OCSP_LIMIT_PER_ADDRESS = _env("OCSP_LIMIT_PER_ADDRESS", "600 per minute")  # each answer is a token signature
# Time-stamp authority (POST /tsa): answers per client address (each is a signature on the CA
# token); document timestamps are renewed this many days before their TSA certificate expires.
TSA_LIMIT_PER_ADDRESS = _env("TSA_LIMIT_PER_ADDRESS", "600 per minute")
TSA_RENEW_DAYS = _env("TSA_RENEW_DAYS", 180)
# 三、汇款: the account remittances go to (shown to applicants).
ESEAL_BANK_ACCOUNT_NAME = _env("ESEAL_BANK_ACCOUNT_NAME", "北京中认环宇信息安全技术有限公司")
ESEAL_BANK_NAME = _env("ESEAL_BANK_NAME", "北京银行总部基地支行")
ESEAL_BANK_ACCOUNT = _env("ESEAL_BANK_ACCOUNT", "0109 0849 3001 2010 5159 790")
# An overdue key whose fee stays unpaid this many days after its paid period is suspended (its
# certificate put on hold); a renewal reinstates it.
ESEAL_SUSPEND_AFTER_DAYS = _env("ESEAL_SUSPEND_AFTER_DAYS", 30)
# The local signing agent (signer/, shenbao-signer): the port Shenbao's pages look for it on the
# enterprise's computer (its default), and the source served as a pip-installable archive
# (empty: signer/ beside app/).
SIGNER_AGENT_PORT = _env("SIGNER_AGENT_PORT", 47311)
SIGNER_SOURCE_DIR = _env("SIGNER_SOURCE_DIR", "")

# --- reports (Excel export and import) ----------------------------------------------
EXPORT_DIR = _env("EXPORT_DIR", str(INSTANCE_DIR / "exports"))
# Up to this many rows an export downloads at once; more run off the request with progress.
EXPORT_SYNC_MAX_ROWS = _env("EXPORT_SYNC_MAX_ROWS", 5000)
EXPORT_KEEP_HOURS = _env("EXPORT_KEEP_HOURS", 24)
# auto: rustpy-xlsxwriter (Rust) when installed, else XlsxWriter (pure Python); both stream.
EXPORT_XLSX_ENGINE = _env("EXPORT_XLSX_ENGINE", "auto")
# --- background tasks (app/tasks, docs/tasks.md): large exports, the rule-set bench ---------------
# Who runs them: "inline" (default: a thread in each app process, woken after a commit that
# queued a task), "external" (production: `flask --app run worker` or `task-worker` processes),
# "sync" (tests: right after the commit, in the committing thread, through the same queue code).
TASK_WORKER = _env("TASK_WORKER", "inline")
TASK_POLL_SECONDS = _env("TASK_POLL_SECONDS", 2.0)  # retries and tasks of dead workers are found by polling
# A claimed task is taken over when its worker has not reported progress for this long.
TASK_LEASE_SECONDS = _env("TASK_LEASE_SECONDS", 120.0)
TASK_MAX_ATTEMPTS = _env("TASK_MAX_ATTEMPTS", 3)  # then the task is failed, its last error shown
TASK_RETRY_BASE_SECONDS = _env("TASK_RETRY_BASE_SECONDS", 10.0)  # back-off: base * 2^(attempts-1)
TASK_RETRY_MAX_SECONDS = _env("TASK_RETRY_MAX_SECONDS", 600.0)
# Where a task writes its file before keeping it as the result (local to the worker); empty:
# EXPORT_DIR/.scratch.
TASK_SCRATCH_DIR = _env("TASK_SCRATCH_DIR", "")
IMPORT_DIR = _env("IMPORT_DIR", str(INSTANCE_DIR / "imports"))
IMPORT_MAX_BYTES = _env("IMPORT_MAX_BYTES", 50 * 1024 * 1024)

# --- scheduler ------------------------------------------------------------------------
# `flask scheduler` holds a lock (PostgreSQL advisory lock / SQLite lock file); a second one
# started by mistake retries every this many seconds (integer) until the first one stops.
SCHEDULER_LOCK_POLL_SECONDS = _env("SCHEDULER_LOCK_POLL_SECONDS", 5)
