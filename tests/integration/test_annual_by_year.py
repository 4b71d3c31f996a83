"""annual_figures_by_year (every year in one pass) gives each year exactly what annual_figures gives."""

from __future__ import annotations

from flask import Flask

from bench import generate
from portal.extensions import db
from portal.reports.annual import annual_figures, annual_figures_by_year, years_with_data


def test_every_year_in_one_pass_matches_year_by_year(app: Flask) -> None:
    generate.generate(app, app.extensions["portal.db"].engine, 400, seed=7)
    with app.app_context():
        years = years_with_data(db.session)
        assert len(years) >= 10
        by_year = annual_figures_by_year(db.session)
        assert sorted(by_year) == sorted(years)
        for year in years:
            assert by_year[year] == annual_figures(db.session, year, quotes=False), year
        assert sum(by_year[years[1]].current.glance.values()) > 0
