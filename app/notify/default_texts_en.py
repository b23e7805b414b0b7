"""Default English notification texts (data, see default_texts_zh.py for the layout)."""
from __future__ import annotations

SMS_PREFIX = SUBJECT_PREFIX = "[Shenbao] "
RK = "{{ record_kind }}{% if record_title %} ({{ record_title }}){% endif %}"
CHECK = "Opinion"
RETURN = "Reason for return"
WHY = "Reason"

TEXTS: dict[str, tuple[str, str, str, str]] = {
    "registration_approved": (
        "Your enterprise registration was approved by {{ department }}.",
        "Enterprise registration approved",
        "Your enterprise registration was approved by {{ department }}. Your account is now fully active for the "
        "Tech-based SME evaluation, the quality benchmark and the e-seal service.", CHECK),
    "registration_returned": (
        "Your enterprise registration was returned by {{ department }}. Please correct and resubmit.",
        "Enterprise registration returned",
        "Your enterprise registration was returned by {{ department }}. Please sign in, correct it as the reason "
        "says and submit it again.", RETURN),
    "core_change_approved": (
        "Your core information change was approved; the new information is in force.",
        "Core information change approved",
        "Your " + RK + " was approved by {{ department }}. The new enterprise information is in force from today.", CHECK),
    "core_change_returned": (
        "Your core information change was returned by {{ department }}.",
        "Core information change returned",
        "Your " + RK + " was returned by {{ department }}; the current information stays in force. "
        "To change it, correct the request and submit it again.", RETURN),
    "email_change_approved": (
        "Your e-mail change request was approved; the new address is in use.",
        "E-mail change approved",
        "Your " + RK + " was approved by {{ department }}. E-mail notices now go to the new contact address.", CHECK),
    "email_change_returned": (
        "Your e-mail change request was not approved by {{ department }}.",
        "E-mail change not approved",
        "Your " + RK + " was not approved by {{ department }}; the current contact address stays in use.", WHY),
    "sme_confirmed": (
        "Your Tech-based SME evaluation was confirmed by {{ department }}.",
        "Evaluation confirmed by the evaluation agency",
        "Your " + RK + " was reviewed and confirmed by {{ department }}. Status: {{ status }}. "
        "It will go to the provincial agency next.", CHECK),
    "sme_forwarded": (
        "Your Tech-based SME evaluation was sent to the provincial agency.",
        "Evaluation sent to the provincial agency",
        "Your " + RK + " was sent by {{ department }} to the provincial agency for review. Status: {{ status }}.", CHECK),
    "sme_returned": (
        "Your Tech-based SME evaluation was returned by {{ department }}. Please correct and resubmit.",
        "Evaluation returned",
        "Your " + RK + " was returned by {{ department }}. Please sign in, correct it as the reason says and "
        "submit it again.", RETURN),
    "sme_returned_by_province": (
        "Your Tech-based SME evaluation went back to the evaluation agency for a second review.",
        "Evaluation returned to the evaluation agency",
        "Your " + RK + " was returned by {{ department }} to the evaluation agency for a second review. "
        "Status: {{ status }}. Nothing is needed from you now; the agency will tell you if anything must be added.",
        RETURN),
    "sme_recommended": (
        "Your Tech-based SME evaluation passed the provincial review and is recommended for publicity.",
        "Evaluation passed the provincial review",
        "Your " + RK + " was approved by {{ department }}. Status: {{ status }}. "
        "You will be told when the publicity starts.", CHECK),
    "sme_rejected": (
        "Your Tech-based SME evaluation did not pass; no new submission is possible this year.",
        "Evaluation not passed",
        "Your " + RK + " did not pass the review of {{ department }}. No new evaluation can be submitted this year.",
        WHY),
    "sme_spot_check": (
        "Your Tech-based SME evaluation was drawn for a spot check. Please stay reachable.",
        "Evaluation drawn for a spot check",
        "Your " + RK + " was drawn for a spot check by {{ department }}. Please stay reachable and provide the "
        "supporting documents you are asked for.", CHECK),
    "sme_spot_check_passed": (
        "Your Tech-based SME evaluation passed the spot check.",
        "Spot check passed",
        "Your " + RK + " passed the spot check of {{ department }}. Status: {{ status }}.", CHECK),
    "sme_publicity_started": (
        "Your Tech-based SME evaluation is in publicity from {{ publicity_starts }} to {{ publicity_ends }}.",
        "Publicity started",
        "Your " + RK + " is published for public comment from {{ publicity_starts }} to {{ publicity_ends }}. "
        "The evaluation agency will contact you if an objection is raised.", CHECK),
    "sme_publicity_ended": (
        "The publicity of your Tech-based SME evaluation has ended.",
        "Publicity ended",
        "The publicity of your " + RK + " has ended. Status: {{ status }}.", CHECK),
    "sme_objection_raised": (
        "An objection was raised during the publicity of your evaluation. Please assist the agency.",
        "Objection raised during the publicity",
        "An objection was raised against your " + RK + " during the publicity. {{ department }} will look into "
        "it; please stay reachable and explain the facts when asked.", "Objection"),
    "sme_objection_resolved": (
        "The objection to your Tech-based SME evaluation was resolved. Status: {{ status }}.",
        "Objection resolved",
        "The objection raised against your " + RK + " was resolved by {{ department }}. Status: {{ status }}.",
        "Decision"),
    "sme_stored": (
        "Your enterprise passed the Tech-based SME evaluation and is now in the registry.",
        "Evaluation stored in the registry",
        "Your " + RK + " is stored: your enterprise is now listed as a Tech-based SME. "
        "You will be told its registration number.", CHECK),
    "sme_numbered": (
        "Your Tech-based SME registration number is {{ certificate_number }}.",
        "Registration number assigned",
        "Your " + RK + " received the registration number {{ certificate_number }}.", CHECK),
    "filing_approved": (
        "Your quality benchmark organization filing was approved by {{ department }}.",
        "Organization filing approved",
        "Your " + RK + " was approved by {{ department }}. You may now declare projects in quality benchmark "
        "activities.", CHECK),
    "filing_returned": (
        "Your organization filing was returned by {{ department }}. Please correct and resubmit.",
        "Organization filing returned",
        "Your " + RK + " was returned by {{ department }}. Please sign in, correct it as the reason says and "
        "submit it again.", RETURN),
    "declaration_recommended": (
        "Your quality benchmark declaration was recommended by {{ department }}.",
        "Declaration recommended",
        "Your " + RK + " was recommended by {{ department }}; the China Association for Quality will now review "
        "its qualification.", "Recommendation"),
    "declaration_returned": (
        "Your quality benchmark declaration was returned by {{ department }}. Please correct and resubmit.",
        "Declaration returned",
        "Your " + RK + " was returned by {{ department }}. Please sign in, correct it as the reason says and "
        "submit it again.", RETURN),
    "declaration_qualified": (
        "Your quality benchmark declaration passed the qualification review; you may print it now.",
        "Declaration passed the qualification review",
        "Your " + RK + " passed the qualification review of {{ department }}. You may now sign in and print the "
        "declaration.", CHECK),
    "declaration_rejected": (
        "Your quality benchmark declaration did not pass the qualification review.",
        "Declaration not qualified",
        "Your " + RK + " did not pass the qualification review of {{ department }}.", WHY),
    "declaration_selected": (
        "Congratulations! Your project was selected as a national quality benchmark.",
        "Project selected as a quality benchmark",
        "Congratulations! Your " + RK + " was selected as a national quality benchmark.", "Review opinion"),
    "declaration_not_selected": (
        "Your project was not selected as a national quality benchmark this year.",
        "Project not selected",
        "Your " + RK + " was not selected as a national quality benchmark this year. Thank you for taking part.",
        "Review opinion"),
    "seal_papers_received": (
        "The papers of your e-seal application were received and accepted. Please pay the fee.",
        "Papers received",
        "The papers of your " + RK + " were received and accepted by {{ department }}. Please pay the fee as "
        "instructed and record the remittance on the platform.", CHECK),
    "seal_papers_returned": (
        "The papers of your e-seal application were not accepted. Please correct and send again.",
        "Papers not accepted",
        "The papers of your " + RK + " were not accepted by {{ department }}. Please correct them as the reason "
        "says and send them again.", RETURN),
    "seal_payment_confirmed": (
        "Your e-seal service payment was received; your USB-Key will be produced shortly.",
        "Payment confirmed",
        "The payment for your " + RK + " was confirmed by {{ department }}. Your USB-Key will be produced and "
        "shipped shortly.", CHECK),
    "seal_payment_rejected": (
        "Your e-seal service remittance was not found. Please check and record it again.",
        "Remittance not found",
        "{{ department }} could not find the remittance for your " + RK + ". Please check the details and record "
        "the remittance again.", WHY),
    "seal_key_produced": (
        "Your USB-Key is ready and will be shipped shortly.",
        "USB-Key produced",
        "The USB-Key{% if key_label %} ({{ key_label }}){% endif %} of your " + RK + " is ready and will be "
        "shipped by EMS shortly.", CHECK),
    "seal_key_shipped": (
        "Your USB-Key was shipped by EMS, tracking number {{ ems_tracking }}.",
        "USB-Key shipped",
        "The USB-Key of your " + RK + " was shipped by EMS, tracking number {{ ems_tracking }}. "
        "Please confirm on the platform when it arrives.", CHECK),
    "seal_renewed": (
        "Your e-seal service was renewed until {{ paid_until }}.",
        "E-seal service renewed",
        "The service of your USB-Key{% if key_label %} ({{ key_label }}){% endif %} was renewed until "
        "{{ paid_until }}.", CHECK),
    "seal_fee_due": (
        "Your USB-Key{% if key_label %} {{ key_label }}{% endif %} annual fee is due on {{ paid_until }}. Please renew in time.",
        "USB-Key annual fee due soon",
        "The annual fee of your USB-Key{% if key_label %} ({{ key_label }}){% endif %} is due on {{ paid_until }}"
        "{% if days %} (in {{ days }} days){% endif %}. Please renew in time to keep using it.", "Note"),
    "seal_key_overdue": (
        "Your USB-Key{% if key_label %} {{ key_label }}{% endif %} annual fee was due on {{ paid_until }}. Please renew now.",
        "USB-Key annual fee overdue",
        "The annual fee of your USB-Key{% if key_label %} ({{ key_label }}){% endif %} was due on {{ paid_until }}"
        "{% if days %} ({{ days }} days ago){% endif %}. Please renew now: a key not renewed will be suspended.",
        "Note"),
    "seal_key_suspended": (
        "Your USB-Key was suspended for an unpaid annual fee; renewing restores it.",
        "USB-Key suspended",
        "Your USB-Key{% if key_label %} ({{ key_label }}){% endif %} was suspended. Renewing the service restores "
        "it.", WHY),
    "seal_key_reinstated": (
        "Your USB-Key can be used again.",
        "USB-Key reinstated",
        "Your USB-Key{% if key_label %} ({{ key_label }}){% endif %} can be used again"
        "{% if paid_until %}; the service runs until {{ paid_until }}{% endif %}.", CHECK),
    "seal_key_revoked": (
        "Your USB-Key certificate was revoked and can no longer sign.",
        "USB-Key certificate revoked",
        "The certificate of your USB-Key{% if key_label %} ({{ key_label }}){% endif %} was revoked by "
        "{{ department }} and can no longer be used to sign. Please contact the CA service desk with any question.",
        WHY),
    "document_revoked": (
        "Your electronic certificate {{ certificate_number }} was revoked and is no longer valid.",
        "Electronic certificate revoked",
        "Your electronic certificate (number {{ certificate_number }}) was revoked by {{ department }} and is no "
        "longer valid; online verification shows it as revoked.", WHY),
    "reviewer_digest": (
        "Waiting for you: {% for w in waiting %}{{ w.count }} {{ w.kind }}{% if not loop.last %}, {% endif %}"
        "{% endfor %}. Please sign in to handle them.",
        "Items waiting for you",
        "As of {{ at }}, these items are waiting for you:\n{% for w in waiting %}- {{ w.kind }}: {{ w.count }}\n"
        "{% endfor %}Please sign in to handle them.", "Note"),
}

SMS_REASON = "{% if reason %} {label}: {{ reason|truncate(40, true, '…', 0) }}{% endif %}"
BODY_REASON = "{% if reason %}\n\n{label}: {{ reason }}{% endif %}"
FOOTER = "{% if department %}\n\nHandled by: {{ department }}{% endif %}\nTime: {{ at }}"
EMAIL_GREETING = "{% if enterprise_name %}Dear {{ enterprise_name }},{% else %}Hello,{% endif %}\n\n"
EMAIL_LINK = "{% if link %}\n\nDetails: {{ link }}{% endif %}"
EMAIL_CLOSING = "\n\nThis e-mail was sent automatically by the Shenbao platform; please do not reply to it."
