"""feeds: turn plain-text dumps of Chinese local newspaper pages into topic feeds."""

__version__ = "0.1.0"
