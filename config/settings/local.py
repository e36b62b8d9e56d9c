"""One-machine defaults for `make run`: SQLite, files on disk, Huey on SQLite, in-memory channels."""

from config import env

from .base import *  # noqa: F401,F403

DEBUG = env.get_bool("DEBUG", True)
# `make run` keeps a daily encrypted backup of the demo under var/backups/ (the last BACKUP_KEEP of them)
BACKUP_DAILY = env.get_bool("BACKUP_DAILY", True)
