"""Form fields for the public journey on top of govuk-frontend-wtf, made safe and translatable."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field
from wtforms.fields import DateField


class DateWidget(GovDateInput):
    """GOV.UK date input with translated Day/Month/Year labels and the error on each box."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        labels = (_l("Day"), _l("Month"), _l("Year"))
        for item, label in zip(params["items"], labels, strict=True):
            item["label"] = str(label)
        return params


class GovDateField(DateField):
    """Day, month and year boxes posted under one name; a missing or partial date is an error,
    never a crash (the stock widget raises when the field is absent from the POST)."""

    widget = DateWidget()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not any(v.strip() for v in valuelist):
            self.raw_data = None
            self.data = None
            return
        parts = [v.strip() for v in valuelist] + [""] * (3 - len(valuelist))
        self.raw_data = parts[:3]
        try:
            day, month, year = (int(p) for p in parts[:3])
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter a real date, for example 27 3 2026"))) from None
        if year < 1900:
            self.data = None
            raise ValueError(str(_l("Enter the year as 4 numbers, for example 2026")))

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""
