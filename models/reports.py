"""Export jobs: a large export (or a zip of PDFs) written off the request thread, watched by its owner."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String

from models.base import utcnow


class ExportJob(Model):
    __tablename__ = "export_job"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", name="fk_export_job_user"), nullable=False, index=True)
    title = Column(String(200), nullable=False)  # the download's file name
    status = Column(String(16), nullable=False, default="queued")  # queued | running | done | failed
    rows_total = Column(Integer, nullable=False, default=0)
    rows_done = Column(Integer, nullable=False, default=0)
    stored_name = Column(String(64), nullable=False, unique=True)
    locale = Column(String(8), nullable=False, default="zh")
    # The background task writing the file (app.tasks); none for rows older than the task queue.
    task_id = Column(Integer, ForeignKey("background_task.id", name="fk_export_job_task"), nullable=True, index=True)
    error = Column(String(500), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    started_at = Column(DateTime, nullable=True)
    finished_at = Column(DateTime, nullable=True)

    @property
    def is_pdf_bundle(self) -> bool:
        """A zip of PDFs (app.reports.bulk_pdf), not an Excel export: told by the stored file's type."""
        return self.stored_name.endswith(".zip")

    @property
    def mimetype(self) -> str:
        return "application/zip" if self.is_pdf_bundle else \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
