"""Module-level extensions, bound to the app in create_app."""

from flask_wtf.csrf import CSRFProtect

from portal.db import Database
from portal.jinja_i18n import PortalBabel

db = Database()
csrf = CSRFProtect()
babel = PortalBabel()  # Flask-Babel, translations looked up once per request
