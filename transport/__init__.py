"""Home-to-school transport route and cost optimiser for English councils."""

__version__ = "0.1.0"
