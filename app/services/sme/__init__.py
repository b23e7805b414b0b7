"""Tech-SME evaluation use cases, one module per family: filling in the tables (``filling``),
the interchange format (``interchange``), decisions through the workflow (``decisions``), and
the spot-check draw and publicity (``publicity``). Callers use this package's names."""
from app.services.sme.decisions import (  # noqa: F401
    BULK_ACTIONS,
    BulkResult,
    bulk,
    issue_certificate,
    next_certificate_number,
    review,
    submit,
    submit_problems,
    withdraw,
)
from app.services.sme.filling import (  # noqa: F401
    EDITABLE,
    add_from_registry,
    create,
    delete_ip_rows,
    evaluation_year,
    list_for,
    own,
    registered_in_mainland,
    save_table,
    self_evaluate,
    upload_cover,
)
from app.services.sme.interchange import export_interchange, import_interchange  # noqa: F401
from app.services.sme.publicity import create_batch, draw_spot_check, publicity_tick  # noqa: F401
