"""HR's import pages: upload → dry run → confirm. Registered on the admin blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.admin import bp
from app.admin.imports import services, uploads
from app.admin.imports.forms import ConfirmForm, ImportForm
from app.admin.imports.lock import ImportBusy
from app.admin.imports.mapping import (
    Mapping,
    MappingError,
    default_mapping,
    default_mapping_text,
    parse_mapping,
)
from app.admin.imports.reading import ImportFile, ImportRejected, Problem
from app.extensions import db

SHOWN_PER_KIND = 200


@bp.route("/import", methods=["GET", "POST"])
def hr_import():
    saved = services.saved_mapping_text(db.session)
    form = ImportForm()
    if saved is not None and not form.is_submitted():
        form.mapping_choice.data = "egen"  # offer the mapping the last import used
        form.mapping_text.data = saved
    if form.validate_on_submit():
        own = form.mapping_choice.data == "egen"
        mapping_text = form.mapping_text.data if own else None
        if not own and _edited(form.mapping_text.data, saved):
            # never ignore an edited mapping silently
            form.mapping_text.errors = [
                _(
                    "Du har ändrat mappningen i rutan men valt Standard. Välj ”Egen "
                    "mappning” för att använda rutans mappning, eller återställ rutan."
                )
            ]
        elif own and (problem := _mapping_problem(mapping_text)):
            form.mapping_text.errors = [problem]
        else:
            upload_id = uploads.save(
                units=_file(form.units_file.data),
                staff=_file(form.staff_file.data),
                mapping_text=mapping_text,
                encoding=form.encoding.data or None,
                invite=form.invite.data,
                uploaded_by=current_user.id,
            )
            return redirect(url_for("admin.hr_import_preview", upload_id=upload_id))
    return render_template("admin/import.html", form=form, saved=saved)


def _edited(text: str | None, saved: str | None) -> bool:
    """The box holds something other than the standard mapping or the saved one."""
    return bool(text) and not any(
        services.same_mapping_text(text, known) for known in (default_mapping_text(), saved)
    )


def _mapping_problem(text: str | None) -> str | None:
    try:
        parse_mapping(text or "")
    except MappingError as exc:
        return str(exc)
    return None


def _file(storage) -> ImportFile:
    name = (storage.filename or "fil.csv").replace("\\", "/").rsplit("/", 1)[-1][:200]
    return ImportFile(name, storage.read())


def _upload_or_404(upload_id: str) -> uploads.Upload:
    upload = uploads.load(upload_id)
    if upload is None:
        abort(404)
    return upload


def _mapping(upload: uploads.Upload) -> Mapping:
    return parse_mapping(upload.mapping_text) if upload.mapping_text else default_mapping()


@bp.route("/import/<upload_id>")
def hr_import_preview(upload_id: str):
    upload = _upload_or_404(upload_id)
    try:
        result = services.import_files(
            db.session,
            units_file=upload.units,
            staff_file=upload.staff,
            mapping=_mapping(upload),
            encoding=upload.encoding,
            actor=current_user._get_current_object(),
            dry_run=True,
            via="web",
        )
    except ImportRejected as exc:
        db.session.rollback()
        return _render_rejected(upload, exc.problems, exc.warnings)
    db.session.rollback()
    form = ConfirmForm(fingerprint=result.fingerprint)
    return render_template(
        "admin/import_preview.html",
        upload=upload,
        result=result,
        form=form,
        shown=SHOWN_PER_KIND,
    )


def _render_rejected(upload: uploads.Upload, problems: list[Problem], warnings: list[Problem]):
    return render_template(
        "admin/import_rejected.html", upload=upload, problems=problems, warnings=warnings
    ), 422


@bp.route("/import/<upload_id>", methods=["POST"])
def hr_import_confirm(upload_id: str):
    upload = _upload_or_404(upload_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        run = services.run_import(
            db.session,
            units_file=upload.units,
            staff_file=upload.staff,
            mapping=_mapping(upload),
            encoding=upload.encoding,
            actor=current_user._get_current_object(),
            holder=current_user.full_name,
            commit=db.session.commit,
            fingerprint=form.fingerprint.data,
            invite=upload.invite,
            via="web",
        )
    except ImportBusy as exc:
        flash(exc.problems[0].message, "error")
        return redirect(url_for("admin.hr_import_preview", upload_id=upload.id))
    except services.PlanChanged:
        flash(
            _(
                "Något har ändrats sedan provkörningen. Inget är genomfört: "
                "granska ändringarna igen."
            ),
            "warning",
        )
        return redirect(url_for("admin.hr_import_preview", upload_id=upload.id))
    except ImportRejected as exc:
        return _render_rejected(upload, exc.problems, exc.warnings)
    uploads.remove(upload.id)
    services.remember_mapping(db.session, upload.mapping_text, current_user._get_current_object())
    db.session.commit()
    if run.invitations_failed:
        flash(_("Importen är genomförd, men inbjudningarna kunde inte skickas."), "error")
    c = run.result.counts
    flash(
        _(
            "Importen är genomförd: %(created)s, %(updated)s och %(deactivated)s "
            "(enheter och personer). %(sent)s.",
            created=ngettext("%(num)s ny", "%(num)s nya", c.created),
            updated=ngettext("%(num)s ändrad", "%(num)s ändrade", c.updated),
            deactivated=ngettext("%(num)s avslutad", "%(num)s avslutade", c.deactivated),
            sent=ngettext(
                "%(num)s inbjudan skickad", "%(num)s inbjudningar skickade", run.invitations_sent
            ),
        ),
        "success",
    )
    return redirect(url_for("admin.hr_import"))
