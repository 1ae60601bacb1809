"""TinyAgent's 16 assistant tools, on standard local files or macOS apps."""

__version__ = "0.1.0"
