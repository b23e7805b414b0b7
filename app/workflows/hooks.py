"""Hooks the workflow rows name: work of a transition that is not a field assignment. Each
takes the ``Step`` and returns the changed fields for the log (or None). The work lives with
its use case; it is imported when the hook runs because those modules import the workflow
definitions themselves."""
from __future__ import annotations

from app.workflows.registry import hook


@hook("enterprise_apply_draft")
def enterprise_apply_draft(step):
    from app.services.enterprise import apply_submitted_draft

    return apply_submitted_draft(step)


@hook("core_change_snapshot")
def core_change_snapshot(step):
    from app.services.enterprise import snapshot_core_change

    return snapshot_core_change(step)


@hook("core_change_apply")
def core_change_apply(step):
    from app.services.enterprise import apply_core_change

    return apply_core_change(step)


@hook("email_change_apply")
def email_change_apply(step):
    from app.services.email_change import apply_new_email

    return apply_new_email(step)


@hook("sme_snapshot_enterprise")
def sme_snapshot_enterprise(step):
    from app.services.sme.decisions import snapshot_enterprise

    return snapshot_enterprise(step)


@hook("sme_number")
def sme_number(step):
    from app.services.sme.decisions import assign_certificate_number

    return assign_certificate_number(step)


@hook("sme_issue_certificate")
def sme_issue_certificate(step):
    """The signed certificate: a task queued with the number, so it exists iff the number commits."""
    from app.services.certificate_issuance import queue_for_step

    return queue_for_step(step)


@hook("filing_apply_draft")
def filing_apply_draft(step):
    from app.services.filing import apply_filed_draft

    return apply_filed_draft(step)


@hook("filing_open_update")
def filing_open_update(step):
    from app.services.filing import open_update

    return open_update(step)


@hook("declaration_snapshot")
def declaration_snapshot(step):
    from app.services.declaration import freeze_snapshot

    return freeze_snapshot(step)


@hook("declaration_recommender")
def declaration_recommender(step):
    from app.services.declaration import set_recommender

    return set_recommender(step)


@hook("declaration_result_certificate")
def declaration_result_certificate(step):
    from app.services.certificate_issuance import queue_for_step

    return queue_for_step(step)


@hook("seal_papers_ticked")
def seal_papers_ticked(step):
    papers = step.record.papers or {}
    return {"papers": [None, ", ".join(k for k, v in papers.items() if v)]}


@hook("seal_provision_key")
def seal_provision_key(step):
    from app.services.eseal.seal_keys import provision_key

    return provision_key(step)


@hook("seal_renew_key")
def seal_renew_key(step):
    from app.services.eseal.seal_keys import renew_key

    return renew_key(step)


@hook("seal_ship_key")
def seal_ship_key(step):
    from app.services.eseal.seal_keys import ship_key

    return ship_key(step)


@hook("seal_key_hold")
def seal_key_hold(step):
    from app.services.eseal.seal_keys import hold_certificates

    return hold_certificates(step)


@hook("seal_key_release")
def seal_key_release(step):
    from app.services.eseal.seal_keys import release_certificates

    return release_certificates(step)


@hook("seal_key_revoke")
def seal_key_revoke(step):
    from app.services.eseal.seal_keys import revoke_certificates

    return revoke_certificates(step)


@hook("publicity_batch_open_records")
def publicity_batch_open_records(step):
    from app.services.sme.publicity import open_batch_records

    return open_batch_records(step)


@hook("publicity_batch_close_records")
def publicity_batch_close_records(step):
    from app.services.sme.publicity import close_batch_records

    return close_batch_records(step)


@hook("sme_revoke_certificates")
def sme_revoke_certificates(step):
    from app.services.sme.revocation import revoke_certificates

    return revoke_certificates(step)


@hook("activity_results_publicity_end")
def activity_results_publicity_end(step):
    from app.services.benchmark_results import set_publicity_end

    return set_publicity_end(step)


@hook("objection_dismissed")
def objection_dismissed(step):
    from app.services.sme.objections import follow_dismissal

    return follow_dismissal(step)


@hook("objection_upheld")
def objection_upheld(step):
    from app.services.sme.objections import follow_upholding

    return follow_upholding(step)


@hook("ruleset_record_run")
def ruleset_record_run(step):
    """"Tested" names the bench run that justified it (the guard found it)."""
    from app.services.sme.rulesets import finished_run

    run = finished_run(step.record)
    step.record.tested_run_id = run.id
    return {"tested_run_id": [None, run.id]}
