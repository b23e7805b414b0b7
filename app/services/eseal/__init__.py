"""The e-seal service's use cases: applications and fees (seal_application), USB-Keys on their
tokens (seal_keys), the platform CA (pki), certificates Shenbao issues (issued_documents) and
their templates (certificate_templates)."""
