"""Module-level extensions, bound to the app in create_app."""

from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from portal.db import Database

db = Database()
csrf = CSRFProtect()
babel = Babel()
