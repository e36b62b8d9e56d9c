"""One-machine defaults for `make run`: SQLite, files on disk, Huey on SQLite, in-memory channels."""

from config import env

from .base import *  # noqa: F401,F403

DEBUG = env.get_bool("DEBUG", True)
