"""Guards the workflow rows name: may this transition happen now? Each returns a message for
the user or None. The checks live with their use case; they are imported when a guard runs
because those modules import the workflow definitions themselves."""
from __future__ import annotations

from flask_babel import gettext as _

from app.workflows.registry import guard


@guard("registration_complete")
def registration_complete(enterprise) -> str | None:
    from app.services import enterprise_form as form

    if form.validate(enterprise.draft or {}, for_submit=True):
        return _("Please complete the registration form first.")
    return None


@guard("core_change_complete")
def core_change_complete(change) -> str | None:
    from app.services.enterprise import core_change_problem

    return core_change_problem(change)


@guard("email_change_applicable")
def email_change_applicable(request) -> str | None:
    from app.services.email_change import applicability_problem

    return applicability_problem(request)


@guard("sme_submittable")
def sme_submittable(evaluation) -> str | None:
    from app.services.sme import submit_problems

    problems = submit_problems(evaluation)
    return " ".join(problems) if problems else None


@guard("publicity_started")
def publicity_started(evaluation) -> str | None:
    batch = evaluation.publicity_batch
    if batch is None or batch.status != "open":
        return _("The publicity window has not opened.")
    return None


@guard("publicity_ended")
def publicity_ended(evaluation) -> str | None:
    batch = evaluation.publicity_batch
    if batch is None or batch.status != "closed":
        return _("The publicity window has not ended.")
    return None


@guard("filing_complete")
def filing_complete(filing) -> str | None:
    from app.services.filing import completeness_problem

    return completeness_problem(filing)


@guard("filing_cancellable")
def filing_cancellable(filing) -> str | None:
    if filing.approved_at is not None:
        return _("This organization was filed and approved; declarations use it. Correct the update and file it "
                 "again instead.")
    return None


@guard("declaration_submittable")
def declaration_submittable(declaration) -> str | None:
    from app.services.declaration import submit_problems

    problems = submit_problems(declaration)
    return " ".join(problems) if problems else None


@guard("seal_papers_complete")
def seal_papers_complete(application) -> str | None:
    from app.services.eseal.seal_application import papers_problem

    return papers_problem(application)


@guard("seal_payment_confirmable")
def seal_payment_confirmable(application) -> str | None:
    from app.services.eseal.seal_application import payment_problem

    return payment_problem(application)


@guard("seal_new_key")
def seal_new_key(application) -> str | None:
    return None if application.kind in ("first", "replacement") else _("A renewal keeps its key: use Renew.")


@guard("seal_renewal")
def seal_renewal(application) -> str | None:
    if application.kind != "renewal":
        return _("This application produces a new key: use Produce the key.")
    key = application.key
    if key is None or key.status == "revoked":
        return _("A revoked key cannot be renewed. Apply for a replacement key instead.")
    return None


@guard("seal_shippable")
def seal_shippable(application) -> str | None:
    from app.services.eseal.delivery import shipment_problem

    return shipment_problem(application)


@guard("ruleset_tested")
def ruleset_tested(ruleset) -> str | None:
    """A draft is "tested" only after a finished bench run on this very version of it."""
    from app.services.sme.rulesets import finished_run

    if finished_run(ruleset) is None:
        return _("Run the test bench on this version of the draft first.")
    return None


@guard("ruleset_publishable")
def ruleset_publishable(ruleset) -> str | None:
    """Still a valid set, and no published set claims its first year."""
    from app.services.errors import ServiceError
    from app.services.sme import rulesets

    try:
        rulesets.checked(ruleset.rules, exclude_id=ruleset.id)
    except ServiceError as exc:
        return " ".join([exc.message, *exc.field_errors.values()])
    return None
